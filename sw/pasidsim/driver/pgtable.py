"""Stage-1 page tables in SMMU (VMSAv8-64, 4 KB granule) format: the project's one builder.

``PageTable(mem, pages, va_bits)`` owns a tree of table pages allocated from a ``PageAllocator``;
``map`` / ``unmap`` write descriptors (encoded by ``pasidsim.smmuv3``) straight into physical
memory, which is the only copy of the state (``lookup`` walks memory). Both calls validate the
whole range first and raise before writing anything, so a failed call leaves the table unchanged.
Invalidation is the caller's job: ``unmap`` returns the (va, size) leaves it removed.
Table pages are only freed by ``destroy`` (after the caller's final invalidation + CMD_SYNC).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import smmuv3 as fmt
from .alloc import PAGE_SIZE, PageAllocator
from .errors import AlreadyExists, InvalidArgument, NoMemory, NotFound

PROT_READ = 1
PROT_WRITE = 2
PROT_EXEC = 4

SZ_4K = 1 << 12
SZ_2M = 1 << 21
SZ_1G = 1 << 30
PGSIZES = (SZ_1G, SZ_2M, SZ_4K)
_LEVEL_OF_SIZE = {SZ_4K: 3, SZ_2M: 2, SZ_1G: 1}


def level_shift(level: int) -> int:
    return 12 + 9 * (3 - level)


def start_level(va_bits: int) -> int:
    """First lookup level for a 4 KB granule and an input size of ``va_bits`` (T0SZ = 64 - va_bits)."""
    return 4 - -(-(va_bits - 12) // 9)


@dataclass(frozen=True)
class Leaf:
    va: int  # first VA of the leaf
    pa: int
    size: int
    prot: int


def _leaf_desc(pa: int, level: int, prot: int) -> int:
    ro = not prot & PROT_WRITE
    xn = not prot & PROT_EXEC
    if level == 3:
        return fmt.pte_page(pa, ro=ro, af=True, user=True, xn=xn)
    return fmt.pte_block(pa, level, ro=ro, af=True, user=True, xn=xn)


class PageTable:
    def __init__(self, mem, pages: PageAllocator, va_bits: int = 48, *, name: str = "pgtable"):
        if not 25 <= va_bits <= 48:
            raise InvalidArgument(name, f"va_bits {va_bits} outside 25..48")
        self.mem, self.pages, self.name = mem, pages, name
        self.va_bits = va_bits
        self.t0sz = 64 - va_bits
        self.start_level = start_level(va_bits)
        self.root = pages.alloc(0)
        self._tables = [self.root]
        self.destroyed = False

    def __repr__(self) -> str:
        return f"PageTable({self.name}, root={self.root:#x}, {self.va_bits}-bit)"

    # ------------------------------------------------------------------ helpers
    def _index(self, va: int, level: int) -> int:
        return (va >> level_shift(level)) & 0x1FF

    def _entry_addr(self, table: int, va: int, level: int) -> int:
        return table + 8 * self._index(va, level)

    def _check_live(self) -> None:
        if self.destroyed:
            raise InvalidArgument(self, "page table already destroyed")

    def _check_range(self, va: int, size: int, what: str) -> None:
        if size <= 0:
            raise InvalidArgument(self, f"{what}: size {size:#x} must be positive")
        if va % PAGE_SIZE or size % PAGE_SIZE:
            raise InvalidArgument(self, f"{what}: va {va:#x} / size {size:#x} not 4 KB aligned")
        if va < 0 or va + size > 1 << self.va_bits:
            raise InvalidArgument(self, f"{what}: [{va:#x}, {va + size:#x}) outside the {self.va_bits}-bit input range")

    def _walk(self, va: int, stop_level: int = 3):
        """Yield (level, entry_addr, decoded) from the start level down to stop_level or a non-table."""
        table = self.root
        for level in range(self.start_level, stop_level + 1):
            ea = self._entry_addr(table, va, level)
            d = fmt.Pte.decode(self.mem.read64(ea), level)
            yield level, ea, d
            if d.type != "table":
                return
            table = d.oa

    # ------------------------------------------------------------------ queries
    def lookup(self, va: int) -> Leaf | None:
        """Software walk: the leaf mapping ``va`` or None."""
        for level, _ea, d in self._walk(va):
            if d.type in ("block", "page"):
                size = 1 << level_shift(level)
                prot = PROT_READ | (0 if d.readonly else PROT_WRITE) | (0 if d.xn else PROT_EXEC)
                base = va & ~(size - 1)
                return Leaf(base, d.oa, size, prot)
        return None

    def translate(self, va: int) -> int | None:
        leaf = self.lookup(va)
        return None if leaf is None else leaf.pa + (va - leaf.va)

    def leaves(self):
        """Every mapped leaf, in VA order (for comparisons between backends)."""
        def rec(table, level, base):
            for i in range(512):
                d = fmt.Pte.decode(self.mem.read64(table + 8 * i), level)
                va = base + (i << level_shift(level))
                if d.type == "table":
                    yield from rec(d.oa, level + 1, va)
                elif d.type in ("block", "page"):
                    yield self.lookup(va)
        yield from rec(self.root, self.start_level, 0)

    @property
    def table_pages(self) -> int:
        return len(self._tables)

    # ------------------------------------------------------------------ map
    def map(self, va: int, pa: int, size: int, prot: int = PROT_READ | PROT_WRITE,
            *, pgsize: int | None = None) -> list[Leaf]:
        """Map [va, va+size) to [pa, pa+size). ``pgsize`` forces one page size, else the largest
        size that alignment and existing tables allow is used for each piece."""
        self._check_live()
        self._check_range(va, size, "map")
        if pa % PAGE_SIZE or pa < 0:
            raise InvalidArgument(self, f"map: pa {pa:#x} not 4 KB aligned")
        if not prot & PROT_READ:
            raise InvalidArgument(self, f"map: prot {prot:#x} lacks PROT_READ (stage 1 cannot express write-only or no-access leaves)")
        if pgsize is not None:
            if pgsize not in PGSIZES:
                raise InvalidArgument(self, f"map: page size {pgsize:#x} not one of 4K/2M/1G")
            if va % pgsize or pa % pgsize or size % pgsize:
                raise InvalidArgument(self, f"map: va {va:#x}, pa {pa:#x}, size {size:#x} not aligned to page size {pgsize:#x}")
            if self.start_level > _LEVEL_OF_SIZE[pgsize]:
                raise InvalidArgument(self, f"map: page size {pgsize:#x} larger than a {self.va_bits}-bit table allows")
        plan, new_tables = self._plan_map(va, pa, size, pgsize)
        if new_tables > self.pages.free_pages:
            raise NoMemory(self, f"map needs {new_tables} table pages, {self.pages.free_pages} free")
        out = []
        for lva, lpa, level in plan:
            ea = self._ensure_path(lva, level)
            self.mem.write64(ea, _leaf_desc(lpa, level, prot))
            out.append(Leaf(lva, lpa, 1 << level_shift(level), prot))
        return out

    def _plan_map(self, va, pa, size, pgsize):
        """Validate and plan: list of (va, pa, level); count of table pages to create."""
        plan = []
        # Tables the plan will create, keyed by (level of the table, va prefix), so they are counted once.
        created: set[tuple[int, int]] = set()
        off = 0
        while off < size:
            cva, cpa = va + off, pa + off
            level = self._choose_level(cva, cpa, size - off, pgsize)
            # Conflict check along the existing path.
            for lvl, _ea, d in self._walk(cva, level):
                if d.type in ("block", "page"):
                    raise AlreadyExists(self, f"map: [{va:#x}, {va + size:#x}) overlaps the mapping at {cva:#x}")
                if lvl == level and d.type == "table":
                    raise AlreadyExists(self, f"map: {cva:#x} size {1 << level_shift(level):#x} would replace a table holding smaller mappings")
            # Which tables on the path do not exist yet?
            existing = sum(1 for lvl, _ea, d in self._walk(cva, level) if d.type == "table")
            for lvl in range(self.start_level + 1 + existing, level + 1):
                created.add((lvl, cva >> level_shift(lvl - 1)))
            plan.append((cva, cpa, level))
            off += 1 << level_shift(level)
        return plan, len(created)

    def _choose_level(self, va, pa, remaining, pgsize):
        if pgsize is not None:
            return _LEVEL_OF_SIZE[pgsize]
        for sz in PGSIZES:
            level = _LEVEL_OF_SIZE[sz]
            if level < self.start_level or va % sz or pa % sz or remaining < sz:
                continue
            # Do not put a block where a table already exists (it would hide smaller mappings).
            path = list(self._walk(va, level))
            if path[-1][0] == level and path[-1][2].type == "table":
                continue
            return level
        return 3

    def _ensure_path(self, va: int, level: int) -> int:
        """Entry address for ``va`` at ``level``, creating zeroed tables on the way (each table is
        zeroed before the descriptor pointing to it is written)."""
        table = self.root
        for lvl in range(self.start_level, level):
            ea = self._entry_addr(table, va, lvl)
            d = fmt.Pte.decode(self.mem.read64(ea), lvl)
            if d.type == "table":
                table = d.oa
                continue
            assert d.type == "invalid", "plan phase guarantees no leaf on the path"
            nxt = self.pages.alloc(0)
            self._tables.append(nxt)
            self.mem.write64(ea, fmt.pte_table(nxt))
            table = nxt
        return self._entry_addr(table, va, level)

    # ------------------------------------------------------------------ unmap
    def unmap(self, va: int, size: int) -> list[Leaf]:
        """Unmap exactly [va, va+size): every page in it must be mapped and no leaf may straddle
        its ends. Returns the removed leaves (the caller invalidates them)."""
        self._check_live()
        self._check_range(va, size, "unmap")
        plan = []
        off = 0
        while off < size:
            cva = va + off
            leaf = None
            for level, ea, d in self._walk(cva):
                if d.type in ("block", "page"):
                    leaf = (ea, self.lookup(cva))
            if leaf is None:
                raise NotFound(self, f"unmap: {cva:#x} in [{va:#x}, {va + size:#x}) is not mapped")
            ea, lf = leaf
            if lf.va != cva or lf.va + lf.size > va + size:
                raise InvalidArgument(self, f"unmap: [{va:#x}, {va + size:#x}) would split the {lf.size:#x} mapping at {lf.va:#x}")
            plan.append((ea, lf))
            off += lf.size
        for ea, _lf in plan:
            self.mem.write64(ea, 0)
        return [lf for _ea, lf in plan]

    # ------------------------------------------------------------------ teardown
    def destroy(self) -> None:
        """Free every table page. Only after the hardware can no longer walk this table."""
        self._check_live()
        for t in self._tables:
            self.pages.free(t)
        self._tables = []
        self.destroyed = True
