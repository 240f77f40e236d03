"""Builders for SMMU in-memory structures, for tests: stream table, CD tables (linear and
two-level), AArch64 stage-1 page tables (4KB granule). Everything is encoded with
pasidsim.smmuv3 and written into any pasidsim.memory.PhysMem (the memory the DUT's
AXI slave serves and the golden model reads).
"""

from __future__ import annotations

from pasidsim import smmuv3 as S


class PageAlloc:
    """Bump allocator of zeroed, aligned physical chunks inside [base, base + size)."""

    def __init__(self, mem, base: int, size: int):
        if base % S.PAGE_SIZE or size <= 0:
            raise ValueError(f"PageAlloc: base {base:#x} not page aligned or size {size} <= 0")
        self.mem, self.base, self.end, self.next = mem, base, base + size, base

    def alloc(self, size: int = S.PAGE_SIZE, align: int = S.PAGE_SIZE) -> int:
        if size <= 0 or align <= 0 or align & (align - 1):
            raise ValueError(f"PageAlloc.alloc: bad size {size} / align {align}")
        addr = -(-self.next // align) * align
        if addr + size > self.end:
            raise MemoryError(f"PageAlloc: {size:#x} bytes do not fit below {self.end:#x}")
        self.next = addr + size
        self.mem.write(addr, bytes(size))
        return addr


class PageTable:
    """One stage-1 address space (a TTB0 and its tables) for a CD with this T0SZ."""

    def __init__(self, mem, alloc: PageAlloc, t0sz: int = 25):
        self.mem, self.alloc, self.t0sz = mem, alloc, t0sz
        self.levels = S.levels_for_t0sz(t0sz)
        self.ia = 64 - t0sz
        top = self.ia - S.LEVEL_SHIFT[self.levels[0]]
        self.ttb0 = alloc.alloc(max(8 << top, 64), max(8 << top, 64))

    def _slot(self, va: int, level: int) -> int:
        """Address of the descriptor for `va` at `level`, creating tables on the way."""
        if not 0 <= va < (1 << self.ia):
            raise ValueError(f"PageTable: va {va:#x} outside the {self.ia}-bit region")
        table = self.ttb0
        for lvl in self.levels:
            addr = table + ((va >> S.LEVEL_SHIFT[lvl]) & 511) * 8
            if lvl == level:
                return addr
            pte = S.Pte.decode(self.mem.read64(addr), lvl)
            if pte.type != S.PTE_TABLE:
                if pte.valid:
                    raise ValueError(f"PageTable: va {va:#x} already mapped by a level-{lvl} leaf")
                nxt = self.alloc.alloc()
                self.mem.write64(addr, S.pte_table(nxt))
                table = nxt
            else:
                table = pte.oa
        raise ValueError(f"PageTable: level {level} not walked for T0SZ {self.t0sz}")

    def map(self, va: int, pa: int, size: int = S.PAGE_SIZE, **attrs) -> None:
        """Map [va, va+size) to pa with one leaf: size 4KB (page), 2MB or 1GB (block).
        attrs go to pte_page/pte_block (ro, af, user, xn, pxn, ...)."""
        level = {S.LEVEL_SIZE[3]: 3, S.LEVEL_SIZE[2]: 2, S.LEVEL_SIZE[1]: 1}.get(size)
        if level is None or va % size or pa % size:
            raise ValueError(f"PageTable.map: size {size:#x} / va {va:#x} / pa {pa:#x} "
                             f"not a 4K/2M/1G aligned leaf")
        raw = S.pte_page(pa, **attrs) if level == 3 else S.pte_block(pa, level, **attrs)
        self.mem.write64(self._slot(va, level), raw)

    def set_raw(self, va: int, level: int, raw: int) -> int:
        """Write any 64-bit descriptor (e.g. a broken one) at `level` for `va`; returns
        the descriptor address."""
        addr = self._slot(va, level)
        self.mem.write64(addr, raw)
        return addr

    def slot_addr(self, va: int, level: int) -> int:
        return self._slot(va, level)


class StreamTable:
    """Linear stream table of 2^log2size STEs."""

    def __init__(self, mem, alloc: PageAlloc, log2size: int):
        self.mem, self.log2size = mem, log2size
        self.base = alloc.alloc(S.STE_SIZE << log2size, max(64, S.STE_SIZE << log2size))

    def ste_addr(self, sid: int) -> int:
        if not 0 <= sid < (1 << self.log2size):
            raise ValueError(f"StreamTable: sid {sid} outside the {1 << self.log2size}-entry table")
        return self.base + sid * S.STE_SIZE

    def set(self, sid: int, ste: S.Ste) -> None:
        self.mem.write(self.ste_addr(sid), ste.encode())


class CdTable:
    """A stream's CD table: linear (fmt S1FMT_LINEAR) or two-level (S1FMT_4K_L2 /
    S1FMT_64K_L2) with leaf tables allocated lazily, as Linux does."""

    def __init__(self, mem, alloc: PageAlloc, cdmax: int, fmt: int = S.S1FMT_LINEAR):
        self.mem, self.alloc, self.cdmax, self.fmt = mem, alloc, cdmax, fmt
        n = 1 << cdmax
        if fmt == S.S1FMT_LINEAR:
            self.base = alloc.alloc(max(n * S.CD_SIZE, 64), max(n * S.CD_SIZE, 64))
        else:
            self.split = S.S1FMT_SPLIT[fmt]
            n1 = max(1, n >> self.split)
            self.base = alloc.alloc(max(n1 * 8, 64), max(n1 * 8, 64))
        self.leaves: dict[int, int] = {}

    def cd_addr(self, ssid: int, create: bool = True) -> int:
        if not 0 <= ssid < (1 << self.cdmax) and not (ssid == 0 and self.cdmax == 0):
            raise ValueError(f"CdTable: ssid {ssid} beyond S1CDMax {self.cdmax}")
        if self.fmt == S.S1FMT_LINEAR:
            return self.base + ssid * S.CD_SIZE
        l1 = ssid >> self.split
        if l1 not in self.leaves:
            if not create:
                raise KeyError(f"CdTable: no leaf table for ssid {ssid}")
            leaf = self.alloc.alloc((S.CD_SIZE << self.split), S.PAGE_SIZE)
            self.leaves[l1] = leaf
            self.mem.write(self.base + l1 * 8, S.Cd_l1(v=1, l2ptr=leaf).encode())
        return self.leaves[l1] + (ssid & ((1 << self.split) - 1)) * S.CD_SIZE

    def l1_addr(self, ssid: int) -> int:
        return self.base + (ssid >> self.split) * 8

    def set(self, ssid: int, cd: S.Cd) -> None:
        self.mem.write(self.cd_addr(ssid), cd.encode())

    def ste(self, **kw) -> S.Ste:
        """A stage-1 STE pointing at this table."""
        return S.Ste(v=1, config=S.STE_CFG_S1_TRANS, s1fmt=self.fmt, s1contextptr=self.base,
                     s1cdmax=self.cdmax, **kw)


def make_cd(pt: PageTable, asid: int, **kw) -> S.Cd:
    """A valid CD for page table `pt` (Linux SVA style: R=1, A=1, AA64, 48-bit IPS)."""
    args = dict(v=1, t0sz=pt.t0sz, tg0=S.TG0_4K, ips=5, aa64=1, r=1, a=1, asid=asid, ttb0=pt.ttb0)
    args.update(kw)
    return S.Cd(**args)
