"""Field positions of the SMMUv3 formats, checked against hand-computed words.

Every expected word below was worked out by hand from the SMMUv3 spec /
arm-smmu-v3.h bit positions, not produced by the code under test.
"""

import random

import pytest

from pasidsim import smmuv3 as s
from pasidsim.bits import Field, bytes_to_words, words_to_bytes


def words(b):
    return bytes_to_words(b, len(b) // 8)


# ---------------------------------------------------------------- bits.Field
def test_field_value_and_address_flavours():
    f = Field("x", 0, 4, 3)
    assert f.mask == 0x70 and f.msb == 6 and f.max == 7
    assert f.set(0xFFFF, 0b010) == 0xFFAF
    assert f.get(0xFFAF) == 0b010
    a = Field("p", 1, 12, 40, addr=True)
    assert a.bit == 76
    assert a.set(0xFFF, 0xABC000) == 0xABCFFF
    assert a.get(0xABCFFF) == 0xABC000
    with pytest.raises(ValueError, match="p: address 0x1234"):
        a.set(0, 0x1234)
    with pytest.raises(ValueError, match="x: value 0x8"):
        f.set(0, 8)
    with pytest.raises(ValueError, match="x: negative"):
        f.set(0, -1)


# ---------------------------------------------------------------- STE
def test_ste_hand_computed():
    ste = s.Ste(v=1, config=s.STE_CFG_S1_TRANS, s1fmt=s.S1FMT_64K_L2,
                s1contextptr=0xF_1234_5678_9AC0, s1cdmax=20, s1dss=s.S1DSS_SSID0,
                s1cir=1, s1cor=1, s1csh=3, s1stalld=1, strw=2, shcfg=1)
    w = ste.words()
    assert w[0] == 0xA00F_1234_5678_9AEB
    assert w[1] == 0x0000_1000_8800_00D6
    assert w[2:] == [0] * 6
    assert ste.encode() == words_to_bytes(w) and len(ste.encode()) == 64
    assert s.Ste.decode(ste.encode()) == ste


def test_ste_eats_position():
    assert s.Ste(eats=1).words()[1] == 1 << 28


def test_ste_rejects_out_of_range():
    with pytest.raises(ValueError, match="config"):
        s.Ste(config=8)
    with pytest.raises(ValueError, match="s1contextptr"):
        s.Ste(s1contextptr=0x1020)          # not 64-byte aligned
    with pytest.raises(ValueError, match="s1contextptr"):
        s.Ste(s1contextptr=1 << 52)
    with pytest.raises(ValueError, match="s1cdmax"):
        s.Ste(s1cdmax=32)
    ste = s.Ste()
    ste.s1dss = 4                            # mutated after construction: caught at encode
    with pytest.raises(ValueError, match="s1dss"):
        ste.encode()
    with pytest.raises(ValueError, match="Ste: expected 64 bytes"):
        s.Ste.decode(bytes(32))


def test_strtab_l1_desc():
    d = s.StrtabL1(span=9, l2ptr=0x1_0000_0040)
    assert d.words() == [0x1_0000_0049]
    assert s.StrtabL1.decode(d.encode()) == d


# ---------------------------------------------------------------- CD
def test_cd_hand_computed():
    cd = s.Cd(t0sz=16, irgn0=1, orgn0=1, sh0=3, epd1=1, v=1, ips=5, aa64=1, r=1, a=1,
              asid=0x1234, had0=1, ttb0=0x8_0000_1000, mair0=0x0044FF04, mair1=0xFF)
    w = cd.words()
    assert w[0] == 0x1234_6205_C000_3510
    assert w[1] == 0x8_0000_1002
    assert w[2] == 0
    assert w[3] == 0x0000_00FF_0044_FF04
    assert w[4:] == [0] * 4
    assert s.Cd.decode(cd.encode()) == cd


@pytest.mark.parametrize("name,bit", [
    ("epd0", 14), ("endi", 15), ("affd", 35), ("wxn", 36), ("uwxn", 37), ("tbi0", 38), ("pan", 40),
    ("hd", 42), ("ha", 43), ("s", 44), ("aset", 47)])
def test_cd_single_bits(name, bit):
    assert s.Cd(**{name: 1}).words()[0] == 1 << bit


def test_cd_multi_bit_fields():
    assert s.Cd(tg0=2).words()[0] == 2 << 6
    assert s.Cd(nscfg0=1).words()[1] == 1
    with pytest.raises(ValueError, match="ttb0"):
        s.Cd(ttb0=0x1008)                   # TTB0 holds PA[51:4]: 16-byte aligned
    with pytest.raises(ValueError, match="asid"):
        s.Cd(asid=1 << 16)
    with pytest.raises(ValueError, match="t0sz"):
        s.Cd(t0sz=64)


def test_cd_l1_desc():
    d = s.Cd_l1(v=1, l2ptr=0xA_BCDE_F000)
    assert d.words() == [0xA_BCDE_F001]
    assert s.Cd_l1.decode(d.encode()) == d
    with pytest.raises(ValueError, match="l2ptr"):
        s.Cd_l1(l2ptr=0x800)


# ---------------------------------------------------------------- descriptors
def test_pte_builders_hand_computed():
    assert s.pte_page(0x1234_5000) == 0x1234_5F43            # AP=01 SH=11 AF nG page
    assert s.pte_page(0x1234_5000, ro=True) == 0x1234_5FC3
    assert s.pte_page(0x1234_5000, xn=True) == 0x0040_0000_1234_5F43
    assert s.pte_page(0x1234_5000, pxn=True) == 0x0020_0000_1234_5F43
    assert s.pte_page(0x1000, af=False, user=False, ng=False, sh=0, attrindx=5) == 0x1017
    assert s.pte_table(0x8_0000_2000) == 0x8_0000_2003
    assert s.pte_block(0x4000_0000, 1, user=False, ng=False, sh=0) == 0x4000_0401
    assert s.pte_block(0x20_0000, 2, ro=True, user=False, ng=False, sh=0) == 0x20_0481


def test_pte_builders_reject_bad_input():
    with pytest.raises(ValueError, match="oa"):
        s.pte_page(0x1001)
    with pytest.raises(ValueError, match="oa"):
        s.pte_table(1 << 48)
    with pytest.raises(ValueError, match="level"):
        s.pte_block(0, 3)
    with pytest.raises(ValueError, match="level"):
        s.pte_block(0, 0)
    with pytest.raises(ValueError, match="pa"):
        s.pte_block(0x1000, 2)


def test_pte_decode():
    p = s.Pte.decode(0x0040_0000_1234_5FC3, 3)
    assert (p.type, p.oa, p.ap, p.af, p.ng, p.xn, p.pxn, p.sh) == \
        ("page", 0x1234_5000, 3, 1, 1, 1, 0, 3)
    assert p.readonly and p.user and p.size == 4096 and p.valid and p.is_leaf
    t = s.Pte.decode(0x6000_0008_0000_2003, 1)       # APTable=11 on a table
    assert (t.type, t.oa, t.aptable) == ("table", 0x8_0000_2000, 3)
    b = s.Pte.decode(0x4000_0401, 1)
    assert (b.type, b.oa, b.size) == ("block", 0x4000_0000, 1 << 30)
    assert s.Pte.decode(0x20_1401, 2).oa == 0x20_0000    # RES0 low OA bits of a block dropped
    # 0b01 is reserved at levels 0 and 3; bit0 = 0 is invalid everywhere
    assert s.Pte.decode(0x4000_0401, 0).type == "invalid"
    assert s.Pte.decode(0x1401, 3).type == "invalid"
    assert s.Pte.decode(0x1402, 3).type == "invalid"
    assert s.Pte.decode(0x1003, 0).type == "table"
    with pytest.raises(ValueError, match="level"):
        s.Pte.decode(0, 4)


def test_levels_for_t0sz_whole_range():
    for t0sz in range(16, 40):
        ia = 64 - t0sz
        levels = s.levels_for_t0sz(t0sz)
        assert levels[-1] == 3
        # the start level's table must resolve the top address bit, and no fewer levels do
        assert s.LEVEL_SHIFT[levels[0]] + 9 >= ia > s.LEVEL_SHIFT[levels[0]]
    assert s.levels_for_t0sz(16) == (0, 1, 2, 3)     # 48-bit IA
    assert s.levels_for_t0sz(25) == (1, 2, 3)        # 39-bit IA
    assert s.levels_for_t0sz(24) == (0, 1, 2, 3)     # 40-bit IA
    assert s.levels_for_t0sz(34) == (2, 3)           # 30-bit IA
    with pytest.raises(ValueError, match="t0sz"):
        s.levels_for_t0sz(15)
    with pytest.raises(ValueError, match="t0sz"):
        s.levels_for_t0sz(40)


# ---------------------------------------------------------------- events
def test_event_hand_computed():
    e = s.Event(id=s.EVT_C_BAD_CD, sid=0x1_0005, ssv=1, ssid=0xABCDE)
    assert e.words() == [0x0001_0005_ABCD_E80A, 0, 0, 0]
    p = s.Event(id=s.EVT_F_PERMISSION, pnu=1, class_=s.CLASS_IN, input_addr=0xFFFF_0000_1234_5678,
                ipa=0x5_0000_0000)
    assert p.words() == [0x13, 0x202_0000_0000, 0xFFFF_0000_1234_5678, 0x5_0000_0000]
    assert s.Event(stag=0xBEEF, stall=1).words()[1] == 0x8000_BEEF
    assert s.Event(ind=1, rnw=1, s2=1, nsipa=1).words()[1] == 0x8000_008C_0000_0000
    f = s.Event(id=s.EVT_F_CD_FETCH, fetch_addr=0xF_FFFF_FFFF_FFF8, class_=s.CLASS_CD)
    assert f.words()[3] == 0xF_FFFF_FFFF_FFF8
    for ev in (e, p, f):
        assert s.Event.decode(ev.encode()) == ev
        assert len(ev.encode()) == 32


def test_event_word3_interpretation_and_errors():
    # The same word 3 decodes as FetchAddr for fetch aborts, as IPA otherwise.
    raw = [s.EVT_F_WALK_EABT, 0, 0, 0x1_2345_6000]
    assert s.Event.from_words(raw).fetch_addr == 0x1_2345_6000
    raw[0] = s.EVT_F_TRANSLATION
    assert s.Event.from_words(raw).ipa == 0x1_2345_6000
    with pytest.raises(ValueError, match="ssid"):
        s.Event(ssid=1 << 20)
    with pytest.raises(ValueError, match="fetch_addr"):
        s.Event(fetch_addr=0x1004)
    with pytest.raises(ValueError, match="overlap"):
        s.Event(fetch_addr=0x1000, ipa=0x1000)
    assert s.Event(id=0x10).name == "F_TRANSLATION" and "F_TRANSLATION" in str(s.Event(id=0x10))


# ---------------------------------------------------------------- commands
CMD_CASES = [
    (s.cmd_cfgi_ste(0x1234), [0x0000_1234_0000_0003, 1]),
    (s.cmd_cfgi_ste(0x1234, leaf=False), [0x0000_1234_0000_0003, 0]),
    (s.cmd_cfgi_all(), [0x04, 0x1F]),
    (s.cmd_cfgi_cd(7, 0x12345), [0x0000_0007_1234_5005, 1]),
    (s.cmd_cfgi_cd_all(9), [0x0000_0009_0000_0006, 0]),
    (s.cmd_tlbi_nh_all(), [0x10, 0]),
    (s.cmd_tlbi_nh_asid(0xBEEF), [0xBEEF_0000_0000_0011, 0]),
    (s.cmd_tlbi_nh_va(1, 0xFFFF_8000_1234_5678, leaf=True),
     [0x0001_0000_0000_0012, 0xFFFF_8000_1234_5001]),
    (s.cmd_tlbi_nh_va(1, 0x1234_5000, num=3, scale=2, ttl=3, tg=1),
     [0x0001_0000_0020_3012, 0x1234_5700]),
    (s.cmd_tlbi_el2_all(), [0x20, 0]),
    (s.cmd_tlbi_nsnh_all(), [0x30, 0]),
    (s.cmd_resume(0x42, 0x77, s.RESUME_ABORT), [0x0000_0042_0000_2044, 0x77]),
    (s.cmd_resume(0x42, 0x77, s.RESUME_RETRY), [0x0000_0042_0000_1044, 0x77]),
    (s.cmd_sync(s.SYNC_CS_IRQ, 0x8_0000_0004, 0xDEADBEEF, msh=3, msiattr=0xF),
     [0xDEAD_BEEF_0FC0_1046, 0x8_0000_0004]),
    (s.cmd_prefetch_config(3, ssid=5), [0x0000_0003_0000_5801, 0]),
]


@pytest.mark.parametrize("cmd,expected", CMD_CASES, ids=[c.name for c, _ in CMD_CASES])
def test_cmd_hand_computed(cmd, expected):
    assert cmd.words() == expected
    assert len(cmd.encode()) == 16
    assert s.Cmd.decode(cmd.encode()) == cmd


def test_cmd_decode_named_fields_and_unknown_opcode():
    c = s.Cmd.decode(words_to_bytes([0x0000_0007_1234_5005, 1]))
    assert c.opcode == s.CMD_CFGI_CD and c.fields() == {"ssid": 0x12345, "sid": 7, "leaf": 1}
    u = s.Cmd.decode(words_to_bytes([0xFF_0000_00FE, 0xFFFF]))
    assert u.opcode == 0xFE and not u.known and u.fields() == {}


def test_cmd_rejects_bad_fields():
    with pytest.raises(ValueError, match="ssid"):
        s.cmd_cfgi_cd(1, 1 << 20)
    with pytest.raises(ValueError, match="CFGI_STE: field asid"):
        s.Cmd(s.CMD_CFGI_STE, asid=1)
    with pytest.raises(ValueError, match="resp"):
        s.cmd_resume(1, 1, 3)
    with pytest.raises(ValueError, match="stag"):
        s.cmd_resume(1, 1 << 16, s.RESUME_RETRY)
    with pytest.raises(ValueError, match="cs"):
        s.cmd_sync(3)
    with pytest.raises(ValueError, match="msiaddr"):
        s.cmd_sync(s.SYNC_CS_NONE, msiaddr=0x1001)
    with pytest.raises(ValueError, match="opcode"):
        s.Cmd(0x100)
    with pytest.raises(ValueError, match="va"):
        s.cmd_tlbi_nh_va(0, 1 << 64)


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("cls", [s.Ste, s.Cd, s.Cd_l1, s.StrtabL1, s.Event])
def test_random_round_trip(cls):
    rng = random.Random(1234)
    for _ in range(200):
        kw = {}
        for f in cls.FIELDS:
            v = rng.getrandbits(64) & f.mask if f.addr else rng.getrandbits(f.width)
            kw[cls._attr(f)] = v
        if cls is s.Event:
            kw["ipa" if rng.random() < 0.5 else "fetch_addr"] = 0
            if kw["fetch_addr"]:
                kw["id"] = s.EVT_F_WALK_EABT
            elif kw["id"] in s.Event.FETCH_EVENTS:
                kw["id"] = s.EVT_F_TRANSLATION
        obj = cls(**kw)
        assert cls.decode(obj.encode()) == obj
        # and the other direction, on the bits the format defines
        assert cls.decode(obj.encode()).encode() == obj.encode()


def test_fields_do_not_overlap():
    for cls in (s.Ste, s.Cd, s.Cd_l1, s.StrtabL1):
        seen = {}
        for f in cls.FIELDS:
            for b in range(f.bit, f.bit + f.width):
                assert b not in seen, f"{cls.__name__}.{f.name} overlaps {seen[b]}"
                seen[b] = f.name


# ---------------------------------------------------------------- queues
def test_queue_pointers():
    assert s.q_index(0b1101, 3) == 0b101 and s.q_wrap(0b1101, 3) == 1
    assert s.q_inc(7, 3) == 8
    assert s.q_inc(15, 3) == 0
    assert s.q_inc(0x8000_000F, 3) == 0x8000_0000          # OVFLG-style high bits kept
    assert s.q_full(8, 0, 3) and not s.q_empty(8, 0, 3)
    assert s.q_empty(8, 8, 3) and not s.q_full(8, 8, 3)
    assert not s.q_full(3, 1, 3) and s.q_count(3, 1, 3) == 2
    assert s.q_count(1, 14, 3) == 3                         # across the wrap
    with pytest.raises(ValueError, match="log2size"):
        s.q_index(0, 20)


def test_docs_tables_match_code():
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text()
    body = doc.split("<!-- BEGIN GENERATED -->\n", 1)[1].split("<!-- END GENERATED -->", 1)[0]
    assert body == s.markdown(), "docs/formats.md is stale: regenerate with python -m pasidsim.smmuv3"
