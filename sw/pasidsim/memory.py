"""Physical memory as seen by the pure-Python models.

`PhysMem` is the minimal interface every backend implements (this sparse RAM, the
RTL backdoor, ...). `SparseMemory` stores 4KB pages in a dict, zero-filled where
unwritten, and can mark address ranges as erroring so the SMMU model can produce
the architected external-abort events (F_STE_FETCH, F_CD_FETCH, F_WALK_EABT).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

PAGE_SHIFT = 12
PAGE = 1 << PAGE_SHIFT


class BusError(Exception):
    """A read or write hit an address that returns a bus (slave/decode) error."""

    def __init__(self, addr: int, size: int, write: bool):
        self.addr, self.size, self.write = addr, size, write
        super().__init__(f"bus error on {'write' if write else 'read'} of {size} byte(s) "
                         f"at {addr:#x}")


@runtime_checkable
class PhysMem(Protocol):
    def read(self, addr: int, n: int) -> bytes: ...
    def write(self, addr: int, data: bytes) -> None: ...
    def read64(self, addr: int) -> int: ...
    def write64(self, addr: int, value: int) -> None: ...


class SparseMemory:
    """Zero-filled sparse RAM of `addr_bits` address bits (default 52, the SMMU PA limit)."""

    def __init__(self, addr_bits: int = 52):
        if not 12 <= addr_bits <= 64:
            raise ValueError(f"SparseMemory: addr_bits {addr_bits} outside 12..64")
        self.addr_bits = addr_bits
        self._pages: dict[int, bytearray] = {}
        self._errors: list[tuple[int, int]] = []       # half-open [start, end)

    # -------------------------------------------------------------- error ranges
    @property
    def error_ranges(self) -> tuple[tuple[int, int], ...]:
        """The erroring ranges as (start, end) half-open pairs."""
        return tuple(self._errors)

    def add_error_range(self, start: int, size: int) -> None:
        self._check(start, size, "add_error_range")
        if size == 0:
            raise ValueError("SparseMemory.add_error_range: size must be > 0")
        self._errors.append((start, start + size))

    def remove_error_range(self, start: int, size: int) -> None:
        try:
            self._errors.remove((start, start + size))
        except ValueError:
            raise ValueError(f"SparseMemory.remove_error_range: no range "
                             f"[{start:#x}, {start + size:#x})") from None

    def clear_error_ranges(self) -> None:
        self._errors.clear()

    def _fault(self, addr: int, n: int, write: bool) -> None:
        for lo, hi in self._errors:
            if addr < hi and lo < addr + n:
                raise BusError(addr, n, write)

    # -------------------------------------------------------------- access
    def _check(self, addr: int, n: int, what: str) -> None:
        if not isinstance(addr, int) or not isinstance(n, int):
            raise ValueError(f"SparseMemory.{what}: address and size must be ints")
        if addr < 0 or n < 0 or addr + n > (1 << self.addr_bits):
            raise ValueError(f"SparseMemory.{what}: [{addr:#x}, +{n:#x}) outside the "
                             f"{self.addr_bits}-bit address space")

    def read(self, addr: int, n: int) -> bytes:
        self._check(addr, n, "read")
        self._fault(addr, n, False)
        out = bytearray(n)
        pos = 0
        while pos < n:
            a = addr + pos
            off = a & (PAGE - 1)
            chunk = min(PAGE - off, n - pos)
            page = self._pages.get(a >> PAGE_SHIFT)
            if page is not None:
                out[pos:pos + chunk] = page[off:off + chunk]
            pos += chunk
        return bytes(out)

    def write(self, addr: int, data: bytes) -> None:
        data = memoryview(bytes(data))
        n = len(data)
        self._check(addr, n, "write")
        self._fault(addr, n, True)        # before any byte changes: no partial writes
        pos = 0
        while pos < n:
            a = addr + pos
            off = a & (PAGE - 1)
            chunk = min(PAGE - off, n - pos)
            page = self._pages.get(a >> PAGE_SHIFT)
            if page is None:
                page = self._pages[a >> PAGE_SHIFT] = bytearray(PAGE)
            page[off:off + chunk] = data[pos:pos + chunk]
            pos += chunk

    def read64(self, addr: int) -> int:
        return int.from_bytes(self.read(addr, 8), "little")

    def write64(self, addr: int, value: int) -> None:
        if not isinstance(value, int) or not 0 <= value < (1 << 64):
            raise ValueError(f"SparseMemory.write64: value {value!r} is not a u64")
        self.write(addr, value.to_bytes(8, "little"))

    def fill(self, addr: int, n: int, byte: int = 0) -> None:
        if not 0 <= byte <= 255:
            raise ValueError(f"SparseMemory.fill: byte {byte} is not 0..255")
        self.write(addr, bytes([byte]) * n)

    @property
    def pages_in_use(self) -> int:
        return len(self._pages)
