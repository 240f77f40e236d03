"""Stage-1 page-table builder: page sizes, validation before writing, unmap rules."""

import pytest

from pasidsim import smmuv3 as fmt
from pasidsim.driver.alloc import PageAllocator
from pasidsim.driver.errors import AlreadyExists, InvalidArgument, NotFound, NoMemory
from pasidsim.driver.pgtable import (PROT_READ, PROT_WRITE, SZ_1G, SZ_2M, SZ_4K, PageTable,
                                     start_level)

RW = PROT_READ | PROT_WRITE


class Mem:
    def __init__(self):
        self.d = {}

    def read(self, a, n):
        return bytes(self.d.get(a + i, 0) for i in range(n))

    def write(self, a, data):
        for i, b in enumerate(data):
            if b or (a + i) in self.d:
                self.d[a + i] = b

    def read64(self, a):
        return int.from_bytes(self.read(a, 8), "little")

    def write64(self, a, v):
        self.write(a, v.to_bytes(8, "little"))


def snapshot(mem):
    return {k: v for k, v in mem.d.items() if v}


@pytest.fixture
def pt():
    mem = Mem()
    pages = PageAllocator(mem, 0x4000_0000, 64 * SZ_4K)
    return PageTable(mem, pages, 48, name="t")


def hw_walk(mem, root, va, va_bits=48):
    """Independent walk using only the smmuv3 decoder: returns (pa, level)."""
    table = root
    for level in fmt.levels_for_t0sz(64 - va_bits):
        d = fmt.Pte.decode(mem.read64(table + 8 * ((va >> fmt.LEVEL_SHIFT[level]) & 511)), level)
        if d.type == "table":
            table = d.oa
            continue
        if d.is_leaf:
            return d.oa + (va & (d.size - 1)), level
        return None
    return None


def test_start_levels_match_format_rule():
    for bits in range(25, 49):
        assert start_level(bits) == fmt.levels_for_t0sz(64 - bits)[0]


def test_auto_page_sizes(pt):
    # 1G-aligned VA and PA, 1G + 2M + 4K: one of each size.
    leaves = pt.map(SZ_1G, 2 * SZ_1G, SZ_1G + SZ_2M + SZ_4K, RW)
    assert [lf.size for lf in leaves] == [SZ_1G, SZ_2M, SZ_4K]
    for va in (SZ_1G, SZ_1G + 0x1234, 2 * SZ_1G + 0x10_0008, 2 * SZ_1G + SZ_2M + 0xFFF):
        assert hw_walk(pt.mem, pt.root, va)[0] == va + SZ_1G
    assert hw_walk(pt.mem, pt.root, SZ_1G)[1] == 1
    assert hw_walk(pt.mem, pt.root, 2 * SZ_1G)[1] == 2
    assert hw_walk(pt.mem, pt.root, 2 * SZ_1G + SZ_2M + SZ_4K) is None


def test_forced_pgsize_and_permissions(pt):
    pt.map(0x20_0000, 0x80_0000, SZ_2M, PROT_READ, pgsize=SZ_4K)
    assert pt.lookup(0x20_0000).size == SZ_4K
    lf = pt.lookup(0x3F_F000)
    assert lf.pa == 0x9F_F000 and lf.prot & PROT_WRITE == 0


def test_misaligned_rejected_without_writes(pt):
    before = snapshot(pt.mem)
    for args, kw in [((0x1001, 0x2000, SZ_4K), {}), ((0x1000, 0x2001, SZ_4K), {}),
                     ((0x1000, 0x2000, 0x800), {}), ((0x1000, 0x2000, SZ_4K), {"pgsize": SZ_2M}),
                     ((0x1000, 0x2000, SZ_4K), {"pgsize": 0x3000}),
                     ((1 << 48, 0, SZ_4K), {}), ((0x1000, 0x2000, SZ_4K, PROT_WRITE), {})]:
        with pytest.raises(InvalidArgument, match=r"PageTable\(t, .*\): map: "):
            pt.map(*args, **kw)
    assert snapshot(pt.mem) == before


def test_overlap_rejected_and_nothing_written(pt):
    pt.map(0x40_0000, 0x100_0000, SZ_2M, RW)  # a 2M block
    before = snapshot(pt.mem)
    with pytest.raises(AlreadyExists, match="overlaps the mapping at 0x400000"):
        pt.map(0x3F_E000, 0x200_0000, 3 * SZ_4K, RW)  # first two pages free, third hits the block
    assert snapshot(pt.mem) == before
    pt.map(0x1000, 0x5000, SZ_4K, RW)
    with pytest.raises(AlreadyExists, match="replace a table"):
        pt.map(0, 0x20_0000, SZ_2M, RW, pgsize=SZ_2M)


def test_unmap_rules(pt):
    pt.map(0x40_0000, 0x100_0000, SZ_2M, RW)
    pt.map(0x80_0000, 0x200_0000, 2 * SZ_4K, RW)
    before = snapshot(pt.mem)
    with pytest.raises(InvalidArgument, match="would split the 0x200000 mapping"):
        pt.unmap(0x40_1000, SZ_4K)
    with pytest.raises(NotFound, match="0x802000 .* is not mapped"):
        pt.unmap(0x80_0000, 3 * SZ_4K)
    assert snapshot(pt.mem) == before
    removed = pt.unmap(0x40_0000, SZ_2M)
    assert [(lf.va, lf.size) for lf in removed] == [(0x40_0000, SZ_2M)]
    assert pt.lookup(0x40_0000) is None and hw_walk(pt.mem, pt.root, 0x40_0000) is None
    assert pt.translate(0x80_1008) == 0x200_1008


def test_out_of_table_pages_is_atomic():
    mem = Mem()
    pages = PageAllocator(mem, 0, 3 * SZ_4K)
    pt = PageTable(mem, pages, 48)
    before = snapshot(mem)
    with pytest.raises(NoMemory, match="needs 3 table pages"):
        pt.map(0x1000, 0x10_0000, SZ_4K, RW)  # needs L1, L2, L3 tables; only 2 pages left
    assert snapshot(mem) == before and pages.free_pages == 2


def test_39bit_table_and_destroy():
    mem = Mem()
    pages = PageAllocator(mem, 0, 16 * SZ_4K)
    pt = PageTable(mem, pages, 39)
    assert pt.start_level == 1
    pt.map(SZ_1G, 0, SZ_1G, RW)
    pt.map(0x7F_FFFF_F000, 0x1000, SZ_4K, RW)
    assert hw_walk(mem, pt.root, 0x7F_FFFF_F123, 39)[0] == 0x1123
    free = pages.free_pages
    pt.destroy()
    assert pages.free_pages == free + 3  # root + L2 + L3
    with pytest.raises(InvalidArgument, match="destroyed"):
        pt.map(0, 0, SZ_4K)
