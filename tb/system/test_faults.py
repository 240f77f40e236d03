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
The faulting device runs without stall support so that every fault terminates (a stalled
fault on a page the driver believes present would be retried forever, as in Linux).
"""

import random

import cocotb
import pytest
from cocotb.triggers import Timer

from pasidsim import dma_regs as D
from pasidsim import smmuv3 as fmt
from pasidsim.dma_desc import Descriptor, Flags, Opcode, Status
from pasidsim.driver.errors import HardwareError
from pasidsim.driver.system import bring_up
from tb.common.dpimem import DpiMem
from tb.common.scoreboard import SimIsolation
from tb.common.sim import run
from tb.common.tbutil import log_seed, param
from tb.common.tops import sources
from tb.system.rtlsys import rtl_platform

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


@cocotb.test(timeout_time=50, timeout_unit="ms")
@cocotb.parametrize(kind=["cd", "pte", "walk_eabt", "garbage_qbase", "illegal_cmd", "evtq_full"])
async def fault_contained(dut, kind):
    log_seed(dut._log)
    mem = DpiMem()
    mem.clear_errors()
    plat = await rtl_platform(dut, mem)
    # evtq_full: a 4-entry event queue (3 records fit) that nobody drains for a while
    sys = await bring_up(plat, stall=False, **({"evtq_log2": 2} if kind == "evtq_full" else {}))
    nq = len(sys.accel.queues)
    iso = SimIsolation(mem, dut._log, bus_bytes=param("DATA_WIDTH", 64) // 8)
    a, b = sys.host.spawn("A"), sys.host.spawn("B")
    qa, qb = await sys.accel.open_queue(a), await sys.accel.open_queue(b)
    size = 64 << 10
    b_src, b_dst = b.mm.mmap(size, populate=True), b.mm.mmap(size, populate=True)
    b_comp = b.mm.mmap(PAGE, populate=True)
    b_data = random.randbytes(size)
    b.mm.write(b_src, b_data)
    a_src = a.mm.mmap(2 * PAGE, populate=True)
    a_dst = a.mm.mmap(2 * PAGE, populate=True)
    a_comp = a.mm.mmap(PAGE, populate=True)
    a_data = random.randbytes(2 * PAGE)
    a.mm.write(a_src, a_data)
    b.mm.write(b_comp, bytes(64))
    a.mm.write(a_comp, bytes(64))
    await qb.submit(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, size, b_src, b_dst, 0, b_comp))
    copy = Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 2 * PAGE, a_src, a_dst, 0, a_comp)

    want_event, result = None, None
    if kind == "evtq_full":
        n = 12
        lazy = a.mm.mmap(n * PAGE)  # allowed but not present: every FILL faults
        fills = [Descriptor(Opcode.FILL, Flags.COMP_REQ, 64, 0, lazy + i * PAGE, i, a_comp + 64 * i)
                 for i in range(n)]
        a.mm.write(a_comp, bytes(64 * n))
        await qa.submit(*fills)
        await Timer(30_000, unit="ns")  # the driver sleeps: records pile up, the queue fills
        for i, f in enumerate(fills):  # no completion is lost to the overflow
            c = await qa.wait(f.comp_addr, timeout_ns=WAIT_NS)
            assert c.status == Status.PAGE_FAULT and c.bytes_completed == 0, (i, c)
            assert c.fault_addr >> 12 == (lazy >> 12) + i, (i, f"{c.fault_addr:#x}")
        await sys.smmu.process_events()
        kinds = [f.kind for f in sys.smmu.fault_log]
        assert "EventQueueOverflow" in kinds, kinds
        want_event = "F_TRANSLATION"
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
    iso.checkpoint(sys)
    mem.clear_errors()
    assert not iso.violations, f"{len(iso.violations)} isolation violations (see log)"


def test_faults():
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        visibility="ports")
