"""A device's PASID table: its context-descriptor (CD) table, linear or two-level.

Linear: 2**ssid_bits CDs of 64 bytes in one block (STE.S1FMT = linear).
Two-level (STE.S1FMT = 0b10, 64 KB leaves): an L1 table of 8-byte descriptors, each pointing at a
leaf of 1024 CDs allocated on first use. Leaves stay until the whole table is freed, as in Linux.
Allocation (``prepare``) is separate from publication (``install_leaf``) so that an attach can
reserve everything before it writes any table.
"""

from __future__ import annotations

from .. import smmuv3 as fmt
from .alloc import PageAllocator

L2_BITS = fmt.S1FMT_SPLIT[fmt.S1FMT_64K_L2]  # 1024 CDs per leaf
L2_BYTES = (1 << L2_BITS) * fmt.CD_SIZE


class CdTable:
    def __init__(self, pages: PageAllocator, mem, ssid_bits: int, two_level: bool, name: str):
        self.pages, self.mem, self.name = pages, mem, name
        self.ssid_bits = ssid_bits
        self.ncds = 1 << ssid_bits
        self.two_level = two_level
        if two_level:
            self.s1fmt = fmt.S1FMT_64K_L2
            self.n_l1 = max(1, self.ncds >> L2_BITS)
            self.base = pages.alloc_bytes(self.n_l1 * fmt.CD_L1_SIZE)
            self.leaves: dict[int, int] = {}
        else:
            self.s1fmt = fmt.S1FMT_LINEAR
            self.base = pages.alloc_bytes(self.ncds * fmt.CD_SIZE)

    def __repr__(self) -> str:
        return f"CdTable({self.name}, {'2-level' if self.two_level else 'linear'}, {self.ncds} CDs)"

    def needs_leaf(self, ssid: int) -> bool:
        return self.two_level and (ssid >> L2_BITS) not in self.leaves

    def alloc_leaf(self) -> int:
        return self.pages.alloc_bytes(L2_BYTES)

    def install_leaf(self, ssid: int, leaf_pa: int) -> int:
        """Publish a zeroed leaf in the L1 table (the caller then syncs CFGI_CD leaf=0).
        Returns the L1 descriptor address."""
        i = ssid >> L2_BITS
        self.leaves[i] = leaf_pa
        addr = self.base + i * fmt.CD_L1_SIZE
        self.mem.write64(addr, fmt.Cd_l1(v=1, l2ptr=leaf_pa).words()[0])
        return addr

    def cd_addr(self, ssid: int) -> int | None:
        if self.two_level:
            leaf = self.leaves.get(ssid >> L2_BITS)
            if leaf is None:
                return None
            return leaf + (ssid & ((1 << L2_BITS) - 1)) * fmt.CD_SIZE
        return self.base + ssid * fmt.CD_SIZE

    def free(self) -> None:
        if self.two_level:
            for leaf in self.leaves.values():
                self.pages.free(leaf)
            self.leaves.clear()
        self.pages.free(self.base)
