"""Smoke tests of the `make bench` machinery at tiny sizes (benchmarks report numbers; these
tests only prove the scripts still run and measure what they claim)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tb.bench import hwperf, plots, simspeed
from tb.bench import results as res


def test_results_merge_keeps_other_keys(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"synth": {"x": 1}, "fmax_mhz_system": 50.0,
                                "sim_speed_ratio": 0.9, "hit_under_miss_ratio": 1.0}))
    tg = [res.target("t", 0.4, 0.5, "higher", "slow", part="sim")]
    data = res.merge(path, [{"kind": "x", "part": "sim", "name": "n", "value": 1}],
                     {"sim_speed_ratio": 0.3}, tg, ["sim", "hw"])
    on_disk = json.loads(path.read_text())
    assert on_disk == data
    assert on_disk["synth"] == {"x": 1} and on_disk["fmax_mhz_system"] == 50.0
    assert on_disk["sim_speed_ratio"] == 0.3
    assert "hit_under_miss_ratio" not in on_disk, "an owned key not measured this run is stale"
    assert on_disk["bench_targets"][0]["met"] is False
    assert on_disk["bench_targets"][0]["shortfall"] == pytest.approx(0.1)
    # a run of one part keeps the other part's numbers and records
    res.merge(path, [{"kind": "y", "part": "hw", "name": "m", "value": 2}],
              {"hit_under_miss_ratio": 1.0}, [], ["hw"])
    again = json.loads(path.read_text())
    assert again["sim_speed_ratio"] == 0.3 and again["hit_under_miss_ratio"] == 1.0
    assert [r["name"] for r in again["bench"]] == ["n", "m"]
    for bad in (({"fmax_mhz_system": 1.0}, ["sim"]), ({"sim_speed_ratio": 1.0}, ["hw"])):
        with pytest.raises(ValueError):
            res.merge(path, [], bad[0], [], bad[1])
    assert json.loads(path.read_text()) == again, "a rejected merge must not write"


def test_target_verdicts():
    assert res.target("a", 1.0, 1, "lower")["met"]
    assert not res.target("a", 3.0, 1, "lower")["met"]
    assert res.target("a", 0.96, 0.95, "higher")["met"]
    assert res.target("a", None, 0.95, "higher")["why"] == "not measured"


def test_table_and_plots(tmp_path):
    recs = [{"kind": "sim_speed", "name": "x", "cycles": 10, "wall_s": 1.0, "cycles_per_s": 10.0,
             "bytes_per_s": 80.0}, {"kind": "hw", "name": "h", "value": 0.5, "unit": "u"}]
    table = res.table_md(recs, [res.target("t", 0.5, 1.0, "higher", "why")])
    assert "| x |" in table and "| h |" in table and "NO" in table
    assert plots.sim_speed(recs, tmp_path / "s.png").stat().st_size > 1000
    dma = {10: {"rows": [{"bytes": 256, "efficiency": 0.3}, {"bytes": 4096, "efficiency": 0.5}]}}
    assert plots.dma_efficiency(dma, tmp_path / "d.png").stat().st_size > 1000
    sc = {16: {"points": [{"pasids": 1, "iotlb_hit_rate": 1.0, "translations_per_cycle": 0.9}]}}
    assert plots.scaling(sc, tmp_path / "c.png").stat().st_size > 1000


def test_bulk_replay_reproduces_run(tmp_path):
    """(a) and its C++ replay (c) end with the same memory; a corrupted recording does not."""
    ra = simspeed.run_bulk("a", nproc=2, size=16 << 10, desc=8 << 10, record=True)
    assert ra["bytes"] == 32 << 10 and ra["cycles"] > (16 << 10) // 8
    rc = simspeed.run_replay(simspeed.Path(ra["run_dir"]) / "replay")
    assert rc["hash_mismatches"] == 0 and rc["cycles"] >= ra["end_cycle"]
    bad = tmp_path / "replay"
    shutil.copytree(simspeed.Path(ra["run_dir"]) / "replay", bad)
    blob = bytearray((bad / "replay.bin").read_bytes())
    blob[-1] ^= 0xFF          # one source byte of the last buffer written
    (bad / "replay.bin").write_bytes(bytes(blob))
    with pytest.raises(RuntimeError, match="did not reproduce"):
        simspeed.run_replay(bad)


def test_smmu_microbenchmarks_smoke():
    r = hwperf.smmu(16, 20, ["iotlb_hit", "cold_miss", "hit_under_miss", "scaling"],
                    {"stream": 32, "pasids": [1, 8], "rounds": 1})
    h = r["iotlb_hit"]
    assert h["stream_internal_reads"] == 0, "warm hits must not read tables"
    assert all(s["mem"] >= 20 for v in h["single"].values() for s in v), \
        "memory round trip below READ_LATENCY"
    assert 0 <= h["added_cycles"] < h["added_cycles_utlb_miss"] < 20, \
        "a micro-TLB hit must be faster than the full lookup"
    c = r["cold_miss"]
    # STE + CD + one read per level: 5 for T0SZ=25 (3 levels), 6 for T0SZ=16 (4 levels)
    assert (c["3level"]["dependent_reads"], c["4level"]["dependent_reads"]) == (5, 6)
    assert c["4level"]["cycles"] >= c["4level"]["memory_cycles"] >= 6 * 20
    m = r["hit_under_miss"]
    assert m["walk_cycles"] >= 6 * 20 and m["stream_outlasts_walk"] and m["table_reads"] == 6
    assert m["cycles_to_data_read"] > m["walk_cycles"]
    pts = {p["pasids"]: p for p in r["scaling"]["points"]}
    assert pts[1]["walks"] == 0, "4 pages of one PASID fit a 16-entry IOTLB"
    # 32 pages round-robin thrash the 16 FIFO entries; the read channel's micro-TLB keeps up
    # to 4 pages that earlier IOTLB hits put there (walks do not fill it, so nothing here
    # evicts them), and those never walk
    t8 = pts[8]["translations"]
    assert t8 * (1 - 4 / 32) <= pts[8]["walks"] < t8, "32 pages round-robin thrash 16 FIFO entries"


def test_dma_efficiency_smoke():
    r = hwperf.dma(10, [256, 4096])["dma_efficiency"]
    rows = {x["bytes"]: x for x in r["rows"]}
    assert rows[4096]["cycles"] > rows[256]["cycles"] >= 256 // 8
    assert 0 < rows[256]["efficiency"] < rows[4096]["efficiency"] <= 1.0


def test_demo_workload_replays():
    """The driver-based workload (pasidsim.demo on the RTL) records and replays too."""
    ra = simspeed.run_bulk("a", nproc=2, size=16 << 10, desc=16 << 10, record=True,
                           workload="demo")
    assert ra["bytes"] > 2 * (16 << 10)
    rc = simspeed.run_replay(simspeed.Path(ra["run_dir"]) / "replay")
    assert rc["hash_mismatches"] == 0


def test_regression_helpers(tmp_path):
    """Worker memory sampling sees a child process tree; junit parsing reads wall time."""
    import os
    import subprocess
    import sys

    from tb.bench import regression as reg

    child = subprocess.Popen([sys.executable, "-c",
                              "import subprocess, sys; subprocess.run([sys.executable, '-c', "
                              "'import time; time.sleep(3)'])"])
    try:
        import time
        time.sleep(1.0)
        trees = reg._tree_rss(os.getpid(), reg._procs())
        assert child.pid in trees
        own = reg._procs()[child.pid][1]
        assert trees[child.pid] > own > 0, "a worker's figure includes its children"
    finally:
        child.wait(timeout=30)   # its own child sleeps 3 s and exits: nothing left behind
    j = tmp_path / "junit.xml"
    j.write_text('<testsuites><testsuite name="pytest" tests="7" failures="1" errors="0" '
                 'time="123.5"/></testsuites>')
    r = reg.from_junit(j)
    assert (r["wall_s"], r["tests"], r["failures"]) == (123.5, 7, 1)
    assert reg.from_junit(tmp_path / "missing.xml") is None
    # provenance: the commit of the checkout holding the file, and whether the file is
    # newer than that commit (tmp_path is in no checkout: the project's own is used)
    state = reg.git_state()
    assert r["commit"] == state["commit"]
    assert reg.provenance(r)["source"] == str(j) and "wall_s" not in reg.provenance(r)
    # auto: a fresh junit is used as it is; an old one would make it run the regression
    monkey = {}
    real_measure = reg.measure
    reg.measure = lambda jobs=2: monkey.setdefault("ran", {"wall_s": 1.0, "source": "m"})
    try:
        assert reg.obtain("junit", j)["wall_s"] == 123.5 and "ran" not in monkey
        if state["commit_time"] is None:    # an export without git: never fresh
            assert r["fresh"] is False and reg.obtain("auto", j)["source"] == "m"
        else:
            assert r["fresh"] == (os.path.getmtime(j) >= state["commit_time"])
            os.utime(j, (state["commit_time"] + 10,) * 2)
            assert reg.obtain("auto", j)["wall_s"] == 123.5 and "ran" not in monkey
            os.utime(j, (state["commit_time"] - 10,) * 2)
            assert reg.obtain("auto", j)["source"] == "m" and "ran" in monkey
        assert reg.obtain("skip", j) is None
        with pytest.raises(ValueError, match="mode 'sometimes'"):
            reg.obtain("sometimes", j)
    finally:
        reg.measure = real_measure


def test_results_provenance_is_replaced_per_key(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"fmax_mhz_system": 15.0,
                                "provenance": {"fmax_mhz_system": {"estimate": True},
                                               "regression_wall_s": {"source": "old"}}}))
    data = res.merge(path, [], {"regression_wall_s": 300.0}, [], ["reg"],
                     {"regression_wall_s": {"source": "junit", "commit": "abc"}})
    assert data["provenance"] == {"fmax_mhz_system": {"estimate": True},
                                  "regression_wall_s": {"source": "junit", "commit": "abc"}}
    data = res.merge(path, [], {}, [], ["reg"])         # not measured now: number and its
    assert "regression_wall_s" not in data               # provenance both gone
    assert data["provenance"] == {"fmax_mhz_system": {"estimate": True}}
    with pytest.raises(ValueError, match="provenance for 'sim_speed_ratio'"):
        res.merge(path, [], {}, [], ["sim"], {"sim_speed_ratio": {}})
    path.write_text("{broken")
    with pytest.raises(res.ResultsFileError, match="results.json"):
        res.merge(path, [], {}, [], ["reg"])
    assert path.read_text() == "{broken"


def test_failed_run_never_returns_a_previous_runs_numbers():
    """Outside pytest's own failure path a failing cocotb test does not raise and the run
    folder is reused: a stale bench.json must not be read as this run's result."""
    from tb.common import sim
    from tb.common.tops import sources
    top, _, _, bargs, params, vis = simspeed.CONFIGS["a"]
    d = sim._test_dir(sim.build(top, sources(top), params, waves=False, build_args=bargs,
                                visibility=vis))
    d.mkdir(parents=True, exist_ok=True)
    (d / "bench.json").write_text(json.dumps({"cycles": 1, "wall_s": 1, "cpu_s": 1}))
    # size not a multiple of the descriptor size: the cocotb test raises at once
    with pytest.raises((RuntimeError, AssertionError), match="bench.json|failed"):
        simspeed.run_bulk("a", nproc=1, size=12 << 10, desc=8 << 10)
    assert not (d / "bench.json").exists()


def _bench_writer(path, n):
    for i in range(n):
        res.merge(path, [], {"regression_wall_s": float(i)}, [], ["reg"],
                  {"regression_wall_s": {"source": f"w{i}"}})


def _synth_writer(path, n):
    from tb.bench import synth_report as rpt
    for i in range(n):
        rpt.merge_results(path, {}, {}, rpt.owned_keys(),
                          combine=lambda old, i=i: {**old, f"job{i}": {"top": "x", "luts": i}},
                          defaults={})


def test_results_writers_share_one_lock(tmp_path):
    """make bench and make synth writing at once: neither loses the other's keys, and
    make synth's records accumulate (combined with the file inside the lock)."""
    import multiprocessing as mp
    path = tmp_path / "results.json"
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_bench_writer, args=(path, 150)),
             ctx.Process(target=_synth_writer, args=(path, 150))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    data = json.loads(path.read_text())
    assert data["regression_wall_s"] == 149.0
    assert data["provenance"]["regression_wall_s"] == {"source": "w149"}
    assert sorted(data["synth"]) == sorted(f"job{i}" for i in range(150))
    assert not list(tmp_path.glob(".*.tmp"))


def _fake_dma(lat, sizes, cfg=None):
    rows = [{"bytes": n, "cycles": n // 8 + lat * 10, "ideal_cycles": n // 8,
             "efficiency": (n // 8) / (n // 8 + lat * 10)} for n in sizes]
    return {"dma_efficiency": {"read_latency": lat, "rows": rows}}


def test_failing_measurement_keeps_the_others(tmp_path, monkeypatch):
    """Each part is merged when it is done and a failing measurement loses only itself:
    the SMMU runs fail here, the DMA numbers still land, the SMMU's old numbers go (never
    reported as this run's) and the run exits 1. No simulator involved."""
    from tb.bench import run
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"iotlb_hit_added_cycles": 7, "sim_speed_ratio": 0.4,
                               "fmax_mhz_system": 20.0}))

    def smmu_fails(*a, **k):
        raise RuntimeError("Verilator build failed\n%Error: x.sv:1: boom")
    monkeypatch.setattr(hwperf, "smmu", smmu_fails)
    monkeypatch.setattr(hwperf, "dma", _fake_dma)
    rc = run.main(["--part", "hw", "--regression", "skip", "--out", str(out),
                   "--dma-latency", "10,50", "--dma-sizes", "64K,1M"])
    assert rc == 1
    data = json.loads(out.read_text())
    assert "iotlb_hit_added_cycles" not in data, "a failed measurement's old number stays"
    assert data["sim_speed_ratio"] == 0.4 and data["fmax_mhz_system"] == 20.0
    assert data["dma_efficiency_64k"] == pytest.approx(min(
        r["efficiency"] for lat in (10, 50) for r in _fake_dma(lat, [65536])
        ["dma_efficiency"]["rows"]))
    failed = [r for r in data["bench"] if str(r.get("notes", "")).startswith("FAILED")]
    assert [r["name"] for r in failed] == ["SMMU microbenchmarks"]
    assert "%Error: x.sv:1: boom" in failed[0]["notes"]
    table = (tmp_path / "readme_table.md").read_text()
    assert "| DMA efficiency, 64 KiB copy, memory latency 10 / 50 |" in table
    assert "IOTLB" not in table.split("Where")[0]


def test_readme_table_has_every_row(tmp_path):
    """readme_table.md: one row per README measure, each value from results.json."""
    data = {"sim_speed_ratio": 0.57, "hit_under_miss_ratio": 0.955,
            "regression_wall_s": 343.2, "luts_system": 36055, "fmax_mhz_system": 17.48,
            "provenance": {"sim_speed_ratio": {"wall_clock_ratio": 0.56},
                           "regression_wall_s": {"cold_builds": True, "tests": 292,
                                                 "failures": 0},
                           "fmax_mhz_system": {"estimate": True}},
            "bench": [
                {"key": "dma_copy", "bytes": 65536, "read_latency": 10, "value": 0.963},
                {"key": "dma_copy", "bytes": 65536, "read_latency": 50, "value": 0.954},
                {"key": "dma_copy", "bytes": 1 << 20, "read_latency": 10, "value": 0.983},
                {"key": "dma_copy", "bytes": 1 << 20, "read_latency": 50, "value": 0.982},
                {"key": "iotlb_hit_added", "value": 1}, {"key": "iotlb_hit_rate", "value": 1.0},
                {"key": "cold_miss_4level", "value": 146, "memory_cycles": 128,
                 "dependent_reads": 6, "read_latency": 20, "overhead_per_read": 3.0}],
            "bench_targets": [res.target("DMA efficiency 65536 B, latency 10", 0.963, 0.95,
                                         "higher"),
                              res.target("DMA efficiency 65536 B, latency 50", 0.94, 0.95,
                                         "higher", "slow"),
                              res.target("cold miss 4level: x", 3.0, 2.0, "lower", "w")]}
    t = res.readme_table(data)
    for row in ["| 0.57 (wall clock 0.56) | ≥ 0.5: not measured |",
                "| DMA efficiency, 64 KiB copy, memory latency 10 / 50 | 0.963 / 0.954 "
                "(1 MiB: 0.983 / 0.982) | ≥ 0.95: missed by 0.01 |",
                "| 1 cycle, 1 translation/cycle |",
                "| 146 cycles: 128 in memory (6 dependent reads, latency 20) + 3.0 SMMU "
                "cycles/read | ≤ 2 cycles/read: missed by 1 |",
                "| 0.955 |", "fresh clone, 2 cores) | 343 s (292 tests, 0 failed) |",
                "| 36.1k LUTs, ~17.5 MHz (placement estimate) | ≥ 100 MHz: missed by 82.5 MHz |"]:
        assert row in t, row
    # with the micro-TLB measurement: both latencies and both verdicts
    data["bench"].append({"key": "iotlb_hit_added_utlb_miss", "value": 2})
    data["bench_targets"] += [res.target("IOTLB hit added latency", 1, 1, "lower"),
                              res.target("IOTLB hit throughput", 1.0, 1.0, "higher"),
                              res.target("micro-TLB miss: IOTLB hit added latency", 2, 1,
                                         "lower", "design")]
    t = res.readme_table(data)
    row = ("| 1 cycle, 1 translation/cycle (micro-TLB hit; an IOTLB hit behind a micro-TLB "
           "miss: 2 cycles) | ≤ 1 cycle, 1/cycle: met; behind a micro-TLB miss: missed by 1")
    assert row in t, t


def test_regression_clone_runs_the_clones_code(tmp_path):
    """--regression clone: pytest runs in a fresh clone of the repository (its own files,
    cold), and the clone is gone afterwards. A two-file repository stands in for ours."""
    import subprocess

    from tb.bench import regression as reg
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_where.py").write_text(
        "import os\n\ndef test_where():\n"
        "    assert 'pasidsim-bench-clone.' in os.path.abspath(__file__)\n")
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "t"], check=True)
    got = reg.measure_clone(jobs=1, root=repo, args=["-p", "no:cacheprovider"],
                            junit=tmp_path / "j.xml")
    assert (got["tests"], got["failures"], got["returncode"]) == (1, 0, 0)
    assert got["cold_builds"] and got["commit"] and got["dirty"] is False
    where = Path(got["checkout"].split(" in ")[1].split(" ")[0])
    assert where.name == "repo" and not where.parent.exists(), "the clone is deleted"
    with pytest.raises(RuntimeError, match="git clone"):
        reg.measure_clone(jobs=1, root=tmp_path / "not-a-repo", junit=tmp_path / "k.xml")



@pytest.mark.long   # a --timing build of the system: minutes
def test_hdl_clock_run_is_protocol_clean():
    """(a2), the clock made in HDL: the AXI checkers bound to system_top's AXI-Lite port see
    every write and read of the set-up and the interrupt acknowledges; with the testbench
    sampling post-edge outputs they stopped the run at the first write (PAYLOAD_STABLE)."""
    r = simspeed.run_bulk("a2", nproc=2, size=16 << 10, desc=8 << 10)
    assert r["bytes"] == 32 << 10 and r["cycles"] > (16 << 10) // 8
    log = (Path(r["run_dir"]) / "sim.log").read_text(errors="replace")
    assert "AXI checker" not in log
    # the testbench acts at the same rising edges as with a cocotb Clock: same cycle count
    ra = simspeed.run_bulk("a", nproc=2, size=16 << 10, desc=8 << 10)
    assert abs(r["cycles"] - ra["cycles"]) <= 1, (r["cycles"], ra["cycles"])


def test_headline_lands_before_the_slow_comparisons(tmp_path, monkeypatch):
    """Part 1 writes sim_speed_ratio as soon as (a) and (c) are measured: a run cut short
    in a later configuration (here: interrupted in (a-all)) keeps it. No simulator."""
    from tb.bench import run

    class Cut(BaseException):
        pass

    def bulk(key, *a, **k):
        if key != "a":
            raise Cut()
        return {"config": "a", "cycles": 1000, "wall_s": 2.0, "cpu_s": 1.0, "bytes": 8,
                "run_dir": str(tmp_path)}
    monkeypatch.setattr(simspeed, "run_bulk", bulk)
    monkeypatch.setattr(simspeed, "run_replay", lambda d, public=False: {
        "config": "c", "cycles": 1000, "wall_s": 1.0, "cpu_s": 0.5})
    out = tmp_path / "results.json"
    with pytest.raises(Cut):
        run.main(["--part", "sim", "--regression", "skip", "--out", str(out)])
    data = json.loads(out.read_text())
    assert data["sim_speed_ratio"] == pytest.approx(0.5)
    assert data["provenance"]["sim_speed_ratio"]["wall_clock_ratio"] == 0.5
    assert {r["name"] for r in data["bench"]} >= {
        "(a) DPI RAM, cocotb Clock, ports visible [regression]",
        "(c) same model, C++ harness, no VPI", "sim speed ratio (a)/(c), wall clock"}
