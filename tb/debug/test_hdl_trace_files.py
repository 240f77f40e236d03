"""Per-instance HDL trace files (what the RTL's $fwrite lines produce) are merged for a
failing test and removed for a passing one."""

import json

import pytest

from pasidsim import trace as T
from tb.common.trace import HDL_TRACE_PLUSARG, collect_hdl_trace


def _write(path, recs):
    # as the HDL writes them: compact JSON, one object per line, no sorting
    path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in recs))


@pytest.fixture
def run_dir(tmp_path):
    _write(tmp_path / "trace.smmu_top.u_xlate_r.jsonl", [
        {"kind": "xlate", "t": 120, "sid": 1, "ssid": 0, "ssv": 0, "va": 4096, "rnw": 1,
         "pa": 8192, "fault": None, "hit": False, "walk_depth": 4, "src": "rtl"}])
    _write(tmp_path / "trace.smmu_top.u_evtq.jsonl", [
        {"kind": "event", "t": 80, "event_id": 16, "name": "F_TRANSLATION", "sid": 1,
         "ssid": 0, "ssv": 0, "addr": 0, "rnw": 1, "src": "rtl"}])
    return tmp_path


def test_failing_test_keeps_a_merged_trace(run_dir):
    txt = collect_hdl_trace(run_dir, keep=True)
    recs = T.read_jsonl(run_dir / "trace.jsonl")
    assert [r["kind"] for r in recs] == ["event", "xlate"]          # merged by time
    assert "EVT F_TRANSLATION" in txt.read_text()
    assert HDL_TRACE_PLUSARG == "+trace=trace"


def test_passing_test_leaves_nothing(run_dir):
    assert collect_hdl_trace(run_dir, keep=False) is None
    assert not list(run_dir.glob("trace*"))


def test_no_files(tmp_path):
    assert collect_hdl_trace(tmp_path, keep=True) is None


def test_bad_hdl_line_is_named(run_dir):
    (run_dir / "trace.smmu_top.u_cmdq.jsonl").write_text('{"kind":"cmd","t":5}\n')
    with pytest.raises(T.TraceError, match=r"u_cmdq.jsonl:1 \(cmd\): missing field 'opcode'"):
        collect_hdl_trace(run_dir, keep=True)
