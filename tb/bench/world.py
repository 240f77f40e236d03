"""Backdoor set-up of an SMMU + accelerator "world" for the benchmarks (no cocotb here).

The benchmarks must not depend on the driver's command-queue path, and must keep
Python out of the per-cycle path: so tables, page tables, descriptor rings and buffers
are written straight into physical memory (any PhysMem: the DPI RAM's zero-copy view or
cocotbext-axi's AxiRam), and only the few register writes that hardware needs go over
AXI-Lite. Translations need no invalidation commands: the SMMU flushes its caches when
SMMUEN goes 0->1, and the tables are complete before that.

Physical layout (fits the 64 MiB AxiRam of configuration (b) as well):
    TABLES  0x0100_0000  stream table, CD tables, page tables, event queue
    DATA    0x0200_0000  process pages (2 MiB aligned blocks and 4 KiB pages)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Awaitable, Callable

from pasidsim import dma_regs as D
from pasidsim import regs as R
from pasidsim import smmuv3 as S
from pasidsim import sysmap
from pasidsim.dma_desc import COMP_SIZE, DESC_SIZE, Completion, Descriptor, Flags, Opcode
from tb.common.pagetable import CdTable, PageAlloc, PageTable, StreamTable, make_cd

TABLES = 0x0100_0000
TABLES_SIZE = 0x0080_0000
EVTQ = TABLES + TABLES_SIZE      # 32 B x 2^EVTQ_LOG2 records
EVTQ_LOG2 = 6
DATA = 0x0200_0000
BLOCK = 2 << 20

# Process virtual layout (every process the same, like separate address spaces)
RING_VA = 0x0010_0000
COMP_VA = 0x0020_0000
BUF_VA = 0x4000_0000           # buffers: 2 MiB blocks (warm translations) or 4 KiB pages

Read32 = Callable[[int], Awaitable[int]]
Write32 = Callable[[int, int], Awaitable[None]]


class BenchError(RuntimeError):
    """A benchmark workload did not do what it must (then its numbers mean nothing)."""


@dataclass
class Proc:
    """One address space (PASID = ASID = index + 1) with its own page table."""
    pasid: int
    pt: PageTable
    va_to_pa: dict[int, tuple[int, int]] = field(default_factory=dict)  # va base -> (pa, size)

    def pa(self, va: int) -> int:
        for base, (pa, size) in self.va_to_pa.items():
            if base <= va < base + size:
                return pa + (va - base)
        raise BenchError(f"Proc {self.pasid}: va {va:#x} is not mapped")


class World:
    """Tables and process memory in `mem`; registers over `read32`/`write32` (addresses
    relative to the register window: system_top's window or smmu_top's own)."""

    def __init__(self, mem, read32: Read32, write32: Write32, *, smmu_base: int = 0,
                 dma_base: int | None = None, sid: int = 1, cdmax: int = 6,
                 data_end: int = 0x0400_0000, t0sz: int = 25):
        self.mem, self.read32, self.write32 = mem, read32, write32
        self.smmu_base, self.dma_base, self.sid, self.t0sz = smmu_base, dma_base, sid, t0sz
        self.alloc = PageAlloc(mem, TABLES, TABLES_SIZE)
        self.data_next, self.data_end = DATA, data_end
        self.strtab = StreamTable(mem, self.alloc, 4)
        self.cdt = CdTable(mem, self.alloc, cdmax)
        self.strtab.set(sid, self.cdt.ste())
        self.procs: list[Proc] = []

    # ------------------------------------------------------------------ memory
    def palloc(self, size: int, align: int) -> int:
        pa = -(-self.data_next // align) * align
        if pa + size > self.data_end:
            raise BenchError(f"World: {size:#x} bytes do not fit below {self.data_end:#x}")
        self.data_next = pa + size
        return pa

    def new_proc(self, asid: int | None = None, t0sz: int | None = None) -> Proc:
        """A process with its own page table (T0SZ: 25 = 3-level walk, 16 = 4-level);
        its CD carries ASID `asid` (default = PASID)."""
        pasid = len(self.procs) + 1
        if pasid >= 1 << self.cdt.cdmax:
            raise BenchError(f"World: PASID {pasid} beyond S1CDMax {self.cdt.cdmax}")
        p = Proc(pasid, PageTable(self.mem, self.alloc, t0sz or self.t0sz))
        self.cdt.set(pasid, make_cd(p.pt, asid if asid is not None else pasid))
        self.procs.append(p)
        return p

    def map(self, p: Proc, va: int, size: int, page: int = S.PAGE_SIZE) -> int:
        """Map [va, va+size) with `page`-sized leaves onto fresh contiguous PA; returns PA."""
        size = -(-size // page) * page
        pa = self.palloc(size, page)
        for off in range(0, size, page):
            p.pt.map(va + off, pa + off, size=page)
        p.va_to_pa[va] = (pa, size)
        return pa

    # ------------------------------------------------------------------ registers
    async def smmu_write(self, r: R.Register, value: int) -> None:
        await self.write32(self.smmu_base + r.offset, value & 0xFFFF_FFFF)
        if r.width == 64:
            await self.write32(self.smmu_base + r.offset + 4, value >> 32)

    async def smmu_read(self, r: R.Register) -> int:
        return await self.read32(self.smmu_base + r.offset)

    async def enable_smmu(self) -> None:
        """Program the stream table and event queue, then SMMUEN=1 (flushes the caches)."""
        await self.smmu_write(R.STRTAB_BASE, R.STRTAB_BASE.encode(ADDR=self.strtab.base >> 6))
        await self.smmu_write(R.STRTAB_BASE_CFG, R.STRTAB_BASE_CFG.encode(LOG2SIZE=4))
        await self.smmu_write(R.EVENTQ_BASE, R.EVENTQ_BASE.encode(ADDR=EVTQ >> 5,
                                                                  LOG2SIZE=EVTQ_LOG2))
        await self.smmu_write(R.CR2, R.CR2.encode(RECINVSID=1))
        cr0 = R.CR0.encode(SMMUEN=1, EVTQEN=1)
        await self.smmu_write(R.CR0, cr0)
        for _ in range(100):
            if await self.smmu_read(R.CR0ACK) == cr0:
                return
        raise BenchError("SMMU: CR0ACK does not follow CR0")

    async def event_count(self) -> int:
        """Event records the SMMU wrote so far (a clean benchmark run has none)."""
        return (await self.smmu_read(R.EVENTQ_PROD)) & ((2 << EVTQ_LOG2) - 1)

    # ------------------------------------------------------------------ accelerator
    async def dma_write(self, offset: int, value: int) -> None:
        await self.write32(self.dma_base + offset, value)

    async def dma_read(self, offset: int) -> int:
        return await self.read32(self.dma_base + offset)

    async def open_queue(self, q: int, p: Proc, log2size: int = 6) -> "Queue":
        """Ring and completion page mapped in `p`, queue q bound to its PASID, IRQ on."""
        if self.dma_base is None:
            raise BenchError("World: no accelerator in this top")
        self.map(p, RING_VA, DESC_SIZE << log2size)
        self.map(p, COMP_VA, COMP_SIZE << log2size)
        await self.dma_write(D.queue_reg(q, D.QPASID), p.pasid)
        await self.dma_write(D.queue_reg(q, D.QBASE_LO), RING_VA & 0xFFFF_FFC0)
        await self.dma_write(D.queue_reg(q, D.QBASE_HI), RING_VA >> 32)
        await self.dma_write(D.queue_reg(q, D.QSIZE), log2size)
        await self.dma_write(D.queue_reg(q, D.QCTRL), D.QCTRL_EN | D.QCTRL_IRQ_EN)
        return Queue(self, q, p, log2size)


@dataclass
class Queue:
    world: World
    q: int
    proc: Proc
    log2size: int
    tail: int = 0
    pending: list[tuple[Descriptor, int]] = field(default_factory=list)

    def post(self, opcode: int, length: int, src: int = 0, dst: int = 0, pattern: int = 0,
             irq: bool = False) -> None:
        """Write one descriptor (and zero its completion record) into the ring; no doorbell."""
        if len(self.pending) + 1 >= 1 << self.log2size:
            raise BenchError(f"queue {self.q}: ring of {1 << self.log2size} entries is full")
        slot = self.tail
        comp = COMP_VA + slot * COMP_SIZE
        flags = Flags.COMP_REQ | (Flags.IRQ_REQ if irq else 0)
        d = Descriptor(opcode, flags, length, src, dst, pattern, comp)
        mem, p = self.world.mem, self.proc
        mem.write(p.pa(comp), bytes(COMP_SIZE))
        mem.write(p.pa(RING_VA + slot * DESC_SIZE), d.encode())
        self.pending.append((d, comp))
        self.tail = (self.tail + 1) % (1 << self.log2size)

    async def doorbell(self) -> None:
        await self.world.dma_write(D.queue_reg(self.q, D.QTAIL), self.tail)

    def completions(self) -> list[Completion]:
        m, p = self.world.mem, self.proc
        return [Completion.decode(m.read(p.pa(c), COMP_SIZE)) for _, c in self.pending]


def memmove(q: Queue, length: int, src: int, dst: int, irq: bool = False) -> None:
    q.post(Opcode.MEMMOVE, length, src, dst, irq=irq)


SYSTEM_SMMU_BASE = sysmap.SMMU_BASE
SYSTEM_DMA_BASE = sysmap.DMA_BASE
