"""Register map of the DMA accelerator's AXI4-Lite slave (s_axil_*, 12-bit addresses,
32-bit registers). Mirrors rtl/dma/dma_regs.sv; documented in docs/dma.md.

Global registers at 0x000; queue q's block of 64 bytes at QUEUE_BASE + q * QUEUE_STRIDE.
"""

from __future__ import annotations

import enum

AXIL_ADDR_WIDTH = 12
ID_VALUE = 0x444D4131          # "DMA1"

# ---- global
ID = 0x000          # RO  ID_VALUE
CAP = 0x004         # RO  [7:0] number of queues, [11:8] log2(AXI data bytes)
IRQ_STATUS = 0x008  # W1C bit q: queue q has an interrupt pending
SID_REG = 0x00C     # RO  this device's StreamID

CAP_NQ_SHIFT, CAP_NQ_MASK = 0, 0xFF
CAP_LOG2DB_SHIFT, CAP_LOG2DB_MASK = 8, 0xF

# ---- per queue
QUEUE_BASE = 0x100
QUEUE_STRIDE = 0x40
MAX_QUEUES = 16

QCTRL = 0x00       # RW  bit0 enable, bit1 no_pasid, bit2 irq_en
QPASID = 0x04      # RW  [19:0]
QBASE_LO = 0x08    # RW  ring base VA [31:6] (bits [5:0] read as 0)
QBASE_HI = 0x0C    # RW  ring base VA [47:32] in [15:0]
QSIZE = 0x10       # RW  [3:0] log2(ring entries), 0..15
QTAIL = 0x14       # RW  producer index (doorbell), masked to the ring size
QHEAD = 0x18       # RO while enabled, RW while disabled: consumer index
QSTATUS = 0x1C     # RO  see QStatus
QERR = 0x20        # RO code [7:0] (QErr); any write clears it and QERR_ADDR and un-halts the queue
QERR_ADDR_LO = 0x24  # RO  VA of the access that caused a halting error
QERR_ADDR_HI = 0x28  # RO
QRESUME = 0x2C     # RO  [20:0] offset where the descriptor at head resumes (0: from the start)

QCTRL_EN = 1 << 0
QCTRL_NOPASID = 1 << 1
QCTRL_IRQ_EN = 1 << 2


class QStatus(enum.IntFlag):
    ENABLED = 1 << 0
    BUSY = 1 << 1      # a descriptor of this queue is being processed
    HALTED = 1 << 2    # stopped by a fetch or completion-write fault until QERR is written
    EMPTY = 1 << 3     # head == tail


class QErr(enum.IntEnum):
    NONE = 0
    DESC_FETCH = 1     # descriptor read got an error response (halts, head not advanced)
    COMP_WRITE = 2     # completion-record write got an error response (halts, head advanced)
    BUS_ERROR = 3      # a data access got DECERR (descriptor completed with BUS_ERROR)
    INVALID_DESC = 4   # malformed descriptor (completed with an INVALID_* status)


def queue_reg(q: int, offset: int, nqueues: int = MAX_QUEUES) -> int:
    """Byte address of register `offset` of queue `q`."""
    if not isinstance(q, int) or not 0 <= q < nqueues:
        raise ValueError(f"dma_regs.queue_reg: queue {q!r} not in 0..{nqueues - 1}")
    if offset not in (QCTRL, QPASID, QBASE_LO, QBASE_HI, QSIZE, QTAIL, QHEAD, QSTATUS, QERR,
                      QERR_ADDR_LO, QERR_ADDR_HI, QRESUME):
        raise ValueError(f"dma_regs.queue_reg: {offset:#x} is not a queue register offset")
    return QUEUE_BASE + q * QUEUE_STRIDE + offset
