"""Descriptor and completion-record formats of the PASID-tagging DMA accelerator.

One definition of every field: the RTL (rtl/dma/dma_pkg.sv), the golden model and
the tests all follow the layouts below (documented in docs/dma.md). Everything is
little-endian.

Descriptor, 64 bytes:
  0x00 u8  opcode          (Opcode)
  0x01 u8  flags           (Flags; undefined bits must be 0)
  0x02 u16 reserved        (must be 0)
  0x04 u32 length          (bytes; 1..MAX_LEN for MEMMOVE/FILL/COMPARE)
  0x08 u64 src             (VA; MEMMOVE/COMPARE)
  0x10 u64 dst             (VA; MEMMOVE/FILL/COMPARE)
  0x18 u64 pattern         (FILL: byte i of the destination = pattern byte i % 8)
  0x20 u64 comp_addr       (VA of the completion record, 32-byte aligned)
  0x28..0x3f reserved      (ignored)

Completion record, 32 bytes (written only when Flags.COMP_REQ is set):
  0x00 u8  status          (Status)
  0x01 u8  result          (COMPARE: 0 equal, 1 different)
  0x02 u8  fault_info      (bit 0: the faulting access was a write)
  0x03 u8  reserved (0)
  0x04 u32 bytes_completed
  0x08 u64 fault_addr
  0x10..0x1f reserved (0)
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

DESC_SIZE = 64
COMP_SIZE = 32
VA_BITS = 48
VA_LIMIT = 1 << VA_BITS
MAX_LEN = 1 << 20          # largest legal length (inclusive)
PAGE = 4096


class Opcode(enum.IntEnum):
    NOP = 0
    DRAIN = 1
    MEMMOVE = 2
    FILL = 3
    COMPARE = 4


class Flags(enum.IntFlag):
    COMP_REQ = 1 << 0        # write a completion record
    IRQ_REQ = 1 << 1         # raise the queue's interrupt on completion
    BLOCK_ON_FAULT = 1 << 2  # rely on the SMMU stalling instead of partial completion


FLAGS_VALID = int(Flags.COMP_REQ | Flags.IRQ_REQ | Flags.BLOCK_ON_FAULT)


class Status(enum.IntEnum):
    NONE = 0             # software's initial value; never written by the device
    SUCCESS = 1
    PAGE_FAULT = 2       # partial completion: bytes_completed / fault_addr valid
    BUS_ERROR = 3        # DECERR on a data access: bytes_completed / fault_addr valid
    INVALID_OPCODE = 4
    INVALID_FLAGS = 5    # undefined flag bits or nonzero reserved field
    INVALID_LENGTH = 6   # 0 or > MAX_LEN
    INVALID_ADDRESS = 7  # an address range not inside the 48-bit VA space
    OVERLAP = 8          # MEMMOVE source and destination ranges overlap


FAULT_WRITE = 1 << 0

_DESC = struct.Struct("<BBHIQQQQ24x")
_COMP = struct.Struct("<BBBxIQ16x")


def _u(name: str, value: int, bits: int, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{owner}.{name}: expected int, got {type(value).__name__}")
    if not 0 <= value < (1 << bits):
        raise ValueError(f"{owner}.{name}: {value:#x} does not fit in {bits} bits")
    return value


@dataclass
class Descriptor:
    opcode: int = Opcode.NOP
    flags: int = 0
    length: int = 0
    src: int = 0
    dst: int = 0
    pattern: int = 0
    comp_addr: int = 0
    reserved: int = 0   # the u16 at 0x02; nonzero makes the descriptor invalid

    def remainder(self, done: int) -> "Descriptor":
        """The descriptor that finishes this one after a partial completion with
        ``bytes_completed == done`` (docs/dma.md): the rest of the length from src/dst +
        done; a FILL's pattern rotated by done mod 8 so every byte keeps its value."""
        if not 0 <= done < self.length:
            raise ValueError(f"Descriptor.remainder: done={done} outside 0..{self.length - 1}")
        k = 8 * (done % 8)
        pattern = self.pattern
        if self.opcode == Opcode.FILL and k:
            pattern = ((pattern >> k) | (pattern << (64 - k))) & (2**64 - 1)
        return Descriptor(self.opcode, self.flags, self.length - done,
                          self.src + done if self.opcode != Opcode.FILL else 0,
                          self.dst + done, pattern, self.comp_addr, self.reserved)

    def encode(self) -> bytes:
        """64 bytes. Raises ValueError/TypeError naming the field that does not fit.

        Only container limits are checked here: architecturally invalid but
        encodable values (unknown opcode, zero length, ...) are allowed so tests
        can feed them to the device.
        """
        o = "Descriptor"
        return _DESC.pack(_u("opcode", int(self.opcode), 8, o), _u("flags", int(self.flags), 8, o),
                          _u("reserved", self.reserved, 16, o), _u("length", self.length, 32, o),
                          _u("src", self.src, 64, o), _u("dst", self.dst, 64, o),
                          _u("pattern", self.pattern, 64, o), _u("comp_addr", self.comp_addr, 64, o))

    @classmethod
    def decode(cls, raw: bytes) -> "Descriptor":
        if len(raw) != DESC_SIZE:
            raise ValueError(f"Descriptor.decode: need {DESC_SIZE} bytes, got {len(raw)}")
        op, fl, rsv, ln, src, dst, pat, comp = _DESC.unpack(bytes(raw))
        return cls(op, fl, ln, src, dst, pat, comp, rsv)


@dataclass
class Completion:
    status: int = Status.NONE
    result: int = 0
    fault_info: int = 0
    bytes_completed: int = 0
    fault_addr: int = 0

    def encode(self) -> bytes:
        o = "Completion"
        return _COMP.pack(_u("status", int(self.status), 8, o), _u("result", self.result, 8, o),
                          _u("fault_info", self.fault_info, 8, o),
                          _u("bytes_completed", self.bytes_completed, 32, o),
                          _u("fault_addr", self.fault_addr, 64, o))

    @classmethod
    def decode(cls, raw: bytes) -> "Completion":
        if len(raw) != COMP_SIZE:
            raise ValueError(f"Completion.decode: need {COMP_SIZE} bytes, got {len(raw)}")
        st, res, fi, nb, fa = _COMP.unpack(bytes(raw))
        return cls(st, res, fi, nb, fa)

    @property
    def fault_is_write(self) -> bool:
        return bool(self.fault_info & FAULT_WRITE)
