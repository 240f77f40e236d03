"""IOTLB entries of one ASID never overlap (smmu_iotlb drops a fill that an entry of its
ASID already overlaps at either size), so a lookup hits one entry and its one-hot select
returns that entry's output address, never a mix of two. The case that could make two
entries: software remaps a 4 KB page as part of a 2 MB block (or the reverse) without a
TLBI. Each read must then return the data of one of the translations the tables have
held (the stale entry or the new walk); after an invalidation the new mapping is cached
and hits. The golden model keeps no TLB, so these reads are checked against memory
directly.
"""

import cocotb
from cocotbext.axi import AxiResp

from pasidsim import smmuv3 as S
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.sim import run
from tb.common.tops import sources
from tb.smmu.smmu_tb import DATA, TB

SID = 2
REGION = 0x20_0000                  # VA of the 2 MB region
PAGE_PA = DATA + 0x5000             # the 4 KB mapping of its first page
BLOCK_PA = DATA + 0x60_0000         # the 2 MB mapping (PAGE_PA | BLOCK_PA is a third page)


def fill_pages(tb):
    """A distinct 8-byte tag at every address a read below could reach."""
    tags = {}
    for base in (PAGE_PA, BLOCK_PA, PAGE_PA | BLOCK_PA, BLOCK_PA + 0x1000,
                 (PAGE_PA | BLOCK_PA) + 0x1000):
        for off in (0x10, 0x20):
            tag = (base + off).to_bytes(8, "little")
            tb.mem.write(base + off, tag)
            tags[base + off] = tag
    return tags


async def read8(tb, va):
    resp = await tb.read(SID, va, 8)
    assert resp.resp == AxiResp.OKAY, f"read of {va:#x}: {resp.resp}"
    return bytes(resp.data)


async def walks(tb, va):
    """Read `va` and return the number of table reads it caused."""
    n = len(tb.internal_reads())
    data = await read8(tb, va)
    return data, len(tb.internal_reads()) - n


async def remap_case(tb, page_first):
    pt = PageTable(tb.mem, tb.alloc, 25)
    cdt = CdTable(tb.mem, tb.alloc, 0, S.S1FMT_LINEAR)
    tb.strtab.set(SID, cdt.ste())
    cdt.set(0, make_cd(pt, 9))
    tags = fill_pages(tb)
    page = S.pte_page(PAGE_PA)
    block = S.pte_block(BLOCK_PA, 2)
    if page_first:
        pt.map(REGION, PAGE_PA)                      # level-3 table under the region
        old = {REGION + 0x10: PAGE_PA + 0x10}
        new = {REGION + 0x10: BLOCK_PA + 0x10, REGION + 0x1020: BLOCK_PA + 0x1020}
    else:
        pt.map(REGION, BLOCK_PA, size=0x20_0000)
        old = {REGION + 0x10: BLOCK_PA + 0x10, REGION + 0x1020: BLOCK_PA + 0x1020}
        new = {REGION + 0x10: PAGE_PA + 0x10}
    first = REGION + 0x10
    assert await read8(tb, first) == tags[old[first]], "first mapping"
    # remap without a TLBI: page -> block (the level-2 descriptor becomes a block), or
    # block -> a table with one page (the cached block still covers the whole region, so
    # nothing in it misses)
    if page_first:
        pt.set_raw(REGION, 2, block)
        other = REGION + 0x1020                      # not cached: walks the block
        data, n = await walks(tb, other)
        assert n > 0 and data == tags[new[other]], f"{other:#x}: walk of the new block"
    else:
        table = tb.alloc.alloc()
        tb.mem.write64(table, page)                  # entry 0: the region's first page
        pt.set_raw(REGION, 2, S.pte_table(table))
    # the cached translation and the new walk's fill now overlap: either is allowed,
    # a mix (OR of the two entries' addresses) is not
    allowed = {tags[old[first]], tags[new[first]]}
    for _ in range(2):
        data = await read8(tb, first)
        assert data in allowed, \
            f"{first:#x} read {data.hex()}, expected one of {[a.hex() for a in allowed]}"
    # after an invalidation (SMMUEN 0->1 flushes) the new tables are cached and hit
    await tb.enable(False)
    await tb.enable(True)
    data, n = await walks(tb, first)
    assert n > 0 and data == tags[new[first]], f"{first:#x} after the flush: {data.hex()}"
    data, n = await walks(tb, first)
    assert n == 0 and data == tags[new[first]], f"{first:#x} must hit after its walk"


@cocotb.test()
@cocotb.parametrize(page_first=[True, False])
async def remap_without_tlbi(dut, page_first):
    """page_first: 4 KB page cached, region remapped as a 2 MB block, another page of it
    walked. Else: 2 MB block cached, region remapped as 4 KB pages: the block serves until
    the flush."""
    tb = TB(dut)
    await tb.start()
    await tb.setup()
    await remap_case(tb, page_first)


def test_smmu_iotlb_overlap():
    run(__name__, "smmu_top", sources("smmu_top"))
