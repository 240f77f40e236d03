"""Random corruption of a live process's CD and page tables on the system top (issue 7).

Each round process A (accelerator 0) opens a queue, then N random bit flips land in A's
CD and in the page-table entries on the walk paths of A's pages (ring, source,
destination, completion records); the driver then invalidates as it would after its own
change (CFGI_CD + TLBI by ASID + CMD_SYNC) and A submits a copy and a fill. Process B
(accelerator 1) copies throughout. Allowed outcomes for A: SUCCESS with the right data; a
PAGE_FAULT completion with the bytes before the fault right and nothing written after
it; or A's queue halting on its own fetch/record write (DESC_FETCH / COMP_WRITE). Every
event must be an architected fault naming A's StreamID and PASID; nothing may hang; B
must be correct; the isolation scoreboard (grants from the driver's state, not from the
corrupted tables) must stay clean. Then the driver's words are restored and invalidated.

Only bits whose corruption cannot turn into a *valid translation to another address* are
flipped: a flipped output address, table address, TTB0 or ASID is an architected way to
reach other memory (the SMMU does what the tables say), which this check cannot tell from
a leak. So: CD control bits (V, T0SZ, TG0, EPD0, ENDI, IPS, AA64, HA/HD, S, AFFD, WXN/UWXN,
PAN, TBI0, cacheability, MAIR) but not R/A (A=0 makes faults RAZ/WI: "success" with wrong
data is then architected), ASID or TTB0; descriptor bits valid, AttrIndx, NS, AP, SH, AF,
nG, OA[51:48] (RES0 with a 48-bit OA), DBM, XN/PXN, software bits, APTable/XNTable/
NSTable, and the type bit only at level 3 (0b01 is reserved there; at levels 0-2 it would
make a block mapping of the table's own address), never the contiguous hint.

Seeded by cocotb's seed (logged with the reproduce command); CORRUPT_ROUNDS / CORRUPT_FLIPS
size it (default 4 rounds of 1..4 flips; ``test_corrupt_soak``, long: 40 rounds of 1..8).
"""

import os
import random

import cocotb
import pytest
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
WAIT_NS = 2_000_000
# CD word 0 bits (docs/formats.md): T0SZ[5:0], TG0[7:6], IRGN0/ORGN0/SH0[13:8], EPD0 14,
# ENDI 15, EPD1 30, V 31, IPS[34:32], AFFD 35, WXN 36, UWXN 37, TBI0 38, PAN 40, AA64 41,
# HD 42, HA 43, S 44 (R 45, A 46, ASET 47, ASID[63:48] left alone)
CD_W0_BITS = [*range(0, 16), 30, 31, 32, 33, 34, 35, 36, 37, 38, 40, 41, 42, 43, 44]
CD_W3_BITS = list(range(64))   # MAIR: attributes only
PTE_BITS = [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 48, 49, 50, 51, 53, 54, 55, 56, 57, 58,
            59, 60, 61, 62, 63]
ALLOWED_EVENTS = {"C_BAD_CD", "F_TRANSLATION", "F_ADDR_SIZE", "F_ACCESS", "F_PERMISSION"}


def _env(name, default):
    return int(os.environ.get(name, default))


def _targets(sys, mm, qa, pages):
    """(address, bit, what) candidates: A's CD words and the entries on A's walk paths."""
    cd = sys.dev.cd_table.cd_addr(qa.pasid)
    out = [(cd, b, f"CD.w0[{b}]") for b in CD_W0_BITS]
    out += [(cd + 24, b, f"CD.w3[{b}]") for b in CD_W3_BITS]
    seen = set()
    for va in pages:
        for level, ea, d in mm.pgtable._walk(va):
            if ea in seen:
                continue
            seen.add(ea)
            bits = PTE_BITS + ([1] if level == 3 else [])
            out += [(ea, b, f"L{level} entry @{ea:#x} (va {va:#x}) bit {b}") for b in bits]
    return out


async def _invalidate(sys, qa, pages):
    """CD and TLB entries of A. By ASID alone is not enough: a flipped nG bit makes a leaf
    global, and TLBI_NH_ASID leaves global entries (SMMUv3: "non-global entries of the
    ASID"); TLBI_NH_VA removes global ones that map the VA, so each page A uses gets one."""
    asid = qa.bond.domain.asid
    await sys.smmu.cmdq.issue([fmt.cmd_cfgi_cd(sys.dev.sid, qa.pasid, leaf=True),
                               fmt.cmd_tlbi_nh_asid(asid),
                               *(fmt.cmd_tlbi_nh_va(asid, va) for va in pages)])


@cocotb.test(timeout_time=500, timeout_unit="ms")
async def corrupt_live_process(dut):
    log_seed(dut._log)
    rounds, max_flips = _env("CORRUPT_ROUNDS", 4), _env("CORRUPT_FLIPS", 4)
    mem = DpiMem()
    mem.clear_errors()
    sys, plat = await rtl_system(dut, mem, stall=False)
    iso = SimIsolation(mem, dut._log, bus_bytes=param("DATA_WIDTH", 64) // 8)
    a, b = sys.host.spawn("A"), sys.host.spawn("B")
    qb = await sys.accels[1].open_queue(b)
    size = 2 * PAGE
    src, dst, comp, data = copy_job(a, size)
    b_size = 256 << 10
    b_job = copy_job(b, b_size)
    b_src, b_dst, b_comp, b_data = b_job
    await qb.submit(b_job.descriptor())

    tally = {}
    for rnd in range(rounds):
        qa = await sys.accel.open_queue(a, log2_entries=2)
        pages = [qa.ring, src, src + PAGE, dst, dst + PAGE, comp]
        targets = _targets(sys, a.mm, qa, pages)
        flips = random.sample(targets, random.randint(1, max_flips))
        saved = {}
        for addr, bit, what in flips:
            w = addr & ~7
            saved.setdefault(w, mem.read64(w))
            mem.write64(w, mem.read64(w) ^ (1 << bit))
        dut._log.info("round %d: pasid %d, flips: %s", rnd, qa.pasid, "; ".join(w for *_, w in flips))
        await _invalidate(sys, qa, pages)
        a.mm.write(dst, bytes(size))
        a.mm.write(comp, bytes(128))
        pattern = random.getrandbits(64)
        descs = [Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, PAGE, src, dst, 0, comp),
                 Descriptor(Opcode.FILL, Flags.COMP_REQ, PAGE, 0, dst + PAGE, pattern, comp + 64)]
        want = [data[:PAGE], pattern.to_bytes(8, "little") * (PAGE // 8)]
        outcome = []
        try:
            await qa.submit(*descs)
            for i, d in enumerate(descs):
                c = await qa.wait(d.comp_addr, timeout_ns=WAIT_NS)
                got = a.mm.read(d.dst, PAGE)
                if c.status == Status.SUCCESS:
                    assert got == want[i], f"round {rnd} desc {i}: SUCCESS with wrong data"
                    outcome.append("ok")
                    continue
                assert c.status == Status.PAGE_FAULT, f"round {rnd} desc {i}: {c}"
                k = c.bytes_completed
                assert 0 <= k < PAGE and any(lo <= c.fault_addr < lo + PAGE for lo in (d.src, d.dst)
                                             if lo), f"round {rnd} desc {i}: {c}"
                assert got[:k] == want[i][:k], f"round {rnd} desc {i}: wrong bytes before the fault"
                assert got[k:] == bytes(PAGE - k), f"round {rnd} desc {i}: written after the fault"
                outcome.append("fault")
        except HardwareError as exc:   # A's own ring or completion page broke: the queue halts
            err = await plat.read_reg("dma", D.queue_reg(qa.idx, D.QERR, len(sys.accel.queues)))
            assert err in (D.QErr.DESC_FETCH, D.QErr.COMP_WRITE), f"round {rnd}: {exc}"
            outcome.append(D.QErr(err).name)
        # CMD_SYNC first: records of every transaction completed before it are then in the
        # event queue (an abort may reach the device before its record is written)
        await sys.smmu.cmdq.issue([])
        await sys.smmu.process_events()
        evs = [f.event for f in sys.smmu.fault_log if hasattr(f, "event")]
        sys.smmu.fault_log.clear()
        bad = [e for e in evs if e.name not in ALLOWED_EVENTS or e.sid != sys.dev.sid
               or not e.ssv or e.ssid != qa.pasid]
        assert not bad, f"round {rnd}: events outside A's architected faults: {bad}"
        if any(o != "ok" for o in outcome):   # CD.R=1: every terminated fault is recorded
            assert evs, f"round {rnd}: {outcome} without any event record"
        dut._log.info("round %d: %s; events %s", rnd, outcome, sorted({e.name for e in evs}))
        for o in outcome:
            tally[o] = tally.get(o, 0) + 1
        # the driver's words back, invalidated; a halted queue is restarted (QERR write:
        # the same descriptor is fetched again) and must now drain
        for w, v in saved.items():
            mem.write64(w, v)
        await _invalidate(sys, qa, pages)
        qreg = lambda off: D.queue_reg(qa.idx, off, len(sys.accel.queues))  # noqa: E731
        if outcome[-1] in ("DESC_FETCH", "COMP_WRITE"):
            await plat.write_reg("dma", qreg(D.QERR), 0)
        st = 0
        for _ in range(200):   # bounded: A's queue drains (nothing of A left in flight)
            st = await plat.read_reg("dma", qreg(D.QSTATUS))
            if st & D.QStatus.EMPTY and not st & D.QStatus.BUSY:
                break
            await Timer(1000, unit="ns")
        if not (st & D.QStatus.EMPTY and not st & (D.QStatus.BUSY | D.QStatus.HALTED)):
            err = await plat.read_reg("dma", qreg(D.QERR))
            va = (await plat.read_reg("dma", qreg(D.QERR_ADDR_HI)) << 32
                  | await plat.read_reg("dma", qreg(D.QERR_ADDR_LO)))
            raise AssertionError(f"round {rnd}: A's queue did not drain after the repair: "
                                 f"{D.QStatus(st)!r}, QERR {err:#x} at VA {va:#x}; pages "
                                 + ", ".join(f"{p:#x}" for p in pages))
        await sys.smmu.process_events()
        assert not [f for f in sys.smmu.fault_log if hasattr(f, "event")], \
            f"round {rnd}: faults after the repair: {sys.smmu.fault_log}"
        iso.checkpoint(sys)
        await qa.close()
    cb = await qb.wait(b_comp, timeout_ns=10 * WAIT_NS)
    assert cb.status == Status.SUCCESS and b.mm.read(b_dst, b_size) == b_data, f"B harmed: {cb}"
    iso.checkpoint(sys)
    dut._log.info("outcomes over %d rounds: %s; scoreboard %d checkpoints, %d translations",
                  rounds, tally, iso.checkpoints, iso.xlates)
    assert iso.xlates > 0
    assert not iso.violations, f"{len(iso.violations)} isolation violations (see log)"


def test_corrupt():
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        visibility="ports")


@pytest.mark.long
def test_corrupt_soak():
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        visibility="ports", extra_env={"CORRUPT_ROUNDS": "40", "CORRUPT_FLIPS": "8"})
