"""Directed tests of the SMMU translation path (smmu_top): bypass, stream table, CD tables,
page-table walks, IOTLB and configuration cache, faults with their event records, event
queue wrap and overflow. Every verdict comes from the golden model (pasidsim.smmu_model)
reading the same memory the DUT walks.
"""

import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiResp

from pasidsim import regs as R
from pasidsim import smmuv3 as S
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.sim import run
from tb.common.tops import sources
from tb.smmu.smmu_tb import DATA, EVTQ, TB

PAUSES = ["none", "random"]


def pattern(n, seed=0):
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


def fill(tb, pa, n, seed):
    tb.mem.write(pa, pattern(n, seed))


async def s1_stream(tb, sid, cdmax=0, fmt=S.S1FMT_LINEAR, **ste_kw):
    cdt = CdTable(tb.mem, tb.alloc, cdmax, fmt)
    tb.strtab.set(sid, cdt.ste(**ste_kw))
    return cdt


# ---------------------------------------------------------------------------- bypass
@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def smmuen0_gbpa(dut, pause):
    """SMMUEN=0: GBPA.ABORT=0 passes addresses through; ABORT=1 terminates, no events."""
    tb = TB(dut)
    await tb.start(pause)
    await tb.setup(enable=False)
    fill(tb, DATA, 256, 1)
    await tb.check_read(3, DATA + 8, 64, what="gbpa bypass")
    await tb.check_write(3, DATA + 0x100, pattern(40, 2), what="gbpa bypass")
    await tb.regs.write(R.GBPA, R.GBPA.encode(ABORT=1, UPDATE=1))
    tb.model.set_field("GBPA", "ABORT", 1)
    await tb.check_read(3, DATA + 8, 64, what="gbpa abort")
    await tb.check_write(3, DATA + 0x100, pattern(40, 3), what="gbpa abort")
    await tb.check_events()
    assert not tb.internal_reads(), "SMMUEN=0 must not fetch configuration"


@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def ste_configs(dut, pause):
    """STE.Config abort / bypass / stage-1, invalid STE, reserved configs, StreamID
    beyond the table (recorded only with CR2.RECINVSID=1), SSV on a bypass stream."""
    tb = TB(dut)
    await tb.start(pause)
    await tb.setup(strtab_log2size=3)
    fill(tb, DATA, 0x2000, 4)
    tb.strtab.set(0, S.Ste(v=1, config=S.STE_CFG_ABORT))
    tb.strtab.set(1, S.Ste(v=1, config=S.STE_CFG_BYPASS))
    tb.strtab.set(2, S.Ste(v=0, config=S.STE_CFG_BYPASS))
    tb.strtab.set(3, S.Ste(v=1, config=S.STE_CFG_S2_TRANS))
    tb.strtab.set(4, S.Ste(v=1, config=0b001))
    tb.strtab.set(5, S.Ste(v=1, config=S.STE_CFG_BYPASS, strw=1))
    pt = PageTable(tb.mem, tb.alloc, 25)
    pt.map(0x1000, DATA + 0x1000)
    cdt = await s1_stream(tb, 6)
    cdt.set(0, make_cd(pt, 7))
    for sid in range(8):
        await tb.check_read(sid, 0x1000 + 16, 32, what=f"ste {sid}")
        await tb.check_write(sid, 0x1000 + 64, pattern(16, sid), what=f"ste {sid}")
    await tb.check_read(9, 0x1000, 8, what="sid beyond table")     # C_BAD_STREAMID
    tb.model.set_field("CR2", "RECINVSID", 0)                      # ... not recorded
    await tb.regs.write(R.CR2, tb.model.regs["CR2"])
    await tb.check_read(10, 0x1000, 8, what="sid beyond table, RECINVSID=0")
    tb.model.set_field("CR2", "RECINVSID", 1)
    await tb.regs.write(R.CR2, tb.model.regs["CR2"])
    await tb.check_read(1, 0x1000, 8, ssid=3, ssv=True, what="ssv on bypass")
    await tb.check_events()


# ---------------------------------------------------------------------------- S1DSS / CD tables
@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def s1dss_and_substreams(dut, pause):
    """Every S1DSS value for traffic without a PASID; SSID range checks; SSID 0 with
    S1DSS=SSID0; two PASIDs of one stream with different page tables."""
    tb = TB(dut)
    await tb.start(pause)
    await tb.setup()
    fill(tb, DATA, 0x10000, 5)
    pts = []
    for k in range(4):
        pt = PageTable(tb.mem, tb.alloc, 25)
        pt.map(0x20_0000, DATA + 0x1000 * k)          # same VA, different PA per PASID
        pts.append(pt)
    for sid, dss in enumerate((S.S1DSS_TERMINATE, S.S1DSS_BYPASS, S.S1DSS_SSID0, 0b11)):
        cdt = await s1_stream(tb, sid, cdmax=2, s1dss=dss)
        for ssid in range(4):
            cdt.set(ssid, make_cd(pts[ssid], 10 + ssid))
        for ssv, ssid in ((False, 0), (True, 0), (True, 1), (True, 3)):
            await tb.check_read(sid, 0x20_0000 + 8, 16, ssid=ssid, ssv=ssv, what=f"dss={dss}")
        await tb.check_read(sid, DATA + 8, 16, what=f"dss={dss} no-pasid at PA")  # bypass case
    # S1CDMax=2 on a stream: SSID 4 is out of range
    await tb.check_read(2, 0x20_0000, 8, ssid=4, ssv=True, what="ssid >= 2^S1CDMax")
    # S1CDMax=0: single CD, SSV traffic is C_BAD_SUBSTREAMID
    cdt = await s1_stream(tb, 5)
    cdt.set(0, make_cd(pts[2], 30))
    await tb.check_read(5, 0x20_0000, 8, what="cdmax0 no pasid")
    await tb.check_read(5, 0x20_0000, 8, ssid=1, ssv=True, what="cdmax0 pasid")
    # S1CDMax beyond SSID_BITS
    tb.strtab.set(6, S.Ste(v=1, config=S.STE_CFG_S1_TRANS, s1cdmax=tb.ssid_bits + 1,
                           s1contextptr=cdt.base))
    await tb.check_read(6, 0x20_0000, 8, what="cdmax > ssid bits")
    await tb.check_events()


@cocotb.test()
@cocotb.parametrize(fmt=[S.S1FMT_64K_L2, S.S1FMT_4K_L2])
async def two_level_cd(dut, fmt):
    """Two-level CD tables: leaf tables filled lazily; an absent leaf is
    C_BAD_SUBSTREAMID; PASIDs in different leaves translate through their own tables."""
    tb = TB(dut)
    await tb.start("random", latency=2)
    await tb.setup()
    fill(tb, DATA, 0x10000, 6)
    cdmax = min(tb.ssid_bits, 8)
    cdt = await s1_stream(tb, 2, cdmax=cdmax, fmt=fmt, s1dss=S.S1DSS_SSID0)
    split = S.S1FMT_SPLIT[fmt]
    ssids = sorted({1, min((1 << split) - 1, (1 << cdmax) - 1),
                    min((1 << split) + 5, (1 << cdmax) - 1)})
    for i, ssid in enumerate(ssids):
        pt = PageTable(tb.mem, tb.alloc, 25)
        pt.map(0x40_0000, DATA + 0x1000 * i)
        cdt.set(ssid, make_cd(pt, 100 + i))
    for ssid in ssids:
        await tb.check_read(2, 0x40_0000 + 0x10, 32, ssid=ssid, ssv=True, what="2-level")
    # a leaf that was never created: L1 descriptor invalid
    missing = (1 << cdmax) - 1 if ((1 << cdmax) - 1) >> split not in cdt.leaves else None
    if missing is not None:
        await tb.check_read(2, 0x40_0000, 8, ssid=missing, ssv=True, what="absent leaf")
    # CD 0 via S1DSS=SSID0 lives in leaf 0
    await tb.check_read(2, 0x40_0000, 8, what="no pasid -> CD0 (invalid)")
    await tb.check_events()


# ---------------------------------------------------------------------------- page walks
@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def walks_and_sizes(dut, pause):
    """3-level (T0SZ=25) and 4-level (T0SZ=16) walks, 2-level (T0SZ=34); 4K pages, 2M and
    1G blocks; reads and writes; burst lengths up to a full page."""
    tb = TB(dut)
    await tb.start(pause, latency=1)
    await tb.setup()
    fill(tb, DATA, 0x40_0000, 7)
    for sid, t0sz in enumerate((25, 16, 34)):
        pt = PageTable(tb.mem, tb.alloc, t0sz)
        cdt = await s1_stream(tb, sid)
        cdt.set(0, make_cd(pt, 50 + sid))
        pt.map(0x1000, DATA + 0x3000)
        pt.map(0x20_0000, DATA + 0x20_0000, size=0x20_0000)
        if t0sz <= 25:
            pt.map(0x4000_0000, 0x8000_0000, size=0x4000_0000)
            fill(tb, 0x8000_0000 + 0x12_3000, 0x1000, 8)
        await tb.check_read(sid, 0x1000 + 0x10, 100, what=f"t0sz={t0sz} 4K")
        await tb.check_read(sid, 0x1000, 4096, what=f"t0sz={t0sz} 4K full page")
        await tb.check_read(sid, 0x20_0000 + 0x1_2340, 200, what=f"t0sz={t0sz} 2M")
        await tb.check_write(sid, 0x20_0000 + 0x3_0008, pattern(300, sid), what=f"t0sz={t0sz} 2M")
        await tb.check_write(sid, 0x1000 + 0x800, pattern(64, sid), what=f"t0sz={t0sz} 4K")
        if t0sz <= 25:
            await tb.check_read(sid, 0x4000_0000 + 0x12_3000, 512, what=f"t0sz={t0sz} 1G")
            await tb.check_write(sid, 0x4000_0000 + 0x12_3800, pattern(64, 9), what="1G")
        await tb.check_read(sid, 0x5000, 8, what=f"t0sz={t0sz} unmapped")
        if 64 - t0sz < 48:
            await tb.check_read(sid, 1 << (64 - t0sz), 8, what=f"t0sz={t0sz} beyond T0SZ")
    await tb.check_events()


def walk_reads(tb, start):
    return [b.addr for b in tb.reads[start:] if b.internal]


@cocotb.test()
async def walk_depth_and_iotlb(dut):
    """The DUT reads exactly the descriptors the model walks (STE, CD, one per level);
    a second access to the same page hits the IOTLB and config cache (no reads); a
    PASID bound to the same ASID shares the entries; another ASID does not."""
    tb = TB(dut)
    await tb.start()
    await tb.setup()
    fill(tb, DATA, 0x4000, 10)
    for t0sz in (16, 25, 34):
        await tb.enable(False)
        await tb.enable(True)          # SMMUEN 0->1 flushes the caches
        pt = PageTable(tb.mem, tb.alloc, t0sz)
        pt.map(0x3000, DATA + 0x1000)
        cdt = await s1_stream(tb, 1, cdmax=3)
        cdt.set(1, make_cd(pt, 5))
        cdt.set(2, make_cd(pt, 5))     # same ASID as SSID 1
        cdt.set(3, make_cd(pt, 6))
        n = len(tb.reads)
        t = await tb.check_read(1, 0x3008, 8, ssid=1, ssv=True)
        exp = [tb.strtab.ste_addr(1), cdt.cd_addr(1)] + t.walk.addrs
        assert walk_reads(tb, n) == exp, f"t0sz={t0sz}: walk {walk_reads(tb, n)} != {exp}"
        n = len(tb.reads)
        await tb.check_read(1, 0x3010, 8, ssid=1, ssv=True)
        assert walk_reads(tb, n) == [], "second access must hit the caches"
        n = len(tb.reads)
        await tb.check_read(1, 0x3018, 8, ssid=2, ssv=True)
        assert walk_reads(tb, n) == [tb.strtab.ste_addr(1), cdt.cd_addr(2)], \
            f"same ASID: only configuration is fetched, got {walk_reads(tb, n)}"
        n = len(tb.reads)
        t = await tb.check_read(1, 0x3018, 8, ssid=3, ssv=True)
        assert walk_reads(tb, n) == [tb.strtab.ste_addr(1), cdt.cd_addr(3)] + t.walk.addrs, \
            "another ASID must walk"
    await tb.check_events()


@cocotb.test()
async def hit_latency_and_hit_under_miss(dut):
    """A micro-TLB hit reaches the memory port one cycle after the device handshake, an
    IOTLB hit that misses the micro-TLB two, and hits are accepted without stalls; while PASID A's walk waits on slow table memory, hits of
    PASID B (other AXI IDs) keep flowing and complete first."""
    tb = TB(dut)
    await tb.start()
    await tb.setup()
    fill(tb, DATA, 0x20000, 13)
    pta, ptb = PageTable(tb.mem, tb.alloc, 25), PageTable(tb.mem, tb.alloc, 25)
    pta.map(0x1000, DATA + 0x1000)
    for i in range(8):
        ptb.map(0x10000 + i * 0x1000, DATA + 0x8000 + i * 0x1000)
    cdt = await s1_stream(tb, 0, cdmax=2)
    cdt.set(1, make_cd(pta, 1))
    cdt.set(2, make_cd(ptb, 2))
    for i in range(8):                                   # warm config cache and IOTLB
        await tb.check_read(0, 0x10000 + i * 0x1000, 8, ssid=2, ssv=True)
    # page 0 left the micro-TLB (4 entries, the last pages read): an IOTLB hit takes the
    # full lookup, 2 cycles, and fills the micro-TLB; the next read of it takes 1
    for what, va, want in (("IOTLB hit", 0x10008, 2), ("micro-TLB hit", 0x10010, 1)):
        n, k = len(tb.reads), len(tb.s_ar)
        await tb.check_read(0, va, 8, ssid=2, ssv=True)
        mem_ar = [b for b in tb.reads[n:] if not b.internal]
        assert len(mem_ar) == 1 and mem_ar[0].cycle - tb.s_ar[k][0] == want, \
            f"{what} latency: device AR at {tb.s_ar[k][0]}, memory AR at {[b.cycle for b in mem_ar]}"
    stalls = tb.s_ar_stalls
    hits = [cocotb.start_soon(tb.check_read(0, 0x10000 + i * 0x1000 + 8 * i, 8, ssid=2, ssv=True))
            for i in range(8)]
    for h in hits:
        await h
    assert tb.s_ar_stalls == stalls, f"hits stalled the AR channel {tb.s_ar_stalls - stalls} cycles"
    # hit under miss: table memory becomes slow, PASID A misses, PASID B hits
    tb.target.slow = [(0x1000_0000, 0x2000_0000, 300)]
    miss = cocotb.start_soon(tb.check_read(0, 0x1008, 8, ssid=1, ssv=True, arid=0))
    await ClockCycles(dut.clk, 5)
    for rnd in range(3):
        hits = [cocotb.start_soon(tb.check_read(0, 0x10000 + i * 0x1000, 16, ssid=2, ssv=True,
                                                arid=1 + i)) for i in range(8)]
        for h in hits:
            await h
    assert not miss.done(), "the miss should still be walking slow memory"
    await miss
    tb.target.slow = []
    await tb.check_events()


# ---------------------------------------------------------------------------- faults
@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def fault_records(dut, pause):
    """Every fault kind, its response (SLVERR / RAZ-WI) and its event record checked
    field by field against the model: C_BAD_STE, C_BAD_CD (several reasons),
    F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION (write to RO, EL0 to kernel page,
    execute-never), F_WALK_EABT, F_STE_FETCH, F_CD_FETCH, CD.R=0 and CD.A=0."""
    tb = TB(dut)
    await tb.start(pause, latency=1)
    await tb.setup(evtq_log2size=8)
    fill(tb, DATA, 0x10000, 11)
    pt = PageTable(tb.mem, tb.alloc, 25)
    pt.map(0x1000, DATA + 0x1000, ro=True)
    pt.map(0x2000, DATA + 0x2000, af=False)
    pt.map(0x3000, DATA + 0x3000, user=False)
    pt.map(0x4000, DATA + 0x4000, xn=True)
    pt.map(0x5000, 1 << 40)                         # beyond IPS=36 below
    pt.map(0x6000, DATA + 0x6000)
    pt.set_raw(0x7000, 3, S.pte_page(DATA + 0x7000) & ~2)   # reserved L3 type
    eabt = pt.slot_addr(0x8000, 3)
    tb.mem.add_error_range(eabt & ~0xFFF, 0x1000)     # the whole last-level table errors
    cdt = await s1_stream(tb, 1, cdmax=4, s1dss=S.S1DSS_SSID0)
    cdt.set(1, make_cd(pt, 1))
    cdt.set(2, make_cd(pt, 2, r=0))                   # faults not recorded
    cdt.set(3, make_cd(pt, 3, a=0))                   # RAZ/WI
    cdt.set(4, make_cd(pt, 4, ips=1))                 # 36-bit IPS
    cdt.set(5, make_cd(pt, 5, tg0=S.TG0_64K))         # C_BAD_CD
    cdt.set(6, make_cd(pt, 6, aa64=0))
    cdt.set(7, make_cd(pt, 7, t0sz=12))
    cdt.set(8, make_cd(pt, 8, s=1))
    cdt.set(9, make_cd(pt, 9, v=0))
    cdt.set(10, make_cd(pt, 10, epd0=1))
    cdt.set(11, make_cd(pt, 11, affd=1))
    cdt.set(12, make_cd(pt, 12, ha=1))
    bad_cd = cdt.cd_addr(13)
    tb.mem.add_error_range(bad_cd, 64)
    for ssid in (1, 2, 3, 4, 11):
        for va in range(0x1000, 0x9000, 0x1000):
            for prot in (0b000, 0b001, 0b100):
                await tb.check_read(1, va + 8, 16, ssid=ssid, ssv=True, prot=prot,
                                    what=f"ssid {ssid} prot {prot}")
            await tb.check_write(1, va + 8, pattern(16, va), ssid=ssid, ssv=True,
                                 what=f"ssid {ssid}")
    for ssid in range(5, 14):
        await tb.check_read(1, 0x6000, 8, ssid=ssid, ssv=True, what=f"cd {ssid}")
    # STE fetch error
    tb.mem.add_error_range(tb.strtab.ste_addr(7), 64)
    await tb.check_read(7, 0x6000, 8, what="ste fetch abort")
    await tb.check_write(7, 0x6000, b"abcd", what="ste fetch abort")
    await tb.check_events()


@cocotb.test()
async def burst_leaving_mapping(dut):
    """A 4K page followed by an unmapped page: bursts are kept inside their page by the
    master; a burst of a 2MB block may span 4K pages (contiguous); a read beyond the
    page faults on the second page only."""
    tb = TB(dut)
    await tb.start()
    await tb.setup()
    fill(tb, DATA, 0x30_0000, 12)
    pt = PageTable(tb.mem, tb.alloc, 25)
    pt.map(0x1000, DATA + 0x1000)
    pt.map(0x20_0000, DATA + 0x20_0000, size=0x20_0000)
    cdt = await s1_stream(tb, 0)
    cdt.set(0, make_cd(pt, 1))
    resp = await tb.read(0, 0x1F00, 0x200)            # split by the master at 0x2000
    assert resp.resp == AxiResp.SLVERR, "second page is unmapped"
    tb.expect(0, 0x2000, False)
    await tb.check_read(0, 0x20_0F00, 0x200, what="block spans 4K pages")
    await tb.check_events()


async def raw_burst(tb, write, sid, va, arlen, size=3, axid=5):
    """Drive one burst on the device port by hand (bursts an AXI master would never
    issue, e.g. crossing 4 KB); returns the responses [(resp, last)]."""
    d, ch = tb.dut, ("aw" if write else "ar")
    for name, v in (("id", axid), ("addr", va), ("len", arlen), ("size", size), ("burst", 1),
                    ("lock", 0), ("cache", 0), ("prot", 0), ("user", tb.user(sid))):
        getattr(d, f"s_axi_{ch}{name}").value = v
    d.s_axi_rready.value = 1
    d.s_axi_bready.value = 1
    d.s_axi_wvalid.value = 0
    getattr(d, f"s_axi_{ch}valid").value = 1
    while True:
        await RisingEdge(d.clk)
        if getattr(d, f"s_axi_{ch}ready").value:
            break
    getattr(d, f"s_axi_{ch}valid").value = 0
    out = []
    if write:
        for beat in range(arlen + 1):
            d.s_axi_wdata.value = 0x1111 * (beat + 1)
            d.s_axi_wstrb.value = 0xFF
            d.s_axi_wlast.value = int(beat == arlen)
            d.s_axi_wvalid.value = 1
            while True:
                await RisingEdge(d.clk)
                if d.s_axi_wready.value:
                    break
        d.s_axi_wvalid.value = 0
        while not d.s_axi_bvalid.value:
            await RisingEdge(d.clk)
        out.append((int(d.s_axi_bresp.value), 1, int(d.s_axi_bid.value)))
        await RisingEdge(d.clk)
    else:
        while True:
            await RisingEdge(d.clk)
            if d.s_axi_rvalid.value:
                out.append((int(d.s_axi_rresp.value), int(d.s_axi_rlast.value),
                            int(d.s_axi_rid.value)))
                if d.s_axi_rlast.value:
                    break
    return out


@cocotb.test()
async def burst_crossing_checked(dut):
    """Bursts an AXI master must not issue (crossing 4 KB) are checked against the
    mapping of their first byte: inside a 2 MB block they pass (contiguous), leaving a
    4 KB page they are terminated (full burst of SLVERR, no write data reaches memory)
    with F_TRANSLATION for the burst's address."""
    tb = TB(dut, master=False)
    await tb.start()
    for sig in ("arvalid", "awvalid", "wvalid"):
        getattr(dut, f"s_axi_{sig}").value = 0
    await tb.setup()
    fill(tb, DATA, 0x30_0000, 14)
    pt = PageTable(tb.mem, tb.alloc, 25)
    pt.map(0x1000, DATA + 0x1000)
    pt.map(0x2000, DATA + 0x2000)                     # mapped, but not contiguous with 0x1000
    pt.map(0x20_0000, DATA + 0x20_0000, size=0x20_0000)
    cdt = await s1_stream(tb, 0)
    cdt.set(0, make_cd(pt, 1))
    out = await raw_burst(tb, False, 0, 0x1F80, 31)    # 256 bytes from 0x1F80: crosses
    assert [r for r, _, _ in out] == [2] * 32 and out[-1][1] == 1 and \
        all(i == 5 for _, _, i in out), f"crossing read: {out}"
    tb.expected_events.append(S.Event(id=S.EVT_F_TRANSLATION, sid=0, rnw=1, class_=S.CLASS_IN,
                                      input_addr=0x1F80))
    before = len(tb.target.writes)
    out = await raw_burst(tb, True, 0, 0x1FC0, 15)
    assert out == [(2, 1, 5)], f"crossing write: {out}"
    stray = [w for w in tb.target.writes[before:] if not EVTQ <= w[0] < EVTQ + 0x10_0000]
    assert not stray, f"write data of a terminated burst reached memory: {stray}"
    tb.expected_events.append(S.Event(id=S.EVT_F_TRANSLATION, sid=0, rnw=0, class_=S.CLASS_IN,
                                      input_addr=0x1FC0))
    out = await raw_burst(tb, False, 0, 0x20_0F80, 31)  # inside the 2MB block: fine
    assert [r for r, _, _ in out] == [0] * 32, f"block read: {out}"
    await tb.check_events()


# ---------------------------------------------------------------------------- event queue
@cocotb.test()
async def evtq_wrap_and_overflow(dut):
    """Event queue of 4 entries: records wrap with the wrap bit; a full queue drops
    records and toggles OVFLG once; acknowledging and draining resumes recording;
    EVTQEN=0 discards; a write error on the queue sets GERROR.EVTQ_ABT_ERR, which stops
    delivery until software acknowledges it through GERRORN."""
    tb = TB(dut)
    await tb.start()
    await tb.setup(evtq_log2size=2)
    await tb.regs.write(R.IRQ_CTRL, R.IRQ_CTRL.encode(EVTQ_IRQEN=1, GERROR_IRQEN=1))
    cdt = await s1_stream(tb, 0)
    pt = PageTable(tb.mem, tb.alloc, 25)
    cdt.set(0, make_cd(pt, 1))
    # 3 + 3 events with draining in between: PROD wraps
    for rnd in range(2):
        for i in range(3):
            await tb.check_read(0, 0x1000 * (i + 1) + rnd, 1)
        assert dut.irq_evtq.value == 1, "irq_evtq with records pending"
        await tb.check_events()
    prod = await tb.regs.read(R.EVENTQ_PROD)
    assert S.q_wrap(prod, 2) == 1 and S.q_index(prod, 2) == 2, f"PROD {prod:#x} after 6 records"
    # fill the queue (4), then 3 more are dropped: OVFLG toggles once
    for i in range(7):
        t = await tb.check_read(0, 0x10000 + 0x1000 * i, 1)
    await ClockCycles(dut.clk, 40)
    prod2 = await tb.regs.read(R.EVENTQ_PROD)
    assert R.EVENTQ_PROD.field("OVFLG").get(prod2) == 1, f"OVFLG not set: {prod2:#x}"
    assert S.q_full(prod2, tb.cons, 2), "queue full"
    kept, tb.expected_events = tb.expected_events[:4], []
    got = await tb.dut_events()
    assert got == kept, f"first four records kept: {got} != {kept}"
    # acknowledge: OVACKFLG = OVFLG (dut_events copied the flag); recording resumes
    await tb.check_read(0, 0x9_0000, 1)
    await tb.check_events()
    # EVTQEN=0: discarded
    await tb.enable(True, evtq=False)
    tb.expect(0, 0x9_1000, False)
    tb.expected_events.clear()
    await tb.read(0, 0x9_1000, 1)
    await tb.enable(True, evtq=True)
    await tb.check_events()
    # queue memory errors: GERROR.EVTQ_ABT_ERR, PROD does not move
    tb.mem.add_error_range(EVTQ, 0x1000)
    prod3 = await tb.regs.read(R.EVENTQ_PROD)
    tb.expect(0, 0x9_2000, False)
    tb.expected_events.clear()
    await tb.read(0, 0x9_2000, 1)
    await ClockCycles(dut.clk, 40)
    g = await tb.regs.read(R.GERROR)
    assert R.GERROR.field("EVTQ_ABT_ERR").get(g) == 1, f"GERROR {g:#x}"
    assert await tb.regs.read(R.EVENTQ_PROD) == prod3, "PROD moved on a failed write"
    # while the abort is active delivery stops (SMMUv3 7.5), even with the memory back
    tb.mem.remove_error_range(EVTQ, 0x1000)
    await tb.read(0, 0x9_3000, 1)
    await ClockCycles(dut.clk, 40)
    assert await tb.regs.read(R.EVENTQ_PROD) == prod3, "record written while EVTQ_ABT_ERR active"
    assert await tb.regs.read(R.GERROR) == g, "toggled again while active"
    await tb.regs.write(R.GERRORN, g)                   # acknowledged: delivery resumes
    tb.model.regs["GERROR"] = tb.model.regs["GERRORN"] = g
    await tb.check_read(0, 0x9_4000, 1)
    await tb.check_events()


# ---------------------------------------------------------------------------- runners
@pytest.mark.parametrize("data_width,rd_walkers", [
    (64, 2), pytest.param(128, 1, marks=pytest.mark.long)])  # long: make regression
def test_smmu_xlate(data_width, rd_walkers):
    run(__name__, "smmu_top", sources("smmu_top"),
        parameters={"DATA_WIDTH": data_width, "RD_WALKERS": rd_walkers})
