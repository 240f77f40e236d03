"""ID allocators and the buddy page allocator of the driver."""

import pytest

from pasidsim.driver.alloc import PAGE_SIZE, IdAllocator, PageAllocator
from pasidsim.driver.errors import InvalidArgument, NoMemory, NoSpace


class DictMem:
    """Minimal PhysMem stand-in (the allocator only zeroes pages through write)."""

    def __init__(self):
        self.writes = []

    def write(self, addr, data):
        self.writes.append((addr, len(data)))


def test_id_lowest_free_and_reserved():
    a = IdAllocator("PASID", 0, 7, reserved=(0, 3))
    got = [a.alloc() for _ in range(6)]
    assert got == [1, 2, 4, 5, 6, 7]
    with pytest.raises(NoSpace, match="PASID space exhausted"):
        a.alloc()
    a.free(5)
    a.free(2)
    assert a.alloc() == 2  # lowest first
    assert a.alloc() == 5


def test_id_errors_leave_state():
    a = IdAllocator("ASID", 1, 4)
    x = a.alloc()
    with pytest.raises(InvalidArgument, match="ASID 3 which is not allocated"):
        a.free(3)
    a.free(x)
    with pytest.raises(InvalidArgument, match="not allocated"):
        a.free(x)  # double free
    assert a.in_use == 0
    assert a.alloc_specific(3) == 3
    with pytest.raises(NoSpace, match="already allocated"):
        a.alloc_specific(3)
    assert [a.alloc() for _ in range(3)] == [1, 2, 4]
    with pytest.raises(InvalidArgument, match="reserved|outside"):
        IdAllocator("X", 0, 3, reserved=(0,)).alloc_specific(0)


def test_pages_aligned_zeroed_and_merge():
    mem = DictMem()
    p = PageAllocator(mem, 0x10_0000, 64 * PAGE_SIZE)
    total = p.free_pages
    assert total == 64
    a = p.alloc(0)
    b = p.alloc(4)
    assert b % (16 * PAGE_SIZE) == 0
    assert (a, PAGE_SIZE) in mem.writes and (b, 16 * PAGE_SIZE) in mem.writes
    assert p.free_pages == total - 17
    p.free(a)
    p.free(b)
    assert p.free_pages == total
    # After merging, the whole region is one block again.
    assert p.alloc(6) == 0x10_0000
    with pytest.raises(NoMemory, match="no free block"):
        p.alloc(0)


def test_pages_bad_free_and_unaligned_region():
    p = PageAllocator(DictMem(), 0, 8 * PAGE_SIZE)
    a = p.alloc(1)
    with pytest.raises(InvalidArgument, match="not an allocated block"):
        p.free(a + PAGE_SIZE)
    p.free(a)
    with pytest.raises(InvalidArgument, match="not an allocated block"):
        p.free(a)
    with pytest.raises(InvalidArgument, match="not page aligned"):
        PageAllocator(DictMem(), 0x800, PAGE_SIZE)
    assert PageAllocator.order_for(1) == 0 and PageAllocator.order_for(PAGE_SIZE + 1) == 1
