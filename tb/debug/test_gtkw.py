"""GTKWave save file generated from a dump's hierarchy by pattern rules."""

import re

from tb.common.waves import Dump, user_fields, write_gtkw
from tb.debug.synth import smmu_ports


def make_dump(tmp_path, sid_bits=8):
    d = smmu_ports(sid_bits)
    # internals, named the way RTL owners might; the generator must not need to know them
    for sub in ("u_walk0", "u_iotlb", "u_evtq", "u_cfg"):
        d.signal(f"{sub}.clk")
    d.signal("u_walk0.state", 3)
    d.signal("u_walk0.tf_va", 36, rng=(47, 12))
    d.signal("u_iotlb.lk_hit", 2)
    d.signal("u_evtq.evtq_prod", 32)
    d.signal("u_evtq.entry.valid")          # a struct member: belongs to u_evtq
    d.signal("u_cfg.mystery", 5)
    d.signal("irq_evtq")
    d.drive(3, **{"u_walk0.state": 2, "s_axi_aruser": (1 << 28) | (0x12345 << 8) | 0x7})
    return Dump(d.write(tmp_path / "dump.vcd"))


def groups(text):
    """group title -> signal lines inside it (nested groups flattened into each level)."""
    out, stack = {}, []
    for line in text.splitlines():
        if line.startswith("-") and not line.startswith("-group_end"):
            name = line[1:]
            if stack and stack[-1] == name:
                stack.pop()
            else:
                stack.append(name)
                out[name] = []
        elif line.startswith(("+", "#")) or re.match(r"^[\w$]", line):
            for g in stack:
                out[g].append(line)
    return out


def test_groups_and_names(tmp_path):
    dump = make_dump(tmp_path)
    path = write_gtkw(dump)
    assert path == tmp_path / "dump.vcd.gtkw"
    text = path.read_text()
    g = groups(text)
    assert any("u_walk0.state[2:0]" in ln for ln in g["SMMU walker state"])
    assert any("u_iotlb.lk_hit[1:0]" in ln for ln in g["IOTLB / config cache hit, miss"])
    assert any("u_evtq.evtq_prod[31:0]" in ln for ln in g["command / event queue pointers"])
    assert any("irq_evtq" in ln for ln in g["interrupts"])
    assert any("u_walk0.tf_va[47:12]" in ln for ln in g["smmu_top.u_walk0 other"])
    assert any("u_evtq.entry.valid" in ln for ln in g["smmu_top.u_evtq other"])
    assert any("u_cfg.mystery" in ln for ln in g["smmu_top.u_cfg other"])
    assert any("SID_BITS[31:0]" in ln for ln in g["smmu_top parameters"])
    ar = g["s_axi AR (upstream port)"]
    assert "s_axi_arvalid" in ar[0] and "s_axi_arready" in ar[1]      # handshake first
    assert "$rootio" not in text
    assert "m_axi R (downstream port)" in g and "m_axi AW (downstream port)" in g


def test_user_decode_bits(tmp_path):
    dump = make_dump(tmp_path, sid_bits=8)
    text = write_gtkw(dump).read_text()
    # GTKWave's (n) counts from the vector's msb: sid[7:0] of a [28:0] vector is (21)..(28)
    sid = next(ln for ln in text.splitlines() if ln.startswith("#{s_axi_aruser.sid}"))
    assert sid.split()[1:] == [f"({n})smmu_top.s_axi_aruser[28:0]" for n in range(21, 29)]
    ssv = next(ln for ln in text.splitlines() if ln.startswith("#{s_axi_aruser.ssv}"))
    assert ssv.split()[1:] == ["(0)smmu_top.s_axi_aruser[28:0]"]
    ssid = next(ln for ln in text.splitlines() if ln.startswith("#{s_axi_awuser.ssid}"))
    assert len(ssid.split()) == 21
    assert user_fields(29, 8) == {"ssv": (28, 28), "ssid": (27, 8), "sid": (7, 0)}
    assert user_fields(30, 8) is None


def test_every_named_signal_exists(tmp_path):
    dump = make_dump(tmp_path)
    text = write_gtkw(dump).read_text()
    known = {s.gtkw_name for s in dump.signals.values()}
    named = set()
    for line in text.splitlines():
        if line.startswith("#{"):
            named |= {t.split(")", 1)[1] for t in line.split()[1:]}
        elif line.startswith("+{"):
            named.add(line.split()[1])
        elif re.match(r"^[\w$]", line):
            named.add(line.strip())
    assert named and named <= known, sorted(named - known)
    assert (tmp_path / "axi_resp.gtkw-filter").read_text().splitlines()[2] == "2 SLVERR"
