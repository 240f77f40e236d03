"""The driver's RTL backend: pasidsim.driver.platform.Platform on the Verilator system top.

Registers go over AXI-Lite (cocotbext-axi) into the system top's one window
(pasidsim.sysmap); physical memory is the simulation's RAM itself: the HDL-side
DPI RAM (system_sim_dpi, zero-copy) or cocotbext-axi's AxiRam (system_top), both
behind the same PhysMem methods; waits are on the interrupt outputs.
"""

from __future__ import annotations

import struct

from cocotb.triggers import First, ReadOnly, RisingEdge, Timer, ValueChange
from cocotb.utils import get_sim_time
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from pasidsim import sysmap
from pasidsim.driver.bus_backend import BusPlatform

IRQ_SIGNAL = {"evtq": "irq_evtq", "gerror": "irq_gerror", "dma": "irq_dma",
              "cmdq_sync": "irq_cmdq_sync"}


def accelerator_count(dut) -> int:
    """NDEV of the built top: the width of irq_dev (1 for a top without it)."""
    try:
        return len(dut.irq_dev)
    except AttributeError:
        return 1


class AxiRamMem:
    """PhysMem over a cocotbext-axi AxiRam (untimed backdoor access to its storage)."""

    def __init__(self, ram):
        self.ram = ram
        self.size = ram.size

    def read(self, addr: int, n: int) -> bytes:
        return bytes(self.ram.read(addr, n))

    def write(self, addr: int, data: bytes) -> None:
        self.ram.write(addr, bytes(data))

    def read64(self, addr: int) -> int:
        return struct.unpack("<Q", self.read(addr, 8))[0]

    def write64(self, addr: int, value: int) -> None:
        self.write(addr, struct.pack("<Q", value))


class RtlPlatform(BusPlatform):
    """Platform for the driver on system_top / system_sim_dpi: BusPlatform over the
    AXI-Lite master, with interrupt waits that sleep until the line's edge (no polling,
    so no Python runs while the hardware works). One register block and interrupt line
    per accelerator (sysmap.dma_block(k): "dma", "dma1", ...; lines irq_dma, irq_dev[k])."""

    def __init__(self, dut, mem, ram_base: int, ram_size: int, clk_period_ns: int = 4):
        self.dut = dut
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        self.ndev = accelerator_count(dut)
        blocks = {"smmu": (self.axil, sysmap.SMMU_BASE)}
        blocks.update({sysmap.dma_block(k): (self.axil, sysmap.dma_base(k)) for k in range(self.ndev)})
        irqs = {line: (lambda s=getattr(dut, sig): bool(s.value)) for line, sig in IRQ_SIGNAL.items()}
        # accelerator k >= 1: bit k of irq_dev (bit 0 is irq_dma)
        self._dev_bit = {sysmap.dma_block(k): k for k in range(1, self.ndev)}
        for line, k in self._dev_bit.items():
            irqs[line] = lambda k=k: bool((int(dut.irq_dev.value) >> k) & 1)
        self.clk_period_ns = clk_period_ns
        super().__init__(mem, ram_base, ram_size, blocks, irqs, self._sleep_ns)

    async def _sleep_ns(self, ns: int) -> None:
        await Timer(max(int(ns), self.clk_period_ns), unit="ns")

    async def wait_irq(self, line: str, timeout_ns: int) -> bool:
        if line in self._dev_bit:  # one bit of a vector: wake on any change of it
            level = self.irqs[line]
            deadline = get_sim_time("ns") + max(int(timeout_ns), 1)
            while not level():
                left = deadline - get_sim_time("ns")
                if left <= 0:
                    break
                await First(ValueChange(self.dut.irq_dev), Timer(left, unit="ns"))
                await ReadOnly()
            return level()
        if line not in IRQ_SIGNAL:
            return await super().wait_irq(line, timeout_ns)  # raises the driver's error
        sig = getattr(self.dut, IRQ_SIGNAL[line])
        if sig.value == 1:
            return True
        await First(RisingEdge(sig), Timer(max(int(timeout_ns), 1), unit="ns"))
        await ReadOnly()
        return bool(sig.value)
