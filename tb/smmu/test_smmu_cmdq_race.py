"""Invalidation races: random DMA-style traffic from several StreamID/PASID pairs while a
software thread remaps and unmaps pages and replaces CDs and STEs, each change followed
by the invalidation Linux would issue and a CMD_SYNC (the driver's CmdQueue).

Memory-side scoreboard: every data page is used by exactly one mapping, ever. When the
CMD_SYNC after a change completes (the cycle CMDQ_CONS passes it), the pages of the old
mappings retire; any memory access to a retired page at or after that cycle (the
memory model's actual read / write, after its latency) is stale use and fails the test.
Accesses to pages that were never mapped fail too, and read data must come from a page
of the same (StreamID, PASID, VA).

Writes carry a tag per 8-byte word (StreamID, PASID, VA of that word) instead of page
data: a worker cannot know which mapping its write will use (the AXI master may put the
AW on the bus long after the worker queued it, and until the CMD_SYNC completes the
DUT may legally use the old or the new tables). The memory side checks each tag against
the owner of the page the word lands on and its offset in the page, and leaves data
pages unchanged, so page contents stay identifiable for the read checks. (With seed 4
the earlier scheme, which wrote the data of the page mapped when the write was queued,
wrote zeros for "unmapped" into the page a new STE mapped before the AW was accepted,
and a later read of that page then failed the data check: a test gap, not a DUT bug.)

Negative control (`skip_tlbi`): the same test without the TLBIs (CMD_SYNC only) must
make the scoreboard see stale use, proving it can.
PASIDSIM_SOAK=1 runs 5x more changes (150).
"""

import os
import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles
from cocotbext.axi import AxiResp

from pasidsim import smmuv3 as S
from tb.common.sim import run
from tb.common.tbutil import log_seed
from tb.common.tops import sources
from tb.smmu.cmdq_tb import VAS, CmdTB, World, page_pattern
from tb.smmu.smmu_tb import DATA

SOAK = os.environ.get("PASIDSIM_SOAK", "0") not in ("", "0")
PAIRS = [(1, 1), (1, 2), (1, 3), (2, 0), (2, 1), (2, 2)]


TAG = 0xA5


def tag(sid: int, ssid: int, va: int, n: int) -> bytes:
    """Write data: one tag word per 8 bytes naming the writer and the word's VA."""
    return b"".join(((TAG << 56) | (sid << 48) | (ssid << 40) | (va + i)).to_bytes(8, "little")
                    for i in range(0, n, 8))


def untag(word: int):
    if word >> 56 != TAG:
        return None
    return (word >> 48) & 0xFF, (word >> 40) & 0xFF, word & 0xFF_FFFF_FFFF


class Scoreboard:
    def __init__(self, tb: CmdTB, world: World):
        self.tb, self.w = tb, world
        self.owner: dict[int, tuple] = {}      # data page -> (sid, ssid, va)
        self.retired: dict[int, int] = {}      # data page -> cycle its last sync completed
        self.accesses: list[tuple[int, int, int, bool]] = []   # (cycle, addr, n, write)
        self.bad_tags: list[str] = []          # data-page writes whose tags do not fit
        for (sid, ssid), pt in world.pts.items():
            self.learn(sid, ssid)
        tgt = tb.target
        orig_read, orig_write = tgt.read, tgt.write

        async def read(address, length):
            await tgt._delay(address)
            self.accesses.append((tb.cycle, address, length, False))
            return tgt.mem.read(address, length)

        async def write(address, data):
            await tgt._delay(address)
            self.accesses.append((tb.cycle, address, len(data), True))
            if DATA <= address < DATA + 0x1000_0000:
                self.check_tags(address, bytes(data))   # data pages keep their pattern
            else:
                tgt.mem.write(address, bytes(data))
        tgt.read, tgt.write = read, write
        self._orig = (orig_read, orig_write)

    def check_tags(self, address, data):
        """Every 8-byte word must be the tag of a write by the page's owner to this offset."""
        if address % 8 or len(data) % 8:
            self.bad_tags.append(f"cycle {self.tb.cycle}: unaligned write {address:#x}+{len(data)}")
            return
        for i in range(0, len(data), 8):
            a, word = address + i, int.from_bytes(data[i:i + 8], "little")
            src = untag(word)
            owner = self.owner.get(a & ~0xFFF)
            if src is None or owner is None or owner != (src[0], src[1], src[2] & ~0xFFF) \
                    or src[2] & 0xFFF != a & 0xFFF:
                self.bad_tags.append(f"cycle {self.tb.cycle}: write of {word:#018x} "
                                     f"(tag {src}) at {a:#x}, page owner {owner}")

    def pa(self, sid, ssid, va):
        pt = self.w.pts[(sid, ssid)]
        pte = pt.mem.read64(pt.slot_addr(va, 3))
        return (pte & 0xFFFF_FFFF_F000) if pte & 1 else None

    def learn(self, sid, ssid):
        for va in VAS:
            pa = self.pa(sid, ssid, va)
            if pa is not None:
                self.owner.setdefault(pa, (sid, ssid, va))

    def violations(self) -> list[str]:
        out = list(self.bad_tags)
        for cyc, addr, n, wr in self.accesses:
            if not DATA <= addr < DATA + 0x1000_0000:
                continue
            page = addr & ~0xFFF
            if page not in self.owner or (addr + n - 1) & ~0xFFF != page:
                out.append(f"cycle {cyc}: {'write' if wr else 'read'} at {addr:#x}+{n} "
                           f"outside every mapping")
            elif page in self.retired and cyc >= self.retired[page]:
                out.append(f"cycle {cyc}: {'write' if wr else 'read'} at {addr:#x} uses "
                           f"{self.owner[page]}'s old page, retired by CMD_SYNC at "
                           f"cycle {self.retired[page]}")
        return out


async def worker(tb, sb, rng, sid, ssid, stop, stats, strict=True):
    """Random traffic. strict=False (the negative control): stale use is expected, so a
    read returning another page's or corrupted data is counted, not fatal; the
    scoreboard's verdict is what the control checks."""
    while not stop:
        va = rng.choice(VAS)
        off = rng.randrange(0, 0x1000 - 64, 8)
        n = rng.choice((8, 16, 32, 64))
        ssv = ssid != 0
        if rng.random() < 0.6:
            resp = await tb.read(sid, va + off, n, ssid=ssid, ssv=ssv)
            if resp.resp == AxiResp.OKAY:
                stats["rok"] += 1
                page = int.from_bytes(resp.data[:4], "little") << 12
                good = sb.owner.get(page) == (sid, ssid, va) and resp.data == page_pattern(page)[:n]
                if not good and not strict:
                    stats["bad_data"] = stats.get("bad_data", 0) + 1
                    continue
                assert sb.owner.get(page) == (sid, ssid, va), \
                    f"read ({sid},{ssid},{va:#x}) returned data of page {page:#x} " \
                    f"({sb.owner.get(page)})"
                assert resp.data == page_pattern(page)[:n], "data corrupted"
            else:
                stats["rerr"] += 1
        else:
            resp = await tb.write(sid, va + off, tag(sid, ssid, va + off, n), ssid=ssid, ssv=ssv)
            stats["wok" if resp.resp == AxiResp.OKAY else "werr"] += 1
        await ClockCycles(tb.dut.clk, rng.randrange(0, 4))


@cocotb.test()
@cocotb.parametrize(skip_tlbi=[False, True])
async def invalidation_race(dut, skip_tlbi):
    tb = CmdTB(dut)
    seed = log_seed(tb.log)
    rng = random.Random(seed)
    await tb.start("random", latency=3)
    await tb.setup_cmdq(log2size=5, evtq_log2size=4)
    w = World(tb, sids=(1, 2))
    await tb.issue([S.cmd_cfgi_all(), S.cmd_tlbi_nsnh_all()])
    sb = Scoreboard(tb, w)
    # the tag check itself: another stream's tag, a wrong offset, page data are caught
    (page, (sid0, ssid0, va0)), = list(sb.owner.items())[:1]
    for bad in (tag(sid0 ^ 3, ssid0, va0 + 8, 8), tag(sid0, ssid0, va0 + 16, 8),
                page_pattern(page)[:8]):
        n0 = len(sb.bad_tags)
        sb.check_tags(page + 8, bad)
        assert len(sb.bad_tags) == n0 + 1, f"tag check missed {bad.hex()}"
    sb.check_tags(page + 8, tag(sid0, ssid0, va0 + 8, 8))
    assert len(sb.bad_tags) == 3
    sb.bad_tags.clear()
    stop, stats = [], {"rok": 0, "rerr": 0, "wok": 0, "werr": 0}
    tasks = [cocotb.start_soon(worker(tb, sb, random.Random(rng.getrandbits(32)), sid, ssid,
                                      stop, stats, strict=not skip_tlbi)) for sid, ssid in PAIRS]
    n_ops = 6 if skip_tlbi else (150 if SOAK else 30)
    kinds = ["remap"] if skip_tlbi else ["remap", "remap", "unmap", "cd", "ste"]
    ops = {k: 0 for k in kinds}
    for i in range(n_ops):
        await ClockCycles(dut.clk, rng.randrange(20, 120))
        kind = rng.choice(kinds)
        sid, ssid = rng.choice(PAIRS)
        va = rng.choice(VAS)
        if kind in ("remap", "unmap"):
            # make sure the entry is cached (the negative control depends on it)
            await tb.read(sid, va, 8, ssid=ssid, ssv=ssid != 0)
            old = [sb.pa(sid, ssid, va)]
            if kind == "remap":
                w.remap(sid, ssid, va)
            else:
                pt = w.pts[(sid, ssid)]
                pt.mem.write64(pt.slot_addr(va, 3), 0)
            cmds = [S.cmd_tlbi_nh_va(w.asid[(sid, ssid)], va, leaf=True)]
        elif kind == "cd":
            old = [sb.pa(sid, ssid, v) for v in VAS]
            w.new_cd(sid, ssid)
            cmds = [S.cmd_cfgi_cd(sid, ssid)]
        else:
            old = [sb.pa(sid, s, v) for s in range(4) for v in VAS]
            w.new_ste(sid)
            cmds = [S.cmd_cfgi_ste(sid)]
        for s in range(4):
            if (sid, s) in w.pts:
                sb.learn(sid, s)
        mark = len(tb.cons_log)
        await tb.issue([] if skip_tlbi else cmds)
        done = next(c for c, v in tb.cons_log[mark:] if v & 0xFFFFF == tb.cmdq.prod)
        for pa in old:
            if pa is not None:
                sb.retired.setdefault(pa, done)
        ops[kind] += 1
    await ClockCycles(dut.clk, 200)
    stop.append(True)
    for t in tasks:
        await t
    bad = sb.violations()
    tb.log.info("ops %s, traffic %s, %d memory accesses, %d stale", ops, stats,
                len(sb.accesses), len(bad))
    assert stats["rok"] > 20 and stats["wok"] > 10, stats
    if skip_tlbi:
        assert bad, "negative control: without TLBI the scoreboard saw no stale use"
    else:
        assert not bad, "\n".join(bad[:10])


# The default regression runs a fixed seed; `make regression` (PASIDSIM_SOAK=1) and an
# explicit SEED= run random ones. Seed 4 exposes an open problem (below).
@pytest.mark.parametrize("iotlb_entries", [16])
def test_smmu_cmdq_race(iotlb_entries):
    seed = int(os.environ["SEED"]) if os.environ.get("SEED") else (None if SOAK else 1)
    run(__name__, "smmu_top", sources("smmu_top"),
        parameters={"IOTLB_ENTRIES": iotlb_entries}, seed=seed,
        extra_env={"PASIDSIM_SOAK": "1" if SOAK else "0"})


# Seed 4 once exposed the test gap described in the module docstring (a write queued
# while its VA was unmapped, translated after a new STE mapped it); kept as a regression.
def test_smmu_cmdq_race_seed4():
    run(__name__, "smmu_top", sources("smmu_top"), seed=4,
        extra_env={"PASIDSIM_SOAK": "0"})
