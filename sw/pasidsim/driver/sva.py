"""Shared virtual addressing: bind a process's address space to a device at its PASID.

One SVA domain per (mm, SMMU) shares the mm's page table; its ASID lives while the domain is
attached somewhere. The mm's PASID is allocated at its first bind and kept until it exits.
"""

from __future__ import annotations

from .. import smmuv3 as fmt
from .device import Device
from .domain import SvaDomain
from .errors import Busy, Closed, DriverError, InvalidArgument, NotSupported
from .mm import Mm


class SvaBond:
    """Handle returned by ``sva_bind``: (device, mm) -> PASID."""

    def __init__(self, dev: Device, mm: Mm, pasid: int, domain: SvaDomain):
        self.dev, self.mm, self.pasid, self.domain = dev, mm, pasid, domain
        self.users = 1
        self.closed = False

    def __repr__(self) -> str:
        return f"SvaBond({self.dev.name}, {self.mm}, pasid={self.pasid})"


# ----------------------------------------------------------------------------- SMMU


class SvaMixin:
    """SVA part of ArmSmmu (needs attach_dev_pasid / detach_dev_pasid, cmdq, asids, host)."""

    # ------------------------------------------------------------------ SVA
    async def sva_bind(self, dev: Device, mm: Mm) -> SvaBond:
        """Bind a process to a device: returns a bond whose ``pasid`` the device must use.
        The same mm keeps one PASID and one SVA domain across devices."""
        self._check_dev(dev)
        if not isinstance(mm, Mm):
            raise InvalidArgument(mm, "not an Mm")
        mm._check_live()
        if dev.ssid_bits == 0:
            raise NotSupported(dev, "device has no PASID support (PASID width 0)")
        new_pasid = mm.pasid is None
        pasid = mm.get_pasid(dev.ssid_bits)
        dom = self._sva.get(mm)
        if dom is not None and (dev, pasid) in dom.bonds:
            bond = dom.bonds[(dev, pasid)]
            bond.users += 1
            return bond
        new_dom = dom is None
        try:
            if pasid in dev.pasids:
                raise Busy(dev, f"PASID {pasid} of {mm} already has {dev.pasids[pasid]} attached")
            if new_dom:
                dom = SvaDomain(self, mm, self.asids.alloc())
            await self.attach_dev_pasid(dev, pasid, dom)
        except DriverError:
            if new_dom and dom is not None:
                await self._retire_asid(dom.asid, best_effort=True)
                dom.freed = True
            if new_pasid:
                self.host.pasids.free(pasid)
                mm.pasid = None
            raise
        if new_dom:
            self._sva[mm] = dom
            mm.notifiers.append(dom)
            mm.hold_pasid(dom)
        bond = SvaBond(dev, mm, pasid, dom)
        dom.bonds[(dev, pasid)] = bond
        return bond

    async def sva_unbind(self, bond: SvaBond) -> None:
        if not isinstance(bond, SvaBond) or bond.dev.smmu is not self:
            raise InvalidArgument(bond, f"not an SVA bond of {self.name}")
        if bond.closed:
            raise Closed(bond, "already unbound")
        bond.users -= 1
        if bond.users:
            return
        await self._unbind(bond)

    async def _unbind(self, bond: SvaBond) -> None:
        dom = bond.domain
        await self.detach_dev_pasid(bond.dev, bond.pasid, dom)
        bond.closed = True
        del dom.bonds[(bond.dev, bond.pasid)]
        if not dom.attachments:
            await self._free_sva_domain(dom)

    async def _free_sva_domain(self, dom: SvaDomain) -> None:
        await self._retire_asid(dom.asid)
        dom.freed = True
        self._sva.pop(dom.mm, None)
        if dom in dom.mm.notifiers:
            dom.mm.notifiers.remove(dom)
        dom.mm.put_pasid(dom)  # an exited mm's PASID is reusable after its last unbind

    async def _retire_asid(self, asid: int, best_effort: bool = False) -> None:
        """TLBI by ASID + CMD_SYNC, then the ASID may be reused."""
        try:
            await self.cmdq.issue([fmt.cmd_tlbi_nh_asid(asid)])
        except DriverError:
            if not best_effort:
                raise
        self.asids.free(asid)

    async def sva_mm_release(self, dom: SvaDomain) -> None:
        """The process is exiting and its page table is about to go, but its devices may
        still be doing DMA and stay bound until their drivers unbind (Linux closes files after
        the mm). As Linux does, keep each CD valid (no C_BAD_CD) but quiet it: EPD0 stops the
        walk, R=0/S=0 terminate every access without a record or a stall. CFGI_CD + CMD_SYNC
        per slot, then TLBI by ASID + CMD_SYNC drop what the IOTLB still holds; only then may
        the caller free the tables and pages. Stalls already raised are aborted."""
        if dom.quiet:
            return
        dom.quiet = True
        for dev, pasid in sorted(dom.attachments, key=lambda a: (a[0].sid, a[1] or 0)):
            if pasid is not None:
                await self._write_cd(dev, pasid, self._cd_words(dev, dom))
        await self.cmdq.issue([fmt.cmd_tlbi_nh_asid(dom.asid)])
        await self.process_events()
