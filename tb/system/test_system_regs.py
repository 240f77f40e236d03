"""system_top register window: the SMMU and every accelerator reachable at their documented
bases (pasidsim.sysmap), each accelerator reporting its own StreamID, no aliasing between
blocks, back-to-back and stalled traffic; window slots without an accelerator answer DECERR
(never hang, never reach a block)."""

import random

import cocotb
import pytest
from cocotbext.axi.constants import AxiResp

from pasidsim import dma_regs as D
from pasidsim import regs as R
from pasidsim import sysmap
from tb.common.axil import AxilRegs
from tb.common.sim import run
from tb.common.tbutil import PAUSE_MODES, param, start_clock_and_reset
from tb.common.tops import sources


@cocotb.test()
@cocotb.parametrize(pause=list(PAUSE_MODES))
async def window_reaches_every_block(dut, pause):
    await start_clock_and_reset(dut.clk, dut.rst)
    ndev = param("NDEV", sysmap.NDEV)
    smmu = AxilRegs(dut, dut.clk, dut.rst, base=sysmap.SMMU_BASE)
    smmu.set_pause(PAUSE_MODES[pause])
    rd = smmu.read32
    wr = smmu.write32
    idr1 = R.IDR1.decode(await smmu.read("IDR1"))
    assert idr1["SIDSIZE"] == param("SID_BITS", 8)
    for k in range(ndev):
        base = sysmap.dma_base(k)
        assert await rd(base + D.ID) == D.ID_VALUE, f"accelerator {k}"
        assert (await rd(base + D.CAP)) & D.CAP_NQ_MASK == param("NQ", 4)
        assert await rd(base + D.SID_REG) == param("DMA_SID", 1) + k, f"accelerator {k} StreamID"
    # interleaved writes to all blocks land in the right one (same register, other values)
    for _ in range(20):
        q = random.randrange(param("NQ", 4))
        vals = [random.getrandbits(20) for _ in range(ndev)]
        v2 = random.getrandbits(12)
        for k in range(ndev):
            await wr(sysmap.dma_base(k) + D.queue_reg(q, D.QPASID), vals[k])
        await smmu.write("CR1", v2)
        for k in range(ndev):
            assert await rd(sysmap.dma_base(k) + D.queue_reg(q, D.QPASID)) == vals[k], f"dev {k}"
        assert await smmu.read("CR1") == v2
    # the SMMU's page 1 is inside the window too
    await smmu.write("EVENTQ_CONS", 5)
    assert await rd(sysmap.SMMU_BASE + R.EVENTQ_CONS.offset) == 5
    # slots up to the next power of two without an accelerator: DECERR, reads 0, no effect
    slots = 1 << max(1, (ndev - 1).bit_length())
    for k in range(ndev):
        await wr(sysmap.dma_base(k) + D.queue_reg(0, D.QPASID), 0x100 + k)
    for k in range(ndev, slots):
        addr = sysmap.dma_base(k) + D.queue_reg(0, D.QPASID)
        wresp = await smmu.master.write(addr, (0x12345).to_bytes(4, "little"))
        assert wresp.resp == AxiResp.DECERR
        rresp = await smmu.master.read(addr, 4)
        assert rresp.resp == AxiResp.DECERR and bytes(rresp.data) == bytes(4)
    for k in range(ndev):  # and the hole write reached no accelerator
        assert await rd(sysmap.dma_base(k) + D.queue_reg(0, D.QPASID)) == 0x100 + k


@pytest.mark.parametrize("top", ["system_top", "system_sim_dpi"])
def test_system_regs(top):
    run(__name__, top, sources(top), parameters={"SID_BITS": 8, "NQ": 4, "DMA_SID": 3},
        visibility="ports")


@pytest.mark.long
@pytest.mark.parametrize("ndev", [1, 3])
def test_system_regs_ndev(ndev):
    """Other accelerator counts (3: a DECERR hole in slot 3; two device-select ID bits leave
    each accelerator ID_WIDTH - 2 bits, and dma_top needs 3)."""
    extra = {"ID_WIDTH": 5} if ndev > 2 else {}
    run(__name__, "system_top", sources("system_top"),
        parameters={"SID_BITS": 8, "NQ": 4, "DMA_SID": 3, "NDEV": ndev, **extra}, visibility="ports")
