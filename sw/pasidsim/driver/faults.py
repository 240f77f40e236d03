"""Fault handling part of the SMMU driver: event routing, the I/O page-fault handler (RESUME
retry/abort), GERROR reporting, and flushing a PASID's faults at teardown."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .. import regs
from .. import smmuv3 as fmt
from .domain import SvaDomain
from .evtq import EventQueueOverflow, GlobalError, IoFault, PageFault

if TYPE_CHECKING:
    from .device import Device

log = logging.getLogger("pasidsim.driver")


class FaultsMixin:
    """Fault part of ArmSmmu (needs evtq, cmdq, ra, devices, fault_log, plat)."""

    # ------------------------------------------------------------------ faults
    async def process_events(self) -> list:
        """Drain the event queue: route every record, answer stalled ones (RESUME retry/abort,
        then CMD_SYNC), report an overflow. Returns what was handled, oldest first."""
        self._check_probed()
        out: list = await self._global_errors()
        faults, ovf = await self.evtq.drain()
        if ovf:
            o = EventQueueOverflow(self.name)
            log.error("%s", o)
            out.append(o)
        resumes = []
        for f in faults:
            dying = self._route(f)
            if f.stalled:
                f.response = self._iopf(f, dying)
                resumes.append(fmt.cmd_resume(f.event.sid, f.event.stag,
                                              fmt.RESUME_RETRY if f.response == "retry" else fmt.RESUME_ABORT))
            out.append(f)
        self.fault_log.extend(out)
        for f in out:
            if isinstance(f, IoFault) and f.domain is not None:
                f.domain.faults.append(f)
                if f.domain.fault_handler:
                    f.domain.fault_handler(f)
            if self.fault_callback:
                self.fault_callback(f)
        if resumes:
            await self.cmdq.issue(resumes)
        return out

    async def _global_errors(self) -> list:
        """Report and acknowledge active GERROR bits other than CMDQ_ERR (the command queue
        handles that one itself, since it must also skip the bad command)."""
        g = await self.ra.read("GERROR")
        gn = await self.ra.read("GERRORN")
        active = (g ^ gn) & ~regs.GERROR.field("CMDQ_ERR").mask
        if not active:
            return []
        await self.ra.write("GERRORN", gn ^ active)
        err = GlobalError(self.name, [f.name for f in regs.GERROR.fields if active & f.mask])
        log.error("%s", err)
        return [err]

    def _route(self, f: IoFault) -> bool:
        ev = f.event
        dev = self.devices.get(ev.sid)
        f.device = dev
        f.pasid = ev.ssid if ev.ssv else None
        if dev is None:
            return False
        if f.pasid is None:
            f.domain = dev.rid_domain
            return False
        if f.pasid in dev.dying:
            f.domain = dev.dying[f.pasid]
            return True
        f.domain = dev.pasids.get(f.pasid)
        return False

    def _iopf(self, f: IoFault, dying: bool) -> str:
        """I/O page-fault handler: populate the process page if the VMA allows the access."""
        dom = f.domain
        if (dying or not isinstance(f, PageFault) or not isinstance(dom, SvaDomain) or dom.freed
                or dom.quiet):
            return "abort"
        ok = dom.mm.handle_fault(f.addr, write=f.write, exec_=f.exec_)
        return "retry" if ok else "abort"

    async def flush_faults(self, dev: Device, pasid: int | None) -> None:
        """Handle every event already recorded (stalls for a PASID being torn down are
        aborted), so nothing refers to this PASID afterwards."""
        await self.process_events()

    async def wait_events(self, timeout_ns: int = 100_000) -> list:
        """Wait for the event-queue interrupt (or timeout) and process what is there."""
        await self.plat.wait_irq("evtq", timeout_ns)
        return await self.process_events()
