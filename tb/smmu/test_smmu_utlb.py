"""The channels' micro-TLBs (smmu_utlb in smmu_xlate; docs/smmu.md "Micro-TLB").

A micro-TLB entry is a finished pass decision for one (StreamID, SSID, 4 KB page, access
kind), filled by an IOTLB hit of the full lookup and emptied by any invalidation. A
request whose micro-TLB match is registered in the front register may wait there (behind
an older request of its AXI ID); an invalidation in between must drop that match, so the
request takes the full lookup and the new tables: CMD_SYNC does not wait for it.

* invalidated_while_waiting: R2 (ID 5) matches the micro-TLB and waits behind R1 (ID 5,
  a slow walk); the page is remapped and TLBI_NH_VA + CMD_SYNC issued meanwhile. R2 must
  read the new page. A watcher checks that the clear did hit R2's registered match (the
  test would otherwise prove nothing).
* disabled_and_reenabled: micro-TLB entries are not used while SMMUEN=0 (the access
  bypasses), nor after SMMUEN is set again (the caches are flushed): a remapped page
  without an invalidation command is read from its new mapping.
* hit_and_miss_latency: a page read three times: walk, IOTLB hit (2 cycles from the
  device to the memory port, fills the micro-TLB), micro-TLB hit (1 cycle); both
  channels. An access with another privilege is not served by the entry.
"""

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge

from pasidsim import smmuv3 as S
from tb.common.sim import run
from tb.common.tops import sources
from tb.smmu.cmdq_tb import VAS, CmdTB, World, page_pattern
from tb.smmu.smmu_tb import TABLES

SLOW = [(TABLES, TABLES + 0x1000_0000, 200)]    # table reads: a long walk


async def watch_clear(dut, hits: list):
    """Cycles at which an entry that the read channel's front register matched changes."""
    x = dut.u_xlate_r
    cycle = 0
    while True:
        await RisingEdge(dut.clk)
        cycle += 1
        if x.f_valid.value and int(x.f_uoh.value) & int(x.u_utlb.ent_chg.value):
            hits.append(cycle)


async def read_page(tb, sid, ssid, va, arid=None):
    """Read 16 bytes; the page number in the data says which page the DUT used."""
    resp = await tb.read(sid, va, 16, ssid=ssid, ssv=ssid != 0, arid=arid)
    assert resp.resp == 0, f"read ({sid},{ssid},{va:#x}) failed: {resp.resp}"
    return int.from_bytes(resp.data[:4], "little") << 12


async def log_aw(dut, dev: list, mem: list):
    """Cycles of the device AW handshakes and of the translated ones on m_axi."""
    cycle = 0
    while True:
        await RisingEdge(dut.clk)
        cycle += 1
        if dut.s_axi_awvalid.value and dut.s_axi_awready.value:
            dev.append(cycle)
        if dut.m_axi_awvalid.value and dut.m_axi_awready.value:
            mem.append(cycle)


def utlb_valid(dut, ch="r") -> int:
    return int(getattr(dut, f"u_xlate_{ch}").u_utlb.v.value)


async def warm_page(dut, va: int):
    """Stream 1 (World: PASIDs 0-3), caches emptied; VA of PASID 1 read three times: a
    walk, an IOTLB hit that fills the micro-TLB, a micro-TLB hit. -> (tb, world, page)."""
    tb = CmdTB(dut)
    await tb.start("none", latency=2)
    await tb.setup_cmdq()
    w = World(tb, sids=(1,))
    await tb.issue([S.cmd_cfgi_all(), S.cmd_tlbi_nsnh_all()])
    page = await read_page(tb, 1, 1, va)
    for _ in range(2):
        assert await read_page(tb, 1, 1, va) == page
    assert utlb_valid(dut), "the IOTLB hit did not fill the micro-TLB"
    return tb, w, page


@cocotb.test()
async def invalidated_while_waiting(dut):
    va = VAS[0]
    tb, w, old = await warm_page(dut, va)
    hits = []
    cocotb.start_soon(watch_clear(dut, hits))
    tb.target.slow = SLOW
    r1 = cocotb.start_soon(read_page(tb, 1, 2, va, arid=5))     # ssid 2: CD not cached
    await ClockCycles(dut.clk, 2)
    r2 = cocotb.start_soon(read_page(tb, 1, 1, va + 0x40, arid=5))
    await ClockCycles(dut.clk, 4)
    assert dut.u_xlate_r.f_valid.value and int(dut.u_xlate_r.f_uoh.value), \
        "R2 is not waiting in the front register with a micro-TLB match"
    new = w.remap(1, 1, va)
    await tb.issue([S.cmd_tlbi_nh_va(w.asid[(1, 1)], va, leaf=True)], sync=False)
    await tb.wait_cons(tb.cmdq.prod)
    assert not r2.done(), "R2 finished before the invalidation (test too weak)"
    await tb.issue([])              # CMD_SYNC: waits for R1, not for R2 (held, see top)
    await r1
    got = await r2
    tb.target.slow = []
    assert hits, "the invalidation did not change R2's registered micro-TLB match"
    assert got == new, f"R2 read page {got:#x}: the stale micro-TLB entry ({old:#x}), " \
                       f"not the new mapping {new:#x}"
    assert await read_page(tb, 1, 1, va) == new


@cocotb.test()
async def disabled_and_reenabled(dut):
    va = VAS[1]
    tb, w, _ = await warm_page(dut, va)
    await tb.enable(False, cmdq=True)
    # SMMUEN=0, GBPA.ABORT=0: bypass, the VA is the PA (a page of the data pattern there)
    tb.mem.write(va, page_pattern(va))
    assert await read_page(tb, 1, 1, va) == va, "a micro-TLB entry was used with SMMUEN=0"
    new = w.remap(1, 1, va)             # no invalidation: only the flush at enable
    await tb.enable(True, cmdq=True)
    assert utlb_valid(dut) == 0, "micro-TLB not flushed when SMMUEN was set"
    assert await read_page(tb, 1, 1, va) == new


@cocotb.test()
async def hit_and_miss_latency(dut):
    tb = CmdTB(dut)
    await tb.start("none", latency=2)
    await tb.setup_cmdq()
    World(tb, sids=(1,))
    await tb.issue([S.cmd_cfgi_all(), S.cmd_tlbi_nsnh_all()])
    va = VAS[0]
    aw, aw_mem = [], []
    cocotb.start_soon(log_aw(dut, aw, aw_mem))
    lat = []
    for prot in (0b000, 0b000, 0b000, 0b001, 0b001):
        k, n = len(tb.s_ar), len(tb.reads)
        resp = await tb.read(1, va + 8, 8, ssid=2, ssv=True, prot=prot)
        assert resp.resp == 0 and resp.data == resp.data[:4] * 2, "not a data page"
        mem = [b.cycle for b in tb.reads[n:] if not b.internal]
        lat.append(mem[0] - tb.s_ar[k][0])
    # walk, IOTLB hit, micro hit; privileged: IOTLB hit (another key), micro hit
    assert lat[1:] == [2, 1, 2, 1], f"device AR -> memory AR per read: {lat}"
    assert lat[0] > 2
    wlat = []
    for i in range(3):
        k, n = len(aw), len(aw_mem)
        resp = await tb.write(1, VAS[1] + 64 + 8 * i, bytes(8), ssid=2, ssv=True)
        assert resp.resp == 0
        wlat.append(aw_mem[n] - aw[k])
    assert wlat[1:] == [2, 1], f"device AW -> memory AW per write: {wlat}"


def test_smmu_utlb():
    run(__name__, "smmu_top", sources("smmu_top"))
