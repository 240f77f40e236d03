"""Backend-independent scenarios and the comparison of their outcomes.

A scenario is ``async def scenario(sys: System) -> Outcome``: it only uses the driver API, so
it runs unchanged on the model backend and on the RTL backend. ``Outcome`` keeps what must be
identical between backends: the contents of named process buffers (read through the process's
own address space, so physical placement does not matter), every completion record, and the
fault log reduced to backend-independent fields (no STAGs, no physical addresses), compared as
a sorted list because two queues may fault in either order on real hardware.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..dma_desc import Descriptor, Flags, Opcode, Status
from .evtq import EventQueueOverflow, GlobalError
from .pgtable import PROT_READ, PROT_WRITE
from .system import System

SZ_4K = 4096


@dataclass
class Outcome:
    memory: dict[str, bytes] = field(default_factory=dict)
    completions: list[tuple] = field(default_factory=list)
    faults: list[tuple] = field(default_factory=list)

    def add_completion(self, tag: str, c) -> None:
        self.completions.append((tag, int(c.status), c.result, c.bytes_completed, c.fault_addr,
                                 c.fault_info))


def fault_summary(smmu) -> list[tuple]:
    """The fault log as a sorted list of distinct entries. Distinct, not counted: how many
    transactions fault into one page is the device's choice (the RTL accelerator keeps
    several bursts in flight and each faulting one is recorded; the model does one access
    per page), so only which (kind, event, StreamID, PASID, page, direction, response)
    happened is compared."""
    out = []
    for f in smmu.fault_log:
        if isinstance(f, (EventQueueOverflow, GlobalError)):
            out.append((f.kind,))
        else:
            # The page, not the byte: where inside a page a device starts an unaligned burst
            # (the exact byte, or the bus-width-aligned address with strobes) is its choice.
            out.append((f.kind, f.event.name, f.event.sid, f.pasid, f.addr & ~0xFFF, f.write,
                        f.response))
    return sorted(set(out), key=repr)


def compare(a: Outcome, b: Outcome) -> list[str]:
    """Human-readable differences (empty when the outcomes match)."""
    diffs = []
    for k in sorted(set(a.memory) | set(b.memory)):
        x, y = a.memory.get(k), b.memory.get(k)
        if x != y:
            if x is None or y is None:
                diffs.append(f"memory {k}: present on one side only")
            else:
                i = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
                diffs.append(f"memory {k}: first difference at offset {i:#x}")
    if a.completions != b.completions:
        for i, (x, y) in enumerate(zip(a.completions, b.completions)):
            if x != y:
                diffs.append(f"completion #{i}: {x} != {y}")
                break
        else:
            diffs.append(f"completion count {len(a.completions)} != {len(b.completions)}")
    if a.faults != b.faults:
        diffs.append(f"fault logs differ: {sorted(set(a.faults) ^ set(b.faults), key=repr)[:4]}")
    return diffs


# ----------------------------------------------------------------------------- scenarios
async def two_processes(sys: System) -> Outcome:
    """Two processes share the accelerator: copies into not-yet-present pages (stall + IOPF),
    a fill and a compare, a write to a read-only buffer (abort, partial completion), then
    munmap of a bound range and process exit."""
    out = Outcome()
    a, b = sys.host.spawn("a"), sys.host.spawn("b")
    qa, qb = await sys.accel.open_queue(a), await sys.accel.open_queue(b)
    dsts = {}
    for name, p, q in (("a", a, qa), ("b", b, qb)):
        src, dst = p.mm.mmap(3 * SZ_4K), p.mm.mmap(3 * SZ_4K)
        dsts[name] = dst
        comp = p.mm.mmap(SZ_4K)
        pattern = bytes((i * 13 + len(name)) & 0xFF for i in range(3 * SZ_4K))
        p.mm.write(src, pattern)
        c = await q.run(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 3 * SZ_4K - 17, src + 9, dst + 5,
                                   0, comp))
        out.add_completion(f"{name}.memmove", c)
        c = await q.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, 1000, 0, dst + 2 * SZ_4K + 100,
                                   0xDEADBEEF_CAFEF00D, comp))
        out.add_completion(f"{name}.fill", c)
        c = await q.run(Descriptor(Opcode.COMPARE, Flags.COMP_REQ, 2 * SZ_4K, src + 9, dst + 5, 0, comp))
        out.add_completion(f"{name}.compare", c)
        out.memory[f"{name}.dst"] = p.mm.read(dst, 3 * SZ_4K)
    ro = b.mm.mmap(2 * SZ_4K, PROT_READ, populate=True)
    comp = b.mm.mmap(SZ_4K, PROT_READ | PROT_WRITE)
    c = await qb.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, 100, 0, ro + 50, 0x11, comp))
    out.add_completion("b.fill_ro", c)
    out.memory["b.ro"] = b.mm.read(ro, 2 * SZ_4K)
    await qa.close()
    await a.mm.munmap(dsts["a"] + SZ_4K, SZ_4K)
    await a.exit()
    await qb.close()
    await b.exit()
    await sys.smmu.process_events()
    out.faults = fault_summary(sys.smmu)
    return out


async def paging_domains(sys: System) -> Outcome:
    """Paging domains at PASIDs and at the RID of a second device (the second accelerator
    when the system has one), with 4K/2M mappings, unmap and re-map (table side only: the
    DMA through such domains is rid_and_pasids)."""
    out = Outcome()
    smmu, host = sys.smmu, sys.host
    if len(sys.devs) > 1:
        dev = sys.devs[1]
    else:
        dev = await smmu.add_device("dev2", sys.dev.sid + 1, ssid_bits=8)
    d1, d2 = smmu.alloc_paging_domain("d1"), smmu.alloc_paging_domain("d2")
    big = host.pages.alloc(9)  # 2 MB, 2 MB-aligned
    small = host.pages.alloc(0)
    host.mem.write(big, b"B" * 64)
    host.mem.write(small, b"S" * 64)
    await d1.map(0x4000_0000, big, 1 << 21)
    await d2.map(0x4000_0000, small, SZ_4K)
    await smmu.attach_dev_pasid(dev, 1, d1)
    await smmu.attach_dev_pasid(dev, 2, d2)
    await smmu.attach_dev(dev, d2)
    out.memory["d1.leaves"] = repr([(lf.va, lf.size) for lf in d1.pgtable.leaves()]).encode()
    await d2.unmap(0x4000_0000, SZ_4K)
    await d2.map(0x4000_0000, big, SZ_4K)
    out.memory["d2.leaves"] = repr([(lf.va, lf.size) for lf in d2.pgtable.leaves()]).encode()
    await smmu.detach_dev_pasid(dev, 1, d1)
    await smmu.detach_dev_pasid(dev, 2, d2)
    await smmu.attach_dev(dev, smmu.blocked)
    await smmu.free_domain(d1)
    await smmu.free_domain(d2)
    await smmu.process_events()
    out.faults = fault_summary(smmu)
    return out


class ScenarioError(AssertionError):
    """A scenario's own invariant broke (on whichever backend ran it)."""


def _need_devices(sys: System, n: int, what: str) -> None:
    if len(sys.accels) < n:
        raise ScenarioError(f"{what} needs {n} accelerators, the system has {len(sys.accels)}")


def _no_stray_fill(sys: System, pa: int, pattern: int, what: str) -> bytes:
    """The freed page at ``pa`` must not hold the FILL pattern that targeted it after it was
    unmapped (a write through a stale translation). Returns the page."""
    page = sys.plat.mem.read(pa, SZ_4K)
    pat = pattern.to_bytes(8, "little")
    if any(page[i:i + 8] == pat for i in range(0, SZ_4K, 8)):
        raise ScenarioError(f"{what}: stray write into the freed page at {pa:#x}")
    return page


async def one_process_two_devices(sys: System) -> Outcome:
    """One process bound to both accelerators: the same PASID and the same SVA domain on
    both, copies on both devices at once (I/O page faults from either StreamID), then the
    process leaves one device and keeps working on the other."""
    _need_devices(sys, 2, "one_process_two_devices")
    out = Outcome()
    p = sys.host.spawn("p")
    q0, q1 = await sys.accels[0].open_queue(p), await sys.accels[1].open_queue(p)
    if q0.pasid != q1.pasid or q0.bond.domain is not q1.bond.domain:
        raise ScenarioError(f"{q0} and {q1}: PASID/domain not shared ({q0.pasid}, {q1.pasid})")
    out.memory["shared"] = repr((q0.pasid == p.mm.pasid, len(q0.bond.domain.attachments))).encode()
    src = p.mm.mmap(4 * SZ_4K)
    dst = p.mm.mmap(4 * SZ_4K)     # not present: both devices fault their halves in
    comp = p.mm.mmap(SZ_4K, populate=True)
    p.mm.write(src, bytes((i * 7 + 3) & 0xFF for i in range(4 * SZ_4K)))
    halves = ((q0, 0, comp), (q1, 2 * SZ_4K, comp + 64))
    for q, off, c in halves:
        p.mm.write(c, bytes(32))
        await q.submit(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 2 * SZ_4K - 8, src + off + 3,
                                  dst + off + 5, 0, c))
    for k, (q, off, c) in enumerate(halves):
        out.add_completion(f"dev{k}.memmove", await q.wait(c))
    out.memory["dst"] = p.mm.read(dst, 4 * SZ_4K)
    await q0.close()                 # leaves dev0; dev1 keeps the PASID and the domain
    if p.mm.pasid != q1.pasid or q1.bond.closed:
        raise ScenarioError("closing the queue on dev0 disturbed the bond on dev1")
    c = await q1.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, 3000, 0, dst + 100, 0x0102030405060708,
                                comp + 128))
    out.add_completion("dev1.fill_after_dev0_left", c)
    out.memory["dst_after"] = p.mm.read(dst, SZ_4K)
    await q1.close()
    await p.exit()
    await sys.smmu.process_events()
    out.faults = fault_summary(sys.smmu)
    return out


async def rid_and_pasids(sys: System) -> Outcome:
    """One real device with a paging domain at its RID (kernel DMA through a no-PASID queue)
    and SVA domains at PASIDs (two processes) working at the same time; a kernel access to
    an unmapped IOVA faults without PASID (terminated: paging domains do not stall)."""
    out = Outcome()
    smmu, host, accel = sys.smmu, sys.host, sys.accel
    kdom = smmu.alloc_paging_domain("kernel")
    pages = host.pages.alloc(2)          # 4 pages: ring, src, completions, dst (last)
    iova = 0x10_0000_0000
    await kdom.map(iova, pages, 4 * SZ_4K)
    await smmu.attach_dev(sys.dev, kdom)
    ring, ksrc, kcomp, kdst = (iova + i * SZ_4K for i in range(4))
    host.mem.write(pages + SZ_4K, bytes((i * 5 + 1) & 0xFF for i in range(SZ_4K)))
    kq = await accel.open_rid_queue(kdom, ring)
    procs = [host.spawn(n) for n in ("a", "b")]
    pqs = [await accel.open_queue(p) for p in procs]
    jobs = []
    for p, q in zip(procs, pqs):
        src, dst, comp = p.mm.mmap(SZ_4K), p.mm.mmap(SZ_4K), p.mm.mmap(SZ_4K, populate=True)
        p.mm.write(src, bytes((i + len(p.name) * 31) & 0xFF for i in range(SZ_4K)))
        jobs.append((p, q, dst, comp, Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, SZ_4K - 64, src + 32,
                                                 dst + 16, 0, comp)))
    kjob = Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, SZ_4K - 100, ksrc + 50, kdst + 20, 0, kcomp)
    kq._mem_write(kcomp, bytes(32))
    await kq.submit(kjob)
    for p, q, dst, comp, d in jobs:
        p.mm.write(comp, bytes(32))
        await q.submit(d)
    out.add_completion("kernel.memmove", await kq.wait(kcomp))
    for p, q, dst, comp, d in jobs:
        out.add_completion(f"{p.name}.memmove", await q.wait(comp))
        out.memory[f"{p.name}.dst"] = p.mm.read(dst, SZ_4K)
    out.memory["kernel.dst"] = kq._mem_read(kdst, SZ_4K)
    # the kernel queue writes past its mapping: a fault without PASID, partial completion
    c = await kq.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, 2 * SZ_4K, 0, kdst + 0x800,
                                0x5555_AAAA_5555_AAAA, kcomp + 64))
    out.add_completion("kernel.fill_past_end", c)
    out.memory["kernel.dst_after"] = kq._mem_read(kdst, SZ_4K)
    await kq.close()
    for p, q in zip(procs, pqs):
        await q.close()
        await p.exit()
    await smmu.attach_dev(sys.dev, smmu.blocked)
    await smmu.free_domain(kdom)
    await smmu.process_events()
    out.faults = fault_summary(smmu)
    return out


async def _blocked_queue(sys: System, p, q, fill_pattern: int):
    """Queue two descriptors behind a stall: a MEMMOVE whose destination's second page is
    not present yet (the device stalls on that write; the SMMU's write path then holds
    until the RESUME, so exactly one write is stalled), then a FILL of page X, whose
    translation the SMMU has cached (the device wrote X before). Returns once the stall's
    event is in the queue (not yet handled: only a wait or process_events answers it).
    Returns (x, pa_x, dst, comps)."""
    src, dst, x = p.mm.mmap(2 * SZ_4K), p.mm.mmap(2 * SZ_4K), p.mm.mmap(SZ_4K)
    comps = p.mm.mmap(SZ_4K, populate=True)
    p.mm.write(src, bytes((i * 3 + 1) & 0xFF for i in range(2 * SZ_4K)))
    p.mm.write(dst, bytes(SZ_4K))                  # page 0 present, page 1 absent
    c = await q.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, SZ_4K, 0, x, 0x1111_2222_3333_4444,
                               comps + 192))   # faults X in, leaves it in the IOTLB
    if c.status != Status.SUCCESS:
        raise ScenarioError(f"warm-up FILL of X did not succeed: {c}")
    pa_x = p.mm.pgtable.translate(x)
    p.mm.write(comps, bytes(128))
    await q.submit(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 2 * SZ_4K - 8, src + 8, dst, 0, comps),
                   Descriptor(Opcode.FILL, Flags.COMP_REQ, SZ_4K, 0, x, fill_pattern, comps + 64))
    if not await sys.plat.wait_irq("evtq", 2_000_000):
        raise ScenarioError(f"{q}: the MEMMOVE into an absent page raised no event")
    return x, pa_x, dst, comps


async def munmap_while_queued(sys: System) -> Outcome:
    """munmap of a page that queued DMA will write, while the queue waits on a stalled
    fault: the unmap invalidates the IOTLB before the page is freed, so the DMA before it
    completes with correct data and the DMA after it faults (no write into the freed page)."""
    out = Outcome()
    p = sys.host.spawn("p")
    q = await sys.accel.open_queue(p)
    pattern = 0xA5A5_0F0F_DEAD_0001
    x, pa_x, dst, comps = await _blocked_queue(sys, p, q, pattern)
    await p.mm.munmap(x, SZ_4K)          # TLBI + CMD_SYNC before X's page is freed
    out.add_completion("memmove_before", await q.wait(comps))        # resumes the stall
    out.add_completion("fill_after_munmap", await q.wait(comps + 64))
    out.memory["dst"] = p.mm.read(dst, 2 * SZ_4K)
    out.memory["freed_x"] = _no_stray_fill(sys, pa_x, pattern, "munmap_while_queued")
    await q.close()
    await p.exit()
    await sys.smmu.process_events()
    out.faults = fault_summary(sys.smmu)
    return out


async def exit_while_active(sys: System) -> Outcome:
    """Process a exits while its queue is active: one descriptor stalled on a fault, one
    queued behind it. b's queue on the same device works before, during (submitted while
    a is stalled, so its writes queue behind a's stalled one; waited for only after a is
    gone: a wait would answer a's fault) and after.
    a's CD is quieted at exit (its stall aborted, its remaining DMA terminated by the SMMU
    without event records: nothing reaches a's freed pages) and its PASID torn down when the
    queue closes; b's results are unaffected."""
    out = Outcome()
    a, b = sys.host.spawn("a"), sys.host.spawn("b")
    qa, qb = await sys.accel.open_queue(a), await sys.accel.open_queue(b)
    bsrc, bdst = b.mm.mmap(3 * SZ_4K), b.mm.mmap(3 * SZ_4K, populate=True)
    bcomp = b.mm.mmap(SZ_4K, populate=True)
    b.mm.write(bsrc, bytes((i * 11) & 0xFF for i in range(3 * SZ_4K)))
    bjob = lambda k: Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, SZ_4K, bsrc + k * SZ_4K,  # noqa: E731
                                bdst + k * SZ_4K, 0, bcomp + 64 * k)
    out.add_completion("b.before", await qb.run(bjob(0)))
    pattern = 0x5A5A_F0F0_BEEF_0002
    x, pa_x, dst, comps = await _blocked_queue(sys, a, qa, pattern)
    b.mm.write(bcomp + 64, bytes(32))
    await qb.submit(bjob(1))             # runs while a is stalled
    await a.exit()                       # mm release: unbind (stall aborted), pages freed
    out.add_completion("b.during", await qb.wait(bcomp + 64))
    out.add_completion("b.after", await qb.run(bjob(2)))
    out.memory["b.dst"] = b.mm.read(bdst, 3 * SZ_4K)
    out.memory["a.freed_x"] = _no_stray_fill(sys, pa_x, pattern, "exit_while_active")
    await qa.close()                     # the file is closed after the mm is gone
    await qb.close()
    await b.exit()
    await sys.smmu.process_events()
    out.faults = fault_summary(sys.smmu)
    return out


SCENARIOS = {"two_processes": two_processes, "paging_domains": paging_domains,
             "one_process_two_devices": one_process_two_devices,
             "rid_and_pasids": rid_and_pasids, "munmap_while_queued": munmap_while_queued,
             "exit_while_active": exit_while_active}
