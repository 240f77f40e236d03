"""A DMA master as the SMMU driver sees it: StreamID, PASID width, RID and PASID domains."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import smmuv3 as fmt
from .cdtable import CdTable
from .domain import IommuDomain

if TYPE_CHECKING:
    from .smmu import ArmSmmu


class Device:
    """A DMA master behind the SMMU: one StreamID, a PASID width, an STE and a CD table."""

    def __init__(self, smmu: "ArmSmmu", name: str, sid: int, ssid_bits: int, stall: bool):
        self.smmu, self.name, self.sid = smmu, name, sid
        self.ssid_bits = ssid_bits
        self.stall = stall
        self.rid_domain: IommuDomain = smmu.blocked
        self.pasids: dict[int, IommuDomain] = {}
        self.dying: dict[int, IommuDomain] = {}  # PASIDs being torn down: faults get aborted
        self.cd_table: CdTable | None = None
        self.removed = False

    def __repr__(self) -> str:
        return f"Device({self.name}, sid={self.sid:#x})"

    @property
    def ste_addr(self) -> int:
        return self.smmu.strtab_base + self.sid * fmt.STE_SIZE

    def ste(self) -> fmt.Ste:
        return fmt.Ste.decode(self.smmu.mem.read(self.ste_addr, fmt.STE_SIZE))

    def cd(self, ssid: int) -> fmt.Cd | None:
        a = self.cd_table.cd_addr(ssid) if self.cd_table else None
        return None if a is None else fmt.Cd.decode(self.smmu.mem.read(a, fmt.CD_SIZE))
