"""Reset in the middle of traffic, then a clean restart, on the system top.

Every queue runs a long copy; at a random moment (cocotb's seed) the whole system is reset.
Then: the interrupted traffic broke no isolation (scoreboard, judged by the grants of that
moment); nothing moves on the memory port any more; the registers read their reset values
and every interrupt line is low. The driver then probes again from scratch (new host, new
tables in the same RAM) and the random many-process workload must match the golden model
under the scoreboard.
"""

import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles, RisingEdge, Timer

from pasidsim import dma_regs as D
from pasidsim import regs as R
from pasidsim.dma_desc import Descriptor, Flags, Opcode, Status
from pasidsim.driver.scenario import compare
from pasidsim.driver.system import bring_up, model_system
from tb.common.dpimem import DpiMem
from tb.common.scoreboard import IsolationPolicy, SimIsolation
from tb.common.sim import run
from tb.common.tbutil import log_seed, param
from tb.common.tops import sources
from tb.system.rtlsys import rtl_platform
from tb.system.workload import random_workload

COPY = 128 << 10


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def reset_under_traffic_then_restart(dut):
    log_seed(dut._log)
    mem = DpiMem()
    plat = await rtl_platform(dut, mem)
    sys = await bring_up(plat, stall=True)
    nq = len(sys.accel.queues)
    iso = SimIsolation(mem, dut._log, bus_bytes=param("DATA_WIDTH", 64) // 8)
    jobs = []
    for i in range(nq):
        p = sys.host.spawn(f"r{i}")
        q = await sys.accel.open_queue(p)
        src = p.mm.mmap(COPY, populate=True)
        dst = p.mm.mmap(COPY, populate=True)
        comp = p.mm.mmap(4096, populate=True)
        p.mm.write(src, random.randbytes(COPY))
        p.mm.write(comp, bytes(64))
        jobs.append((p, q, dst, comp))
        await q.submit(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, COPY, src, dst, 0, comp))
    before = IsolationPolicy()
    before.snapshot_system(sys)
    w0 = mem.beats(write=True)
    when = random.randrange(2_000, 40_000)
    dut._log.info("reset after %d ns of traffic", when)
    await Timer(when, unit="ns")

    dut.rst.value = 1
    await ClockCycles(dut.clk, 10)
    dut.rst.value = 0
    await RisingEdge(dut.clk)

    moved = mem.beats(write=True) - w0
    pending = sum(Status(mem.read(p.mm._pages[comp], 1)[0]) == Status.NONE
                  for p, _, _, comp in jobs)
    dut._log.info("%d write beats before the reset, %d of %d copies unfinished", moved, pending, nq)
    assert moved > 0 and pending > 0, "the reset did not hit traffic in flight: widen the window"
    iso.checkpoint(policy=before)
    # quiet: nothing left in any engine keeps moving data
    rd, wr = mem.beats(write=False), mem.beats(write=True)
    await ClockCycles(dut.clk, 2000)
    assert (mem.beats(write=False), mem.beats(write=True)) == (rd, wr), "memory traffic after reset"
    # reset values
    for name in ("CR0", "CR0ACK", "GERROR", "IRQ_CTRL", "CMDQ_PROD", "EVENTQ_PROD"):
        off = getattr(R, name).offset
        assert await plat.read_reg("smmu", off) == 0, f"SMMU {name} not 0 after reset"
    for q in range(nq):
        for reg, want in ((D.QCTRL, 0), (D.QHEAD, 0), (D.QTAIL, 0), (D.QSTATUS, D.QStatus.EMPTY)):
            v = await plat.read_reg("dma", D.queue_reg(q, reg, nq))
            assert v == want, f"DMA queue {q} register {reg:#x} = {v:#x} after reset, not {want:#x}"
    for sig in ("irq_evtq", "irq_gerror", "irq_cmdq_sync", "irq_dma"):
        assert getattr(dut, sig).value == 0, f"{sig} high after reset"

    # clean restart: a new driver instance, the same RAM
    seed = random.getrandbits(32)
    kw = {"nproc": 8, "rounds": 1, "per_round": 3, "max_len": 6000}
    model = await model_system(plat_kw={"dma_sid": param("DMA_SID", 1), "dma_queues": nq})
    want = await random_workload(model, seed=seed, **kw)
    sys2 = await bring_up(plat, stall=True)
    got = await random_workload(sys2, seed=seed, hook=iso.hook, **kw)
    iso.checkpoint(sys2)
    diffs = compare(want, got)
    assert not diffs, "after the restart RTL and golden model differ:\n" + "\n".join(diffs)
    assert not iso.violations, f"{len(iso.violations)} isolation violations (see log)"


def test_reset():
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        visibility="ports")


@pytest.mark.long
@pytest.mark.parametrize("rep", range(4))
def test_reset_soak(rep):
    """More reset moments (each run draws its own seed)."""
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        visibility="ports")
