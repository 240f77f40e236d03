"""Synthetic wave dumps for the debug-tool tests: a VCD written with pyvcd that looks like
Verilator's (``$rootio`` copy of the ports, parameters as constants, values changing at
the clock edge that launches them), so the reader, the save-file writer and the trace
extractor are tested without a simulator and independently of the RTL being written."""

from __future__ import annotations

from pathlib import Path

from vcd import VCDWriter

PERIOD_PS = 4000


class SynthDump:
    """Declare signals, then drive them per clock cycle; ``write`` makes the VCD.

    ``drive(cycle, name=value, ...)`` sets values launched at rising edge ``cycle`` (so a
    flop samples them at edge ``cycle + 1``); ``beat(cycle, port_ch, **payload)`` drives one
    valid/ready handshake sampled at edge ``cycle + 1``, then scrambles the payload at that
    very edge (as the next launch would), so a reader that samples after the edge fails.
    """

    def __init__(self, top: str = "smmu_top"):
        self.top = top
        self.vars: dict[str, tuple[str, int, tuple[int, int] | None]] = {}
        self.changes: dict[int, dict[str, int]] = {}
        self.params: dict[str, int] = {}
        self.last_cycle = 0

    def signal(self, name: str, width: int = 1, rng: tuple[int, int] | None = None) -> None:
        self.vars[name] = (name, width, rng)

    def param(self, name: str, value: int) -> None:
        self.params[name] = value

    def axi(self, prefix: str, widths: dict[str, int]) -> None:
        """All signals of one AXI channel: ``prefix`` "s_axi_ar", widths per field {"addr": 48}."""
        for f, w in widths.items():
            self.signal(f"{prefix}{f}", w)

    def drive(self, cycle: int, **values: int) -> None:
        self.changes.setdefault(cycle * PERIOD_PS, {}).update(values)
        self.last_cycle = max(self.last_cycle, cycle + 2)

    def beat(self, cycle: int, port_ch: str, **payload: int) -> None:
        self.drive(cycle, **{f"{port_ch}valid": 1, f"{port_ch}ready": 1},
                   **{f"{port_ch}{k}": v for k, v in payload.items()})
        self.drive(cycle + 1, **{f"{port_ch}valid": 0},
                   **{f"{port_ch}{k}": 0x5A5A5A5A & ((1 << self.vars[f"{port_ch}{k}"][1]) - 1)
                      for k in payload})

    def write(self, path: Path) -> Path:
        with open(path, "w") as f, VCDWriter(f, timescale="1 ps", date="synthetic") as w:
            handles = {}
            for name, width, rng in self.vars.values():
                handles[name] = w.register_var(self.top, name, "wire", size=width, init=0,
                                               bit_index=rng)
                if name in ("clk", "rst") or name.startswith(("s_axi_", "m_axi_")):
                    handles["$rootio." + name] = w.register_var("$rootio", name, "wire",
                                                                size=width, init=0,
                                                                bit_index=rng)
            for name, value in self.params.items():
                w.register_var(self.top, name, "wire", size=32, init=value, bit_index=(31, 0))
            times = sorted(set(self.changes) | {c * PERIOD_PS for c in range(self.last_cycle + 1)}
                           | {c * PERIOD_PS + PERIOD_PS // 2 for c in range(self.last_cycle + 1)})
            for t in times:
                if t % PERIOD_PS == 0 and "clk" in handles:
                    w.change(handles["clk"], t, 1)
                elif "clk" in handles:
                    w.change(handles["clk"], t, 0)
                for name, value in self.changes.get(t, {}).items():
                    w.change(handles[name], t, value)
        return path


AXI_A = {"id": 4, "addr": 48, "len": 8, "size": 3, "burst": 2, "valid": 1, "ready": 1}


def smmu_ports(sid_bits: int = 8, id_width: int = 4, data_width: int = 64,
               top: str = "smmu_top") -> SynthDump:
    """An smmu_top-like port set: s_axi (device, a*user = {ssv, ssid, sid}), m_axi (memory,
    one more ID bit)."""
    d = SynthDump(top)
    d.signal("clk")
    d.signal("rst")
    user = 21 + sid_bits
    for p, idw in (("s_axi", id_width), ("m_axi", id_width + 1)):
        for a in ("ar", "aw"):
            d.axi(f"{p}_{a}", {**AXI_A, "id": idw})
            if p == "s_axi":
                d.signal(f"{p}_{a}user", user)
        d.axi(f"{p}_w", {"data": data_width, "strb": data_width // 8, "last": 1, "valid": 1,
                         "ready": 1})
        d.axi(f"{p}_b", {"id": idw, "resp": 2, "valid": 1, "ready": 1})
        d.axi(f"{p}_r", {"id": idw, "data": data_width, "resp": 2, "last": 1, "valid": 1,
                         "ready": 1})
    d.param("SID_BITS", sid_bits)
    d.param("RD_WALKERS", 2)
    return d


def user(sid_bits: int, sid: int, ssid: int = 0, ssv: int = 0) -> int:
    return (ssv << (sid_bits + 20)) | (ssid << sid_bits) | sid
