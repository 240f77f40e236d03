"""The SMMUv3 driver: probe/reset, stream table, CD tables, attach/detach, SVA, events.

Attach model (Linux after the PASID/multi-address-space rework): a device has one STE and one
CD table (its PASID table). Its RID (traffic without PASID) has exactly one domain: blocked
(STE abort), identity (STE bypass) or a paging domain (CD 0). Each PASID slot 1..2**ssid_bits-1
holds at most one paging or SVA domain (CD[pasid]). A domain may sit in many slots of many
devices. Any mix of PASIDs with an identity/blocked RID uses STE.S1DSS = bypass/terminate.

Every change goes through ``_apply``: reserve memory first (nothing written if that fails), then
write CDs that gain a domain, then the STE, then CDs that lose one, each entry moved by
``EntryWriter`` (CFGI + CMD_SYNC between steps). A hardware error half-way restores every entry
written so far and frees what was reserved, then re-raises.
"""

from __future__ import annotations

import logging
from typing import Callable

from .. import regs
from .. import smmuv3 as fmt
from ..regaccess import RegisterAccess
from .alloc import IdAllocator
from .cdtable import L2_BITS, CdTable
from .cmdq import CmdQueue
from .domain import (TLBI_VA_MAX, BlockedDomain, IdentityDomain, IommuDomain, PagingDomain,
                     SvaDomain, check_attachable, check_free)
from .entry import EntryWriter
from .errors import (Busy, Closed, DriverError, InvalidArgument, NoMemory, NotFound, NotSupported,
                     Timeout)
from .device import Device
from .evtq import EventQueue
from .faults import FaultsMixin
from .mm import Host, Mm
from .pgtable import PageTable
from .sva import SvaBond, SvaMixin  # noqa: F401  (SvaBond re-exported)

log = logging.getLogger("pasidsim.driver")

MAIR = 0x04FF  # attr0: normal write-back (what every leaf uses), attr1: device nGnRE
ACK_POLLS = 10_000


# ----------------------------------------------------------------------------- used bits
def _mask(*fields) -> list[int]:
    m = [0] * 8
    for f in fields:
        m[f.word] |= f.mask
    return m


_STE_V = _mask(fmt.STE_V)
_STE_ABORT = _mask(fmt.STE_V, fmt.STE_CONFIG)
_STE_BYPASS = _mask(fmt.STE_V, fmt.STE_CONFIG, fmt.STE_SHCFG)
_STE_S1 = _mask(fmt.STE_V, fmt.STE_CONFIG, fmt.STE_S1FMT, fmt.STE_S1CONTEXTPTR, fmt.STE_S1CDMAX,
                fmt.STE_S1DSS, fmt.STE_S1CIR, fmt.STE_S1COR, fmt.STE_S1CSH, fmt.STE_S1STALLD,
                fmt.STE_EATS, fmt.STE_STRW)
_ALL = [(1 << 64) - 1] * 8


def ste_used(w) -> list[int]:
    """Bits the SMMU interprets for this STE (an invalid one: only V)."""
    if not fmt.STE_V.get_from(w):
        return list(_STE_V)
    cfg = fmt.STE_CONFIG.get_from(w)
    if cfg == fmt.STE_CFG_ABORT:
        return list(_STE_ABORT)
    if cfg == fmt.STE_CFG_BYPASS:
        return list(_STE_BYPASS)
    if cfg == fmt.STE_CFG_S1_TRANS:
        m = list(_STE_S1)
        if fmt.STE_S1DSS.get_from(w) == fmt.S1DSS_BYPASS:
            m[fmt.STE_SHCFG.word] |= fmt.STE_SHCFG.mask
        return m
    return list(_ALL)


_CD_V = _mask(fmt.CD_V)
_CD_ALL = _mask(*fmt.Cd.FIELDS)
# With EPD0=1 the SMMU never walks TTB0, so the walk's fields are unused: a live CD can then
# move to a quiet one (and back) hitlessly by changing word 0 alone.
_CD_TTB0_WALK = _mask(fmt.CD_T0SZ, fmt.CD_TG0, fmt.CD_IRGN0, fmt.CD_ORGN0, fmt.CD_SH0,
                      fmt.CD_TTB0)
_CD_NO_WALK = [a & ~b for a, b in zip(_CD_ALL, _CD_TTB0_WALK)]


def cd_used(w) -> list[int]:
    if not fmt.CD_V.get_from(w):
        return list(_CD_V)
    return list(_CD_NO_WALK) if fmt.CD_EPD0.get_from(w) else list(_CD_ALL)


class ArmSmmu(SvaMixin, FaultsMixin):
    def __init__(self, plat, host: Host, *, name: str = "smmu0", cmdq_log2: int = 8,
                 evtq_log2: int = 8, max_sid_bits: int = 8, cd_linear_max_bits: int = L2_BITS,
                 use_stall: bool = True):
        self.plat, self.host, self.mem, self.name = plat, host, plat.mem, name
        self.ra = RegisterAccess(lambda a: plat.read_reg("smmu", a),
                                 lambda a, v: plat.write_reg("smmu", a, v))
        self._cfg = dict(cmdq_log2=cmdq_log2, evtq_log2=evtq_log2, max_sid_bits=max_sid_bits)
        self.cd_linear_max_bits = cd_linear_max_bits
        self.use_stall = use_stall
        self.identity = IdentityDomain(self, "identity")
        self.blocked = BlockedDomain(self, "blocked")
        self.devices: dict[int, Device] = {}
        self.fault_log: list = []  # every fault and overflow, in order
        self.fault_callback: Callable | None = None
        self._sva: dict[Mm, SvaDomain] = {}
        self.probed = False

    def __repr__(self) -> str:
        return f"ArmSmmu({self.name})"

    # ------------------------------------------------------------------ probe / reset
    async def probe(self) -> None:
        """Read the ID registers, allocate stream table and queues, and bring the SMMU up in
        the documented order (Linux arm_smmu_device_reset)."""
        if self.probed:
            raise InvalidArgument(self, "already probed")
        idr0 = regs.IDR0.decode(await self.ra.read("IDR0"))
        idr1 = regs.IDR1.decode(await self.ra.read("IDR1"))
        idr5 = regs.IDR5.decode(await self.ra.read("IDR5"))
        if not idr0["S1P"]:
            raise NotSupported(self, "SMMU has no stage 1")
        if not idr5["GRAN4K"]:
            raise NotSupported(self, "SMMU does not support the 4 KB granule")
        self.sid_bits = min(idr1["SIDSIZE"], self._cfg["max_sid_bits"])
        self.ssid_bits = idr1["SSIDSIZE"]
        self.cd2l = bool(idr0["CD2L"])
        self.asid_bits = 16 if idr0["ASID16"] else 8
        self.stall_supported = self.use_stall and idr0["STALL_MODEL"] == 0b00
        self.oas_enc = idr5["OAS"]
        self.oas = fmt.IPS_BITS[self.oas_enc]
        # ASID 0 is kept out, as in Linux.
        self.asids = IdAllocator("ASID", 1, (1 << self.asid_bits) - 1)
        cmdq_log2 = min(self._cfg["cmdq_log2"], idr1["CMDQS"])
        evtq_log2 = min(self._cfg["evtq_log2"], idr1["EVTQS"])
        pages = self.host.pages
        self.strtab_base = pages.alloc_bytes(fmt.STE_SIZE << self.sid_bits)
        self.cmdq = CmdQueue(self, self.ra, self.mem, pages.alloc_bytes(fmt.CMD_SIZE << cmdq_log2), cmdq_log2)
        self.evtq = EventQueue(self.ra, self.mem, pages.alloc_bytes(fmt.EVT_SIZE << evtq_log2), evtq_log2)
        await self._reset()
        self.probed = True

    async def _write_ack(self, reg: str, ack: str, value: int) -> None:
        await self.ra.write(reg, value)
        for _ in range(ACK_POLLS):
            if await self.ra.read(ack) == value:
                return
            await self.plat.delay(100)
        raise Timeout(self, f"{ack} did not follow {reg}={value:#x}")

    async def _reset(self) -> None:
        cr0 = regs.CR0
        await self._write_ack("CR0", "CR0ACK", 0)
        await self.ra.write("CR1", regs.CR1.encode(QUEUE_IC=1, QUEUE_OC=1, QUEUE_SH=3,
                                                   TABLE_IC=1, TABLE_OC=1, TABLE_SH=3))
        await self.ra.write("STRTAB_BASE", regs.STRTAB_BASE.encode(ADDR=self.strtab_base >> 6, RA=1))
        await self.ra.write("STRTAB_BASE_CFG", regs.STRTAB_BASE_CFG.encode(LOG2SIZE=self.sid_bits))
        await self.ra.write("CMDQ_BASE", self.cmdq.reg_base_value)
        await self.ra.write("CMDQ_PROD", 0)
        await self.ra.write("CMDQ_CONS", 0)
        en = cr0.encode(CMDQEN=1)
        await self._write_ack("CR0", "CR0ACK", en)
        # Nothing may be cached from before the reset.
        await self.cmdq.issue([fmt.cmd_cfgi_all(), fmt.cmd_tlbi_nsnh_all()])
        await self.ra.write("EVENTQ_BASE", self.evtq.reg_base_value)
        await self.ra.write("EVENTQ_PROD", 0)
        await self.ra.write("EVENTQ_CONS", 0)
        en |= cr0.encode(EVTQEN=1)
        await self._write_ack("CR0", "CR0ACK", en)
        await self._write_ack("IRQ_CTRL", "IRQ_CTRLACK",
                              regs.IRQ_CTRL.encode(GERROR_IRQEN=1, EVTQ_IRQEN=1))
        en |= cr0.encode(SMMUEN=1)
        await self._write_ack("CR0", "CR0ACK", en)

    def _check_probed(self) -> None:
        if not self.probed:
            raise InvalidArgument(self, "not probed yet (await probe() first)")

    # ------------------------------------------------------------------ devices
    async def add_device(self, name: str, sid: int, *, ssid_bits: int | None = None,
                         stall: bool = False) -> Device:
        """Register a master; its STE starts as abort (blocked domain on the RID)."""
        self._check_probed()
        if not isinstance(sid, int) or not 0 <= sid < 1 << self.sid_bits:
            raise InvalidArgument(self, f"StreamID {sid!r} of {name} outside the {self.sid_bits}-bit stream table")
        if sid in self.devices:
            raise Busy(self, f"StreamID {sid:#x} already belongs to {self.devices[sid].name}")
        ssid_bits = self.ssid_bits if ssid_bits is None else ssid_bits
        if not 0 <= ssid_bits <= self.ssid_bits:
            raise InvalidArgument(self, f"{name}: PASID width {ssid_bits} not in 0..{self.ssid_bits}")
        dev = Device(self, name, sid, ssid_bits, stall and self.stall_supported)
        self.devices[sid] = dev
        try:
            await self._write_ste(dev, self._ste_words(dev, self.blocked, {}, None))
        except DriverError:
            del self.devices[sid]
            raise
        self.blocked.attachments.add((dev, None))
        return dev

    async def remove_device(self, dev: Device) -> None:
        self._check_dev(dev)
        if dev.pasids or dev.rid_domain is not self.blocked:
            raise Busy(dev, "domains still attached (detach PASIDs and set the RID to blocked first)")
        await self._write_ste(dev, [0] * 8)
        if dev.cd_table:
            dev.cd_table.free()  # after the STE stopped pointing at it (synced above)
            dev.cd_table = None
        self.blocked.attachments.discard((dev, None))
        del self.devices[dev.sid]
        dev.removed = True

    def _check_dev(self, dev: Device) -> None:
        if not isinstance(dev, Device) or dev.smmu is not self:
            raise InvalidArgument(dev, f"not a device of {self.name}")
        if dev.removed:
            raise Closed(dev, "device removed")

    # ------------------------------------------------------------------ domains
    def alloc_paging_domain(self, name: str = "paging", *, va_bits: int = 48) -> PagingDomain:
        self._check_probed()
        asid = self.asids.alloc()  # NoSpace when exhausted: nothing else allocated yet
        try:
            pt = PageTable(self.mem, self.host.pages, va_bits, name=name)
        except DriverError:
            self.asids.free(asid)
            raise
        return PagingDomain(self, name, asid, pt)

    async def free_domain(self, dom: IommuDomain) -> None:
        """Free a paging domain once it is attached nowhere: invalidate its ASID, CMD_SYNC, and
        only then release the ASID and the page-table pages."""
        if not isinstance(dom, PagingDomain):
            raise InvalidArgument(dom, "only paging domains are freed by free_domain "
                                       "(SVA domains go with their last unbind)")
        check_attachable(dom, self)
        check_free(dom)
        await self.cmdq.issue([fmt.cmd_tlbi_nh_asid(dom.asid)])
        self.asids.free(dom.asid)
        dom.pgtable.destroy()
        dom.freed = True

    # ------------------------------------------------------------------ table words
    def _cd_words(self, dev: Device, dom) -> list[int]:
        sva = dom.kind == "sva"
        if sva and dom.quiet:
            # The process is gone but DMA may still run (Linux arm_smmu_make_sva_cd without an
            # mm): the CD stays valid, so no C_BAD_CD, but EPD0 faults every access, and R=0 /
            # S=0 terminate it at once without an event record or a stall.
            return fmt.Cd(epd0=1, epd1=1, v=1, ips=min(self.oas_enc, fmt.BITS_IPS[48]), aa64=1,
                          a=1, asid=dom.asid, mair0=MAIR).words()
        return fmt.Cd(
            t0sz=dom.pgtable.t0sz, tg0=fmt.TG0_4K, irgn0=1, orgn0=1, sh0=3, epd1=1, v=1,
            ips=min(self.oas_enc, fmt.BITS_IPS[48]), aa64=1, r=1, a=1, aset=0 if sva else 1,
            s=int(sva and dev.stall), asid=dom.asid, ttb0=dom.pgtable.root, mair0=MAIR,
        ).words()

    def _ste_words(self, dev: Device, rid: IommuDomain, pasids: dict, cdt: CdTable | None) -> list[int]:
        if not pasids and not rid.translating:
            if rid.kind == "identity":
                return fmt.Ste(v=1, config=fmt.STE_CFG_BYPASS, shcfg=1).words()
            return fmt.Ste(v=1, config=fmt.STE_CFG_ABORT).words()
        s1dss = {"paging": fmt.S1DSS_SSID0, "identity": fmt.S1DSS_BYPASS,
                 "blocked": fmt.S1DSS_TERMINATE}[rid.kind]
        return fmt.Ste(
            v=1, config=fmt.STE_CFG_S1_TRANS, s1fmt=cdt.s1fmt, s1contextptr=cdt.base,
            s1cdmax=dev.ssid_bits, s1dss=s1dss, s1cir=1, s1cor=1, s1csh=3,
            s1stalld=int(self.stall_supported and not dev.stall),
            shcfg=1 if s1dss == fmt.S1DSS_BYPASS else 0,
        ).words()

    async def _write_ste(self, dev: Device, words) -> str:
        w = EntryWriter(self.mem, dev.ste_addr, 8, ste_used, fmt.STE_V.mask,
                        lambda: self.cmdq.issue([fmt.cmd_cfgi_ste(dev.sid)]))
        return await w.write(words)

    async def _write_cd(self, dev: Device, ssid: int, words) -> str:
        addr = dev.cd_table.cd_addr(ssid)
        w = EntryWriter(self.mem, addr, 8, cd_used, fmt.CD_V.mask,
                        lambda: self.cmdq.issue([fmt.cmd_cfgi_cd(dev.sid, ssid)]))
        return await w.write(words)

    # ------------------------------------------------------------------ the transaction
    async def _apply(self, dev: Device, rid: IommuDomain, pasids: dict[int, IommuDomain]) -> None:
        needs_s1 = bool(pasids) or rid.translating
        cdt_new = None
        leaves: dict[int, int] = {}
        # 1. Reserve memory. Nothing is written yet, so a failure just gives it back.
        try:
            if needs_s1 and dev.cd_table is None:
                two = self.cd2l and dev.ssid_bits > self.cd_linear_max_bits
                cdt_new = CdTable(self.host.pages, self.mem, dev.ssid_bits, two, dev.name)
            cdt = dev.cd_table or cdt_new
            if needs_s1:
                for s in list(pasids) + ([0] if rid.translating else []):
                    if cdt.needs_leaf(s) and s >> L2_BITS not in leaves:
                        leaves[s >> L2_BITS] = cdt.alloc_leaf()
        except NoMemory:
            for pa in leaves.values():
                self.host.pages.free(pa)
            if cdt_new:
                cdt_new.free()
            raise
        # 2. Write, remembering old contents for rollback.
        undo: list[tuple[str, int, list[int]]] = []
        old_ste = self._read_words(dev.ste_addr)
        try:
            if cdt_new:
                dev.cd_table = cdt_new
            for idx, pa in leaves.items():
                l1 = cdt.install_leaf(idx << L2_BITS, pa)
                undo.append(("l1", idx, [0]))
                # An invalid L1 descriptor may be cached: drop it (leaf=0 covers non-leaf entries).
                await self.cmdq.issue([fmt.cmd_cfgi_cd(dev.sid, idx << L2_BITS, leaf=False)])
            targets: dict[int, list[int]] = {}
            if cdt is not None:
                for p, d in pasids.items():
                    targets[p] = self._cd_words(dev, d)
                for p in dev.pasids:
                    targets.setdefault(p, [0] * 8)
                if rid.translating:
                    targets[0] = self._cd_words(dev, rid)
                elif dev.rid_domain.translating:
                    targets[0] = [0] * 8
            grow = {s: w for s, w in targets.items() if fmt.CD_V.get_from(w)}
            shrink = {s: w for s, w in targets.items() if not fmt.CD_V.get_from(w)}
            for s, w in sorted(grow.items()):
                old = self._read_words(cdt.cd_addr(s))
                undo.append(("cd", s, old))
                await self._write_cd(dev, s, w)
            undo.append(("ste", 0, old_ste))
            await self._write_ste(dev, self._ste_words(dev, rid, pasids, cdt))
            for s, w in sorted(shrink.items()):
                old = self._read_words(cdt.cd_addr(s))
                undo.append(("cd", s, old))
                await self._write_cd(dev, s, w)
        except DriverError as exc:
            log.warning("%s: %s failed half-way (%s); restoring tables", self.name, dev, exc)
            await self._rollback(dev, undo, leaves, cdt_new)
            raise
        # 3. Commit software state.
        for p, d in dev.pasids.items():
            d.attachments.discard((dev, p))
        dev.rid_domain.attachments.discard((dev, None))
        dev.rid_domain = rid
        dev.pasids = dict(pasids)
        rid.attachments.add((dev, None))
        for p, d in pasids.items():
            d.attachments.add((dev, p))

    def _read_words(self, addr: int) -> list[int]:
        return [self.mem.read64(addr + 8 * i) for i in range(8)]

    async def _rollback(self, dev, undo, leaves, cdt_new) -> None:
        """Best effort: put back every entry written, newest first, then free reservations."""
        try:
            for kind, key, old in reversed(undo):
                if kind == "ste":
                    await self._write_ste(dev, old)
                elif kind == "cd":
                    await self._write_cd(dev, key, old)
                else:
                    self.mem.write64(dev.cd_table.base + key * fmt.CD_L1_SIZE, 0)
                    dev.cd_table.leaves.pop(key, None)
                    await self.cmdq.issue([fmt.cmd_cfgi_cd(dev.sid, key << L2_BITS, leaf=False)])
        except DriverError as exc:  # the hardware is unusable: report, keep the first error
            log.error("%s: rollback for %s incomplete: %s", self.name, dev, exc)
            return
        for pa in leaves.values():
            self.host.pages.free(pa)
        if cdt_new:
            dev.cd_table = None
            cdt_new.free()

    # ------------------------------------------------------------------ attach / detach
    async def attach_dev(self, dev: Device, dom: IommuDomain) -> None:
        """Set the domain for traffic without a PASID (blocked, identity or paging)."""
        self._check_dev(dev)
        check_attachable(dom, self)
        if dom.kind == "sva":
            raise InvalidArgument(dom, f"an SVA domain cannot be attached to the RID of {dev.name}")
        if dev.rid_domain is dom:
            return
        await self._apply(dev, dom, dev.pasids)

    def _check_pasid(self, dev: Device, pasid) -> None:
        if dev.ssid_bits == 0:
            raise NotSupported(dev, "device has no PASID support (PASID width 0)")
        if not isinstance(pasid, int) or isinstance(pasid, bool):
            raise InvalidArgument(dev, f"PASID {pasid!r} is not an int")
        if pasid == 0:
            raise InvalidArgument(dev, "PASID 0 is reserved for traffic without a PASID (use attach_dev)")
        if not 0 < pasid < 1 << dev.ssid_bits:
            raise InvalidArgument(dev, f"PASID {pasid:#x} does not fit the device's {dev.ssid_bits}-bit PASID width")

    async def attach_dev_pasid(self, dev: Device, pasid: int, dom: IommuDomain) -> None:
        """Attach ``dom`` at (dev, pasid). The slot must be empty (Busy otherwise)."""
        self._check_dev(dev)
        self._check_pasid(dev, pasid)
        check_attachable(dom, self)
        if dom.kind not in ("paging", "sva"):
            raise NotSupported(dom, f"a {dom.kind} domain cannot be attached at a PASID")
        if dom.kind == "sva" and dom.mm.pasid != pasid:
            raise InvalidArgument(dom, f"SVA domain must use its process's PASID {dom.mm.pasid}, not {pasid}")
        cur = dev.pasids.get(pasid)
        if cur is not None:
            raise Busy(dev, f"PASID {pasid} already has {cur} attached")
        if pasid in dev.dying:
            raise Busy(dev, f"PASID {pasid} is being torn down")
        await self._apply(dev, dev.rid_domain, {**dev.pasids, pasid: dom})

    async def detach_dev_pasid(self, dev: Device, pasid: int, dom: IommuDomain) -> None:
        """Remove ``dom`` from (dev, pasid), then flush that PASID's pending faults, so the
        PASID can be reused as soon as this returns."""
        self._check_dev(dev)
        self._check_pasid(dev, pasid)
        cur = dev.pasids.get(pasid)
        if cur is None:
            raise NotFound(dev, f"nothing attached at PASID {pasid}")
        if cur is not dom:
            raise InvalidArgument(dev, f"PASID {pasid} has {cur} attached, not {dom}")
        new = dict(dev.pasids)
        del new[pasid]
        dev.dying[pasid] = dom
        try:
            await self._apply(dev, dev.rid_domain, new)
            await self.flush_faults(dev, pasid)
        finally:
            dev.dying.pop(pasid, None)

    # ------------------------------------------------------------------ invalidation
    async def tlb_inv_range(self, asid: int, leaves) -> None:
        leaves = list(leaves)
        if not leaves:
            return
        if len(leaves) > TLBI_VA_MAX:
            cmds = [fmt.cmd_tlbi_nh_asid(asid)]
        else:
            cmds = [fmt.cmd_tlbi_nh_va(asid, lf.va, leaf=True) for lf in leaves]
        await self.cmdq.issue(cmds)

    async def tlb_inv_va_range(self, asid: int, start: int, end: int) -> None:
        npages = (end - start) >> 12
        if npages > TLBI_VA_MAX:
            cmds = [fmt.cmd_tlbi_nh_asid(asid)]
        else:
            cmds = [fmt.cmd_tlbi_nh_va(asid, va, leaf=True) for va in range(start, end, 1 << 12)]
        await self.cmdq.issue(cmds)
