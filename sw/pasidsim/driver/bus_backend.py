"""A Platform over a 32-bit register bus: the shape of the RTL (cocotb) and FPGA backends.

Nothing here imports cocotb. The testbench (or an FPGA runtime) passes in:

* ``mem``: the physical memory object (``PhysMem``): on the RTL backend the simulation RAM's
  zero-copy backdoor, on an FPGA the DMA-able host buffer;
* ``blocks``: ``{"smmu": (bus, base), "dma": (bus, base), "dma1": ...}`` (one block per
  accelerator, named as ``pasidsim.sysmap.dma_block``) where ``bus`` has
  ``async read_dword(addr) -> int`` and ``async write_dword(addr, value)`` (cocotbext-axi's
  ``AxiLiteMaster`` has exactly these; an FPGA runtime would wrap its BAR mmap);
* ``irqs``: ``{"evtq": fn, "gerror": fn, "dma": fn}``, each ``fn()`` returning the line's level;
* ``sleep(ns)``: an async wait (cocotb ``Timer``; ``asyncio.sleep`` on an FPGA).

``wait_irq`` polls the level every ``poll_ns`` until it is high or the timeout passes.
"""

from __future__ import annotations

import re
from typing import Awaitable, Callable

from .errors import InvalidArgument


class BusPlatform:
    def __init__(self, mem, ram_base: int, ram_size: int, blocks: dict, irqs: dict,
                 sleep: Callable[[int], Awaitable[None]], *, poll_ns: int = 100):
        self.mem, self.ram_base, self.ram_size = mem, ram_base, ram_size
        self.blocks, self.irqs, self._sleep, self.poll_ns = dict(blocks), dict(irqs), sleep, poll_ns
        self.reg_reads = self.reg_writes = 0

    def __repr__(self) -> str:
        return f"BusPlatform({', '.join(self.blocks)})"

    @property
    def dma_blocks(self) -> tuple[str, ...]:
        """The accelerators' blocks in index order: "dma", "dma1", "dma2", ..."""
        names = [b for b in self.blocks if re.fullmatch(r"dma\d*", b)]
        return tuple(sorted(names, key=lambda b: int(b[3:] or 0)))

    def _where(self, block: str, offset: int):
        try:
            bus, base = self.blocks[block]
        except KeyError:
            raise InvalidArgument(self, f"no register block {block!r}") from None
        if offset % 4 or offset < 0:
            raise InvalidArgument(self, f"{block} register offset {offset:#x} not 32-bit aligned")
        return bus, base + offset

    async def read_reg(self, block: str, offset: int) -> int:
        bus, addr = self._where(block, offset)
        self.reg_reads += 1
        return int(await bus.read_dword(addr))

    async def write_reg(self, block: str, offset: int, value: int) -> None:
        bus, addr = self._where(block, offset)
        if not 0 <= value <= 0xFFFF_FFFF:
            raise InvalidArgument(self, f"register value {value!r} is not 32-bit")
        self.reg_writes += 1
        await bus.write_dword(addr, value)

    async def wait_irq(self, line: str, timeout_ns: int) -> bool:
        try:
            level = self.irqs[line]
        except KeyError:
            raise InvalidArgument(self, f"no interrupt line {line!r}") from None
        waited = 0
        while not level():
            if waited >= timeout_ns:
                return False
            await self._sleep(self.poll_ns)
            waited += self.poll_ns
        return True

    async def delay(self, ns: int) -> None:
        await self._sleep(ns)
