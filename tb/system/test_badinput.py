"""Bad input on the two-accelerator system top (issue 7): a corrupted STE for one
StreamID while the other accelerator copies, and doorbells / ring sizes out of range.

Accelerator 0 (StreamID DMA_SID) serves process A, accelerator 1 (DMA_SID + 1) process B.
B copies 64 KiB throughout; whatever A's side gets, B must finish correctly, no event may
name B's StreamID, nothing may hang (every wait bounded) and the isolation scoreboard
(both StreamIDs, tb/common/scoreboard.py) must see no access outside the grants.

- ``bad_ste``: A's STE is broken behind the driver's back, then CFGI_STE + CMD_SYNC
  (docs/smmu.md, decision order step 2): V=0; Config=0b11x (reserved); STRW!=0;
  S1CDMax > SSIDSIZE; S1ContextPtr beyond OAS; or random bits everywhere with V=1 and a
  reserved Config. Each must give C_BAD_STE for A's StreamID only; A's descriptor fetch is
  aborted, so A's queue halts with DESC_FETCH at the descriptor's VA (docs/dma.md); after
  the driver restores the STE (CFGI_STE) and writes QERR, the same descriptor is fetched
  again and A's copy completes correctly.
- ``doorbell_past_ring``: QTAIL written with values >= the ring size (and bits above
  [15:0]): docs/dma.md masks the producer index to the ring size, with no error. The
  descriptors below the masked index run; canary descriptors fill the rest of the ring's
  page and must never run; QERR stays NONE.
- ``ring_size_unsupported``: QSIZE written with bits above [3:0] keeps [3:0] only; QSIZE 0
  (a 1-entry ring, which can never hold a descriptor since one entry stays free) masks
  every doorbell to 0: nothing is fetched, the queue stays empty, no error; then the
  ring is reprogrammed and works.
"""

import random

import cocotb
from cocotb.triggers import Timer

from pasidsim import dma_regs as D
from pasidsim import smmuv3 as fmt
from pasidsim.dma_desc import Descriptor, Flags, Opcode, Status
from pasidsim.driver.errors import HardwareError
from tb.common.dpimem import DpiMem
from tb.common.scoreboard import SimIsolation
from tb.common.sim import run
from tb.common.tbutil import log_seed, param
from tb.common.tops import sources
from tb.system.rtlsys import rtl_system
from tb.system.workload import copy_job

PAGE = 4096
WAIT_NS = 2_000_000   # bounded waits: a hang fails with Timeout
B_SIZE = 64 << 10


class Bench:
    """Two processes on two accelerators; B's long copy is the bystander."""

    @classmethod
    async def create(cls, dut, *, stall: bool = False):
        self = cls()
        self.dut, self.log = dut, dut._log
        self.mem = DpiMem()
        self.mem.clear_errors()
        self.sys, self.plat = await rtl_system(dut, self.mem, stall=stall)
        assert len(self.sys.accels) >= 2, "needs a system top with NDEV >= 2"
        self.iso = SimIsolation(self.mem, self.log, bus_bytes=param("DATA_WIDTH", 64) // 8)
        self.a, self.b = self.sys.host.spawn("A"), self.sys.host.spawn("B")
        self.acc_a, self.acc_b = self.sys.accels[0], self.sys.accels[1]
        self.sid_a, self.sid_b = self.sys.devs[0].sid, self.sys.devs[1].sid
        return self

    async def start_b(self):
        b = self.b
        self.qb = await self.acc_b.open_queue(b)
        job = copy_job(b, B_SIZE)
        self.b_src, self.b_dst, self.b_comp, self.b_data = job
        await self.qb.submit(job.descriptor())

    async def finish(self):
        """B is correct, no event names B's StreamID, the scoreboard is clean."""
        cb = await self.qb.wait(self.b_comp, timeout_ns=WAIT_NS)
        assert cb.status == Status.SUCCESS, f"B harmed: {cb}"
        assert self.b.mm.read(self.b_dst, B_SIZE) == self.b_data, "B's data harmed"
        await self.sys.smmu.process_events()
        evs = [f.event for f in self.sys.smmu.fault_log if hasattr(f, "event")]
        assert not [e for e in evs if e.sid == self.sid_b], f"events for B's StreamID: {evs}"
        self.iso.checkpoint(self.sys)
        assert self.iso.xlates > 0, "scoreboard saw no translation (vacuous)"
        assert not self.iso.violations, f"{len(self.iso.violations)} isolation violations (see log)"
        return evs

    def qreg(self, q, off):
        return D.queue_reg(q.idx, off, len(self.acc_a.queues))

    async def rd(self, q, off):
        return await self.plat.read_reg(self.acc_a.block, self.qreg(q, off))

    async def wr(self, q, off, v):
        await self.plat.write_reg(self.acc_a.block, self.qreg(q, off), v)


def _break_ste(kind: str, w: list[int], ssid_bits: int, oas: int) -> list[int]:
    """A copy of the STE words ``w`` broken as ``kind`` (all ILLEGAL: C_BAD_STE)."""
    w = list(w)
    if kind == "v0":
        w[0] &= ~1
    elif kind == "config_rsvd":
        w[0] = (w[0] & ~(0b111 << 1)) | (random.choice((0b110, 0b111)) << 1)
    elif kind == "strw":
        w[1] |= random.randint(1, 3) << 30
    elif kind == "s1cdmax":
        w[0] = (w[0] & ~(0x1F << 59)) | (random.randint(ssid_bits + 1, 31) << 59)
    elif kind == "ctxptr_oas":
        w[0] |= 1 << random.randint(oas, 51)   # S1ContextPtr is PA[51:6] at bits [51:6]
    elif kind == "random":
        w = [random.getrandbits(64) for _ in w]
        w[0] = (w[0] & ~0xF) | 1 | (random.choice((0b110, 0b111)) << 1)
    else:
        raise ValueError(kind)
    return w


@cocotb.test(timeout_time=50, timeout_unit="ms")
@cocotb.parametrize(kind=["v0", "config_rsvd", "strw", "s1cdmax", "ctxptr_oas", "random"])
async def bad_ste(dut, kind):
    log_seed(dut._log)
    t = await Bench.create(dut)
    smmu = t.sys.smmu
    assert smmu.ssid_bits < 31 or kind != "s1cdmax"
    qa = await t.acc_a.open_queue(t.a)
    a = t.a
    src, dst, comp, data = copy_job(a, 2 * PAGE)
    await t.start_b()
    await Timer(random.randrange(500, 5000), unit="ns")   # B is copying

    ste_addr = smmu.strtab_base + t.sid_a * fmt.STE_SIZE
    good = [t.mem.read64(ste_addr + 8 * i) for i in range(fmt.STE_SIZE // 8)]
    bad = _break_ste(kind, good, smmu.ssid_bits, smmu.oas)
    t.log.info("STE of sid %#x broken (%s): %s", t.sid_a, kind, [f"{x:#018x}" for x in bad[:2]])
    for i, x in enumerate(bad):
        t.mem.write64(ste_addr + 8 * i, x)
    await smmu.cmdq.issue([fmt.cmd_cfgi_ste(t.sid_a)])

    desc_va = qa.ring + qa.tail * 64
    copy = Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 2 * PAGE, src, dst, 0, comp)
    await qa.submit(copy)
    try:
        c = await qa.wait(comp, timeout_ns=WAIT_NS)
        raise AssertionError(f"A completed through a broken STE: {c}")
    except HardwareError as exc:
        assert "DESC_FETCH" in str(exc), exc
    assert await t.rd(qa, D.QERR) == D.QErr.DESC_FETCH
    qva = await t.rd(qa, D.QERR_ADDR_LO) | await t.rd(qa, D.QERR_ADDR_HI) << 32
    assert qva == desc_va, f"QERR_ADDR {qva:#x}, descriptor at {desc_va:#x}"
    evs = await t.finish()
    names = {e.name for e in evs}
    assert "C_BAD_STE" in names, f"C_BAD_STE not reported: {names}"
    assert all(e.sid == t.sid_a for e in evs), evs
    assert a.mm.read(dst, 2 * PAGE) == bytes(2 * PAGE), "A's copy wrote through a broken STE"

    # recovery: the driver's STE back, CFGI_STE, restart the queue: the same descriptor runs
    for i, x in enumerate(good):
        t.mem.write64(ste_addr + 8 * i, x)
    await smmu.cmdq.issue([fmt.cmd_cfgi_ste(t.sid_a)])
    await t.wr(qa, D.QERR, 0)
    c = await qa.wait(comp, timeout_ns=WAIT_NS)
    assert c.status == Status.SUCCESS and a.mm.read(dst, 2 * PAGE) == data, c
    t.iso.checkpoint(t.sys)
    assert not t.iso.violations, f"{len(t.iso.violations)} isolation violations after recovery"


async def _quiet_queue(t, q, ns=5_000):
    """After ``ns`` of waiting the queue is idle, not halted, without error."""
    await Timer(ns, unit="ns")
    st = await t.rd(q, D.QSTATUS)
    assert not st & (D.QStatus.BUSY | D.QStatus.HALTED), D.QStatus(st)
    assert await t.rd(q, D.QERR) == D.QErr.NONE
    return st


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def doorbell_past_ring(dut):
    log_seed(dut._log)
    t = await Bench.create(dut)
    a = t.a
    log2 = 2
    qa = await t.acc_a.open_queue(a, log2_entries=log2)
    n = 1 << log2
    dst = a.mm.mmap(PAGE, populate=True)
    canary = a.mm.mmap(PAGE, populate=True)
    comp = a.mm.mmap(PAGE, populate=True)
    a.mm.write(dst, bytes(PAGE))
    a.mm.write(canary, bytes(PAGE))
    a.mm.write(comp, bytes(PAGE))
    # the rest of the ring's page: descriptors that would mark the canary if ever fetched
    for i in range(n, PAGE // 64):
        a.mm.write(qa.ring + 64 * i, Descriptor(Opcode.FILL, 0, 8, 0, canary + 8 * (i % 512),
                                                0xC0FFEE00 + i, 0).encode())
    await t.start_b()
    fills = [Descriptor(Opcode.FILL, Flags.COMP_REQ, 64, 0, dst + 64 * i, random.getrandbits(64) | 1,
                        comp + 64 * i) for i in range(n)]

    def put(i):
        a.mm.write(qa.ring + 64 * i, fills[i].encode())

    # two descriptors, doorbell written as ring size + 2 (and junk above bit 15)
    put(0), put(1)
    await t.wr(qa, D.QTAIL, (random.getrandbits(16) << 16) | (n + 2))
    assert await t.rd(qa, D.QTAIL) == 2, "QTAIL not masked to the ring size"
    for i in (0, 1):
        c = await qa.wait(comp + 64 * i, timeout_ns=WAIT_NS)
        assert c.status == Status.SUCCESS, (i, c)
    # all-ones doorbell: masked to n-1, so exactly entry 2 runs next
    put(2)
    await t.wr(qa, D.QTAIL, 0xFFFF_FFFF)
    assert await t.rd(qa, D.QTAIL) == n - 1
    c = await qa.wait(comp + 128, timeout_ns=WAIT_NS)
    assert c.status == Status.SUCCESS, c
    st = await _quiet_queue(t, qa)
    assert st & D.QStatus.EMPTY and await t.rd(qa, D.QHEAD) == n - 1, D.QStatus(st)
    assert a.mm.read(comp + 192, 64) == bytes(64), "entry 3 ran without a doorbell"
    for i in range(3):
        got = a.mm.read(dst + 64 * i, 64)
        assert got == fills[i].pattern.to_bytes(8, "little") * 8, (i, got.hex())
    assert a.mm.read(canary, PAGE) == bytes(PAGE), "a descriptor past the ring ran"
    await t.finish()
    qa.tail = n - 1  # the driver's view of the tail after the hand-written doorbells
    await qa.close()


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def ring_size_unsupported(dut):
    log_seed(dut._log)
    t = await Bench.create(dut)
    a = t.a
    qa = await t.acc_a.open_queue(a, log2_entries=2)
    canary = a.mm.mmap(PAGE, populate=True)
    comp = a.mm.mmap(PAGE, populate=True)
    a.mm.write(canary, bytes(PAGE))
    a.mm.write(comp, bytes(PAGE))
    await t.start_b()
    for i in range(PAGE // 64):   # every slot of the ring's page would mark the canary
        a.mm.write(qa.ring + 64 * i, Descriptor(Opcode.FILL, Flags.COMP_REQ, 8, 0, canary + 8 * i,
                                                0xBAD0000 + i, comp).encode())
    await t.wr(qa, D.QCTRL, 0)
    # bits above [3:0] are not stored
    wild = random.randrange(1, 1 << 28) << 4
    await t.wr(qa, D.QSIZE, wild)
    assert await t.rd(qa, D.QSIZE) == 0, f"QSIZE kept bits above [3:0] of {wild:#x}"
    await t.wr(qa, D.QHEAD, 0)
    await t.wr(qa, D.QCTRL, D.QCTRL_EN)
    for tail in (1, 2, 0xFFFF, random.getrandbits(32)):
        await t.wr(qa, D.QTAIL, tail)
        assert await t.rd(qa, D.QTAIL) == 0, f"1-entry ring: doorbell {tail:#x} not masked to 0"
        st = await _quiet_queue(t, qa, 2_000)
        assert st & D.QStatus.EMPTY, D.QStatus(st)
    assert a.mm.read(canary, PAGE) == bytes(PAGE), "a 1-entry ring fetched a descriptor"
    assert a.mm.read(comp, 64) == bytes(64)
    # reprogrammed with a supported size, the same queue works
    await t.wr(qa, D.QCTRL, 0)
    await t.wr(qa, D.QSIZE, 2)
    await t.wr(qa, D.QHEAD, 0)
    await t.wr(qa, D.QTAIL, 0)
    await t.wr(qa, D.QCTRL, D.QCTRL_EN)
    qa.tail = 0
    await t.wr(qa, D.QTAIL, 1)
    c = await qa.wait(comp, timeout_ns=WAIT_NS)
    assert c.status == Status.SUCCESS and a.mm.read(canary, 8) != bytes(8), c
    assert a.mm.read(canary + 8, PAGE - 8) == bytes(PAGE - 8)
    await t.finish()


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def halted_queue_reused(dut):
    """A queue closed while halted, then opened for another process: the new owner's
    queue must run. Only a QERR write clears a halt (rtl/dma/dma_regs.sv); the driver's
    Accel._program once forgot it, and the reused slot stayed halted."""
    log_seed(dut._log)
    t = await Bench.create(dut)
    qa = await t.acc_a.open_queue(t.a)
    idx = qa.idx
    garbage = max(v.end for v in t.a.mm.vmas) + 1024 * PAGE   # never mapped in A
    await t.wr(qa, D.QCTRL, 0)
    await t.wr(qa, D.QBASE_LO, garbage & 0xFFFF_FFFF)
    await t.wr(qa, D.QBASE_HI, garbage >> 32)
    await t.wr(qa, D.QCTRL, D.QCTRL_EN)
    await t.wr(qa, D.QTAIL, 1)
    for _ in range(200):
        if await t.rd(qa, D.QSTATUS) & D.QStatus.HALTED:
            break
        await Timer(500, unit="ns")
    assert await t.rd(qa, D.QERR) == D.QErr.DESC_FETCH, "setup: A's queue did not halt"
    await t.sys.smmu.process_events()
    qa.tail = 0
    await qa.close()
    c_proc = t.sys.host.spawn("C")
    qc = await t.acc_a.open_queue(c_proc)
    assert qc.idx == idx, "setup: C did not get A's old hardware queue"
    src, dst, comp, data = copy_job(c_proc, PAGE)
    try:
        c = await qc.run(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, PAGE, src, dst, 0, comp),
                         timeout_ns=WAIT_NS)
    except HardwareError as exc:
        raise AssertionError(f"C's fresh queue inherited A's halt: {exc}") from None
    assert c.status == Status.SUCCESS and c_proc.mm.read(dst, PAGE) == data, c


def test_badinput():
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        visibility="ports")
