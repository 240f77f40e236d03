"""SparseMemory and the golden SMMU translation model.

Each test builds its own tables in memory and states the expected outcome from the
scenario (what was mapped where, which event the spec requires), not from the model.
"""

import time

import pytest

from pasidsim import regs as R
from pasidsim import smmuv3 as s
from pasidsim.bits import words_to_bytes
from pasidsim.memory import BusError, PhysMem, SparseMemory
from pasidsim.smmu_model import SmmuModel, walk

STRTAB = 0x10_0000
EVTQ = 0x20_0000
CDTAB = 0x30_0000
CMDQ = 0x28_0000
POOL = 0x100_0000


# ============================================================ SparseMemory
def test_memory_zero_fill_and_cross_page():
    m = SparseMemory()
    assert isinstance(m, PhysMem)
    assert m.read(0x1234_5678, 16) == bytes(16)
    data = bytes(range(200)) * 50                        # 10000 bytes over 3+ pages
    m.write(0xFFF0, data)
    assert m.read(0xFFF0, len(data)) == data
    assert m.read(0xFFEF, 2) == b"\x00\x00"
    m.write64(0x2004, 0x1122_3344_5566_7788)
    assert m.read(0x2004, 8) == bytes.fromhex("8877665544332211")
    assert m.read64(0x2004) == 0x1122_3344_5566_7788


def test_memory_bulk_is_fast():
    m = SparseMemory()
    blob = bytes(range(256)) * (4 * 1024 * 1024 // 256)
    t0 = time.perf_counter()
    m.write(0x4000_0800, blob)
    assert m.read(0x4000_0800, len(blob)) == blob
    assert time.perf_counter() - t0 < 2.0


def test_memory_error_ranges():
    m = SparseMemory()
    m.write(0x5000, b"\xAA" * 32)
    m.add_error_range(0x5010, 8)
    with pytest.raises(BusError) as e:
        m.read(0x5000, 0x11)                             # overlaps by one byte
    assert e.value.addr == 0x5000 and not e.value.write
    assert m.read(0x5000, 0x10) == b"\xAA" * 16           # just below: fine
    assert m.read(0x5018, 8) == b"\xAA" * 8               # just above: fine
    with pytest.raises(BusError):
        m.write(0x5008, b"\x55" * 16)
    assert m.read(0x5000, 0x10) == b"\xAA" * 16           # no partial write
    m.remove_error_range(0x5010, 8)
    assert m.read(0x5010, 8) == b"\xAA" * 8
    with pytest.raises(ValueError, match="no range"):
        m.remove_error_range(0x5010, 8)


def test_memory_rejects_bad_addresses():
    m = SparseMemory(addr_bits=48)
    with pytest.raises(ValueError, match="read"):
        m.read(-1, 1)
    with pytest.raises(ValueError, match="write"):
        m.write((1 << 48) - 4, bytes(8))
    with pytest.raises(ValueError, match="write64"):
        m.write64(0, 1 << 64)
    assert m.pages_in_use == 0                           # nothing changed


# ============================================================ scenario builder
class Env:
    """Stream table, CD table and page tables laid out in a SparseMemory."""

    def __init__(self, *, sid_bits=8, ssid_bits=12, oas_bits=48, stall=False, cd2l=True,
                 evtq_log2=4, caching=False, msi=False):
        self.mem = SparseMemory()
        self.smmu = SmmuModel(self.mem, sid_bits=sid_bits, ssid_bits=ssid_bits,
                              oas_bits=oas_bits, stall=stall, cd2l=cd2l, caching=caching,
                              msi=msi)
        self.smmu.configure(strtab_base=STRTAB, strtab_log2size=sid_bits, eventq_base=EVTQ,
                            eventq_log2size=evtq_log2, cmdq_base=CMDQ, cmdq_log2size=3)
        self.next = POOL

    def issue(self, *cmds):
        """Write commands at CMDQ_PROD, advance it, and let the model consume them."""
        m = self.smmu
        for c in cmds:
            prod = m.regs["CMDQ_PROD"]
            self.mem.write(CMDQ + 16 * s.q_index(prod, 3), c.encode() if isinstance(c, s.Cmd) else c)
            m.regs["CMDQ_PROD"] = s.q_inc(prod, 3)
        return m.process_commands()

    def alloc(self, size=0x1000):
        p = self.next
        self.next += size
        return p

    def ste(self, sid, **kw):
        fields = dict(v=1, config=s.STE_CFG_S1_TRANS, s1contextptr=CDTAB, s1cdmax=8)
        fields.update(kw)
        ste = s.Ste(**fields)
        self.mem.write(STRTAB + 64 * sid, ste.encode())
        return ste

    def cd(self, ssid=0, *, base=CDTAB, **kw):
        fields = dict(v=1, aa64=1, t0sz=16, ips=5, r=1, a=1, asid=0x42, epd1=1)
        fields.update(kw)
        if "ttb0" not in fields:
            fields["ttb0"] = self.alloc()
        cd = s.Cd(**fields)
        self.mem.write(base + 64 * ssid, cd.encode())
        return cd

    def map(self, cd, va, pa, *, level=3, desc=None, **kw):
        """Install va -> pa, creating tables. Returns the descriptor addresses on the path."""
        ia = 64 - cd.t0sz
        start = 0 if ia > 39 else 1 if ia > 30 else 2
        table, path = cd.ttb0, []
        for lvl in range(start, level + 1):
            shift = 39 - 9 * lvl
            slot = table + ((va >> shift) & 0x1FF) * 8
            path.append(slot)
            if lvl == level:
                if desc is None:
                    desc = s.pte_page(pa, **kw) if level == 3 else s.pte_block(pa, level, **kw)
                self.mem.write64(slot, desc)
                return path
            cur = self.mem.read64(slot)
            if cur & 3 == 3:
                table = cur & 0x0000_FFFF_FFFF_F000
            else:
                nxt = self.alloc()
                self.mem.write64(slot, s.pte_table(nxt))
                table = nxt
        raise AssertionError


def expect_event(t, evt_id, **fields):
    assert t.fault is not None, f"expected {s.EVENT_NAMES[evt_id]}, got {t}"
    assert t.fault.name == s.EVENT_NAMES[evt_id], str(t)
    want = s.Event(id=evt_id, **fields)
    assert t.fault == want, f"\n got  {t.fault!r}\n want {want!r}"


# ============================================================ global bypass / stream table
def test_smmu_disabled_uses_gbpa():
    env = Env()
    env.smmu.set_field("CR0", "SMMUEN", 0)
    t = env.smmu.translate(1, 0, False, 0x1234_5678, write=True)
    assert t.ok and t.bypass and t.pa == 0x1234_5678 and t.fault is None
    t = env.smmu.translate(1, 0, False, 1 << 48, write=False)          # beyond OAS
    assert t.abort and t.fault is None
    env.smmu.set_field("GBPA", "ABORT", 1)
    t = env.smmu.translate(1, 0, False, 0x1000, write=False)
    assert t.abort and not t.ok and t.fault is None


def test_bad_streamid_recorded_only_with_recinvsid():
    env = Env(sid_bits=8)
    env.smmu.regs["STRTAB_BASE_CFG"] = R.STRTAB_BASE_CFG.encode(LOG2SIZE=4)
    t = env.smmu.translate(16, 5, True, 0x1000, write=False)
    assert t.abort and t.record
    expect_event(t, s.EVT_C_BAD_STREAMID, sid=16, ssv=1, ssid=5)
    env.smmu.set_field("CR2", "RECINVSID", 0)
    t = env.smmu.translate(16, 5, True, 0x1000, write=False)
    assert t.abort and not t.record


def test_ste_fetch_abort():
    env = Env()
    env.mem.add_error_range(STRTAB + 64 * 7 + 32, 8)
    t = env.smmu.translate(7, 0, False, 0x1000, write=False)
    assert t.abort
    expect_event(t, s.EVT_F_STE_FETCH, sid=7, fetch_addr=STRTAB + 64 * 7)


@pytest.mark.parametrize("kw", [
    dict(v=0),
    dict(config=s.STE_CFG_S2_TRANS),
    dict(config=s.STE_CFG_NESTED),
    dict(s1cdmax=13),                       # > SSIDSIZE (12)
    dict(s1stalld=1),                       # STALL_MODEL = 0b01
    dict(strw=2),                           # EL2 StreamWorld, IDR0.HYP = 0
    dict(s1contextptr=1 << 48),             # beyond the OAS
], ids=["invalid", "s2", "nested", "cdmax", "stalld", "strw", "ctxptr"])
def test_bad_ste(kw):
    env = Env()
    env.ste(3, **kw)
    t = env.smmu.translate(3, 9, True, 0x1000, write=False)
    assert t.abort
    expect_event(t, s.EVT_C_BAD_STE, sid=3, ssv=1, ssid=9)


@pytest.mark.parametrize("config", [0b000, 0b001, 0b010, 0b011])
def test_abort_config_is_silent(config):
    env = Env()
    env.ste(3, config=config)
    t = env.smmu.translate(3, 0, False, 0x1000, write=True)
    assert t.abort and t.fault is None


def test_bypass_ste():
    env = Env()
    env.ste(2, config=s.STE_CFG_BYPASS)
    t = env.smmu.translate(2, 0, False, 0xABCD_E123, write=True)
    assert t.ok and t.bypass and t.pa == 0xABCD_E123
    t = env.smmu.translate(2, 4, True, 0x1000, write=False)
    expect_event(t, s.EVT_C_BAD_SUBSTREAMID, sid=2, ssid=4)
    t = env.smmu.translate(2, 0, False, 1 << 48, write=False, priv=True)
    assert t.abort and t.record
    expect_event(t, s.EVT_F_ADDR_SIZE, sid=2, rnw=1, pnu=1, class_=s.CLASS_IN,
                 input_addr=1 << 48)


# ============================================================ substreams and CD tables
def test_basic_translation_linear_cd_table():
    env = Env()
    env.ste(5)
    cd = env.cd(3, asid=0x77)
    env.map(cd, 0x7F12_3456_7000, 0x8_1234_5000)
    t = env.smmu.translate(5, 3, True, 0x7F12_3456_7ABC, write=True)
    assert t.ok and not t.bypass and t.fault is None
    assert (t.pa, t.page_size, t.level, t.asid) == (0x8_1234_5ABC, 4096, 3, 0x77)
    assert t.readable and t.writable and not t.global_
    # a different substream has an invalid CD
    t = env.smmu.translate(5, 4, True, 0x7F12_3456_7ABC, write=True)
    expect_event(t, s.EVT_C_BAD_CD, sid=5, ssv=1, ssid=4)


@pytest.mark.parametrize("t0sz,nlevels", [(16, 4), (24, 4), (25, 3), (33, 3), (34, 2), (39, 2)])
def test_walk_depth_and_addresses(t0sz, nlevels):
    env = Env()
    env.ste(1)
    cd = env.cd(1, t0sz=t0sz)
    va = ((1 << (64 - t0sz)) - 1) & ~0xFFF & 0x5A5A_5A5A_5000 | 0x3000   # inside the region
    path = env.map(cd, va, 0x4000_0000)
    assert len(path) == nlevels
    t = env.smmu.translate(1, 1, True, va | 0x123, write=False)
    assert t.ok and t.pa == 0x4000_0123
    assert t.walk.addrs == path
    assert walk(env.mem, cd.ttb0, t0sz, va).addrs == path


def test_block_mappings():
    env = Env()
    env.ste(1)
    cd = env.cd(1)
    env.map(cd, 0x4000_0000, 0x1_C000_0000, level=1)
    env.map(cd, 0x8060_0000, 0x2_0020_0000, level=2, ro=True)
    t = env.smmu.translate(1, 1, True, 0x4123_4567, write=True)
    assert (t.pa, t.page_size, t.level) == (0x1_C123_4567, 1 << 30, 1)
    t = env.smmu.translate(1, 1, True, 0x806A_BCDE, write=False)
    assert (t.pa, t.page_size, t.level) == (0x2_002A_BCDE, 1 << 21, 2)
    assert not t.writable


def test_substream_range_and_cdmax_zero():
    env = Env()
    env.ste(1, s1cdmax=4)
    env.cd(0)
    t = env.smmu.translate(1, 16, True, 0x1000, write=False)         # 16 >= 2^4
    expect_event(t, s.EVT_C_BAD_SUBSTREAMID, sid=1, ssid=16)
    env.ste(2, s1cdmax=0)
    cd = env.cd(0)
    env.map(cd, 0x1000, 0x9000)
    assert env.smmu.translate(2, 0, False, 0x1000, write=False).pa == 0x9000
    t = env.smmu.translate(2, 0, True, 0x1000, write=False)
    expect_event(t, s.EVT_C_BAD_SUBSTREAMID, sid=2, ssid=0)


@pytest.mark.parametrize("dss", [s.S1DSS_TERMINATE, 0b11])
def test_s1dss_terminate(dss):
    env = Env()
    env.ste(1, s1dss=dss)
    t = env.smmu.translate(1, 0, False, 0x1000, write=False)
    assert t.abort
    expect_event(t, s.EVT_F_STREAM_DISABLED, sid=1)


def test_s1dss_bypass_and_ssid0():
    env = Env()
    env.ste(1, s1dss=s.S1DSS_BYPASS)
    t = env.smmu.translate(1, 0, False, 0x1234_5000, write=True)
    assert t.ok and t.bypass and t.pa == 0x1234_5000
    env.ste(2, s1dss=s.S1DSS_SSID0)
    cd = env.cd(0)
    env.map(cd, 0x5000, 0x7000)
    assert env.smmu.translate(2, 0, False, 0x5008, write=False).pa == 0x7008
    t = env.smmu.translate(2, 0, True, 0x5008, write=False)           # substream 0 reserved
    expect_event(t, s.EVT_F_STREAM_DISABLED, sid=2)


@pytest.mark.parametrize("fmt,split", [(s.S1FMT_64K_L2, 10), (s.S1FMT_4K_L2, 6)])
def test_two_level_cd_table(fmt, split):
    env = Env()
    l1 = env.alloc()
    leaf = env.alloc(0x10000)
    ssid = (1 << split) + 6                            # L1 index 1, leaf index 6
    env.ste(4, s1fmt=fmt, s1cdmax=12, s1contextptr=l1)
    env.mem.write(l1 + 8, s.Cd_l1(v=1, l2ptr=leaf).encode())
    cd = env.cd(6, base=leaf, asid=9)
    env.map(cd, 0x2000, 0x3000)
    t = env.smmu.translate(4, ssid, True, 0x2010, write=False)
    assert t.ok and t.pa == 0x3010 and t.asid == 9
    t = env.smmu.translate(4, 6, True, 0x2010, write=False)             # L1 index 0: V=0
    expect_event(t, s.EVT_C_BAD_SUBSTREAMID, sid=4, ssid=6)
    env.mem.add_error_range(l1 + 16, 8)
    t = env.smmu.translate(4, (2 << split) + 1, True, 0x2010, write=False)
    expect_event(t, s.EVT_F_CD_FETCH, sid=4, ssv=1, ssid=(2 << split) + 1, fetch_addr=l1 + 16)


def test_two_level_needs_cd2l():
    env = Env(cd2l=False)
    env.ste(4, s1fmt=s.S1FMT_64K_L2)
    t = env.smmu.translate(4, 1, True, 0x2010, write=False)
    expect_event(t, s.EVT_C_BAD_STE, sid=4, ssv=1, ssid=1)


def test_reserved_s1fmt_behaves_linear():
    env = Env()
    env.ste(1, s1fmt=0b11)
    cd = env.cd(5)
    env.map(cd, 0x1000, 0x2000)
    assert env.smmu.translate(1, 5, True, 0x1000, write=False).pa == 0x2000


def test_cd_fetch_abort():
    env = Env()
    env.ste(1)
    env.mem.add_error_range(CDTAB + 64 * 3, 64)
    t = env.smmu.translate(1, 3, True, 0x1000, write=True)
    expect_event(t, s.EVT_F_CD_FETCH, sid=1, ssv=1, ssid=3, fetch_addr=CDTAB + 64 * 3)


@pytest.mark.parametrize("kw", [
    dict(v=0), dict(aa64=0), dict(tg0=s.TG0_64K), dict(tg0=0b11), dict(t0sz=15),
    dict(t0sz=40), dict(endi=1), dict(ha=1), dict(hd=1), dict(s=1),
    dict(ips=2, ttb0=1 << 40),                          # TTB0 beyond the 40-bit IPS
    dict(ttb0=1 << 48),                                 # beyond 48 bits
], ids=lambda kw: "-".join(f"{k}{v:x}" for k, v in kw.items()))
def test_bad_cd(kw):
    env = Env()
    env.ste(1)
    env.cd(2, **kw)
    t = env.smmu.translate(1, 2, True, 0x1000, write=False)
    assert t.abort and t.record
    expect_event(t, s.EVT_C_BAD_CD, sid=1, ssv=1, ssid=2)


def test_epd0_ignores_ttb0_fields_and_faults():
    env = Env()
    env.ste(1)
    env.cd(2, epd0=1, t0sz=63, tg0=3, endi=1)          # all IGNORED when EPD0 = 1
    t = env.smmu.translate(1, 2, True, 0x1000, write=False)
    expect_event(t, s.EVT_F_TRANSLATION, sid=1, ssv=1, ssid=2, rnw=1, class_=s.CLASS_IN,
                 input_addr=0x1000)


def test_ips_above_oas_is_capped():
    env = Env(oas_bits=40)
    env.ste(1)
    cd = env.cd(1, ips=5)                               # 48-bit IPS capped to 40
    env.map(cd, 0x1000, 1 << 40)
    t = env.smmu.translate(1, 1, True, 0x1000, write=False)
    expect_event(t, s.EVT_F_ADDR_SIZE, sid=1, ssv=1, ssid=1, rnw=1, class_=s.CLASS_IN,
                 input_addr=0x1000)


# ============================================================ input range and walk faults
def test_input_range_and_tbi():
    env = Env()
    env.ste(1)
    cd = env.cd(1, t0sz=25)                             # 39-bit TTB0 region
    env.map(cd, 0x1000, 0x5000)
    for bad in (1 << 39, 1 << 55 | 0x1000, 0xFF00_0000_0000_1000):
        t = env.smmu.translate(1, 1, True, bad, write=False)
        expect_event(t, s.EVT_F_TRANSLATION, sid=1, ssv=1, ssid=1, rnw=1,
                     class_=s.CLASS_IN, input_addr=bad)
    cd = env.cd(2, t0sz=25, tbi0=1, ttb0=cd.ttb0)
    t = env.smmu.translate(1, 2, True, 0xAB00_0000_0000_1234, write=False)
    assert t.ok and t.pa == 0x5234
    t = env.smmu.translate(1, 2, True, 0xAB80_0000_0000_1234, write=False)   # VA[55]: TTB1
    assert t.fault.id == s.EVT_F_TRANSLATION and t.fault.input_addr == 0xAB80_0000_0000_1234


def test_invalid_and_reserved_descriptors():
    env = Env()
    env.ste(1)
    cd = env.cd(1)
    t = env.smmu.translate(1, 1, True, 0x1000, write=True)              # nothing mapped
    expect_event(t, s.EVT_F_TRANSLATION, sid=1, ssv=1, ssid=1, class_=s.CLASS_IN,
                 input_addr=0x1000)
    env.map(cd, 0x2000, 0, desc=0x9001)                 # 0b01 at level 3 is reserved
    assert env.smmu.translate(1, 1, True, 0x2000, write=False).fault.id == s.EVT_F_TRANSLATION
    env.map(cd, 0x80_0000_0000, 0, level=0, desc=0x4000_0401)    # block at level 0
    t = env.smmu.translate(1, 1, True, 0x80_0000_0000, write=False)
    assert t.fault.id == s.EVT_F_TRANSLATION and len(t.walk.addrs) == 1


def test_walk_external_abort():
    env = Env()
    env.ste(1)
    cd = env.cd(1)
    path = env.map(cd, 0x1234_5000, 0x6000)
    env.mem.add_error_range(path[2], 8)                 # the level-2 descriptor
    t = env.smmu.translate(1, 1, True, 0x1234_5678, write=True, priv=True)
    assert t.abort and t.record and t.walk.addrs == path[:3]
    expect_event(t, s.EVT_F_WALK_EABT, sid=1, ssv=1, ssid=1, pnu=1, class_=s.CLASS_TTD,
                 input_addr=0x1234_5678, fetch_addr=path[2])


def test_table_address_beyond_ips():
    env = Env()
    env.ste(1)
    cd = env.cd(1, ips=2)                               # 40 bits
    env.map(cd, 0x1000, 0, level=1, desc=s.pte_table(1 << 40))
    t = env.smmu.translate(1, 1, True, 0x1000, write=False)
    assert t.fault.id == s.EVT_F_ADDR_SIZE and len(t.walk.addrs) == 2


def test_access_flag():
    env = Env()
    env.ste(1)
    cd = env.cd(1)
    env.map(cd, 0x1000, 0x2000, af=False)
    t = env.smmu.translate(1, 1, True, 0x1010, write=False)
    expect_event(t, s.EVT_F_ACCESS, sid=1, ssv=1, ssid=1, rnw=1, class_=s.CLASS_IN,
                 input_addr=0x1010)
    env.cd(2, ttb0=cd.ttb0, affd=1)
    assert env.smmu.translate(1, 2, True, 0x1010, write=False).pa == 0x2010


# ============================================================ permissions
def perm(env, ssid, va, **kw):
    t = env.smmu.translate(1, ssid, True, va, **kw)
    if t.fault is not None:
        assert t.fault.id == s.EVT_F_PERMISSION, str(t)
        return False
    assert t.ok
    return True


def test_permissions_ap_and_privilege():
    env = Env()
    env.ste(1)
    cd = env.cd(1)
    env.map(cd, 0x1000, 0x11000, ro=True)               # user read-only
    env.map(cd, 0x2000, 0x12000, user=False)            # kernel read-write
    env.map(cd, 0x3000, 0x13000)                        # user read-write
    assert perm(env, 1, 0x1000, write=False)
    assert not perm(env, 1, 0x1000, write=True)
    assert not perm(env, 1, 0x1000, write=True, priv=True)
    assert not perm(env, 1, 0x2000, write=False)        # unprivileged, AP[1] = 0
    assert perm(env, 1, 0x2000, write=True, priv=True)
    assert perm(env, 1, 0x3000, write=True)
    t = env.smmu.translate(1, 1, True, 0x1ABC, write=True, priv=True)
    expect_event(t, s.EVT_F_PERMISSION, sid=1, ssv=1, ssid=1, rnw=0, pnu=1,
                 class_=s.CLASS_IN, input_addr=0x1ABC)


def test_permissions_execute_pan_wxn():
    env = Env()
    env.ste(1)
    cd = env.cd(1)
    env.map(cd, 0x1000, 0x11000, ro=True, xn=True)
    env.map(cd, 0x2000, 0x12000, ro=True, pxn=True)
    env.map(cd, 0x3000, 0x13000)                        # user writable: implicitly PXN
    env.map(cd, 0x4000, 0x14000, user=False)            # kernel writable
    assert not perm(env, 1, 0x1000, write=False, instr=True)
    assert perm(env, 1, 0x1000, write=False, instr=True, priv=True)
    assert perm(env, 1, 0x2000, write=False, instr=True)
    assert not perm(env, 1, 0x2000, write=False, instr=True, priv=True)
    assert not perm(env, 1, 0x3000, write=False, instr=True, priv=True)
    assert perm(env, 1, 0x4000, write=False, instr=True, priv=True)
    env.cd(2, ttb0=cd.ttb0, wxn=1)
    assert not perm(env, 2, 0x4000, write=False, instr=True, priv=True)
    assert not perm(env, 2, 0x3000, write=False, instr=True)
    env.cd(3, ttb0=cd.ttb0, pan=1)
    assert not perm(env, 3, 0x3000, write=False, priv=True)          # user page
    assert perm(env, 3, 0x4000, write=True, priv=True)               # kernel page
    assert perm(env, 3, 0x3000, write=False)                         # unprivileged: fine


def test_hierarchical_table_attributes():
    env = Env()
    env.ste(1)
    cd = env.cd(1)
    path = env.map(cd, 0x1000, 0x11000)
    l2 = env.mem.read64(path[2])
    env.mem.write64(path[2], l2 | 1 << 62)              # APTable[1]: no writes below
    assert perm(env, 1, 0x1000, write=False)
    assert not perm(env, 1, 0x1000, write=True)
    env.mem.write64(path[2], l2 | 1 << 61)              # APTable[0]: no EL0 below
    assert not perm(env, 1, 0x1000, write=False)
    assert perm(env, 1, 0x1000, write=True, priv=True)
    env.mem.write64(path[2], l2 | 1 << 60)              # UXNTable
    assert not perm(env, 1, 0x1000, write=False, instr=True)


# ============================================================ fault configuration A/R/S
def test_fault_config_record_and_raz_wi():
    env = Env()
    env.ste(1)
    env.cd(1, r=0)
    t = env.smmu.translate(1, 1, True, 0x1000, write=False)
    assert t.fault.id == s.EVT_F_TRANSLATION and not t.record and t.abort
    env.cd(2, a=0)
    t = env.smmu.translate(1, 2, True, 0x1000, write=False)
    assert t.record and t.raz_wi and not t.abort
    env.cd(3, epd0=1, r=0)                              # A/R don't touch config errors
    env.mem.add_error_range(CDTAB + 64 * 4, 8)
    t = env.smmu.translate(1, 4, True, 0x1000, write=False)
    assert t.fault.id == s.EVT_F_CD_FETCH and t.record and t.abort


def test_stall_model():
    env = Env(stall=True)
    env.ste(1)
    env.cd(1, s=1, r=0)
    t = env.smmu.translate(1, 1, True, 0x1000, write=True, stag=0x1234)
    assert t.stalled and t.record and not t.abort and not t.ok
    expect_event(t, s.EVT_F_TRANSLATION, sid=1, ssv=1, ssid=1, stall=1, stag=0x1234,
                 class_=s.CLASS_IN, input_addr=0x1000)
    env.ste(2, s1stalld=1)
    t = env.smmu.translate(2, 1, True, 0x1000, write=True)
    expect_event(t, s.EVT_C_BAD_CD, sid=2, ssv=1, ssid=1)


# ============================================================ event queue
def test_event_queue_write_wrap_and_overflow():
    env = Env(evtq_log2=2)                              # 4 entries
    m = env.smmu
    evs = [s.Event(id=s.EVT_C_BAD_STE, sid=i) for i in range(6)]
    for i in range(4):
        assert m.record_event(evs[i])
        assert env.mem.read(EVTQ + 32 * i, 32) == evs[i].encode()
    assert m.regs["EVENTQ_PROD"] == 0b100               # index 0, wrap 1: full
    assert not m.record_event(evs[4])
    assert m.field("EVENTQ_PROD", "OVFLG") == 1
    assert not m.record_event(evs[5])                   # overflow already flagged
    assert m.field("EVENTQ_PROD", "OVFLG") == 1
    assert [e.sid for e in m.consume_events()] == [0, 1, 2, 3]
    m.set_field("EVENTQ_CONS", "OVACKFLG", 1)           # driver acknowledges
    assert m.record_event(evs[4])
    assert env.mem.read(EVTQ, 32) == evs[4].encode()   # wrapped to entry 0
    assert m.field("EVENTQ_PROD", "WR") == 0b101


def test_event_queue_disabled_and_abort():
    env = Env()
    m = env.smmu
    m.set_field("CR0", "EVTQEN", 0)
    assert not m.record_event(s.Event(id=1))
    assert m.regs["EVENTQ_PROD"] == 0
    m.set_field("CR0", "EVTQEN", 1)
    env.mem.add_error_range(EVTQ, 32)
    assert not m.record_event(s.Event(id=1))
    assert m.field("GERROR", "EVTQ_ABT_ERR") == 1 and m.regs["EVENTQ_PROD"] == 0


def test_translate_records_when_asked():
    env = Env()
    env.ste(1, v=0)
    t = env.smmu.translate(1, 0, False, 0x1000, write=False, record=True)
    assert env.smmu.pending_events() == [t.fault]
    env.smmu.translate(1, 0, False, 0x1000, write=False)                # default: pure
    assert len(env.smmu.pending_events()) == 1


# ============================================================ API misuse
def test_api_misuse_raises_and_leaves_state():
    env = Env(sid_bits=4, ssid_bits=4)
    before = dict(env.smmu.regs)
    with pytest.raises(ValueError, match="sid"):
        env.smmu.translate(16, 0, False, 0, write=False)
    with pytest.raises(ValueError, match="ssid"):
        env.smmu.translate(1, 16, True, 0, write=False)
    with pytest.raises(ValueError, match="instruction"):
        env.smmu.translate(1, 0, False, 0, write=True, instr=True)
    with pytest.raises(ValueError, match="iova"):
        env.smmu.translate(1, 0, False, 1 << 64, write=False)
    with pytest.raises(KeyError, match="CR7"):
        env.smmu.regs["CR7"] = 1
    with pytest.raises(ValueError, match="EVENTQ_PROD"):
        env.smmu.regs["EVENTQ_PROD"] = 1 << 32
    with pytest.raises(ValueError, match="oas_bits"):
        SmmuModel(env.mem, sid_bits=4, ssid_bits=4, oas_bits=47)
    with pytest.raises(ValueError, match="strtab_base"):
        env.smmu.configure(strtab_base=0x1010, strtab_log2size=4)
    with pytest.raises(ValueError, match="record_event"):
        env.smmu.record_event(b"\0" * 32)
    assert env.smmu.regs == before


# ============================================================ caches and commands
def pa_of(env, sid, ssid, va):
    t = env.smmu.translate(sid, ssid, True, va, write=False)
    return t.pa if t.ok else t.fault.name


def test_tlb_stale_until_tlbi():
    env = Env(caching=True)
    env.ste(1)
    cd = env.cd(1, asid=5)
    path = env.map(cd, 0x1000, 0xA000)
    assert pa_of(env, 1, 1, 0x1000) == 0xA000
    env.mem.write64(path[-1], s.pte_page(0xB000))
    t = env.smmu.translate(1, 1, True, 0x1000, write=False)
    assert t.pa == 0xA000 and t.tlb_hit                 # stale: no invalidation yet
    env.issue(s.cmd_tlbi_nh_asid(6), s.cmd_tlbi_nh_va(6, 0x1000), s.cmd_sync())
    assert pa_of(env, 1, 1, 0x1000) == 0xA000           # other ASID: untouched
    env.issue(s.cmd_tlbi_nh_va(5, 0x1000, leaf=True), s.cmd_sync())
    assert pa_of(env, 1, 1, 0x1000) == 0xB000
    env.mem.write64(path[-1], s.pte_page(0xC000))
    env.issue(s.cmd_tlbi_nh_asid(5))
    assert pa_of(env, 1, 1, 0x1000) == 0xC000
    env.mem.write64(path[-1], s.pte_page(0xD000))
    env.issue(s.cmd_tlbi_nh_all())
    assert pa_of(env, 1, 1, 0x1000) == 0xD000


def test_tlb_global_entries_and_blocks():
    env = Env(caching=True)
    env.ste(1)
    cd = env.cd(1, asid=5)
    path = env.map(cd, 0x20_0000, 0x4000_0000, level=2, ng=False)
    assert pa_of(env, 1, 1, 0x2F_F123) == 0x400F_F123
    env.mem.write64(path[-1], s.pte_block(0x8000_0000, 2, ng=False))
    env.issue(s.cmd_tlbi_nh_asid(5))                    # ASID scope skips global entries
    assert pa_of(env, 1, 1, 0x2F_F123) == 0x400F_F123
    env.issue(s.cmd_tlbi_nh_va(9, 0x21_0000))           # VA in the 2MB block, any ASID
    assert pa_of(env, 1, 1, 0x2F_F123) == 0x800F_F123


def test_config_cache_invalidation_scopes():
    env = Env(caching=True)
    for sid in range(4):
        env.ste(sid)
    cd = env.cd(1, asid=5)
    env.map(cd, 0x1000, 0xA000)
    assert pa_of(env, 1, 1, 0x1000) == 0xA000
    env.ste(1, v=0)                                     # STE change: stale until CFGI_STE
    assert pa_of(env, 1, 1, 0x1000) == 0xA000
    env.issue(s.cmd_cfgi_ste(2))
    assert pa_of(env, 1, 1, 0x1000) == 0xA000
    env.issue(s.cmd_cfgi_ste(1))
    assert pa_of(env, 1, 1, 0x1000) == "C_BAD_STE"
    env.ste(1)
    env.issue(s.cmd_cfgi_ste(1))
    assert pa_of(env, 1, 1, 0x1000) == 0xA000
    env.cd(1, v=0)                                      # CD change: CFGI_CD(other ssid) no-op
    env.issue(s.cmd_cfgi_cd(1, 2))
    assert pa_of(env, 1, 1, 0x1000) == 0xA000
    env.issue(s.cmd_cfgi_cd(1, 1))
    assert pa_of(env, 1, 1, 0x1000) == "C_BAD_CD"
    env.cd(1, ttb0=cd.ttb0, asid=5)
    assert pa_of(env, 1, 1, 0x1000) == 0xA000           # invalid CDs are not cached
    env.cd(1, v=0)
    env.issue(s.cmd_cfgi_cd_all(1))
    assert pa_of(env, 1, 1, 0x1000) == "C_BAD_CD"
    env.cd(1, ttb0=cd.ttb0, asid=5)
    env.issue(s.cmd_cfgi_cd_all(1))
    assert pa_of(env, 1, 1, 0x1000) == 0xA000
    env.cd(1, ttb0=cd.ttb0, asid=9)                     # CFGI_STE also drops the CDs
    env.issue(s.cmd_cfgi_ste(1))
    assert env.smmu.translate(1, 1, True, 0x1000, write=False).asid == 9
    env.ste(1, v=0)
    assert pa_of(env, 1, 1, 0x1000) == 0xA000
    env.issue(s.cmd_cfgi_all())
    assert pa_of(env, 1, 1, 0x1000) == "C_BAD_STE"


def test_cfgi_ste_range():
    env = Env(caching=True)
    for sid in range(8):
        env.ste(sid, config=s.STE_CFG_BYPASS)
        assert env.smmu.translate(sid, 0, False, 0x1000, write=False).ok   # now cached
    for sid in range(8):
        env.ste(sid, config=s.STE_CFG_ABORT)
    env.issue(s.Cmd(s.CMD_CFGI_ALL, sid=5, range_=1))     # SIDs 4..7
    got = [env.smmu.translate(sid, 0, False, 0x1000, write=False).ok for sid in range(8)]
    assert got == [True] * 4 + [False] * 4


def test_l1cd_leaf_scope():
    env = Env(caching=True)
    l1, leaf_a, leaf_b = env.alloc(), env.alloc(0x10000), env.alloc(0x10000)
    env.ste(4, s1fmt=s.S1FMT_64K_L2, s1cdmax=12, s1contextptr=l1)
    env.mem.write(l1 + 8, s.Cd_l1(v=1, l2ptr=leaf_a).encode())
    cd = env.cd(6, base=leaf_a, asid=1)
    env.cd(6, base=leaf_b, asid=2, ttb0=cd.ttb0)
    env.map(cd, 0x1000, 0xA000)
    ssid = 1024 + 6
    assert env.smmu.translate(4, ssid, True, 0x1000, write=False).asid == 1
    env.mem.write(l1 + 8, s.Cd_l1(v=1, l2ptr=leaf_b).encode())
    env.issue(s.cmd_cfgi_cd(4, ssid, leaf=True))        # L1CD stays cached: leaf A again
    assert env.smmu.translate(4, ssid, True, 0x1000, write=False).asid == 1
    env.issue(s.cmd_cfgi_cd(4, ssid, leaf=False))
    assert env.smmu.translate(4, ssid, True, 0x1000, write=False).asid == 2


def test_cmdq_illegal_command_stops_the_queue():
    env = Env()
    m = env.smmu
    bad = words_to_bytes([0xFE, 0])                     # opcode 0xFE does not exist
    done = env.issue(s.cmd_sync(), bad, s.cmd_tlbi_nh_all(), s.cmd_tlbi_el2_all())
    assert [c.opcode for c in done] == [s.CMD_SYNC]
    assert m.syncs == 1
    assert m.field("CMDQ_CONS", "RD") == 1 and m.field("CMDQ_CONS", "ERR") == R.CERROR_ILL
    assert m.cmdq_error_active()
    assert m.process_commands() == []                   # held until GERRORN acknowledges
    env.mem.write(CMDQ + 16, s.cmd_sync().encode())     # driver replaces it (as Linux does)
    m.regs["GERRORN"] = m.regs["GERROR"]
    done = m.process_commands()
    assert [c.opcode for c in done] == [s.CMD_SYNC, s.CMD_TLBI_NH_ALL]
    # TLBI_EL2_ALL is illegal too: IDR0.HYP = 0
    assert m.field("CMDQ_CONS", "RD") == 3 and m.field("CMDQ_CONS", "ERR") == R.CERROR_ILL


def test_cmdq_fetch_abort_and_disabled():
    env = Env()
    m = env.smmu
    m.set_field("CR0", "CMDQEN", 0)
    env.mem.write(CMDQ, s.cmd_sync().encode())
    m.regs["CMDQ_PROD"] = 1
    assert m.process_commands() == [] and m.regs["CMDQ_CONS"] == 0
    m.set_field("CR0", "CMDQEN", 1)
    env.mem.add_error_range(CMDQ, 16)
    assert m.process_commands() == []
    assert m.field("CMDQ_CONS", "ERR") == R.CERROR_ABT and m.field("CMDQ_CONS", "RD") == 0


def test_cmd_sync_msi_and_wraparound():
    env = Env(msi=True)
    m = env.smmu
    cmds = [s.cmd_sync(s.SYNC_CS_IRQ, 0x9000, i) for i in range(11)]   # queue holds 8
    for c in cmds:
        env.issue(c)
    assert m.syncs == 11 and env.mem.read(0x9000, 4) == (10).to_bytes(4, "little")
    assert m.regs["CMDQ_CONS"] == m.regs["CMDQ_PROD"] == 11 & 0xF


def test_resume_releases_stalled_transaction():
    env = Env(stall=True)
    env.ste(1)
    env.cd(1, s=1)
    t = env.smmu.translate(1, 1, True, 0x1000, write=True, stag=7, record=True)
    assert t.stalled and env.smmu.stalls == {(1, 7): t}
    assert env.smmu.pending_events()[0].stall == 1
    env.issue(s.cmd_resume(1, 8, s.RESUME_RETRY))       # wrong STAG: ignored
    assert env.smmu.stalls and env.smmu.resumed == []
    env.issue(s.cmd_resume(1, 7, s.RESUME_ABORT))
    assert env.smmu.stalls == {} and env.smmu.resumed == [(t, s.RESUME_ABORT)]


# ============================================================ malformed commands, global errors
@pytest.mark.parametrize("bad", [
    s.Cmd(opcode=s.CMD_TLBI_NH_VA, asid=1, va=0x1000, num=1),        # IDR3.RIL=0: no ranges
    s.Cmd(opcode=s.CMD_TLBI_NH_VA, asid=1, va=0x1000, scale=2),
    s.Cmd(opcode=s.CMD_TLBI_NH_VA, asid=1, va=0x1000, tg=1),
    s.Cmd(opcode=s.CMD_SYNC, cs=0b11),                                # reserved CS
    s.Cmd(opcode=s.CMD_RESUME, sid=1, stag=7, resp=0b11),             # reserved RESP
], ids=["tlbi_num", "tlbi_scale", "tlbi_tg", "sync_cs3", "resume_resp3"])
def test_cmdq_malformed_commands_are_cerror_ill(bad):
    env = Env(caching=True, stall=True)
    m = env.smmu
    env.ste(1)
    env.cd(1, s=1)
    t = m.translate(1, 1, True, 0x1000, write=True, stag=7, record=True)
    assert t.stalled
    done = env.issue(s.cmd_sync(), bad, s.cmd_sync())
    assert [c.opcode for c in done] == [s.CMD_SYNC] and m.syncs == 1
    assert m.field("CMDQ_CONS", "RD") == 1 and m.field("CMDQ_CONS", "ERR") == R.CERROR_ILL
    assert m.cmdq_error_active() and m.stalls == {(1, 7): t}, "the bad RESUME did nothing"


def test_tlbi_nh_va_without_range_fields_is_legal():
    env = Env()
    done = env.issue(s.Cmd(opcode=s.CMD_TLBI_NH_VA, asid=1, va=0x1000, leaf=1, ttl=3))
    assert len(done) == 1 and not env.smmu.cmdq_error_active()


def test_cmd_sync_msi_write_error_sets_gerror_and_queue_goes_on():
    env = Env(msi=True)
    m = env.smmu
    env.mem.add_error_range(0x9000, 0x1000)
    done = env.issue(s.cmd_sync(s.SYNC_CS_IRQ, 0x9000, 5), s.cmd_sync(s.SYNC_CS_IRQ, 0x9000, 6))
    assert len(done) == 2 and m.syncs == 2
    assert m.field("GERROR", "MSI_CMDQ_ABT_ERR") == 1, "second error: already active, no toggle"
    assert m.regs["CMDQ_CONS"] == m.regs["CMDQ_PROD"] and not m.cmdq_error_active()
    m.regs["GERRORN"] = m.regs["GERROR"]                # acknowledged: a new error toggles
    env.issue(s.cmd_sync(s.SYNC_CS_IRQ, 0x9000, 7))
    assert m.field("GERROR", "MSI_CMDQ_ABT_ERR") == 0 and m.gerror_active("MSI_CMDQ_ABT_ERR")


def test_event_queue_abort_stops_delivery_until_acknowledged():
    env = Env()
    m = env.smmu
    env.mem.add_error_range(EVTQ, 32)                   # only slot 0 fails
    assert not m.record_event(s.Event(id=1))
    assert m.field("GERROR", "EVTQ_ABT_ERR") == 1 and m.gerror_active("EVTQ_ABT_ERR")
    env.mem.remove_error_range(EVTQ, 32)
    assert not m.record_event(s.Event(id=2)), "delivery stopped while the abort is active"
    assert m.regs["EVENTQ_PROD"] == 0 and m.field("GERROR", "EVTQ_ABT_ERR") == 1
    m.regs["GERRORN"] = m.regs["GERROR"]
    assert m.record_event(s.Event(id=3)) and m.regs["EVENTQ_PROD"] == 1
    assert m.pending_events() == [s.Event(id=3)]
    # a second abort while one is active does not toggle the flag back
    env.mem.add_error_range(EVTQ + 32, 32)
    assert not m.record_event(s.Event(id=4)) and m.gerror_active("EVTQ_ABT_ERR")
    env.mem.remove_error_range(EVTQ + 32, 32)
    assert not m.record_event(s.Event(id=5)) and m.gerror_active("EVTQ_ABT_ERR")
    assert m.regs["EVENTQ_PROD"] == 1
