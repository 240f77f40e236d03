"""SMMUv3 in-memory formats: the one definition of every bit field.

Layouts follow the Arm SMMUv3 architecture and Linux's
drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h. All structures are little-endian
64-bit words. See docs/formats.md for the bit-by-bit tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .bits import Field, Struct, bytes_to_words, words_to_bytes

# --------------------------------------------------------------------------
# Stream table
# --------------------------------------------------------------------------
STE_SIZE = 64
STE_CFG_ABORT = 0b000
STE_CFG_BYPASS = 0b100
STE_CFG_S1_TRANS = 0b101
STE_CFG_S2_TRANS = 0b110      # not implemented: C_BAD_STE
STE_CFG_NESTED = 0b111        # not implemented: C_BAD_STE

S1FMT_LINEAR = 0b00
S1FMT_4K_L2 = 0b01            # two-level, 4KB leaf tables (64 CDs per leaf)
S1FMT_64K_L2 = 0b10           # two-level, 64KB leaf tables (1024 CDs, Linux's CTXDESC_L2_ENTRIES)
S1FMT_SPLIT = {S1FMT_4K_L2: 6, S1FMT_64K_L2: 10}   # log2(CDs per leaf table)

S1DSS_TERMINATE = 0b00
S1DSS_BYPASS = 0b01
S1DSS_SSID0 = 0b10

STE_V = Field("v", 0, 0, 1)
STE_CONFIG = Field("config", 0, 1, 3)
STE_S1FMT = Field("s1fmt", 0, 4, 2)
STE_S1CONTEXTPTR = Field("s1contextptr", 0, 6, 46, addr=True)     # PA[51:6]
STE_S1CDMAX = Field("s1cdmax", 0, 59, 5)
STE_S1DSS = Field("s1dss", 1, 0, 2)
STE_S1CIR = Field("s1cir", 1, 2, 2)
STE_S1COR = Field("s1cor", 1, 4, 2)
STE_S1CSH = Field("s1csh", 1, 6, 2)
STE_S1STALLD = Field("s1stalld", 1, 27, 1)
STE_EATS = Field("eats", 1, 28, 2)
STE_STRW = Field("strw", 1, 30, 2)
STE_SHCFG = Field("shcfg", 1, 44, 2)


@dataclass
class Ste(Struct):
    """Stream Table Entry (64 bytes). Only stage-1 fields are modelled."""

    v: int = 0
    config: int = STE_CFG_ABORT
    s1fmt: int = S1FMT_LINEAR
    s1contextptr: int = 0
    s1cdmax: int = 0
    s1dss: int = S1DSS_TERMINATE
    s1cir: int = 0
    s1cor: int = 0
    s1csh: int = 0
    s1stalld: int = 0
    eats: int = 0
    strw: int = 0
    shcfg: int = 0

    NWORDS: ClassVar[int] = 8
    FIELDS: ClassVar[tuple[Field, ...]] = (
        STE_V, STE_CONFIG, STE_S1FMT, STE_S1CONTEXTPTR, STE_S1CDMAX, STE_S1DSS,
        STE_S1CIR, STE_S1COR, STE_S1CSH, STE_S1STALLD, STE_EATS, STE_STRW, STE_SHCFG)


# Two-level stream table level-1 descriptor (STRTAB_BASE_CFG.FMT = 2-level).
STRTAB_L1_SIZE = 8
L1STD_SPAN = Field("span", 0, 0, 5)
L1STD_L2PTR = Field("l2ptr", 0, 6, 46, addr=True)                 # PA[51:6]


@dataclass
class StrtabL1(Struct):
    span: int = 0
    l2ptr: int = 0

    NWORDS: ClassVar[int] = 1
    FIELDS: ClassVar[tuple[Field, ...]] = (L1STD_SPAN, L1STD_L2PTR)


# --------------------------------------------------------------------------
# Context descriptors
# --------------------------------------------------------------------------
CD_SIZE = 64
CD_L1_SIZE = 8
TG0_4K, TG0_64K, TG0_16K = 0b00, 0b01, 0b10
IPS_BITS = {0: 32, 1: 36, 2: 40, 3: 42, 4: 44, 5: 48, 6: 52}       # CD.IPS / IDR5.OAS encoding
BITS_IPS = {v: k for k, v in IPS_BITS.items()}

CDL1_V = Field("v", 0, 0, 1)
CDL1_L2PTR = Field("l2ptr", 0, 12, 40, addr=True)                 # PA[51:12]


@dataclass
class Cd_l1(Struct):
    """Level-1 CD table descriptor (8 bytes), used when STE.S1FMT is two-level."""

    v: int = 0
    l2ptr: int = 0

    NWORDS: ClassVar[int] = 1
    FIELDS: ClassVar[tuple[Field, ...]] = (CDL1_V, CDL1_L2PTR)


CD_T0SZ = Field("t0sz", 0, 0, 6)
CD_TG0 = Field("tg0", 0, 6, 2)
CD_IRGN0 = Field("irgn0", 0, 8, 2)
CD_ORGN0 = Field("orgn0", 0, 10, 2)
CD_SH0 = Field("sh0", 0, 12, 2)
CD_EPD0 = Field("epd0", 0, 14, 1)
CD_ENDI = Field("endi", 0, 15, 1)
CD_EPD1 = Field("epd1", 0, 30, 1)
CD_V = Field("v", 0, 31, 1)
CD_IPS = Field("ips", 0, 32, 3)
CD_AFFD = Field("affd", 0, 35, 1)
CD_WXN = Field("wxn", 0, 36, 1)
CD_UWXN = Field("uwxn", 0, 37, 1)
CD_TBI0 = Field("tbi0", 0, 38, 1)
CD_PAN = Field("pan", 0, 40, 1)
CD_AA64 = Field("aa64", 0, 41, 1)
CD_HD = Field("hd", 0, 42, 1)
CD_HA = Field("ha", 0, 43, 1)
CD_S = Field("s", 0, 44, 1)
CD_R = Field("r", 0, 45, 1)
CD_A = Field("a", 0, 46, 1)
CD_ASET = Field("aset", 0, 47, 1)
CD_ASID = Field("asid", 0, 48, 16)
CD_NSCFG0 = Field("nscfg0", 1, 0, 1)
CD_HAD0 = Field("had0", 1, 1, 1)
CD_TTB0 = Field("ttb0", 1, 4, 48, addr=True)                      # PA[51:4]
CD_MAIR0 = Field("mair0", 3, 0, 32)                               # MAIR_EL1[31:0]
CD_MAIR1 = Field("mair1", 3, 32, 32)                              # MAIR_EL1[63:32]


@dataclass
class Cd(Struct):
    """Stage-1 Context Descriptor (64 bytes), AArch64 TTB0 fields only."""

    t0sz: int = 0
    tg0: int = TG0_4K
    irgn0: int = 0
    orgn0: int = 0
    sh0: int = 0
    epd0: int = 0
    endi: int = 0
    epd1: int = 0
    v: int = 0
    ips: int = 0
    affd: int = 0
    wxn: int = 0
    uwxn: int = 0
    tbi0: int = 0
    pan: int = 0
    aa64: int = 0
    hd: int = 0
    ha: int = 0
    s: int = 0
    r: int = 0
    a: int = 0
    aset: int = 0
    asid: int = 0
    nscfg0: int = 0
    had0: int = 0
    ttb0: int = 0
    mair0: int = 0
    mair1: int = 0

    NWORDS: ClassVar[int] = 8
    FIELDS: ClassVar[tuple[Field, ...]] = (
        CD_T0SZ, CD_TG0, CD_IRGN0, CD_ORGN0, CD_SH0, CD_EPD0, CD_ENDI, CD_EPD1, CD_V,
        CD_IPS, CD_AFFD, CD_WXN, CD_UWXN, CD_TBI0, CD_PAN, CD_AA64, CD_HD, CD_HA, CD_S, CD_R,
        CD_A, CD_ASET, CD_ASID, CD_NSCFG0, CD_HAD0, CD_TTB0, CD_MAIR0, CD_MAIR1)


# --------------------------------------------------------------------------
# VMSAv8-64 stage-1 translation table descriptors, 4KB granule
# --------------------------------------------------------------------------
GRANULE_SHIFT = 12
PAGE_SIZE = 1 << GRANULE_SHIFT
LEVEL_SHIFT = {0: 39, 1: 30, 2: 21, 3: 12}
LEVEL_SIZE = {lvl: 1 << s for lvl, s in LEVEL_SHIFT.items()}       # bytes mapped per entry
PTES_PER_TABLE = 512
T0SZ_MIN, T0SZ_MAX = 16, 39                                        # 4KB granule, no LVA/TTST
BLOCK_LEVELS = (1, 2)                                              # 4KB granule without LPA2
PTE_OA_BITS = 48                                                   # descriptor OA is bits [47:12]

PTE_VALID = Field("valid", 0, 0, 1)
PTE_TYPE = Field("type", 0, 1, 1)             # 1: table (L0-2) / page (L3); 0: block (L1-2)
PTE_ATTRINDX = Field("attrindx", 0, 2, 3)
PTE_NS = Field("ns", 0, 5, 1)
PTE_AP = Field("ap", 0, 6, 2)                 # AP[2:1]: bit7 = read-only, bit6 = EL0 access
PTE_SH = Field("sh", 0, 8, 2)
PTE_AF = Field("af", 0, 10, 1)
PTE_NG = Field("ng", 0, 11, 1)
PTE_OA = Field("oa", 0, 12, 36, addr=True)    # OA[47:12] (block: low bits RES0)
PTE_DBM = Field("dbm", 0, 51, 1)
PTE_CONT = Field("contiguous", 0, 52, 1)
PTE_PXN = Field("pxn", 0, 53, 1)
PTE_UXN = Field("uxn", 0, 54, 1)              # "XN" for stage 1 with EL0
PTE_PXNTABLE = Field("pxntable", 0, 59, 1)
PTE_UXNTABLE = Field("uxntable", 0, 60, 1)
PTE_APTABLE = Field("aptable", 0, 61, 2)      # bit62: no write below, bit61: no EL0 below
PTE_NSTABLE = Field("nstable", 0, 63, 1)

AP_RW_EL1 = 0b00
AP_RW_ALL = 0b01
AP_RO_EL1 = 0b10
AP_RO_ALL = 0b11

PTE_INVALID, PTE_TABLE, PTE_BLOCK, PTE_PAGE = "invalid", "table", "block", "page"


def levels_for_t0sz(t0sz: int) -> tuple[int, ...]:
    """Levels walked for a 4KB-granule TTB0 region of 64-T0SZ bits.

    Each level resolves 9 bits above the 12-bit page offset, so the start level is
    4 - ceil((IA - 12) / 9): T0SZ 16..24 -> L0, 25..33 -> L1, 34..39 -> L2.
    """
    if not T0SZ_MIN <= t0sz <= T0SZ_MAX:
        raise ValueError(f"t0sz: {t0sz} outside the 4KB-granule range {T0SZ_MIN}..{T0SZ_MAX}")
    ia = 64 - t0sz
    start = 4 - -(-(ia - GRANULE_SHIFT) // 9)
    return tuple(range(start, 4))


def _check_level(level: int) -> None:
    if level not in LEVEL_SHIFT:
        raise ValueError(f"level: {level} is not a 4KB-granule level (0..3)")


def _leaf_bits(*, ro: bool, af: bool, user: bool, xn: bool, pxn: bool, ng: bool,
               attrindx: int, sh: int) -> int:
    w = PTE_VALID.set(0, 1)
    w = PTE_ATTRINDX.set(w, attrindx)
    w = PTE_AP.set(w, (2 if ro else 0) | (1 if user else 0))
    w = PTE_SH.set(w, sh)
    w = PTE_AF.set(w, int(af))
    w = PTE_NG.set(w, int(ng))
    w = PTE_UXN.set(w, int(xn))
    w = PTE_PXN.set(w, int(pxn))
    return w


def pte_table(next_table_pa: int) -> int:
    """Table descriptor (levels 0-2) pointing at a 4KB-aligned next-level table."""
    w = PTE_OA.set(0, next_table_pa)
    return PTE_TYPE.set(PTE_VALID.set(w, 1), 1)


def pte_page(pa: int, *, ro: bool = False, af: bool = True, user: bool = True,
             xn: bool = False, pxn: bool = False, ng: bool = True, attrindx: int = 0,
             sh: int = 0b11) -> int:
    """Level-3 page descriptor. Defaults match a Linux SVA user page (nG, inner shareable)."""
    w = _leaf_bits(ro=ro, af=af, user=user, xn=xn, pxn=pxn, ng=ng, attrindx=attrindx, sh=sh)
    return PTE_TYPE.set(PTE_OA.set(w, pa), 1)


def pte_block(pa: int, level: int, *, ro: bool = False, af: bool = True, user: bool = True,
              xn: bool = False, pxn: bool = False, ng: bool = True, attrindx: int = 0,
              sh: int = 0b11) -> int:
    """Block descriptor at level 1 (1GB) or 2 (2MB)."""
    _check_level(level)
    if level not in BLOCK_LEVELS:
        raise ValueError(f"level: blocks are only legal at levels {BLOCK_LEVELS}, not {level}")
    if pa % LEVEL_SIZE[level]:
        raise ValueError(f"pa: {pa:#x} is not aligned to the level-{level} block size "
                         f"{LEVEL_SIZE[level]:#x}")
    w = _leaf_bits(ro=ro, af=af, user=user, xn=xn, pxn=pxn, ng=ng, attrindx=attrindx, sh=sh)
    return PTE_OA.set(w, pa)


@dataclass(frozen=True)
class Pte:
    """A decoded descriptor. `oa` is the next-table address (table) or output base (leaf)."""

    raw: int
    level: int
    type: str
    oa: int = 0
    ap: int = 0
    af: int = 0
    ng: int = 0
    xn: int = 0
    pxn: int = 0
    sh: int = 0
    attrindx: int = 0
    aptable: int = 0
    uxntable: int = 0
    pxntable: int = 0

    @property
    def valid(self) -> bool:
        return self.type != PTE_INVALID

    @property
    def is_leaf(self) -> bool:
        return self.type in (PTE_BLOCK, PTE_PAGE)

    @property
    def readonly(self) -> bool:
        return bool(self.ap & 2)

    @property
    def user(self) -> bool:
        return bool(self.ap & 1)

    @property
    def size(self) -> int:
        """Bytes mapped by a leaf at this level."""
        return LEVEL_SIZE[self.level]

    @classmethod
    def decode(cls, value: int, level: int) -> "Pte":
        _check_level(level)
        if not 0 <= value <= (1 << 64) - 1:
            raise ValueError(f"Pte.decode: value {value:#x} is not a 64-bit descriptor")
        if not PTE_VALID.get(value):
            return cls(value, level, PTE_INVALID)
        if PTE_TYPE.get(value):
            kind = PTE_PAGE if level == 3 else PTE_TABLE
        else:
            kind = PTE_BLOCK if level in BLOCK_LEVELS else PTE_INVALID
        if kind == PTE_INVALID:
            return cls(value, level, PTE_INVALID)
        oa = PTE_OA.get(value)
        if kind == PTE_TABLE:
            return cls(value, level, kind, oa=oa, aptable=PTE_APTABLE.get(value),
                       uxntable=PTE_UXNTABLE.get(value), pxntable=PTE_PXNTABLE.get(value))
        if kind == PTE_BLOCK:
            oa &= ~(LEVEL_SIZE[level] - 1)       # OA[shift-1:12] are RES0 in a block
        return cls(value, level, kind, oa=oa, ap=PTE_AP.get(value), af=PTE_AF.get(value),
                   ng=PTE_NG.get(value), xn=PTE_UXN.get(value), pxn=PTE_PXN.get(value),
                   sh=PTE_SH.get(value), attrindx=PTE_ATTRINDX.get(value))


# --------------------------------------------------------------------------
# Event records (32 bytes)
# --------------------------------------------------------------------------
EVT_SIZE = 32
EVT_F_UUT = 0x01
EVT_C_BAD_STREAMID = 0x02
EVT_F_STE_FETCH = 0x03
EVT_C_BAD_STE = 0x04
EVT_F_BAD_ATS_TREQ = 0x05
EVT_F_STREAM_DISABLED = 0x06
EVT_F_TRANSL_FORBIDDEN = 0x07
EVT_C_BAD_SUBSTREAMID = 0x08
EVT_F_CD_FETCH = 0x09
EVT_C_BAD_CD = 0x0A
EVT_F_WALK_EABT = 0x0B
EVT_F_TRANSLATION = 0x10
EVT_F_ADDR_SIZE = 0x11
EVT_F_ACCESS = 0x12
EVT_F_PERMISSION = 0x13
EVT_F_TLB_CONFLICT = 0x20
EVT_F_CFG_CONFLICT = 0x21

EVENT_NAMES = {
    EVT_F_UUT: "F_UUT", EVT_C_BAD_STREAMID: "C_BAD_STREAMID", EVT_F_STE_FETCH: "F_STE_FETCH",
    EVT_C_BAD_STE: "C_BAD_STE", EVT_F_BAD_ATS_TREQ: "F_BAD_ATS_TREQ",
    EVT_F_STREAM_DISABLED: "F_STREAM_DISABLED", EVT_F_TRANSL_FORBIDDEN: "F_TRANSL_FORBIDDEN",
    EVT_C_BAD_SUBSTREAMID: "C_BAD_SUBSTREAMID", EVT_F_CD_FETCH: "F_CD_FETCH",
    EVT_C_BAD_CD: "C_BAD_CD", EVT_F_WALK_EABT: "F_WALK_EABT", EVT_F_TRANSLATION: "F_TRANSLATION",
    EVT_F_ADDR_SIZE: "F_ADDR_SIZE", EVT_F_ACCESS: "F_ACCESS", EVT_F_PERMISSION: "F_PERMISSION",
    EVT_F_TLB_CONFLICT: "F_TLB_CONFLICT", EVT_F_CFG_CONFLICT: "F_CFG_CONFLICT",
}

CLASS_CD, CLASS_TTD, CLASS_IN = 0, 1, 2

EVT_ID = Field("id", 0, 0, 8)
EVT_SSV = Field("ssv", 0, 11, 1)
EVT_SSID = Field("ssid", 0, 12, 20)
EVT_SID = Field("sid", 0, 32, 32)
EVT_STAG = Field("stag", 1, 0, 16)
EVT_STALL = Field("stall", 1, 31, 1)
EVT_PNU = Field("pnu", 1, 33, 1)              # 1 = privileged
EVT_IND = Field("ind", 1, 34, 1)              # 1 = instruction fetch
EVT_RNW = Field("rnw", 1, 35, 1)              # 1 = read
EVT_S2 = Field("s2", 1, 39, 1)
EVT_CLASS = Field("class", 1, 40, 2)
EVT_NSIPA = Field("nsipa", 1, 63, 1)
EVT_INPUT_ADDR = Field("input_addr", 2, 0, 64)
EVT_FETCH_ADDR = Field("fetch_addr", 3, 3, 49, addr=True)         # PA[51:3]
EVT_IPA = Field("ipa", 3, 12, 40, addr=True)                      # IPA[51:12]


@dataclass
class Event(Struct):
    """Event queue record. `fetch_addr` and `ipa` share word 3: only one may be set."""

    id: int = 0
    ssv: int = 0
    ssid: int = 0
    sid: int = 0
    stag: int = 0
    stall: int = 0
    pnu: int = 0
    ind: int = 0
    rnw: int = 0
    s2: int = 0
    class_: int = 0
    nsipa: int = 0
    input_addr: int = 0
    fetch_addr: int = 0
    ipa: int = 0

    NWORDS: ClassVar[int] = 4
    FIELDS: ClassVar[tuple[Field, ...]] = (
        EVT_ID, EVT_SSV, EVT_SSID, EVT_SID, EVT_STAG, EVT_STALL, EVT_PNU, EVT_IND, EVT_RNW,
        EVT_S2, EVT_CLASS, EVT_NSIPA, EVT_INPUT_ADDR, EVT_FETCH_ADDR, EVT_IPA)

    # Which word-3 interpretation an event ID uses (the other must stay zero).
    FETCH_EVENTS: ClassVar[frozenset] = frozenset({EVT_F_STE_FETCH, EVT_F_CD_FETCH,
                                                   EVT_F_WALK_EABT})

    def validate(self) -> None:
        super().validate()
        if self.fetch_addr and self.ipa:
            raise ValueError("Event: fetch_addr and ipa overlap in word 3; set only one")

    def words(self) -> list[int]:
        # fetch_addr and ipa overlap: write only the one in use so neither clears the other.
        self.validate()
        w = [0] * self.NWORDS
        for f in self.FIELDS:
            if f not in (EVT_FETCH_ADDR, EVT_IPA):
                f.set_in(w, getattr(self, self._attr(f)))
        w[3] = self.fetch_addr | self.ipa
        return w

    @classmethod
    def from_words(cls, words):
        ev = super().from_words(list(words[:3]) + [0])
        if ev.id in cls.FETCH_EVENTS:
            ev.fetch_addr = EVT_FETCH_ADDR.get_from(words)
        else:
            ev.ipa = EVT_IPA.get_from(words)
        ev.validate()
        return ev

    @property
    def name(self) -> str:
        return EVENT_NAMES.get(self.id, f"EVT_{self.id:#04x}")

    def __str__(self) -> str:
        s = (f"{self.name} sid={self.sid:#x} ssv={self.ssv} ssid={self.ssid:#x} "
             f"addr={self.input_addr:#x} rnw={self.rnw} pnu={self.pnu} ind={self.ind} "
             f"class={self.class_}")
        if self.fetch_addr:
            s += f" fetch={self.fetch_addr:#x}"
        return s


# --------------------------------------------------------------------------
# Commands (16 bytes)
# --------------------------------------------------------------------------
CMD_SIZE = 16
CMD_PREFETCH_CONFIG = 0x01
CMD_CFGI_STE = 0x03
CMD_CFGI_ALL = 0x04            # architecturally CMD_CFGI_STE_RANGE; "all" is Range = 31
CMD_CFGI_CD = 0x05
CMD_CFGI_CD_ALL = 0x06
CMD_TLBI_NH_ALL = 0x10
CMD_TLBI_NH_ASID = 0x11
CMD_TLBI_NH_VA = 0x12
CMD_TLBI_EL2_ALL = 0x20
CMD_TLBI_NSNH_ALL = 0x30
CMD_RESUME = 0x44
CMD_SYNC = 0x46

CMD_NAMES = {
    CMD_PREFETCH_CONFIG: "PREFETCH_CONFIG", CMD_CFGI_STE: "CFGI_STE", CMD_CFGI_ALL: "CFGI_ALL",
    CMD_CFGI_CD: "CFGI_CD", CMD_CFGI_CD_ALL: "CFGI_CD_ALL", CMD_TLBI_NH_ALL: "TLBI_NH_ALL",
    CMD_TLBI_NH_ASID: "TLBI_NH_ASID", CMD_TLBI_NH_VA: "TLBI_NH_VA",
    CMD_TLBI_EL2_ALL: "TLBI_EL2_ALL", CMD_TLBI_NSNH_ALL: "TLBI_NSNH_ALL",
    CMD_RESUME: "RESUME", CMD_SYNC: "SYNC",
}

# CMD_RESUME action, word0[13:12] (arm-smmu-v3.h CMDQ_RESUME_0_RESP_*)
RESUME_TERM = 0                # terminate, RAZ/WI to the client
RESUME_RETRY = 1
RESUME_ABORT = 2               # terminate with an abort to the client

SYNC_CS_NONE, SYNC_CS_IRQ, SYNC_CS_SEV = 0, 1, 2
CFGI_RANGE_ALL = 31

CMD_OPCODE = Field("opcode", 0, 0, 8)
CMD_SSV = Field("ssv", 0, 11, 1)
CMD_SSID = Field("ssid", 0, 12, 20)
CMD_SID = Field("sid", 0, 32, 32)
CMD_LEAF = Field("leaf", 1, 0, 1)
CMD_RANGE = Field("range", 1, 0, 5)           # CFGI_STE_RANGE: 2^(Range+1) StreamIDs
CMD_NUM = Field("num", 0, 12, 5)
CMD_SCALE = Field("scale", 0, 20, 5)
CMD_VMID = Field("vmid", 0, 32, 16)
CMD_ASID = Field("asid", 0, 48, 16)
CMD_TTL = Field("ttl", 1, 8, 2)
CMD_TG = Field("tg", 1, 10, 2)
CMD_VA = Field("va", 1, 12, 52, addr=True)                         # VA[63:12]
CMD_RESP = Field("resp", 0, 12, 2)
CMD_STAG = Field("stag", 1, 0, 16)
CMD_CS = Field("cs", 0, 12, 2)
CMD_MSH = Field("msh", 0, 22, 2)
CMD_MSIATTR = Field("msiattr", 0, 24, 4)
CMD_MSIDATA = Field("msidata", 0, 32, 32)
CMD_MSIADDR = Field("msiaddr", 1, 2, 50, addr=True)               # PA[51:2]

CMD_LAYOUT: dict[int, tuple[Field, ...]] = {
    CMD_PREFETCH_CONFIG: (CMD_SSV, CMD_SSID, CMD_SID),
    CMD_CFGI_STE: (CMD_SID, CMD_LEAF),
    CMD_CFGI_ALL: (CMD_SID, CMD_RANGE),
    CMD_CFGI_CD: (CMD_SSID, CMD_SID, CMD_LEAF),
    CMD_CFGI_CD_ALL: (CMD_SID,),
    CMD_TLBI_NH_ALL: (CMD_VMID,),
    CMD_TLBI_NH_ASID: (CMD_VMID, CMD_ASID),
    CMD_TLBI_NH_VA: (CMD_NUM, CMD_SCALE, CMD_VMID, CMD_ASID, CMD_LEAF, CMD_TTL, CMD_TG, CMD_VA),
    CMD_TLBI_EL2_ALL: (),
    CMD_TLBI_NSNH_ALL: (),
    CMD_RESUME: (CMD_RESP, CMD_SID, CMD_STAG),
    CMD_SYNC: (CMD_CS, CMD_MSH, CMD_MSIATTR, CMD_MSIDATA, CMD_MSIADDR),
}
_CMD_ARGS = ("ssv", "ssid", "sid", "leaf", "range_", "num", "scale", "vmid", "asid", "ttl",
             "tg", "va", "resp", "stag", "cs", "msh", "msiattr", "msidata", "msiaddr")


@dataclass
class Cmd:
    """A command queue entry. Only the fields of `opcode`'s layout may be non-zero.

    Opcodes without a layout (not implemented here) still encode/decode their opcode;
    the command consumer rejects them with CERROR_ILL.
    """

    opcode: int
    ssv: int = 0
    ssid: int = 0
    sid: int = 0
    leaf: int = 0
    range_: int = 0
    num: int = 0
    scale: int = 0
    vmid: int = 0
    asid: int = 0
    ttl: int = 0
    tg: int = 0
    va: int = 0
    resp: int = 0
    stag: int = 0
    cs: int = 0
    msh: int = 0
    msiattr: int = 0
    msidata: int = 0
    msiaddr: int = 0

    NWORDS: ClassVar[int] = 2

    def __post_init__(self) -> None:
        self.validate()

    @staticmethod
    def _attr(f: Field) -> str:
        return "range_" if f.name == "range" else f.name

    @property
    def layout(self) -> tuple[Field, ...]:
        return CMD_LAYOUT.get(self.opcode, ())

    @property
    def name(self) -> str:
        return CMD_NAMES.get(self.opcode, f"CMD_{self.opcode:#04x}")

    @property
    def known(self) -> bool:
        return self.opcode in CMD_LAYOUT

    def validate(self) -> None:
        CMD_OPCODE.check(self.opcode)
        used = {self._attr(f) for f in self.layout}
        for f in self.layout:
            f.check(getattr(self, self._attr(f)))
        for a in _CMD_ARGS:
            if a not in used and getattr(self, a):
                raise ValueError(f"Cmd {self.name}: field {a.rstrip('_')} is not part of "
                                 f"this command")

    def fields(self) -> dict[str, int]:
        """The named fields of this opcode's layout."""
        return {f.name: getattr(self, self._attr(f)) for f in self.layout}

    def words(self) -> list[int]:
        self.validate()
        w = [CMD_OPCODE.set(0, self.opcode), 0]
        for f in self.layout:
            f.set_in(w, getattr(self, self._attr(f)))
        return w

    def encode(self) -> bytes:
        return words_to_bytes(self.words())

    @classmethod
    def from_words(cls, words) -> "Cmd":
        opcode = CMD_OPCODE.get_from(words)
        kw = {cls._attr(f): f.get_from(words) for f in CMD_LAYOUT.get(opcode, ())}
        return cls(opcode, **kw)

    @classmethod
    def decode(cls, data: bytes) -> "Cmd":
        return cls.from_words(bytes_to_words(data, cls.NWORDS, "Cmd"))

    def __str__(self) -> str:
        args = " ".join(f"{k}={v:#x}" for k, v in self.fields().items())
        return f"CMD_{self.name} {args}".rstrip()


def cmd_prefetch_config(sid: int, ssid: int | None = None) -> Cmd:
    return Cmd(CMD_PREFETCH_CONFIG, sid=sid, ssv=int(ssid is not None), ssid=ssid or 0)


def cmd_cfgi_ste(sid: int, leaf: bool = True) -> Cmd:
    return Cmd(CMD_CFGI_STE, sid=sid, leaf=int(leaf))


def cmd_cfgi_all() -> Cmd:
    return Cmd(CMD_CFGI_ALL, range_=CFGI_RANGE_ALL)


def cmd_cfgi_cd(sid: int, ssid: int, leaf: bool = True) -> Cmd:
    return Cmd(CMD_CFGI_CD, sid=sid, ssid=ssid, leaf=int(leaf))


def cmd_cfgi_cd_all(sid: int) -> Cmd:
    return Cmd(CMD_CFGI_CD_ALL, sid=sid)


def cmd_tlbi_nh_all() -> Cmd:
    return Cmd(CMD_TLBI_NH_ALL)


def cmd_tlbi_nh_asid(asid: int) -> Cmd:
    return Cmd(CMD_TLBI_NH_ASID, asid=asid)


def cmd_tlbi_nh_va(asid: int, va: int, leaf: bool = False, *, num: int = 0, scale: int = 0,
                   ttl: int = 0, tg: int = 0) -> Cmd:
    """TLBI by VA. `va` may be unaligned: the command carries VA[63:12]."""
    if not 0 <= va < (1 << 64):
        raise ValueError(f"va: {va:#x} is not a 64-bit address")
    return Cmd(CMD_TLBI_NH_VA, asid=asid, va=va & ~0xFFF, leaf=int(leaf), num=num,
               scale=scale, ttl=ttl, tg=tg)


def cmd_tlbi_el2_all() -> Cmd:
    return Cmd(CMD_TLBI_EL2_ALL)


def cmd_tlbi_nsnh_all() -> Cmd:
    return Cmd(CMD_TLBI_NSNH_ALL)


def cmd_resume(sid: int, stag: int, action: int) -> Cmd:
    if action not in (RESUME_TERM, RESUME_RETRY, RESUME_ABORT):
        raise ValueError(f"resp: RESUME action {action} is not TERM(0)/RETRY(1)/ABORT(2)")
    return Cmd(CMD_RESUME, sid=sid, stag=stag, resp=action)


def cmd_sync(cs: int = SYNC_CS_NONE, msiaddr: int = 0, msidata: int = 0, *, msh: int = 0,
             msiattr: int = 0) -> Cmd:
    if cs not in (SYNC_CS_NONE, SYNC_CS_IRQ, SYNC_CS_SEV):
        raise ValueError(f"cs: CMD_SYNC completion signal {cs} is reserved")
    return Cmd(CMD_SYNC, cs=cs, msiaddr=msiaddr, msidata=msidata, msh=msh, msiattr=msiattr)


# --------------------------------------------------------------------------
# Queue pointers: index in [log2size-1:0], wrap flag at bit log2size. Bits above
# (e.g. EVENTQ_PROD.OVFLG, CMDQ_CONS.ERR) are preserved by q_inc.
# --------------------------------------------------------------------------
def _qcheck(log2size: int) -> None:
    if not 0 <= log2size <= 19:
        raise ValueError(f"log2size: {log2size} outside 0..19")


def q_index(ptr: int, log2size: int) -> int:
    _qcheck(log2size)
    return ptr & ((1 << log2size) - 1)


def q_wrap(ptr: int, log2size: int) -> int:
    _qcheck(log2size)
    return (ptr >> log2size) & 1


def q_inc(ptr: int, log2size: int) -> int:
    _qcheck(log2size)
    m = (2 << log2size) - 1
    return (ptr & ~m) | ((ptr + 1) & m)


def q_full(prod: int, cons: int, log2size: int) -> bool:
    return (q_index(prod, log2size) == q_index(cons, log2size)
            and q_wrap(prod, log2size) != q_wrap(cons, log2size))


def q_empty(prod: int, cons: int, log2size: int) -> bool:
    return (q_index(prod, log2size) == q_index(cons, log2size)
            and q_wrap(prod, log2size) == q_wrap(cons, log2size))


def q_count(prod: int, cons: int, log2size: int) -> int:
    """Entries between cons and prod."""
    m = (2 << log2size) - 1
    return ((prod & m) - (cons & m)) & m


# --------------------------------------------------------------------------
# Documentation: bit tables for docs/formats.md (`python -m pasidsim.smmuv3`)
# --------------------------------------------------------------------------
def _table(title: str, fields: tuple[Field, ...]) -> str:
    out = [f"### {title}", "", "| word | bits | field | notes |", "|---|---|---|---|"]
    for f in sorted(fields, key=lambda f: f.bit):
        bits = f"[{f.msb}:{f.lsb}]" if f.width > 1 else f"[{f.lsb}]"
        note = f"address bits {bits} in place" if f.addr else ""
        out.append(f"| {f.word} | {bits} | {f.name} | {note} |")
    return "\n".join(out)


def markdown() -> str:
    parts = [
        _table("STE (64 bytes, words 2-7 zero)", Ste.FIELDS),
        _table("L1STD (8 bytes)", StrtabL1.FIELDS),
        _table("L1CD (8 bytes)", Cd_l1.FIELDS),
        _table("CD (64 bytes, words 2 and 4-7 zero)", Cd.FIELDS),
        _table("Stage-1 descriptor, 4KB granule (8 bytes)",
               (PTE_VALID, PTE_TYPE, PTE_ATTRINDX, PTE_NS, PTE_AP, PTE_SH, PTE_AF, PTE_NG,
                PTE_OA, PTE_DBM, PTE_CONT, PTE_PXN, PTE_UXN, PTE_PXNTABLE, PTE_UXNTABLE,
                PTE_APTABLE, PTE_NSTABLE)),
        _table("Event record (32 bytes; word 3 is FetchAddr for F_STE_FETCH, F_CD_FETCH, "
               "F_WALK_EABT, IPA otherwise)", Event.FIELDS),
    ]
    cmd = ["### Commands (16 bytes; opcode in word0[7:0])", "",
           "| opcode | command | fields (word: bits) |", "|---|---|---|"]
    for op, layout in CMD_LAYOUT.items():
        fl = ", ".join(f"{f.name} w{f.word}[{f.msb}:{f.lsb}]" if f.width > 1
                       else f"{f.name} w{f.word}[{f.lsb}]" for f in layout)
        cmd.append(f"| {op:#04x} | CMD_{CMD_NAMES[op]} | {fl or '-'} |")
    parts.append("\n".join(cmd))
    ev = ["### Event IDs", "", "| id | name |", "|---|---|"]
    ev += [f"| {i:#04x} | {n} |" for i, n in sorted(EVENT_NAMES.items())]
    parts.append("\n".join(ev))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
