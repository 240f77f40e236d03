"""Golden model of the pasidsim SMMU: stage-1 translation as SMMUv3 architects it.

Implemented feature set (matches rtl/smmu/smmu_regs.sv's ID registers):
stage 1 only (S2P=0), AArch64 tables, 4KB granule, linear stream table, linear and
two-level CD tables (CD2L), HTTU=0, TERM_MODEL=0 (CD.A honoured), STALL_MODEL
0b01 (no stall) unless built with stall=True (0b00), 16-bit ASIDs, IDR3.HAD=0
(hierarchical permissions always apply), NS-EL1 StreamWorld only.
Where SMMUv3.0 leaves a choice CONSTRAINED UNPREDICTABLE, the SMMUv3.1 behaviour is
used; docs/formats.md lists every choice.

`translate` is side-effect free; `record_event` writes the event queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import regs as R
from . import smmuv3 as S
from .memory import BusError, PhysMem

# Faults governed by CD.{A,R,S} ("translation-related" faults, SMMUv3 5.5).
TRANSLATION_RELATED = frozenset({S.EVT_F_TRANSLATION, S.EVT_F_ADDR_SIZE, S.EVT_F_ACCESS,
                                 S.EVT_F_PERMISSION})

_MODEL_REGS = ("CR0", "CR2", "GBPA", "STRTAB_BASE", "STRTAB_BASE_CFG", "CMDQ_BASE", "CMDQ_PROD",
               "CMDQ_CONS", "EVENTQ_BASE", "EVENTQ_PROD", "EVENTQ_CONS", "GERROR", "GERRORN")


class _Regs(dict):
    """Register values keyed by regs.py names; unknown names raise instead of being added."""

    def __setitem__(self, name, value):
        if name not in _MODEL_REGS:
            raise KeyError(f"SmmuModel.regs: {name!r} is not a register the model uses "
                           f"({', '.join(_MODEL_REGS)})")
        width = R.reg(name).width
        if not isinstance(value, int) or not 0 <= value < (1 << width):
            raise ValueError(f"SmmuModel.regs[{name!r}]: {value!r} is not a u{width}")
        super().__setitem__(name, value)


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------
@dataclass
class Walk:
    """A stage-1 table walk: every descriptor address read, in order, and the outcome."""

    addrs: list[int] = field(default_factory=list)
    descs: list[int] = field(default_factory=list)
    leaf: S.Pte | None = None
    fault: int | None = None            # EVT_F_TRANSLATION / _ADDR_SIZE / _WALK_EABT
    fetch_addr: int = 0                 # descriptor address of an F_WALK_EABT
    # Hierarchical (table) attributes accumulated on the way down.
    ap_table_ro: bool = False
    ap_table_nouser: bool = False
    uxn_table: bool = False
    pxn_table: bool = False


@dataclass
class Translation:
    """Outcome of one transaction.

    Exactly one of: `pa` set (translated or bypassed), `abort` (terminated with an
    abort to the client), `raz_wi` (terminated, reads return zero, writes ignored),
    `stalled` (held until CMD_RESUME). `fault` is the event the SMMU raised, `record`
    whether it is written to the event queue.
    """

    pa: int | None = None
    fault: S.Event | None = None
    record: bool = False
    bypass: bool = False
    abort: bool = False
    raz_wi: bool = False
    stalled: bool = False
    page_size: int = 0
    level: int | None = None
    asid: int | None = None
    global_: bool = False
    readable: bool = False
    writable: bool = False
    executable: bool = False
    walk: Walk | None = None            # on a TLB hit: the walk that filled the entry
    tlb_hit: bool = False
    ste: S.Ste | None = None
    cd: S.Cd | None = None

    @property
    def ok(self) -> bool:
        return self.pa is not None

    def __str__(self) -> str:
        if self.ok:
            how = "bypass" if self.bypass else f"L{self.level} asid={self.asid}"
            return f"pa={self.pa:#x} ({how})"
        how = "stall" if self.stalled else "raz/wi" if self.raz_wi else "abort"
        ev = f" {self.fault}{'' if self.record else ' (not recorded)'}" if self.fault else ""
        return f"{how}{ev}"


# --------------------------------------------------------------------------
# Table walk (standalone)
# --------------------------------------------------------------------------
def walk(mem: PhysMem, ttb0: int, t0sz: int, iova: int, *, oa_bits: int = 48) -> Walk:
    """Walk a 4KB-granule stage-1 table for `iova` (already range-checked against T0SZ).

    Table addresses and leaf output addresses with bits at or above `oa_bits` give
    F_ADDR_SIZE; an invalid or reserved descriptor gives F_TRANSLATION; a bus error on
    a descriptor read gives F_WALK_EABT with `fetch_addr` set.
    """
    levels = S.levels_for_t0sz(t0sz)
    ia = 64 - t0sz
    if not 0 <= iova < (1 << ia):
        raise ValueError(f"walk: iova {iova:#x} outside the {ia}-bit TTB0 region")
    w = Walk()
    top_bits = ia - S.LEVEL_SHIFT[levels[0]]
    table = ttb0 & ~((8 << top_bits) - 1) & ((1 << 52) - 1)   # aligned to the start table
    for level in levels:
        idx = (iova >> S.LEVEL_SHIFT[level]) & (S.PTES_PER_TABLE - 1)
        addr = table + idx * 8
        w.addrs.append(addr)
        try:
            raw = mem.read64(addr)
        except BusError:
            w.fault, w.fetch_addr = S.EVT_F_WALK_EABT, addr
            return w
        w.descs.append(raw)
        pte = S.Pte.decode(raw, level)
        if not pte.valid:
            w.fault = S.EVT_F_TRANSLATION
            return w
        if pte.oa >> oa_bits:
            w.fault = S.EVT_F_ADDR_SIZE
            return w
        if pte.is_leaf:
            w.leaf = pte
            return w
        w.ap_table_ro |= bool(pte.aptable & 2)
        w.ap_table_nouser |= bool(pte.aptable & 1)
        w.uxn_table |= bool(pte.uxntable)
        w.pxn_table |= bool(pte.pxntable)
        table = pte.oa
    raise AssertionError("level 3 always ends the walk")   # pragma: no cover


# --------------------------------------------------------------------------
# Caches: configuration cache and IOTLB. Entries never age out, so a change made
# without the invalidation the architecture requires stays invisible.
# --------------------------------------------------------------------------
@dataclass
class Caches:
    ste: dict[int, S.Ste] = field(default_factory=dict)                 # sid
    l1cd: dict[tuple[int, int, int], S.Cd_l1] = field(default_factory=dict)  # sid, fmt, l1 idx
    cd: dict[tuple[int, int], S.Cd] = field(default_factory=dict)       # sid, CD table index
    # IOTLB: (asid or None for global, leaf size, va base) -> the walk that found the leaf
    tlb: dict[tuple[int | None, int, int], Walk] = field(default_factory=dict)

    def tlb_lookup(self, asid: int, va: int) -> Walk | None:
        for size in (S.LEVEL_SIZE[3], S.LEVEL_SIZE[2], S.LEVEL_SIZE[1]):
            base = va & ~(size - 1)
            w = self.tlb.get((asid, size, base)) or self.tlb.get((None, size, base))
            if w is not None:
                return w
        return None

    def tlb_insert(self, asid: int, va: int, w: Walk) -> None:
        size = w.leaf.size
        self.tlb[(asid if w.leaf.ng else None, size, va & ~(size - 1))] = w

    def cfgi_sids(self, sids) -> None:
        """CFGI_STE / CFGI_STE_RANGE: the STEs and every CD / L1CD cached through them."""
        sids = set(sids)
        for d in (self.ste, self.l1cd, self.cd):
            for k in [k for k in d if (k if isinstance(k, int) else k[0]) in sids]:
                del d[k]

    def cfgi_range(self, lo: int, hi: int) -> None:
        for d in (self.ste, self.l1cd, self.cd):
            for k in [k for k in d if lo <= (k if isinstance(k, int) else k[0]) <= hi]:
                del d[k]

    def cfgi_cd(self, sid: int, ssid: int, leaf: bool) -> None:
        self.cd.pop((sid, ssid), None)
        if not leaf:                                    # also the L1CD that locates it
            for fmt, split in S.S1FMT_SPLIT.items():
                self.l1cd.pop((sid, fmt, ssid >> split), None)

    def cfgi_cd_all(self, sid: int) -> None:
        for d in (self.l1cd, self.cd):
            for k in [k for k in d if k[0] == sid]:
                del d[k]

    def tlbi(self, *, asid: int | None = None, va: int | None = None) -> None:
        """TLBI_NH_ALL (no args), _ASID (asid: non-global entries of it), _VA (asid+va:
        entries of that ASID or global that map va)."""
        def hit(key):
            k_asid, size, base = key
            if va is not None:
                return (k_asid is None or k_asid == asid) and base == va & ~(size - 1)
            if asid is not None:
                return k_asid == asid
            return True
        for k in [k for k in self.tlb if hit(k)]:
            del self.tlb[k]

    def clear(self) -> None:
        self.ste.clear(); self.l1cd.clear(); self.cd.clear(); self.tlb.clear()


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------
class SmmuModel:
    def __init__(self, mem: PhysMem, *, sid_bits: int, ssid_bits: int, oas_bits: int = 48,
                 stall: bool = False, cd2l: bool = True, evtqs: int = 8, cmdqs: int = 8,
                 caching: bool = False, msi: bool = False):
        if not 0 <= sid_bits <= 32:
            raise ValueError(f"SmmuModel: sid_bits {sid_bits} outside 0..32")
        if not 0 <= ssid_bits <= 20:
            raise ValueError(f"SmmuModel: ssid_bits {ssid_bits} outside 0..20")
        if oas_bits not in S.BITS_IPS or oas_bits > 48:
            raise ValueError(f"SmmuModel: oas_bits {oas_bits} is not an SMMUv3.0 OAS "
                             f"(32, 36, 40, 42, 44, 48)")
        if not 0 <= evtqs <= 19 or not 0 <= cmdqs <= 19:
            raise ValueError("SmmuModel: evtqs/cmdqs outside 0..19")
        self.mem = mem
        self.sid_bits, self.ssid_bits, self.oas_bits = sid_bits, ssid_bits, oas_bits
        self.stall_supported, self.cd2l = stall, cd2l
        self.evtqs, self.cmdqs = evtqs, cmdqs
        self.regs = _Regs()
        for name in _MODEL_REGS:
            self.regs[name] = 0
        self.caching, self.msi = caching, msi
        self.caches = Caches()
        self.stalls: dict[tuple[int, int], Translation] = {}   # (sid, stag) -> stalled txn
        self.syncs = 0                                          # CMD_SYNCs completed
        self.resumed: list[tuple[Translation, int]] = []        # (stalled txn, RESUME action)

    # ---------------------------------------------------------------- registers
    def field(self, reg: str, name: str) -> int:
        return R.reg(reg).field(name).get(self.regs[reg])

    def set_field(self, reg: str, name: str, value: int) -> None:
        self.regs[reg] = R.reg(reg).field(name).put(self.regs[reg], value)

    def _oas_mask(self) -> int:
        return (1 << self.oas_bits) - 1

    @property
    def strtab_base(self) -> int:
        # Register address bits above the OAS are RES0: truncate (SMMUv3 3.4.3).
        return (self.field("STRTAB_BASE", "ADDR") << 6) & self._oas_mask()

    @property
    def strtab_log2size(self) -> int:
        return min(self.field("STRTAB_BASE_CFG", "LOG2SIZE"), self.sid_bits)

    @property
    def eventq_base(self) -> int:
        return (self.field("EVENTQ_BASE", "ADDR") << 5) & self._oas_mask()

    @property
    def eventq_log2size(self) -> int:
        return min(self.field("EVENTQ_BASE", "LOG2SIZE"), self.evtqs)

    @property
    def cmdq_base(self) -> int:
        return (self.field("CMDQ_BASE", "ADDR") << 5) & self._oas_mask()

    @property
    def cmdq_log2size(self) -> int:
        return min(self.field("CMDQ_BASE", "LOG2SIZE"), self.cmdqs)

    def configure(self, *, strtab_base: int, strtab_log2size: int, eventq_base: int = 0,
                  eventq_log2size: int = 0, cmdq_base: int = 0, cmdq_log2size: int = 0,
                  recinvsid: bool = True, enable: bool = True) -> None:
        """Program the registers the way the Linux driver does at probe, then enable."""
        for what, base, align in (("strtab_base", strtab_base, 64), ("eventq_base", eventq_base, 32),
                                  ("cmdq_base", cmdq_base, 32)):
            if base % align or not 0 <= base < (1 << self.oas_bits):
                raise ValueError(f"SmmuModel.configure: {what} {base:#x} misaligned or "
                                 f"beyond the {self.oas_bits}-bit OAS")
        self.regs["STRTAB_BASE"] = R.STRTAB_BASE.encode(ADDR=strtab_base >> 6)
        self.regs["STRTAB_BASE_CFG"] = R.STRTAB_BASE_CFG.encode(LOG2SIZE=strtab_log2size)
        self.regs["EVENTQ_BASE"] = R.EVENTQ_BASE.encode(ADDR=eventq_base >> 5,
                                                        LOG2SIZE=eventq_log2size)
        self.regs["CMDQ_BASE"] = R.CMDQ_BASE.encode(ADDR=cmdq_base >> 5, LOG2SIZE=cmdq_log2size)
        self.set_field("CR2", "RECINVSID", int(recinvsid))
        if enable:
            self.regs["CR0"] = R.CR0.encode(SMMUEN=1, EVTQEN=int(bool(eventq_base)),
                                            CMDQEN=int(bool(cmdq_base)))

    # ---------------------------------------------------------------- translate
    def translate(self, sid: int, ssid: int, ssv: bool, iova: int, *, write: bool,
                  priv: bool = False, instr: bool = False, stag: int = 0,
                  record: bool = False) -> Translation:
        """Translate one transaction. With record=True the hardware side effects are
        committed too: a recordable event is written to the event queue (record_event)
        and a stalled transaction is held for CMD_RESUME in `stalls`."""
        self._check_txn(sid, ssid, ssv, iova, write, instr, stag)
        t = self._translate(sid, ssid if ssv else 0, bool(ssv), iova, write, priv, instr, stag)
        if record:
            if t.fault is not None and t.record:
                self.record_event(t.fault)
            if t.stalled:
                self.stalls[(sid, stag)] = t
        return t

    def _check_txn(self, sid, ssid, ssv, iova, write, instr, stag) -> None:
        if not isinstance(sid, int) or not 0 <= sid < (1 << self.sid_bits):
            raise ValueError(f"SmmuModel.translate: sid {sid!r} does not fit in "
                             f"{self.sid_bits} bits")
        if not isinstance(ssid, int) or not 0 <= ssid < (1 << self.ssid_bits):
            raise ValueError(f"SmmuModel.translate: ssid {ssid!r} does not fit in "
                             f"{self.ssid_bits} bits")
        if ssv not in (0, 1, True, False):
            raise ValueError(f"SmmuModel.translate: ssv {ssv!r} is not a bool")
        if not isinstance(iova, int) or not 0 <= iova < (1 << 64):
            raise ValueError(f"SmmuModel.translate: iova {iova!r} is not a 64-bit address")
        if write and instr:
            raise ValueError("SmmuModel.translate: a write cannot be an instruction fetch "
                             "(InD is 0 whenever RnW is 0)")
        if not 0 <= stag < (1 << 16):
            raise ValueError(f"SmmuModel.translate: stag {stag!r} is not 16 bits")

    def _event(self, evt_id, sid, ssid, ssv, **kw) -> S.Event:
        return S.Event(id=evt_id, sid=sid, ssv=int(ssv), ssid=ssid if ssv else 0, **kw)

    def _txn_event(self, evt_id, sid, ssid, ssv, iova, write, priv, instr, **kw) -> S.Event:
        return self._event(evt_id, sid, ssid, ssv, rnw=int(not write), pnu=int(priv),
                           ind=int(instr), input_addr=iova, **kw)

    def _translate(self, sid, ssid, ssv, iova, write, priv, instr, stag) -> Translation:
        if not self.field("CR0", "SMMUEN"):
            if self.field("GBPA", "ABORT") or iova >> self.oas_bits:
                return Translation(abort=True)          # no event while SMMUEN=0
            return Translation(pa=iova, bypass=True, readable=True, writable=True,
                               executable=True)

        if sid >> self.strtab_log2size:
            ev = self._event(S.EVT_C_BAD_STREAMID, sid, ssid, ssv)
            return Translation(abort=True, fault=ev, record=bool(self.field("CR2", "RECINVSID")))

        def cfg_fault(evt_id, **kw) -> Translation:
            return Translation(abort=True, fault=self._event(evt_id, sid, ssid, ssv, **kw),
                               record=True)

        ste_addr = (self.strtab_base + sid * S.STE_SIZE) & self._oas_mask()
        ste = self.caches.ste.get(sid) if self.caching else None
        if ste is None:
            try:
                ste = S.Ste.decode(self.mem.read(ste_addr, S.STE_SIZE))
            except BusError:
                return cfg_fault(S.EVT_F_STE_FETCH, fetch_addr=ste_addr)
        bad_ste = cfg_fault(S.EVT_C_BAD_STE)
        bad_ste.ste = ste
        if not ste.v:
            return bad_ste
        if not ste.config & 0b100:                      # 0b0xx: abort, silently
            return Translation(abort=True, ste=ste)
        if ste.config & 0b010:                          # stage 2 not implemented
            return bad_ste
        if ste.strw != 0:                               # only NS-EL1 (IDR0.HYP=0)
            return bad_ste

        def substream_fault(bad_ssid) -> Translation:
            # C_BAD_SUBSTREAMID has no SSV qualifier: the SubstreamID is always reported.
            return Translation(abort=True, ste=ste, record=True,
                               fault=S.Event(id=S.EVT_C_BAD_SUBSTREAMID, sid=sid, ssid=bad_ssid))

        def bypass() -> Translation:
            if iova >> self.oas_bits:
                ev = self._txn_event(S.EVT_F_ADDR_SIZE, sid, ssid, ssv, iova, write, priv,
                                     instr, class_=S.CLASS_IN)
                return Translation(abort=True, fault=ev, record=True, ste=ste)
            return Translation(pa=iova, bypass=True, ste=ste, readable=True,
                               writable=True, executable=True)

        if ste.config == S.STE_CFG_BYPASS:
            self._cache_ste(sid, ste)
            return substream_fault(ssid) if ssv else bypass()

        # ---- stage 1 STE checks (ILLEGAL -> C_BAD_STE)
        if ste.s1cdmax > self.ssid_bits:
            return bad_ste
        if ste.s1stalld and not self.stall_supported:
            return bad_ste
        fmt = ste.s1fmt if ste.s1cdmax else S.S1FMT_LINEAR
        if fmt == 0b11:
            fmt = S.S1FMT_LINEAR                        # reserved, behaves as linear
        if fmt != S.S1FMT_LINEAR and not self.cd2l:
            return bad_ste
        if ste.s1contextptr >> self.oas_bits:
            return bad_ste                              # SMMUv3.1 choice for 3.4.3 (1)
        self._cache_ste(sid, ste)                       # only legal STEs are cached

        # ---- substream selection
        if ste.s1cdmax == 0:
            if ssv:
                return substream_fault(ssid)
            cd_ssid = 0
        elif ssv:
            if ssid >> ste.s1cdmax:
                return substream_fault(ssid)
            if ste.s1dss == S.S1DSS_SSID0 and ssid == 0:
                return Translation(abort=True, ste=ste, record=True,
                                   fault=S.Event(id=S.EVT_F_STREAM_DISABLED, sid=sid))
            cd_ssid = ssid
        else:
            if ste.s1dss == S.S1DSS_BYPASS:
                return bypass()
            if ste.s1dss != S.S1DSS_SSID0:              # 0b00 terminate, 0b11 behaves as 0b00
                return Translation(abort=True, ste=ste, record=True,
                                   fault=S.Event(id=S.EVT_F_STREAM_DISABLED, sid=sid))
            cd_ssid = 0

        # ---- CD fetch
        cd = self.caches.cd.get((sid, cd_ssid)) if self.caching else None
        if cd is None:
            if fmt == S.S1FMT_LINEAR:
                cd_addr = ste.s1contextptr + cd_ssid * S.CD_SIZE
            else:
                split = S.S1FMT_SPLIT[fmt]
                l1_key = (sid, fmt, cd_ssid >> split)
                l1 = self.caches.l1cd.get(l1_key) if self.caching else None
                if l1 is None:
                    l1_addr = ste.s1contextptr + (cd_ssid >> split) * S.CD_L1_SIZE
                    try:
                        l1 = S.Cd_l1.decode(self.mem.read(l1_addr, S.CD_L1_SIZE))
                    except BusError:
                        t = cfg_fault(S.EVT_F_CD_FETCH, fetch_addr=l1_addr)
                        t.ste = ste
                        return t
                    if not l1.v or l1.l2ptr >> self.oas_bits:
                        return substream_fault(cd_ssid)
                    if self.caching:
                        self.caches.l1cd[l1_key] = l1
                cd_addr = l1.l2ptr + (cd_ssid & ((1 << split) - 1)) * S.CD_SIZE
            try:
                cd = S.Cd.decode(self.mem.read(cd_addr, S.CD_SIZE))
            except BusError:
                t = cfg_fault(S.EVT_F_CD_FETCH, fetch_addr=cd_addr)
                t.ste = ste
                return t
            if self._cd_illegal(ste, cd):
                t = cfg_fault(S.EVT_C_BAD_CD)
                t.ste, t.cd = ste, cd
                return t
            if self.caching:
                self.caches.cd[(sid, cd_ssid)] = cd
        return self._stage1(ste, cd, sid, ssid, ssv, iova, write, priv, instr, stag)

    def _eff_ips(self, cd: S.Cd) -> int:
        # Reserved encodings behave as 48 bits in SMMUv3.0; then capped to the OAS.
        return min(S.IPS_BITS.get(cd.ips, 48), 48, self.oas_bits)

    def _cd_illegal(self, ste: S.Ste, cd: S.Cd) -> bool:
        if not cd.v or not cd.aa64:                     # TTF = AArch64 only
            return True
        if cd.ha or cd.hd:                              # HTTU = 0
            return True
        if cd.s and (not self.stall_supported or ste.s1stalld):
            return True
        if not cd.epd0:
            if cd.endi:                                 # TTENDIAN = little only
                return True
            if cd.tg0 != S.TG0_4K:
                return True
            if not S.T0SZ_MIN <= cd.t0sz <= S.T0SZ_MAX:
                return True
            if cd.ttb0 >> self._eff_ips(cd):
                return True
        return False

    def _stage1(self, ste, cd, sid, ssid, ssv, iova, write, priv, instr, stag) -> Translation:
        def fault(evt_id: int, w: Walk | None = None) -> Translation:
            ev = self._txn_event(evt_id, sid, ssid, ssv, iova, write, priv, instr,
                                 class_=S.CLASS_IN)
            t = Translation(fault=ev, walk=w, ste=ste, cd=cd)
            if cd.s:                                    # stall: always recorded
                ev.stall, ev.stag = 1, stag
                t.stalled = t.record = True
            else:
                t.record = bool(cd.r)
                t.abort, t.raz_wi = bool(cd.a), not cd.a
            return t

        # Input range: VA[55] selects TTB0/TTB1; TTB1 is not implemented (EPD1 treated as 1).
        ia = 64 - cd.t0sz if not cd.epd0 else 64
        top = 55 if cd.tbi0 else 63
        if (iova >> 55) & 1 or cd.epd0:
            return fault(S.EVT_F_TRANSLATION)
        if (iova & ((1 << (top + 1)) - 1)) >> ia:
            return fault(S.EVT_F_TRANSLATION)
        va = iova & ((1 << ia) - 1)

        hit = self.caches.tlb_lookup(cd.asid, va) if self.caching else None
        if hit is None:
            w = walk(self.mem, cd.ttb0, cd.t0sz, va, oa_bits=self._eff_ips(cd))
            if w.fault == S.EVT_F_WALK_EABT:
                ev = self._txn_event(S.EVT_F_WALK_EABT, sid, ssid, ssv, iova, write, priv,
                                     instr, class_=S.CLASS_TTD, fetch_addr=w.fetch_addr)
                return Translation(abort=True, fault=ev, record=True, walk=w, ste=ste, cd=cd)
            if w.fault is not None:
                return fault(w.fault, w)
            if not w.leaf.af and not cd.affd:
                return fault(S.EVT_F_ACCESS, w)
            if self.caching:                            # only usable leaves are cached
                self.caches.tlb_insert(cd.asid, va, w)
        else:
            w = hit
        leaf = w.leaf

        # Permissions, VMSAv8-64 stage 1 EL1&0 (hierarchical APTable/XNTable applied).
        ro = leaf.readonly or w.ap_table_ro
        user = leaf.user and not w.ap_table_nouser
        user_writable = user and not ro
        if priv:
            can_read = not (cd.pan and user)
            can_write = can_read and not ro
            can_exec = not (leaf.pxn or w.pxn_table or user_writable or (cd.wxn and not ro))
        else:
            can_read = user
            can_write = user and not ro
            # EL0 execute depends on UXN (and WXN) only, not on AP[1].
            can_exec = not (leaf.xn or w.uxn_table or (cd.wxn and user_writable))
        if instr:
            allowed = can_exec          # PAN restricts data accesses only
        else:
            allowed = can_write if write else can_read
        if not allowed:
            return fault(S.EVT_F_PERMISSION, w)

        size = leaf.size
        return Translation(pa=leaf.oa | (va & (size - 1)), page_size=size, level=leaf.level,
                           asid=cd.asid, global_=not leaf.ng, readable=can_read,
                           writable=can_write, executable=can_exec, walk=w, ste=ste, cd=cd,
                           tlb_hit=hit is not None)

    def _cache_ste(self, sid: int, ste: S.Ste) -> None:
        if self.caching:
            self.caches.ste[sid] = ste

    # ---------------------------------------------------------------- event queue
    def record_event(self, event: S.Event) -> bool:
        """Append `event` to the event queue. Returns False if it was dropped:
        EVTQEN=0, the queue is full (EVENTQ_PROD.OVFLG toggles when a new overflow
        condition starts), the write bus-errored (GERROR.EVTQ_ABT_ERR activates), or
        GERROR.EVTQ_ABT_ERR is active (delivery stops until software acknowledges it)."""
        if not isinstance(event, S.Event):
            raise ValueError(f"SmmuModel.record_event: expected an Event, got "
                             f"{type(event).__name__}")
        data = event.encode()
        # delivery stops while an event-queue abort is active (SMMUv3 7.5)
        if not self.field("CR0", "EVTQEN") or self.gerror_active("EVTQ_ABT_ERR"):
            return False
        log2 = self.eventq_log2size
        prod, cons = self.regs["EVENTQ_PROD"], self.regs["EVENTQ_CONS"]
        if S.q_full(prod, cons, log2):
            ovf, ack = self.field("EVENTQ_PROD", "OVFLG"), self.field("EVENTQ_CONS", "OVACKFLG")
            if ovf == ack:                              # no overflow pending: flag a new one
                self.set_field("EVENTQ_PROD", "OVFLG", ovf ^ 1)
            return False
        addr = (self.eventq_base + S.q_index(prod, log2) * S.EVT_SIZE) & self._oas_mask()
        try:
            self.mem.write(addr, data)
        except BusError:
            self.gerror_activate("EVTQ_ABT_ERR")
            return False
        self.regs["EVENTQ_PROD"] = S.q_inc(prod, log2)
        return True

    def pending_events(self) -> list[S.Event]:
        """Events between EVENTQ_CONS and EVENTQ_PROD (not consumed)."""
        log2 = self.eventq_log2size
        cons, prod = self.regs["EVENTQ_CONS"], self.regs["EVENTQ_PROD"]
        out = []
        for _ in range(S.q_count(prod, cons, log2)):
            addr = self.eventq_base + S.q_index(cons, log2) * S.EVT_SIZE
            out.append(S.Event.decode(self.mem.read(addr, S.EVT_SIZE)))
            cons = S.q_inc(cons, log2)
        return out

    def consume_events(self) -> list[S.Event]:
        """Read the pending events and advance EVENTQ_CONS past them, as the driver does."""
        evs = self.pending_events()
        log2 = self.eventq_log2size
        cons = self.regs["EVENTQ_CONS"]
        for _ in evs:
            cons = S.q_inc(cons, log2)
        self.regs["EVENTQ_CONS"] = cons
        return evs

    # ---------------------------------------------------------------- global errors
    def gerror_active(self, name: str) -> bool:
        """An error is active while its GERROR and GERRORN bits differ."""
        m = R.GERROR.field(name).mask
        return bool((self.regs["GERROR"] ^ self.regs["GERRORN"]) & m)

    def gerror_activate(self, name: str) -> None:
        """Toggle GERROR.<name> unless that error is already active (SMMUv3 7.5: a new
        error of an active type is not logged). The RTL applies the same rule in smmu_top."""
        if not self.gerror_active(name):
            self.regs["GERROR"] ^= R.GERROR.field(name).mask

    # ---------------------------------------------------------------- command queue
    def _cmdq_error(self, cerror: int) -> None:
        self.set_field("CMDQ_CONS", "ERR", cerror)
        self.gerror_activate("CMDQ_ERR")

    def cmdq_error_active(self) -> bool:
        return self.gerror_active("CMDQ_ERR")

    def process_commands(self) -> list[S.Cmd]:
        """Consume commands from CMDQ_CONS up to CMDQ_PROD, as the SMMU does.

        Stops at the first bad command, leaving CMDQ_CONS pointing at it, with
        CMDQ_CONS.ERR = CERROR_ILL (unknown or unsupported opcode) or CERROR_ABT (bus
        error reading it) and GERROR.CMDQ_ERR toggled; nothing is consumed while that
        error is active (until software writes GERRORN). Returns the executed commands.
        """
        done: list[S.Cmd] = []
        if not self.field("CR0", "CMDQEN") or self.cmdq_error_active():
            return done
        log2 = self.cmdq_log2size
        while not S.q_empty(self.regs["CMDQ_PROD"], self.regs["CMDQ_CONS"], log2):
            cons = self.regs["CMDQ_CONS"]
            addr = (self.cmdq_base + S.q_index(cons, log2) * S.CMD_SIZE) & self._oas_mask()
            try:
                cmd = S.Cmd.decode(self.mem.read(addr, S.CMD_SIZE))
            except BusError:
                self._cmdq_error(R.CERROR_ABT)
                break
            if not self._execute(cmd):
                self._cmdq_error(R.CERROR_ILL)
                break
            done.append(cmd)
            # Consuming a command clears a stale ERR code; index/wrap advance.
            self.regs["CMDQ_CONS"] = S.q_inc(cons, log2) & R.CMDQ_CONS.field("RD").mask
        return done

    def _execute(self, cmd: S.Cmd) -> bool:
        """Apply one command; False if it is illegal here (CERROR_ILL)."""
        op, c = cmd.opcode, self.caches
        if op == S.CMD_PREFETCH_CONFIG:
            pass                                        # a hint: no architectural effect
        elif op == S.CMD_CFGI_STE:
            c.cfgi_sids([cmd.sid])
        elif op == S.CMD_CFGI_ALL:                      # CFGI_STE_RANGE: 2^(Range+1) SIDs
            span = 1 << (cmd.range_ + 1)
            lo = cmd.sid & ~(span - 1)
            c.cfgi_range(lo, lo + span - 1)
        elif op == S.CMD_CFGI_CD:
            c.cfgi_cd(cmd.sid, cmd.ssid, bool(cmd.leaf))
        elif op == S.CMD_CFGI_CD_ALL:
            c.cfgi_cd_all(cmd.sid)
        elif op == S.CMD_TLBI_NH_ALL:
            c.tlbi()
        elif op == S.CMD_TLBI_NH_ASID:
            c.tlbi(asid=cmd.asid)
        elif op == S.CMD_TLBI_NH_VA:
            # IDR3.RIL=0: a range TLBI run as a single-page one would leave stale entries
            if cmd.num or cmd.scale or cmd.tg:
                return False
            c.tlbi(asid=cmd.asid, va=cmd.va)
        elif op == S.CMD_TLBI_NSNH_ALL:
            c.tlbi()
        elif op == S.CMD_RESUME:
            if cmd.resp == 0b11:                        # reserved response
                return False
            # A RESUME that matches no stalled transaction is ignored.
            t = self.stalls.pop((cmd.sid, cmd.stag), None)
            if t is not None:
                self.resumed.append((t, cmd.resp))
        elif op == S.CMD_SYNC:
            if cmd.cs == 0b11:                          # reserved completion signal
                return False
            self.syncs += 1
            if cmd.cs == S.SYNC_CS_IRQ and self.msi and cmd.msiaddr:
                try:
                    self.mem.write(cmd.msiaddr, cmd.msidata.to_bytes(4, "little"))
                except BusError:                        # the queue goes on
                    self.gerror_activate("MSI_CMDQ_ABT_ERR")
        else:
            # Unknown opcodes, and TLBI_EL2_ALL since IDR0.HYP = 0.
            return False
        return True
