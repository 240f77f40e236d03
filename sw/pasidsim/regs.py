"""SMMU register map: offsets, fields, reset values and access rules.

The one Python source of truth for the SMMUv3 programming interface that
rtl/smmu/smmu_regs.sv implements (SMMUv3 offsets and field layouts, the
subset pasidsim implements). Tests, models and the driver import from here.
The docs table in docs/registers.md is generated from this file
(`python -m pasidsim.regs --markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

PAGE1 = 0x10000  # SMMUv3 page 1 (EVENTQ_PROD / EVENTQ_CONS live there)
WINDOW_BITS = 17  # 128 KiB: page 0 and page 1


@dataclass(frozen=True)
class RegField:
    name: str
    lsb: int
    width: int = 1
    doc: str = ""

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb

    def get(self, value: int) -> int:
        return (value >> self.lsb) & ((1 << self.width) - 1)

    def put(self, value: int, fv: int) -> int:
        if fv < 0 or fv >> self.width:
            raise ValueError(f"field {self.name}: value {fv:#x} does not fit in {self.width} bits")
        return (value & ~self.mask) | (fv << self.lsb)


@dataclass(frozen=True)
class Register:
    name: str
    offset: int
    width: int  # 32 or 64
    access: str  # "RO", "RW", "WO-like RW" ...; see docs
    doc: str
    fields: tuple[RegField, ...] = ()
    # For RW registers: which bits software can change (others are RO/RES0).
    writable: int = 0

    def field(self, name: str) -> RegField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"register {self.name} has no field {name!r}")

    def encode(self, **values: int) -> int:
        v = 0
        for k, fv in values.items():
            v = self.field(k).put(v, fv)
        return v

    def decode(self, value: int) -> dict[str, int]:
        return {f.name: f.get(value) for f in self.fields}


F = RegField

IDR0 = Register("IDR0", 0x00, 32, "RO", "features", (
    F("S2P", 0, 1, "stage 2 supported (0)"),
    F("S1P", 1, 1, "stage 1 supported (1)"),
    F("TTF", 2, 2, "translation table formats: 0b10 AArch64 only"),
    F("COHACC", 4), F("BTM", 5), F("HTTU", 6, 2), F("HYP", 9), F("ATS", 10),
    F("ASID16", 12, 1, "16-bit ASIDs"),
    F("MSI", 13, 1, "MSI completion of CMD_SYNC / interrupts"),
    F("SEV", 14), F("ATOS", 15), F("PRI", 16), F("VMID16", 18),
    F("CD2L", 19, 1, "two-level CD tables"),
    F("VATOS", 20), F("TTENDIAN", 21, 2, "0b10: little-endian only"),
    F("STALL_MODEL", 24, 2, "0b00 stall+terminate, 0b01 terminate only"),
    F("TERM_MODEL", 26), F("ST_LEVEL", 27, 2, "0b00: linear stream table only"),
))
IDR1 = Register("IDR1", 0x04, 32, "RO", "sizes", (
    F("SIDSIZE", 0, 6), F("SSIDSIZE", 6, 5), F("PRIQS", 11, 5), F("EVTQS", 16, 5),
    F("CMDQS", 21, 5), F("ATTR_PERMS_OVR", 26), F("ATTR_TYPES_OVR", 27), F("REL", 28),
    F("QUEUES_PRESET", 29), F("TABLES_PRESET", 30),
))
IDR2 = Register("IDR2", 0x08, 32, "RO", "VATOS (0)")
IDR3 = Register("IDR3", 0x0C, 32, "RO", "features (RIL=0: no range invalidation)", (
    F("HAD", 2), F("PBHA", 3), F("XNX", 4), F("PPS", 5), F("MPAM", 7), F("FWB", 8),
    F("STT", 9), F("RIL", 10), F("BBML", 11, 2),
))
IDR4 = Register("IDR4", 0x10, 32, "RO", "implementation defined (0)")
IDR5 = Register("IDR5", 0x14, 32, "RO", "output size, granules, stall limit", (
    F("OAS", 0, 3), F("GRAN4K", 4), F("GRAN16K", 5), F("GRAN64K", 6), F("VAX", 10, 2),
    F("STALL_MAX", 16, 16),
))
IIDR = Register("IIDR", 0x18, 32, "RO", "implementation identification", (
    F("IMPLEMENTER", 0, 12), F("REVISION", 12, 4), F("VARIANT", 16, 4), F("PRODUCTID", 20, 12),
))
AIDR = Register("AIDR", 0x1C, 32, "RO", "architecture revision (SMMUv3.0)", (
    F("ARCHMINORREV", 0, 4), F("ARCHMAJORREV", 4, 4),
))
CR0 = Register("CR0", 0x20, 32, "RW", "global enables; CR0ACK follows", (
    F("SMMUEN", 0), F("PRIQEN", 1), F("EVTQEN", 2), F("CMDQEN", 3), F("ATSCHK", 4),
), writable=0b1101)
CR0ACK = Register("CR0ACK", 0x24, 32, "RO", "acknowledged CR0", CR0.fields)
CR1 = Register("CR1", 0x28, 32, "RW", "queue/table memory attributes (stored only)", (
    F("QUEUE_IC", 0, 2), F("QUEUE_OC", 2, 2), F("QUEUE_SH", 4, 2),
    F("TABLE_IC", 6, 2), F("TABLE_OC", 8, 2), F("TABLE_SH", 10, 2),
), writable=0xFFF)
CR2 = Register("CR2", 0x2C, 32, "RW", "E2H, RECINVSID, PTM (stored only)", (
    F("E2H", 0), F("RECINVSID", 1), F("PTM", 2),
), writable=0b111)
STATUSR = Register("STATUSR", 0x40, 32, "RO", "status (0)")
GBPA = Register("GBPA", 0x44, 32, "RW", "global bypass attributes while SMMUEN=0", (
    F("MEMATTR", 0, 4), F("MTCFG", 4), F("ALLOCCFG", 8, 4), F("SHCFG", 12, 2),
    F("PRIVCFG", 16, 2), F("INSTCFG", 18, 2), F("ABORT", 20), F("UPDATE", 31),
), writable=0x001F_3FFF | (1 << 31))
AGBPA = Register("AGBPA", 0x48, 32, "RO", "alternative GBPA (0)")
IRQ_CTRL = Register("IRQ_CTRL", 0x50, 32, "RW", "interrupt enables; IRQ_CTRLACK follows", (
    F("GERROR_IRQEN", 0), F("PRIQ_IRQEN", 1), F("EVTQ_IRQEN", 2),
), writable=0b101)
IRQ_CTRLACK = Register("IRQ_CTRLACK", 0x54, 32, "RO", "acknowledged IRQ_CTRL", IRQ_CTRL.fields)
GERROR_FIELDS = (
    F("CMDQ_ERR", 0), F("EVTQ_ABT_ERR", 2), F("PRIQ_ABT_ERR", 3), F("MSI_CMDQ_ABT_ERR", 4),
    F("MSI_EVTQ_ABT_ERR", 5), F("MSI_PRIQ_ABT_ERR", 6), F("MSI_GERROR_ABT_ERR", 7),
    F("SFM_ERR", 8),
)
GERROR = Register("GERROR", 0x60, 32, "RO", "global errors (toggle: active where != GERRORN)",
                  GERROR_FIELDS)
GERRORN = Register("GERRORN", 0x64, 32, "RW", "acknowledge: write GERROR's value back",
                   GERROR_FIELDS, writable=0x1FD)
STRTAB_BASE = Register("STRTAB_BASE", 0x80, 64, "RW", "stream table base (ignored while SMMUEN=1)", (
    F("ADDR", 6, 46, "PA[51:6]"), F("RA", 62),
), writable=((1 << 52) - (1 << 6)) | (1 << 62))
STRTAB_BASE_CFG = Register("STRTAB_BASE_CFG", 0x88, 32, "RW", "stream table size/format", (
    F("LOG2SIZE", 0, 6), F("SPLIT", 6, 5), F("FMT", 16, 2, "0b00 linear (the only one)"),
), writable=0x3F)
CMDQ_BASE = Register("CMDQ_BASE", 0x90, 64, "RW", "command queue base (ignored while CMDQEN=1)", (
    F("LOG2SIZE", 0, 5), F("ADDR", 5, 47, "PA[51:5]"), F("RA", 62),
), writable=((1 << 52) - 1) | (1 << 62))
CMDQ_PROD = Register("CMDQ_PROD", 0x98, 32, "RW", "command queue producer (software)", (
    F("WR", 0, 20, "index + wrap bit at LOG2SIZE"),
), writable=0xFFFFF)
CMDQ_CONS = Register("CMDQ_CONS", 0x9C, 32, "RW", "command queue consumer (hardware; RW while CMDQEN=0)", (
    F("RD", 0, 20, "index + wrap bit at LOG2SIZE"), F("ERR", 24, 7, "CERROR_*"),
), writable=0xFFFFF)
EVENTQ_BASE = Register("EVENTQ_BASE", 0xA0, 64, "RW", "event queue base (ignored while EVTQEN=1)", (
    F("LOG2SIZE", 0, 5), F("ADDR", 5, 47, "PA[51:5]"), F("WA", 62),
), writable=((1 << 52) - 1) | (1 << 62))
EVENTQ_PROD = Register("EVENTQ_PROD", PAGE1 + 0xA8, 32, "RW", "event queue producer (hardware; RW while EVTQEN=0)", (
    F("WR", 0, 20, "index + wrap bit at LOG2SIZE"), F("OVFLG", 31, 1, "overflow: toggles on a lost record"),
), writable=0x800F_FFFF)
EVENTQ_CONS = Register("EVENTQ_CONS", PAGE1 + 0xAC, 32, "RW", "event queue consumer (software)", (
    F("RD", 0, 20, "index + wrap bit at LOG2SIZE"), F("OVACKFLG", 31, 1, "software copies OVFLG here"),
), writable=0x800F_FFFF)

REGISTERS: tuple[Register, ...] = (
    IDR0, IDR1, IDR2, IDR3, IDR4, IDR5, IIDR, AIDR, CR0, CR0ACK, CR1, CR2, STATUSR, GBPA, AGBPA,
    IRQ_CTRL, IRQ_CTRLACK, GERROR, GERRORN, STRTAB_BASE, STRTAB_BASE_CFG, CMDQ_BASE, CMDQ_PROD,
    CMDQ_CONS, EVENTQ_BASE, EVENTQ_PROD, EVENTQ_CONS,
)
BY_NAME = {r.name: r for r in REGISTERS}
BY_OFFSET = {r.offset: r for r in REGISTERS}

# CMDQ_CONS.ERR values
CERROR_NONE = 0
CERROR_ILL = 1
CERROR_ABT = 2
CERROR_ATC_INV_SYNC = 3

# IDR5.OAS encoding <-> bits
OAS_ENCODING = {32: 0, 36: 1, 40: 2, 42: 3, 44: 4, 48: 5, 52: 6}


def reg(name: str) -> Register:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no SMMU register named {name!r}") from None


def words32(r: Register) -> Iterator[int]:
    """The 32-bit offsets that make up a register (64-bit ones have two halves)."""
    yield r.offset
    if r.width == 64:
        yield r.offset + 4


def markdown() -> str:
    out = ["| offset | register | width | access | field bits | description |", "|---|---|---|---|---|---|"]
    for r in REGISTERS:
        fl = ", ".join(
            f"{f.name}[{f.lsb + f.width - 1}:{f.lsb}]" if f.width > 1 else f"{f.name}[{f.lsb}]"
            for f in r.fields)
        out.append(f"| {r.offset:#07x} | {r.name} | {r.width} | {r.access} | {fl} | {r.doc} |")
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    if "--markdown" in sys.argv:
        print(markdown())
