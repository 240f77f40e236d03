"""A random many-process workload for the system regressions, backend-independent.

``random_workload(sys, seed=...)`` spawns ``nproc`` processes and binds every one to the
accelerator (SVA) for the whole run, so all their PASIDs are live at once. Each round every
process gets ``per_round`` random descriptors (MEMMOVE / FILL / COMPARE of random length
and alignment); processes take turns on the hardware queues, as many at once as the device
has (each batch: open a queue per process, submit, wait, close). Only the driver API is
used, so the same call on the model backend is the golden result: the outcome (every
destination buffer and every completion record) must match.

Determinism: descriptors of one batch never write where another descriptor of the batch
reads or writes (one fresh destination slot each; COMPAREs read only slots of earlier
rounds), so the result does not depend on how the engines interleave. With ``lazy``
destinations on a device without stalls, where a partial completion happens does depend
on timing; completions are therefore recorded by final status/result and offsets from
the original start (see ``_finish``), which do not.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import NamedTuple

from pasidsim.dma_desc import COMP_SIZE, Completion, Descriptor, Flags, Opcode, Status
from pasidsim.driver.scenario import Outcome

PAGE = 4096
SRC_BYTES = 3 * PAGE
COMP_STRIDE = 64


class CopyJob(NamedTuple):
    """One MEMMOVE job of ``len(data)`` bytes: ``src`` holds ``data``, ``comp`` is zeroed."""
    src: int
    dst: int
    comp: int
    data: bytes

    def descriptor(self) -> Descriptor:
        return Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, len(self.data), self.src, self.dst, 0,
                          self.comp)


def copy_job(proc, size: int) -> CopyJob:
    """Map populated source, destination (``size`` bytes each) and completion pages in
    ``proc``'s address space, fill the source with random bytes and zero the record.
    One ``random.randbytes`` call, after the maps: a seed gives the same data."""
    src, dst = proc.mm.mmap(size, populate=True), proc.mm.mmap(size, populate=True)
    comp = proc.mm.mmap(PAGE, populate=True)
    data = random.randbytes(size)
    proc.mm.write(src, data)
    proc.mm.write(comp, bytes(COMP_STRIDE))
    return CopyJob(src, dst, comp, data)


@dataclass
class WorkProc:
    proc: object
    bond: object
    src: int
    dst: int
    comps: int
    slot_bytes: int
    next_slot: int = 1            # slot 0 is never written (zeros: a COMPARE target)
    done_slots: int = 1           # slots below this were written by finished batches
    copies: list = field(default_factory=list)  # (src, dst, n, round) of finished MEMMOVEs

    def slot(self, i: int) -> int:
        return self.dst + i * self.slot_bytes


async def _noop(stage: str, sys, batch) -> None:
    return None


def _descriptor(rng: random.Random, w: WorkProc, rnd: int, max_len: int) -> tuple[Descriptor, int]:
    """One random descriptor for ``w``; returns it and the slot it writes (0: none)."""
    n = rng.randint(1, max_len)
    comp = w.comps + (w.next_slot - 1) * COMP_STRIDE
    flags = int(Flags.COMP_REQ)
    op = rng.choice((Opcode.MEMMOVE, Opcode.FILL, Opcode.COMPARE))
    if op == Opcode.COMPARE:
        old = [c for c in w.copies if c[3] < rnd]
        if old and rng.random() < 0.5:   # the same ranges as an earlier copy: equal
            s, d, n, _ = rng.choice(old)
        else:                            # a random source range against an earlier slot
            n = min(n, w.slot_bytes - 64)
            s = w.src + rng.randrange(SRC_BYTES - n + 1)
            d = w.slot(rng.randrange(w.done_slots)) + rng.randrange(64)
        # COMPAREs take a completion slot but write no data slot
        desc = Descriptor(op, flags, n, s, d, 0, comp)
        w.next_slot += 1
        return desc, 0
    slot = w.next_slot
    w.next_slot += 1
    d = w.slot(slot) + rng.randrange(64)
    if op == Opcode.MEMMOVE:
        s = w.src + rng.randrange(SRC_BYTES - n + 1)
        return Descriptor(op, flags, n, s, d, 0, comp), slot
    return Descriptor(op, flags, n, 0, d, rng.getrandbits(64), comp), slot


async def _wait(q, w: WorkProc, d: Descriptor) -> Completion:
    return await q.wait(d.comp_addr)


async def _finish(q, w: WorkProc, d: Descriptor):
    """Wait for ``d``; a partial completion (PAGE_FAULT on a page the VMA allows) is
    resolved as an OS would: populate the page, resubmit the rest. Returns (completion,
    bytes before the final descriptor, resubmissions). Where the device faults depends on
    timing (another descriptor may have populated the page first), so callers compare
    only what does not: the final status/result and offsets counted from the start."""
    c = await _wait(q, w, d)
    n = base = 0
    while c.status == Status.PAGE_FAULT and w.proc.mm.handle_fault(c.fault_addr,
                                                                    write=c.fault_is_write):
        done = c.bytes_completed
        base += done
        d = d.remainder(done)
        w.proc.mm.write(d.comp_addr, bytes(COMP_SIZE))
        await q.submit(d)
        c = await _wait(q, w, d)
        n += 1
    return c, base, n


async def random_workload(sys, *, seed: int, nproc: int = 16, rounds: int = 2,
                          per_round: int = 3, max_len: int = 6000, lazy: float = 0.0,
                          hook=_noop, exit_procs: bool = True) -> Outcome:
    """Run the workload; ``hook(stage, sys, batch)`` is awaited with stage "opened" (queues
    programmed, nothing submitted) and "done" (every completion in, queues still open).
    ``lazy``: the chance that a process's destination starts unpopulated, so its writes take
    I/O page faults (stall + RESUME on a stalling device, else partial completion and
    resubmission of the rest)."""
    if nproc < 1 or rounds < 1 or per_round < 1 or not 1 <= max_len <= SRC_BYTES:
        raise ValueError(f"random_workload: bad sizes nproc={nproc} rounds={rounds} "
                         f"per_round={per_round} max_len={max_len}")
    rng = random.Random(seed)
    nq = len(sys.accel.queues)
    slot_bytes = -(-(max_len + 64) // PAGE) * PAGE
    nslots = 1 + rounds * per_round
    work: list[WorkProc] = []
    for i in range(nproc):
        p = sys.host.spawn(f"w{i}")
        bond = await sys.smmu.sva_bind(sys.dev, p.mm)   # keeps the PASID live all run
        src = p.mm.mmap(SRC_BYTES, populate=True)
        p.mm.write(src, rng.randbytes(SRC_BYTES))
        dst = p.mm.mmap(nslots * slot_bytes, populate=rng.random() >= lazy)
        comps = p.mm.mmap(nslots * COMP_STRIDE, populate=True)
        work.append(WorkProc(p, bond, src, dst, comps, slot_bytes))
    out = Outcome()
    for rnd in range(rounds):
        order = list(range(nproc))
        rng.shuffle(order)  # which processes share the queues changes every round
        for b in range(0, nproc, nq):
            batch = [work[i] for i in order[b:b + nq]]
            queues = [await sys.accel.open_queue(w.proc) for w in batch]
            for w in batch:
                w.done_slots = w.next_slot
            await hook("opened", sys, batch)
            jobs = []
            for w, q in zip(batch, queues):
                descs = [_descriptor(rng, w, rnd, max_len) for _ in range(per_round)]
                for d, _ in descs:
                    w.proc.mm.write(d.comp_addr, bytes(COMP_SIZE))
                await q.submit(*(d for d, _ in descs))
                jobs.append((w, q, descs))
            for w, q, descs in jobs:
                for d, slot in descs:
                    c, base, resubmits = await _finish(q, w, d)
                    tag = f"{w.proc.name}.{(d.comp_addr - w.comps) // COMP_STRIDE}"
                    out.completions.append((tag, int(c.status), c.result,
                                            base + c.bytes_completed, c.fault_addr, c.fault_info))
                    out.resubmits = getattr(out, "resubmits", 0) + resubmits
                    if d.opcode == Opcode.MEMMOVE:
                        w.copies.append((d.src, d.dst, d.length, rnd))
            await hook("done", sys, batch)
            for q in queues:
                await q.close()
    for w in work:
        out.memory[w.proc.name] = w.proc.mm.read(w.dst, nslots * slot_bytes)
    if exit_procs:
        for w in work:
            await sys.smmu.sva_unbind(w.bond)
            await w.proc.exit()
    return out
