"""Record what Python did to the design so a plain C++ harness can replay it (config (c)).

A cocotb run's whole influence on the HDL is (1) AXI-Lite transactions and (2) backdoor
writes into the shared RAM. `Recorder` stamps each with the clock cycle it was issued in
and writes `replay.txt` (one op per line) plus `replay.bin` (the bytes of the memory
writes). Format, read by tb/bench/csrc/replay_main.cpp:

    W <cycle> <addr> <data>          AXI-Lite write (hex addr/data)
    R <cycle> <addr>                 AXI-Lite read (value ignored: reads change nothing)
    M <cycle> <addr> <len> <offset>  copy len bytes from replay.bin+offset to RAM addr
    H <addr> <len> <crc32>           after the end: CRC-32 of RAM [addr, addr+len)
    E <cycle>                        last cycle to simulate

Cycles count rising clock edges from time 0 (the cocotb Clock's first edge), so an op
stamped c is seen by the HDL at edge c+1, as when Python drives after edge c.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from cocotb.utils import get_sim_time

PERIOD_NS = 4


def cycle_now() -> int:
    return int(get_sim_time("ns")) // PERIOD_NS


def crc_regions(mem, regions) -> list[tuple[int, int, int]]:
    """(addr, len, crc32) of each region, read through the PhysMem."""
    return [(a, n, zlib.crc32(mem.read(a, n)) & 0xFFFF_FFFF) for a, n in regions]


class Recorder:
    def __init__(self):
        self.ops: list[str] = []
        self.blob = bytearray()
        self.on = True

    def stop(self) -> None:
        """End of the measured run: later accesses (result checks) are not replayed."""
        self.on = False

    # ---- wrappers
    def bus(self, axil):
        """read32/write32 callables around an AxiLiteMaster that log each transaction."""
        async def read32(addr: int) -> int:
            if self.on:
                self.ops.append(f"R {cycle_now()} {addr:x}")
            return int(await axil.read_dword(addr))

        async def write32(addr: int, value: int) -> None:
            if self.on:
                self.ops.append(f"W {cycle_now()} {addr:x} {value:x}")
            await axil.write_dword(addr, value)

        return read32, write32

    def mem(self, mem):
        return RecordingMem(mem, self)

    def dword_bus(self, axil):
        """An object with read_dword/write_dword (what BusPlatform's blocks use) that logs."""
        read32, write32 = self.bus(axil)

        class _Bus:
            read_dword = staticmethod(read32)
            write_dword = staticmethod(write32)
        return _Bus()

    # ---- output
    def save(self, folder: Path, end_cycle: int, hashes) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        lines = list(self.ops)
        lines += [f"H {a:x} {n:x} {c:x}" for a, n, c in hashes]
        lines.append(f"E {end_cycle}")
        (folder / "replay.txt").write_text("\n".join(lines) + "\n")
        (folder / "replay.bin").write_bytes(bytes(self.blob))


class RecordingMem:
    """PhysMem proxy: reads pass through, writes are logged (cycle, addr, bytes)."""

    def __init__(self, mem, rec: Recorder):
        self._mem, self._rec = mem, rec
        self.size = getattr(mem, "size", None)

    def _log(self, addr: int, data: bytes) -> None:
        if not self._rec.on:
            return
        off = len(self._rec.blob)
        self._rec.blob += data
        self._rec.ops.append(f"M {cycle_now()} {addr:x} {len(data):x} {off:x}")

    def read(self, addr: int, n: int) -> bytes:
        return self._mem.read(addr, n)

    def read64(self, addr: int) -> int:
        return self._mem.read64(addr)

    def write(self, addr: int, data: bytes) -> None:
        data = bytes(data)
        self._mem.write(addr, data)
        self._log(addr, data)

    def write64(self, addr: int, value: int) -> None:
        self.write(addr, value.to_bytes(8, "little"))
