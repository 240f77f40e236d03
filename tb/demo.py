"""`make sim`: the main scenario end to end on the system top, with a readable summary.

Several processes bind to the accelerators (process i on accelerator i mod NDEV, each its
own StreamID) with SVA and copy / fill / compare in their
own address spaces (pasidsim.demo); one takes I/O page faults that the driver resolves,
one aims at memory it does not own and is stopped. The driver runs on the RTL through
RtlPlatform; memory is the HDL-side RAM (zero-copy backdoor).

    make sim ARGS="--procs 8 --size 262144 --seed 7 --waves"
    make sim ARGS=--model        # the same scenario on the pure-Python model backend
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import cocotb

SUMMARY = "summary.json"
RAM_BASE = 0x8000_0000
RAM_SIZE = 256 << 20


def _xlate_stats(run_dir: Path) -> dict:
    """Per-PASID translations and IOTLB hits from the HDL trace (trace.*.jsonl)."""
    from pasidsim import trace as T

    parts = sorted(run_dir.glob("trace.*.jsonl"))
    stats = defaultdict(lambda: {"xlate": 0, "hit": 0, "fault": 0})
    for r in T.merge(parts) if parts else []:
        if r["kind"] != "xlate":
            continue
        s = stats[r["ssid"] if r.get("ssv") else -1]
        s["xlate"] += 1
        s["hit"] += bool(r.get("hit"))
        s["fault"] += r.get("fault") is not None
    return dict(stats)


@cocotb.test()
async def demo_on_rtl(dut):
    from pasidsim.demo import demo
    from pasidsim.driver.system import bring_up
    from tb.common.dpimem import DpiMem
    from tb.common.rtl_platform import RtlPlatform
    from tb.common.tbutil import start_clock_and_reset

    await start_clock_and_reset(dut.clk, dut.rst)
    t0 = cocotb.utils.get_sim_time("ns")
    stalls = os.environ.get("DEMO_STALLS", "1") == "1"
    plat = RtlPlatform(dut, DpiMem(), RAM_BASE, RAM_SIZE)
    sys_ = await bring_up(plat, stall=stalls)
    rep = await demo(sys_, nproc=int(os.environ["DEMO_PROCS"]), size=int(os.environ["DEMO_SIZE"]),
                     seed=int(os.environ["DEMO_SEED"]), stalls=stalls)
    ns = cocotb.utils.get_sim_time("ns") - t0
    out = {"procs": [p.__dict__ for p in rep.procs], "ok": rep.ok, "sim_ns": ns,
           "cycles": int(ns // 4), "reg_reads": plat.reg_reads, "reg_writes": plat.reg_writes,
           "stalls": stalls}
    Path(SUMMARY).write_text(json.dumps(out, indent=1))
    assert rep.ok, [p.checks for p in rep.procs]


def _print(s: dict, stats: dict, wall: float, where: str) -> None:
    print(f"\npasidsim demo on {where}: {len(s['procs'])} processes, "
          f"I/O page faults by {'stall + RESUME' if s['stalls'] else 'partial completion + resubmit'}")
    print(f"{'process':8} {'device':10} {'pasid':>5} {'descs':>5} {'bytes':>9} {'faults':>6} {'resolved':>8} "
          f"{'blocked':>7} {'xlates':>7} {'tlb hit':>7}  result")
    for p in s["procs"]:
        st = stats.get(p["pasid"], {})
        n = st.get("xlate", 0)
        hit = f"{100 * st['hit'] / n:5.1f}%" if n else "    -"
        print(f"{p['name']:8} {p.get('device', ''):10} {p['pasid']:5} {p['descriptors']:5} {p['bytes']:9} {p['smmu_faults']:6} "
              f"{p['faults_resolved']:8} {p['faults_blocked']:7} {n:7} {hit:>7}  "
              f"{'ok' if not p['checks'] else '; '.join(p['checks'])}")
    if "cycles" in s:
        print(f"simulated: {int(s['cycles'])} cycles ({s['sim_ns'] / 1000:.1f} us at 250 MHz), "
              f"{s['reg_writes']} register writes, {s['reg_reads']} reads")
    print(f"wall time: {wall:.1f} s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="make sim", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--procs", type=int, default=4, help="processes (queues), 1..8 (default 4)")
    ap.add_argument("--size", type=int, default=64 << 10, help="bytes per copy (default 65536)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-stall", action="store_true",
                    help="resolve I/O page faults by partial completion + resubmit")
    ap.add_argument("--waves", action="store_true", help="dump waves (FST, or VCD without lz4)")
    ap.add_argument("--model", action="store_true", help="run on the pure-Python model backend")
    a = ap.parse_args(argv)
    if not 1 <= a.procs <= 8:
        ap.error("--procs must be 1..8 (4 queues on each of the 2 accelerators, round-robin)")
    start = time.time()
    if a.model:
        import asyncio

        from pasidsim.demo import demo
        from pasidsim.driver.system import model_system

        async def go():
            sys_ = await model_system(stall=not a.no_stall)
            return await demo(sys_, nproc=a.procs, size=a.size, seed=a.seed, stalls=not a.no_stall)
        rep = asyncio.run(go())
        s = {"procs": [p.__dict__ for p in rep.procs], "stalls": not a.no_stall}
        _print(s, {}, time.time() - start, "the model backend")
        return 0 if rep.ok else 1

    from tb.common.sim import run
    from tb.common.tops import sources

    print("pasidsim demo: building the system top with Verilator (first build ~1-2 min) ...")
    env = {"DEMO_PROCS": str(a.procs), "DEMO_SIZE": str(a.size), "DEMO_SEED": str(a.seed),
           "DEMO_STALLS": "0" if a.no_stall else "1", "KEEP_TRACE": "1"}
    os.environ["KEEP_TRACE"] = "1"
    try:
        run_dir = run("tb.demo", "system_sim_dpi", sources("system_sim_dpi"), seed=a.seed,
                      waves=a.waves, extra_env=env, visibility="ports")
    except AssertionError as exc:
        print(str(exc)[-3000:])
        return 1
    wall = time.time() - start
    s = json.loads((run_dir / SUMMARY).read_text())
    _print(s, _xlate_stats(run_dir), wall, "the RTL (system_sim_dpi)")
    print(f"run folder: {run_dir}  (sim.log, trace.txt)")
    dump = next(iter(run_dir.glob("dump.*")), None)
    if dump:
        print(f"waves: {dump}   (make waves-open)")
    else:
        print("waves: make sim ARGS=--waves")
    return 0 if s["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
