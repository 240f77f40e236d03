"""Part 2 of `make bench`, SMMU side: IOTLB hit latency and rate, cold-miss walk time,
hit-under-miss, scaling with PASIDs and IOTLB size. Runs on rtl/sim/smmu_sim_dpi.sv
(smmu_top + the DPI RAM with a fixed READ_LATENCY), so every memory read costs a known
time. A per-cycle driver/monitor (`Port`) issues single-beat device reads back to back
and stamps every handshake on the device port and on both memory ports (field 0 of the
wrapper's mem_* vectors: translated reads, field 1: the SMMU's own); the numbers are differences
of those stamps, in clock cycles. Each test writes <test>.json into the run folder.
Options come in env BENCH_CFG (JSON).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import cocotb
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from tb.bench import world as W
from tb.common.dpimem import DpiMem
from tb.common.tbutil import param, start_clock_and_reset

PAGE = 4096
SID = 1


@dataclass
class Req:
    id: int
    addr: int
    user: int
    tag: str = ""
    ar: int = -1          # device AR handshake cycle
    r: int = -1           # device R (single beat) cycle
    resp: int = -1


@dataclass
class MemAr:
    cycle: int
    id: int
    addr: int
    internal: bool
    rlast: int = -1       # cycle of the last R beat of this burst


class Port:
    """Drives s_axi_ar* from a queue (one request per cycle when ready), keeps rready
    high, and stamps device AR/R and memory AR/R handshakes."""

    def __init__(self, dut):
        self.dut, self.cycle = dut, 0
        self.queue: list[Req] = []
        self.cur: Req | None = None
        self.by_id: dict[int, list[Req]] = {}
        self.done: list[Req] = []
        self.mem: list[MemAr] = []
        self.mem_open: dict[int, list[MemAr]] = {}
        self.top = 1 << param("ID_WIDTH", 4)
        d = dut
        # the wrapper's two master ports: field k of each mem_* vector is port k
        self.mem_sig = {f: getattr(d, f"mem_{f}") for f in
                        ("arvalid", "arready", "arid", "araddr", "rvalid", "rready", "rlast", "rid")}
        self.id_bits = param("ID_WIDTH", 4) + 1
        self.addr_bits = param("OAS_BITS", 48)
        d.s_axi_arvalid.value = 0
        d.s_axi_awvalid.value = 0
        d.s_axi_wvalid.value = 0
        d.s_axi_bready.value = 1
        d.s_axi_rready.value = 1
        for s, v in (("arlen", 0), ("arsize", 3), ("arburst", 1), ("arlock", 0),
                     ("arcache", 3), ("arprot", 2)):
            getattr(d, f"s_axi_{s}").value = v
        cocotb.start_soon(self._run())

    def push(self, reqs) -> None:
        self.queue.extend(reqs)

    @property
    def idle(self) -> bool:
        return not self.queue and self.cur is None and not any(self.by_id.values())

    async def _run(self):
        d = self.dut
        while True:
            await RisingEdge(d.clk)
            self.cycle += 1
            c = self.cycle
            if self.cur is not None and d.s_axi_arready.value:
                self.cur.ar = c
                self.by_id.setdefault(self.cur.id, []).append(self.cur)
                self.cur = None
            if d.s_axi_rvalid.value:
                req = self.by_id[int(d.s_axi_rid.value)].pop(0)
                req.r, req.resp = c, int(d.s_axi_rresp.value)
                self.done.append(req)
            v = {f: int(h.value) for f, h in self.mem_sig.items()}
            ib, ab = self.id_bits, self.addr_bits
            for k in (0, 1):       # translated (m_axi) and table-walk (m_tw_axi) port
                if v["arvalid"] >> k & v["arready"] >> k & 1:
                    i = v["arid"] >> (k * ib) & ((1 << ib) - 1)
                    addr = v["araddr"] >> (k * ab) & ((1 << ab) - 1)
                    m = MemAr(c, i & (self.top - 1), addr, bool(i & self.top))
                    self.mem.append(m)
                    self.mem_open.setdefault(i, []).append(m)
                if v["rvalid"] >> k & v["rready"] >> k & v["rlast"] >> k & 1:
                    self.mem_open[v["rid"] >> (k * ib) & ((1 << ib) - 1)].pop(0).rlast = c
            if self.cur is None and self.queue:
                self.cur = self.queue.pop(0)
                d.s_axi_arid.value = self.cur.id
                d.s_axi_araddr.value = self.cur.addr
                d.s_axi_aruser.value = self.cur.user
            d.s_axi_arvalid.value = int(self.cur is not None)

    async def drain(self, limit: int = 200_000) -> None:
        start = self.cycle
        while not self.idle:
            await RisingEdge(self.dut.clk)
            if self.cycle - start > limit:
                raise W.BenchError(f"device reads still outstanding after {limit} cycles")


def user(pasid: int) -> int:
    sid_bits = param("SID_BITS", 8)
    return (1 << (sid_bits + 20)) | (pasid << sid_bits) | SID


def reads(p: W.Proc, vas, ids=range(1, 16), tag="") -> list[Req]:
    ids = list(ids)
    return [Req(ids[i % len(ids)], va, user(p.pasid), tag) for i, va in enumerate(vas)]


class Bench:
    def __init__(self, dut):
        self.dut = dut
        self.cfg = json.loads(os.environ.get("BENCH_CFG", "{}"))
        self.latency = param("READ_LATENCY", 20)
        self.iotlb = param("IOTLB_ENTRIES", 16)

    async def start(self, cdmax: int = 7) -> W.World:
        await start_clock_and_reset(self.dut.clk, self.dut.rst)
        axil = AxiLiteMaster(AxiLiteBus.from_prefix(self.dut, "s_axil"), self.dut.clk, self.dut.rst)
        import logging
        axil.read_if.log.setLevel(logging.WARNING)
        axil.write_if.log.setLevel(logging.WARNING)
        self.world = W.World(DpiMem(), axil.read_dword, axil.write_dword, sid=SID, cdmax=cdmax)
        self.port = Port(self.dut)
        return self.world

    def save(self, name: str, result: dict) -> None:
        result.update(read_latency=self.latency, iotlb_entries=self.iotlb)
        Path(f"{name}.json").write_text(json.dumps(result, indent=1))

    def check(self, reqs) -> None:
        bad = [r for r in reqs if r.resp != 0 or r.r < 0]
        if bad:
            raise W.BenchError(f"{len(bad)} benchmark reads failed, e.g. {bad[0]}")

    def data_ar(self, after: int, addr: int) -> MemAr:
        for m in self.port.mem:
            if not m.internal and m.cycle >= after and m.addr == addr:
                return m
        raise W.BenchError(f"no memory read of {addr:#x} after cycle {after}")


def pages(p: W.Proc, world: W.World, n: int, base: int = W.BUF_VA) -> list[int]:
    world.map(p, base, n * PAGE)
    return [base + i * PAGE for i in range(n)]


# ------------------------------------------------------------------------ hit latency
@cocotb.test()
async def iotlb_hit(dut):
    """Added latency of an IOTLB hit (device round trip minus memory round trip) and the
    sustained translation rate of back-to-back hits: of a micro-TLB hit (the headline:
    repeated accesses to a page) and of an IOTLB hit that misses the micro-TLB."""
    b = Bench(dut)
    world = await b.start()
    p = world.new_proc()
    vas = pages(p, world, min(8, b.iotlb))
    await world.enable_smmu()
    warm = reads(p, vas)
    b.port.push(warm)
    await b.port.drain()
    # one at a time, nothing queued anywhere: each page's first read is an IOTLB hit that
    # misses the micro-TLB (the warm-up walked, and a walk does not fill it), its second
    # a micro-TLB hit (the first filled it)
    single = {"iotlb": [], "utlb": []}
    for va in vas:
        for kind, off in (("iotlb", 64), ("utlb", 128)):
            r = reads(p, [va + off])[0]
            b.port.push([r])
            await b.port.drain()
            m = b.data_ar(r.ar, p.pa(va + off))
            single[kind].append({"dev": r.r - r.ar, "mem": m.rlast - m.cycle,
                                 "ar_to_mem_ar": m.cycle - r.ar})
    n = int(b.cfg.get("stream", 256))

    async def stream_rate(vlist):
        stream = reads(p, [vlist[i % len(vlist)] + 8 * (i % 64) for i in range(n)])
        b.port.push(stream)
        await b.port.drain()
        b.check(stream)
        ars = [r.ar for r in stream]
        return ars[-1] - ars[0] + 1, (n - 1) / max(1, ars[-1] - ars[0])

    walks0 = sum(m.internal for m in b.port.mem)
    # round-robin over the pages: more than the micro-TLB holds, every read an IOTLB hit
    # of the full lookup; then one page: every read a micro-TLB hit
    cycles, rate = await stream_rate(vas)
    b.port.push(reads(p, [vas[0]]))      # (an IOTLB hit that fills the micro-TLB)
    await b.port.drain()
    ucycles, urate = await stream_rate(vas[:1])
    b.check(warm)
    added = {k: [s["dev"] - s["mem"] for s in v] for k, v in single.items()}
    b.save("iotlb_hit", {
        "added_cycles": max(added["utlb"]), "added_cycles_all": added["utlb"],
        "added_cycles_utlb_miss": max(added["iotlb"]),
        "added_cycles_utlb_miss_all": added["iotlb"], "single": single,
        "stream_reads": n, "stream_cycles": cycles, "translations_per_cycle": rate,
        "utlb_stream_cycles": ucycles, "utlb_translations_per_cycle": urate,
        "stream_internal_reads": sum(m.internal for m in b.port.mem) - walks0,
    })


# ------------------------------------------------------------------------ cold miss
@cocotb.test()
async def cold_miss(dut):
    """Cold translation (STE + CD + 3- or 4-level walk) against the sum of the memory
    round trips of its dependent reads."""
    b = Bench(dut)
    world = await b.start()
    out = {}
    procs = {lv: world.new_proc(t0sz=t) for lv, t in ((3, 25), (4, 16))}
    for lv, p in procs.items():
        world.map(p, W.BUF_VA, PAGE)
    await world.enable_smmu()
    for lv, p in procs.items():
        r = reads(p, [W.BUF_VA + 0x40], ids=[0])[0]
        b.port.push([r])
        await b.port.drain()
        b.check([r])
        m = b.data_ar(r.ar, p.pa(W.BUF_VA + 0x40))
        deps = [x for x in b.port.mem if x.internal and r.ar <= x.cycle < m.cycle]
        mem_time = sum(x.rlast - x.cycle for x in deps)
        cycles = m.cycle - r.ar
        out[f"{lv}level"] = {
            "cycles": cycles, "dependent_reads": len(deps), "memory_cycles": mem_time,
            "nominal_bound": len(deps) * b.latency,
            "overhead_per_read": (cycles - mem_time) / max(1, len(deps)),
            "end_to_end": r.r - r.ar,
            "reads": [[x.cycle - r.ar, x.rlast - r.ar, hex(x.addr)] for x in deps],
        }
    b.save("cold_miss", out)


# ------------------------------------------------------------------------ hit under miss
@cocotb.test()
async def hit_under_miss(dut):
    """Throughput of PASID B's hits while PASID A's cold 4-level walk is in progress (A's
    device AR to the leaf descriptor's last beat), divided by B's hit throughput alone;
    also to A's own translated read, which takes one slot of the downstream port."""
    b = Bench(dut)
    world = await b.start()
    pb = world.new_proc()
    pa = world.new_proc(t0sz=16)
    vas = pages(pb, world, min(8, b.iotlb - 2))
    world.map(pa, W.BUF_VA, PAGE)
    await world.enable_smmu()
    b.port.push(reads(pb, vas))
    await b.port.drain()
    # long enough to outlast a 4-level walk (6 reads of ~READ_LATENCY each) with margin
    n = max(int(b.cfg.get("stream", 256)), 12 * b.latency + 64)

    def stream():
        return reads(pb, [vas[i % len(vas)] + 8 * (i % 64) for i in range(n)])

    alone = stream()
    b.port.push(alone)
    await b.port.drain()
    base = (n - 1) / max(1, alone[-1].ar - alone[0].ar)
    # the same stream with A's cold read (ID 0: B uses IDs 1..15) injected early
    mixed = stream()
    ra = reads(pa, [W.BUF_VA], ids=[0])[0]
    b.port.push(mixed[:8] + [ra] + mixed[8:])
    await b.port.drain()
    b.check(alone + mixed + [ra])
    m = b.data_ar(ra.ar, pa.pa(W.BUF_VA))
    # the walk: A's device AR to the last beat of its last table read (the leaf)
    table = [x for x in b.port.mem if x.internal and ra.ar <= x.cycle < m.cycle]
    if not table or min(x.rlast for x in table) < 0:
        raise W.BenchError(f"A's read at cycle {ra.ar} walked no tables: {table}")
    walk_end = max(x.rlast for x in table)

    def rate(end):
        inside = [r for r in mixed if ra.ar < r.ar <= end]
        return len(inside), len(inside) / max(1, end - ra.ar)

    hits, during = rate(walk_end)
    hits_to_read, during_to_read = rate(m.cycle)
    b.save("hit_under_miss", {
        "walk_cycles": walk_end - ra.ar, "table_reads": len(table),
        "hits_during_walk": hits, "hit_rate_alone": base, "hit_rate_during_walk": during,
        "ratio": during / base if base else 0.0,
        # up to A's own translated read, which takes one slot of the downstream port
        "cycles_to_data_read": m.cycle - ra.ar, "hits_to_data_read": hits_to_read,
        "ratio_to_data_read": during_to_read / base if base else 0.0,
        "stream_outlasts_walk": mixed[-1].ar > m.cycle,
    })


# ------------------------------------------------------------------------ scaling
@cocotb.test()
async def scaling(dut):
    """P PASIDs (one ASID each) x K pages, touched round-robin: IOTLB hit rate (1 -
    walks / translations), configuration fetches and translations per cycle, after one
    warm-up round."""
    b = Bench(dut)
    world = await b.start(cdmax=7)
    k, rounds = int(b.cfg.get("pages", 4)), int(b.cfg.get("rounds", 4))
    out = []
    plist = [int(x) for x in b.cfg.get("pasids", [1, 4, 16, 64])]
    procs = [world.new_proc() for _ in range(max(plist))]
    vas = {p.pasid: pages(p, world, k) for p in procs}
    ttb0 = {p.pt.ttb0 >> 12 for p in procs}
    strtab = (world.strtab.base, world.strtab.base + (64 << 4))
    await world.enable_smmu()
    for npasid in plist:
        act = procs[:npasid]
        order = [(p, va) for i in range(k) for p in act for va in [vas[p.pasid][i]]]
        b.port.push([r for p, va in order for r in reads(p, [va + 8])])   # warm-up
        await b.port.drain()
        m0 = len(b.port.mem)
        reqs = []
        # enough requests that the pipeline fill (one memory round trip) is noise
        for _ in range(max(rounds, -(-int(b.cfg.get("min_reqs", 512)) // len(order)))):
            reqs += [reads(p, [va + 16 * (i % 128)], ids=[1 + i % 15])[0]
                     for i, (p, va) in enumerate(order)]
        b.port.push(reqs)
        await b.port.drain()
        b.check(reqs)
        new = b.port.mem[m0:]
        walks = sum(1 for x in new if x.internal and x.addr >> 12 in ttb0)
        cfg_fetches = sum(1 for x in new if x.internal and strtab[0] <= x.addr < strtab[1])
        span = reqs[-1].r - reqs[0].ar + 1
        out.append({"pasids": npasid, "translations": len(reqs), "walks": walks,
                    "iotlb_hit_rate": 1 - walks / len(reqs),
                    "config_fetches": cfg_fetches,
                    "translations_per_cycle": len(reqs) / span, "cycles": span,
                    "working_set_pages": npasid * k})
    b.save("scaling", {"pages_per_pasid": k, "rounds": rounds, "points": out})
