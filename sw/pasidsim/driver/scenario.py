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

from ..dma_desc import Descriptor, Flags, Opcode
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
    out = []
    for f in smmu.fault_log:
        if isinstance(f, (EventQueueOverflow, GlobalError)):
            out.append((f.kind,))
        else:
            # The page, not the byte: where inside a page a device starts an unaligned burst
            # (the exact byte, or the bus-width-aligned address with strobes) is its choice.
            out.append((f.kind, f.event.name, f.event.sid, f.pasid, f.addr & ~0xFFF, f.write,
                        f.response))
    return sorted(out, key=repr)


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
    """Kernel-style DMA through paging domains at PASIDs of a second device (translations
    checked through the SMMU's own view), with 4K/2M mappings, unmap and re-map."""
    out = Outcome()
    smmu, host = sys.smmu, sys.host
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


SCENARIOS = {"two_processes": two_processes, "paging_domains": paging_domains}
