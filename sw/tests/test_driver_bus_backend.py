"""BusPlatform (the RTL/FPGA backend shape) driven over a fake 32-bit bus whose far side is the
model backend's register file: the same scenarios must give the same outcome as on the model
backend directly, and every register access must go through the bus."""

import asyncio

import pytest

from pasidsim.driver.bus_backend import BusPlatform
from pasidsim.driver.errors import InvalidArgument
from pasidsim.driver.model_backend import ModelPlatform
from pasidsim.driver.scenario import SCENARIOS, compare
from pasidsim.driver.system import bring_up, model_system


class FakeAxil:
    """Stands in for cocotbext-axi's AxiLiteMaster (read_dword / write_dword)."""

    def __init__(self, plat, block, base):
        self.plat, self.block, self.base = plat, block, base
        self.log = []

    async def read_dword(self, addr):
        self.log.append(("r", addr))
        return await self.plat.read_reg(self.block, addr - self.base)

    async def write_dword(self, addr, value):
        self.log.append(("w", addr, value))
        await self.plat.write_reg(self.block, addr - self.base, value)


def bus_platform(model):
    """One fake bus per block: the SMMU at 0x1000_0000, accelerator k at 0x2000_0000 + k MB
    (so a register access that went to the wrong block shows in the address)."""
    smmu_bus = FakeAxil(model, "smmu", 0x1000_0000)
    blocks = {"smmu": (smmu_bus, 0x1000_0000)}
    dma_buses = []
    for k, name in enumerate(reversed(model.dma_blocks)):  # order must not matter
        base = 0x2000_0000 + (len(model.dma_blocks) - 1 - k) * 0x10_0000
        dma_buses.append(FakeAxil(model, name, base))
        blocks[name] = (dma_buses[-1], base)
    lines = ("evtq", "gerror", *model.dma_blocks)
    return BusPlatform(model.mem, model.ram_base, model.ram_size, blocks,
                       {line: (lambda l=line: model._irq(l)) for line in lines},
                       model.delay), smmu_bus, dma_buses


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_outcome_through_the_bus(name):
    async def body():
        model = ModelPlatform()
        plat, smmu_bus, dma_buses = bus_platform(model)
        assert plat.dma_blocks == model.dma_blocks == ("dma", "dma1")
        sys = await bring_up(plat)
        assert [d.sid for d in sys.devs] == [1, 2]
        via_bus = await SCENARIOS[name](sys)
        direct = await SCENARIOS[name](await model_system())
        assert compare(via_bus, direct) == []
        assert model.check_coherent() == []
        assert plat.reg_reads + plat.reg_writes == len(smmu_bus.log) + sum(len(b.log) for b in dma_buses) > 0
        assert all(0x1000_0000 <= e[1] < 0x1002_0000 for e in smmu_bus.log)
        for b in dma_buses:
            assert all(b.base <= e[1] < b.base + 0x1000 for e in b.log)
    asyncio.run(body())


def test_bad_use():
    async def body():
        plat, _, _ = bus_platform(ModelPlatform())
        with pytest.raises(InvalidArgument, match="no register block 'gpu'"):
            await plat.read_reg("gpu", 0)
        with pytest.raises(InvalidArgument, match="not 32-bit aligned"):
            await plat.read_reg("smmu", 2)
        with pytest.raises(InvalidArgument, match="no interrupt line 'nmi'"):
            await plat.wait_irq("nmi", 10)
        assert await plat.wait_irq("dma", 300) is False
    asyncio.run(body())
