"""Broken structures and bad input on the running system: the architected fault is
reported, nothing hangs (every wait is bounded), the other process's work is unaffected,
and the isolation scoreboard sees no access outside what is allowed.

Process B runs a long copy throughout; process A gets one kind of breakage (picked per
cocotb test) and then a copy. The block-level benches (tb/smmu, tb/dma) check each fault's
record bit by bit; here the point is containment in the whole system:
- ``cd``: A's CD gets an unsupported encoding (AA64=0, TG0!=4K, T0SZ out of range, ENDI=1
  or HA/HD set; random pick) behind the driver's back, then CFGI_CD: C_BAD_CD, A's queue
  halts (its descriptor fetch fails), B completes;
- ``pte``: a leaf of A's destination gets the reserved level-3 encoding (bits[1:0]=0b01)
  plus random upper bits: F_TRANSLATION, A's copy completes partially (PAGE_FAULT inside
  that page);
- ``walk_eabt``: A's level-3 table page answers SLVERR: F_WALK_EABT, no hang;
- ``garbage_qbase``: A's queue enabled with a ring base A never mapped: the fetch faults
  (F_TRANSLATION), the queue halts with a fetch error;
- ``illegal_cmd``: an undefined command opcode: CERROR_ILL reported (HardwareError), the
  SMMU goes on, A's copy then succeeds;
- ``evtq_full``: a 4-entry event queue and 12 faulting FILLs while the driver sleeps: the
  overflow is reported and every one of the 12 completion records arrives (PAGE_FAULT at
  its own page).
By default the devices run without stall support, so every fault terminates.
``test_faults_stall`` (FAULT_STALL=1) runs the same cases on stalling devices (STE.S1STALLD=0,
CD.S=1): translation faults then come as stalled records (Stall=1, STAG) that the driver's
I/O page-fault handler answers with RESUME (retry after populating, abort otherwise); each
stalled record must get its answer, nothing may hang and no completion may be lost. Two
cases only make sense there:
- ``perm``: A copies into a read-only mapping: a stalled F_PERMISSION, the driver aborts
  (RESUME abort), A's copy ends with PAGE_FAULT at the destination and writes nothing;
- ``lazy``: A's destination is not populated: stalled F_TRANSLATION, the driver populates
  and retries, A's copy succeeds.
``pte`` is left out of the stalled run: the driver believes that page present, so its
handler answers RETRY and the device faults again forever (a livelock, as in Linux).
``evtq_full`` with stalls: a stall record lost to the overflow terminates its transaction
(docs/smmu.md, "never lost"), so each FILL ends SUCCESS (its stall was resumed) or
PAGE_FAULT (its record was lost: only allowed when the overflow was reported).
"""

import os

import random

import cocotb
import pytest
from cocotb.triggers import Timer

from pasidsim import dma_regs as D
from pasidsim import smmuv3 as fmt
from pasidsim.dma_desc import Descriptor, Flags, Opcode, Status
from pasidsim.driver.errors import HardwareError
from pasidsim.driver.pgtable import PROT_READ
from pasidsim.driver.system import bring_up
from tb.common.dpimem import DpiMem
from tb.common.scoreboard import SimIsolation
from tb.common.sim import run
from tb.common.tbutil import log_seed, param
from tb.common.tops import sources
from tb.system.rtlsys import rtl_platform
from tb.system.workload import copy_job

PAGE = 4096
WAIT_NS = 2_000_000  # bounded waits: a hang fails the test with Timeout

CD_BREAKS = {  # field -> an unsupported value (docs/smmu.md: C_BAD_CD)
    "aa64": 0, "tg0": 1, "t0sz": 8, "endi": 1, "ha": 1,
}


def _leaf_addr(mm, va: int) -> int:
    *_, (level, ea, d) = mm.pgtable._walk(va)
    assert level == 3 and d.type == "page", (va, level, d)
    return ea


async def _break(kind, sys, mem, a, qa, a_dst, log):
    """Apply the breakage; returns the event name that must be reported."""
    dev = sys.dev
    if kind == "cd":
        field, bad = random.choice(sorted(CD_BREAKS.items()))
        addr = dev.cd_table.cd_addr(qa.pasid)
        cd = fmt.Cd.decode(mem.read(addr, fmt.CD_SIZE))
        setattr(cd, field, bad)
        log.info("CD of pasid %d: %s = %d", qa.pasid, field, bad)
        mem.write(addr, cd.encode())
        await sys.smmu.cmdq.issue([fmt.cmd_cfgi_cd(dev.sid, qa.pasid, leaf=True)])
        return "C_BAD_CD"
    if kind == "pte":
        ea = _leaf_addr(a.mm, a_dst + PAGE)
        mem.write64(ea, (random.getrandbits(64) & ~0x3) | 0b01)
        return "F_TRANSLATION"
    if kind == "walk_eabt":
        table = _leaf_addr(a.mm, a_dst + PAGE) & ~(PAGE - 1)
        mem.add_error(table, table + PAGE)
        return "F_WALK_EABT"
    raise ValueError(kind)


STALL = os.environ.get("FAULT_STALL", "0") == "1"
KINDS = ["cd", "walk_eabt", "garbage_qbase", "illegal_cmd", "evtq_full"] + (
    ["perm", "lazy"] if STALL else ["pte"])
STALLED = {"garbage_qbase", "evtq_full", "perm", "lazy"}  # kinds whose faults must stall


@cocotb.test(timeout_time=50, timeout_unit="ms")
@cocotb.parametrize(kind=KINDS)
async def fault_contained(dut, kind):
    log_seed(dut._log)
    mem = DpiMem()
    mem.clear_errors()
    plat = await rtl_platform(dut, mem)
    # evtq_full: a 4-entry event queue (3 records fit) that nobody drains for a while
    # (stalling: a 2-entry queue, 1 record fits: stalls block the engines, so fewer pile up)
    sys = await bring_up(plat, stall=STALL,
                         **({"evtq_log2": 1 if STALL else 2} if kind == "evtq_full" else {}))
    assert sys.dev.stall == (STALL and sys.smmu.stall_supported), "stall not as asked"
    nq = len(sys.accel.queues)
    iso = SimIsolation(mem, dut._log, bus_bytes=param("DATA_WIDTH", 64) // 8)
    a, b = sys.host.spawn("A"), sys.host.spawn("B")
    qa, qb = await sys.accel.open_queue(a), await sys.accel.open_queue(b)
    size = 64 << 10
    b_job, a_job = copy_job(b, size), copy_job(a, 2 * PAGE)
    b_src, b_dst, b_comp, b_data = b_job
    a_src, a_dst, a_comp, a_data = a_job
    await qb.submit(b_job.descriptor())
    copy = a_job.descriptor()

    want_event, result = None, None
    if kind == "evtq_full":
        n = 12
        lazy = a.mm.mmap(n * PAGE)  # allowed but not present: every FILL faults
        fills = [Descriptor(Opcode.FILL, Flags.COMP_REQ, 64, 0, lazy + i * PAGE, i, a_comp + 64 * i)
                 for i in range(n)]
        rd_dst = a.mm.mmap(PAGE, populate=True)
        a.mm.write(rd_dst, b"\xff" * PAGE)
        if STALL:  # stalled writes are taken one at a time; reads stall side by side
            for i in range(1, n, 2):
                fills[i] = Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 64, lazy + i * PAGE,
                                      rd_dst + 64 * i, 0, a_comp + 64 * i)
        a.mm.write(a_comp, bytes(64 * n))
        # stalling: a stalled FILL blocks its engine, so spread the FILLs over every free
        # queue (the engines stall at once) to get more stalls than the event queue holds
        qs = [qa] + ([await sys.accel.open_queue(a) for _ in range(nq - 2)] if STALL else [])
        for k, q in enumerate(qs):
            await q.submit(*fills[k::len(qs)])
        await Timer(30_000, unit="ns")  # the driver sleeps: records pile up, the queue fills
        lost = 0
        for i, f in enumerate(fills):  # no completion is lost to the overflow
            c = await qs[i % len(qs)].wait(f.comp_addr, timeout_ns=WAIT_NS)
            is_copy = f.opcode == Opcode.MEMMOVE
            if STALL and c.status == Status.SUCCESS:  # its stall was resumed (populated)
                if is_copy:   # a fresh page reads as zeros
                    assert a.mm.read(rd_dst + 64 * i, 64) == bytes(64), i
                else:
                    assert a.mm.read(lazy + i * PAGE, 64) == i.to_bytes(8, "little") * 8, i
                continue
            lost += 1
            assert c.status == Status.PAGE_FAULT and c.bytes_completed == 0, (i, c)
            assert a.mm.read(rd_dst + 64 * i, 64) == b"\xff" * 64, f"{i}: wrote after a fault"
            assert c.fault_addr >> 12 == (lazy >> 12) + i, (i, f"{c.fault_addr:#x}")
        await sys.smmu.process_events()
        kinds = [f.kind for f in sys.smmu.fault_log]
        dut._log.info("evtq_full: %d of %d FILLs terminated, overflow %s", lost, n,
                      "EventQueueOverflow" in kinds)
        # without stalls every FILL faults and the overflow must happen; with stalls a
        # terminated FILL means its stall record was lost, which only an overflow explains
        if lost or not STALL:
            assert "EventQueueOverflow" in kinds, kinds
        want_event = "F_TRANSLATION"
    elif kind in ("perm", "lazy"):
        if kind == "perm":   # allowed to read only: the write faults, the driver aborts
            ro_dst = a.mm.mmap(2 * PAGE, PROT_READ, populate=True)
        else:                # allowed, not present: the driver populates and retries
            ro_dst = a.mm.mmap(2 * PAGE)
        copy = Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 2 * PAGE, a_src, ro_dst, 0, a_comp)
        result = await qa.run(copy, timeout_ns=WAIT_NS)
        if kind == "perm":
            want_event = "F_PERMISSION"
            assert result.status == Status.PAGE_FAULT and result.bytes_completed == 0, result
            assert result.fault_addr >> 12 == ro_dst >> 12, f"{result.fault_addr:#x}"
            assert a.mm.read(ro_dst, 2 * PAGE) == bytes(2 * PAGE), "wrote a read-only page"
        else:
            want_event = "F_TRANSLATION"
            assert result.status == Status.SUCCESS, result
            assert a.mm.read(ro_dst, 2 * PAGE) == a_data, "lazy copy wrong"
    elif kind == "illegal_cmd":
        with pytest.raises(HardwareError, match="CERROR"):
            await sys.smmu.cmdq.issue([fmt.Cmd(0x7F)])
        result = await qa.run(copy, timeout_ns=WAIT_NS)
        assert result.status == Status.SUCCESS and a.mm.read(a_dst, 2 * PAGE) == a_data, result
    elif kind == "garbage_qbase":
        reg = lambda off: D.queue_reg(qa.idx, off, nq)  # noqa: E731
        garbage = max(v.end for v in a.mm.vmas) + 1024 * PAGE  # never mapped in A
        await plat.write_reg("dma", reg(D.QCTRL), 0)
        await plat.write_reg("dma", reg(D.QBASE_LO), garbage & 0xFFFF_FFFF)
        await plat.write_reg("dma", reg(D.QBASE_HI), garbage >> 32)
        await plat.write_reg("dma", reg(D.QHEAD), 0)
        await plat.write_reg("dma", reg(D.QCTRL), D.QCTRL_EN)
        await plat.write_reg("dma", reg(D.QTAIL), 1)
        want_event = "F_TRANSLATION"
        with pytest.raises(HardwareError, match="halted"):
            await qa.wait(a_comp, timeout_ns=WAIT_NS)
    else:
        want_event = await _break(kind, sys, mem, a, qa, a_dst, dut._log)
        a.mm.write(a_comp, bytes(64))
        await qa.submit(copy)
        try:
            result = await qa.wait(a_comp, timeout_ns=WAIT_NS)
        except HardwareError as exc:  # the queue halted (its own fetches fail): reported
            dut._log.info("A: %s", exc)
        if kind == "pte":
            assert result is not None and result.status == Status.PAGE_FAULT, result
            assert result.fault_addr >> 12 == (a_dst + PAGE) >> 12, f"{result.fault_addr:#x}"
            assert a.mm.read(a_dst, PAGE) == a_data[:PAGE]  # the first page was copied
        elif kind == "cd":
            assert result is None, f"A completed through a broken CD: {result}"
        else:
            assert result is None or result.status != Status.SUCCESS, result
    cb = await qb.wait(b_comp, timeout_ns=WAIT_NS)
    assert cb.status == Status.SUCCESS and b.mm.read(b_dst, size) == b_data, f"B harmed: {cb}"
    await sys.smmu.process_events()
    names = sorted({f.event.name for f in sys.smmu.fault_log if hasattr(f, "event")})
    dut._log.info("%s: A %s; events %s", kind, result, names)
    if want_event:
        assert want_event in names, f"{kind}: {want_event} not reported (got {names})"
        assert all(f.pasid in (qa.pasid, None) for f in sys.smmu.fault_log
                   if hasattr(f, "event")), "a fault named another PASID"
    stalled = [f for f in sys.smmu.fault_log if hasattr(f, "event") and f.stalled]
    if not STALL:
        assert not stalled, f"stalled records from a terminate-only setup: {stalled}"
    elif kind in STALLED:
        assert stalled, f"{kind}: no stalled fault record"
        want = {"perm": {"abort"}, "lazy": {"retry"}, "garbage_qbase": {"abort"},
                "evtq_full": {"retry"}}[kind]
        got = {f.response for f in stalled}
        assert got == want, f"{kind}: stalled faults answered {got}, expected {want}"
        dut._log.info("%s: %d stalled records, answered %s", kind, len(stalled), got)
    # nothing of A's is left stalled or in flight: the queue settles
    st = await _settle(plat, qa.idx, nq)
    assert not st & D.QStatus.BUSY, D.QStatus(st)
    iso.checkpoint(sys)
    mem.clear_errors()
    assert not iso.violations, f"{len(iso.violations)} isolation violations (see log)"


async def _settle(plat, q, nq, timeout_ns=200_000) -> int:
    """QSTATUS once queue ``q`` is not busy (bounded: a stuck stall fails the test)."""
    reg = D.queue_reg(q, D.QSTATUS, nq)
    for _ in range(timeout_ns // 1000):
        st = await plat.read_reg("dma", reg)
        if not st & D.QStatus.BUSY:
            return st
        await Timer(1000, unit="ns")
    return st


def test_faults():
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        visibility="ports")


def test_faults_stall():
    """The same breakages on stalling devices (CD.S=1): stalled records, RESUME retry/abort."""
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        visibility="ports", extra_env={"FAULT_STALL": "1"})
