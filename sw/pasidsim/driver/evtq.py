"""Event queue consumer and the typed fault objects it produces.

``EventQueue.drain()`` reads every record between EVENTQ_CONS and EVENTQ_PROD, decodes it
(``smmuv3.Event``), advances EVENTQ_CONS, and reports an overflow (EVENTQ_PROD.OVFLG differs from
the OVACKFLG software last wrote) as an ``EventQueueOverflow`` entry: records were lost, and the
driver says so instead of carrying on silently. Routing to domains is done by the SMMU driver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from .. import regs
from .. import smmuv3 as fmt
from ..regaccess import RegisterAccess

if TYPE_CHECKING:
    from .domain import IommuDomain
    from .smmu import Device

PROD_WR_MASK = 0xFFFFF
OVF_BIT = 1 << 31


@dataclass
class IoFault:
    """One decoded event, with where it was routed."""

    event: fmt.Event
    device: Optional["Device"] = None
    pasid: Optional[int] = None  # None: traffic without a PASID
    domain: Optional["IommuDomain"] = None
    response: Optional[str] = None  # "retry" / "abort" for stalled faults, None otherwise
    kind: str = field(init=False, default="event")

    @property
    def addr(self) -> int:
        return self.event.input_addr

    @property
    def write(self) -> bool:
        return not self.event.rnw

    @property
    def exec_(self) -> bool:
        return bool(self.event.ind)

    @property
    def stalled(self) -> bool:
        return bool(self.event.stall)

    def __str__(self) -> str:
        where = f"{self.device.name if self.device else 'sid ' + hex(self.event.sid)}" + \
            (f" pasid {self.pasid}" if self.pasid is not None else " (no PASID)")
        dom = f" -> {self.domain}" if self.domain else " (unrouted)"
        resp = f" [{self.response}]" if self.response else ""
        return f"{self.kind}: {self.event.name} at {self.addr:#x} {'W' if self.write else 'R'} from {where}{dom}{resp}"


class PageFault(IoFault):
    """Translation / permission / access-flag faults: what an I/O page-fault handler resolves."""


class TranslationFault(PageFault):
    pass


class PermissionFault(PageFault):
    pass


class AccessFlagFault(PageFault):
    pass


class AddressSizeFault(IoFault):
    pass


class WalkAbort(IoFault):
    pass


class ConfigFault(IoFault):
    """Bad/invalid STE, CD or SubstreamID, fetch aborts, disabled stream: a driver or table bug."""


class UnknownEvent(IoFault):
    pass


_KIND = {
    fmt.EVT_F_TRANSLATION: TranslationFault,
    fmt.EVT_F_PERMISSION: PermissionFault,
    fmt.EVT_F_ACCESS: AccessFlagFault,
    fmt.EVT_F_ADDR_SIZE: AddressSizeFault,
    fmt.EVT_F_WALK_EABT: WalkAbort,
}
for _id in (fmt.EVT_C_BAD_STREAMID, fmt.EVT_F_STE_FETCH, fmt.EVT_C_BAD_STE, fmt.EVT_F_STREAM_DISABLED,
            fmt.EVT_F_TRANSL_FORBIDDEN, fmt.EVT_C_BAD_SUBSTREAMID, fmt.EVT_F_CD_FETCH,
            fmt.EVT_C_BAD_CD):
    _KIND[_id] = ConfigFault


def make_fault(ev: fmt.Event) -> IoFault:
    cls = _KIND.get(ev.id, UnknownEvent)
    f = cls(ev)
    f.kind = cls.__name__
    return f


@dataclass
class EventQueueOverflow:
    """Records were lost because the event queue was full."""

    smmu_name: str
    kind: str = "EventQueueOverflow"

    def __str__(self) -> str:
        return f"{self.smmu_name}: event queue overflowed, records were lost"


@dataclass
class GlobalError:
    """GERROR bits that were active (e.g. EVTQ_ABT_ERR: an event record write aborted)."""

    smmu_name: str
    bits: list
    kind: str = "GlobalError"

    def __str__(self) -> str:
        return f"{self.smmu_name}: global error {', '.join(self.bits)}"


class EventQueue:
    def __init__(self, ra: RegisterAccess, mem, base: int, log2size: int):
        self.ra, self.mem = ra, mem
        self.base, self.log2size = base, log2size
        self.cons = 0
        self.ovack = 0  # last OVFLG value acknowledged
        self.overflows = 0

    @property
    def reg_base_value(self) -> int:
        return regs.EVENTQ_BASE.encode(LOG2SIZE=self.log2size, ADDR=self.base >> 5, WA=1)

    async def drain(self) -> tuple[list[IoFault], bool]:
        """All pending records (oldest first) and whether an overflow was detected."""
        prod_reg = await self.ra.read("EVENTQ_PROD")
        ovf = bool(prod_reg & OVF_BIT) != bool(self.ovack)
        prod = prod_reg & PROD_WR_MASK
        out = []
        while not fmt.q_empty(prod, self.cons, self.log2size):
            idx = fmt.q_index(self.cons, self.log2size)
            ev = fmt.Event.decode(self.mem.read(self.base + idx * fmt.EVT_SIZE, fmt.EVT_SIZE))
            out.append(make_fault(ev))
            self.cons = fmt.q_inc(self.cons, self.log2size)
        if ovf:
            self.ovack = 1 if prod_reg & OVF_BIT else 0
            self.overflows += 1
        if out or ovf:
            await self.ra.write("EVENTQ_CONS", self.cons | (OVF_BIT if self.ovack else 0))
        return out, ovf
