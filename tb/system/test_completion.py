"""Completion records must never be seen half-written.

Software polls a completion record's status byte and then reads the rest (the driver's
``AccelQueue.wait`` does): status != NONE must mean the whole record is in memory. The DMA
used to write the 32-byte record as one 4-beat burst with the status in the first beat, so
for one cycle the status was visible while fault_addr (beat 1) was still zero. Found by the
random partial-completion workload (tb/system/test_isolation.py, seed 1167174466); this
directed test showed it on every run.
Fixed in dma_ctrl: beats 1..3 go out first and the status beat last, as a second burst
after the first one's B.
"""

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from pasidsim.dma_desc import Completion, Descriptor, Flags, Opcode, Status
from pasidsim.driver.system import bring_up
from tb.common.dpimem import DpiMem
from tb.common.sim import run
from tb.common.tops import sources
from tb.system.rtlsys import rtl_platform

PAGE = 4096


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def completion_record_not_torn(dut):
    """Software polls the status byte of a completion record, then reads the rest: status
    != NONE must mean the whole record is there. Checked every clock cycle while a
    descriptor ends in a partial completion (PAGE_FAULT: fault_addr and bytes_completed
    matter)."""
    mem = DpiMem()
    plat = await rtl_platform(dut, mem)
    sys = await bring_up(plat, stall=False)
    a = sys.host.spawn("A")
    qa = await sys.accel.open_queue(a)
    src = a.mm.mmap(2 * PAGE, populate=True)
    dst = a.mm.mmap(2 * PAGE)  # not present: the first write faults
    comp = a.mm.mmap(PAGE, populate=True)
    a.mm.write(comp, bytes(64))
    pa = a.mm._pages[comp]
    await qa.submit(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 2 * PAGE, src, dst + 8, 0, comp))
    torn = []
    for cycle in range(20_000):
        await RisingEdge(dut.clk)
        await ReadOnly()
        rec = Completion.decode(mem.read(pa, 32))
        if rec.status != Status.NONE:
            if rec.fault_addr == 0:
                torn.append((cycle, rec))
            else:
                break
    else:
        raise AssertionError("no completion record within 20000 cycles")
    assert rec.status == Status.PAGE_FAULT and rec.fault_addr >> 12 == dst >> 12, rec
    assert not torn, (f"status visible before fault_addr for {len(torn)} cycle(s): "
                      f"first {torn[0][1]} at cycle {torn[0][0]}, then {rec}")


def test_completion_record_not_torn():
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        testcase="completion_record_not_torn", visibility="ports")
