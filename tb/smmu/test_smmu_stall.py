"""Stall model of smmu_top: with CD.S=1 a translation fault holds the transaction, the
event record carries Stall=1 and a STAG, and CMD_RESUME retries (against the tables as
they are then), aborts (SLVERR) or terminates (RAZ/WI) it. Several stalls at once, other
traffic flowing meanwhile, CMD_SYNC not waiting for stalled transactions, the stall limit
(IDR5.STALL_MAX), and stalled transactions terminated (never lost) when their record
cannot be written, on EVTQEN=0 and on SMMUEN=0. Stalled writes are parked in the stall
buffer's slots (STALL_BUF_SLOTS at once, resumed independently and in any order) so that
other writes go on (replayed on RESUME retry, dropped on termination).
Event records are checked field by field against the golden model (stall=True)
translating the same access with the DUT's STAG.
"""

import cocotb
import pytest
from cocotb.triggers import ClockCycles, with_timeout
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
    assert ev.stall == 1 and ev.stag < stall_max()


def park_slots():
    """Stalled writes parked at once: STALL_BUF_SLOTS with a stall buffer, else 0."""
    return param("STALL_BUF_SLOTS", 2) if param("STALL_BUF_BEATS", 256) > 0 else 0


def stall_max():
    """IDR5.STALL_MAX: one stall per walker; write walkers: one more than the stall
    buffer slots (so a write is still walked while every slot holds a parked write)."""
    return param("RD_WALKERS", 2) + park_slots() + 1


def data_writes(tb, since):
    return [w for w in tb.target.writes[since:] if DATA <= w[0] < DATA + 0x1000_0000]


def pa_of(st, ssid, va):
    return st.pts[ssid].mem.read64(st.pts[ssid].slot_addr(va, 3)) & 0xFFFF_FFFF_F000


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
    """STALL_MAX stalls at once (RD_WALKERS reads, STALL_BUF_SLOTS + 1 writes, different
    PASIDs): distinct STAGs; the stall limit is IDR5.STALL_MAX; while the stalled writes
    so far are parked another stream's write miss is still walked and completes; other
    streams' read hits keep flowing; CMD_SYNC does not wait for stalled transactions;
    one RESUME batch completes them all."""
    tb = CmdTB(dut)
    await tb.start("random", latency=2)
    await tb.setup_cmdq()
    smax = R.IDR5.field("STALL_MAX").get(await tb.regs.read(R.IDR5))
    assert R.IDR0.field("STALL_MODEL").get(await tb.regs.read(R.IDR0)) == 0b00
    assert smax == stall_max()
    n_rd = param("RD_WALKERS", 2)
    n_wr = smax - n_rd
    a, b = Stream(tb, 1), Stream(tb, 2)
    other = await tb.read(2, VA_MAPPED, 8, ssid=1, ssv=True, arid=7)     # warm: a TLB hit later
    assert other.resp == AxiResp.OKAY
    reads = [(ssid, start(tb, "r", 1, ssid, VA_HOLE + 0x20 * ssid, arid=ssid))
             for ssid in range(1, n_rd + 1)]
    wr = cocotb.start_soon(tb.write(1, VA_HOLE + 0x40, b"\x5a" * 16, ssid=3, ssv=True, awid=1))
    evs = await new_events(tb, n_rd + 1)
    more = []
    for j in range(n_wr - 1):
        # the stalled writes so far are parked: a write miss of another stream is walked
        # meanwhile (another ssid: a miss each time)
        d = bytes([0x6b + j]) * 8
        r = await with_timeout(tb.write(2, VA_MAPPED + 0x80, d, ssid=2 + j, ssv=True,
                                        awid=2), 4, "us")
        assert r.resp == AxiResp.OKAY
        assert tb.mem.read(pa_of(b, 2 + j, VA_MAPPED) + 0x80, 8) == d
        more.append(cocotb.start_soon(tb.write(1, VA_HOLE + 0x80 + 0x40 * j,
                                               bytes([0x7c + j]) * 16, ssid=0, awid=3 + j)))
        evs += await new_events(tb, 1)
    assert len(evs) == smax and len({e.stag for e in evs}) == smax, f"STAGs: {evs}"
    for ev in evs:
        check_stall_event(tb, ev, 1, ev.ssid, ev.input_addr, not ev.rnw)
    # the limit is reached: every walker holds a stall; hits of other streams still flow
    for i in range(4):
        r = await tb.read(2, VA_MAPPED + 8 * i, 8, ssid=1, ssv=True, arid=7)
        exp = page_pattern(pa_of(b, 1, VA_MAPPED))[8 * i:8 * i + 8]
        assert r.resp == AxiResp.OKAY and r.data == exp
    await tb.issue([])                                    # CMD_SYNC alone completes
    assert not any(t.done() for _, t in reads) and not wr.done()
    pas = {}
    for ssid in range(4):
        pas[ssid] = tb.data_page()
        a.pts[ssid].map(VA_HOLE, pas[ssid])
    await tb.issue([S.cmd_resume(1, e.stag, S.RESUME_RETRY) for e in evs])
    for ssid, t in reads:
        resp = await t
        assert resp.resp == AxiResp.OKAY
        assert resp.data == page_pattern(pas[ssid])[0x20 * ssid:0x20 * ssid + 16]
    assert (await wr).resp == AxiResp.OKAY
    assert tb.mem.read(pas[3] + 0x40, 16) == b"\x5a" * 16
    for j, t in enumerate(more):
        assert (await t).resp == AxiResp.OKAY
        assert tb.mem.read(pas[0] + 0x80 + 0x40 * j, 16) == bytes([0x7c + j]) * 16
    await tb.check_events()


@cocotb.test()
async def stall_termination(dut):
    """A stall whose record cannot be written (event queue full: OVFLG) is terminated at
    once with SLVERR; EVTQEN=0 and SMMUEN=0 terminate pending stalls with SLVERR; a RESUME
    for a terminated or unknown STAG does nothing; STE.S1STALLD=1 makes CD.S=1 illegal."""
    # the second read below needs a free read walker while the first one holds a stall
    assert param("RD_WALKERS", 2) >= 2, "stall_termination needs RD_WALKERS >= 2"
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


@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def stalled_write_does_not_block_writes(dut, pause):
    """A stalled write's W beats are parked in the stall buffer: other streams' writes
    (IOTLB hits) complete while it is stalled, a write with the same AWID waits (AXI
    same-ID order); RESUME retry writes the parked data, abort answers SLVERR and
    terminate OKAY without touching memory; after each the buffer is free again."""
    tb = CmdTB(dut)
    await tb.start(pause, latency=2)
    await tb.setup_cmdq()
    a, b = Stream(tb, 1), Stream(tb, 2)
    beat = param("DATA_WIDTH", 64) // 8
    for ssid in (1, 2):                                   # warm stream 2: IOTLB hits later
        r = await tb.write(2, VA_MAPPED, b"\0" * 8, ssid=ssid, ssv=True, awid=2)
        assert r.resp == AxiResp.OKAY
    for ssid, action in ((1, S.RESUME_RETRY), (2, S.RESUME_ABORT), (3, S.RESUME_TERM)):
        what = f"ssid {ssid} action {action}"
        since = len(tb.target.writes)
        data = bytes((ssid * 16 + i) & 0xFF for i in range(8 * beat))   # 8 beats: parked
        w = cocotb.start_soon(tb.write(1, VA_HOLE + 0x40, data, ssid=ssid, ssv=True, awid=1))
        ev, = await new_events(tb, 1)
        check_stall_event(tb, ev, 1, ssid, VA_HOLE + 0x40, True)
        # other streams' writes complete while it is stalled, data in place
        for i in range(3):
            d = bytes([0xA0 + 16 * ssid + i]) * (2 * beat)
            r = await with_timeout(tb.write(2, VA_MAPPED + 0x100 * i, d, ssid=1 + i % 2,
                                            ssv=True, awid=2), 4, "us")   # not held
            assert r.resp == AxiResp.OKAY, what
            assert tb.mem.read(pa_of(b, 1 + i % 2, VA_MAPPED) + 0x100 * i, 2 * beat) == d, what
        same_id = cocotb.start_soon(tb.write(2, VA_MAPPED + 0x800, b"\x33" * beat, ssid=1,
                                             ssv=True, awid=1))
        await ClockCycles(dut.clk, 60)
        assert not w.done() and not same_id.done(), f"{what}: same-ID write overtook the stall"
        if action == S.RESUME_RETRY:
            pa = tb.data_page()
            a.pts[ssid].map(VA_HOLE, pa)
        await tb.issue([S.cmd_resume(1, ev.stag, action)])
        resp = await w
        assert (await same_id).resp == AxiResp.OKAY, what
        if action == S.RESUME_RETRY:
            assert resp.resp == AxiResp.OKAY, what
            assert tb.mem.read(pa + 0x40, len(data)) == data, f"{what}: replayed data"
        else:
            exp = AxiResp.SLVERR if action == S.RESUME_ABORT else AxiResp.OKAY
            assert resp.resp == exp, f"{what}: {resp.resp}"
            stray = [x for x in data_writes(tb, since) if x[1] == data[:len(x[1])]]
            assert not stray, f"{what}: parked data reached memory {stray}"
    await tb.check_events()


@cocotb.test()
async def stall_buffer_size(dut):
    """Long stalled bursts: a 128-beat write (the DMA engine's bursts) and one that fills
    the whole buffer (STALL_BUF_BEATS beats; 256 by default, a maximal AXI burst) are
    parked, other streams' single and multi-beat writes complete meanwhile, and RESUME
    retry replays every beat in order. With a buffer smaller than 256 beats a longer burst
    is not parked: the write path holds until it is resumed."""
    sbuf = param("STALL_BUF_BEATS", 256)
    assert sbuf > 0, "stall_buffer_size needs a stall buffer"
    tb = CmdTB(dut)
    await tb.start("random", latency=2)
    await tb.setup_cmdq()
    a, b = Stream(tb, 1), Stream(tb, 2)
    beat = param("DATA_WIDTH", 64) // 8
    r = await tb.write(2, VA_MAPPED, b"\0" * 8, ssid=1, ssv=True, awid=2)   # warm: IOTLB hit
    assert r.resp == AxiResp.OKAY
    # (4 KB pages: at most 4096 / beat beats in one burst)
    lengths = [n for n in (128, sbuf) if n <= sbuf and n * beat <= 0x1000]
    for k, n in enumerate(dict.fromkeys(lengths)):
        data = bytes((i * 13 + k * 5 + i // 251) & 0xFF for i in range(n * beat))
        w = cocotb.start_soon(tb.write(1, VA_HOLE, data, ssid=k + 1, ssv=True, awid=1))
        ev, = await new_events(tb, 1, timeout=400 + 4 * n)
        check_stall_event(tb, ev, 1, k + 1, VA_HOLE, True)
        for i, m in enumerate((1, 16)):                  # parked: these are not held
            d = bytes([0xC0 + 16 * k + i]) * (m * beat)
            r = await with_timeout(tb.write(2, VA_MAPPED + 0x200 * i, d, ssid=1, ssv=True,
                                            awid=2), 4, "us")
            assert r.resp == AxiResp.OKAY, f"{n} beats: other write {i}"
            assert tb.mem.read(pa_of(b, 1, VA_MAPPED) + 0x200 * i, len(d)) == d
        assert not w.done(), f"{n}-beat write not stalled"
        pa = tb.data_page()
        a.pts[k + 1].map(VA_HOLE, pa)
        await tb.issue([S.cmd_resume(1, ev.stag, S.RESUME_RETRY)])
        assert (await w).resp == AxiResp.OKAY
        assert tb.mem.read(pa, len(data)) == data, f"{n}-beat parked write replayed wrongly"
    if sbuf < 256 and 2 * sbuf * beat <= 0x1000:
        # a burst longer than the buffer is not parked: later writes wait for it
        big = bytes((i * 7) & 0xFF for i in range(2 * sbuf * beat))
        w = cocotb.start_soon(tb.write(1, VA_HOLE, big, ssid=3, ssv=True, awid=1))
        ev, = await new_events(tb, 1)
        other = cocotb.start_soon(tb.write(2, VA_MAPPED, b"\x44" * beat, ssid=1, ssv=True,
                                           awid=2))
        await ClockCycles(dut.clk, 60)
        assert not other.done(), "a burst longer than the stall buffer was parked"
        pa = tb.data_page()
        a.pts[3].map(VA_HOLE, pa)
        await tb.issue([S.cmd_resume(1, ev.stag, S.RESUME_RETRY)])
        assert (await w).resp == AxiResp.OKAY and (await other).resp == AxiResp.OKAY
        assert tb.mem.read(pa, len(big)) == big
    await tb.check_events()


@cocotb.test()
async def parked_write_termination(dut):
    """A parked write is terminated with SLVERR and its data dropped on EVTQEN=0 and on
    SMMUEN=0; a stalled write whose record is lost (event queue full: OVFLG) is
    terminated at once; the stall buffer is free again after each (the next stalled
    write parks, and its RESUME retry writes its own data)."""
    tb = CmdTB(dut)
    await tb.start("random", latency=1)
    await tb.setup_cmdq(evtq_log2size=0)                  # a one-record event queue
    a, b = Stream(tb, 1), Stream(tb, 2)
    beat = param("DATA_WIDTH", 64) // 8

    async def stalled(ssid, fill):
        """A stalled write of 4 beats of `fill`; checks that it is parked (another
        stream's write completes meanwhile)."""
        ok = await tb.write(2, VA_MAPPED, b"\0" * 8, ssid=1, ssv=True, awid=2)   # warm
        assert ok.resp == AxiResp.OKAY
        since = len(tb.target.writes)
        w = cocotb.start_soon(tb.write(1, VA_HOLE, bytes([fill]) * 4 * beat, ssid=ssid,
                                       ssv=True, awid=1))
        ev, = await new_events(tb, 1)
        d = bytes([fill ^ 0xFF]) * beat
        r = await with_timeout(tb.write(2, VA_MAPPED, d, ssid=1, ssv=True, awid=2), 4, "us")
        assert r.resp == AxiResp.OKAY
        assert tb.mem.read(pa_of(b, 1, VA_MAPPED), beat) == d
        assert not w.done(), f"write of {fill:#x} not stalled"
        return w, since, ev

    def dropped(since, fill):
        return all(x[1][0] != fill for x in data_writes(tb, since))

    w, since, _ = await stalled(1, 0x11)
    await tb.enable(True, evtq=False, cmdq=True)
    assert (await w).resp == AxiResp.SLVERR, "EVTQEN=0"
    assert dropped(since, 0x11), "data of a write terminated by EVTQEN=0 written"
    await tb.enable(True, evtq=True, cmdq=True)
    w, since, _ = await stalled(2, 0x22)
    await tb.enable(False, evtq=True, cmdq=True)
    assert (await w).resp == AxiResp.SLVERR, "SMMUEN=0"
    assert dropped(since, 0x22), "data of a write terminated by SMMUEN=0 written"
    await tb.enable(True, evtq=True, cmdq=True)
    # overflow: a C_BAD_STE record (SID 3 has no STE) fills the queue's one slot
    assert (await tb.read(3, VA_MAPPED, 8)).resp == AxiResp.SLVERR
    await ClockCycles(dut.clk, 40)
    since = len(tb.target.writes)
    r = await tb.write(1, VA_HOLE, b"\x33" * 4 * beat, ssid=3, ssv=True, awid=1)
    assert r.resp == AxiResp.SLVERR, "stalled write with a lost record not terminated"
    prod = await tb.regs.read(R.EVENTQ_PROD)
    assert R.EVENTQ_PROD.field("OVFLG").get(prod) == 1, f"OVFLG not set: {prod:#x}"
    assert dropped(since, 0x33)
    assert [e.id for e in await tb.dut_events()] == [S.EVT_C_BAD_STE]   # (acknowledges OVFLG)
    # the buffer is free: the next stalled write parks and is replayed with its own data
    w, since, ev = await stalled(3, 0x44)
    pa = tb.data_page()
    a.pts[3].map(VA_HOLE, pa)
    await tb.issue([S.cmd_resume(1, ev.stag, S.RESUME_RETRY)])
    assert (await w).resp == AxiResp.OKAY
    assert tb.mem.read(pa, 4 * beat) == b"\x44" * 4 * beat


async def park(tb, st, ssid, fill, awid, nbeats=8):
    """Start a stalled write of `nbeats` beats on stream `st` (VA_HOLE of `ssid`), each
    beat starting with the byte `fill` (so no beat equals another write's); returns
    (task, data, its stall record)."""
    beat = param("DATA_WIDTH", 64) // 8
    data = bytes(fill if i % beat == 0 else (fill + 3 * i) & 0xFF
                 for i in range(nbeats * beat))
    w = cocotb.start_soon(tb.write(st.sid, VA_HOLE + 0x40, data, ssid=ssid, ssv=True,
                                   awid=awid))
    ev, = await new_events(tb, 1)
    check_stall_event(tb, ev, st.sid, ssid, VA_HOLE + 0x40, True)
    return w, data, ev


def leaked(tb, since, datas):
    """Memory writes since index `since` that carry a whole beat of one of `datas`."""
    beat = param("DATA_WIDTH", 64) // 8
    beats = {d[i:i + beat] for d in datas for i in range(0, len(d), beat)}
    return [x for x in data_writes(tb, since)
            if any(x[1][k:k + beat] in beats for k in range(0, len(x[1]), beat))]


async def third_stream_flows(tb, c, what, k=0):
    """Stream `c`'s 4-beat writes (ssid 1: an IOTLB hit; ssid 2 + k % 2: walked the first
    time) complete while writes are parked, data in place."""
    beat = param("DATA_WIDTH", 64) // 8
    for i, ssid in enumerate((1, 2 + k % 2)):
        d = bytes([0x90 + 16 * (k % 4) + i]) * (4 * beat)
        r = await with_timeout(tb.write(c.sid, VA_MAPPED + 0x100 * i, d, ssid=ssid, ssv=True,
                                        awid=2), 4, "us")
        assert r.resp == AxiResp.OKAY, f"{what}: third stream write {i}"
        assert tb.mem.read(pa_of(c, ssid, VA_MAPPED) + 0x100 * i, len(d)) == d, what


@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def several_parked_writes(dut, pause):
    """STALL_BUF_SLOTS stalled writes of different streams are parked at once: a third
    stream's writes (hits and a walked miss) complete meanwhile, a write with the AWID of
    a parked one waits (AXI same-ID order); they are resumed one by one in reverse order,
    alternating retry and abort: a retried write's data lands, an aborted one gets
    SLVERR and memory is unchanged, the others stay stalled. One stalled write more than
    the slots is not parked: it holds later writes until it is resumed."""
    nslot = park_slots()
    assert nslot >= 1, "several_parked_writes needs a stall buffer"
    tb = CmdTB(dut)
    await tb.start(pause, latency=2)
    await tb.setup_cmdq()
    sts = [Stream(tb, 1 + i) for i in range(nslot + 1)]     # parked ones, then the third
    c = Stream(tb, nslot + 2)
    r = await tb.write(c.sid, VA_MAPPED, b"\0" * 8, ssid=1, ssv=True, awid=2)   # warm
    assert r.resp == AxiResp.OKAY
    since = len(tb.target.writes)
    parked = [await park(tb, sts[i], 1 + i % 3, 0x10 + 0x20 * i, awid=4 + i)
              for i in range(nslot)]
    await third_stream_flows(tb, c, "all slots parked", 0)
    # one more stalled write: not parked (no free slot), later writes wait behind it
    extra, extra_data, extra_ev = await park(tb, sts[nslot], 1, 0xE0, awid=4 + nslot)
    held = cocotb.start_soon(tb.write(c.sid, VA_MAPPED + 0x400, b"\x55" * 8, ssid=1,
                                      ssv=True, awid=2))
    await ClockCycles(dut.clk, 80)
    assert not held.done(), "a write passed a stalled write that no slot could park"
    assert not any(w.done() for w, _, _ in parked) and not extra.done()
    # the unparked one first (retry): the write path moves again, it parks nothing
    pa = tb.data_page()
    sts[nslot].pts[1].map(VA_HOLE, pa)
    await tb.issue([S.cmd_resume(sts[nslot].sid, extra_ev.stag, S.RESUME_RETRY)])
    assert (await extra).resp == AxiResp.OKAY
    assert tb.mem.read(pa + 0x40, len(extra_data)) == extra_data, "unparked write's data"
    assert (await with_timeout(held, 4, "us")).resp == AxiResp.OKAY
    # parked ones in reverse order: retry, abort, retry, ...
    for n, i in enumerate(reversed(range(nslot))):
        w, data, ev = parked[i]
        st, ssid = sts[i], 1 + i % 3
        what = f"parked write {i} ({'retry' if n % 2 == 0 else 'abort'})"
        if i == 0:
            # (a write waiting for its AWID holds the in-order AW channel: tried last)
            same_id = cocotb.start_soon(tb.write(c.sid, VA_MAPPED + 0x800, b"\x33" * 8,
                                                 ssid=1, ssv=True, awid=4))
            await ClockCycles(dut.clk, 60)
            assert not same_id.done(), f"{what}: a write overtook a parked write of its AWID"
        if n % 2 == 0:
            pa = tb.data_page()
            st.pts[ssid].map(VA_HOLE, pa)
            await tb.issue([S.cmd_resume(st.sid, ev.stag, S.RESUME_RETRY)])
            assert (await w).resp == AxiResp.OKAY, what
            assert tb.mem.read(pa + 0x40, len(data)) == data, f"{what}: replayed data"
        else:
            await tb.issue([S.cmd_resume(st.sid, ev.stag, S.RESUME_ABORT)])
            assert (await w).resp == AxiResp.SLVERR, what
            stray = leaked(tb, since, [data])
            assert not stray, f"{what}: parked data reached memory {stray}"
        assert not any(p[0].done() for p in parked[:i]), f"{what}: resumed others too"
        if i == 0:
            assert (await same_id).resp == AxiResp.OKAY
            assert tb.mem.read(pa_of(c, 1, VA_MAPPED) + 0x800, 8) == b"\x33" * 8
        else:
            await third_stream_flows(tb, c, what, n + 1)
    await tb.check_events()


@cocotb.test()
async def several_parked_termination(dut):
    """With every slot holding a parked write: a stalled write whose record is lost
    (event queue full: OVFLG) is terminated at once and the parked ones stay; EVTQEN=0
    and SMMUEN=0 each terminate all parked writes with SLVERR and none of their data
    reaches memory; afterwards every slot parks again and RESUME retry replays each."""
    nslot = park_slots()
    assert nslot >= 1, "several_parked_termination needs a stall buffer"
    tb = CmdTB(dut)
    await tb.start("random", latency=1)
    await tb.setup_cmdq(evtq_log2size=0)                  # a one-record event queue
    sts = [Stream(tb, 1 + i) for i in range(nslot)]
    c = Stream(tb, nslot + 1)
    r = await tb.write(c.sid, VA_MAPPED, b"\0" * 8, ssid=1, ssv=True, awid=2)   # warm
    assert r.resp == AxiResp.OKAY

    def dropped(since, batch):
        return not leaked(tb, since, [d for _, d, _ in batch])

    async def park_all(fill):
        return [await park(tb, sts[i], 1 + i % 3, fill + 0x20 * i, awid=4 + i, nbeats=4)
                for i in range(nslot)]

    since = len(tb.target.writes)
    batch = await park_all(0x11)
    # overflow: a C_BAD_STE record (no STE for this SID) fills the queue's one slot
    bad_sid = nslot + 3
    assert (await tb.read(bad_sid, VA_MAPPED, 8)).resp == AxiResp.SLVERR
    await ClockCycles(dut.clk, 40)
    lost = await with_timeout(tb.write(sts[0].sid, VA_HOLE, b"\xee" * 8, ssid=2, ssv=True,
                                       awid=3), 4, "us")
    assert lost.resp == AxiResp.SLVERR, "stalled write with a lost record not terminated"
    prod = await tb.regs.read(R.EVENTQ_PROD)
    assert R.EVENTQ_PROD.field("OVFLG").get(prod) == 1, f"OVFLG not set: {prod:#x}"
    assert [e.id for e in await tb.dut_events()] == [S.EVT_C_BAD_STE]   # (acknowledges OVFLG)
    assert not any(w.done() for w, _, _ in batch), "a parked write ended with the overflow"
    await third_stream_flows(tb, c, "after the overflow")
    await tb.enable(True, evtq=False, cmdq=True)
    for w, _, _ in batch:
        assert (await with_timeout(w, 4, "us")).resp == AxiResp.SLVERR, "EVTQEN=0"
    assert dropped(since, batch), "data of writes terminated by EVTQEN=0 written"
    await tb.enable(True, evtq=True, cmdq=True)
    since = len(tb.target.writes)
    batch = await park_all(0x51)
    await third_stream_flows(tb, c, "parked before SMMUEN=0", 1)
    await tb.enable(False, evtq=True, cmdq=True)
    for w, _, _ in batch:
        assert (await with_timeout(w, 4, "us")).resp == AxiResp.SLVERR, "SMMUEN=0"
    assert dropped(since, batch), "data of writes terminated by SMMUEN=0 written"
    await tb.enable(True, evtq=True, cmdq=True)
    # every slot is free again: all park, and RESUME retry (one batch) writes each one's data
    batch = await park_all(0x91)
    await third_stream_flows(tb, c, "slots free again", 2)
    pas = []
    for i in range(nslot):
        pas.append(tb.data_page())
        sts[i].pts[1 + i % 3].map(VA_HOLE, pas[-1])
    await tb.issue([S.cmd_resume(sts[i].sid, ev.stag, S.RESUME_RETRY)
                    for i, (_, _, ev) in enumerate(batch)])
    for i, (w, data, _) in enumerate(batch):
        assert (await w).resp == AxiResp.OKAY
        assert tb.mem.read(pas[i] + 0x40, len(data)) == data, f"slot {i}: replayed data"


@pytest.mark.parametrize("rd_walkers,data_width", [
    (2, 64), pytest.param(2, 128, marks=pytest.mark.long)])   # long: make regression
def test_smmu_stall(rd_walkers, data_width, monkeypatch):
    # keep the HDL transaction trace (the runner merges and validates every record)
    monkeypatch.setenv("KEEP_TRACE", "1")
    test_dir = run(__name__, "smmu_top", sources("smmu_top"),
                   parameters={"RD_WALKERS": rd_walkers, "DATA_WIDTH": data_width})
    recs = T.read_jsonl(test_dir / "trace.jsonl")
    assert any(r["kind"] == "event" and r["name"] == "F_TRANSLATION" for r in recs)
    assert any(r["kind"] == "cmd" and r["name"] == "RESUME" for r in recs)
    assert any(r["kind"] == "xlate" and r["fault"] == "SLVERR" for r in recs)


# A small stall buffer with one slot (the structure before STALL_BUF_SLOTS): a burst
# longer than the buffer is not parked (with the default 256 beats no AXI burst is
# longer, so this case needs its own build; ~40 s with the build), and a second stalled
# write is not parked either.
@pytest.mark.parametrize("stall_buf_beats,stall_buf_slots", [(16, 1)])
def test_smmu_stall_small_buffer(stall_buf_beats, stall_buf_slots):
    run(__name__, "smmu_top", sources("smmu_top"),
        parameters={"STALL_BUF_BEATS": stall_buf_beats, "STALL_BUF_SLOTS": stall_buf_slots},
        testcase=["stall_buffer_size", "parked_write_termination", "many_stalls_and_other_traffic",
                  "several_parked_writes", "several_parked_termination"])
