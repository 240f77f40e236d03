"""Many processes at once on the system top, against the golden model, under the isolation
scoreboard (tb/common/scoreboard.py).

- ``many_processes_isolated``: 16 processes (16 live PASIDs) run random copies / fills /
  compares of random sizes and alignments, taking turns on the hardware queues. The same
  workload on the model backend is the golden result (every destination buffer, every
  completion record). At every quiescent point the scoreboard checks every byte the RAM
  read or wrote against the SMMU's translations and the driver's own record of what each
  PASID may reach; it must have seen traffic (not vacuous) and no violation.
  A quarter of the processes start with unpopulated destinations: their writes take
  I/O page faults, resolved by stall + RESUME (default) or, with ISO_STALL=0, by partial
  completion + resubmission of the rest (``test_isolation_partial_completions``).
- ``exit_and_munmap_under_load``: invalidation and process exit while the device copies.
- ``tampered_pte_is_caught`` (negative control): two leaves of process A are pointed at
  process B's pages behind the driver's back. A's DMA then writes into B's page and reads
  B's secret; both must be reported, and the harm must really have happened.

Seeds: cocotb's seed picks the workload seed (logged with the reproduce command).
"""

import os
import random

import cocotb
import pytest
from cocotb.triggers import Timer

from pasidsim import dma_regs as D
from pasidsim import smmuv3 as fmt
from pasidsim.dma_desc import Descriptor, Flags, Opcode, Status
from pasidsim.driver.scenario import compare
from pasidsim.driver.system import model_system
from tb.common.dpimem import DpiMem
from tb.common.scoreboard import IsolationPolicy, SimIsolation
from tb.common.sim import run
from tb.common.tbutil import log_seed, param
from tb.common.tops import sources
from tb.system.rtlsys import rtl_system
from tb.system.workload import copy_job, random_workload

PAGE = 4096


def _stall() -> bool:
    """ISO_STALL=1 (default): faults stall and are resumed; 0: partial completions."""
    return os.environ.get("ISO_STALL", "1") == "1"


def _workload_kw():
    return {"nproc": int(os.environ.get("ISO_PROCS", "16")),
            "rounds": int(os.environ.get("ISO_ROUNDS", "2")),
            "per_round": int(os.environ.get("ISO_PER_ROUND", "3")),
            "max_len": int(os.environ.get("ISO_MAX_LEN", "6000")),
            "lazy": float(os.environ.get("ISO_LAZY", "0.25"))}


@cocotb.test(timeout_time=200, timeout_unit="ms")
async def many_processes_isolated(dut):
    log_seed(dut._log)
    wseed = random.getrandbits(32)
    kw = _workload_kw()
    dut._log.info("workload seed %d, %s", wseed, kw)
    model = await model_system(plat_kw={"dma_sid": param("DMA_SID", 1),
                                        "dma_queues": param("NQ", 4)},
                               stall=_stall())
    want = await random_workload(model, seed=wseed, **kw)

    mem = DpiMem()
    sys, _ = await rtl_system(dut, mem, stall=_stall())
    iso = SimIsolation(mem, dut._log, bus_bytes=param("DATA_WIDTH", 64) // 8)
    got = await random_workload(sys, seed=wseed, hook=iso.hook, **kw)
    iso.checkpoint(sys)
    diffs = compare(want, got)
    assert not diffs, "RTL and golden model differ:\n" + "\n".join(diffs)
    dut._log.info("scoreboard: %d checkpoints, %d RAM access runs, %d translations",
                  iso.checkpoints, iso.accesses, iso.xlates)
    # not vacuous: it saw every descriptor's traffic
    assert iso.xlates >= len(want.completions) and iso.accesses >= len(want.completions)
    assert not iso.violations, f"{len(iso.violations)} isolation violations (see log)"


def _leaf_addr(mm, va: int) -> int:
    *_, (level, ea, d) = mm.pgtable._walk(va)
    assert level == 3 and d.type == "page", (va, level, d)
    return ea


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def tampered_pte_is_caught(dut):
    mem = DpiMem()
    sys, _ = await rtl_system(dut, mem)
    a, b = sys.host.spawn("A"), sys.host.spawn("B")
    qa = await sys.accel.open_queue(a)
    await sys.accel.open_queue(b)
    a_src = a.mm.mmap(PAGE, populate=True)
    a_dst = a.mm.mmap(2 * PAGE, populate=True)
    a_comp = a.mm.mmap(PAGE, populate=True)
    b_secret = b.mm.mmap(PAGE, populate=True)
    b_victim = b.mm.mmap(PAGE, populate=True)
    secret = random.randbytes(PAGE)
    b.mm.write(b_secret, secret)
    b.mm.write(b_victim, bytes(PAGE))
    a.mm.write(a_src, bytes(PAGE))
    iso = SimIsolation(mem, dut._log, bus_bytes=param("DATA_WIDTH", 64) // 8)
    policy = IsolationPolicy()
    policy.snapshot_system(sys)  # the driver's view: A's pages are A's own
    assert not iso.checkpoint(sys, policy), "violations before the tampering"

    # Behind the driver's back (no CFGI/TLBI: the device never touched these VAs, so no
    # TLB entry exists): A's src page -> B's secret, A's second dst page -> B's victim.
    pa_secret = b.mm._pages[b_secret]
    pa_victim = b.mm._pages[b_victim]
    mem.write64(_leaf_addr(a.mm, a_src), fmt.pte_page(pa_secret, xn=True))
    mem.write64(_leaf_addr(a.mm, a_dst + PAGE), fmt.pte_page(pa_victim, xn=True))
    pattern = random.getrandbits(64) | 1
    c1 = await qa.run(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, PAGE, a_src, a_dst, 0, a_comp))
    c2 = await qa.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, PAGE, 0, a_dst + PAGE, pattern,
                                 a_comp + 64))
    # the harm is real (so the scoreboard has something to find) ...
    assert c1.status == Status.SUCCESS and c2.status == Status.SUCCESS, (c1, c2)
    assert mem.read(a.mm._pages[a_dst], PAGE) == secret, "B's secret did not reach A"
    assert mem.read(pa_victim, 8) == pattern.to_bytes(8, "little"), "B's page not overwritten"
    # ... and the scoreboard names both: A wrote B's page, A read B's page
    found = iso.checkpoint(sys, policy)
    kinds = {v.kind for v in found}
    assert kinds == {"write-not-granted", "read-not-granted"}, found
    assert all("page of B" in v.what and f"ssid {qa.pasid}" in v.what for v in found), found


async def _queue_settles(plat, q, nq, timeout_ns=2_000_000) -> int:
    """Bounded wait until the queue is not busy; returns QSTATUS (fails on a hang)."""
    for _ in range(timeout_ns // 1000):
        st = await plat.read_reg("dma", D.queue_reg(q, D.QSTATUS, nq))
        if not st & D.QStatus.BUSY:
            return st
        await Timer(1000, unit="ns")
    raise AssertionError(f"DMA queue {q} still busy after {timeout_ns} ns")


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def exit_and_munmap_under_load(dut):
    """Three long copies run; meanwhile C's destination is munmapped (TLBI + CMD_SYNC under
    load) and A exits with its queue still enabled (CD cleared, tables and pages freed). The
    freed memory is handed at once to a new process D and filled with a marker. Then: B is
    untouched and correct, C ends with a partial completion inside the unmapped range, A's
    queue stops (no hang), D's marker is intact, and the scoreboard judges the traffic after
    the changes by the grants that remain (A none, C without its destination)."""
    log_seed(dut._log)
    mem = DpiMem()
    sys, _ = await rtl_system(dut, mem)
    nq = len(sys.accel.queues)
    iso = SimIsolation(mem, dut._log, bus_bytes=param("DATA_WIDTH", 64) // 8)
    size = 256 << 10
    job = {}
    for name in "ABC":
        p = sys.host.spawn(name)
        q = await sys.accel.open_queue(p)
        cj = copy_job(p, size)
        src, dst, comp, data = cj
        await q.submit(cj.descriptor())
        job[name] = (p, q, src, dst, comp, data)
    await Timer(random.randrange(3_000, 20_000), unit="ns")
    before = IsolationPolicy()
    before.snapshot_system(sys)
    iso.checkpoint(policy=before)
    pc, qc, _, c_dst, c_comp, _ = job["C"]
    await pc.mm.munmap(c_dst, size)
    pa, qa, *_ = job["A"]
    a_pasid = qa.pasid
    await pa.exit()
    iso.checkpoint(policy=before)   # traffic up to here may still use the old grants
    d = sys.host.spawn("D")
    d_buf = d.mm.mmap(2 * size, populate=True)
    marker = bytes([0xA5]) * (2 * size)
    d.mm.write(d_buf, marker)

    pb, qb, _, b_dst, b_comp, b_data = job["B"]
    cb = await qb.wait(b_comp)
    assert cb.status == Status.SUCCESS and pb.mm.read(b_dst, size) == b_data, cb
    cc = await qc.wait(c_comp)
    assert cc.status == Status.PAGE_FAULT and cc.bytes_completed < size, cc
    assert c_dst <= cc.fault_addr < c_dst + size, f"fault at {cc.fault_addr:#x}"
    st = await _queue_settles(sys.plat, qa.idx, nq)
    dut._log.info("A (pasid %d) queue status after exit %s; C stopped after %d bytes",
                  a_pasid, D.QStatus(st), cc.bytes_completed)
    await sys.smmu.process_events()
    iso.checkpoint(sys)
    assert d.mm.read(d_buf, 2 * size) == marker, "freed memory reused by D was written"
    assert not iso.violations, f"{len(iso.violations)} isolation violations (see log)"
    for q in (qa, qb, qc):
        await q.close()


@pytest.mark.parametrize("tc", ["many_processes_isolated", "tampered_pte_is_caught",
                                "exit_and_munmap_under_load"])
def test_isolation(tc):
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        testcase=tc, visibility="ports")


def test_isolation_partial_completions():
    """The workload on a device without stalls: I/O page faults end in partial
    completions that the workload resolves and resubmits."""
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1},
        testcase="many_processes_isolated", visibility="ports",
        extra_env={"ISO_STALL": "0", "ISO_PROCS": "8", "ISO_LAZY": "0.5"})


@pytest.mark.long
@pytest.mark.parametrize("nq", [4, 16])
def test_isolation_soak(nq):
    """More processes, rounds and larger descriptors; with 16 queues all 24 run at once."""
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"), parameters={"DMA_SID": 1, "NQ": nq},
        testcase="many_processes_isolated", visibility="ports",
        extra_env={"ISO_PROCS": "24", "ISO_ROUNDS": "4", "ISO_PER_ROUND": "4",
                   "ISO_MAX_LEN": str(3 * PAGE)})
