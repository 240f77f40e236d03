"""Waves on a real smmu_top run: the trace extracted from the dump afterwards
(tb.common.trace) must tell the same story as the testbench saw live.

The cocotb side runs a small scenario (misses, hits, writes, faults with event records,
a bypass stream, two IDs in flight) through smmu_tb.TB and writes what it saw, with the
golden model's verdicts, to ``expected.json`` in its run folder; the pytest side reads the
dump, extracts the trace and compares record by record, and checks the GTKWave save file
generated for the dump names only signals the dump has.
"""

import json
import random
from pathlib import Path

import cocotb
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiResp

from pasidsim import smmuv3 as S
from pasidsim import trace as T
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.sim import run
from tb.common.tbutil import log_seed
from tb.common.tops import sources
from tb.common.trace import extract, find_smmu, write_trace
from tb.common.waves import Dump, write_gtkw
from tb.smmu.smmu_tb import DATA, TB


async def _access(tb, seen, sid, va, rnw, ssid=0, ssv=False, n=16):
    """One checked access; note what the trace must say about it."""
    start = len(tb.reads)
    if rnw:
        t = await tb.check_read(sid, va, n, ssid=ssid, ssv=ssv)
    else:
        t = await tb.check_write(sid, va, bytes(range(n)), ssid=ssid, ssv=ssv)
    walks = sum(1 for b in tb.reads[start:] if b.internal)
    if t.ok:
        fault = None
    elif t.raz_wi:
        fault = "RAZ_WI"
    else:
        fault = t.fault.name if t.fault is not None and t.record else "SLVERR"
    seen.append({"sid": sid, "ssid": ssid if ssv else 0, "ssv": int(ssv), "va": va,
                 "rnw": rnw, "pa": t.pa, "fault": fault, "walk_depth": walks})


@cocotb.test()
async def scenario(dut):
    tb = TB(dut)
    seed = log_seed(tb.log, "tb/debug/test_waves_smmu.py", "scenario")
    await tb.start("random")
    await tb.setup()
    tb.mem.write(DATA, random.Random(seed).randbytes(0x4000))
    pt = PageTable(tb.mem, tb.alloc, 25)
    pt.map(0x1000, DATA + 0x2000)
    pt.map(0x2000, DATA + 0x1000, ro=True)
    cdt = CdTable(tb.mem, tb.alloc, 2)
    tb.strtab.set(1, cdt.ste())
    cdt.set(1, make_cd(pt, 3))
    cdt.set(2, make_cd(pt, 4))
    tb.strtab.set(2, S.Ste(v=1, config=S.STE_CFG_BYPASS))
    seen = []
    await _access(tb, seen, 1, 0x1010, 1, ssid=1, ssv=True)       # miss: STE, CD, 3 levels
    await _access(tb, seen, 1, 0x1020, 1, ssid=1, ssv=True)       # hit
    await _access(tb, seen, 1, 0x1040, 0, ssid=1, ssv=True)       # write
    await _access(tb, seen, 1, 0x2008, 0, ssid=1, ssv=True)       # read-only: F_PERMISSION
    await _access(tb, seen, 1, 0x5000, 1, ssid=2, ssv=True)       # unmapped: F_TRANSLATION
    await _access(tb, seen, 2, DATA + 0x80, 1)                    # bypass stream
    await tb.check_events()
    # two reads in flight on different IDs: both must still be matched
    tb.expect(1, 0x1100, False, ssid=1, ssv=True)
    reads = [cocotb.start_soon(tb.master.read(0x1100 + 8 * i, 8, arid=i,
                                              user=tb.user(1, 1, True))) for i in range(2)]
    for r in reads:
        assert (await r).resp == AxiResp.OKAY
    for i in range(2):
        seen.append({"sid": 1, "ssid": 1, "ssv": 1, "va": 0x1100 + 8 * i, "rnw": 1,
                     "pa": DATA + 0x2100 + 8 * i, "fault": None, "walk_depth": 0})
    for _ in range(20):
        await RisingEdge(dut.clk)
    out = {"xlate": seen, "mem_reads": len(tb.reads),
           "internal_reads": sum(b.internal for b in tb.reads),
           "mem_writes": len(tb.writes)}
    Path("expected.json").write_text(json.dumps(out))


def test_waves_smmu():
    test_dir = run(__name__, "smmu_top", sources("smmu_top"), waves=True)
    exp = json.loads((test_dir / "expected.json").read_text())
    dumps = [p for p in (test_dir / "dump.fst", test_dir / "dump.vcd") if p.exists()]
    assert dumps, f"WAVES run left no dump in {test_dir}"
    dump = Dump(dumps[0])
    scope = find_smmu(dump)

    # the reader: both master ports' address handshakes agree with the live monitor, and
    # the table-walk port carries exactly the own accesses (ID top bit set)
    top = 1 << (dump.signals[f"{scope}.m_axi_arid"].width - 1)
    ar = dump.handshakes(f"{scope}.m_axi", "ar")
    tw = dump.handshakes(f"{scope}.m_tw_axi", "ar")
    assert len(ar) + len(tw) == exp["mem_reads"], \
        f"{len(ar)} + {len(tw)} AR handshakes in the dump, {exp['mem_reads']} seen live"
    assert len(tw) == exp["internal_reads"] and all(b["id"] & top for b in tw)
    assert not any(b["id"] & top for b in ar)
    aws = [dump.handshakes(f"{scope}.{p}", "aw") for p in ("m_axi", "m_tw_axi")]
    assert sum(map(len, aws)) == exp["mem_writes"]

    # the extractor: one xlate record per access, as the model and the monitor saw it
    recs = extract(dump, scope)
    xl = [r for r in recs if r["kind"] == "xlate"]
    assert len(xl) == len(exp["xlate"]), f"{len(xl)} xlate records for {len(exp['xlate'])}"
    for got, want in zip(xl, exp["xlate"]):
        ctx = f"trace {T.describe(got)} vs expected {want}"
        for k in ("sid", "ssid", "ssv", "va", "rnw", "pa", "fault", "walk_depth"):
            assert got[k] == want[k], f"{k}: {ctx}"
        assert got["hit"] == (want["walk_depth"] == 0), ctx
        assert got["t_end"] > got["t"], ctx
    events = [r for r in recs if r["kind"] == "event"]
    assert sorted(e["name"] for e in events) == \
        sorted(w["fault"] for w in exp["xlate"] if w["fault"] not in (None, "SLVERR", "RAZ_WI"))

    # files for people: trace.jsonl round-trips, the text timeline names every lane
    jl, txt, pic = write_trace(dumps[0], png=True)
    assert T.read_jsonl(jl) == recs
    text = txt.read_text()
    assert "sid 0x1 ssid 0x1" in text and "sid 0x2" in text and "F_PERMISSION" in text
    assert pic.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # the save file: decoded a*user fields, and every signal it names exists in the dump
    gtkw = write_gtkw(dump).read_text()
    known = {s.gtkw_name for s in dump.signals.values()}
    named = _gtkw_signals(gtkw)
    assert named and named <= known, f"not in the dump: {sorted(named - known)[:5]}"
    assert f"+{{s_axi_aruser.sid}}" in gtkw.replace("#{", "+{")
    for group in ("s_axi AR (upstream port)", "m_axi AR (downstream port)",
                  "m_tw_axi AR (table-walk port)",
                  "IOTLB / config cache hit, miss", "SMMU walker state"):
        assert f"-{group}\n" in gtkw, f"no group {group!r}"


def _gtkw_signals(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        if line.startswith(("[", "@", "-", "*", "^")):
            continue
        for tok in line.split()[1 if line.startswith(("+", "#")) else 0:]:
            names.add(tok.split(")", 1)[-1])
    return names
