"""DMA side of the model backend: the accelerators' queue registers (``dma_regs``) and a queue
engine around the golden ``DmaModel``, with every access translated through the SMMU model.
One ``ModelDma`` per accelerator (its own StreamID, queues and interrupt status), as in
system_top; they share the platform's SMMU model, memory and stall bookkeeping.

Queues are served round-robin, one descriptor per turn, whenever the driver touches a register
or waits. A stalled access blocks its queue until CMD_RESUME: RETRY re-runs the descriptor from
the start (data descriptors are idempotent: MEMMOVE ranges never overlap), ABORT re-runs it with
that page/direction terminated, which gives the partial completion the DMA reports for a fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import dma_regs as D
from .. import smmuv3 as S
from ..dma_desc import DESC_SIZE, Descriptor
from ..dma_model import DmaModel
from ..memory import BusError


class _Stalled(Exception):
    def __init__(self, stag: int):
        self.stag = stag


class _Terminated(Exception):
    pass


@dataclass
class _Stall:
    stag: int
    sid: int
    pasid: int | None
    page: int
    write: bool
    queue: int
    resp: int | None = None


@dataclass
class _Queue:
    ctrl: int = 0
    pasid: int = 0
    base: int = 0
    log2size: int = 0
    tail: int = 0
    head: int = 0
    err: int = 0
    err_addr: int = 0
    halted: bool = False
    stall: _Stall | None = None
    aborts: set = field(default_factory=set)  # (page, write) terminated by RESUME ABORT

    @property
    def enabled(self) -> bool:
        return bool(self.ctrl & D.QCTRL_EN)

    @property
    def qpasid(self) -> int | None:
        return None if self.ctrl & D.QCTRL_NOPASID else self.pasid


class ModelDma:
    """One accelerator: ``sid``, ``queues``, ``irq_status``; the platform provides ``mem``,
    ``stalls`` and ``translate(sid, pasid, va, write, queue)``."""

    def __init__(self, plat, sid: int, nqueues: int, name: str = "dma"):
        self.plat, self.sid, self.name = plat, sid, name
        self.queues = [_Queue() for _ in range(nqueues)]
        self.irq_status = 0
        self._rr = 0

    def __repr__(self) -> str:
        return f"ModelDma({self.name}, sid={self.sid:#x})"

    # ================================================================== DMA registers
    def read(self, offset: int) -> int:
        if offset == D.ID:
            return D.ID_VALUE
        if offset == D.CAP:
            return len(self.queues) | (3 << D.CAP_LOG2DB_SHIFT)
        if offset == D.IRQ_STATUS:
            return self.irq_status
        if offset == D.SID_REG:
            return self.sid
        q, off = self._dma_q(offset)
        if q is None:
            return 0
        return {
            D.QCTRL: q.ctrl, D.QPASID: q.pasid, D.QBASE_LO: q.base & 0xFFFF_FFC0,
            D.QBASE_HI: (q.base >> 32) & 0xFFFF, D.QSIZE: q.log2size, D.QTAIL: q.tail,
            D.QHEAD: q.head, D.QSTATUS: self._qstatus(q), D.QERR: q.err,
            D.QERR_ADDR_LO: q.err_addr & 0xFFFF_FFFF, D.QERR_ADDR_HI: q.err_addr >> 32,
        }.get(off, 0)

    def _qstatus(self, q: _Queue) -> int:
        s = 0
        if q.enabled:
            s |= D.QStatus.ENABLED
        if q.stall is not None:
            s |= D.QStatus.BUSY
        if q.halted:
            s |= D.QStatus.HALTED
        if q.head == q.tail:
            s |= D.QStatus.EMPTY
        return s

    def _dma_q(self, offset: int):
        if offset < D.QUEUE_BASE:
            return None, 0
        i, off = divmod(offset - D.QUEUE_BASE, D.QUEUE_STRIDE)
        if i >= len(self.queues):
            return None, 0
        return self.queues[i], off

    def write(self, offset: int, v: int) -> None:
        if offset == D.IRQ_STATUS:
            self.irq_status &= ~v
            return
        q, off = self._dma_q(offset)
        if q is None:
            return
        mask = (1 << q.log2size) - 1
        if off == D.QCTRL:
            q.ctrl = v & 0x7
        elif off == D.QPASID:
            q.pasid = v & 0xFFFFF
        elif off == D.QBASE_LO:
            q.base = (q.base & ~0xFFFF_FFFF) | (v & 0xFFFF_FFC0)
        elif off == D.QBASE_HI:
            q.base = (q.base & 0xFFFF_FFFF) | ((v & 0xFFFF) << 32)
        elif off == D.QSIZE:
            q.log2size = v & 0xF
        elif off == D.QTAIL:
            q.tail = v & mask
        elif off == D.QHEAD and not q.enabled:
            q.head = v & mask
        elif off == D.QERR:
            q.err, q.err_addr, q.halted = 0, 0, False

    # ================================================================== DMA engine
    def run(self) -> bool:
        """Serve queues round-robin, one descriptor per turn, until none can progress;
        returns whether anything happened."""
        progress = any_progress = False
        while True:
            progress = False
            n = len(self.queues)
            for k in range(n):
                i = (self._rr + k) % n
                if self._step_queue(i):
                    progress = any_progress = True
                    self._rr = (i + 1) % n
            if not progress:
                return any_progress

    def _step_queue(self, i: int) -> bool:
        q = self.queues[i]
        if not q.enabled or q.halted or q.head == q.tail:
            return False
        if q.stall is not None:
            if q.stall.resp is None:
                return False  # still waiting for CMD_RESUME
            if q.stall.resp != S.RESUME_RETRY:
                q.aborts.add((q.stall.page, q.stall.write))
            q.stall = None
        sid, pasid = self.sid, q.qpasid
        view = _VaView(self, sid, pasid, i)
        daddr = q.base + q.head * DESC_SIZE
        try:
            desc = Descriptor.decode(view.read(daddr, DESC_SIZE))
        except _Stalled as s:
            q.stall = self.plat.stalls[s.stag]
            return True
        except (_Terminated, BusError):
            q.err, q.err_addr, q.halted = D.QErr.DESC_FETCH, daddr, True
            self._irq_queue(i, q, force=True)
            return True
        model = DmaModel(view, fault=view.faults, bus_error=view.bus_error)
        try:
            res = model.execute(desc, pasid)
        except _Stalled as s:
            q.stall = self.plat.stalls[s.stag]
            return True
        q.aborts.clear()
        q.head = (q.head + 1) & ((1 << q.log2size) - 1)
        if res.qerr and (not q.err or res.halted):  # the first error, unless a halting one
            q.err = int(res.qerr)
        if res.halted:  # QERR_ADDR: only halting errors set it (as dma_regs.sv)
            q.err_addr = res.completion.fault_addr if res.qerr != D.QErr.COMP_WRITE else desc.comp_addr
            q.halted = True
        if res.irq:
            self._irq_queue(i, q, force=False)
        return True

    def _irq_queue(self, i: int, q: _Queue, force: bool) -> None:
        if q.ctrl & D.QCTRL_IRQ_EN:
            self.irq_status |= 1 << i


class _VaView:
    """The DMA model's memory: VA accesses of one queue, translated through the SMMU path."""

    def __init__(self, dma: ModelDma, sid: int, pasid: int | None, queue: int):
        self.dma, self.plat, self.sid, self.pasid, self.queue = dma, dma.plat, sid, pasid, queue

    def _pa(self, va: int, write: bool) -> int:
        q = self.dma.queues[self.queue]
        if (va & ~0xFFF, write) in q.aborts:
            raise _Terminated()
        t = self.plat.translate(self.sid, self.pasid, va, write, self.queue)
        if not t.ok:
            raise _Terminated()
        return t.pa

    def faults(self, va: int, is_write: bool, pasid) -> bool:
        try:
            self._pa(va, is_write)
        except _Terminated:
            return True
        return False

    def bus_error(self, va: int, is_write: bool, pasid) -> bool:
        return False

    def read(self, va: int, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            cur = va + len(out)
            k = min(n - len(out), 0x1000 - (cur & 0xFFF))
            out += self.plat.mem.read(self._pa(cur, False), k)
        return bytes(out)

    def write(self, va: int, data: bytes) -> None:
        off = 0
        while off < len(data):
            cur = va + off
            k = min(len(data) - off, 0x1000 - (cur & 0xFFF))
            self.plat.mem.write(self._pa(cur, True), data[off:off + k])
            off += k
