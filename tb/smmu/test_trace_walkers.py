"""Wave-dump trace extractor (tb/common/trace.py), walker IDs on the memory port: with the
stall buffer IDs RD_WALKERS .. RD_WALKERS+STALL_BUF_SLOTS walk for writes, the next one
is the command queue (no walk of anybody). Synthetic dump, no simulator."""

import pytest

from tb.common.trace import extract, walker_split
from tb.common.waves import Dump
from tb.debug.synth import smmu_ports, user

SB = 8
TOP = 0x10          # internal bit of the 5-bit memory-port ID
PA = 0x4000_0000


def make(tmp_path, **params):
    d = smmu_ports(SB)
    for k, v in params.items():
        d.param(k, v)
    u = user(SB, 1, 1, 1)
    # a read miss walked by walker 0 (2 reads); a command-queue read (ID RD_WALKERS+3 with
    # the default two stall buffer slots) while it is open
    d.beat(10, "s_axi_ar", id=1, addr=0x1010, len=0, size=3, burst=1, user=u)
    d.beat(12, "m_axi_ar", id=TOP | 0, addr=0x1000_0000, len=1, size=3, burst=1)
    d.beat(14, "m_axi_ar", id=TOP | 5, addr=0x2000_0000, len=1, size=3, burst=1)
    d.beat(16, "m_axi_ar", id=TOP | 0, addr=0x1000_0040, len=0, size=3, burst=1)
    d.beat(20, "m_axi_ar", id=1, addr=PA + 0x10, len=0, size=3, burst=1)
    d.beat(24, "s_axi_r", id=1, data=0, resp=0, last=1)
    # a write walked by the second write walker (ID RD_WALKERS+1: one write is parked)
    d.beat(40, "s_axi_aw", id=3, addr=0x1040, len=0, size=3, burst=1, user=u)
    d.beat(42, "m_axi_ar", id=TOP | 3, addr=0x1000_0080, len=0, size=3, burst=1)
    d.beat(44, "m_axi_ar", id=TOP | 3, addr=0x1000_00C0, len=0, size=3, burst=1)
    d.beat(48, "m_axi_aw", id=3, addr=PA + 0x2040, len=0, size=3, burst=1)
    d.beat(49, "m_axi_w", data=0x1234, strb=0xFF, last=1)
    d.beat(52, "s_axi_b", id=3, resp=0)
    return Dump(d.write(tmp_path / "dump.vcd"))


@pytest.mark.parametrize("params,split", [
    ({}, (2, 5)),                                         # smmu_top defaults: 2 slots
    ({"STALL_BUF_BEATS": 256}, (2, 5)),
    ({"STALL_BUF_SLOTS": 1}, (2, 4)),                     # one parked, one walked
    ({"STALL_BUF_SLOTS": 3, "RD_WALKERS": 3}, (3, 7)),
    ({"STALL_BUF_BEATS": 0}, (2, 3)),                     # one write walker
    ({"STALL": 0, "STALL_BUF_BEATS": 16}, (2, 3)),
    ({"NW": 4}, (2, 4)),                                  # the localparam, when dumped
])
def test_walker_split(tmp_path, params, split):
    assert walker_split(make(tmp_path, **params), "smmu_top") == split


def test_write_walks_of_the_second_write_walker_and_no_cmdq_reads(tmp_path):
    xl = [r for r in extract(make(tmp_path)) if r["kind"] == "xlate"]
    got = [(r["va"], r["rnw"], r["hit"], r["walk_depth"]) for r in xl]
    # the read: its 2 walk reads, not the command queue's; the write: walker 3's 2 reads
    assert got == [(0x1010, 1, False, 2), (0x1040, 0, False, 2)]
