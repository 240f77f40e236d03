"""Bring-up of a whole system (SMMU + accelerator) on any Platform, for scenarios and tests."""

from __future__ import annotations

from dataclasses import dataclass

from .. import dma_regs as D
from .mm import Host
from .smmu import ArmSmmu, Device
from .uacce import Accel


@dataclass
class System:
    plat: object
    host: Host
    smmu: ArmSmmu
    dev: Device
    accel: Accel


async def bring_up(plat, *, dma_ssid_bits: int | None = None, stall: bool = True,
                   pasid_bits: int = 20, **smmu_kw) -> System:
    """Probe the SMMU, register the accelerator's StreamID, probe the accelerator."""
    host = Host(plat.mem, plat.ram_base, plat.ram_size, pasid_bits=pasid_bits)
    smmu = ArmSmmu(plat, host, **smmu_kw)
    await smmu.probe()
    dma_sid = await plat.read_reg("dma", D.SID_REG)  # the accelerator reports its StreamID
    dev = await smmu.add_device("dma0", dma_sid, ssid_bits=dma_ssid_bits, stall=stall)
    accel = Accel(plat, smmu, dev)
    await accel.probe()
    return System(plat, host, smmu, dev, accel)


async def model_system(*, plat_kw: dict | None = None, **kw) -> System:
    from .model_backend import ModelPlatform

    return await bring_up(ModelPlatform(**(plat_kw or {})), **kw)
