"""Accelerator queues, uacce style: a process opens a queue, gets it bound to its PASID, builds
descriptors in its own memory, rings the doorbell and waits for completion records.

``Accel`` drives the DMA block through ``dma_regs``; ``AccelQueue`` is one hardware queue owned
by one process. ``close()`` disables the queue, unbinds (which flushes that PASID's faults) and
unmaps the ring; any later use raises ``Closed``. ``RidQueue`` is the kernel's kind: a queue
in no-PASID mode (QCTRL.NOPASID), translated by the device's RID domain (a paging domain), its
ring, buffers and completion records at IOVAs the kernel mapped there.
"""

from __future__ import annotations

from .. import dma_regs as D
from ..dma_desc import COMP_SIZE, DESC_SIZE, Completion, Descriptor, Status
from .errors import Busy, Closed, HardwareError, InvalidArgument, NoSpace, NotSupported, Timeout
from .mm import Process
from .domain import PagingDomain
from .pgtable import PROT_READ, PROT_WRITE
from .smmu import ArmSmmu, Device

POLL_NS = 200


class Accel:
    def __init__(self, plat, smmu: ArmSmmu, dev: Device, name: str = "accel0", block: str = "dma"):
        self.plat, self.smmu, self.dev, self.name = plat, smmu, dev, name
        self.block = block  # the platform's register block (and interrupt line) of this device
        self.queues: list[AccelQueue | None] = []

    def __repr__(self) -> str:
        return f"Accel({self.name})"

    async def _rd(self, off: int) -> int:
        return await self.plat.read_reg(self.block, off)

    async def _wr(self, off: int, v: int) -> None:
        await self.plat.write_reg(self.block, off, v)

    async def probe(self) -> None:
        if await self._rd(D.ID) != D.ID_VALUE:
            raise NotSupported(self, "DMA ID register does not read 'DMA1'")
        sid = await self._rd(D.SID_REG)
        if sid != self.dev.sid:
            raise InvalidArgument(self, f"device reports StreamID {sid:#x}, SMMU device {self.dev.name} has {self.dev.sid:#x}")
        n = (await self._rd(D.CAP) >> D.CAP_NQ_SHIFT) & D.CAP_NQ_MASK
        self.queues = [None] * n

    async def open_queue(self, proc: Process, *, log2_entries: int = 6) -> "AccelQueue":
        """Bind ``proc`` to the device and program a free hardware queue with its PASID."""
        if not isinstance(proc, Process):
            raise InvalidArgument(self, f"{proc!r} is not a Process")
        if not 1 <= log2_entries <= 15:
            raise InvalidArgument(self, f"ring of 2**{log2_entries} entries not in 2..32768")
        try:
            idx = self.queues.index(None)
        except ValueError:
            raise NoSpace(self, f"all {len(self.queues)} hardware queues are in use") from None
        bond = await self.smmu.sva_bind(self.dev, proc.mm)
        try:
            ring = proc.mm.mmap(DESC_SIZE << log2_entries, PROT_READ | PROT_WRITE, populate=True)
        except Exception:
            await self.smmu.sva_unbind(bond)
            raise
        q = AccelQueue(self, idx, proc, bond, ring, log2_entries)
        self.queues[idx] = q
        await self._program(idx, bond.pasid, ring, log2_entries, 0)
        return q

    async def open_rid_queue(self, domain: PagingDomain, ring_iova: int, *,
                             log2_entries: int = 6) -> "RidQueue":
        """A queue without PASID (kernel DMA): its traffic is translated by the device's RID
        domain, which must be ``domain``; the ring (64 * 2**log2_entries bytes at
        ``ring_iova``) must be mapped there readable."""
        if not isinstance(domain, PagingDomain):
            raise InvalidArgument(self, f"{domain!r} is not a paging domain")
        if self.dev.rid_domain is not domain:
            raise InvalidArgument(self, f"{domain!r} is not attached to the RID of {self.dev.name}")
        if not 1 <= log2_entries <= 15:
            raise InvalidArgument(self, f"ring of 2**{log2_entries} entries not in 2..32768")
        if ring_iova % DESC_SIZE:
            raise InvalidArgument(self, f"ring IOVA {ring_iova:#x} not 64-byte aligned")
        for off in range(0, DESC_SIZE << log2_entries, 0x1000):
            if domain.iova_to_phys(ring_iova + off) is None:
                raise InvalidArgument(self, f"ring IOVA {ring_iova + off:#x} not mapped in {domain!r}")
        try:
            idx = self.queues.index(None)
        except ValueError:
            raise NoSpace(self, f"all {len(self.queues)} hardware queues are in use") from None
        q = RidQueue(self, idx, domain, ring_iova, log2_entries)
        self.queues[idx] = q
        await self._program(idx, 0, ring_iova, log2_entries, D.QCTRL_NOPASID)
        return q

    async def _program(self, idx: int, pasid: int, ring: int, log2: int, mode: int) -> None:
        base = lambda off: D.queue_reg(idx, off, len(self.queues))  # noqa: E731
        await self._wr(base(D.QCTRL), 0)
        # A slot may come back halted from its previous owner: clear the halt and its error.
        await self._wr(base(D.QERR), 0)
        await self._wr(base(D.QPASID), pasid)
        await self._wr(base(D.QBASE_LO), ring & 0xFFFF_FFFF)
        await self._wr(base(D.QBASE_HI), ring >> 32)
        await self._wr(base(D.QSIZE), log2)
        await self._wr(base(D.QHEAD), 0)
        await self._wr(base(D.QTAIL), 0)
        await self._wr(base(D.QCTRL), D.QCTRL_EN | D.QCTRL_IRQ_EN | mode)


class AccelQueue:
    def __init__(self, accel: Accel, idx: int, proc: Process, bond, ring: int, log2: int):
        self.accel, self.idx, self.proc, self.bond = accel, idx, proc, bond
        self.ring, self.entries = ring, 1 << log2
        self.tail = 0
        self.closed = False

    def __repr__(self) -> str:
        return f"AccelQueue({self.accel.name}#{self.idx}, {self.proc.name}, pasid={self.pasid})"

    @property
    def pasid(self) -> int:
        return self.bond.pasid

    def _reg(self, off: int) -> int:
        return D.queue_reg(self.idx, off, len(self.accel.queues))

    def _check(self) -> None:
        if self.closed:
            raise Closed(self, "queue is closed")

    # CPU access to the memory the queue's addresses live in: the process's address space
    def _mem_read(self, va: int, n: int) -> bytes:
        return self.proc.mm.read(va, n)

    def _mem_write(self, va: int, data: bytes) -> None:
        self.proc.mm.write(va, data)

    async def submit(self, *descs: Descriptor, ring_doorbell: bool = True) -> None:
        """Copy descriptors into the ring (process memory) and ring the doorbell once."""
        self._check()
        for d in descs:
            if not isinstance(d, Descriptor):
                raise InvalidArgument(self, f"{d!r} is not a dma_desc.Descriptor")
        head = await self.accel._rd(self._reg(D.QHEAD))
        free = (head - self.tail - 1) % self.entries
        if len(descs) > free:
            raise Busy(self, f"ring has {free} free slots, {len(descs)} descriptors submitted")
        for d in descs:
            self._mem_write(self.ring + self.tail * DESC_SIZE, d.encode())
            self.tail = (self.tail + 1) % self.entries
        if ring_doorbell:
            await self.accel._wr(self._reg(D.QTAIL), self.tail)

    async def wait(self, comp_va: int, *, timeout_ns: int = 10_000_000) -> Completion:
        """Wait for the completion record at ``comp_va`` (which the caller zeroed before
        submitting), servicing SMMU events (I/O page faults) meanwhile."""
        self._check()
        plat, smmu = self.accel.plat, self.accel.smmu
        waited = 0
        while True:
            c = Completion.decode(self._mem_read(comp_va, COMP_SIZE))
            if c.status != Status.NONE:
                await self.accel._wr(D.IRQ_STATUS, 1 << self.idx)  # W1C our pending bit
                return c
            status = await self.accel._rd(self._reg(D.QSTATUS))
            if status & D.QStatus.HALTED:
                err = await self.accel._rd(self._reg(D.QERR))
                addr = await self.accel._rd(self._reg(D.QERR_ADDR_LO)) | \
                    await self.accel._rd(self._reg(D.QERR_ADDR_HI)) << 32
                raise HardwareError(self, f"queue halted: {D.QErr(err).name} at {addr:#x}")
            if waited >= timeout_ns:
                raise Timeout(self, f"no completion at {comp_va:#x} after {timeout_ns} ns")
            # The wait doubles as the poll delay; faults (stalls) are serviced as they come.
            if await plat.wait_irq("evtq", POLL_NS):
                await smmu.process_events()
            waited += POLL_NS

    async def run(self, desc: Descriptor, *, timeout_ns: int = 10_000_000) -> Completion:
        """Submit one descriptor with a completion record and wait for it."""
        self._check()
        self._mem_write(desc.comp_addr, bytes(COMP_SIZE))
        await self.submit(desc)
        return await self.wait(desc.comp_addr, timeout_ns=timeout_ns)

    async def close(self) -> None:
        """Disable the queue, unbind the process (faults flushed), unmap the ring."""
        self._check()
        await self.accel._wr(self._reg(D.QCTRL), 0)
        self.closed = True
        self.accel.queues[self.idx] = None
        if not self.bond.closed:  # the process may have exited already (mm release unbinds)
            await self.accel.smmu.sva_unbind(self.bond)
        if not self.proc.mm.dead:
            await self.proc.mm.munmap(self.ring, self.entries * DESC_SIZE)


class RidQueue(AccelQueue):
    """A no-PASID queue of the kernel: addresses are IOVAs of the RID paging domain; the
    CPU reaches them through that domain's mappings (physical memory)."""

    def __init__(self, accel: Accel, idx: int, domain: PagingDomain, ring: int, log2: int):
        self.accel, self.idx, self.domain, self.proc, self.bond = accel, idx, domain, None, None
        self.ring, self.entries = ring, 1 << log2
        self.tail = 0
        self.closed = False

    def __repr__(self) -> str:
        return f"RidQueue({self.accel.name}#{self.idx}, {self.domain.name})"

    @property
    def pasid(self) -> None:
        return None

    def _pa(self, iova: int, n: int) -> list[tuple[int, int]]:
        out = []
        while n:
            k = min(n, 0x1000 - (iova & 0xFFF))
            pa = self.domain.iova_to_phys(iova)
            if pa is None:
                raise InvalidArgument(self, f"IOVA {iova:#x} not mapped in {self.domain!r}")
            out.append((pa, k))
            iova, n = iova + k, n - k
        return out

    def _mem_read(self, iova: int, n: int) -> bytes:
        return b"".join(self.accel.plat.mem.read(pa, k) for pa, k in self._pa(iova, n))

    def _mem_write(self, iova: int, data: bytes) -> None:
        spans = self._pa(iova, len(data))  # all checked before anything is written
        off = 0
        for pa, k in spans:
            self.accel.plat.mem.write(pa, data[off:off + k])
            off += k

    async def close(self) -> None:
        """Disable the queue; the RID domain stays attached (the kernel's to change)."""
        self._check()
        await self.accel._wr(self._reg(D.QCTRL), 0)
        self.closed = True
        self.accel.queues[self.idx] = None
