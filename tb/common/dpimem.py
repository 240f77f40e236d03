"""Python side of the simulated RAM shared with rtl/sim/axi_dpi_ram.sv.

`DpiMem` is a zero-copy view of the C++ buffer the HDL reads and writes through
DPI-C: a `memoryview` over the same bytes, so building page tables or filling
megabytes costs no simulated time and no per-word simulator call. It implements
the PhysMem protocol (read/write/read64/write64) used by the models and the driver.
Only valid inside the simulator process (the model links the library).
"""

from __future__ import annotations

import ctypes
import struct

from tb.common.sim import SIM_BUILD


class BusErrorRange:
    READ = 1
    WRITE = 2


class DpiMem:
    def __init__(self, lib_path=None):
        path = str(lib_path or SIM_BUILD / "lib" / "libpasidmem.so")
        self._lib = ctypes.CDLL(path)  # the copy the simulator already loaded
        for name in ("pm_base", "pm_size", "pm_beats"):
            getattr(self._lib, name).restype = ctypes.c_uint64
        self._lib.pm_beats.argtypes = [ctypes.c_int]
        self._lib.pm_add_error.argtypes = [ctypes.c_uint64, ctypes.c_uint64, ctypes.c_int]
        for name in ("pm_log_count", "pm_log_dropped", "pm_log_copy"):
            getattr(self._lib, name).restype = ctypes.c_uint64
        self._lib.pm_log_copy.argtypes = [ctypes.c_uint64, ctypes.c_uint64,
                                          ctypes.POINTER(ctypes.c_uint64)]
        self._lib.pm_log_set_limit.argtypes = [ctypes.c_uint64]
        self.size = self._lib.pm_size()
        buf = (ctypes.c_ubyte * self.size).from_address(self._lib.pm_base())
        self.view = memoryview(buf).cast("B")

    def _check(self, addr: int, n: int) -> None:
        if addr < 0 or n < 0 or addr + n > self.size:
            raise ValueError(f"DpiMem: range {addr:#x}+{n:#x} outside the {self.size:#x}-byte RAM")

    def read(self, addr: int, n: int) -> bytes:
        self._check(addr, n)
        return bytes(self.view[addr:addr + n])

    def write(self, addr: int, data: bytes) -> None:
        self._check(addr, len(data))
        self.view[addr:addr + len(data)] = data

    def read64(self, addr: int) -> int:
        self._check(addr, 8)
        return struct.unpack_from("<Q", self.view, addr)[0]

    def write64(self, addr: int, value: int) -> None:
        self._check(addr, 8)
        struct.pack_into("<Q", self.view, addr, value)

    def fill(self, addr: int, n: int, byte: int = 0) -> None:
        self._check(addr, n)
        self.view[addr:addr + n] = bytes([byte]) * n

    def add_error(self, lo: int, hi: int, read: bool = True, write: bool = True) -> None:
        """Accesses touching [lo, hi) answer SLVERR (reads and/or writes)."""
        self._lib.pm_add_error(lo, hi, (BusErrorRange.READ if read else 0) |
                               (BusErrorRange.WRITE if write else 0))

    def clear_errors(self) -> None:
        self._lib.pm_clear_errors()

    def clear(self) -> None:
        """Zero all memory (returns the pages to the OS)."""
        self._lib.pm_clear()

    def beats(self, write: bool) -> int:
        """Data beats (64-bit lanes) the HDL has moved so far."""
        return self._lib.pm_beats(1 if write else 0)

    # ---- access log (for tb.common.scoreboard): recorded in C++, read here afterwards
    def log_enable(self, reads: bool = True, writes: bool = True) -> None:
        """Start recording every byte range the HDL reads and/or writes (merged per burst)."""
        self._lib.pm_log_enable((1 if reads else 0) | (2 if writes else 0))

    def log_disable(self) -> None:
        self._lib.pm_log_enable(0)

    def log_clear(self) -> None:
        self._lib.pm_log_clear()

    def log_set_limit(self, entries: int) -> None:
        """Entries kept at most (default 16 M); accesses past it only count as dropped."""
        if entries < 1:
            raise ValueError(f"DpiMem: log limit {entries} must be positive")
        self._lib.pm_log_set_limit(entries)

    def log_dropped(self) -> int:
        return self._lib.pm_log_dropped()

    def log(self) -> list[tuple[int, int, bool]]:
        """The recorded accesses, oldest first: (address, length in bytes, is_write)."""
        n = self._lib.pm_log_count()
        buf = (ctypes.c_uint64 * (3 * max(n, 1)))()
        got = self._lib.pm_log_copy(0, n, buf)
        return [(buf[3 * i], buf[3 * i + 1], bool(buf[3 * i + 2])) for i in range(got)]
