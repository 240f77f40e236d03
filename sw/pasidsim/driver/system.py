"""Bring-up of a whole system (SMMU + accelerator) on any Platform, for scenarios and tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import dma_regs as D
from .mm import Host
from .smmu import ArmSmmu, Device
from .uacce import Accel


@dataclass
class System:
    plat: object
    host: Host
    smmu: ArmSmmu
    dev: Device          # accelerator 0 (devs[0])
    accel: Accel         # accels[0]
    devs: list[Device] = field(default_factory=list)
    accels: list[Accel] = field(default_factory=list)


async def bring_up(plat, *, dma_ssid_bits: int | None = None, stall: bool = True,
                   pasid_bits: int = 20, **smmu_kw) -> System:
    """Probe the SMMU, then for each accelerator the platform has (``plat.dma_blocks``,
    default just "dma"): read its StreamID, register it with the SMMU, probe it.
    Accelerator k is device "dma<k>" / Accel "accel<k>"."""
    host = Host(plat.mem, plat.ram_base, plat.ram_size, pasid_bits=pasid_bits)
    smmu = ArmSmmu(plat, host, **smmu_kw)
    await smmu.probe()
    devs, accels = [], []
    for k, block in enumerate(getattr(plat, "dma_blocks", ("dma",))):
        sid = await plat.read_reg(block, D.SID_REG)  # the accelerator reports its StreamID
        dev = await smmu.add_device(f"dma{k}", sid, ssid_bits=dma_ssid_bits, stall=stall)
        accel = Accel(plat, smmu, dev, name=f"accel{k}", block=block)
        await accel.probe()
        devs.append(dev)
        accels.append(accel)
    return System(plat, host, smmu, devs[0], accels[0], devs, accels)


async def model_system(*, plat_kw: dict | None = None, **kw) -> System:
    from .model_backend import ModelPlatform

    return await bring_up(ModelPlatform(**(plat_kw or {})), **kw)
