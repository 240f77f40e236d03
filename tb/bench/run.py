"""`make bench`: simulation speed (part 1) and hardware performance (part 2), side by side.

Writes sim_build/bench/results.json (merged: other keys belong to `make synth`),
bench_table.md, readme_table.md (the README's performance table, generated), PNG plots
and the raw per-run JSON next to it, and prints the table. Each part (sim, hw, reg) is
merged into results.json as soon as it is done, so an interrupted or failing run keeps
what it measured; a part that fails leaves a FAILED record (its old numbers are removed,
never reported as this run's) and the run exits 1 after the other parts ran.
docs/bench.md explains every number. Benchmarks report; they never fail on a slow
machine (they do fail when a workload does not do its work: then numbers mean nothing).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tb.bench import hwperf, plots, regression, simspeed
from tb.bench import results as res
from tb.common.sim import SIM_BUILD

OUT = SIM_BUILD / "bench"
RESULTS = OUT / "results.json"


def _size(text: str) -> int:
    t = text.strip().upper()
    mult = {"K": 1 << 10, "M": 1 << 20}.get(t[-1:], 1)
    return int(t[:-1] if t[-1:] in "KM" else t) * mult


def _ints(text: str) -> list[int]:
    return [_size(x) for x in text.split(",") if x.strip()]


def sim_speed_part(a, records: list, raw: dict, checkpoint=None) -> dict:
    """Configurations a, a2, b, c on the bulk workload; returns the headline numbers.
    checkpoint(top, records) is called once the headline is known, before the slower ones."""
    def rec(name, r, note=""):
        # rates per CPU second of the simulator process: the bench machine is shared, so
        # wall time also counts other jobs' use of the core (wall rates kept alongside)
        records.append({"kind": "sim_speed", "part": "sim", "name": name, "config": r["config"],
                        "cycles": r["cycles"], "wall_s": r["wall_s"], "cpu_s": r["cpu_s"],
                        "cycles_per_s": r["cycles"] / r["cpu_s"],
                        "bytes_per_s": r["bytes"] / r["cpu_s"],
                        "cycles_per_wall_s": r["cycles"] / r["wall_s"],
                        "bytes": r["bytes"], "notes": note})
        if r.get("build_s"):
            records.append({"kind": "build", "part": "sim",
                            "name": f"build {r.get('top', 'replay harness')}",
                            "value": r["build_s"], "unit": "s",
                            "notes": "built during this run (incremental if partly cached)"})

    print(f"bench: (a) regression config, {a.nproc} x {a.size} B copies ...", flush=True)
    ra = simspeed.run_bulk("a", a.nproc, a.size, a.desc, record=True, workload=a.workload)
    raw["a"] = ra
    rec("(a) DPI RAM, cocotb Clock, ports visible [regression]", ra)
    print("bench: (c) C++ replay of (a), no Python ...", flush=True)
    rc = simspeed.run_replay(Path(ra["run_dir"]) / "replay")
    rc["bytes"], rc["top"] = ra["bytes"], "replay harness"
    raw["c"] = rc
    rec("(c) same model, C++ harness, no VPI", rc, "memory CRCs equal (a)'s")
    if checkpoint:   # the headline lands even if a slow comparison below never ends
        snap = list(records)
        checkpoint(_ratio_and_provenance(a, ra, rc, raw, snap), snap)

    def optional(what, fn):
        """A comparison configuration: its failure loses that row only (FAILED record)."""
        try:
            fn()
        except (AssertionError, RuntimeError, OSError, KeyError, ValueError) as exc:
            _failed(records, "sim", what, exc)

    def c_public():
        print("bench: (c') C++ replay, model built with --public-flat-rw ...", flush=True)
        rp = simspeed.run_replay(Path(ra["run_dir"]) / "replay", public=True)
        rp["bytes"], rp["top"] = ra["bytes"], "replay harness --public-flat-rw"
        raw["c_public"] = rp
        rec("(c') C++ harness, --public-flat-rw", rp, "cost of the flag alone")

    def a_all():
        print("bench: (a-all) (a) with every signal visible (--public-flat-rw) ...", flush=True)
        rl = simspeed.run_bulk("a_all", a.nproc, a.size, a.desc, workload=a.workload)
        raw["a_all"] = rl
        rec("(a-all) (a) with --public-flat-rw", rl, "cocotb's default visibility")

    def a2():
        print("bench: (a2) clock generated in HDL (--timing) ...", flush=True)
        r2 = simspeed.run_bulk("a2", a.nproc, a.size, a.desc, workload=a.workload)
        raw["a2"] = r2
        rec("(a2) DPI RAM, HDL clock (--timing)", r2,
            "the testbench samples the design's outputs as they were at each edge "
            "(rtl/sim/system_sim_clkgen.sv)")

    def a_cb():
        print(f"bench: (a) + {a.cb_cost} idle edge triggers (cost of a VPI callback) ...",
              flush=True)
        rcb = simspeed.run_bulk("a_cb", a.nproc, a.size, a.desc, extra_cbs=a.cb_cost)
        raw["a_cb"] = rcb
        rec(f"(a) + {a.cb_cost} armed idle edge triggers", rcb, "cost of value-change callbacks")
        # per callback and per time step (two per clock cycle: the cocotb Clock's edges)
        per_cb = (rcb["cpu_s"] - ra["cpu_s"]) / (a.cb_cost * 2 * ra["cycles"]) * 1e9
        records.append({"kind": "build", "part": "sim",
                        "name": "CPU cost of one armed edge trigger", "value": per_cb,
                        "unit": "ns per half cycle",
                        "notes": f"((a+{a.cb_cost}) - (a)) / ({a.cb_cost} x half cycles); (a) "
                        f"spends {ra['cpu_s'] * 1e9 / (2 * ra['cycles']):.0f} ns per half cycle"})

    def b():
        print(f"bench: (b) cocotbext-axi AxiRam, {a.nproc} x {a.b_size} B ...", flush=True)
        rb = simspeed.run_bulk("b", a.nproc, a.b_size, min(a.desc, a.b_size))
        raw["b"] = rb
        rec("(b) cocotbext-axi AxiRam, cocotb Clock", rb, f"{a.nproc} x {a.b_size} B (smaller)")

    def demo():
        print(f"bench: (a)+(c) on the demo workload (driver), {a.nproc} x {a.demo_size} B ...",
              flush=True)
        rd = simspeed.run_bulk("a", a.nproc, a.demo_size, a.demo_size, record=True,
                               workload="demo")
        rdc = simspeed.run_replay(Path(rd["run_dir"]) / "replay")
        rdc["bytes"], rdc["top"] = rd["bytes"], "replay harness"
        raw["demo_a"], raw["demo_c"] = rd, rdc
        rec("(a) demo workload (driver + pasidsim.demo)", rd, "Python driver in the loop")
        rec("(c) demo workload, C++ replay", rdc, "memory CRCs equal (a)'s")

    if a.public:
        optional("(c') C++ harness, --public-flat-rw", c_public)
    if a.all_visible:
        optional("(a-all) (a) with --public-flat-rw", a_all)
    if a.clkgen:
        optional("(a2) HDL clock run", a2)
    if a.cb_cost and a.workload == "bulk":
        optional("(a) + armed idle edge triggers", a_cb)
    if a.workload == "bulk":   # the demo's RAM window (0x8000_0000+) exceeds the AxiRam
        optional("(b) cocotbext-axi AxiRam", b)
    if a.demo_size:
        optional("demo workload (a)/(c)", demo)
    return _ratio_and_provenance(a, ra, rc, raw, records)


def _ratio_and_provenance(a, ra, rc, raw, out) -> dict:
    """The headline (a)/(c) and its provenance (on `a`); the wall-clock ratio record goes
    into `out` (records, or a copy of them for a checkpoint)."""
    ratio = (ra["cycles"] / ra["cpu_s"]) / (rc["cycles"] / rc["cpu_s"])
    wall_ratio = (ra["cycles"] / ra["wall_s"]) / (rc["cycles"] / rc["wall_s"])
    out.append({"kind": "build", "part": "sim", "name": "sim speed ratio (a)/(c), wall clock",
                "value": wall_ratio,
                "unit": "", "notes": "noisy on a shared machine; the key uses CPU time"})
    # provenance of the headline: which ratio it is and the alternatives next to it
    prov = {"measure": "CPU-time ratio: simulated cycles per CPU second of (a) / of (c); "
                       "headline (wall-clock ratio below; equal on an idle machine)",
            "regression_config": "(a): system_sim_dpi, DMA_SID=1, visibility ports, cocotb "
                                 "Clock, as tb/system/test_driver_rtl.py builds and runs it",
            "workload": f"{a.workload}: {a.nproc} x {a.size} B in {a.desc} B descriptors",
            "wall_clock_ratio": round(wall_ratio, 3),
            # the harness's own cost; the ratio also moves with the model's weight
            "overhead_ns_per_half_cycle": round((ra["cpu_s"] / ra["cycles"] - rc["cpu_s"] / rc["cycles"])
                                                / 2 * 1e9)}
    if "a2" in raw:
        prov["hdl_clock_ratio"] = round(_cpu_rate(raw["a2"]) / _cpu_rate(rc), 3)
    a.sim_provenance = prov
    return {"sim_speed_ratio": ratio}


def _failed(records: list, part: str, what: str, exc: BaseException) -> str:
    """A measurement that did not complete: a FAILED record (value None), and the first
    line worth reading of the error (Verilator/cocotb errors carry %Error lines)."""
    text = str(exc)
    first = next((ln for ln in text.splitlines() if "%Error" in ln or "Error" in ln),
                 text.splitlines()[0] if text else type(exc).__name__)[:300]
    print(f"bench: {what} FAILED: {first}", flush=True)
    records.append({"kind": "build", "part": part, "name": what, "value": None, "unit": "",
                    "notes": f"FAILED: {first}"})
    return first


def hw_smmu(a, records: list, raw: dict, top: dict) -> dict:
    def hw(name, value, unit="", notes="", **fields):
        records.append({"kind": "hw", "part": "hw", "name": name, "value": value, "unit": unit,
                        "notes": notes, **fields})

    print(f"bench: SMMU microbenchmarks (IOTLB {a.iotlb[0]}, memory latency {a.smmu_latency}) ...",
          flush=True)
    s = hwperf.smmu(a.iotlb[0], a.smmu_latency,
                    ["iotlb_hit", "cold_miss", "hit_under_miss", "scaling"],
                    {"stream": a.stream, "pasids": a.pasids, "rounds": a.rounds})
    raw["smmu"] = {a.iotlb[0]: s}
    h = s["iotlb_hit"]
    top["iotlb_hit_added_cycles"] = h["added_cycles"]
    hw("IOTLB hit: added latency (device RTT - memory RTT), micro-TLB hit", h["added_cycles"],
       "cycles", f"max of {len(h['added_cycles_all'])} single reads", key="iotlb_hit_added")
    hw("IOTLB hit behind a micro-TLB miss: added latency", h["added_cycles_utlb_miss"], "cycles",
       f"max of {len(h['added_cycles_utlb_miss_all'])} single reads",
       key="iotlb_hit_added_utlb_miss")
    hw("IOTLB hit: sustained translations, micro-TLB misses", h["translations_per_cycle"],
       "per cycle", f"{h['stream_reads']} back-to-back single-beat reads round-robin over "
       f"more pages than the micro-TLB holds", key="iotlb_hit_rate")
    hw("IOTLB hit: sustained translations, micro-TLB hits", h["utlb_translations_per_cycle"],
       "per cycle", f"{h['stream_reads']} back-to-back single-beat reads of one page",
       key="utlb_hit_rate")
    for lv in ("3level", "4level"):
        c = s["cold_miss"][lv]
        hw(f"cold miss {lv[0]}-level: translation time", c["cycles"], "cycles",
           f"{c['dependent_reads']} dependent reads, {c['memory_cycles']} cycles in memory, "
           f"{c['overhead_per_read']:.2f} cycles/read of SMMU overhead", key=f"cold_miss_{lv}",
           dependent_reads=c["dependent_reads"], memory_cycles=c["memory_cycles"],
           overhead_per_read=c["overhead_per_read"], read_latency=a.smmu_latency)
    top["cold_miss_cycles_4level"] = s["cold_miss"]["4level"]["cycles"]
    m = s["hit_under_miss"]
    top["hit_under_miss_ratio"] = m["ratio"]
    hw("hit-under-miss: hit rate during walk / alone", m["ratio"], "",
       f"{m['hits_during_walk']} hits in a {m['walk_cycles']}-cycle 4-level walk "
       f"({m['table_reads']} table reads, on the table-walk port); "
       f"{m['hits_to_data_read']} in the {m['cycles_to_data_read']} cycles up to the miss's "
       f"own translated read (ratio {m['ratio_to_data_read']:.3f})",
       key="hit_under_miss", ratio_to_data_read=m["ratio_to_data_read"])
    scal = {a.iotlb[0]: s["scaling"]}
    for size in a.iotlb[1:]:
        print(f"bench: SMMU scaling, IOTLB {size} ...", flush=True)
        r = hwperf.smmu(size, a.smmu_latency, ["scaling"],
                        {"pasids": a.pasids, "rounds": a.rounds})
        raw["smmu"][size] = r
        scal[size] = r["scaling"]
    for size, run in sorted(scal.items()):
        for p in run["points"]:
            hw(f"scaling IOTLB {size}, {p['pasids']} PASIDs", p["iotlb_hit_rate"], "hit rate",
               f"{p['translations_per_cycle']:.3f} translations/cycle, "
               f"{p['config_fetches']} STE fetches")
    OUT.mkdir(parents=True, exist_ok=True)
    plots.scaling(scal, OUT / "scaling.png")
    raw["_scaling"] = scal
    return top


def hw_dma(a, records: list, raw: dict, top: dict) -> dict:
    dmas = {}
    for lat in a.dma_latency:
        print(f"bench: DMA efficiency, memory latency {lat} ...", flush=True)
        r = hwperf.dma(lat, a.dma_sizes)
        raw.setdefault("dma", {})[lat] = r
        dmas[lat] = r["dma_efficiency"]
        for row in dmas[lat]["rows"]:
            records.append({"kind": "hw", "part": "hw", "name": f"DMA copy {row['bytes']} B, "
                            f"latency {lat}", "value": row["efficiency"], "unit": "efficiency",
                            "notes": f"{row['cycles']} cycles (ideal {row['ideal_cycles']})",
                            "key": "dma_copy", "bytes": row["bytes"], "read_latency": lat})
    raw["_dma"] = dmas
    # the lowest 64 KiB efficiency over the latencies measured (the target's worst case)
    e64 = [r["efficiency"] for lat in dmas for r in dmas[lat]["rows"] if r["bytes"] == 65536]
    if e64:
        top["dma_efficiency_64k"] = min(e64)
    OUT.mkdir(parents=True, exist_ok=True)
    plots.dma_efficiency(dmas, OUT / "dma_efficiency.png")
    return top


def hw_part(a, records: list, raw: dict) -> dict:
    """SMMU microbenchmarks and DMA efficiency; one failing does not lose the other."""
    top: dict[str, float] = {}
    for what, fn in (("SMMU microbenchmarks", hw_smmu), ("DMA efficiency", hw_dma)):
        try:
            fn(a, records, raw, top)
        except (AssertionError, RuntimeError, OSError, KeyError, ValueError) as exc:
            _failed(records, "hw", what, exc)
            raw.setdefault("_failed", []).append(what)
    return top


def build_times(records: list, tops) -> None:
    """Cold build of each top with the regression's flags, in a scratch folder (a harmless
    extra define gives it its own folder; removed afterwards)."""
    import shutil

    from tb.common import sim
    from tb.common.tops import sources
    marker = ("-CFLAGS", "-DPASIDSIM_BUILD_TIMING")
    for t in tops:
        folder = sim.SIM_BUILD / t / sim._tag({}, None, marker)
        shutil.rmtree(folder, ignore_errors=True)
        print(f"bench: cold build of {t} ...", flush=True)
        t0 = time.perf_counter()
        sim.build(t, sources(t), {}, waves=False, build_args=marker)
        records.append({"kind": "build", "part": "reg", "name": f"cold build {t}",
                        "value": time.perf_counter() - t0, "unit": "s",
                        "notes": "default parameters, tb.common.sim flags, visibility "
                                 f"{sim.DEFAULT_VISIBILITY!r}"})
        shutil.rmtree(folder, ignore_errors=True)


def _cpu_rate(r: dict) -> float:
    return r["cycles"] / r["cpu_s"]


def targets(top: dict, raw: dict) -> list[dict]:
    """Every target with its verdict; the "why" of a miss is derived from this run's data."""
    t = []
    if "sim_speed_ratio" in top:
        why = ("per-time-step cost of Verilator's VPI runtime under the cocotb Clock (timer "
               "callback re-armed every half cycle, value-change callbacks of armed edge "
               "triggers scanned several times per time step); the model's own evaluation is "
               "the same in (a) and (c)")
        if "a_cb" in raw:
            ra, rcb = raw["a"], raw["a_cb"]
            n = rcb["cfg"].get("extra_cbs") or 1
            share = (rcb["cpu_s"] - ra["cpu_s"]) / n / ra["cpu_s"]
            why += f"; each armed edge trigger adds {100 * share:.1f} % to (a)'s CPU time"
        if "a2" in raw:
            why += (f"; the HDL clock (a2) reaches {_cpu_rate(raw['a2']) / _cpu_rate(raw['c']):.2f}"
                    " of (c)")
        if "c_public" in raw:
            why += (f"; for scale, --public-flat-rw alone slows the C++ model "
                    f"{_cpu_rate(raw['c']) / _cpu_rate(raw['c_public']):.1f}x ((c)/(c'))")
        t.append(res.target("sim_speed_ratio (a)/(c)", top["sim_speed_ratio"], 0.5, "higher",
                            why + "; see docs/bench.md", part="sim"))
    for lat, run in sorted(raw.get("_dma", {}).items()):
        rows = {r["bytes"]: r for r in run["rows"]}
        lost = {n: r["cycles"] - r["ideal_cycles"] for n, r in rows.items()}
        big = sorted(n for n in rows if n >= 65536)
        per_chunk = fixed = None
        if len(big) >= 2:   # lost cycles = fixed + per_chunk x (4 KiB chunks), fitted
            n0, n1 = big[0], big[-1]
            per_chunk = (lost[n1] - lost[n0]) / ((n1 - n0) // 4096)
            fixed = lost[n0] - per_chunk * (n0 // 4096)
        for n in big:
            ideal = rows[n]["ideal_cycles"]
            budget = ideal / 0.95 - ideal    # lost cycles the target allows
            why = (f"{lost[n]} cycles over the ideal {ideal} (target allows {budget:.0f}) at "
                   f"memory latency {lat}")
            if per_chunk is not None:
                why += (f": fitted over {big[0]} and {big[-1]} B, ~{fixed:.0f} per copy (descriptor "
                        f"fetch, the first reads' latency before any write, completion record, "
                        f"interrupt) + ~{per_chunk:.1f} per 4 KiB chunk x {n // 4096}")
            t.append(res.target(f"DMA efficiency {n} B, latency {lat}", rows[n]["efficiency"],
                                0.95, "higher", why))
    if "regression_wall_s" in top:
        t.append(res.target("regression wall time (make test)", top["regression_wall_s"], 900.0,
                            "lower", "the default regression outgrew its 15-minute budget "
                            "(docs/bench.md)", part="reg"))
    if "iotlb_hit_added_cycles" in top:
        t.append(res.target("IOTLB hit added latency", top["iotlb_hit_added_cycles"], 1, "lower",
                            "hit path registers beyond the one output stage"))
    if "smmu" in raw:
        s = next(iter(raw["smmu"].values()))
        if "added_cycles_utlb_miss" in s["iotlb_hit"]:
            t.append(res.target("micro-TLB miss: IOTLB hit added latency",
                                s["iotlb_hit"]["added_cycles_utlb_miss"], 1, "lower",
                                "by design: the full lookup (configuration cache and IOTLB) "
                                "takes the cycles after the micro-TLB's front register, so "
                                "that it can be pipelined for the clock target (docs/smmu.md "
                                "\"Micro-TLB\")"))
        t.append(res.target("IOTLB hit throughput", s["iotlb_hit"]["translations_per_cycle"],
                            1.0, "higher", "device port accepts fewer than one read per cycle"))
        for lv in ("3level", "4level"):
            c = s["cold_miss"][lv]
            rd = c["reads"]
            gaps = [b[0] - a[1] for a, b in zip(rd, rd[1:])]
            why = (f"SMMU cycles: {rd[0][0]} from the device AR to the STE read, {gaps} between "
                   f"a descriptor's last beat and the next read (STE, CD, levels), "
                   f"{c['cycles'] - rd[-1][1]} from the leaf to the translated read")
            t.append(res.target(f"cold miss {lv}: SMMU cycles per dependent read",
                                c["overhead_per_read"], 2.0, "lower", why))
        m = s["hit_under_miss"]
        lost = m["walk_cycles"] - m["hits_during_walk"]
        why = (f"{lost} cycles without a hit during the walk; the walk's {m['table_reads']} "
               f"table reads use the table-walk port (m_tw_axi), so they take no slot from "
               f"the hits on the downstream port (m_axi). Counting up to the miss's own "
               f"translated read, which does take one: {m['ratio_to_data_read']:.3f}")
        if "hit_under_miss_ratio" in top:
            t.append(res.target("hit-under-miss ratio", top["hit_under_miss_ratio"], 1.0,
                                "higher", why))
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="make bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke run)")
    ap.add_argument("--part", choices=("all", "sim", "hw", "none"), default="all",
                    help="none: only --regression / --build-times (other results kept)")
    ap.add_argument("--workload", choices=("bulk", "demo"), default="bulk",
                    help="part 1 workload: backdoor set-up (bulk) or pasidsim.demo through the "
                    "driver (demo; needs the SMMU command queue)")
    ap.add_argument("--nproc", type=int, default=4)
    ap.add_argument("--size", type=_size, default=1 << 20, help="bytes copied per process")
    ap.add_argument("--desc", type=_size, default=256 << 10, help="bytes per descriptor")
    ap.add_argument("--b-size", type=_size, default=64 << 10,
                    help="bytes per process for (b), the slow AxiRam configuration")
    ap.add_argument("--demo-size", type=_size, default=256 << 10,
                    help="bytes per process for the extra demo-workload pair (0: skip)")
    ap.add_argument("--no-clkgen", dest="clkgen", action="store_false",
                    help="skip (a2), the HDL-clock variant (its --timing build is slow)")
    ap.add_argument("--no-all-visible", dest="all_visible", action="store_false",
                    help="skip (a-all): (a) built with cocotb's --public-flat-rw")
    ap.add_argument("--cb-cost", type=int, default=12, metavar="N",
                    help="also run (a) with N extra idle edge triggers armed, to price one "
                    "VPI value-change callback (0: skip)")
    ap.add_argument("--public", action="store_true",
                    help="also run (c'): the C++ harness on a --public-flat-rw model")
    ap.add_argument("--iotlb", type=_ints, default=[16, 64], help="IOTLB sizes (first: all tests)")
    ap.add_argument("--pasids", type=_ints, default=[1, 4, 16, 64])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--stream", type=int, default=256)
    ap.add_argument("--smmu-latency", type=int, default=20)
    ap.add_argument("--dma-latency", type=_ints, default=[10, 50])
    ap.add_argument("--dma-sizes", type=_ints, default=[256, 4096, 65536, 1 << 20])
    ap.add_argument("--regression", nargs="?", const="run", default=None,
                    choices=regression.MODES,
                    help="regression_wall_s: clone = time `pytest -n 2 -m 'not long'` in a "
                    "fresh clone of HEAD (cold builds; the README's figure); run = the same "
                    "in this checkout (bare --regression); junit = read the last `make "
                    "test`'s --junit file; auto = junit if it was written after HEAD's "
                    "commit, else run; skip. Default: clone for a full run, auto with --part "
                    "sim/hw, junit with --quick or --part none")
    ap.add_argument("--junit", type=Path, default=None,
                    help="JUnit file of a finished `make test` (default sim_build/junit.xml)")
    ap.add_argument("--build-times", type=lambda x: [t for t in x.split(",") if t], default=[],
                    metavar="TOPS", help="cold-build these tops to time them "
                    "(e.g. smmu_top,dma_top,system_top,system_sim_dpi)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    a = ap.parse_args(argv)
    global OUT
    OUT = a.out.parent   # plots and raw data go next to the results file
    if a.quick:
        a.nproc, a.size, a.desc, a.b_size = 2, 16 << 10, 8 << 10, 8 << 10
        a.iotlb, a.pasids, a.rounds, a.stream = a.iotlb[:1], [1, 4], 1, 32
        a.dma_latency, a.dma_sizes, a.clkgen = a.dma_latency[:1], [256, 4096], False
        a.all_visible, a.demo_size, a.cb_cost = False, 0, 0

    t0 = time.perf_counter()
    raw: dict = {}
    failed: list[str] = []
    git = regression.git_state()
    a.out.parent.mkdir(parents=True, exist_ok=True)

    def commit(part: str, records: list, top: dict, prov: dict) -> None:
        """Merge one finished part into results.json right away (an interrupted run keeps
        what it measured) and rewrite the tables from the file (all parts' latest)."""
        stamp = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "commit": git["commit"], "dirty": git["dirty"], "source": "make bench"}
        for k in top:   # a measurement's own provenance (e.g. the regression's) wins
            prov[k] = {**stamp, **prov.get(k, {})}
        tg = [t for t in targets(top, raw) if t["part"] == part]
        (a.out.parent / "bench_raw.json").write_text(json.dumps(raw, indent=1, default=str))
        data = res.merge(a.out, records, top, tg, [part], prov)
        (a.out.parent / "bench_table.md").write_text(res.table_md(data["bench"],
                                                                  data["bench_targets"]))
        (a.out.parent / "readme_table.md").write_text(res.readme_table(data))

    def run_part(part: str, fn) -> None:
        """fn(records) -> the part's top-level numbers, or None: nothing to write."""
        records: list[dict] = []
        try:
            top = fn(records)
        except (AssertionError, RuntimeError, OSError, KeyError, ValueError) as exc:
            # its old numbers are removed by the merge: never reported as this run's
            _failed(records, part, f"part {part}", exc)
            top = {}
        if top is None:
            return
        if any(str(r.get("notes", "")).startswith("FAILED") for r in records):
            failed.append(part)
        prov: dict[str, dict] = {}
        if part == "sim" and "sim_speed_ratio" in top:
            prov["sim_speed_ratio"] = dict(getattr(a, "sim_provenance", {}))
        if part == "reg" and "regression_wall_s" in top:
            prov["regression_wall_s"] = regression.provenance(raw["regression"])
        commit(part, records, top, prov)

    def sim(records):
        def checkpoint(top, snap):
            commit("sim", snap, dict(top), {"sim_speed_ratio": dict(a.sim_provenance)})
        top = sim_speed_part(a, records, raw, checkpoint)
        plots.sim_speed(records, OUT / "sim_speed.png")
        return top

    def reg(records):
        if a.build_times:
            build_times(records, a.build_times)
        got = regression.obtain(mode, a.junit)
        if not got:   # e.g. --quick and no junit file: keep what results.json has
            return {} if a.build_times else None
        raw["regression"] = got
        age = "" if "age_s" not in got else f", {got['age_s'] / 3600:.1f} h old"
        stale = "" if got.get("fresh", True) else " (written before HEAD was committed: older code)"
        records.append({"kind": "build", "part": "reg", "name": "regression wall time",
                        "value": got["wall_s"], "key": "regression_wall",
                        "unit": "s", "notes": f"{got['source']}, {got.get('date')}, commit "
                        f"{got.get('commit')}{'+dirty' if got.get('dirty') else ''}{stale}{age}, "
                        f"{got['tests']} tests, {got['failures']} failed"})
        if got.get("peak_rss_per_worker_mb"):
            records.append({"kind": "build", "part": "reg", "name": "peak memory per worker",
                            "value": max(got["peak_rss_per_worker_mb"]), "unit": "MiB",
                            "notes": f"all workers: {got['peak_rss_per_worker_mb']}"})
        return {"regression_wall_s": got["wall_s"]}

    if a.part in ("all", "sim"):
        OUT.mkdir(parents=True, exist_ok=True)
        run_part("sim", sim)
    if a.part in ("all", "hw"):
        run_part("hw", lambda records: hw_part(a, records, raw))
    # regression_wall_s: a fresh clone of HEAD (cold builds) is what the README quotes
    mode = a.regression or ("junit" if a.quick or a.part == "none"
                            else "clone" if a.part == "all" else "auto")
    if mode != "skip" or a.build_times:
        if mode in ("auto", "run", "clone"):
            print(f"bench: regression wall time ({mode}) ...", flush=True)
        run_part("reg", reg)
    data = res.load(a.out)
    print()
    print(res.table_md(data.get("bench", []), data.get("bench_targets", [])))
    print(f"results: {a.out}; tables: {a.out.parent / 'bench_table.md'}, "
          f"{a.out.parent / 'readme_table.md'}; plots: "
          f"{', '.join(p.name for p in sorted(a.out.parent.glob('*.png')))}")
    print(f"bench: {time.perf_counter() - t0:.0f} s" +
          (f"; FAILED measurements in part(s) {', '.join(failed)} (see the table)" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
