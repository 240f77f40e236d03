"""cocotb tests of dma_top against the golden model (cocotbext-axi memory, no SMMU).

Reproduce a failure: make test T=tb/dma/test_dma.py K=<test> SEED=<n>
"""

from __future__ import annotations

import itertools
import os
import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles
from cocotb.utils import get_sim_time

from pasidsim import dma_regs as R
from pasidsim.dma_desc import MAX_LEN, Descriptor, Flags, Opcode, Status
from tb.dma.dma_tb import PAGE, TB, cycle_pause, region

CF = Flags.COMP_REQ
_comp_slots = itertools.count()   # every descriptor gets its own completion record


async def make_tb(dut, idle=False, backpressure=False, ooo_reads=False):
    tb = TB(dut, ooo_reads=ooo_reads)
    seed = os.environ.get("DMA_SEED", "?")
    how = os.environ.get("PASIDSIM_REPRODUCE") or f"make test T=tb/dma/test_dma.py SEED={seed}"
    tb.log.info("seed %s: reproduce with %s TC=<this test's name>", seed, how)
    if idle:
        tb.set_idle_generator(cycle_pause)
    if backpressure:
        tb.set_backpressure_generator(cycle_pause)
    await tb.reset()
    assert await tb.rd(R.ID) == R.ID_VALUE
    return tb


def data_desc(tb, q, op, n, src_off, dst_off, slot=0, flags=CF, pattern=None):
    """A descriptor on fresh random buffers of queue q, with watched guard bands."""
    src = tb.buf(q, 2 * slot) + src_off
    dst = tb.buf(q, 2 * slot + 1) + dst_off
    tb.fill_random(src - 64, n + 128)
    tb.fill_random(dst - 64, n + 128)
    if op == Opcode.COMPARE and random.random() < 0.5:
        # equal buffers, or equal up to one differing byte
        tb.mem_write(dst, bytes(tb.target.mem.read(src, n)))
        if random.random() < 0.5:
            i = random.randrange(n)
            tb.mem_write(dst + i, bytes([tb.target.mem.read(dst + i, 1)[0] ^ 0x5A]))
    tb.watch(dst - 64, n + 128)
    comp = region(q) + (1 << 20) + next(_comp_slots) * 32
    return Descriptor(op, flags, n, src, dst,
                      random.getrandbits(64) if pattern is None else pattern, comp)


async def run_and_check(tb, q, descs):
    await tb.submit(q, descs)
    results = tb.run_model(q)
    await tb.wait_idle([q])
    tb.check_memory()
    for d, r in zip(descs, results):
        if d.flags & CF:
            got = tb.completion(d) if r.comp_written else None
            if r.comp_written:
                assert got == r.completion, f"completion {got} != model {r.completion} for {d}"
    return results


# ---------------------------------------------------------------- tests
@cocotb.test()
async def test_memmove_one(dut):
    """One unaligned MEMMOVE, completion record and interrupt."""
    tb = await make_tb(dut)
    await tb.setup_queue(0, pasid=0x12345)
    d = data_desc(tb, 0, Opcode.MEMMOVE, 100, 3, 13, flags=CF | Flags.IRQ_REQ)
    res = await run_and_check(tb, 0, [d])
    c = tb.completion(d)
    assert c.status == Status.SUCCESS and c.bytes_completed == 100, c
    assert res[0].completion == c
    assert int(dut.irq.value) == 1
    assert await tb.rd(R.IRQ_STATUS) == 1
    await tb.wr(R.IRQ_STATUS, 1)
    assert await tb.rd(R.IRQ_STATUS) == 0 and int(dut.irq.value) == 0
    assert tb.requests >= 3


async def _ops_sweep(dut, idle, backpressure):
    tb = await make_tb(dut, idle, backpressure)
    for q in range(tb.nq):
        await tb.setup_queue(q, pasid=None if q == 1 else 0x100 + q, log2sz=3)
    lengths = [1, 2, 7, 8, 9, 63, 64, 100, 255, 256, 1000, 2047, 2048, 2049, 4095, 4096, 4097,
               8192 + 5, 20000]
    ops = [Opcode.MEMMOVE, Opcode.FILL, Opcode.COMPARE]
    db = tb.data_width // 8
    n = 0
    for op in ops:
        batch = []
        for i, ln in enumerate(lengths):
            q = n % tb.nq
            n += 1
            so = random.randrange(PAGE) if ln > 64 and i % 3 == 0 else random.randrange(2 * db)
            do = PAGE - random.randrange(1, 64) if i % 4 == 1 else random.randrange(2 * db)
            batch.append((q, data_desc(tb, q, op, ln, so, do, slot=i)))
        for q in range(tb.nq):
            descs = [d for qq, d in batch if qq == q]
            for k in range(0, len(descs), 6):
                await tb.submit(q, descs[k:k + 6])
                tb.run_model(q)
                await tb.wait_idle([q])
        tb.check_memory()
        for q, d in batch:
            exp = next(r for qq, dd, r in tb.expected if dd is d)
            assert tb.completion(d) == exp.completion, (d, tb.completion(d), exp.completion)
    # NOP and DRAIN
    d1 = Descriptor(Opcode.NOP, CF, comp_addr=region(0) + (1 << 20) + 0x8000)
    d2 = Descriptor(Opcode.DRAIN, CF | Flags.IRQ_REQ, comp_addr=region(0) + (1 << 20) + 0x8040)
    await run_and_check(tb, 0, [d1, d2])
    assert tb.completion(d2).status == Status.SUCCESS


@cocotb.test()
async def test_ops_sweep(dut):
    """Every opcode, lengths 1..20000, many alignments and 4 KiB crossings, every queue."""
    await _ops_sweep(dut, False, False)


@cocotb.test()
async def test_ops_sweep_idle_backpressure(dut):
    """Same sweep with random idle cycles and backpressure on every channel."""
    await _ops_sweep(dut, True, True)


@cocotb.test()
async def test_all_alignments(dut):
    """Every source lane x destination lane, short and multi-beat lengths, all opcodes."""
    tb = await make_tb(dut, backpressure=True)
    await tb.setup_queue(0, pasid=0xABCDE, log2sz=5)
    db = tb.data_width // 8
    descs = []
    k = 0
    for s in range(db):
        for d in range(db):
            for ln in (1, db - 1, 3 * db + 5):
                op = (Opcode.MEMMOVE, Opcode.COMPARE, Opcode.FILL)[k % 3]
                descs.append(data_desc(tb, 0, op, ln, s, d, slot=k % 300))
                k += 1
    for i in range(0, len(descs), 30):
        await run_and_check(tb, 0, descs[i:i + 30])
    assert tb.requests > len(descs)


@cocotb.test()
async def test_one_megabyte(dut):
    """MEMMOVE, FILL and COMPARE of MAX_LEN (1 MiB); MAX_LEN + 1 is rejected."""
    tb = await make_tb(dut)
    await tb.setup_queue(0, pasid=7)
    descs = [data_desc(tb, 0, Opcode.MEMMOVE, MAX_LEN, 5, 1, slot=0),
             data_desc(tb, 0, Opcode.FILL, MAX_LEN, 0, 3, slot=1),
             data_desc(tb, 0, Opcode.COMPARE, MAX_LEN, 0, 0, slot=0),
             data_desc(tb, 0, Opcode.MEMMOVE, MAX_LEN + 1, 0, 0, slot=2)]
    res = await run_and_check(tb, 0, descs)
    assert [r.completion.status for r in res][:3] == [Status.SUCCESS] * 3
    assert res[3].completion.status == Status.INVALID_LENGTH
    assert await tb.qrd(0, R.QERR) == R.QErr.INVALID_DESC


@cocotb.test()
async def test_throughput(dut):
    """A long aligned copy moves close to one beat per cycle on R and on W."""
    tb = await make_tb(dut)
    await tb.setup_queue(0, pasid=1)
    n = 256 * 1024
    d = data_desc(tb, 0, Opcode.MEMMOVE, n, 0, 0)
    await tb.submit(q := 0, [d])
    tb.run_model(q)
    # wait for the first data beat, then time the copy
    while tb.beats["w"] == 0:
        await ClockCycles(dut.clk, 1)
    t0 = get_sim_time("ns")
    beats = n * 8 // tb.data_width
    while tb.beats["w"] < beats:
        await ClockCycles(dut.clk, 16)
    cycles = (get_sim_time("ns") - t0) / 4
    await tb.wait_idle([0])
    tb.check_memory()
    rate = beats / cycles
    tb.log.info("copy of %d bytes: %d beats in %d cycles = %.3f beats/cycle", n, beats, cycles, rate)
    assert rate > 0.85, f"write rate {rate:.3f} beats/cycle"


@cocotb.test()
async def test_random_queues(dut):
    """All queues at once, random descriptors, rings that wrap, checked against the model."""
    tb = await make_tb(dut, idle=random.random() < 0.5, backpressure=random.random() < 0.5)
    for q in range(tb.nq):
        await tb.setup_queue(q, pasid=None if q % 5 == 3 else random.getrandbits(20), log2sz=2)
    descs_all = {q: [] for q in range(tb.nq)}
    slot = 0
    rounds = 40 if os.environ.get("PASIDSIM_SOAK") else 6
    for rnd in range(rounds):
        for q in range(tb.nq):
            descs = []
            for _ in range(random.randint(1, 3)):   # ring of 4 holds 3
                op = random.choice([Opcode.MEMMOVE, Opcode.FILL, Opcode.COMPARE, Opcode.NOP])
                ln = random.choice([random.randint(1, 64), random.randint(1, 5000)])
                so, do = random.randrange(PAGE), random.randrange(PAGE)
                slot += 1
                descs.append(data_desc(tb, q, op, ln, so, do, slot=slot % 200))
            await tb.submit(q, descs)
            descs_all[q] += descs
        for q in range(tb.nq):
            tb.run_model(q)
        await tb.wait_idle()
    tb.check_memory()
    for q, d, r in tb.expected:
        if r.comp_written:
            assert tb.completion(d) == r.completion, (q, d)
    for q in range(tb.nq):
        assert await tb.qrd(q, R.QHEAD) == tb.queues[q]["tail"]
        assert await tb.qrd(q, R.QERR) == 0


@cocotb.test()
async def test_faults(dut):
    """Terminated pages give partial completions; software touches the page and resubmits."""
    tb = await make_tb(dut, backpressure=random.random() < 0.5)
    await tb.setup_queue(0, pasid=0x42)
    cases = []
    for i, (op, kind, ln) in enumerate(itertools.product(
            [Opcode.MEMMOVE, Opcode.FILL, Opcode.COMPARE], ["src", "dst"], [3 * PAGE + 77, 9000])):
        if op == Opcode.FILL and kind == "src":
            continue
        d = data_desc(tb, 0, op, ln, random.randrange(PAGE), random.randrange(PAGE), slot=i)
        if op == Opcode.COMPARE:
            tb.mem_write(d.dst, bytes(tb.target.mem.read(d.src, ln)))
        base = d.src if kind == "src" else d.dst
        page = (base + random.randrange(1, ln)) // PAGE
        write = kind == "dst" and op != Opcode.COMPARE
        tb.target.fault_pages[page] = "w" if write else "r"
        cases.append((d, page, write))
    for d, _, _ in cases:
        res = await run_and_check(tb, 0, [d])
        c = tb.completion(d)
        assert c.status == Status.PAGE_FAULT and c == res[0].completion, (c, res[0].completion)
        assert c.bytes_completed < d.length
    # the page is "touched" (fault cleared) and the rest is resubmitted
    for d, page, write in cases:
        c = tb.completion(d)
        assert c.fault_addr // PAGE == page, (hex(c.fault_addr), hex(page * PAGE))
        assert c.fault_is_write == write
        del tb.target.fault_pages[page]
        k = c.bytes_completed
        rest = Descriptor(d.opcode, d.flags, d.length - k, d.src + k, d.dst + k,
                          d.pattern if d.opcode != Opcode.FILL else
                          int.from_bytes(bytes(d.pattern.to_bytes(8, "little")[(k + i) % 8]
                                               for i in range(8)), "little"),
                          d.comp_addr)
        res = await run_and_check(tb, 0, [rest])
        assert tb.completion(rest).status == Status.SUCCESS
    assert await tb.qrd(0, R.QERR) == 0


@cocotb.test()
async def test_bus_errors(dut):
    """DECERR on a source read or destination write: BUS_ERROR completion, QERR, queue goes on."""
    tb = await make_tb(dut)
    await tb.setup_queue(0, pasid=0x77)
    ds = []
    for i, kind in enumerate(["r", "w"]):
        d = data_desc(tb, 0, Opcode.MEMMOVE, 3 * PAGE, 10, 20, slot=i)
        page = ((d.src if kind == "r" else d.dst) + PAGE) // PAGE
        tb.target.bus_error_pages[page] = kind
        ds.append((d, page, kind))
    ok = data_desc(tb, 0, Opcode.FILL, 300, 0, 0, slot=5)
    res = await run_and_check(tb, 0, [d for d, _, _ in ds] + [ok])
    for (d, page, kind), r in zip(ds, res):
        c = tb.completion(d)
        assert c.status == Status.BUS_ERROR and c.fault_addr // PAGE == page, c
        assert c.fault_is_write == (kind == "w") and c == r.completion
    assert tb.completion(ok).status == Status.SUCCESS
    assert await tb.qrd(0, R.QERR) == R.QErr.BUS_ERROR
    assert not await tb.qrd(0, R.QSTATUS) & R.QStatus.HALTED


@cocotb.test()
async def test_bad_descriptors(dut):
    """Malformed descriptors get an error completion and INVALID_DESC, never a hang."""
    tb = await make_tb(dut)
    await tb.setup_queue(0, pasid=3, log2sz=4)
    c0 = region(0) + (1 << 20)
    b = tb.buf(0, 0)
    bad = [Descriptor(9, CF, 8, b, b + 64, 0, c0),
           Descriptor(Opcode.MEMMOVE, CF | 0x40, 8, b, b + 64, 0, c0 + 32),
           Descriptor(Opcode.MEMMOVE, CF, 8, b, b + 64, 0, c0 + 64, reserved=1),
           Descriptor(Opcode.MEMMOVE, CF, 0, b, b + 64, 0, c0 + 96),
           Descriptor(Opcode.FILL, CF, 16, 0, (1 << 48) - 8, 0, c0 + 128),
           Descriptor(Opcode.MEMMOVE, CF, 16, 1 << 48, b, 0, c0 + 160),
           Descriptor(Opcode.MEMMOVE, CF, 100, b, b + 50, 0, c0 + 192),
           Descriptor(Opcode.MEMMOVE, CF, 100, b + 99, b, 0, c0 + 224),
           Descriptor(Opcode.MEMMOVE, CF, 8, b, b + 64, 0, c0 + 256 + 8),  # misaligned record
           Descriptor(Opcode.MEMMOVE, CF, 8, b, b + 64, 0, c0 + 288)]      # a good one
    tb.fill_random(b, 256)
    tb.watch(b, 256)
    res = await run_and_check(tb, 0, bad)
    want = [Status.INVALID_OPCODE, Status.INVALID_FLAGS, Status.INVALID_FLAGS,
            Status.INVALID_LENGTH, Status.INVALID_ADDRESS, Status.INVALID_ADDRESS,
            Status.OVERLAP, Status.OVERLAP]
    assert [r.completion.status for r in res[:8]] == want
    for d, r in zip(bad[:8], res):
        assert tb.completion(d).status == r.completion.status
    assert not res[8].comp_written
    assert bytes(tb.target.mem.read(c0 + 256, 64)) == bytes(tb.model_mem.read(c0 + 256, 64))
    assert tb.completion(bad[9]).status == Status.SUCCESS
    assert await tb.qrd(0, R.QERR) == R.QErr.INVALID_DESC
    await tb.qwr(0, R.QERR, 0)
    assert await tb.qrd(0, R.QERR) == 0


@cocotb.test()
async def test_halting_errors(dut):
    """Descriptor-fetch and completion-write faults halt only their queue."""
    tb = await make_tb(dut)
    await tb.setup_queue(0, pasid=5)
    await tb.setup_queue(1, pasid=6)
    # queue 0: the ring page faults on read
    tb.target.fault_pages[region(0) // PAGE] = "r"
    d0 = data_desc(tb, 0, Opcode.FILL, 100, 0, 0)
    d1 = data_desc(tb, 1, Opcode.MEMMOVE, 5000, 1, 2)
    await tb.submit(0, [d0])
    await tb.submit(1, [d1])
    tb.queues[0]["pending"] = []     # not executed
    tb.run_model(1)
    await tb.wait_idle([0, 1])
    assert await tb.qrd(0, R.QSTATUS) & R.QStatus.HALTED
    assert await tb.qrd(0, R.QERR) == R.QErr.DESC_FETCH
    assert await qerr_addr(tb, 0) == region(0)
    assert await tb.qrd(0, R.QHEAD) == 0
    assert tb.completion(d1).status == Status.SUCCESS
    tb.check_memory()
    # software fixes the mapping and clears the error: the queue resumes
    del tb.target.fault_pages[region(0) // PAGE]
    tb.queues[0]["pending"] = [d0]
    tb.run_model(0)
    await tb.qwr(0, R.QERR, 0)
    # the write clears the VA with the code: a queue slot handed to another process
    # must not show this one's fault address
    assert await qerr_addr(tb, 0) == 0
    await tb.wait_idle([0])
    assert tb.completion(d0).status == Status.SUCCESS
    tb.check_memory()
    # completion record write faults
    d2 = data_desc(tb, 1, Opcode.FILL, 64, 0, 0, slot=3)
    tb.target.fault_pages[d2.comp_addr // PAGE] = "w"
    await tb.submit(1, [d2])
    res = tb.run_model(1)
    await tb.wait_idle([1])
    assert res[0].qerr == R.QErr.COMP_WRITE
    assert await tb.qrd(1, R.QERR) == R.QErr.COMP_WRITE
    assert await tb.qrd(1, R.QSTATUS) & R.QStatus.HALTED
    assert await tb.qrd(1, R.QHEAD) == tb.queues[1]["tail"]
    assert await qerr_addr(tb, 1) == d2.comp_addr
    tb.check_memory()
    await tb.qwr(1, R.QERR, 0)
    assert await qerr_addr(tb, 1) == 0 and await tb.qrd(1, R.QERR) == R.QErr.NONE
    assert not await tb.qrd(1, R.QSTATUS) & R.QStatus.HALTED


async def qerr_addr(tb, q):
    return await tb.qrd(q, R.QERR_ADDR_LO) | await tb.qrd(q, R.QERR_ADDR_HI) << 32


@cocotb.test()
async def test_registers(dut):
    """ID/CAP/SID, field masks, QHEAD writable only while disabled, QTAIL masked."""
    tb = await make_tb(dut)
    cap = await tb.rd(R.CAP)
    assert cap & 0xFF == tb.nq and 1 << ((cap >> 8) & 0xF) == tb.data_width // 8
    assert await tb.rd(R.SID_REG) == tb.sid
    q = tb.nq - 1
    await tb.qwr(q, R.QPASID, 0xFFFFFFFF)
    assert await tb.qrd(q, R.QPASID) == 0xFFFFF
    await tb.qwr(q, R.QBASE_LO, 0xFFFFFFFF)
    await tb.qwr(q, R.QBASE_HI, 0xFFFFFFFF)
    assert await tb.qrd(q, R.QBASE_LO) == 0xFFFFFFC0 and await tb.qrd(q, R.QBASE_HI) == 0xFFFF
    await tb.qwr(q, R.QSIZE, 3)
    await tb.qwr(q, R.QHEAD, 13)
    assert await tb.qrd(q, R.QHEAD) == 13 & 7
    await tb.qwr(q, R.QTAIL, 13)   # 5 == head: empty, nothing fetched when enabled
    assert await tb.qrd(q, R.QTAIL) == 13 & 7
    await tb.qwr(q, R.QCTRL, R.QCTRL_EN)
    await tb.qwr(q, R.QHEAD, 2)    # ignored while enabled
    assert await tb.qrd(q, R.QHEAD) == 5
    st = await tb.qrd(q, R.QSTATUS)
    assert st == R.QStatus.ENABLED | R.QStatus.EMPTY, st
    assert tb.requests == 0
    assert await tb.rd(0xFFC) == 0


@cocotb.test()
async def test_round_robin(dut):
    """Busy queues are served one turn each in turn (one-chunk descriptors: a turn is
    a whole descriptor; turns inside long descriptors are test_fairness's)."""
    tb = await make_tb(dut)
    for q in range(tb.nq):
        await tb.setup_queue(q, pasid=q + 1, log2sz=3, irq_en=False)
    fetched = []
    orig = tb.target.read

    async def spy(addr, n):
        q = tb.queue_of(addr)
        if q is not None and addr < region(q) + (8 << 6):
            fetched.append(q)
        return await orig(addr, n)
    tb.target.read = spy
    # fill every ring without ringing, then ring all doorbells at once
    piece = min(128 * tb.data_width // 8, PAGE)
    for q in range(tb.nq):
        await tb.submit(q, [data_desc(tb, q, Opcode.FILL, piece, 0, 0, slot=k) for k in range(3)],
                        ring=False)
    # ring the last queue first: its first descriptor (128 beats) outlasts the other
    # doorbell writes, so from then on every queue is ready until it runs dry
    for q in reversed(range(tb.nq)):
        await tb.qwr(q, R.QTAIL, tb.queues[q]["tail"])
    for q in range(tb.nq):
        tb.run_model(q)
    await tb.wait_idle()
    tb.check_memory()
    # reads of one descriptor fetch come as 64/DB beats of the same queue
    order = fetched[:: 64 * 8 // tb.data_width]
    tb.log.info("fetch order %s", order)
    assert len(order) == 3 * tb.nq
    # the first NE picks follow the doorbells; from then on, while every queue
    # still has work, each pick is the next queue after the previous one
    assert order[0] == tb.nq - 1
    seen = {}
    for i in range(len(order)):
        if i >= tb.ne:
            assert order[i] == (order[i - 1] + 1) % tb.nq, order
        seen[order[i]] = seen.get(order[i], 0) + 1
        if seen[order[i]] == 3:
            break
    assert i >= tb.nq + tb.ne - 1, order  # at least one full round was checked


@cocotb.test()
async def test_concurrent_queues(dut):
    """With NE engines, NE queues' long copies share the bus burst by burst."""
    if tb_ne() < 2:
        return
    tb = await make_tb(dut)
    aws = []
    await tb.setup_queue(0, pasid=10)
    await tb.setup_queue(1, pasid=11)
    d0 = data_desc(tb, 0, Opcode.MEMMOVE, 64 * 1024, 0, 0)
    d1 = data_desc(tb, 1, Opcode.MEMMOVE, 64 * 1024, 0, 0)
    orig = tb.target.write

    async def spy(addr, data):
        q = tb.queue_of(addr)
        if not aws or aws[-1] != q:
            aws.append(q)
        await orig(addr, data)
    tb.target.write = spy
    await tb.submit(0, [d0])
    await tb.submit(1, [d1])
    tb.run_model(0)
    tb.run_model(1)
    await tb.wait_idle()
    tb.check_memory()
    # runs of consecutive writes to one queue: descriptor-level sharing would be 2 runs
    tb.log.info("write runs by queue: %d", len(aws))
    assert len(aws) >= 16, aws[:40]


@cocotb.test()
async def test_stall_isolation(dut):
    """A queue stalled on a fault (SMMU stall mode) does not stop the other queues."""
    if tb_ne() < 2:
        return
    tb = await make_tb(dut, ooo_reads=True)
    await tb.setup_queue(0, pasid=20)
    await tb.setup_queue(1, pasid=21)
    d0 = data_desc(tb, 0, Opcode.MEMMOVE, 2 * PAGE, 0, 0, flags=CF | Flags.BLOCK_ON_FAULT)
    stall_page = (d0.src + PAGE) // PAGE
    orig = tb.target.read
    resumed = []

    async def slow(addr, n):
        if addr // PAGE == stall_page and not resumed:
            while not resumed:          # stalled until "software" resumes it
                await ClockCycles(dut.clk, 100)
        return await orig(addr, n)
    tb.target.read = slow
    await tb.submit(0, [d0])
    tb.run_model(0)
    others = [data_desc(tb, 1, op, 3000, 5, 9, slot=i)
              for i, op in enumerate([Opcode.MEMMOVE, Opcode.FILL, Opcode.COMPARE] * 2)]
    await tb.submit(1, others)
    tb.run_model(1)
    await tb.wait_idle([1], timeout=100_000)
    assert await tb.qrd(0, R.QSTATUS) & R.QStatus.BUSY, "queue 0 should still be stalled"
    for d in others:
        assert tb.completion(d).status == Status.SUCCESS
    resumed.append(True)
    await tb.wait_idle([0])
    tb.check_memory()
    assert tb.completion(d0).status == Status.SUCCESS


def tb_ne():
    return int(os.environ.get("PARAM_NE", "2"))


def tb_nq():
    return int(os.environ.get("PARAM_NQ", "4"))


def max_waits(bursts, queues):
    """Per queue: the most bursts of other queues accepted between two of its data
    bursts (or before its first one), up to its last data burst. Data bursts are
    stream 1/2 (source, destination, compare); descriptor fetches and completion
    writes of others count as waiting time, not as progress."""
    out = {}
    for q in queues:
        wait = worst = 0
        last_data = None
        for i, (_, bq, bid) in enumerate(bursts):
            if bq == q:
                if bid & 3:
                    worst, wait, last_data = max(worst, wait), 0, i
            else:
                wait += 1
        out[q] = worst if last_data is not None else None
    return out


def fairness_bound(tb):
    """Other queues' bursts a busy queue may wait between two of its data bursts.
    A turn is one descriptor fetch, QUANTUM chunks (a chunk is at most 128 beats of
    destination plus one for misalignment: one read and one write burst) and at most
    one completion write: T = 2 + 2 QUANTUM bursts. A turn that began while no other
    queue waited may have up to 8 chunks (the engine's chunks in flight) before it
    sees a waiter: T8 = 2 + 2 * 8. While a queue waits, the round-robin pointer
    reaches it before any other queue gets a second pick: at most NQ-1 turns start
    elsewhere. Turns already under way in all NE engines when it started waiting (its
    own engine's too: with NE=1 that turn may be a T8 one), and those the other
    engines run while its own engine waits for its read data, add at most 2 NE - 1
    turns of up to T8."""
    db = tb.data_width // 8
    piece = min(128 * db, PAGE)            # chunk size limit (dma_ctrl PIECE)
    per_chunk = -(-(piece // db + 1) // 256)
    turn = 2 + 2 * per_chunk * tb.quantum
    turn8 = 2 + 2 * per_chunk * max(8, tb.quantum)
    return (tb.nq - 1) * turn + (2 * tb.ne - 1) * turn8


async def _fairness(dut, idle, backpressure, length):
    tb = await make_tb(dut, idle, backpressure)
    for q in range(tb.nq):
        await tb.setup_queue(q, pasid=0x300 + q, log2sz=2, irq_en=False)
    descs = {q: data_desc(tb, q, Opcode.MEMMOVE, length + 97 * q, random.randrange(PAGE),
                          random.randrange(PAGE)) for q in range(tb.nq)}
    for q in range(tb.nq):
        await tb.submit(q, [descs[q]], ring=False)
    tb.bursts.clear()
    for q in range(tb.nq):                       # all doorbells as close together as we can
        await tb.qwr(q, R.QTAIL, tb.queues[q]["tail"])
    t0, w0 = get_sim_time("ns"), tb.beats["w"]
    for q in range(tb.nq):
        tb.run_model(q)
    await tb.wait_idle(timeout=2_000_000)
    rate = (tb.beats["w"] - w0) / ((get_sim_time("ns") - t0) / 4)
    tb.check_memory()
    for q, d in descs.items():
        assert tb.completion(d).status == Status.SUCCESS, (q, tb.completion(d))
        assert await tb.qrd(q, R.QRESUME) == 0
    waits = max_waits(tb.bursts, range(tb.nq))
    bound = fairness_bound(tb)
    tb.log.info("fairness: NQ=%d NE=%d QUANTUM=%d: max wait %d bursts (bound %d), "
                "%.3f W beats/cycle overall, per queue %s",
                tb.nq, tb.ne, tb.quantum, max(waits.values()), bound, rate, waits)
    assert all(w is not None and w <= bound for w in waits.values()), (bound, waits)


@cocotb.test()
async def test_fairness(dut):
    """Long copies on every queue: each queue moves data within a bounded number of bursts."""
    await _fairness(dut, False, False, 6 * PAGE if tb_nq() <= 4 else 2 * PAGE)


@cocotb.test()
async def test_fairness_idle_backpressure(dut):
    """The same bound with random idle cycles and backpressure on every channel."""
    await _fairness(dut, True, True, 3 * PAGE if tb_nq() <= 4 else PAGE + 300)


@cocotb.test()
async def test_fairness_stall(dut):
    """A queue stalled on a fault (block-on-fault, SMMU stall mode) holds one engine only:
    the other queues still take turns on the others and finish; then it finishes too."""
    if tb_ne() < 2:
        return
    tb = await make_tb(dut, ooo_reads=True)
    for q in range(tb.nq):
        await tb.setup_queue(q, pasid=0x400 + q, log2sz=2, irq_en=False)
    d0 = data_desc(tb, 0, Opcode.MEMMOVE, 3 * PAGE, 0, 0, flags=CF | Flags.BLOCK_ON_FAULT)
    stall_page = (d0.src + PAGE) // PAGE
    orig = tb.target.read
    resumed = []

    async def slow(addr, n):
        if addr // PAGE == stall_page and not resumed:
            while not resumed:
                await ClockCycles(dut.clk, 100)
        return await orig(addr, n)
    tb.target.read = slow
    await tb.submit(0, [d0])
    tb.run_model(0)
    n = 3 * PAGE + 5 if tb.nq <= 4 else PAGE + 5
    others = {q: data_desc(tb, q, Opcode.MEMMOVE, n, 7, 3) for q in range(1, tb.nq)}
    for q, d in others.items():
        await tb.submit(q, [d])
        tb.run_model(q)
    await tb.wait_idle(list(others), timeout=2_000_000)
    assert await tb.qrd(0, R.QSTATUS) & R.QStatus.BUSY, "queue 0 should still be stalled"
    for d in others.values():
        assert tb.completion(d).status == Status.SUCCESS
    resumed.append(True)
    await tb.wait_idle([0])
    tb.check_memory()
    assert tb.completion(d0).status == Status.SUCCESS


@cocotb.test()
async def test_resume_register(dut):
    """A copy handed back mid-way shows its resume offset in QRESUME; it is a chunk
    boundary, and writing QHEAD (queue disabled) forgets it."""
    if tb_ne() >= min(tb_nq(), 4):
        return
    tb = await make_tb(dut)
    nq = min(tb.nq, 4)                  # more queues would only make it slower
    for q in range(nq):
        await tb.setup_queue(q, pasid=0x500 + q, log2sz=2, irq_en=False)
    descs = {q: data_desc(tb, q, Opcode.FILL, 8 * PAGE, 0, 64) for q in range(nq)}
    for q, d in descs.items():
        await tb.submit(q, [d])
    # disable every queue while work is in progress: the queues in the engines finish
    # their descriptor (a disabled queue is never handed back), the waiting ones keep
    # the offset they were handed back at
    await ClockCycles(dut.clk, 3000)
    for q in range(nq):
        await tb.qwr(q, R.QCTRL, 0)
    for _ in range(400):
        if not any([await tb.qrd(q, R.QSTATUS) & R.QStatus.BUSY for q in range(nq)]):
            break
        await ClockCycles(dut.clk, 100)
    offs = {q: await tb.qrd(q, R.QRESUME) for q in range(nq)}
    tb.log.info("resume offsets %s", offs)
    saved = [q for q, off in offs.items() if off]
    assert saved, offs
    piece = min(128 * tb.data_width // 8, PAGE)   # FILL chunks: every PIECE of dst
    for q in saved:
        d = descs[q]
        assert offs[q] % piece == (piece - d.dst % piece) % piece, (q, offs)
        assert offs[q] < d.length, (q, offs)
        assert await tb.qrd(q, R.QHEAD) == 0
    # writing QHEAD (disabled) forgets the progress: that queue's FILL starts over
    await tb.qwr(saved[0], R.QHEAD, 0)
    assert await tb.qrd(saved[0], R.QRESUME) == 0
    # re-enabled, every queue completes; the data matches the model
    n_before = len(tb.target.writes)
    for q in range(nq):
        await tb.qwr(q, R.QCTRL, R.QCTRL_EN)
        tb.run_model(q)
    await tb.wait_idle()
    tb.check_memory()
    for q, d in descs.items():
        assert tb.completion(d).status == Status.SUCCESS and await tb.qrd(q, R.QRESUME) == 0
    # the cleared queue wrote its first bytes again; the others went on at QRESUME
    later = tb.target.writes[n_before:]
    d0 = descs[saved[0]]
    assert any(a <= d0.dst < a + n for a, n in later), "queue with cleared QRESUME did not restart"
    for q in saved[1:]:
        d = descs[q]
        redone = [(a, n) for a, n in later if a < d.dst + offs[q] and a + n > d.dst]
        assert not redone, (q, offs[q], redone[:3])


@cocotb.test()
async def test_block_on_fault_stall(dut):
    """A stalled access (SMMU stall mode) only delays the descriptor; it then completes."""
    tb = await make_tb(dut)
    await tb.setup_queue(0, pasid=9)
    d = data_desc(tb, 0, Opcode.MEMMOVE, 3 * PAGE, 100, 200,
                  flags=CF | Flags.BLOCK_ON_FAULT)
    stall_page = (d.src + PAGE) // PAGE
    orig = tb.target.read
    stalled = []

    async def slow(addr, n):
        if addr // PAGE == stall_page and not stalled:
            stalled.append(addr)
            await ClockCycles(dut.clk, 3000)   # "software resumes" after 3000 cycles
        return await orig(addr, n)
    tb.target.read = slow
    res = await run_and_check(tb, 0, [d])
    assert stalled and tb.completion(d).status == Status.SUCCESS == res[0].completion.status


RING_WRAP_LOG2SZ = 2     # 4 slots: 2 rounds of 3 descriptors wrap once (0 1 2 3 0 1)


@cocotb.test()
async def test_ring_wrap(dut):
    """Two queues run round a 4-slot ring, side by side. The HDL trace's completion
    records (slot index, device sid) are checked by test_dma_ring_wrap_trace."""
    tb = await make_tb(dut)
    for q in (0, 1):
        await tb.setup_queue(q, pasid=q + 7, log2sz=RING_WRAP_LOG2SZ, irq_en=False)
    for rnd in range(2):
        for q in (0, 1):
            await tb.submit(q, [data_desc(tb, q, Opcode.FILL, 200, 8 * k, 0, slot=3 * rnd + k)
                                for k in range(3)])
        for q in (0, 1):
            tb.run_model(q)
        await tb.wait_idle([0, 1])
        tb.check_memory()
    for q in (0, 1):
        assert await tb.qrd(q, R.QHEAD) == 6 % (1 << RING_WRAP_LOG2SZ)


# ---------------------------------------------------------------- pytest entry points
from tb.common.sim import run  # noqa: E402
from tb.common.tops import sources  # noqa: E402


@pytest.mark.parametrize("nq,data_width,ne", [
    (4, 64, 2), (16, 64, 2),
    pytest.param(4, 128, 2, marks=pytest.mark.long),  # wider bus and a single engine:
    pytest.param(4, 64, 1, marks=pytest.mark.long),   # make regression
])
def test_dma(nq, data_width, ne):
    # cocotb derives each test's seed from this one and the test's name
    seed = int(os.environ.get("SEED") or random.getrandbits(31))
    run(__name__, "dma_top", sources("dma_top"), testcase=os.environ.get("TC") or os.environ.get("DMA_TEST") or None,
        seed=seed, extra_env={"DMA_SEED": str(seed),
                              "PASIDSIM_SOAK": os.environ.get("PASIDSIM_SOAK", "")},
        parameters={"NQ": nq, "NE": ne, "DATA_WIDTH": data_width, "SID": 0x5A, "SID_BITS": 8})


def test_dma_ring_wrap_trace(monkeypatch):
    """The completion records of the HDL trace carry the descriptor's ring slot (`index`,
    = head at fetch) and the device's StreamID (`sid`); the coverage model sees each
    queue's ring wrap once."""
    from pasidsim import trace as T
    from tb.common import fcov

    monkeypatch.setenv("KEEP_TRACE", "1")
    sid = 0x5A
    d = run(__name__, "dma_top", sources("dma_top"), testcase="test_ring_wrap",
            seed=int(os.environ.get("SEED") or 1),
            parameters={"NQ": 4, "NE": 2, "DATA_WIDTH": 64, "SID": sid, "SID_BITS": 8})
    recs = [r for r in T.read_jsonl(d / "trace.jsonl") if r["kind"] == "completion"]
    size = 1 << RING_WRAP_LOG2SZ
    for q in (0, 1):
        mine = [r for r in recs if r["queue"] == q]
        assert [r["index"] for r in mine] == [k % size for k in range(6)], mine
        assert all(r["sid"] == sid and r["ssid"] == q + 7 and r["status"] == "SUCCESS"
                   for r in mine), mine
    assert fcov.sample(recs)["queues.wrap"]["dma ring"] == 2
