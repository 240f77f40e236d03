"""Logic depth of a synthesized ECP5 netlist: names the deepest register-to-register paths
in seconds, where nextpnr names a path only after routing (over an hour for smmu_top).

Reads Yosys's JSON netlist after `synth_ecp5` (flattened: paths cross module boundaries;
a generic `synth -flatten; abc -lut 4` netlist also works and keeps more RTL names)
and weighs every arc in "LUT levels": one LUT4 with its route is 1.0; the LUT-to-LUT muxes
of wider functions (PFUMX, L6MUX21) 0.25 from data, 0.6 from select; a carry chain's
CIN->COUT 0.08 and CIN->S 0.3 (a 48-bit adder costs about three levels, not 48);
block-RAM outputs start at 4.0 (their clock-to-out, 5.8 ns). Start points: flip-flop
outputs, block-RAM outputs, input ports; end points: flip-flop and block-RAM inputs,
LUT-RAM write ports, output ports. Calibration (smmu_top, this flow): placement estimates
of 19.5 and 32.4 MHz at a worst depth of 15.3 and 13.8, so about 2.2 ns per level on the
whole top; the level count ranks paths, the router gives the MHz.

    python -m tb.bench.logic_depth sim_build/bench/synth/<job>/netlist.json [N]
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

LUT, MUX_DATA, MUX_SEL, CARRY, CARRY_SUM, BRAM_OUT = 1.0, 0.25, 0.6, 0.08, 0.3, 4.0

# Yosys names a mapped cell's nets after the signal they came from plus a cell suffix
# ("u_rd_path.tv_LUT4_C_Z_PFUMX_ALUT"): the part before the suffix is the readable one.
_SUFFIX = re.compile(r"_(LUT4|PFUMX|L6MUX21|CCU2C|TRELLIS_FF|TRELLIS_DPR16X4|DP16KD)_")


def _readable(name: str) -> tuple[bool, str]:
    """(is it a real signal name, the name cut at the first cell suffix)."""
    if name.startswith("$"):
        return False, name
    m = _SUFFIX.search(name)
    return (m is None), (name[:m.start()] if m else name)


def _top_module(net: dict[str, Any]) -> dict[str, Any]:
    mods = net.get("modules", {})
    tops = [m for m in mods.values() if str(m.get("attributes", {}).get("top", "0")) not in
            ("0", "00000000000000000000000000000000")]
    if len(tops) != 1:
        raise ValueError(f"netlist has {len(tops)} top modules (expected 1, flattened)")
    return tops[0]


def analyse(net: dict[str, Any], count: int = 20) -> list[dict[str, Any]]:
    """The `count` deepest end points, one per (start signal, end signal) pair, deepest
    first: depth, start, end, and the readable signals along the path."""
    mod = _top_module(net)
    names: dict[int, tuple[bool, str]] = {}
    for n, v in mod["netnames"].items():
        for i, b in enumerate(v["bits"]):
            if not isinstance(b, int):
                continue
            real, base = _readable(n)
            nm = base + (f"[{i}]" if len(v["bits"]) > 1 and real else "")
            old = names.get(b)
            if old is None or (real and not old[0]) or (real == old[0] and len(nm) < len(old[1])):
                names[b] = (real, nm)

    arcs: dict[int, list[tuple[int, float]]] = {}
    ends: list[tuple[int, str]] = []
    starts_at: dict[int, float] = {}

    def add(outs: list[int], ins: list[int], delay: float) -> None:
        for o in outs:
            arcs.setdefault(o, []).extend((i, delay) for i in ins)

    for cname, cell in mod["cells"].items():
        ctype, conn = cell["type"], cell["connections"]
        dirs = cell.get("port_directions", {})

        def bits(*ports: str) -> list[int]:
            return [b for p in ports for b in conn.get(p, []) if isinstance(b, int)]
        if ctype == "TRELLIS_FF" or "DFF" in ctype.upper():   # also Yosys's generic FFs
            q = bits("Q")
            label = names.get(q[0], (False, cname))[1] if q else cname
            ends.extend((b, label) for p in conn if dirs.get(p) == "input"
                        and p not in ("CLK", "C") for b in bits(p))
        elif ctype == "DP16KD":
            ends.extend((b, cname) for p in conn if dirs.get(p) == "input" for b in bits(p))
            for p in conn:
                if dirs.get(p) == "output":
                    starts_at.update((b, BRAM_OUT) for b in bits(p))
        elif ctype == "LUT4":
            add(bits("Z"), bits("A", "B", "C", "D"), LUT)
        elif ctype == "$lut":     # generic LUT (synth -flatten; abc -lut 4)
            add(bits("Y"), bits("A"), LUT)
        elif ctype in ("PFUMX", "L6MUX21"):
            add(bits("Z"), bits("ALUT", "BLUT", "D0", "D1"), MUX_DATA)
            add(bits("Z"), bits("C0", "SD"), MUX_SEL)
        elif ctype == "CCU2C":
            lut_in = bits(*(p + s for p in "ABCD" for s in "01"))
            add(bits("COUT"), lut_in, LUT)
            add(bits("COUT"), bits("CIN"), CARRY)
            add(bits("S0", "S1"), lut_in, LUT)
            add(bits("S0", "S1"), bits("CIN"), CARRY_SUM)
        elif ctype == "TRELLIS_DPR16X4":
            add(bits("DO"), bits("RAD"), LUT)
            ends.extend((b, f"{cname}.{p}") for p in ("DI", "WAD", "WRE") for b in bits(p))
        else:   # anything else: one level from every input to every output
            add([b for p in conn if dirs.get(p) == "output" for b in bits(p)],
                [b for p in conn if dirs.get(p) == "input" for b in bits(p)], LUT)
    for pname, port in mod["ports"].items():
        if port["direction"] == "output":
            ends.extend((b, f"port {pname}") for b in port["bits"] if isinstance(b, int))

    # longest arrival per net, iteratively (netlists are too deep for recursion)
    depth: dict[int, float] = {}
    via: dict[int, int | None] = {}
    for root, _ in ends:
        stack = [root]
        while stack:
            b = stack[-1]
            if b in depth:
                stack.pop()
                continue
            pending = [i for i, _ in arcs.get(b, ()) if i not in depth]
            if pending and b not in via:
                via[b] = None            # visiting: a combinational loop ends here
                stack.extend(pending)
                continue
            stack.pop()
            best, best_in = starts_at.get(b, 0.0), None
            for i, dl in arcs.get(b, ()):
                if depth.get(i, 0.0) + dl > best:
                    best, best_in = depth.get(i, 0.0) + dl, i
            depth[b], via[b] = best, best_in

    def strip(n: str) -> str:
        return re.sub(r"\[\d+\]", "", n)
    rows = sorted(((depth.get(b, 0.0), b, label) for b, label in ends), key=lambda r: -r[0])
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for dep, b, label in rows:
        path = [b]
        while via.get(path[-1]) is not None:
            path.append(via[path[-1]])   # type: ignore[arg-type]
        path.reverse()
        start = names.get(path[0], (False, "?"))[1]
        label = re.sub(r"(_DO[AB]\d+)?(\[\d+\])?$", "", label) if ".mem." in label else label
        # one row per start signal and end instance (a register's bits, a RAM's ports)
        key = (strip(start), strip(label).rsplit(".", 1)[0] if "." in label else strip(label))
        if key in seen:
            continue
        seen.add(key)
        along: list[str] = []
        for x in path[1:-1]:   # only nets that kept an RTL name (the others are guesses)
            real, nm = names.get(x, (False, ""))
            if real and (not along or strip(along[-1]) != strip(nm)):
                along.append(nm)
        out.append(dict(depth=round(dep, 2), start=start, end=label, arcs=len(path) - 1,
                        via=along))
        if len(out) >= count:
            break
    return out


def format_rows(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        lines.append(f"{r['depth']:5.1f}  {r['start']}  ->  {r['end']}   ({r['arcs']} arcs)")
        if r["via"]:
            lines.append("       via: " + " > ".join(r["via"]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or len(argv) > 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    rows = analyse(json.loads(Path(argv[0]).read_text()), int(argv[1]) if len(argv) > 1 else 20)
    sys.stdout.write(format_rows(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
