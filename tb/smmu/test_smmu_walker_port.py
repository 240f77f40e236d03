"""The walkers' shared IOTLB lookup port (smmu_top: wl_want / wl_gnt, smmu_walker tl_want).

The walkers look the IOTLB up through one port whose grant is a register: they ask a
cycle ahead by class, the highest class wins, then the lowest index. A walker whose
lookup is not granted must not use the result of the one that is: at the CD's last beat
it takes the registered path, in S_CFILL / S_RCHK it waits in S_RCHK.

The workload makes walkers meet at the port and makes every lookup hit: 12 PASIDs over
3 ASIDs (4 per ASID, one page table each), whose pages are warm in the IOTLB, while the
8-entry configuration cache thrashes. Each config miss fetches STE and CD and finds the
translation in the IOTLB by the CD's ASID. The same VAs are mapped in every ASID to
different pages, so a walker that took another's result would read or write the wrong
page. Checks: every read's data and every write's landing place against the model; no
table descriptor is read after the warm-up (each lookup found its entry); and the run
had cycles with two or more walkers asking for the port.
"""

import random

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge

from pasidsim import smmuv3 as S
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.sim import run
from tb.common.tops import sources
from tb.smmu.smmu_tb import DATA, TB

PAUSES = ["none", "random"]
VAS = [0x40_0000 + 0x1000 * p for p in range(4)]    # mapped in every ASID


class PortWatch:
    """Counts cycles in which two or more walkers ask for the shared port for a lookup
    (class 2 or 3; class 1 is an idle walker's standing request)."""

    def __init__(self, dut):
        self.dut, self.multi, self.cycles = dut, 0, 0
        cocotb.start_soon(self._run())

    async def _run(self):
        want = self.dut.wl_want
        n = len(want.value) // 2
        while True:
            await RisingEdge(self.dut.clk)
            self.cycles += 1
            v = int(want.value)
            if sum((v >> (2 * k) & 3) >= 2 for k in range(n)) >= 2:
                self.multi += 1


@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def shared_port_contention(dut, pause):
    """Concurrent config misses on both channels, each resolved from the IOTLB through
    the shared port: right data and right write targets, no walks, contention seen."""
    tb = TB(dut)
    seed = cocotb.RANDOM_SEED
    tb.log.info("test seed %d (the harness logs the command that reproduces the run)", seed)
    rng = random.Random(seed)
    await tb.start(pause, latency=2)
    await tb.setup()

    tables = []
    for a in range(3):
        pt = PageTable(tb.mem, tb.alloc, 25)
        for p, va in enumerate(VAS):
            pa = DATA + 0x1000 * (4 * a + p)
            pt.map(va, pa)
            tb.mem.write(pa, bytes(rng.getrandbits(8) for _ in range(0x800)))
        tables.append(pt)
    pairs = []
    for sid in range(1, 5):
        cdt = CdTable(tb.mem, tb.alloc, 2)
        tb.strtab.set(sid, cdt.ste())
        for ssid in range(1, 4):
            a = (sid + ssid) % 3
            cdt.set(ssid, make_cd(tables[a], 0x30 + a))
            pairs.append((sid, ssid))

    # warm-up: every (ASID, page) into the IOTLB (12 of 16 entries)
    for a in range(3):
        sid, ssid = next(p for p in pairs if sum(p) % 3 == a)
        for va in VAS:
            await tb.check_read(sid, va, 8, ssid=ssid, ssv=True, what="warm-up")

    watch = PortWatch(dut)
    n_reads = len(tb.reads)

    async def reader(r, n):
        for _ in range(n):
            sid, ssid = rng.choice(pairs)
            va = rng.choice(VAS) + 8 * rng.randrange(0, 0x100)
            await tb.check_read(sid, va, 8 * rng.randint(1, 4), ssid=ssid, ssv=True,
                                what=f"reader {r}", arid=r)

    async def writer(w, n):
        for i in range(n):
            sid, ssid = rng.choice(pairs)
            va = rng.choice(VAS) + 0x800 + 0x40 * w     # own bytes: no race with others
            await tb.check_write(sid, va, bytes([w, i & 0xFF]) * 4, ssid=ssid, ssv=True,
                                 what=f"writer {w}")

    tasks = [cocotb.start_soon(reader(r, 60)) for r in range(3)] + \
            [cocotb.start_soon(writer(w, 60)) for w in range(3)]
    for t in tasks:
        await t
    await ClockCycles(dut.clk, 4)

    internal = [b for b in tb.reads[n_reads:] if b.internal]
    walks = [b for b in internal if b.len == 0]        # table descriptors are 1-dword reads
    fetches = len(internal) - len(walks)                # STE and CD (2 dwords each)
    tb.log.info("%s: %d STE/CD reads, %d cycles with >= 2 walkers at the port (of %d)",
                pause, fetches, watch.multi, watch.cycles)
    assert not walks, f"table descriptors read although every page is in the IOTLB: {walks[:4]}"
    assert fetches >= 40, f"only {fetches} STE/CD reads: the configuration cache did not thrash"
    assert watch.multi >= 10, f"walkers met at the shared port in only {watch.multi} cycles"
    await tb.check_events()


def test_smmu_walker_port():
    run(__name__, "smmu_top", sources("smmu_top"))
