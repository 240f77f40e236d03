"""Functional coverage model and `make coverage` report (tb/common/fcov.py,
tb/common/coverage_report.py), on hand-made traces: no simulator, runs in about a second."""

import json

import pytest

from pasidsim import trace as T
from tb.common import coverage_report, fcov


def xl(t, fault=None, rnw=1, hit=False, depth=4):
    return T.xlate(t, sid=1, ssid=2, ssv=1, va=0x1000, rnw=rnw,
                   pa=None if fault else 0x8000, fault=fault, hit=hit, walk_depth=depth)


def cmd(t, name, index, **fields):
    op = {v: k for k, v in fcov.S.CMD_NAMES.items()}[name]
    return {"kind": "cmd", "t": t, "opcode": op, "name": name, "fields": fields, "index": index}


def hits(counts):
    return {(n, b): c for n, bins in counts.items() for b, c in bins.items() if c}


def test_sample_hits_exactly_the_bins_of_the_records():
    recs = [xl(1, "F_PERMISSION", rnw=0), xl(2, hit=True, depth=0),
            cmd(3, "SYNC", 5, cs=1, msiaddr=0x40), cmd(4, "RESUME", 6, resp=2),
            {"kind": "completion", "t": 5, "queue": 0, "status": "PAGE_FAULT"}]
    got = hits(fcov.sample(recs))
    assert got == {
        ("smmu.xlate.outcome", "F_PERMISSION"): 1, ("smmu.xlate.outcome", "translated"): 1,
        ("smmu.xlate.access", "write"): 1, ("smmu.xlate.access", "read"): 1,
        ("smmu.xlate.tlb", "miss"): 1, ("smmu.xlate.tlb", "hit"): 1,
        ("smmu.xlate.walk_depth", "4"): 1, ("smmu.xlate.walk_depth", "0"): 1,
        ("smmu.xlate.fault_x_access", "F_PERMISSION x write"): 1,
        ("smmu.xlate.fault_x_access", "translated x read"): 1,
        ("smmu.xlate.tlb_x_depth", "miss x 4"): 1, ("smmu.xlate.tlb_x_depth", "hit x 0"): 1,
        ("smmu.cmd.opcode", "SYNC"): 1, ("smmu.cmd.opcode", "RESUME"): 1,
        ("smmu.cmd.sync_cs", "irq+msi"): 1, ("smmu.stall.resume", "abort"): 1,
        ("dma.completion.status", "PAGE_FAULT"): 1,
    }
    # a second call counts only its own records (per-test files)
    assert hits(fcov.sample([cmd(1, "SYNC", 0, cs=0)])) == {
        ("smmu.cmd.opcode", "SYNC"): 1, ("smmu.cmd.sync_cs", "none"): 1}


def test_hit_with_walk_reads_is_no_bin():
    bins = fcov.empty()["smmu.xlate.tlb_x_depth"]
    assert "hit x 0" in bins and "miss x 3" in bins and "hit x 3" not in bins
    assert len(bins) == 1 + len(fcov.WALK_DEPTH)


def test_queue_wrap_is_an_index_going_down():
    assert not hits(fcov.sample([cmd(1, "SYNC", 3, cs=0), cmd(2, "SYNC", 4, cs=0)])).get(
        ("queues.wrap", "cmdq"))
    assert hits(fcov.sample([cmd(1, "SYNC", 255, cs=0), cmd(2, "SYNC", 0, cs=0)]))[
        ("queues.wrap", "cmdq")] == 1


def _run_dir(root, build, test, recs):
    d = root / "smmu_top" / build / "runs" / test
    d.mkdir(parents=True)
    T.write_jsonl(recs, d / "trace.jsonl")
    return d


def test_runs_merge_and_report(tmp_path, capsys):
    """Two runs (e.g. two xdist workers) add up; the report lists unreached bins, writes JSON,
    and merges Verilator coverage.dat points of the same line across runs."""
    a = _run_dir(tmp_path, "default-cov", "t_a", [xl(1, "F_TRANSLATION"), cmd(2, "SYNC", 1)])
    b = _run_dir(tmp_path, "default-cov", "t_b", [xl(1, "F_TRANSLATION"), xl(2, rnw=0)])
    key = "\x01f\x02{f}\x01l\x0210\x01page\x02v_line/smmu_top\x01o\x02x"
    src = str(coverage_report.ROOT / "rtl" / "smmu" / "smmu_top.sv")
    (a / "coverage.dat").write_text(f"C '{key.format(f=src)}' 0\n")
    (b / "coverage.dat").write_text(f"C '{key.format(f=src)}' 3\n")
    out = tmp_path / "coverage"
    assert coverage_report.main(tmp_path, out) == 0
    assert (a / fcov.FCOV_FILE).exists() and (b / fcov.FCOV_FILE).exists()
    summary = json.loads((out / "summary.json").read_text())
    fx = summary["functional"]["smmu.xlate.fault_x_access"]
    assert fx["counts"]["F_TRANSLATION x read"] == 2 and fx["counts"]["translated x write"] == 1
    assert fx["hit"] == 2 and fx["total"] == 2 * len(fcov.OUTCOMES)
    assert "F_PERMISSION x write" in fx["unreached"]
    assert summary["rtl"]["rtl/smmu/smmu_top.sv:line"] == {"hit": 1, "total": 1}
    assert set(summary["not_sampled"]) == set(fcov.UNSAMPLED)
    text = capsys.readouterr().out
    assert "smmu.xlate.fault_x_access" in text and "unreached smmu.cmd.opcode:" in text


def test_report_without_data_says_how_to_get_it(tmp_path, capsys):
    assert coverage_report.main(tmp_path, tmp_path / "coverage") == 1
    assert "make coverage" in capsys.readouterr().out


def test_bad_trace_record_is_rejected_naming_it(tmp_path):
    d = tmp_path / "x" / "y-cov" / "runs" / "t"
    d.mkdir(parents=True)
    (d / "trace.jsonl").write_text('{"kind": "xlate", "t": 1}\n')
    with pytest.raises(T.TraceError, match="missing field"):
        fcov.sample_run(d)
    assert not (d / fcov.FCOV_FILE).exists()


def test_report_skips_a_broken_trace_and_names_it(tmp_path, capsys):
    _run_dir(tmp_path, "default-cov", "good", [xl(1, "F_ACCESS")])
    bad = tmp_path / "smmu_top" / "default-cov" / "runs" / "bad"
    bad.mkdir(parents=True)
    (bad / "trace.jsonl").write_text('{"kind": "xlate", "t": 1, "sid\n')
    assert coverage_report.main(tmp_path, tmp_path / "coverage") == 0
    out = capsys.readouterr().out
    assert f"skipped the trace of {bad}" in out
    summary = json.loads((tmp_path / "coverage" / "summary.json").read_text())
    assert summary["functional"]["smmu.xlate.outcome"]["counts"]["F_ACCESS"] == 1
    assert summary["runs"]["traces"] == 1


def test_trace_fields_of_page_s1dss_stall_and_cerror_are_sampled():
    """page / s1dss (xlate), stall (event), error (cmd): each hits its own bin; an erroring
    command is no executed opcode; an event without the Stall field (older traces) or of a
    fault that cannot stall hits nothing."""
    x = T.xlate(1, sid=1, ssid=0, ssv=0, va=0x1000, rnw=1, pa=0x8000, hit=False,
                walk_depth=3, page="2M", s1dss="ssid0")

    def ev(t, name, **kw):
        return {"kind": "event", "t": t, "event_id": {v: k for k, v in fcov.S.EVENT_NAMES.items()}[name], "name": name,
                "sid": 1, "ssid": 0, "ssv": 0, "addr": 0x1000, "rnw": 1, **kw}
    recs = [x, ev(2, "F_PERMISSION", stall=1, stag=3), ev(3, "F_TRANSLATION", stall=0),
            ev(4, "C_BAD_STE", stall=0), ev(5, "F_ACCESS"),
            dict(cmd(6, "SYNC", 7), error="ILL", fields={}), dict(cmd(7, "SYNC", 8), error="ABT")]
    got = {k: c for k, c in hits(fcov.sample(recs)).items()
           if k[0] in ("smmu.xlate.page_size", "smmu.xlate.s1dss", "smmu.stall.fault",
                       "smmu.cmd.error", "smmu.cmd.opcode")}
    assert got == {("smmu.xlate.page_size", "2M"): 1, ("smmu.xlate.s1dss", "ssid0"): 1,
                   ("smmu.stall.fault", "F_PERMISSION stalled"): 1,
                   ("smmu.stall.fault", "F_TRANSLATION terminated"): 1,
                   ("smmu.cmd.error", "ILL"): 1, ("smmu.cmd.error", "ABT"): 1}
    assert "smmu.xlate.page_size (4K/2M/1G)" not in fcov.UNSAMPLED


@pytest.mark.parametrize("field,value", [("page", "64K"), ("s1dss", "ssid1"), ("error", "X")])
def test_trace_rejects_unknown_field_values(field, value):
    rec = T.xlate(1, sid=1, ssid=0, ssv=0, va=0, rnw=1, pa=0, hit=True, walk_depth=0)
    with pytest.raises(T.TraceError, match=field):
        T.validate({**rec, field: value})


def comp(t, queue, index, sid=1, status="SUCCESS"):
    return {"kind": "completion", "t": t, "queue": queue, "status": status, "index": index,
            "sid": sid, "src": "rtl"}


def test_dma_ring_wrap_is_counted_per_device_and_queue():
    """The DMA completion's ring slot (`index`) going down is a wrap of that device's queue;
    records of other queues and of another accelerator (merged into one trace) in between
    do not count, and records without an index (older traces) hit nothing."""
    wrap = ("queues.wrap", "dma ring")
    # interleaved: device 1 queue 0 climbs, device 1 queue 1 and device 2 queue 0 sit lower
    no_wrap = [comp(1, 0, 5), comp(2, 1, 0), comp(3, 0, 2, sid=2), comp(4, 0, 6),
               comp(5, 0, 3, sid=2), comp(6, 1, 1), comp(7, 0, 7)]
    assert wrap not in hits(fcov.sample(no_wrap))
    assert wrap not in hits(fcov.sample([comp(1, 0, 7), {**comp(2, 0, 0), "index": None}]))
    got = hits(fcov.sample([comp(1, 0, 15), comp(2, 1, 3, sid=2), comp(3, 0, 0),
                            comp(4, 1, 0, sid=2), comp(5, 1, 9)]))
    assert got[wrap] == 2      # device 1 queue 0 (15 -> 0), device 2 queue 1 (3 -> 0)
    assert "queues.wrap dma ring" not in fcov.UNSAMPLED
