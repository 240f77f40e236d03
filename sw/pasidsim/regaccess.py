"""Register access by name over any 32-bit bus (AXI-Lite in cocotb, a model, an FPGA BAR).

`RegisterAccess` turns two async callables, ``read32(addr)`` and
``write32(addr, value)``, into reads and writes of named registers and fields
from a register map (e.g. pasidsim.regs). 64-bit registers are accessed as two
32-bit halves, low half first, as SMMUv3 allows.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from pasidsim.regs import Register, reg

Read32 = Callable[[int], Awaitable[int]]
Write32 = Callable[[int, int], Awaitable[None]]


class RegisterAccess:
    def __init__(self, read32: Read32, write32: Write32, base: int = 0, lookup=reg):
        self._read32 = read32
        self._write32 = write32
        self.base = base
        self._lookup = lookup

    def _reg(self, r: str | Register) -> Register:
        return self._lookup(r) if isinstance(r, str) else r

    async def read(self, r: str | Register) -> int:
        r = self._reg(r)
        lo = await self._read32(self.base + r.offset)
        if r.width == 32:
            return lo
        hi = await self._read32(self.base + r.offset + 4)
        return lo | (hi << 32)

    async def write(self, r: str | Register, value: int) -> None:
        r = self._reg(r)
        if value < 0 or value >> r.width:
            raise ValueError(f"register {r.name}: value {value:#x} wider than {r.width} bits")
        await self._write32(self.base + r.offset, value & 0xFFFF_FFFF)
        if r.width == 64:
            await self._write32(self.base + r.offset + 4, value >> 32)

    async def read_field(self, r: str | Register, field: str) -> int:
        r = self._reg(r)
        return r.field(field).get(await self.read(r))

    async def modify(self, r: str | Register, **fields: int) -> int:
        """Read-modify-write the named fields; returns the value written."""
        r = self._reg(r)
        value = await self.read(r)
        for name, fv in fields.items():
            value = r.field(name).put(value, fv)
        await self.write(r, value)
        return value
