"""The driver's RTL backend: pasidsim.driver.platform.Platform on the Verilator system top.

Registers go over AXI-Lite (cocotbext-axi) into the system top's one window
(pasidsim.sysmap); physical memory is the simulation's RAM itself: the HDL-side
DPI RAM (system_sim_dpi, zero-copy) or cocotbext-axi's AxiRam (system_top), both
behind the same PhysMem methods; waits are on the interrupt outputs.
"""

from __future__ import annotations

import struct

from cocotb.triggers import First, ReadOnly, RisingEdge, Timer
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from pasidsim import sysmap
from pasidsim.driver.bus_backend import BusPlatform

BLOCK_BASE = {"smmu": sysmap.SMMU_BASE, "dma": sysmap.DMA_BASE}
IRQ_SIGNAL = {"evtq": "irq_evtq", "gerror": "irq_gerror", "dma": "irq_dma",
              "cmdq_sync": "irq_cmdq_sync"}


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
    so no Python runs while the hardware works)."""

    def __init__(self, dut, mem, ram_base: int, ram_size: int, clk_period_ns: int = 4):
        self.dut = dut
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        blocks = {name: (self.axil, base) for name, base in BLOCK_BASE.items()}
        irqs = {line: (lambda s=getattr(dut, sig): bool(s.value)) for line, sig in IRQ_SIGNAL.items()}
        self.clk_period_ns = clk_period_ns
        super().__init__(mem, ram_base, ram_size, blocks, irqs, self._sleep_ns)

    async def _sleep_ns(self, ns: int) -> None:
        await Timer(max(int(ns), self.clk_period_ns), unit="ns")

    async def wait_irq(self, line: str, timeout_ns: int) -> bool:
        if line not in IRQ_SIGNAL:
            return await super().wait_irq(line, timeout_ns)  # raises the driver's error
        sig = getattr(self.dut, IRQ_SIGNAL[line])
        if sig.value == 1:
            return True
        await First(RisingEdge(sig), Timer(max(int(timeout_ns), 1), unit="ns"))
        await ReadOnly()
        return bool(sig.value)
