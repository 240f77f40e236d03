"""The two-stage full lookup of smmu_xlate (docs/smmu.md "Pipeline"): the caches' matches
are registered as a request enters the match register (from the front register, a cycle
after it arrives) and the matched entries are selected in the next cycle, possibly much
later when the request waits there (here: behind a miss of its AXI ID). An entry replaced
in between must not be selected for it: the match register drops entries that the caches
change (`ent_chg`) and the request becomes a miss. The requests here miss the micro-TLB
(docs/smmu.md "Micro-TLB"; its own hazard: test_smmu_utlb.py).

Both caches replace FIFO, so after filling every entry once the waiting request's own
entry is the next one replaced. Each hazard test also checks that the replacement did
happen while the request was waiting (the test would otherwise prove nothing). Plus: hits
of two PASIDs (two ASIDs) back to back at one translation per cycle, each one cycle from
the device to the memory port (micro-TLB hits). Default parameters: the build of test_smmu_xlate.
"""

import cocotb
from cocotb.triggers import RisingEdge

from pasidsim import smmuv3 as S
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.sim import run
from tb.common.tops import sources
from tb.common.tbutil import param
from tb.smmu.smmu_tb import DATA, TABLES, TB
from tb.smmu.test_smmu_xlate import fill

SLOW = [(TABLES, TABLES + 0x1000_0000, 200)]    # table reads: a long walk


async def watch(dut, which: str, hits: list):
    """Count clock edges at which an entry that the read channel's registered request
    matched is changed (which: 'cfg' or 'tlb') while that request waits."""
    x = dut.u_xlate_r
    m_oh, chg = (x.m_coh, dut.u_cfgc.ent_chg) if which == "cfg" else (x.m_toh, dut.u_iotlb.ent_chg)
    cycle = 0
    while True:
        await RisingEdge(dut.clk)
        cycle += 1
        if x.m_valid.value and int(m_oh.value) & int(chg.value):
            hits.append(cycle)


def world(tb, n_cd: int, n_pages: int, epd0_cd: int = 0):
    """Stream 0 with CDs 1..n_cd (ASID = CD number) sharing one page table that maps VA
    0x1000*k (k = 1..n_pages) to DATA + 0x1000*k, each page holding its own pattern.
    CD epd0_cd has EPD0=1 (every access F_TRANSLATION)."""
    cdt = CdTable(tb.mem, tb.alloc, n_cd.bit_length(), S.S1FMT_LINEAR)
    tb.strtab.set(0, cdt.ste())
    pt = PageTable(tb.mem, tb.alloc, 25)
    for k in range(1, n_pages + 1):
        pt.map(0x1000 * k, DATA + 0x1000 * k)
        fill(tb, DATA + 0x1000 * k, 0x1000, k)
    for n in range(1, n_cd + 1):
        cdt.set(n, make_cd(pt, n, **({"epd0": 1} if n == epd0_cd else {})))


@cocotb.test()
async def iotlb_entry_replaced_while_waiting(dut):
    """R2 (ID 5, page P, hits) waits in the match register behind R1 (ID 5, page T,
    misses): R1's IOTLB fill replaces P's entry (the FIFO victim once every entry has
    been filled). R2 must read P's data (it walks again), not the data of the page that
    now occupies the entry."""
    tb = TB(dut)
    await tb.start()
    await tb.setup()
    n_tlb = param("IOTLB_ENTRIES", 16)
    world(tb, 1, n_tlb + 1)
    await tb.check_read(0, 0x1000, 8, ssid=1, ssv=True)       # P: IOTLB entry 0
    n0 = len(tb.internal_reads())
    await tb.check_read(0, 0x2000, 8, ssid=1, ssv=True)
    walk = len(tb.internal_reads()) - n0                      # reads of one walk
    assert walk > 0
    for k in range(3, n_tlb + 1):                             # the other entries; victim -> P
        await tb.check_read(0, 0x1000 * k, 8, ssid=1, ssv=True)
    hits = []
    cocotb.start_soon(watch(dut, "tlb", hits))
    tb.target.slow = SLOW
    n1 = len(tb.internal_reads())
    t = 0x1000 * (n_tlb + 1)
    r1 = cocotb.start_soon(tb.check_read(0, t + 8, 8, ssid=1, ssv=True, arid=5, what="R1"))
    r2 = cocotb.start_soon(tb.check_read(0, 0x1010, 8, ssid=1, ssv=True, arid=5, what="R2"))
    await r1
    await r2
    tb.target.slow = []
    assert hits, "the entry R2 matched was not replaced while R2 waited: the test proves nothing"
    assert len(tb.internal_reads()) - n1 == 2 * walk, \
        f"R1 and R2 should both walk ({walk} reads each): {len(tb.internal_reads()) - n1}"
    await tb.check_events()


@cocotb.test()
async def cfg_entry_replaced_while_waiting(dut):
    """R2 (ID 5, PASID 1, cached configuration and IOTLB hit) waits behind R1 (ID 5, a
    PASID whose configuration is not cached): R1's configuration fill replaces PASID 1's
    entry (the FIFO victim once every entry has been filled). R1's CD has EPD0=1 (every
    access F_TRANSLATION), so selecting the replaced entry for R2 would fault it; R2
    must read its data."""
    tb = TB(dut)
    await tb.start()
    await tb.setup()
    n_cfg = param("CFG_ENTRIES", 8)
    world(tb, n_cfg + 1, 1, epd0_cd=n_cfg + 1)
    for n in range(1, n_cfg + 1):                             # every entry; victim -> PASID 1
        await tb.check_read(0, 0x1000, 8, ssid=n, ssv=True)
    await tb.check_read(0, 0x1000, 8, ssid=1, ssv=True)       # PASID 1 still cached: hits
    for n in range(2, 2 + param("UTLB_ENTRIES", 4)):          # and out of the micro-TLB, so
        await tb.check_read(0, 0x1000, 8, ssid=n, ssv=True)   # R2 reaches the match register
    hits = []
    cocotb.start_soon(watch(dut, "cfg", hits))
    tb.target.slow = SLOW
    r1 = cocotb.start_soon(tb.check_read(0, 0x1008, 8, ssid=n_cfg + 1, ssv=True, arid=5,
                                         what="R1"))
    r2 = cocotb.start_soon(tb.check_read(0, 0x1010, 8, ssid=1, ssv=True, arid=5, what="R2"))
    await r1
    await r2
    tb.target.slow = []
    assert hits, "the entry R2 matched was not replaced while R2 waited: the test proves nothing"
    await tb.check_events()


@cocotb.test()
async def back_to_back_pasids(dut):
    """Single-beat hits alternating between two PASIDs with different ASIDs (other AXI
    IDs each): accepted one per cycle, each on the memory port one cycle after its
    device handshake, with the right data."""
    tb = TB(dut)
    await tb.start()
    await tb.setup()
    world(tb, 2, 1)
    for ssid in (1, 2, 1, 2):     # walk, then an IOTLB hit that fills the micro-TLB
        await tb.check_read(0, 0x1000, 8, ssid=ssid, ssv=True)
    k, n, stalls = len(tb.s_ar), len(tb.reads), tb.s_ar_stalls
    rd = [cocotb.start_soon(tb.check_read(0, 0x1000 + 8 * i, 8, ssid=1 + i % 2, ssv=True,
                                          arid=i % 16)) for i in range(16)]
    for r in rd:
        await r
    dev = [c for c, _ in tb.s_ar[k:]]
    mem = [b.cycle for b in tb.reads[n:] if not b.internal]
    assert len(dev) == len(mem) == 16, (dev, mem)
    assert tb.s_ar_stalls == stalls, f"AR stalled {tb.s_ar_stalls - stalls} cycles"
    assert dev == list(range(dev[0], dev[0] + 16)), f"not one per cycle: {dev}"
    assert [m - d for d, m in zip(dev, mem)] == [1] * 16, f"device {dev}, memory {mem}"
    await tb.check_events()


def test_smmu_lookup_hazard():
    run(__name__, "smmu_top", sources("smmu_top"))
