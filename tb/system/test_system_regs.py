"""system_top register window: both blocks reachable at their documented bases
(pasidsim.sysmap), no aliasing between them, back-to-back and stalled traffic."""

import random

import cocotb
import pytest

from pasidsim import dma_regs as D
from pasidsim import regs as R
from pasidsim import sysmap
from tb.common.axil import AxilRegs
from tb.common.sim import run
from tb.common.tbutil import PAUSE_MODES, param, start_clock_and_reset
from tb.common.tops import sources


@cocotb.test()
@cocotb.parametrize(pause=list(PAUSE_MODES))
async def window_reaches_both_blocks(dut, pause):
    await start_clock_and_reset(dut.clk, dut.rst)
    smmu = AxilRegs(dut, dut.clk, dut.rst, base=sysmap.SMMU_BASE)
    smmu.set_pause(PAUSE_MODES[pause])
    rd = smmu.read32
    wr = smmu.write32
    idr1 = R.IDR1.decode(await smmu.read("IDR1"))
    assert idr1["SIDSIZE"] == param("SID_BITS", 8)
    assert await rd(sysmap.DMA_BASE + D.ID) == D.ID_VALUE
    assert (await rd(sysmap.DMA_BASE + D.CAP)) & D.CAP_NQ_MASK == param("NQ", 4)
    assert await rd(sysmap.DMA_BASE + D.SID_REG) == param("DMA_SID", 1)
    # interleaved writes to both blocks land in the right one
    for _ in range(20):
        v1 = random.getrandbits(20)
        v2 = random.getrandbits(12)
        q = random.randrange(param("NQ", 4))
        await wr(sysmap.DMA_BASE + D.queue_reg(q, D.QPASID), v1)
        await smmu.write("CR1", v2)
        assert await rd(sysmap.DMA_BASE + D.queue_reg(q, D.QPASID)) == v1
        assert await smmu.read("CR1") == v2
    # the SMMU's page 1 is inside the window too
    await smmu.write("EVENTQ_CONS", 5)
    assert await rd(sysmap.SMMU_BASE + R.EVENTQ_CONS.offset) == 5


@pytest.mark.parametrize("top", ["system_top", "system_sim_dpi"])
def test_system_regs(top):
    run(__name__, top, sources(top), parameters={"SID_BITS": 8, "NQ": 4, "DMA_SID": 3},
        visibility="ports")
