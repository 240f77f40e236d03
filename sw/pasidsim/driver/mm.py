"""Simulated host: physical page allocator, global PASID space, processes and their address spaces.

An ``Mm`` is a process address space: VMAs created by ``mmap``, and a stage-1 page table in SMMU
format that the SMMU walks directly when the process is bound to a device (SVA). Pages are
populated lazily: by a CPU access (``write``/``read``), by ``mmap(populate=True)``, or by the I/O
page-fault handler (``handle_fault``) when a device touches a page that is not present yet.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .alloc import PAGE_SIZE, IdAllocator, PageAllocator
from .errors import Closed, BadAddress, InvalidArgument, NoSpace
from .pgtable import PROT_EXEC, PROT_READ, PROT_WRITE, PageTable

PASID_BITS = 20
IOMMU_NO_PASID = 0  # PASID 0: traffic without a PASID (Linux IOMMU_NO_PASID)
MMAP_BASE = 0x0000_1000_0000  # where mmap() places regions when no address is given


@dataclass
class Vma:
    start: int
    end: int
    prot: int

    def __repr__(self) -> str:
        p = "".join(c if self.prot & b else "-" for c, b in (("r", PROT_READ), ("w", PROT_WRITE), ("x", PROT_EXEC)))
        return f"Vma[{self.start:#x}-{self.end:#x} {p}]"


class Host:
    """The simulated machine's RAM allocator and the global PASID allocator."""

    def __init__(self, mem, ram_base: int, ram_size: int, *, pasid_bits: int = PASID_BITS):
        self.mem = mem
        self.pages = PageAllocator(mem, ram_base, ram_size)
        # One global PASID space (Linux iommu_global_pasid): PASID 0 is never handed out.
        self.pasids = IdAllocator("PASID", 1, (1 << pasid_bits) - 1)
        self.processes: list[Process] = []
        self._next_pid = 100

    def spawn(self, name: str = "proc", *, va_bits: int = 48) -> "Process":
        p = Process(self, self._next_pid, name, va_bits)
        self._next_pid += 1
        self.processes.append(p)
        return p


class Process:
    def __init__(self, host: Host, pid: int, name: str, va_bits: int):
        self.host, self.pid, self.name = host, pid, name
        self.mm = Mm(self, va_bits)

    def __repr__(self) -> str:
        return f"Process({self.name}, pid={self.pid})"

    async def exit(self) -> None:
        """Tear down the address space: unbind every device (notifier release), free its pages,
        page table and PASID."""
        await self.mm.release()
        if self in self.host.processes:
            self.host.processes.remove(self)


class Mm:
    def __init__(self, proc: Process, va_bits: int):
        self.proc = proc
        self.host = proc.host
        self.pgtable = PageTable(self.host.mem, self.host.pages, va_bits, name=f"mm({proc.name})")
        self.vmas: list[Vma] = []  # sorted by start, non-overlapping
        self.pasid: int | None = None  # assigned at first SVA bind, kept for the mm's lifetime
        self._pasid_holders: set = set()  # SVA domains still attached with this PASID
        self.notifiers: list = []  # objects with async invalidate_range(mm, start, end), release(mm)
        self._pages: dict[int, int] = {}  # page VA -> PA of the populated data page
        self.dead = False
        self._next_va = MMAP_BASE

    def __repr__(self) -> str:
        return f"mm({self.proc.name}, pid={self.proc.pid})"

    def _check_live(self) -> None:
        if self.dead:
            raise Closed(self, "address space already released")

    # ---------------------------------------------------------------- PASID
    def get_pasid(self, limit_bits: int) -> int:
        """The mm's PASID, allocated on first use; must fit a device of ``limit_bits`` PASID bits."""
        self._check_live()
        if self.pasid is None:
            pasid = self.host.pasids.alloc()
            if pasid >> limit_bits:
                self.host.pasids.free(pasid)
                raise NoSpace(self, f"PASID {pasid} does not fit a device with {limit_bits} PASID bits")
            self.pasid = pasid
        elif self.pasid >> limit_bits:
            raise InvalidArgument(self, f"PASID {self.pasid} does not fit a device with {limit_bits} PASID bits")
        return self.pasid

    def hold_pasid(self, owner) -> None:
        """``owner`` uses the PASID: it outlives the mm's exit until ``put_pasid``."""
        if self.pasid is None:
            raise InvalidArgument(self, f"{owner} holds a PASID that was never allocated")
        self._pasid_holders.add(owner)

    def put_pasid(self, owner) -> None:
        self._pasid_holders.discard(owner)
        self._free_pasid_if_unused()

    def _free_pasid_if_unused(self) -> None:
        if self.dead and not self._pasid_holders and self.pasid is not None:
            self.host.pasids.free(self.pasid)
            self.pasid = None

    # ---------------------------------------------------------------- VMAs
    def find_vma(self, va: int) -> Vma | None:
        i = bisect.bisect_right([v.start for v in self.vmas], va) - 1
        if i >= 0 and self.vmas[i].start <= va < self.vmas[i].end:
            return self.vmas[i]
        return None

    def _overlaps(self, start: int, end: int) -> bool:
        return any(v.start < end and start < v.end for v in self.vmas)

    def mmap(self, length: int, prot: int = PROT_READ | PROT_WRITE, *, addr: int | None = None,
             populate: bool = False) -> int:
        """Create a region; returns its VA. New mappings need no TLB invalidation."""
        self._check_live()
        if length <= 0:
            raise InvalidArgument(self, f"mmap: length {length:#x} must be positive")
        if prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC):
            raise InvalidArgument(self, f"mmap: unknown prot bits {prot:#x}")
        length = -(-length // PAGE_SIZE) * PAGE_SIZE
        if addr is None:
            addr = self._next_va
            while self._overlaps(addr, addr + length):
                addr += PAGE_SIZE
            self._next_va = addr + length + PAGE_SIZE  # a guard page between regions
        elif addr % PAGE_SIZE:
            raise InvalidArgument(self, f"mmap: address {addr:#x} not page aligned")
        elif self._overlaps(addr, addr + length):
            raise InvalidArgument(self, f"mmap: [{addr:#x}, {addr + length:#x}) overlaps an existing region")
        if addr + length > 1 << self.pgtable.va_bits:
            raise InvalidArgument(self, f"mmap: [{addr:#x}, {addr + length:#x}) beyond the {self.pgtable.va_bits}-bit address space")
        if populate and prot & PROT_READ and length // PAGE_SIZE > self.host.pages.free_pages:
            raise InvalidArgument(self, f"mmap: populating {length:#x} bytes exceeds free memory")
        vma = Vma(addr, addr + length, prot)
        bisect.insort(self.vmas, vma, key=lambda v: v.start)
        if populate and prot & PROT_READ:
            for va in range(addr, addr + length, PAGE_SIZE):
                self._populate(va, vma)
        return addr

    async def munmap(self, addr: int, length: int) -> None:
        """Remove [addr, addr+length) from the address space: clear PTEs, let every bound device
        invalidate (notifiers issue TLBI + CMD_SYNC), and only then free the data pages."""
        self._check_live()
        if addr % PAGE_SIZE or length <= 0:
            raise InvalidArgument(self, f"munmap: address {addr:#x} not page aligned or length {length:#x} not positive")
        end = addr + (-(-length // PAGE_SIZE) * PAGE_SIZE)
        if not self._overlaps(addr, end):
            raise InvalidArgument(self, f"munmap: [{addr:#x}, {end:#x}) contains no mapping")
        freed = []
        for va in sorted(v for v in self._pages if addr <= v < end):
            self.pgtable.unmap(va, PAGE_SIZE)
            freed.append(self._pages.pop(va))
        new = []
        for v in self.vmas:  # split VMAs around the hole
            if v.end <= addr or v.start >= end:
                new.append(v)
                continue
            if v.start < addr:
                new.append(Vma(v.start, addr, v.prot))
            if v.end > end:
                new.append(Vma(end, v.end, v.prot))
        self.vmas = new
        for n in list(self.notifiers):
            await n.invalidate_range(self, addr, end)
        for pa in freed:
            self.host.pages.free(pa)

    # ---------------------------------------------------------------- paging
    def _populate(self, va: int, vma: Vma) -> int:
        pa = self.host.pages.alloc(0)
        # Leaves are always readable; a write-only VMA is mapped read-write (as arm64 does).
        self.pgtable.map(va, pa, PAGE_SIZE, vma.prot | PROT_READ, pgsize=PAGE_SIZE)
        self._pages[va] = pa
        return pa

    def handle_fault(self, va: int, *, write: bool, exec_: bool = False) -> bool:
        """Populate the page holding ``va`` if the VMA allows the access; False otherwise.
        Called by the I/O page-fault handler and by CPU accesses."""
        if self.dead:
            return False
        vma = self.find_vma(va)
        if vma is None or not vma.prot & PROT_READ and not write:
            return False
        if write and not vma.prot & PROT_WRITE or exec_ and not vma.prot & PROT_EXEC:
            return False
        page = va & ~(PAGE_SIZE - 1)
        if page not in self._pages:
            self._populate(page, vma)
        return True

    def is_present(self, va: int) -> bool:
        return (va & ~(PAGE_SIZE - 1)) in self._pages

    def _pa_for_cpu(self, va: int, write: bool) -> int:
        if not self.handle_fault(va, write=write):
            raise BadAddress(self, f"CPU {'write' if write else 'read'} at {va:#x}: no mapping allows it")
        return self._pages[va & ~(PAGE_SIZE - 1)] + (va & (PAGE_SIZE - 1))

    def write(self, va: int, data: bytes) -> None:
        """CPU store into the address space (populates pages as a CPU fault would)."""
        self._check_live()
        self._check_span(va, len(data), write=True)
        off = 0
        while off < len(data):
            n = min(len(data) - off, PAGE_SIZE - ((va + off) & (PAGE_SIZE - 1)))
            self.host.mem.write(self._pa_for_cpu(va + off, True), data[off:off + n])
            off += n

    def read(self, va: int, n: int) -> bytes:
        """CPU load from the address space (populates pages as a CPU fault would)."""
        self._check_live()
        self._check_span(va, n, write=False)
        out = bytearray()
        while len(out) < n:
            cur = va + len(out)
            k = min(n - len(out), PAGE_SIZE - (cur & (PAGE_SIZE - 1)))
            out += self.host.mem.read(self._pa_for_cpu(cur, False), k)
        return bytes(out)

    def _check_span(self, va: int, n: int, *, write: bool) -> None:
        """Validate a whole CPU access before touching anything (no partial writes)."""
        for page in range(va & ~(PAGE_SIZE - 1), va + n, PAGE_SIZE):
            vma = self.find_vma(page)
            if vma is None or (write and not vma.prot & PROT_WRITE) or not vma.prot & PROT_READ and not write:
                raise BadAddress(self, f"CPU {'write' if write else 'read'} of {n} bytes at {va:#x}: page {page:#x} not accessible")

    # ---------------------------------------------------------------- teardown
    async def release(self) -> None:
        """Process exit: bound devices stop walking this mm (notifier release: quiet CDs,
        TLBI, CMD_SYNC), then pages and tables go. The PASID goes once no device holds it
        any more (its last unbind), so it is never handed to another process while a device
        may still issue DMA with it."""
        if self.dead:
            return
        for n in list(self.notifiers):
            await n.release(self)
        self.notifiers.clear()
        self.pgtable.destroy()
        for pa in self._pages.values():
            self.host.pages.free(pa)
        self._pages.clear()
        self.vmas.clear()
        self.dead = True
        self._free_pasid_if_unused()
