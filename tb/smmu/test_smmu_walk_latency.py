"""Walker latency and the two master ports (smmu_walker, smmu_tw_arb) on smmu_top.

* A cold walk (STE, CD, 2 to 4 table levels) presents each dependent table read in the
  cycle after the previous read's last R beat, and the translated read at most 3 cycles
  after the leaf's (issue #8: within 2 cycles per dependent read of reads x latency).
  The same walks with a two-level CD table (its L1 step takes the registered path) and
  with random memory backpressure give the model's results.
* Table reads use the table-walk port (m_tw_axi), translated reads the downstream port
  (m_axi): a saturating stream of hits keeps one translated read per cycle on m_axi for
  the whole of another stream's walk.
"""

import cocotb
import pytest
from cocotb.triggers import ClockCycles, RisingEdge

from pasidsim import smmuv3 as S
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.sim import run
from tb.common.tops import sources
from tb.smmu.smmu_tb import DATA, TB

PAUSES = ["none", "random"]
WARM_FIRST = 5   # device AR -> first table read of a miss whose configuration is cached
STE_FIRST = 3    # device AR -> STE read of a cold miss (front register, match, walker)


class PortLog:
    """Per-cycle log (own cycle count) of the device AR handshakes, the translated AR
    handshakes (m_axi) and the table-walk port's reads (m_tw_axi: first cycle each read is
    presented, last R beats)."""

    def __init__(self, tb: TB):
        self.tb, self.dut = tb, tb.dut
        self.top = 1 << tb.id_width
        self.dev_ar: list[int] = []         # device AR handshakes
        self.xl_ar: list[int] = []          # translated AR handshakes on the memory port
        self.rlast: list[int] = []          # internal last R beats
        self.present: list[int] = []        # an internal AR first presented
        cocotb.start_soon(self._run())

    async def _run(self):
        d = self.dut
        prev_valid, c = False, 0
        while True:
            await RisingEdge(d.clk)
            c += 1
            if d.s_axi_arvalid.value and d.s_axi_arready.value:
                self.dev_ar.append(c)
            if d.m_axi_arvalid.value and d.m_axi_arready.value:
                assert not int(d.m_axi_arid.value) & self.top, "an own read on the downstream port"
                self.xl_ar.append(c)
            internal = bool(d.m_tw_axi_arvalid.value)
            assert not internal or int(d.m_tw_axi_arid.value) & self.top, \
                "a read without the own-access ID bit on the table-walk port"
            if internal and not prev_valid:
                self.present.append(c)
            prev_valid = internal and not d.m_tw_axi_arready.value
            if d.m_tw_axi_rvalid.value and d.m_tw_axi_rlast.value:
                self.rlast.append(c)


async def walk(tb: TB, log: PortLog, sid: int, t0sz: int, fmt=S.S1FMT_LINEAR):
    """One cold read of SSID 1 on a fresh stream; returns (internal reads, translated AR
    cycle, device AR cycle, the walk's internal R last cycles, presentation cycles), the
    cycles from PortLog's count."""
    pt = PageTable(tb.mem, tb.alloc, t0sz)
    va = 0x5000 + (sid << 21)
    pt.map(va, DATA + 0x1000 * sid)
    tb.mem.write(DATA + 0x1000 * sid, bytes(range(64)))
    cdt = CdTable(tb.mem, tb.alloc, 2, fmt)
    tb.strtab.set(sid, cdt.ste())
    cdt.set(1, make_cd(pt, 0x40 + sid))
    n, k, x0 = len(tb.reads), len(log.dev_ar), len(log.xl_ar)
    r0, p0 = len(log.rlast), len(log.present)
    await tb.check_read(sid, va + 8, 8, ssid=1, ssv=True, arid=sid % 16)
    await ClockCycles(tb.dut.clk, 2)
    new = tb.reads[n:]
    internal = [b for b in new if b.internal]
    assert len(log.xl_ar) - x0 == 1 and len(log.dev_ar) - k == 1, \
        f"one device read and one translated read expected, memory saw {new}"
    return internal, log.xl_ar[x0], log.dev_ar[k], log.rlast[r0:], log.present[p0:]


@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def cold_walk_gaps(dut, pause):
    """Cold walks of 4, 3 and 2 levels: STE, CD and every table level presented one cycle
    after the previous read's last beat; data and responses checked against the model."""
    tb = TB(dut)
    await tb.start(pause, latency=3)
    await tb.setup()
    log = PortLog(tb)
    for sid, (t0sz, levels) in enumerate(((16, 4), (25, 3), (34, 2)), start=1):
        internal, xl, dev_ar, rlast, present = await walk(tb, log, sid, t0sz)
        what = f"T0SZ {t0sz} ({pause})"
        assert len(internal) == 2 + levels, f"{what}: {len(internal)} table reads, {internal}"
        assert len(rlast) == len(internal) and len(present) == len(internal), \
            f"{what}: R last {rlast}, presented {present}"
        gaps = [p - r for r, p in zip(rlast, present[1:])]
        assert gaps == [1] * (len(internal) - 1), \
            f"{what}: cycles from a table read's last beat to the next read: {gaps}"
        assert present[0] - dev_ar <= STE_FIRST, \
            f"{what}: STE read {present[0] - dev_ar} cycles after AR"
        if pause == "none":   # no AR backpressure: the handshakes are the presentations
            assert xl - rlast[-1] <= 3, \
                f"{what}: translated read {xl - rlast[-1]} cycles after the leaf"
    await tb.check_events()


@cocotb.test()
async def two_level_cd_and_faults(dut):
    """The registered path: a two-level CD table (L1 descriptor step), a walk that ends in
    F_TRANSLATION at level 2 and one that ends in F_ACCESS, each recorded as the model
    says, and the first walk again from the IOTLB."""
    tb = TB(dut)
    await tb.start("random", latency=2)
    await tb.setup(evtq_log2size=6)
    log = PortLog(tb)
    internal, _, _, rlast, present = await walk(tb, log, 5, 16, fmt=S.S1FMT_4K_L2)
    assert len(internal) == 7, f"STE, L1CD, CD and 4 levels expected: {internal}"
    gaps = [p - r for r, p in zip(rlast, present[1:])]
    assert gaps == [1, 2, 1, 1, 1, 1], f"gaps {gaps} (L1CD -> CD takes the registered path)"
    pt = PageTable(tb.mem, tb.alloc, 25)
    pt.map(0x7000, DATA + 0x7000, af=False)
    cdt = CdTable(tb.mem, tb.alloc, 2)
    tb.strtab.set(6, cdt.ste())
    cdt.set(1, make_cd(pt, 0x66))
    await tb.check_read(6, 0x7008, 8, ssid=1, ssv=True)            # F_ACCESS at the leaf
    await tb.check_read(6, 0x40_0000_0008, 8, ssid=1, ssv=True)    # no table: F_TRANSLATION
    n = len(tb.reads)
    await tb.check_read(5, 0x5000 + (5 << 21), 8, ssid=1, ssv=True)
    assert not [b for b in tb.reads[n:] if b.internal], "IOTLB hit expected"
    await tb.check_events()


@cocotb.test()
async def walk_takes_no_hit_slot(dut):
    """A saturating stream of hits while another stream walks: from the walk's first table
    read to its last R beat the downstream port takes a translated read in every cycle
    (the hit rate alone is one per cycle: checked before the walk)."""
    tb = TB(dut)
    await tb.start("none", latency=0)
    await tb.setup()
    log = PortLog(tb)
    ptb = PageTable(tb.mem, tb.alloc, 25)
    for i in range(4):
        ptb.map(0x10000 + i * 0x1000, DATA + 0x10000 + i * 0x1000)
    tb.mem.write(DATA + 0x10000, bytes(0x4000))
    cdt = CdTable(tb.mem, tb.alloc, 2)
    tb.strtab.set(1, cdt.ste())
    cdt.set(2, make_cd(ptb, 2))
    for i in range(4):                                         # warm: B hits from now on
        await tb.check_read(1, 0x10000 + i * 0x1000, 8, ssid=2, ssv=True)
    pta = PageTable(tb.mem, tb.alloc, 16)
    pta.map(0x9000, DATA + 0x9000)
    cdt.set(1, make_cd(pta, 1))
    p0, r0, x0 = len(log.present), len(log.rlast), len(log.xl_ar)
    # the master issues reads in submission order: A's cold 4-level walk starts after the
    # first 32 hits and the rest keep the AR channel busy while it walks
    def hit(i):
        return tb.check_read(1, 0x10000 + (i % 4) * 0x1000 + 8 * (i % 64), 8, ssid=2,
                             ssv=True, arid=1 + i % 15)
    reqs = [hit(i) for i in range(32)]
    reqs.append(tb.check_read(1, 0x9008, 8, ssid=1, ssv=True, arid=0))
    reqs += [hit(i) for i in range(32, 300)]
    tasks = [cocotb.start_soon(r) for r in reqs]
    for t in tasks:
        await t
    present, rlast, xl = log.present[p0:], log.rlast[r0:], log.xl_ar[x0:]
    assert len(present) == 6 and len(rlast) == 6, \
        f"STE, CD and 4 table reads expected: presented {present}, last beats {rlast}"
    t0, t1 = present[0], rlast[-1]
    before = [x for x in xl if x < t0][-16:]
    assert before[-1] - before[0] == len(before) - 1, \
        f"the hit stream alone is not one read per cycle (test too weak): {before}"
    during = [x for x in xl if t0 <= x <= t1]
    assert len(during) == t1 - t0 + 1, \
        f"{t1 - t0 + 1 - len(during)} of {t1 - t0 + 1} cycles lost translated reads during the walk"
    assert xl[-1] > t1, "the hit stream ended before the walk (test too weak)"
    await tb.check_events()


@cocotb.test()
async def warm_config_walk(dut):
    """Misses whose configuration is cached (a new page of a warm PASID): no STE / CD
    read, the first table read within WARM_FIRST cycles of the device AR (S_RCHK: the
    walkers' shared IOTLB port is granted ahead to an idle walker), one cycle between
    table reads, data checked against the model."""
    tb = TB(dut)
    await tb.start("none", latency=3)
    await tb.setup()
    log = PortLog(tb)
    await walk(tb, log, 1, 16)                                  # warms sid 1 / ssid 1
    pt = PageTable(tb.mem, tb.alloc, 16)
    cdt = CdTable(tb.mem, tb.alloc, 2)
    tb.strtab.set(2, cdt.ste())
    cdt.set(1, make_cd(pt, 0x52))
    pt.map(0x4000_0000, DATA + 0x2000)
    await tb.check_read(2, 0x4000_0000, 8, ssid=1, ssv=True)    # config cached from here
    firsts = []
    for i in range(1, 7):
        va = 0x4000_0000 + (i << 30) + (i << 21) + (i << 12)   # a new table at every level
        pt.map(va, DATA + 0x2000 + 0x1000 * i)
        k, p0, r0 = len(log.dev_ar), len(log.present), len(log.rlast)
        await tb.check_read(2, va + 8 * i, 8, ssid=1, ssv=True, arid=i)
        await ClockCycles(dut.clk, 2)
        present, rlast = log.present[p0:], log.rlast[r0:]
        assert len(present) == 4, f"page {i}: 4 table reads and no STE / CD expected: {present}"
        gaps = [p - r for r, p in zip(rlast, present[1:])]
        assert gaps == [1, 1, 1], f"page {i}: cycles from a table read's last beat to the next: {gaps}"
        firsts.append(present[0] - log.dev_ar[k])
    tb.log.info("device AR -> first table read: %s cycles", firsts)
    assert max(firsts) <= WARM_FIRST, f"first table read {firsts} cycles after the device AR"
    await tb.check_events()


def test_smmu_walk_latency():
    # the parameters of test_smmu_xlate's default run: the same build
    run(__name__, "smmu_top", sources("smmu_top"),
        parameters={"DATA_WIDTH": 64, "RD_WALKERS": 2})
