"""The platform interface: the only way the driver reaches hardware.

Decision: the driver is written with ``async def``. On the RTL backend every register access is an
AXI-Lite transaction that must be awaited inside cocotb; on the model backend the coroutines never
really suspend and ``asyncio.run`` (or ``run_sync`` below) drives them. The same scenario code,
also ``async``, therefore runs unchanged on both.

A backend provides (keep this list small; a real-FPGA backend would be one more class):

``mem``
    Physical memory, a ``PhysMem`` (``read(pa, n)``, ``write(pa, data)``, ``read64``,
    ``write64``). Accesses through it are *untimed* backdoor accesses: building page tables,
    queues and descriptors costs no simulated time. On an FPGA this is DMA-able host memory
    (e.g. a hugepage mapped with its physical address known).
``ram_base``, ``ram_size``
    The physical range the driver may allocate from.
``read_reg(block, offset)`` / ``write_reg(block, offset, value)``
    32-bit register accesses to a device's register window. ``block`` is ``"smmu"`` or an
    accelerator's block, ``"dma"``, ``"dma1"``, ... (``pasidsim.sysmap.dma_block(k)``); the
    optional attribute ``dma_blocks`` lists them in index order (absent: just ``"dma"``). 64-bit registers are two 32-bit accesses, low word first (see ``Regs64``).
``wait_irq(line, timeout_ns)``
    Wait until interrupt ``line`` (``"evtq"``, ``"gerror"``, or an accelerator's line, named
    as its block) is asserted or the
    timeout elapses; returns whether it is asserted. Level-triggered: it returns at once if the
    line is already high.
``delay(ns)``
    Let the hardware run for a while (used between polls of a register).

Ordering: a backend must make every ``mem`` write visible to the hardware before a later
register write (on an FPGA: a write barrier before each MMIO write; the model and RTL backends are
trivially ordered).
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Protocol, TypeVar, runtime_checkable

from ..memory import PhysMem

T = TypeVar("T")

BLOCKS = ("smmu", "dma")            # the minimum; more accelerators add "dma1", "dma2", ...
IRQ_LINES = ("evtq", "gerror", "dma")


@runtime_checkable
class Platform(Protocol):
    mem: PhysMem
    ram_base: int
    ram_size: int

    async def read_reg(self, block: str, offset: int) -> int: ...
    async def write_reg(self, block: str, offset: int, value: int) -> None: ...
    async def wait_irq(self, line: str, timeout_ns: int) -> bool: ...
    async def delay(self, ns: int) -> None: ...


def run_sync(coro: Awaitable[T]) -> T:
    """Run a driver coroutine to completion on a backend that never really suspends."""
    return asyncio.run(_wrap(coro))


async def _wrap(coro: Awaitable[T]) -> T:
    return await coro
