"""Golden model of the DMA accelerator's architectural behaviour.

`DmaModel.execute(desc, pasid)` applies one descriptor's memory effects to a
memory object (anything with ``read(addr, n) -> bytes`` and ``write(addr, data)``),
writes its completion record when requested and returns a `DmaResult`.

Faults come from oracles called as ``oracle(va, is_write, pasid) -> bool`` (pasid
is None for a queue without PASID); they are evaluated per chunk, at the chunk's
first byte, exactly as the RTL processes a descriptor (docs/dma.md, "Chunks and
partial completion"):

* a descriptor's byte range [0, length) is cut into chunks at every offset where
  src + off (MEMMOVE, COMPARE) or dst + off crosses a 4 KiB boundary;
* chunks are done in order; for each chunk the source is read (MEMMOVE,
  COMPARE), then the destination is written (MEMMOVE, FILL) or read and compared
  (COMPARE);
* the first chunk with an error response ends the descriptor: bytes_completed is
  the chunk's offset, fault_addr the chunk's first byte on the side that faulted,
  nothing of that chunk or later ones is written. A bus error (DECERR) takes
  precedence over a page fault (SLVERR) on the same access.

The RTL also cuts chunks every 128 destination beats (docs/dma.md); with oracles
that answer per page, as an SMMU does, the first failing chunk starts at the same
offset either way, so the model keeps the page-crossing chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Protocol

from pasidsim.dma_desc import (COMP_SIZE, FAULT_WRITE, FLAGS_VALID, MAX_LEN, PAGE, VA_LIMIT,
                               Completion, Descriptor, Flags, Opcode, Status)
from pasidsim.dma_regs import QErr

Oracle = Callable[[int, bool, Optional[int]], bool]


class Memory(Protocol):
    def read(self, addr: int, n: int) -> bytes: ...
    def write(self, addr: int, data: bytes) -> None: ...


def _never(va: int, is_write: bool, pasid: Optional[int]) -> bool:
    return False


@dataclass
class DmaResult:
    completion: Completion
    comp_written: bool       # the record reached memory
    qerr: int = QErr.NONE    # error code the queue reports (QErr), NONE if none
    halted: bool = False     # the queue stops (completion write fault)
    irq: bool = False        # the descriptor asks for an interrupt (IRQ_REQ or queue error)


def chunks(desc: Descriptor):
    """Yield (offset, length) of the chunks of a data descriptor, in order."""
    uses_src = desc.opcode in (Opcode.MEMMOVE, Opcode.COMPARE)
    off = 0
    while off < desc.length:
        n = min(desc.length - off, PAGE - (desc.dst + off) % PAGE)
        if uses_src:
            n = min(n, PAGE - (desc.src + off) % PAGE)
        yield off, n
        off += n


def validate(desc: Descriptor) -> Status:
    """SUCCESS if the descriptor is well formed, else the INVALID_*/OVERLAP status.

    Checks in order: opcode, flags and reserved field, then (data opcodes only)
    length, address ranges, MEMMOVE overlap.
    """
    if desc.opcode not in set(Opcode):
        return Status.INVALID_OPCODE
    if desc.flags & ~FLAGS_VALID or desc.reserved:
        return Status.INVALID_FLAGS
    if desc.opcode in (Opcode.NOP, Opcode.DRAIN):
        return Status.SUCCESS
    if not 1 <= desc.length <= MAX_LEN:
        return Status.INVALID_LENGTH
    ranges = [desc.dst] + ([desc.src] if desc.opcode != Opcode.FILL else [])
    if any(a + desc.length > VA_LIMIT for a in ranges):
        return Status.INVALID_ADDRESS
    if desc.opcode == Opcode.MEMMOVE and (desc.src < desc.dst + desc.length
                                          and desc.dst < desc.src + desc.length):
        return Status.OVERLAP
    return Status.SUCCESS


def comp_addr_ok(desc: Descriptor) -> bool:
    return desc.comp_addr % COMP_SIZE == 0 and desc.comp_addr + COMP_SIZE <= VA_LIMIT


class DmaModel:
    def __init__(self, mem: Memory, fault: Oracle | None = None, bus_error: Oracle | None = None):
        for meth in ("read", "write"):
            if not callable(getattr(mem, meth, None)):
                raise TypeError(f"DmaModel: memory object {mem!r} has no {meth}() method")
        self.mem = mem
        self.fault = fault or _never
        self.bus_error = bus_error or _never

    # -------------------------------------------------------------- helpers
    def _access(self, va: int, is_write: bool, pasid: Optional[int]) -> Status:
        if self.bus_error(va, is_write, pasid):
            return Status.BUS_ERROR
        if self.fault(va, is_write, pasid):
            return Status.PAGE_FAULT
        return Status.SUCCESS

    def _data(self, d: Descriptor, pasid: Optional[int]) -> Completion:
        c = Completion(Status.SUCCESS, bytes_completed=d.length)
        for off, n in chunks(d):
            steps = []
            if d.opcode in (Opcode.MEMMOVE, Opcode.COMPARE):
                steps.append((d.src + off, False))
            steps.append((d.dst + off, d.opcode != Opcode.COMPARE))
            for va, wr in steps:
                st = self._access(va, wr, pasid)
                if st != Status.SUCCESS:
                    return Completion(st, 0, FAULT_WRITE if wr else 0, off, va)
            if d.opcode == Opcode.MEMMOVE:
                self.mem.write(d.dst + off, bytes(self.mem.read(d.src + off, n)))
            elif d.opcode == Opcode.FILL:
                pat = d.pattern.to_bytes(8, "little")
                self.mem.write(d.dst + off, bytes(pat[(off + i) % 8] for i in range(n)))
            else:
                a = bytes(self.mem.read(d.src + off, n))
                b = bytes(self.mem.read(d.dst + off, n))
                if a != b:
                    first = next(i for i in range(n) if a[i] != b[i])
                    return Completion(Status.SUCCESS, 1, 0, off + first, 0)
        return c

    # -------------------------------------------------------------- API
    def execute(self, desc: Descriptor, pasid: Optional[int] = None) -> DmaResult:
        """Run one descriptor fetched from a queue whose PASID is `pasid` (None: no PASID)."""
        if not isinstance(desc, Descriptor):
            raise TypeError(f"DmaModel.execute: expected a Descriptor, got {type(desc).__name__}")
        if pasid is not None and not 0 <= pasid < (1 << 20):
            raise ValueError(f"DmaModel.execute: pasid {pasid:#x} does not fit in 20 bits")
        want_comp = bool(desc.flags & Flags.COMP_REQ)
        if want_comp and not comp_addr_ok(desc):
            # No place to report to: the queue reports a malformed descriptor.
            return DmaResult(Completion(Status.INVALID_ADDRESS), False, QErr.INVALID_DESC,
                             irq=True)
        st = validate(desc)
        qerr = QErr.NONE
        if st != Status.SUCCESS:
            comp, qerr = Completion(st), QErr.INVALID_DESC
        elif desc.opcode in (Opcode.NOP, Opcode.DRAIN):
            comp = Completion(Status.SUCCESS)
        else:
            comp = self._data(desc, pasid)
            if comp.status == Status.BUS_ERROR:
                qerr = QErr.BUS_ERROR
        irq = bool(desc.flags & Flags.IRQ_REQ) or qerr != QErr.NONE
        if not want_comp:
            return DmaResult(comp, False, qerr, irq=irq)
        if self._access(desc.comp_addr, True, pasid) != Status.SUCCESS:
            return DmaResult(comp, False, QErr.COMP_WRITE, halted=True, irq=True)
        self.mem.write(desc.comp_addr, comp.encode())
        return DmaResult(comp, True, qerr, irq=irq)
