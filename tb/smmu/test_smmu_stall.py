"""Stall model of smmu_top: with CD.S=1 a translation fault holds the transaction, the
event record carries Stall=1 and a STAG, and CMD_RESUME retries (against the tables as
they are then), aborts (SLVERR) or terminates (RAZ/WI) it. Several stalls at once, other
traffic flowing meanwhile, CMD_SYNC not waiting for stalled transactions, the stall limit
(IDR5.STALL_MAX), and stalled transactions terminated (never lost) when their record
cannot be written, on EVTQEN=0 and on SMMUEN=0. Event records are checked field by field
against the golden model (stall=True) translating the same access with the DUT's STAG.
"""

import cocotb
import pytest
from cocotb.triggers import ClockCycles
from cocotbext.axi import AxiResp

from pasidsim import regs as R
from pasidsim import trace as T
from pasidsim import smmuv3 as S
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.sim import run
from tb.common.tbutil import param
from tb.common.tops import sources
from tb.smmu.cmdq_tb import CmdTB, page_pattern
from tb.smmu.smmu_tb import DATA

PAUSES = ["none", "random"]
VA_MAPPED, VA_HOLE, VA_RO = 0x1000, 0x2000, 0x3000


class Stream:
    """Stream `sid` with 4 stalling CDs (S=1), one page table each: VA_MAPPED mapped,
    VA_HOLE not, VA_RO read-only."""

    def __init__(self, tb, sid, stalld=False):
        self.tb, self.sid = tb, sid
        self.cdt = CdTable(tb.mem, tb.alloc, 2)
        self.pts = {}
        for ssid in range(4):
            pt = PageTable(tb.mem, tb.alloc, 25)
            pt.map(VA_MAPPED, tb.data_page())
            pt.map(VA_RO, tb.data_page(), ro=True)
            self.pts[ssid] = pt
            self.cdt.set(ssid, make_cd(pt, 16 * sid + ssid + 1, s=1))
        tb.strtab.set(sid, self.cdt.ste(s1dss=S.S1DSS_SSID0, s1stalld=int(stalld)))

    def asid(self, ssid):
        return 16 * self.sid + ssid + 1


async def new_events(tb, n, timeout=400):
    """Wait until n new records are in the event queue; return them (consumed)."""
    got = []
    for _ in range(timeout // 10):
        got += await tb.dut_events()
        if len(got) >= n:
            break
        await ClockCycles(tb.dut.clk, 10)
    assert len(got) == n, f"expected {n} event records, got {got}"
    return got


def check_stall_event(tb, ev, sid, ssid, va, write):
    """The DUT's stall record equals the model's for the same access and the DUT's STAG."""
    t = tb.model.translate(sid, ssid, ssid != 0, va, write=write, stag=ev.stag)
    assert t.stalled, f"model does not stall {sid}/{ssid} {va:#x}: {t}"
    assert ev == t.fault, f"DUT {ev} != model {t.fault}"
    assert ev.stall == 1 and ev.stag < param("RD_WALKERS", 2) + 1


def start(tb, kind, sid, ssid, va, data=None, arid=None):
    if kind == "r":
        return cocotb.start_soon(tb.read(sid, va, 16, ssid=ssid, ssv=ssid != 0, arid=arid))
    return cocotb.start_soon(tb.write(sid, va, data, ssid=ssid, ssv=ssid != 0))


@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def resume_retry_abort_terminate(dut, pause):
    """Fault -> stall -> map the page -> RESUME retry: data correct. RESUME abort: SLVERR,
    nothing written. RESUME terminate: RAZ/WI. A permission stall fixed by a PTE change,
    TLBI_NH_VA and RESUME retry."""
    tb = CmdTB(dut)
    await tb.start(pause)
    await tb.setup_cmdq()
    st = Stream(tb, 1)
    for ssid, kind, action in ((1, "r", S.RESUME_RETRY), (2, "w", S.RESUME_RETRY),
                               (1, "w", S.RESUME_ABORT), (2, "r", S.RESUME_ABORT),
                               (3, "r", S.RESUME_TERM), (3, "w", S.RESUME_TERM)):
        va = VA_HOLE + 0x10
        st.pts[ssid].set_raw(VA_HOLE, 3, 0)              # (unmapped again)
        await tb.issue([S.cmd_tlbi_nh_va(st.asid(ssid), VA_HOLE)])
        data = bytes(range(16))
        writes = len(tb.target.writes)
        task = start(tb, kind, 1, ssid, va, data)
        ev, = await new_events(tb, 1)
        check_stall_event(tb, ev, 1, ssid, va, kind == "w")
        await ClockCycles(dut.clk, 50)
        assert not task.done(), "a stalled transaction completed without RESUME"
        if action == S.RESUME_RETRY:
            pa = tb.data_page()
            st.pts[ssid].map(VA_HOLE, pa)                # the fault handler maps the page
        await tb.issue([S.cmd_resume(1, ev.stag, action)])
        resp = await task
        what = f"{kind} ssid {ssid} action {action}"
        if action == S.RESUME_RETRY:
            assert resp.resp == AxiResp.OKAY, what
            if kind == "r":
                assert resp.data == page_pattern(pa)[0x10:0x20], what
            else:
                assert tb.mem.read(pa + 0x10, 16) == data, what
        else:
            exp = AxiResp.SLVERR if action == S.RESUME_ABORT else AxiResp.OKAY
            assert resp.resp == exp, f"{what}: {resp.resp}"
            if kind == "r" and action == S.RESUME_TERM:
                assert resp.data == bytes(16), what
            stray = [w for w in tb.target.writes[writes:] if DATA <= w[0] < DATA + 0x1000_0000]
            assert not stray, f"{what}: memory written {stray}"
    # permission stall: write to a read-only page, made writable + TLBI + RESUME retry
    task = start(tb, "w", 1, 1, VA_RO + 8, b"\x77" * 8)
    ev, = await new_events(tb, 1)
    check_stall_event(tb, ev, 1, 1, VA_RO + 8, True)
    assert ev.id == S.EVT_F_PERMISSION
    pa = st.pts[1].mem.read64(st.pts[1].slot_addr(VA_RO, 3)) & 0xFFFF_FFFF_F000
    st.pts[1].map(VA_RO, pa)
    await tb.issue([S.cmd_tlbi_nh_va(st.asid(1), VA_RO), S.cmd_resume(1, ev.stag, S.RESUME_RETRY)])
    assert (await task).resp == AxiResp.OKAY
    assert tb.mem.read(pa + 8, 8) == b"\x77" * 8


@cocotb.test()
async def many_stalls_and_other_traffic(dut):
    """STALL_MAX stalls at once (two reads, one write, different PASIDs): distinct STAGs;
    the stall limit is IDR5.STALL_MAX; other streams' hits keep flowing; CMD_SYNC does not
    wait for stalled transactions; one RESUME batch completes them all."""
    tb = CmdTB(dut)
    await tb.start("random", latency=2)
    await tb.setup_cmdq()
    stall_max = R.IDR5.field("STALL_MAX").get(await tb.regs.read(R.IDR5))
    assert R.IDR0.field("STALL_MODEL").get(await tb.regs.read(R.IDR0)) == 0b00
    assert stall_max == param("RD_WALKERS", 2) + 1
    a, b = Stream(tb, 1), Stream(tb, 2)
    other = await tb.read(2, VA_MAPPED, 8, ssid=1, ssv=True, arid=7)     # warm: a TLB hit later
    assert other.resp == AxiResp.OKAY
    reads = [(ssid, start(tb, "r", 1, ssid, VA_HOLE + 0x20 * ssid, arid=ssid))
             for ssid in range(1, stall_max)]
    wr = start(tb, "w", 1, 3, VA_HOLE + 0x40, b"\x5a" * 16)
    evs = await new_events(tb, stall_max)
    assert len({e.stag for e in evs}) == stall_max, f"STAGs not distinct: {evs}"
    for ev in evs:
        check_stall_event(tb, ev, 1, ev.ssid, ev.input_addr, not ev.rnw)
    # the limit is reached: every walker holds a stall; hits of other streams still flow
    for i in range(4):
        r = await tb.read(2, VA_MAPPED + 8 * i, 8, ssid=1, ssv=True, arid=7)
        assert r.resp == AxiResp.OKAY and r.data == page_pattern(
            b.pts[1].mem.read64(b.pts[1].slot_addr(VA_MAPPED, 3)) & 0xFFFF_FFFF_F000)[8 * i:8 * i + 8]
    await tb.issue([])                                    # CMD_SYNC alone completes
    assert not any(t.done() for _, t in reads) and not wr.done()
    pas = {}
    for ssid in (1, 2, 3):
        pas[ssid] = tb.data_page()
        a.pts[ssid].map(VA_HOLE, pas[ssid])
    await tb.issue([S.cmd_resume(1, e.stag, S.RESUME_RETRY) for e in evs])
    for ssid, t in reads:
        resp = await t
        assert resp.resp == AxiResp.OKAY
        assert resp.data == page_pattern(pas[ssid])[0x20 * ssid:0x20 * ssid + 16]
    assert (await wr).resp == AxiResp.OKAY
    assert tb.mem.read(pas[3] + 0x40, 16) == b"\x5a" * 16
    await tb.check_events()


@cocotb.test()
async def stall_termination(dut):
    """A stall whose record cannot be written (event queue full: OVFLG) is terminated at
    once with SLVERR; EVTQEN=0 and SMMUEN=0 terminate pending stalls with SLVERR; a RESUME
    for a terminated or unknown STAG does nothing; STE.S1STALLD=1 makes CD.S=1 illegal."""
    tb = CmdTB(dut)
    await tb.start()
    await tb.setup_cmdq(evtq_log2size=0)                  # a one-record event queue
    Stream(tb, 1)
    first = start(tb, "r", 1, 1, VA_HOLE, arid=1)
    await ClockCycles(dut.clk, 100)
    prod = await tb.regs.read(R.EVENTQ_PROD)              # the one slot is now used
    assert S.q_full(prod, 0, 0), f"EVENTQ_PROD {prod:#x}"
    second = start(tb, "r", 1, 2, VA_HOLE, arid=2)
    assert (await second).resp == AxiResp.SLVERR, "stall with a lost record not terminated"
    prod2 = await tb.regs.read(R.EVENTQ_PROD)
    assert R.EVENTQ_PROD.field("OVFLG").get(prod2) == 1, f"OVFLG not set: {prod2:#x}"
    assert not first.done()
    ev, = await new_events(tb, 1)
    check_stall_event(tb, ev, 1, 1, VA_HOLE, False)
    await tb.issue([S.cmd_resume(1, ev.stag + 1, S.RESUME_RETRY),    # no such stall
                    S.cmd_resume(2, ev.stag, S.RESUME_RETRY)])       # wrong StreamID
    await ClockCycles(dut.clk, 50)
    assert not first.done(), "a RESUME for another SID/STAG resumed the stall"
    await tb.regs.write(R.EVENTQ_CONS, tb.cons | (prod2 & (1 << 31)))  # acknowledge overflow
    # EVTQEN=0 terminates the pending stall
    await tb.enable(True, evtq=False, cmdq=True)
    assert (await first).resp == AxiResp.SLVERR
    await tb.enable(True, evtq=True, cmdq=True)
    # SMMUEN=0 terminates a pending stall
    third = start(tb, "w", 1, 3, VA_HOLE, b"\x11" * 8)
    await new_events(tb, 1)
    await ClockCycles(dut.clk, 20)
    assert not third.done()
    await tb.enable(False, evtq=True, cmdq=True)
    assert (await third).resp == AxiResp.SLVERR
    await tb.enable(True, evtq=True, cmdq=True)
    # S1STALLD=1 forbids stalls: CD.S=1 is C_BAD_CD (the model agrees)
    Stream(tb, 2, stalld=True)
    await tb.issue([S.cmd_cfgi_all()])
    await tb.check_read(2, VA_MAPPED, 8, ssid=1, ssv=True, what="S1STALLD with CD.S=1")
    await tb.check_events()


@pytest.mark.parametrize("rd_walkers", [2])
def test_smmu_stall(rd_walkers, monkeypatch):
    # keep the HDL transaction trace (the runner merges and validates every record)
    monkeypatch.setenv("KEEP_TRACE", "1")
    test_dir = run(__name__, "smmu_top", sources("smmu_top"), parameters={"RD_WALKERS": rd_walkers})
    recs = T.read_jsonl(test_dir / "trace.jsonl")
    assert any(r["kind"] == "event" and r["name"] == "F_TRANSLATION" for r in recs)
    assert any(r["kind"] == "cmd" and r["name"] == "RESUME" for r in recs)
    assert any(r["kind"] == "xlate" and r["fault"] == "SLVERR" for r in recs)
