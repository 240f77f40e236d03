"""ID allocators (ASID, PASID) and the physical page allocator (buddy) over a PhysMem.

Allocators only hand out and take back numbers; the driver is responsible for freeing an ID or a
page only after the hardware can no longer use it (tables rewritten, invalidation + CMD_SYNC done).
"""

from __future__ import annotations

import heapq
from typing import Iterable

from .errors import InvalidArgument, NoMemory, NoSpace

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT


class IdAllocator:
    """Lowest-free allocator for IDs in [lo, hi], with permanently reserved IDs.

    Freed IDs are reused lowest first (like Linux's IDA), which makes reuse bugs (an ID handed out
    again before its invalidation completed) show up in tests instead of hiding behind a counter.
    """

    def __init__(self, name: str, lo: int, hi: int, reserved: Iterable[int] = ()):
        if lo < 0 or hi < lo:
            raise InvalidArgument(f"IdAllocator({name})", f"empty or negative range [{lo}, {hi}]")
        self.name = name
        self.lo, self.hi = lo, hi
        self._reserved = frozenset(reserved)
        self._used: set[int] = set()
        self._freed: list[int] = []  # min-heap of IDs below _next that are free again
        self._next = lo

    def __repr__(self) -> str:
        return f"IdAllocator({self.name}, [{self.lo}, {self.hi}], {len(self._used)} used)"

    def _skip_reserved(self) -> None:
        while self._next <= self.hi and self._next in self._reserved:
            self._next += 1

    def alloc(self) -> int:
        if self._freed:
            i = heapq.heappop(self._freed)
        else:
            self._skip_reserved()
            if self._next > self.hi:
                raise NoSpace(self, f"{self.name} space exhausted ({len(self._used)} in use)")
            i = self._next
            self._next += 1
        self._used.add(i)
        return i

    def alloc_specific(self, i: int) -> int:
        if not self.lo <= i <= self.hi or i in self._reserved:
            raise InvalidArgument(self, f"{self.name} {i} is outside the allocatable range or reserved")
        if i in self._used:
            raise NoSpace(self, f"{self.name} {i} already allocated")
        if i < self._next:
            self._freed.remove(i)
            heapq.heapify(self._freed)
        else:
            for j in range(self._next, i):
                if j not in self._reserved:
                    heapq.heappush(self._freed, j)
            self._next = i + 1
        self._used.add(i)
        return i

    def free(self, i: int) -> None:
        if i not in self._used:
            raise InvalidArgument(self, f"freeing {self.name} {i} which is not allocated")
        self._used.remove(i)
        heapq.heappush(self._freed, i)

    def __contains__(self, i: int) -> bool:
        return i in self._used

    @property
    def in_use(self) -> int:
        return len(self._used)


class PageAllocator:
    """Buddy allocator of 4 KB pages in [base, base + size) of a physical memory object.

    ``alloc(order)`` returns a naturally aligned block of 2**order pages, zeroed by default (page
    tables and queues must start out all-invalid). ``free(pa)`` takes back a block by its address.
    """

    def __init__(self, mem, base: int, size: int, *, max_order: int = 18):
        if base % PAGE_SIZE or size % PAGE_SIZE or size <= 0:
            raise InvalidArgument("PageAllocator", f"region {base:#x}+{size:#x} is not page aligned")
        self.mem = mem
        self.base, self.size = base, size
        self.max_order = max_order
        self._free: list[set[int]] = [set() for _ in range(max_order + 1)]
        self._allocated: dict[int, int] = {}  # pa -> order
        # Carve the region into the largest aligned blocks that fit.
        pa, end = base, base + size
        while pa < end:
            order = max_order
            while order and (pa % (PAGE_SIZE << order) or pa + (PAGE_SIZE << order) > end):
                order -= 1
            self._free[order].add(pa)
            pa += PAGE_SIZE << order

    def __repr__(self) -> str:
        return f"PageAllocator([{self.base:#x}, {self.base + self.size:#x}), {self.free_pages} pages free)"

    @property
    def free_pages(self) -> int:
        return sum(len(s) << o for o, s in enumerate(self._free))

    @staticmethod
    def order_for(nbytes: int) -> int:
        pages = max(1, -(-nbytes // PAGE_SIZE))
        return (pages - 1).bit_length()

    def alloc(self, order: int = 0, *, zero: bool = True) -> int:
        if not 0 <= order <= self.max_order:
            raise InvalidArgument(self, f"order {order} outside 0..{self.max_order}")
        o = order
        while o <= self.max_order and not self._free[o]:
            o += 1
        if o > self.max_order:
            raise NoMemory(self, f"no free block of {1 << order} pages")
        pa = min(self._free[o])  # lowest address first: deterministic layouts across backends
        self._free[o].remove(pa)
        while o > order:  # split, keep the low half
            o -= 1
            self._free[o].add(pa + (PAGE_SIZE << o))
        self._allocated[pa] = order
        if zero:
            self.mem.write(pa, bytes(PAGE_SIZE << order))
        return pa

    def alloc_bytes(self, nbytes: int, *, zero: bool = True) -> int:
        return self.alloc(self.order_for(nbytes), zero=zero)

    def free(self, pa: int) -> None:
        order = self._allocated.pop(pa, None)
        if order is None:
            raise InvalidArgument(self, f"freeing {pa:#x} which is not an allocated block")
        while order < self.max_order:
            buddy = pa ^ (PAGE_SIZE << order)  # blocks are carved absolutely aligned
            if buddy not in self._free[order]:
                break
            self._free[order].remove(buddy)
            pa = min(pa, buddy)
            order += 1
        self._free[order].add(pa)

    def owns(self, pa: int) -> bool:
        return pa in self._allocated

    def block_size(self, pa: int) -> int:
        return PAGE_SIZE << self._allocated[pa]
