"""IOMMU domains (address spaces) that can be attached to a device's RID or to (device, PASID).

* ``PagingDomain``: its own stage-1 page table and ASID; ``map``/``unmap`` IOVA ranges.
* ``SvaDomain``: shares a process's page table (``mm.pgtable``); created by SVA bind.
* ``IdentityDomain``: bypass (RID only). ``BlockedDomain``: abort (RID only).

A domain records where it is attached (``attachments``: set of (device, pasid or None)) and the
faults routed to it (``faults``; optional ``fault_handler(fault)`` callback).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .errors import Busy, Closed, InvalidArgument
from .pgtable import PROT_READ, PROT_WRITE, Leaf, PageTable

if TYPE_CHECKING:
    from .mm import Mm
    from .smmu import ArmSmmu, Device

# Unmapping more leaves than this invalidates the whole ASID instead of page by page.
TLBI_VA_MAX = 64


class IommuDomain:
    kind = "?"
    translating = False

    def __init__(self, smmu: "ArmSmmu", name: str):
        self.smmu = smmu
        self.name = name
        self.attachments: set[tuple["Device", int | None]] = set()
        self.faults: list = []
        self.fault_handler: Callable | None = None
        self.freed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name})"

    def check_live(self) -> None:
        if self.freed:
            raise Closed(self, "domain already freed")


class IdentityDomain(IommuDomain):
    kind = "identity"


class BlockedDomain(IommuDomain):
    kind = "blocked"


class _S1Domain(IommuDomain):
    """A domain with a stage-1 page table and an ASID."""

    translating = True
    asid: int
    pgtable: PageTable

    def iova_to_phys(self, iova: int) -> int | None:
        self.check_live()
        return self.pgtable.translate(iova)


class PagingDomain(_S1Domain):
    kind = "paging"

    def __init__(self, smmu: "ArmSmmu", name: str, asid: int, pgtable: PageTable):
        super().__init__(smmu, name)
        self.asid = asid
        self.pgtable = pgtable

    async def map(self, iova: int, pa: int, size: int, prot: int = PROT_READ | PROT_WRITE,
                  *, pgsize: int | None = None) -> list[Leaf]:
        """Map an IOVA range. New leaves replace invalid entries, which the SMMU never caches,
        so no invalidation is needed."""
        self.check_live()
        return self.pgtable.map(iova, pa, size, prot, pgsize=pgsize)

    async def unmap(self, iova: int, size: int) -> list[Leaf]:
        """Unmap exactly [iova, iova+size); returns once the SMMU can no longer use the old
        translations (TLBI + CMD_SYNC done), so the caller may then reuse the physical pages."""
        self.check_live()
        leaves = self.pgtable.unmap(iova, size)
        await self.smmu.tlb_inv_range(self.asid, leaves)
        return leaves


class SvaDomain(_S1Domain):
    """Shares ``mm``'s page table and ASID; one per (mm, SMMU)."""

    kind = "sva"

    def __init__(self, smmu: "ArmSmmu", mm: "Mm", asid: int):
        super().__init__(smmu, f"sva-{mm.proc.name}")
        self.mm = mm
        self.asid = asid
        self.pgtable = mm.pgtable
        self.bonds: dict = {}  # (device, pasid) -> SvaBond
        self.quiet = False     # the mm has exited: its CDs fault everything silently

    # mmu-notifier callbacks (called by Mm)
    async def invalidate_range(self, mm: "Mm", start: int, end: int) -> None:
        await self.smmu.tlb_inv_va_range(self.asid, start, end)

    async def release(self, mm: "Mm") -> None:
        await self.smmu.sva_mm_release(self)


def check_attachable(domain: IommuDomain, smmu: "ArmSmmu") -> None:
    if not isinstance(domain, IommuDomain):
        raise InvalidArgument(domain, "not an IommuDomain")
    domain.check_live()
    if domain.smmu is not smmu:
        raise InvalidArgument(domain, f"belongs to {domain.smmu.name}, not {smmu.name}")


def check_free(domain: IommuDomain) -> None:
    domain.check_live()
    if domain.attachments:
        where = ", ".join(f"{d.name}:{'RID' if p is None else p}" for d, p in sorted(
            domain.attachments, key=lambda a: (a[0].sid, -1 if a[1] is None else a[1])))
        raise Busy(domain, f"still attached at {where}")
