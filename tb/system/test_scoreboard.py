"""The isolation scoreboard's checks on hand-made inputs (pure Python, no simulator):
each kind of violation is found, and legal traffic gives none."""

import pytest

from pasidsim.driver.pgtable import PROT_READ, PROT_WRITE
from tb.common.scoreboard import IsolationPolicy, _Intervals, check

RW = PROT_READ | PROT_WRITE
A_VA, A_PA, B_PA, RO_VA, RO_PA = 0x10000, 0x8000_1000, 0x8000_2000, 0x20000, 0x8000_3000


def xl(va, pa, rnw, ssid=1, len_=3, size=3, sid=1, ssv=1):
    return {"kind": "xlate", "t": 0, "sid": sid, "ssid": ssid, "ssv": ssv, "va": va,
            "rnw": rnw, "pa": pa, "fault": None, "len": len_, "size": size}


@pytest.fixture
def pol():
    p = IsolationPolicy()
    p.grant(1, 1, A_VA, A_PA, RW, "A")
    p.grant(1, 1, RO_VA, RO_PA, PROT_READ, "A")
    p.grant(1, 2, 0x10000, B_PA, RW, "B")
    p.allow_smmu_write(0x9000_0000, 0x9000_0400, "event queue")
    return p


def test_legal_traffic_is_clean(pol):
    x = [xl(A_VA + 0x10, A_PA + 0x10, 0), xl(RO_VA, RO_PA, 1), xl(0x10000, B_PA, 1, ssid=2)]
    acc = [(A_PA + 0x10, 32, True), (RO_PA, 32, False), (B_PA, 32, False),
           (0x9000_0020, 32, True),           # an event record
           (0x8100_0000, 64, False)]          # a table walk: not a data page
    assert check(pol, acc, x) == []


def test_write_to_another_pasids_page(pol):
    v = check(pol, [(B_PA, 32, True)], [xl(A_VA, B_PA, 0)])
    assert [x.kind for x in v] == ["write-not-granted"] and "page of B" in v[0].what


def test_write_to_read_only_page(pol):
    v = check(pol, [(RO_PA, 8, True)], [xl(RO_VA, RO_PA, 0, len_=0)])
    assert [x.kind for x in v] == ["write-not-granted"]


def test_read_not_granted_and_fault_records_ignored(pol):
    fault = dict(xl(A_VA, 0, 1), pa=None, fault="F_TRANSLATION")
    v = check(pol, [(B_PA, 32, False)], [xl(A_VA, B_PA, 1), fault])
    assert [x.kind for x in v] == ["read-not-granted"]


def test_stray_write_past_the_burst(pol):
    v = check(pol, [(A_PA, 40, True)], [xl(A_VA, A_PA, 0)])  # burst covers 32 bytes
    assert [x.kind for x in v] == ["stray-write"] and f"{A_PA + 32:#x}" in v[0].what


def test_stray_write_without_translation(pol):
    v = check(pol, [(0x8100_0000, 8, True)], [])
    assert [x.kind for x in v] == ["stray-write"]


def test_stray_read_of_a_data_page(pol):
    v = check(pol, [(B_PA + 64, 8, False)], [xl(A_VA, A_PA, 1)])
    assert [x.kind for x in v] == ["stray-read"] and "B's data page" in v[0].what


def test_limit_per_kind(pol):
    acc = [(0x8100_0000 + 64 * i, 8, True) for i in range(50)]
    assert len(check(pol, acc, [], limit=5)) == 5


def test_intervals():
    iv = _Intervals([(10, 20), (15, 30), (40, 50)])
    assert iv.uncovered(0, 60) == [(0, 10), (30, 40), (50, 60)]
    assert iv.uncovered(12, 28) == []
    assert _Intervals([]).uncovered(5, 7) == [(5, 7)]


def test_policy_rejects_bad_input():
    p = IsolationPolicy()
    with pytest.raises(ValueError, match="not page aligned"):
        p.grant(1, 1, 0x10, 0x1000, RW, "A")
    with pytest.raises(ValueError, match="empty range"):
        p.allow_smmu_write(8, 8, "x")
    assert p.grants == {} and p.smmu_writes == []


def test_carry_covers_but_is_not_judged(pol):
    prev = [xl(A_VA, B_PA, 0)]  # judged (and reported) in its own window
    assert check(pol, [(B_PA, 32, True)], [], carry=prev) == []
    assert [v.kind for v in check(pol, [(B_PA, 32, True)], [])] == ["stray-write"]


def test_trace_tail_reads_only_new_lines(tmp_path):
    from tb.common.scoreboard import HdlTraceTail
    f = tmp_path / "trace.u_x.jsonl"
    f.write_text('{"kind":"xlate","t":1}\n')
    tail = HdlTraceTail(tmp_path)                # made now: the old line is not its business
    with open(f, "a") as fh:
        fh.write('{"kind":"cmd","t":2}\n{"kind":"xlate","t":3}\n{"kind":"xl')  # partial line
    assert [r["t"] for r in tail.new_records()] == [3]
    with open(f, "a") as fh:
        fh.write('ate","t":4}\n')
    assert [r["t"] for r in tail.new_records()] == [4]
    assert [r["t"] for r in HdlTraceTail(tmp_path, from_start=True).new_records()] == [1, 3, 4]
