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
    smmu_bus = FakeAxil(model, "smmu", 0x1000_0000)
    dma_bus = FakeAxil(model, "dma", 0x2000_0000)
    return BusPlatform(model.mem, model.ram_base, model.ram_size,
                       {"smmu": (smmu_bus, 0x1000_0000), "dma": (dma_bus, 0x2000_0000)},
                       {line: (lambda l=line: model._irq(l)) for line in ("evtq", "gerror", "dma")},
                       model.delay), smmu_bus, dma_bus


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_outcome_through_the_bus(name):
    async def body():
        model = ModelPlatform()
        plat, smmu_bus, dma_bus = bus_platform(model)
        sys = await bring_up(plat)
        via_bus = await SCENARIOS[name](sys)
        direct = await SCENARIOS[name](await model_system())
        assert compare(via_bus, direct) == []
        assert model.check_coherent() == []
        assert plat.reg_reads + plat.reg_writes == len(smmu_bus.log) + len(dma_bus.log) > 0
        assert all(0x1000_0000 <= e[1] < 0x1002_0000 for e in smmu_bus.log)
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
