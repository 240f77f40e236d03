"""Wave dumps: read them after the fact, and write a GTKWave save file for them.

Dumps come from ``WAVES=1`` runs (tb/common/sim.py): ``dump.fst`` (``dump.vcd`` where
lz4.h is missing) in the test's run folder ``sim_build/<top>/<tag>-waves_<fmt>/runs/<test>/``.

- ``Dump(path)`` reads a VCD or FST (pywellen) so a test can assert on what was recorded:
  ``changes``, ``value_before``, ``rising_edges`` and ``handshakes`` (the beats of one AXI
  channel, sampled as the flops saw them).
- ``write_gtkw(dump)`` writes ``<dump>.gtkw`` from the dump's actual hierarchy by pattern
  rules (``OVERVIEW``, ``PORT_RE``), never from hard-coded names, so RTL renames need no
  change here: an overview of the signals people look at first (walker state, TLB
  hit/miss, queue pointers, DMA queue state, interrupts), then one group per module
  instance with its AXI ports split by channel (a*user decoded into ssv/ssid/sid) and
  everything else under "other".

Command line (``make waves`` / ``make waves-open``): ``python -m tb.common.waves run T [K]``
runs tests with waves and writes a save file per dump; ``gtkw DUMP``; ``open [FILE]``.
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

ROOT = Path(__file__).resolve().parents[2]
SIM_BUILD = ROOT / "sim_build"
DUMP_NAMES = ("dump.fst", "dump.vcd")

_UNIT_FS = {"fs": 1, "ps": 10**3, "ns": 10**6, "us": 10**9, "ms": 10**12, "s": 10**15}


def _norm(name: str) -> str:
    # pywellen writes an element "arr[3]" as "arr.[3]"; GTKWave and people write "arr[3]".
    return name.replace(".[", "[")


def _vcd_ranges(path: Path) -> dict[str, str]:
    """Declared bit ranges ("[47:12]") of a VCD's vectors: pywellen drops them, GTKWave
    needs them to find a signal named in a save file."""
    ranges: dict[str, str] = {}
    scopes: list[str] = []
    with open(path, errors="replace") as f:
        for line in f:
            tok = line.split()
            if not tok:
                continue
            if tok[0] == "$scope":
                scopes.append(tok[2])
            elif tok[0] == "$upscope":
                scopes.pop()
            elif tok[0] == "$var" and len(tok) >= 6:
                name, rng = tok[4], tok[5] if tok[5].startswith("[") else ""
                m = re.fullmatch(r"(.+)(\[\d+:\d+\])", name)
                if not rng and m:  # "va[47:12]" written as one token (pyvcd and others)
                    name, rng = m.groups()
                if rng:
                    ranges[".".join([*scopes, name])] = rng
            elif tok[0] == "$enddefinitions":
                break
    return ranges


@dataclass(frozen=True)
class Signal:
    name: str      # full hierarchical name, e.g. "smmu_top.u_regs.cmdq_prod"
    width: int
    range: str     # "[47:12]", "" for one bit

    @property
    def scope(self) -> str:
        return self.name.rsplit(".", 1)[0] if "." in self.name else ""

    @property
    def leaf(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def gtkw_name(self) -> str:
        return self.name + self.range

    @property
    def msb(self) -> int:
        m = re.match(r"\[(-?\d+)(?::-?\d+)?\]", self.range)
        return int(m.group(1)) if m else self.width - 1


class Dump:
    """A recorded VCD or FST. Signal names are full hierarchical names; any unique
    dot-separated suffix also works (``"s_axi_arvalid"`` if only one scope has it).
    Times are in ns. Verilator's ``$rootio`` copy of the top ports is left out."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"Dump: no wave dump at {self.path}")
        try:
            import pywellen
        except ImportError as exc:  # pragma: no cover - dev extra missing
            raise RuntimeError("Dump needs pywellen (pip install -e '.[dev]')") from exc
        self._w = pywellen.Waveform(str(self.path))
        ts = self._w.timescale
        self._ns_per_unit = ts.factor * _UNIT_FS[str(ts.unit)] / 1e6
        ranges = _vcd_ranges(self.path) if self.path.suffix == ".vcd" else {}
        self._vars = {}
        self.signals: dict[str, Signal] = {}
        for v in self._w.all_vars():
            name = _norm(v.full_name)
            if name.startswith("$rootio."):
                continue
            width = v.bitwidth or 1
            rng = ranges.get(name, f"[{width - 1}:0]" if width > 1 else "")
            self._vars[name] = v
            self.signals[name] = Signal(name, width, rng)
        self._cache: dict[str, tuple[list[float], list[int | None]]] = {}

    # ---------------------------------------------------------------- lookup
    def resolve(self, name: str) -> str:
        if name in self.signals:
            return name
        hits = [n for n in self.signals if n.endswith("." + name)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise KeyError(f"Dump {self.path.name}: {name!r} is ambiguous: {sorted(hits)[:8]}")
        leaf = name.rsplit(".", 1)[-1]
        near = sorted(n for n in self.signals if leaf.split("_")[-1] in n.rsplit(".", 1)[-1])
        raise KeyError(f"Dump {self.path.name}: no signal {name!r}; similar: {near[:8]}")

    def has(self, name: str) -> bool:
        try:
            self.resolve(name)
            return True
        except KeyError:
            return False

    def scopes(self) -> list[str]:
        return sorted({s.scope for s in self.signals.values()})

    def param(self, scope: str, name: str) -> int | None:
        """A parameter as Verilator records it (a constant named in the scope), or None."""
        full = f"{scope}.{name}"
        if full not in self.signals:
            return None
        vals = self.changes(full)[1]
        return vals[-1] if vals else None

    # ---------------------------------------------------------------- values
    def changes(self, name: str) -> tuple[list[float], list[int | None]]:
        """(times in ns, values) of every recorded change; None for X/Z values."""
        full = self.resolve(name)
        if full not in self._cache:
            ts, vs = [], []
            for t, v in self._vars[full].tv:
                ts.append(t * self._ns_per_unit)
                vs.append(_as_int(v))
            self._cache[full] = (ts, vs)
        return self._cache[full]

    def value_at(self, name: str, t: float) -> int | None:
        """The value after everything recorded at time t."""
        ts, vs = self.changes(name)
        i = bisect.bisect_right(ts, t) - 1
        return vs[i] if i >= 0 else None

    def value_before(self, name: str, t: float) -> int | None:
        """The value just before time t: what a flop clocked at t sampled."""
        ts, vs = self.changes(name)
        i = bisect.bisect_left(ts, t) - 1
        return vs[i] if i >= 0 else None

    def rising_edges(self, clk: str) -> list[float]:
        ts, vs = self.changes(clk)
        return [t for i, t in enumerate(ts) if vs[i] == 1 and i > 0 and vs[i - 1] == 0]

    def handshakes(self, prefix: str, channel: str, clk: str | None = None,
                   fields: Iterable[str] | None = None) -> list[dict]:
        """Every beat of AXI channel ``channel`` (aw, w, b, ar, r) of the port ``prefix``
        (e.g. ``"smmu_top.s_axi"``): one dict per clock edge with valid and ready high,
        holding ``t`` (ns) and each payload field by its short name (``addr``, ``id``,
        ``user``...), all sampled as the flops saw them at that edge."""
        if channel not in ("aw", "w", "b", "ar", "r"):
            raise ValueError(f"Dump.handshakes: channel {channel!r} is not aw/w/b/ar/r")
        base = self.resolve(f"{prefix}_{channel}valid").rsplit("valid", 1)[0]
        scope = base.rsplit(".", 1)[0]
        clk = self.resolve(clk or f"{scope}.clk")
        if fields is None:
            fields = [n[len(base):] for n in self.signals
                      if n.startswith(base) and n[len(base):] not in ("valid", "ready")]
        valid, ready = base + "valid", base + "ready"
        beats = []
        for t in self.rising_edges(clk):
            if self.value_before(valid, t) == 1 and self.value_before(ready, t) == 1:
                beat = {"t": t}
                for f in fields:
                    beat[f] = self.value_before(base + f, t)
                beats.append(beat)
        return beats


def _as_int(v) -> int | None:
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v and set(v) <= {"0", "1"}:
        return int(v, 2)
    return None


# ===================================================================== GTKWave save file
# (group title, scope pattern, signal-name pattern): a signal whose instance path matches
# the first and whose own name matches the second is shown in the overview group too.
OVERVIEW: list[tuple[str, str, str]] = [
    ("SMMU walker state", r"walk", r"(^|_)(state|st|fsm|level|lvl|busy)(_q|_r)?$"),
    ("IOTLB / config cache hit, miss", r"tlb|cfgc|xlate|smmu",
     r"(^|_)(hit|miss|fill_valid)(_q|_r)?$"),
    ("command / event queue pointers", r"smmu|cmdq|evtq",
     r"^(cmdq|evtq|eventq)_(prod|cons)(_q|_r)?$|^(prod|cons|wr_ptr|rd_ptr)(_q|_r)?$"),
    ("DMA queue state", r"dma", r"(^|_)(state|st|head|tail|doorbell|active|busy|err)(_q|_r)?$"),
    ("interrupts", r"", r"^irq"),
]
PORT_RE = re.compile(r"^(?P<port>[sm]_(?:[a-z]+_)?axil?)_(?P<ch>aw|w|b|ar|r)(?P<field>[a-z]+)$")
CHANNELS = ("aw", "w", "b", "ar", "r")
PORT_ROLE = {"s_axil": "register port", "s_axi": "upstream port", "m_axi": "downstream port",
             "m_tw_axi": "table-walk port"}
_FIELD_ORDER = ("valid", "ready", "id", "addr", "user", "len", "size", "burst", "data",
                "strb", "resp", "last")
RESP_NAMES = [(0, "OKAY"), (1, "EXOKAY"), (2, "SLVERR"), (3, "DECERR")]
PARAM_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _is_instance(dump: Dump, scope: str) -> bool:
    # module instances have a clk port; struct members, generate and unnamed blocks do not
    return f"{scope}.clk" in dump.signals


def _owner(dump: Dump, scope: str) -> str:
    while scope and not _is_instance(dump, scope):
        scope = scope.rsplit(".", 1)[0] if "." in scope else ""
    return scope


def user_fields(width: int, sid_bits: int) -> dict[str, tuple[int, int]] | None:
    """The a*user layout {ssv, ssid[19:0], sid[SID_BITS-1:0]} as (msb, lsb) per field,
    or None if the width does not match it."""
    if width != 1 + 20 + sid_bits:
        return None
    return {"ssv": (20 + sid_bits, 20 + sid_bits), "ssid": (19 + sid_bits, sid_bits),
            "sid": (sid_bits - 1, 0)}


def write_gtkw(dump: Dump, out: str | Path | None = None, sid_bits: int | None = None) -> Path:
    """Write a GTKWave save file for ``dump`` (default: next to it, ``<dump>.gtkw``)."""
    from vcd.gtkw import GTKWColor, GTKWSave, make_translation_filter

    out = Path(out) if out else dump.path.with_suffix(dump.path.suffix + ".gtkw")
    resp_filter = out.with_name("axi_resp.gtkw-filter")
    resp_filter.write_text(make_translation_filter(RESP_NAMES, datafmt="hex", size=2) + "\n")

    owners: dict[str, list[Signal]] = {}
    for sig in dump.signals.values():
        # outside every instance (a package's constants): grouped by their root scope
        owner = _owner(dump, sig.scope) or sig.name.split(".", 1)[0]
        owners.setdefault(owner, []).append(sig)
    instances = sorted(owners, key=lambda s: (not _is_instance(dump, s), s.count("."), s))
    top = instances[0] if instances and _is_instance(dump, instances[0]) else ""

    def rel(sig: Signal) -> str:
        # GTKWave cuts an alias at its last "." for display, so the path uses "/"
        name = sig.name[len(top) + 1:] if top and sig.name.startswith(top + ".") else sig.name
        return name.replace(".", "/")

    def trace(g, sig: Signal, **kw):
        fmt = "bin" if sig.width == 1 else "hex"
        if sig.leaf.endswith("resp") and sig.width == 2:
            kw.setdefault("translate_filter_file", str(resp_filter.resolve()))
        g.trace(sig.gtkw_name, alias=sig.leaf if kw.pop("short", True) else rel(sig),
                datafmt=fmt, **kw)

    with open(out, "w") as f:
        g = GTKWSave(f)
        g.comment(f"generated by tb/common/waves.py from {dump.path.name}; regenerate with "
                  f"'python -m tb.common.waves gtkw {dump.path}'")
        g.dumpfile(str(dump.path.resolve()))
        g.savefile(str(out.resolve()))
        g.size(1280, 800)
        g.zoom_markers(_zoom_to_fit(dump, top))
        g.signals_width(260)
        g.sst_expanded(True)
        if top:
            g.treeopen(top)
            for name in ("clk", "rst"):
                if f"{top}.{name}" in dump.signals:
                    trace(g, dump.signals[f"{top}.{name}"])

        # ---- overview
        for title, scope_re, name_re in OVERVIEW:
            # instance-level signals only: struct members (job.cfg_hit) would be noise
            picks = [s for s in dump.signals.values()
                     if re.search(scope_re, s.scope) and re.search(name_re, s.leaf)
                     and not PARAM_RE.match(s.leaf) and _is_instance(dump, s.scope)]
            if not picks:
                continue
            with g.group(title, closed=False):
                for s in sorted(picks, key=lambda s: s.name):
                    trace(g, s, short=False)

        # ---- one group per instance
        for inst in instances:
            sigs = sorted(owners[inst], key=lambda s: s.name)
            ports: dict[tuple[str, str], list[Signal]] = {}
            params, other = [], []
            for s in sigs:
                m = PORT_RE.match(s.leaf) if s.scope == inst else None
                if m:
                    ports.setdefault((m["port"], m["ch"]), []).append(s)
                elif PARAM_RE.match(s.leaf) and len(dump.changes(s.name)[0]) <= 1:
                    params.append(s)
                elif s.leaf not in ("clk", "rst") or s.scope != inst:
                    other.append(s)
            sid = sid_bits if sid_bits is not None else (
                dump.param(inst, "SID_BITS") or dump.param(top, "SID_BITS"))
            with g.group(inst, closed=inst != top):
                for (port, ch) in sorted(ports, key=lambda k: (k[0], CHANNELS.index(k[1]))):
                    chan = sorted(ports[(port, ch)], key=lambda s: _field_rank(s.leaf, port, ch))
                    role = PORT_ROLE.get(port, "")
                    with g.group(f"{port} {ch.upper()}" + (f" ({role})" if role else ""),
                                 closed=inst != top):
                        for s in chan:
                            trace(g, s)
                            layout = (user_fields(s.width, sid)
                                      if s.leaf.endswith("user") and sid else None)
                            for fname, (msb, lsb) in (layout or {}).items():
                                g.trace_combined(
                                    f"{s.leaf}.{fname}",
                                    [(s.msb - b, s.gtkw_name) for b in range(msb, lsb - 1, -1)],
                                    datafmt="hex", color=GTKWColor.yellow)
                if params:
                    with g.group(f"{inst} parameters", closed=True):
                        for s in params:
                            trace(g, s)
                if other:
                    with g.group(f"{inst} other", closed=True):
                        for s in other:
                            trace(g, s, short=False)
    return out


def _zoom_to_fit(dump: Dump, top: str, pixels: int = 650) -> float:
    # GTKWave shows about 2**-zoom / 200 dump time units per pixel (measured, 3.3.118)
    clk = f"{top}.clk"
    end_ns = dump.changes(clk)[0][-1] if clk in dump.signals and dump.changes(clk)[0] else 0
    units = max(end_ns / dump._ns_per_unit, 1.0)
    return -round(math.log2(200 * units / pixels), 1)


def _field_rank(leaf: str, port: str, ch: str) -> tuple[int, str]:
    field = leaf[len(port) + 1 + len(ch):]
    return (_FIELD_ORDER.index(field) if field in _FIELD_ORDER else len(_FIELD_ORDER), field)


# ===================================================================== finding dumps, viewers
def find_dumps(root: Path = SIM_BUILD, since: float | None = None) -> list[Path]:
    """Wave dumps under ``root`` (newest first), only those written after ``since``."""
    found = [p for n in DUMP_NAMES for p in root.glob(f"**/runs/*/{n}")]
    if since is not None:
        found = [p for p in found if p.stat().st_mtime >= since]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def viewer_command(path: Path) -> list[str] | None:
    """How to open a save file or dump: GTKWave (takes the save file), else Surfer
    (takes the dump), else None."""
    if shutil.which("gtkwave"):
        return ["gtkwave", str(path)]
    if shutil.which("surfer"):
        dump = path.with_suffix("") if path.suffix == ".gtkw" else path
        return ["surfer", str(dump)]
    return None


def _announce(dump: Path, gtkw: Path) -> None:
    print(f"waves:     {dump}")
    print(f"save file: {gtkw}")
    cmd = viewer_command(gtkw)
    print("open with: " + (" ".join(cmd) if cmd else f"gtkwave {gtkw}   (or: surfer {dump}); "
                           "neither viewer is installed here (apt-get install gtkwave)"))


def _cmd_run(args) -> int:
    """Run tests with waves on, then write a save file for every dump they produced."""
    env = dict(os.environ, WAVES="1")
    base = [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", *args.tests]
    start = time.time() - 1
    rc = 0
    if args.k:
        rc = subprocess.call([*base, "-k", args.k], cwd=ROOT, env=env)
        if rc == 5:  # no pytest test matched: K names a cocotb test inside the files
            print(f"waves: no pytest test matches {args.k!r}; running the cocotb tests "
                  f"whose name matches it instead")
            env["COCOTB_TEST_FILTER"] = args.k
            rc = subprocess.call(base, cwd=ROOT, env=env)
    else:
        rc = subprocess.call(base, cwd=ROOT, env=env)
    dumps = find_dumps(since=start)
    if not dumps:
        print("waves: the run produced no wave dump (did any simulation run?)", file=sys.stderr)
        return rc or 1
    for d in dumps:
        _announce(d, write_gtkw(Dump(d)))
    return rc


def _cmd_gtkw(args) -> int:
    _announce(Path(args.dump), write_gtkw(Dump(args.dump), args.out, args.sid_bits))
    return 0


def _cmd_open(args) -> int:
    if args.file:
        path = Path(args.file)
    else:
        saves = sorted(SIM_BUILD.glob("**/runs/*/dump.*.gtkw"), key=lambda p: p.stat().st_mtime)
        if not saves:
            print("waves: no save file under sim_build/; run 'make waves T=<file> K=<test>' first",
                  file=sys.stderr)
            return 1
        path = saves[-1]
    cmd = viewer_command(path)
    if cmd is None:
        print(f"waves: neither gtkwave nor surfer is installed; open {path} with one of them "
              "(apt-get install gtkwave)")
        return 1
    print("opening: " + " ".join(cmd))
    subprocess.Popen(cmd, start_new_session=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.common.waves",
                                 description="wave dumps: run with waves, save files, viewers")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run tests with WAVES=1 and write a save file per dump")
    r.add_argument("tests", nargs="+", help="test files or folders (as for pytest)")
    r.add_argument("-k", help="pytest -k expression, or a cocotb test name")
    r.set_defaults(fn=_cmd_run)
    gw = sub.add_parser("gtkw", help="write a GTKWave save file for a dump")
    gw.add_argument("dump")
    gw.add_argument("-o", "--out")
    gw.add_argument("--sid-bits", type=int, help="SID_BITS when the dump does not record it")
    gw.set_defaults(fn=_cmd_gtkw)
    o = sub.add_parser("open", help="open a save file (default: the newest) in GTKWave/Surfer")
    o.add_argument("file", nargs="?")
    o.set_defaults(fn=_cmd_open)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
