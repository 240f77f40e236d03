"""Workload "bulk" (simulation speed, part 1 of `make bench`): cocotb side.

NPROC processes, each with its own PASID, page table and accelerator queue, copy SIZE
bytes each (descriptors of DESC bytes, all queues at once) with warm translations
(2 MiB blocks: one IOTLB entry per buffer). Python sets everything up through the
backdoor, rings the doorbells and then only sleeps on irq_dma until every queue is
done: the HDL runs on its own. Configuration (env BENCH_CFG, JSON):

    mem    "dpi" (the HDL-side RAM) or "axiram" (cocotbext-axi AxiRam: Python per beat)
    clock  "cocotb" (cocotb Clock, the regression's choice) or "hdl" (system_sim_clkgen)
    nproc, size, desc, seed, record (write replay.txt/.bin for the C++ harness)

Writes bench.json into the run folder: cycles, wall seconds, bytes, memory CRCs.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiBus, AxiLiteBus, AxiLiteMaster, AxiRam

from pasidsim import dma_regs as D
from pasidsim.dma_desc import Status
from tb.bench import world as W
from tb.bench.record import Recorder, crc_regions, cycle_now
from tb.common.rtl_platform import AxiRamMem

RAM_BYTES = 64 << 20   # AxiRam size; the DPI RAM is larger, the layout fits both
QUIESCE = 200          # idle cycles after the last completion: replay timing slack


def _quiet(*objs):
    import logging
    for o in objs:
        o.log.setLevel(logging.WARNING)


async def _start(dut, clock: str):
    if clock == "hdl":   # system_sim_clkgen makes clk and rst itself (10 edges of reset)
        await ClockCycles(dut.clk, 12)
        if dut.rst.value:
            raise W.BenchError("system_sim_clkgen: reset still high after 12 clock edges")
    else:
        from tb.common.tbutil import start_clock_and_reset
        await start_clock_and_reset(dut.clk, dut.rst)


async def _demo(dut, cfg, mem, axil, rec):
    """Workload "demo": the `make sim` scenario (pasidsim.demo) through the driver on the
    RTL platform, scaled up. Needs the SMMU command queue (the driver's bring-up)."""
    from pasidsim.demo import demo
    from pasidsim.driver.system import bring_up
    from tb.common.rtl_platform import RtlPlatform

    plat = RtlPlatform(dut, rec.mem(mem) if rec else mem, 0x8000_0000, 64 << 20)
    if rec:
        bus = rec.dword_bus(plat.axil)
        plat.blocks = {name: (bus, base) for name, (_, base) in plat.blocks.items()}
    sys_ = await bring_up(plat, stall=False)
    rep = await demo(sys_, nproc=int(cfg["nproc"]), size=int(cfg["size"]),
                     seed=int(cfg.get("seed", 1)))
    if not rep.ok:
        raise W.BenchError(f"demo workload failed its checks: {[p.checks for p in rep.procs]}")
    return sum(p.bytes for p in rep.procs), [(0x8000_0000, 64 << 20)]


# Ports that stay quiet while the copies run (no fault, no command queue, no AXI-Lite
# traffic but the interrupt acknowledge): edges on them are waited for, never seen.
QUIET_PORTS = ("irq_gerror", "irq_evtq", "irq_cmdq_sync", "s_axil_awready", "s_axil_wready",
               "s_axil_arready")


def _idle_callbacks(dut, n: int) -> None:
    """Measurement of what one armed edge trigger costs (config "a_cb"): n distinct
    triggers (rising and falling edges of quiet ports) that stay registered as VPI
    value-change callbacks for the whole run, as a monitor's would."""
    if n <= 0:
        return
    from cocotb.triggers import FallingEdge
    ports = [getattr(dut, name) for name in QUIET_PORTS if hasattr(dut, name)]
    trigs = [t for sig in ports for t in (RisingEdge(sig), FallingEdge(sig))]
    if n > len(trigs):
        raise W.BenchError(f"bulk: {n} idle callbacks asked, {len(trigs)} quiet port edges exist")

    async def waiter(trig):
        while True:
            await trig
    for trig in trigs[:n]:
        cocotb.start_soon(waiter(trig))


@cocotb.test(timeout_time=2000, timeout_unit="ms")
async def bulk(dut):
    cfg = json.loads(os.environ["BENCH_CFG"])
    if cfg.get("workload") == "demo":
        await _start(dut, cfg["clock"])
        from tb.common.dpimem import DpiMem
        mem = DpiMem()
        rec = Recorder() if cfg.get("record") else None
        c0, t0, p0 = cycle_now(), time.perf_counter(), time.process_time()
        nbytes, regions = await _demo(dut, cfg, mem, None, rec)
        await ClockCycles(dut.clk, QUIESCE)
        c1, t1, p1 = cycle_now(), time.perf_counter(), time.process_time()
        if rec:
            rec.stop()
            rec.save(Path("replay"), c1, crc_regions(mem, regions))
        Path("bench.json").write_text(json.dumps({
            "cycles": c1 - c0, "start_cycle": c0, "end_cycle": c1, "wall_s": t1 - t0,
            "cpu_s": p1 - p0, "bytes": nbytes, "cfg": cfg}, indent=1))
        return
    nproc, size, desc = int(cfg["nproc"]), int(cfg["size"]), int(cfg["desc"])
    if size % desc:
        raise ValueError(f"bulk: size {size} is not a multiple of the descriptor size {desc}")
    await _start(dut, cfg["clock"])
    if cfg["mem"] == "axiram":
        ram = AxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=RAM_BYTES)
        _quiet(ram.read_if, ram.write_if)
        mem = AxiRamMem(ram)
    else:
        from tb.common.dpimem import DpiMem
        mem = DpiMem()
    axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
    _quiet(axil.read_if, axil.write_if)
    rec = Recorder() if cfg.get("record") else None
    read32, write32 = rec.bus(axil) if rec else (axil.read_dword, axil.write_dword)
    wmem = rec.mem(mem) if rec else mem

    c0, t0, p0 = cycle_now(), time.perf_counter(), time.process_time()
    world = W.World(wmem, read32, write32, smmu_base=W.SYSTEM_SMMU_BASE,
                    dma_base=W.SYSTEM_DMA_BASE, sid=int(cfg.get("sid", 1)),
                    data_end=RAM_BYTES)
    await world.enable_smmu()
    rng = random.Random(int(cfg.get("seed", 1)))
    span = -(-size // W.BLOCK) * W.BLOCK
    queues, bufs = [], []
    for i in range(nproc):
        p = world.new_proc()
        q = await world.open_queue(i, p)
        src, dst = W.BUF_VA, W.BUF_VA + span
        world.map(p, src, size, W.BLOCK)
        world.map(p, dst, size, W.BLOCK)
        wmem.write(p.pa(src), rng.randbytes(size))
        n = size // desc
        for k in range(n):
            W.memmove(q, desc, src + k * desc, dst + k * desc, irq=k == n - 1)
        queues.append(q)
        bufs.append((p, src, dst))
    _idle_callbacks(dut, int(cfg.get("extra_cbs", 0)))
    for q in queues:
        await q.doorbell()
    waiting = {q.q for q in queues}
    while waiting:
        if not dut.irq_dma.value:
            await RisingEdge(dut.irq_dma)
        status = await world.dma_read(D.IRQ_STATUS)
        await world.dma_write(D.IRQ_STATUS, status)
        waiting -= {q for q in range(nproc) if status >> q & 1}
    await ClockCycles(dut.clk, QUIESCE)
    c1, t1, p1 = cycle_now(), time.perf_counter(), time.process_time()
    if rec:
        rec.stop()

    # ---- the run must have done the work, or its speed means nothing
    for q, (p, src, dst) in zip(queues, bufs):
        bad = [c for c in q.completions() if c.status != Status.SUCCESS]
        if bad:
            raise W.BenchError(f"bulk: queue {q.q} completions not all SUCCESS: {bad[:2]}")
        if mem.read(p.pa(dst), size) != mem.read(p.pa(src), size):
            raise W.BenchError(f"bulk: queue {q.q} destination differs from its source")
    if await world.event_count():
        raise W.BenchError("bulk: the SMMU recorded events (a fault) in a clean workload")
    regions = [(W.TABLES, W.TABLES_SIZE + (32 << W.EVTQ_LOG2)), (W.DATA, world.data_next - W.DATA)]
    hashes = crc_regions(mem, regions)
    if rec:
        rec.save(Path("replay"), c1, hashes)
    out = {"cycles": c1 - c0, "start_cycle": c0, "end_cycle": c1, "wall_s": t1 - t0, "cpu_s": p1 - p0,
           "bytes": nproc * size, "hashes": hashes, "cfg": cfg}
    Path("bench.json").write_text(json.dumps(out, indent=1))
    dut._log.info("bulk: %d cycles in %.2f s = %.0f cycles/s", c1 - c0, t1 - t0,
                  (c1 - c0) / (t1 - t0))
