"""Random test of smmu_top against the golden model, on every transaction.

Random stream table (invalid / abort / bypass / stage-1 STEs, every S1DSS, linear and
two-level CD tables), random CDs (valid, illegal, R=0, A=0) over a few page-table domains
(3/4/2-level, 4K pages, 2M/1G blocks, read-only / kernel / no-AF / XN pages, reserved
descriptors, a table page whose reads bus-error), a data page whose accesses bus-error;
concurrent workers issue random reads and writes from many StreamID/PASID pairs with
random bursts, with idle/backpressure on every channel and random memory latency.

Checks: each response against the model (OKAY + data, SLVERR, RAZ/WI); the event records
(multiset per batch) field by field; and a memory-side scoreboard: every write that
reaches memory must lie inside a write the model allowed and that is in flight, so no
write ever lands in a page not mapped writable for the issuing PASID.
"""

import os
import random
from collections import Counter

import cocotb
import pytest
from cocotb.triggers import ClockCycles
from cocotbext.axi import AxiResp

from pasidsim import smmuv3 as S
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.sim import run
from tb.common.tops import sources
from tb.smmu.smmu_tb import DATA, EVTQ, TABLES, TB

SOAK = os.environ.get("PASIDSIM_SOAK", "0") not in ("", "0")
BAD_DATA = DATA + 0x7F_F000           # a data page whose accesses bus-error


class World:
    """Random configuration; `pairs` lists every (sid, ssid, ssv) worth sending traffic from,
    `vas[pair]` the VAs that pair may map (plus random ones)."""

    def __init__(self, tb: TB, rng: random.Random):
        self.tb, self.rng = tb, rng
        mem = tb.mem
        self.domains = []
        for d in range(4):
            t0sz = rng.choice((16, 25, 25, 34))
            pt = PageTable(mem, tb.alloc, t0sz)
            vas = []
            for _ in range(10):                       # 4K pages
                va = rng.randrange(0, min(1 << (64 - t0sz), 1 << 36)) & ~0xFFF
                pa = DATA + rng.randrange(0, 0x7F0) * 0x1000
                try:
                    pt.map(va, pa, ro=rng.random() < 0.3, user=rng.random() < 0.85,
                           af=rng.random() < 0.92, xn=rng.random() < 0.1)
                    vas.append(va)
                except ValueError:
                    pass
            if 64 - t0sz > 31:                        # a 2MB block
                va = rng.randrange(1 << 30, 1 << 31) & ~0x1F_FFFF
                pt.map(va, DATA + 0x80_0000 + d * 0x20_0000, size=0x20_0000,
                       ro=rng.random() < 0.3)
                vas += [va + rng.randrange(0, 0x200) * 0x1000 for _ in range(3)]
            if t0sz <= 25 and d == 0:                 # a 1GB block
                pt.map(1 << 32, 1 << 33, size=1 << 30)
                vas += [(1 << 32) + rng.randrange(0, 1 << 18) * 0x1000 for _ in range(3)]
            # broken leaves: reserved level-3 type, and a page mapped to the erroring page
            va = 0x7000_0000 & ((1 << (64 - t0sz)) - 1) & ~0xFFF
            pt.set_raw(va, 3, S.pte_page(DATA) & ~2)
            vas.append(va)
            pt.map(va + 0x1000, BAD_DATA)
            vas.append(va + 0x1000)
            if d == 1:                                # a last-level table that bus-errors
                va2 = 0x5000_0000 & ((1 << (64 - t0sz)) - 1)
                pt.map(va2, DATA)
                tb.mem.add_error_range(pt.slot_addr(va2, 3) & ~0xFFF, 0x1000)
                vas.append(va2)
            self.domains.append((pt, vas))
        tb.mem.add_error_range(BAD_DATA, 0x1000)

        self.pairs, self.vas = [], {}
        nsid = 1 << tb.strtab.log2size
        for sid in range(nsid):
            kind = rng.choices(("invalid", "abort", "bypass", "s1"), (1, 1, 2, 8))[0]
            if kind == "invalid":
                tb.strtab.set(sid, S.Ste(v=0, config=S.STE_CFG_S1_TRANS))
            elif kind == "abort":
                tb.strtab.set(sid, S.Ste(v=1, config=S.STE_CFG_ABORT))
            elif kind == "bypass":
                tb.strtab.set(sid, S.Ste(v=1, config=S.STE_CFG_BYPASS))
            if kind != "s1":
                self._add(sid, 0, False, [DATA + rng.randrange(0, 0x7F0) * 0x1000])
                self._add(sid, 1, True, [DATA])
                continue
            cdmax = rng.choice((0, 1, 3, 4))
            fmt = rng.choice((S.S1FMT_LINEAR, S.S1FMT_64K_L2, S.S1FMT_4K_L2)) if cdmax else 0
            cdt = CdTable(tb.mem, tb.alloc, cdmax, fmt)
            tb.strtab.set(sid, cdt.ste(s1dss=rng.randrange(4)))
            for ssid in range(1 << cdmax):
                if fmt != S.S1FMT_LINEAR and rng.random() < 0.1:
                    continue                          # leaf/CD left empty
                d = rng.randrange(len(self.domains))
                pt, vas = self.domains[d]
                r = rng.random()
                extra = {}
                if r < 0.08:
                    extra = rng.choice(({"v": 0}, {"tg0": S.TG0_64K}, {"aa64": 0}, {"s": 1},
                                        {"t0sz": 40}, {"epd0": 1}))
                elif r < 0.2:
                    extra = rng.choice(({"r": 0}, {"a": 0}, {"r": 0, "a": 0}, {"pan": 1},
                                        {"wxn": 1}))
                cdt.set(ssid, make_cd(pt, 1 + d, **extra))
                self._add(sid, ssid, True, vas)
                if ssid == 0:
                    self._add(sid, 0, False, vas)
            self._add(sid, 1 << cdmax, True, [0x1000])    # beyond S1CDMax
        self._add(nsid, 0, False, [DATA])                  # beyond the stream table
        self._add(nsid + 1, 3, True, [DATA])

    def _add(self, sid, ssid, ssv, vas):
        if ssid >= (1 << self.tb.ssid_bits) or sid >= (1 << self.tb.sid_bits):
            return
        self.pairs.append((sid, ssid, ssv))
        self.vas[(sid, ssid, ssv)] = list(vas)

    def access(self):
        rng = self.rng
        pair = rng.choice(self.pairs)
        va = rng.choice(self.vas[pair]) if rng.random() < 0.85 else \
            rng.randrange(0, 1 << 40) & ~0xFFF
        size = rng.choice((0, 1, 2, 3))              # log2 bytes per beat
        off = rng.randrange(0, 0x1000) & ~((1 << size) - 1)
        # one AXI burst per access (at most 256 beats), so one event per faulting access
        length = rng.randrange(1, min(0x1000 - off, 600, 256 << size) + 1)
        prot = rng.choice((0b000, 0b001, 0b100, 0b101)) if rng.random() < 0.3 else 0b000
        return pair, va + off, length, prot, size


async def worker(tb, world, rng, n, inflight, writers, wid, stats, violations):
    for _ in range(n):
        (sid, ssid, ssv), va, length, prot, size = world.access()
        write = rng.random() < 0.4
        t = tb.model.translate(sid, ssid, ssv, va, write=write, priv=bool(prot & 1),
                               instr=bool(prot & 4) and not write)
        if t.fault is not None and t.record:
            tb.expected_events.append(t.fault)
        bad = t.ok and BAD_DATA <= t.pa < BAD_DATA + 0x1000
        ctx = f"worker {wid}: {'write' if write else 'read'} sid={sid} ssid={ssid} " \
              f"ssv={int(ssv)} va={va:#x} len={length} prot={prot}: model {t}"
        if write:
            # only write pages this worker owns (no other worker reads/writes them concurrently)
            if t.ok and not bad and writers.setdefault(t.pa >> 12, wid) != wid:
                continue
            data = bytes(rng.getrandbits(8) for _ in range(length))
            key = (t.pa, length) if t.ok else None
            if key:
                inflight[key] += 1
            resp = await tb.master.write(va, data, prot=prot, size=size,
                                         user=tb.user(sid, ssid, ssv))
            if key:
                inflight[key] -= 1
            assert not violations, f"{ctx}: {violations[:5]}"
            exp = AxiResp.SLVERR if (bad or not (t.ok or t.raz_wi)) else AxiResp.OKAY
            assert resp.resp == exp, f"{ctx}: DUT {resp.resp}"
            if t.ok and not bad:
                assert tb.mem.read(t.pa, length) == data, f"{ctx}: memory not written"
        else:
            resp = await tb.master.read(va, length, prot=prot, size=size,
                                        user=tb.user(sid, ssid, ssv))
            exp = AxiResp.SLVERR if (bad or not (t.ok or t.raz_wi)) else AxiResp.OKAY
            assert resp.resp == exp, f"{ctx}: DUT {resp.resp}"
            if t.raz_wi:
                assert resp.data == bytes(length), f"{ctx}: RAZ data"
            elif t.ok and not bad and writers.setdefault(t.pa >> 12, wid) == wid:
                assert resp.data == tb.mem.read(t.pa, length), f"{ctx}: data"
        stats[("w" if write else "r") + ("ok" if t.ok else "raz" if t.raz_wi else "abort")] += 1


@cocotb.test()
@cocotb.parametrize(pause=["none", "random"])
async def random_traffic(dut, pause):
    """Random configuration and traffic from many StreamID/PASID pairs, checked against
    the model transaction by transaction, with a memory-side write scoreboard."""
    tb = TB(dut)
    # cocotb derives each test's seed from the regression seed and the test name, so the
    # regression seed (COCOTB_RANDOM_SEED) is what reproduces this run
    seed = cocotb.RANDOM_SEED
    reg_seed = os.environ.get("COCOTB_RANDOM_SEED", "<the 'Seeding Python random module' value above>")
    tb.log.info("test seed %d; reproduce with: make test T=tb/smmu/test_smmu_random.py "
                "K=test_smmu_random SEED=%s", seed, reg_seed)
    rng = random.Random(seed)
    await tb.start(pause, latency=rng.choice((0, 2, 4)))
    await tb.setup(strtab_log2size=4, evtq_log2size=8)
    world = World(tb, rng)

    inflight = Counter()
    violations = []

    # called by the memory model on every write; it must not raise (the AXI slave would
    # turn an exception into SLVERR), so violations are collected and checked below
    def write_check(addr, data):
        if EVTQ <= addr < TABLES:
            return                                  # event records
        if not any(n > 0 and pa <= addr and addr + len(data) <= pa + ln
                   for (pa, ln), n in inflight.items()):
            violations.append(f"memory write at {addr:#x} (+{len(data)}) not allowed by the model")
    tb.target.write_check = write_check

    batches, per = (12, 40) if SOAK else (3, 25)
    writers, stats = {}, Counter()
    for b in range(batches):
        tasks = [cocotb.start_soon(worker(tb, world, random.Random(rng.getrandbits(32)), per,
                                          inflight, writers, w, stats, violations))
                 for w in range(6)]
        for t in tasks:
            await t
        assert not violations, violations[:10]
        await ClockCycles(dut.clk, 50)
        got = await tb.dut_events()
        exp, tb.expected_events = tb.expected_events, []
        assert Counter(map(repr, got)) == Counter(map(repr, exp)), \
            f"batch {b}: events differ: DUT only {Counter(map(repr, got)) - Counter(map(repr, exp))}" \
            f" model only {Counter(map(repr, exp)) - Counter(map(repr, got))}"
    # every internal read stays in the table region, every internal write in the queue
    for beat in tb.reads:
        if beat.internal:
            assert TABLES <= beat.addr < TABLES + 0x1000_0000, f"walker read at {beat.addr:#x}"
    for beat in tb.writes:
        if beat.internal:
            assert EVTQ <= beat.addr < TABLES, f"internal write at {beat.addr:#x}"
    tb.log.info("random_traffic stats: %s", dict(stats))
    assert stats["rok"] and stats["wok"] and stats["rabort"] and stats["wabort"], stats


@pytest.mark.parametrize("iotlb_entries,rd_walkers", [
    (16, 2), pytest.param(4, 3, marks=pytest.mark.long)])  # long: make regression
def test_smmu_random(iotlb_entries, rd_walkers):
    run(__name__, "smmu_top", sources("smmu_top"),
        # STALL=0: CD.S=1 is one of the illegal CDs here (stalls: test_smmu_stall.py)
        parameters={"IOTLB_ENTRIES": iotlb_entries, "RD_WALKERS": rd_walkers, "STALL": 0},
        extra_env={"PASIDSIM_SOAK": "1" if SOAK else "0"})
