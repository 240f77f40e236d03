"""Trace extractor and dump reader on a synthetic smmu_top dump with known traffic:
a miss with three walk reads, a hit, a fault with its event record, a fault without one,
a write with its own walker, and payloads scrambled at the sampling edge."""

import pytest

from pasidsim import smmuv3 as S
from pasidsim import trace as T
from tb.common.trace import extract, find_smmu
from tb.common.waves import Dump
from tb.debug.synth import smmu_ports, user

SB = 8
TOP = 0x10          # internal bit of the 5-bit memory-port ID
PA = 0x4000_0000


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    d = smmu_ports(SB)
    u = lambda sid, ssid=0, ssv=0: user(SB, sid, ssid, ssv)  # noqa: E731
    # 1: read miss, STE + CD + L3 walk reads by walker 0, then memory, two R beats
    d.beat(10, "s_axi_ar", id=1, addr=0x1010, len=1, size=3, burst=1, user=u(1, 1, 1))
    for c in (12, 14, 16):
        d.beat(c, "m_axi_ar", id=TOP | 0, addr=0x1000_0000 + c * 8, len=0, size=3, burst=1)
    d.beat(20, "m_axi_ar", id=1, addr=PA + 0x2010, len=1, size=3, burst=1)
    d.beat(25, "s_axi_r", id=1, data=1, resp=0, last=0)
    d.beat(26, "s_axi_r", id=1, data=2, resp=0, last=1)
    # 2: hit
    d.beat(30, "s_axi_ar", id=1, addr=0x1020, len=0, size=3, burst=1, user=u(1, 1, 1))
    d.beat(32, "m_axi_ar", id=1, addr=PA + 0x2020, len=0, size=3, burst=1)
    d.beat(36, "s_axi_r", id=1, data=3, resp=0, last=1)
    # 3: translation fault, walker 1, event record written (4 beats), SLVERR
    d.beat(40, "s_axi_ar", id=2, addr=0x5008, len=0, size=3, burst=1, user=u(1, 2, 1))
    d.beat(42, "m_axi_ar", id=TOP | 1, addr=0x1000_0040, len=0, size=3, burst=1)
    d.beat(44, "m_axi_ar", id=TOP | 1, addr=0x1000_0080, len=0, size=3, burst=1)
    ev = S.Event(id=S.EVT_F_TRANSLATION, sid=1, ssid=2, ssv=1, rnw=1, input_addr=0x5008,
                 class_=S.CLASS_IN)
    d.beat(47, "m_axi_aw", id=TOP, addr=0x0F00_0000, len=3, size=3, burst=1)
    raw = ev.encode()
    for i in range(4):
        d.beat(48 + i, "m_axi_w", data=int.from_bytes(raw[8 * i:8 * i + 8], "little"),
               strb=0xFF, last=int(i == 3))
    d.beat(50, "s_axi_r", id=2, data=0, resp=2, last=1)
    # 4: write, walked by the write walker (index RD_WALKERS = 2)
    d.beat(60, "s_axi_aw", id=3, addr=0x1040, len=0, size=3, burst=1, user=u(1, 1, 1))
    d.beat(62, "m_axi_ar", id=TOP | 2, addr=0x1000_00C0, len=0, size=3, burst=1)
    d.beat(65, "m_axi_aw", id=3, addr=PA + 0x2040, len=0, size=3, burst=1)
    d.beat(66, "m_axi_w", data=0x1234, strb=0xFF, last=1)
    d.beat(70, "s_axi_b", id=3, resp=0)
    # 5: no event (e.g. CD.R=0): the response names the fault; no SSV, other SID
    d.beat(80, "s_axi_ar", id=4, addr=0x7000, len=0, size=3, burst=1, user=u(9))
    d.beat(84, "s_axi_r", id=4, data=0, resp=2, last=1)
    return Dump(d.write(tmp_path_factory.mktemp("synth") / "dump.vcd"))


def test_reader_samples_what_the_flops_saw(dump):
    ar = dump.handshakes("smmu_top.s_axi", "ar")
    assert [(b["t"], b["id"], b["addr"]) for b in ar] == \
        [(44.0, 1, 0x1010), (124.0, 1, 0x1020), (164.0, 2, 0x5008), (324.0, 4, 0x7000)]
    assert dump.value_before("smmu_top.s_axi_araddr", 44.0) == 0x1010
    assert dump.value_at("smmu_top.s_axi_araddr", 44.0) == 0x5A5A5A5A & ((1 << 48) - 1)
    assert "$rootio.s_axi_arvalid" not in dump.signals
    assert dump.param("smmu_top", "SID_BITS") == SB
    assert dump.resolve("s_axi_arvalid") == "smmu_top.s_axi_arvalid"
    with pytest.raises(KeyError, match="no signal 'nonesuch'"):
        dump.resolve("nonesuch")
    with pytest.raises(ValueError, match="channel 'x'"):
        dump.handshakes("smmu_top.s_axi", "x")


def test_extract(dump):
    assert find_smmu(dump) == "smmu_top"
    recs = extract(dump)
    for r in recs:
        T.validate(r)
    xl = [r for r in recs if r["kind"] == "xlate"]
    got = [(r["va"], r["rnw"], r["sid"], r["ssid"], r["ssv"], r["pa"], r["fault"], r["hit"],
            r["walk_depth"]) for r in xl]
    assert got == [
        (0x1010, 1, 1, 1, 1, PA + 0x2010, None, False, 3),
        (0x1020, 1, 1, 1, 1, PA + 0x2020, None, True, 0),
        (0x5008, 1, 1, 2, 1, None, "F_TRANSLATION", False, 2),
        (0x1040, 0, 1, 1, 1, PA + 0x2040, None, False, 1),
        (0x7000, 1, 9, 0, 0, None, "SLVERR", True, 0),
    ]
    assert [(r["t_out"], r["t_end"]) for r in xl if r["pa"]] == \
        [(84.0, 108.0), (132.0, 148.0), (264.0, 284.0)]
    ev = [r for r in recs if r["kind"] == "event"]
    assert len(ev) == 1 and ev[0]["name"] == "F_TRANSLATION" and ev[0]["addr"] == 0x5008


def test_extract_needs_an_smmu(tmp_path):
    from tb.debug.synth import SynthDump
    d = SynthDump("other")
    d.signal("clk")
    d.signal("s_axi_arvalid")
    with pytest.raises(LookupError, match="no scope has an SMMU"):
        extract(Dump(d.write(tmp_path / "x.vcd")))


def test_cli_writes_trace_files(dump, tmp_path, capsys):
    from tb.common.trace import main
    assert main([str(dump.path), "--png"]) == 0
    out = capsys.readouterr().out
    assert "FAULT F_TRANSLATION" in out and "trace.jsonl" in out
    folder = dump.path.parent
    assert len(T.read_jsonl(folder / "trace.jsonl")) == 6
    assert (folder / "trace.png").read_bytes()[:4] == b"\x89PNG"
    assert main([str(tmp_path / "missing.vcd")]) == 1
