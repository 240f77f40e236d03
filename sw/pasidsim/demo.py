"""The main demo scenario (`make sim`), backend-independent.

Several processes bind to the accelerators with SVA (process i on accelerator
i mod the number of accelerators) and each copies, fills and compares buffers in its own
address space, all queues running at once. One process's destination
is not populated yet: its first DMA write takes an I/O page fault that the driver resolves
(by the SMMU's stall + RESUME path when the hardware stalls, else by the DSA-style partial
completion: touch the page, resubmit the rest). Another process aims a copy at an address
it has not mapped: the SMMU stops it, and a scoreboard proves no other memory changed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .dma_desc import Descriptor, Flags, Opcode, Status
from .driver.pgtable import PROT_READ, PROT_WRITE

PAGE = 4096
COMP = 64  # bytes reserved per completion record


@dataclass
class ProcReport:
    name: str
    pasid: int = 0
    device: str = ""          # the accelerator's SMMU device (StreamID) it runs on
    descriptors: int = 0
    bytes: int = 0
    smmu_faults: int = 0      # event records naming this process's PASID
    faults_resolved: int = 0  # by RESUME retry (stall) or by touching the page + resubmit
    faults_blocked: int = 0   # accesses the process had no right to: stopped
    resubmits: int = 0
    checks: list[str] = field(default_factory=list)  # failed data checks (empty = all good)


@dataclass
class DemoReport:
    procs: list[ProcReport]
    smmu_faults: list[tuple]

    @property
    def ok(self) -> bool:
        return all(not p.checks for p in self.procs)


def _name(status: int) -> str:
    """Status name, or the raw number when the device wrote something undefined."""
    try:
        return Status(status).name
    except ValueError:
        return f"undefined({status})"


def _with_flags(desc: Descriptor, stalls: bool) -> Descriptor:
    flags = desc.flags | Flags.COMP_REQ | (Flags.BLOCK_ON_FAULT if stalls else 0)
    return Descriptor(desc.opcode, flags, desc.length, desc.src, desc.dst, desc.pattern,
                      desc.comp_addr)


async def _submit(q, proc, descs: list[Descriptor], rep: ProcReport) -> None:
    """Queue descriptors (completion records zeroed first) and ring the doorbell once."""
    for d in descs:
        proc.mm.write(d.comp_addr, bytes(COMP))
    rep.descriptors += len(descs)
    await q.submit(*descs)


async def _finish(q, proc, desc: Descriptor, rep: ProcReport):
    """Wait for a submitted descriptor; on a partial completion resolve the fault like an
    OS would (populate the page if the VMA allows it) and resubmit the remainder."""
    c = await q.wait(desc.comp_addr)
    while True:
        if c.status == Status.SUCCESS:
            rep.bytes += desc.length
        if c.status != Status.PAGE_FAULT:
            return c
        done = c.bytes_completed
        rep.bytes += done
        if not proc.mm.handle_fault(c.fault_addr, write=c.fault_is_write):
            rep.faults_blocked += 1
            return c
        rep.faults_resolved += 1
        rep.resubmits += 1
        desc = desc.remainder(done)
        c = await q.run(desc)


async def demo(sys, *, nproc: int = 4, size: int = 64 << 10, seed: int = 1,
               stalls: bool = False) -> DemoReport:
    if nproc < 1:
        raise ValueError("demo: need at least one process")
    if size < PAGE or size % PAGE:
        raise ValueError(f"demo: size {size:#x} must be a positive multiple of {PAGE}")
    rng = random.Random(seed)
    procs, queues, reps = [], [], []
    for i in range(nproc):
        p = sys.host.spawn(f"proc{i}")
        procs.append(p)
        accels = getattr(sys, "accels", None) or [sys.accel]
        accel = accels[i % len(accels)]
        queues.append(await accel.open_queue(p))
        reps.append(ProcReport(p.name, pasid=queues[-1].pasid, device=f"{accel.dev.name}/sid{accel.dev.sid}"))
    lazy = 1 % nproc          # this one's destination is populated by I/O page faults
    intruder = 2 if nproc > 2 else None

    plan = []
    for i, (p, q, rep) in enumerate(zip(procs, queues, reps)):
        src = p.mm.mmap(size, populate=True)
        dst = p.mm.mmap(size, populate=(i != lazy))
        fill = p.mm.mmap(size // 4, populate=True)
        comps = p.mm.mmap(PAGE, populate=True)
        data = rng.randbytes(size)
        p.mm.write(src, data)
        pattern = rng.getrandbits(64)
        plan.append((p, q, rep, src, dst, fill, comps, data, pattern))

    # Phase 1: every queue gets a copy and a fill at once; the accelerator interleaves them.
    work = []
    for p, q, rep, src, dst, fill, comps, data, pattern in plan:
        mv = _with_flags(Descriptor(Opcode.MEMMOVE, 0, size, src, dst, 0, comps), stalls)
        fl = _with_flags(Descriptor(Opcode.FILL, 0, size // 4, 0, fill, pattern, comps + COMP), stalls)
        await _submit(q, p, [mv, fl], rep)
        work.append((mv, fl))
    for (p, q, rep, src, dst, fill, comps, data, pattern), (mv, fl) in zip(plan, work):
        c = await _finish(q, p, mv, rep)
        if c.status != Status.SUCCESS or p.mm.read(dst, size) != data:
            rep.checks.append(f"memmove: status {_name(c.status)}")
        c = await _finish(q, p, fl, rep)
        want = pattern.to_bytes(8, "little") * (size // 32)
        if c.status != Status.SUCCESS or p.mm.read(fill, size // 4) != want:
            rep.checks.append(f"fill: status {_name(c.status)}")
    # Phase 2: the device itself checks every copy.
    cmps = []
    for p, q, rep, src, dst, fill, comps, *_ in plan:
        cmp_ = _with_flags(Descriptor(Opcode.COMPARE, 0, size, src, dst, 0, comps + 2 * COMP), stalls)
        await _submit(q, p, [cmp_], rep)
        cmps.append(cmp_)
    for (p, q, rep, *_), cmp_ in zip(plan, cmps):
        c = await _finish(q, p, cmp_, rep)
        if c.status != Status.SUCCESS or c.result != 0:
            rep.checks.append(f"compare: status {_name(c.status)} result {c.result}")
    # Snapshot every process's buffers: the scoreboard for "nothing else changed".
    before = {i: (p.mm.read(src, size), p.mm.read(fill, size // 4))
              for i, (p, _, _, src, _, fill, *_) in enumerate(plan)}

    if intruder is not None:
        p, q, rep, src, *_ = plan[intruder]
        comps = plan[intruder][6]
        # An address this process never mapped (a guard gap past its last region).
        target = max(v.end for v in p.mm.vmas) + 64 * PAGE
        bad = _with_flags(Descriptor(Opcode.MEMMOVE, 0, PAGE, src, target, 0, comps + 3 * COMP), stalls)
        await _submit(q, p, [bad], rep)
        c = await _finish(q, p, bad, rep)
        if c.status != Status.PAGE_FAULT or c.bytes_completed != 0 or rep.faults_blocked != 1:
            rep.checks.append(f"intruder copy was not stopped: {_name(c.status)}")
        for i, (pp, _, _, s, _, f, *_r) in enumerate(plan):
            if (pp.mm.read(s, size), pp.mm.read(f, size // 4)) != before[i]:
                rep.checks.append(f"memory of {pp.name} changed")

    for q in queues:
        await q.close()
    for p in procs:
        await p.exit()
    await sys.smmu.process_events()
    faults = [(f.kind, getattr(getattr(f, "event", None), "name", ""), getattr(f, "pasid", None),
               getattr(f, "response", None)) for f in sys.smmu.fault_log]
    for rep in reps:
        mine = [f for f in faults if f[2] == rep.pasid]
        rep.smmu_faults = len(mine)
        rep.faults_resolved += sum(1 for f in mine if f[3] == "retry")
    return DemoReport(reps, faults)


def format_report(r: DemoReport) -> str:
    lines = [f"{'process':8} {'device':10} {'pasid':>5} {'descs':>5} {'bytes':>9} {'faults':>6} {'resolved':>8} "
             f"{'blocked':>7} {'resubmit':>8}  result"]
    for p in r.procs:
        lines.append(f"{p.name:8} {p.device:10} {p.pasid:5} {p.descriptors:5} {p.bytes:9} {p.smmu_faults:6} "
                     f"{p.faults_resolved:8} {p.faults_blocked:7} {p.resubmits:8}  "
                     f"{'ok' if not p.checks else '; '.join(p.checks)}")
    return "\n".join(lines)
