"""Fast unit tests of the `make synth` report handling (no Yosys or nextpnr run): parsing
of nextpnr reports (sample files in tb/bench/data/), results.json merging, job planning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tb.bench import synth, synth_report as rpt

DATA = Path(__file__).parent / "data"
MET = DATA / "nextpnr_report_met.json"
MISSED = DATA / "nextpnr_report_missed.json"


def _raw(path: Path) -> dict:
    return json.loads(path.read_text())


# ---------------------------------------------------------------- report parsing
def test_record_met_takes_area_and_fmax_from_report():
    raw = _raw(MET)
    rec = rpt.record_from_report(rpt.load_report(MET), "smmu_top", {"IOTLB_ENTRIES": 16}, 100.0)
    util = raw["utilization"]
    assert rec["luts"] == util["TRELLIS_COMB"]["used"]
    assert rec["luts_available"] == util["TRELLIS_COMB"]["available"]
    assert rec["ffs"] == util["TRELLIS_FF"]["used"]
    assert rec["brams"] == util["DP16KD"]["used"]
    assert rec["dsps"] == util["MULT18X18D"]["used"]
    assert rec["fmax_mhz"] == pytest.approx(raw["fmax"]["clk"]["achieved"], abs=0.01)
    assert rec["met"] is True and "shortfall_mhz" not in rec
    assert rec["params"] == {"IOTLB_ENTRIES": 16} and rec["top"] == "smmu_top"


def test_record_target_above_fmax_is_missed_by_the_difference():
    achieved = _raw(MET)["fmax"]["clk"]["achieved"]
    target = achieved + 10.0
    rec = rpt.record_from_report(rpt.load_report(MET), "dma_top", {"NQ": 4}, target)
    assert rec["met"] is False
    assert rec["shortfall_mhz"] == pytest.approx(10.0, abs=0.01)
    assert rec["shortfall_pct"] == pytest.approx(100 * 10.0 / target, abs=0.1)


def test_slowest_clock_and_its_path_are_reported():
    raw = _raw(MISSED)
    rec = rpt.record_from_report(raw, "system_top", {}, 100.0)
    slowest = min(raw["fmax"], key=lambda c: raw["fmax"][c]["achieved"])
    assert rec["clock"] == slowest
    assert rec["fmax_mhz"] == pytest.approx(raw["fmax"][slowest]["achieved"], abs=0.01)
    cp = rec["critical_path"]
    worst = raw["critical_paths"][1]["path"]  # the longer of the two sample paths
    assert cp["delay_ns"] == pytest.approx(sum(s["delay"] for s in worst), abs=1e-3)
    assert cp["routing_ns"] == pytest.approx(
        sum(s["delay"] for s in worst if s["type"] == "routing"), abs=1e-3)
    assert cp["logic_ns"] + cp["routing_ns"] == pytest.approx(cp["delay_ns"], abs=2e-3)
    assert cp["logic_levels"] == sum(1 for s in worst if s["type"] == "logic")
    assert (cp["from"], cp["to"]) == ("c_ff", worst[-1]["to"]["cell"])  # mapping suffix cut
    assert cp["nets"] == ["u_arb.c"]    # each RTL signal once, in path order
    assert cp["sources"] == ["rtl/y/y.sv:9.3"]  # Yosys library files dropped


def test_critical_path_nets_and_sources_in_path_order():
    cp = rpt.critical_path(_raw(MET))
    assert cp["nets"] == ["ra[14]", "prod"]
    assert cp["sources"] == ["rtl/x/tiny.sv:2.17", "rtl/x/tiny.sv:6.25"]
    assert rpt.critical_path({"critical_paths": []}) is None


@pytest.mark.parametrize("mutate, needle", [
    (lambda r: r.pop("utilization"), "utilization"),
    (lambda r: r["utilization"].pop("DP16KD"), "DP16KD"),
    (lambda r: r["utilization"]["TRELLIS_FF"].pop("used"), "TRELLIS_FF"),
    (lambda r: r.__setitem__("fmax", {}), "fmax"),
    (lambda r: r.__setitem__("fmax", {"clk": {"constraint": 100}}), "achieved"),
])
def test_incomplete_report_raises_naming_file_and_field(mutate, needle):
    raw = _raw(MET)
    mutate(raw)
    with pytest.raises(rpt.ReportError) as exc:
        rpt.record_from_report(raw, "smmu_top", {}, 100.0, path="some/report.json")
    assert "some/report.json" in str(exc.value) and needle in str(exc.value)


@pytest.mark.parametrize("net, signal", [
    ("g_eng[0].u_eng.u_ctrl.cw_aw_done_LUT4_B_D_LUT4_Z_D_CCU2C_COUT_A0", "g_eng[0].u_eng.u_ctrl.cw_aw_done"),
    ("u_mux.u_ar_arb.last[0]", "u_mux.u_ar_arb.last[0]"),
    ("m_axi_aruser_TRELLIS_FF_Q_9", "m_axi_aruser"),
    ("x_LUT4_Z$CCU2_FCI_INT", "x"),
    ("$abc$123$auto", ""),
    ("lut4_count", "lut4_count"),                 # only Yosys's own suffixes are cut
])
def test_rtl_signal_strips_mapping_suffixes(net, signal):
    assert rpt.rtl_signal(net) == signal


def test_rtl_source_keeps_design_files_only():
    assert rpt.rtl_source("work/main/rtl/dma/dma_rr_arb.sv:22.19-22.39") == \
        "rtl/dma/dma_rr_arb.sv:22.19-22.39"
    assert rpt.rtl_source("/share/techmap.v:339.28-339.64") is None
    assert rpt.rtl_source("elsewhere.v:1.1") is None


def test_load_report_rejects_non_json(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text("Info: not json")
    with pytest.raises(rpt.ReportError, match="r.json"):
        rpt.load_report(bad)
    with pytest.raises(rpt.ReportError, match="missing.json"):
        rpt.load_report(tmp_path / "missing.json")


# ---------------------------------------------------------------- keys, headline, table
def test_job_key_is_independent_of_parameter_order():
    assert rpt.job_key("system_top", {"NQ": 4, "IOTLB_ENTRIES": 16}) == \
        rpt.job_key("system_top", {"IOTLB_ENTRIES": 16, "NQ": 4}) == \
        "system_top-IOTLB_ENTRIES_16-NQ_4"
    assert rpt.job_key("x", {}) == "x-default"


def _rec(top, params, fmax, luts, target=100.0):
    raw = _raw(MET)
    raw["fmax"]["clk"]["achieved"] = fmax
    raw["utilization"]["TRELLIS_COMB"]["used"] = luts
    return rpt.record_from_report(raw, top, params, target)


DEFAULTS = {"smmu_top": {"IOTLB_ENTRIES": 16}, "dma_top": {"NQ": 4},
            "system_top": {"IOTLB_ENTRIES": 16, "NQ": 4}}


def test_headline_uses_default_parameter_records_only():
    recs = [_rec("smmu_top", {"IOTLB_ENTRIES": 8}, 150.0, 100),
            _rec("smmu_top", {"IOTLB_ENTRIES": 16}, 120.0, 200),
            _rec("dma_top", {"NQ": 4}, 90.0, 300),
            {"top": "system_top", "params": DEFAULTS["system_top"], "error": "nextpnr: exit 1"}]
    head = rpt.headline(recs, DEFAULTS)
    assert head == {"fmax_mhz_smmu": 120.0, "luts_smmu": 200,
                    "fmax_mhz_dma": 90.0, "luts_dma": 300}


def test_table_marks_defaults_misses_and_failures():
    recs = [_rec("dma_top", {"NQ": 4}, 90.0, 300),
            _rec("dma_top", {"NQ": 8}, 120.0, 500),
            {"top": "system_top", "params": DEFAULTS["system_top"], "error": "yosys: exit 1\nmore"}]
    lines = rpt.table_md(recs, DEFAULTS).splitlines()
    nq4 = next(line for line in lines if "NQ=4" in line)
    nq8 = next(line for line in lines if "NQ=8" in line)
    sys_ = next(line for line in lines if line.startswith("| system_top"))
    assert "*" in nq4 and "missed by 10.0 MHz" in nq4
    assert "*" not in nq8 and "met" in nq8
    assert "failed: yosys: exit 1" in sys_ and "more" not in sys_
    err = {"top": "smmu_top", "params": DEFAULTS["smmu_top"],
           "error": "k: yosys: exit 1; last lines:\nx.sv:4: ERROR: used before declaration\nmore"}
    line = next(x for x in rpt.table_md([err], DEFAULTS).splitlines() if x.startswith("| smmu"))
    assert "failed: x.sv:4: ERROR: used before declaration" in line


# ---------------------------------------------------------------- results.json merge
def test_merge_keeps_other_benchmarks_keys_and_replaces_ours(tmp_path):
    res = tmp_path / "bench" / "results.json"
    res.parent.mkdir()
    res.write_text(json.dumps({"iotlb_hit_rate": 0.9, "fmax_mhz_dma": 1.0, "luts_dma": 2,
                               "synth": {"old": {}}}))
    out = rpt.merge_results(res, {"k": {"luts": 5}}, {"fmax_mhz_smmu": 120.0, "luts_smmu": 7},
                            rpt.owned_keys())
    on_disk = json.loads(res.read_text())
    assert on_disk == out
    assert on_disk["iotlb_hit_rate"] == 0.9           # someone else's key survives
    assert on_disk["synth"] == {"k": {"luts": 5}}
    assert on_disk["fmax_mhz_smmu"] == 120.0 and on_disk["luts_smmu"] == 7
    assert "fmax_mhz_dma" not in on_disk and "luts_dma" not in on_disk  # stale: not measured now
    assert not list(res.parent.glob(".*.tmp"))


def test_merge_creates_file_and_refuses_corrupt_one(tmp_path):
    res = tmp_path / "results.json"
    rpt.merge_results(res, {}, {}, rpt.owned_keys())
    assert json.loads(res.read_text()) == {"synth": {}}
    res.write_text("{broken")
    with pytest.raises(rpt.ReportError, match="results.json"):
        rpt.merge_results(res, {"k": {}}, {"luts_smmu": 1}, rpt.owned_keys())
    assert res.read_text() == "{broken"                # left as it was


def test_collect_drops_records_of_changed_rtl(tmp_path, monkeypatch):
    res = tmp_path / "results.json"
    monkeypatch.setattr(synth, "RESULTS", res)
    current = synth.sources_digest("dma_top")
    res.write_text(json.dumps({"synth": {
        "dma_top-NQ_2": {"top": "dma_top", "params": {"NQ": 2}, "rtl": current, "luts": 1},
        "dma_top-NQ_8": {"top": "dma_top", "params": {"NQ": 8}, "rtl": "0" * 16, "luts": 1},
        "dma_top-NQ_1": {"top": "dma_top", "params": {"NQ": 1}, "rtl": current, "error": "x"},
    }}))
    new = {"dma_top-NQ_4": {"top": "dma_top", "params": {"NQ": 4}, "rtl": current}}
    assert sorted(synth.collect(new)) == ["dma_top-NQ_2", "dma_top-NQ_4"]


# ---------------------------------------------------------------- job planning
def test_jobs_defaults_come_from_rtl_and_sweep_brackets_them():
    d = synth.defaults()
    plan0 = synth.jobs(["smmu_top", "dma_top", "system_top"], 0)
    assert plan0 == [("smmu_top", d["smmu_top"]), ("dma_top", d["dma_top"]),
                     ("system_top", d["system_top"])]
    plan1 = synth.jobs(["smmu_top", "dma_top", "system_top"], 1)
    assert plan1[:3] == plan0                           # headline numbers first
    swept = {(t, tuple(p.items())) for t, p in plan1[3:]}
    n, e = d["dma_top"]["NQ"], d["smmu_top"]["IOTLB_ENTRIES"]
    assert swept == {("smmu_top", (("IOTLB_ENTRIES", e // 2),)),
                     ("smmu_top", (("IOTLB_ENTRIES", e * 2),)),
                     ("dma_top", (("NQ", n // 2),)), ("dma_top", (("NQ", n * 2),))}
    with pytest.raises(synth.FlowError, match="sweep"):
        synth.jobs(["dma_top"], 7)


def test_sweep_respects_parameter_limits():
    lo, hi = synth.LIMITS["NQ"]
    for _, p in synth.jobs(["dma_top"], 2):
        assert lo <= p["NQ"] <= hi


def test_rtl_default_reads_the_top_file(tmp_path, monkeypatch):
    (tmp_path / "dma").mkdir()
    (tmp_path / "dma" / "dma_top.sv").write_text("module dma_top #(\n  parameter int NQ = 6\n);")
    monkeypatch.setattr(synth, "RTL", tmp_path)
    assert synth.rtl_default("dma_top", "NQ") == 6
    with pytest.raises(synth.FlowError, match="IOTLB_ENTRIES"):
        synth.rtl_default("dma_top", "IOTLB_ENTRIES")


def test_tool_commands_carry_parameters_and_ooc_target(tmp_path, monkeypatch):
    # the YoWASP tools are the synth extra: `make test` runs without them
    monkeypatch.setattr(synth, "_tool", lambda name: name)
    ys = synth.yosys_script("smmu_top", {"IOTLB_ENTRIES": 32}, [Path("/r/a.sv")],
                            tmp_path / "n.json")
    assert "read_slang" in ys and "-G IOTLB_ENTRIES=32" in ys and "-D SYNTHESIS" in ys
    assert f"-json {tmp_path / 'n.json'}" in ys and "/r/a.sv" in ys
    cmd = synth.nextpnr_cmd(tmp_path / "n.json", tmp_path / "r.json", tmp_path / "l", 125.0, 3)
    assert cmd[cmd.index("--freq") + 1] == "125"
    assert "--out-of-context" in cmd and "--85k" in cmd
    assert cmd[cmd.index("--seed") + 1] == "3"


# ---------------------------------------------------------------- plot
def test_plot_series_and_png(tmp_path):
    plot = pytest.importorskip("tb.bench.synth_plot")
    recs = [_rec("dma_top", {"NQ": 8}, 110.0, 500), _rec("dma_top", {"NQ": 2}, 130.0, 200),
            {"top": "dma_top", "params": {"NQ": 16}, "error": "x"},
            _rec("system_top", DEFAULTS["system_top"], 90.0, 900)]
    pts = plot.series(recs, "dma_top", "NQ")
    assert [x for x, _ in pts] == [2, 8]
    out = plot.plot(recs, DEFAULTS, 100.0, tmp_path / "p.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- place-only estimates
def test_placement_estimate_is_headline_only_without_a_routed_run_and_labelled():
    placed = _rec("smmu_top", DEFAULTS["smmu_top"], 40.0, 900)
    placed.update(routed=False, commit="abc", date="2026-11-24T05:00:00Z")
    routed_dma = _rec("dma_top", DEFAULTS["dma_top"], 33.0, 300)
    head, prov = rpt.headline_with_provenance([placed, routed_dma], DEFAULTS)
    assert head == {"fmax_mhz_dma": 33.0, "luts_dma": 300, "fmax_mhz_smmu": 40.0, "luts_smmu": 900}
    assert prov["fmax_mhz_smmu"]["estimate"] is True and "--no-route" in prov["fmax_mhz_smmu"]["method"]
    assert prov["fmax_mhz_smmu"]["commit"] == "abc" and prov["fmax_mhz_smmu"]["routed"] is False
    assert prov["luts_smmu"]["estimate"] is False      # area is final after placement
    assert prov["fmax_mhz_dma"]["estimate"] is False and prov["fmax_mhz_dma"]["routed"] is True
    # a routed run of the same top wins over the estimate, whatever the order
    routed_smmu = _rec("smmu_top", DEFAULTS["smmu_top"], 20.0, 800)
    for recs in ([placed, routed_smmu], [routed_smmu, placed]):
        h, pv = rpt.headline_with_provenance(recs, DEFAULTS)
        assert h["fmax_mhz_smmu"] == 20.0 and pv["fmax_mhz_smmu"]["estimate"] is False
    line = next(x for x in rpt.table_md([placed], DEFAULTS).splitlines()
                if x.startswith("| smmu_top"))
    assert "estimate" in line
    plot = pytest.importorskip("tb.bench.synth_plot")
    assert plot.series([placed], "smmu_top", "IOTLB_ENTRIES") == []


def test_merge_with_combine_keeps_records_on_disk_and_provenance_of_others(tmp_path):
    res_file = tmp_path / "results.json"
    other = _rec("dma_top", DEFAULTS["dma_top"], 33.0, 300)
    res_file.write_text(json.dumps({
        "synth": {"dma_top-NQ_4": other}, "sim_speed_ratio": 0.5,
        "provenance": {"regression_wall_s": {"source": "junit"},
                       "fmax_mhz_smmu": {"source": "stale"}}}))
    placed = _rec("system_top", DEFAULTS["system_top"], 15.0, 40000)
    placed["routed"] = False
    out = rpt.merge_results(res_file, {}, {}, rpt.owned_keys(),
                            combine=lambda old: {**old, "system_top-x-placed": placed},
                            defaults=DEFAULTS)
    assert json.loads(res_file.read_text()) == out
    assert set(out["synth"]) == {"dma_top-NQ_4", "system_top-x-placed"}
    assert out["fmax_mhz_dma"] == 33.0 and out["fmax_mhz_system"] == 15.0
    assert out["luts_system"] == 40000 and out["sim_speed_ratio"] == 0.5
    assert out["provenance"]["regression_wall_s"] == {"source": "junit"}   # not ours: kept
    assert "fmax_mhz_smmu" not in out["provenance"]                        # ours, stale: gone
    assert out["provenance"]["fmax_mhz_system"]["estimate"] is True


def test_place_only_adds_no_route(tmp_path, monkeypatch):
    # the tools are the `synth` extra: the regression must not need them installed
    monkeypatch.setattr(synth, "_tool", lambda name: name)
    args = (tmp_path / "n.json", tmp_path / "r.json", tmp_path / "l", 100.0, 1)
    assert "--no-route" not in synth.nextpnr_cmd(*args)
    assert "--no-route" in synth.nextpnr_cmd(*args, place_only=True)


def test_placer_per_top(tmp_path, monkeypatch):
    # smmu_top and system_top only route with the static placer (docs/synthesis.md);
    # a per-top exception reaches the command
    monkeypatch.setattr(synth, "_tool", lambda name: name)
    assert {synth.placer(t) for t in ("smmu_top", "dma_top", "system_top")} == {"static"}
    args = (tmp_path / "n.json", tmp_path / "r.json", tmp_path / "l", 100.0, 1)
    cmd = synth.nextpnr_cmd(*args)
    assert cmd[cmd.index("--placer") + 1] == "static"
    monkeypatch.setitem(synth.PLACER, "dma_top", "heap")
    cmd = synth.nextpnr_cmd(*args, placer_name=synth.placer("dma_top"))
    assert cmd[cmd.index("--placer") + 1] == "heap"
    assert synth.placer("smmu_top") == "static"


# ---------------------------------------------------------------- tool failures
def test_failing_tool_raises_with_its_last_lines(tmp_path):
    import sys
    cmd = [sys.executable, "-c", "print('line1'); print('ERROR: bad thing'); raise SystemExit(3)"]
    with pytest.raises(synth.FlowError) as exc:
        synth._run(cmd, tmp_path, tmp_path / "out.txt", 60, "job: yosys")
    assert "job: yosys: exit 3" in str(exc.value) and "ERROR: bad thing" in str(exc.value)


def test_hung_tool_is_stopped_by_the_timeout(tmp_path):
    import sys
    cmd = [sys.executable, "-c", "import time; time.sleep(30)"]
    with pytest.raises(synth.FlowError, match="no result after 1 s"):
        synth._run(cmd, tmp_path, tmp_path / "out.txt", 1, "job: nextpnr")


def test_fmax_from_log_takes_the_last_estimate_per_clock():
    log = ("Info: Max frequency for clock 'clk': 25.00 MHz (FAIL at 100.00 MHz)\n"
           "Info: Max frequency for clock 'clk': 18.70 MHz (FAIL at 100.00 MHz)\n"
           "Info: Max frequency for clock 'clk2': 150.5 MHz (PASS at 100.00 MHz)\n")
    assert rpt.fmax_from_log(log) == {"clk": {"achieved": 18.7}, "clk2": {"achieved": 150.5}}
    assert rpt.fmax_from_log("Info: nothing") == {}
