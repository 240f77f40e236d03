"""Part 2 of `make bench`, accelerator side: copy efficiency through the SMMU.

On system_sim_dpi (accelerator -> SMMU -> DPI RAM with READ_LATENCY): one queue, one
process, source and destination in 2 MiB blocks already in the IOTLB (a small copy
over both blocks first: "warm translations"). For each size, one MEMMOVE descriptor:
cycles from the doorbell write's response to irq_dma rising (descriptor fetch, data,
completion record, interrupt: what software waits for). Efficiency = bytes per cycle /
bus bytes per cycle (each direction moves DATA_WIDTH/8 bytes per cycle at best, and a
copy reads and writes every byte once, in parallel). Writes dma_efficiency.json.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import cocotb
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from pasidsim import dma_regs as D
from pasidsim.dma_desc import Status
from tb.bench import world as W
from tb.bench.record import cycle_now
from tb.common.dpimem import DpiMem
from tb.common.tbutil import param, start_clock_and_reset


async def _copy(world, q, length, src, dst, dut) -> tuple[int, int]:
    """One descriptor; returns (cycles doorbell -> irq, status)."""
    W.memmove(q, length, src, dst, irq=True)
    await q.doorbell()
    t0 = cycle_now()
    if not dut.irq_dma.value:
        await RisingEdge(dut.irq_dma)
    t1 = cycle_now()
    status = await world.dma_read(D.IRQ_STATUS)
    await world.dma_write(D.IRQ_STATUS, status)
    c = q.completions()[-1]
    q.pending.clear()
    return t1 - t0, c.status


@cocotb.test(timeout_time=1000, timeout_unit="ms")
async def dma_efficiency(dut):
    cfg = json.loads(os.environ["BENCH_CFG"])
    sizes = [int(s) for s in cfg["sizes"]]
    await start_clock_and_reset(dut.clk, dut.rst)
    axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
    import logging
    axil.read_if.log.setLevel(logging.WARNING)
    axil.write_if.log.setLevel(logging.WARNING)
    mem = DpiMem()
    world = W.World(mem, axil.read_dword, axil.write_dword, smmu_base=W.SYSTEM_SMMU_BASE,
                    dma_base=W.SYSTEM_DMA_BASE, sid=param("DMA_SID", 1), data_end=1 << 30)
    p = world.new_proc()
    q = await world.open_queue(0, p)
    top = max(sizes)
    span = -(-top // W.BLOCK) * W.BLOCK
    src, dst = W.BUF_VA, W.BUF_VA + span
    world.map(p, src, top, W.BLOCK)
    world.map(p, dst, top, W.BLOCK)
    rng = random.Random(1)
    mem.write(p.pa(src), rng.randbytes(top))
    await world.enable_smmu()
    bus_bytes = param("DATA_WIDTH", 64) // 8
    warm, st = await _copy(world, q, 256, src + top - 256, dst + top - 256, dut)
    if st != Status.SUCCESS:
        raise W.BenchError(f"warm-up copy: status {st}")
    rows = []
    for n in sizes:
        mem.write(p.pa(dst), bytes(n))
        cycles, st = await _copy(world, q, n, src, dst, dut)
        if st != Status.SUCCESS or mem.read(p.pa(dst), n) != mem.read(p.pa(src), n):
            raise W.BenchError(f"copy of {n} bytes: status {st} or data differ")
        rows.append({"bytes": n, "cycles": cycles, "ideal_cycles": n // bus_bytes,
                     "efficiency": n / cycles / bus_bytes})
    if await world.event_count():
        raise W.BenchError("dma_efficiency: the SMMU recorded events in a clean workload")
    Path("dma_efficiency.json").write_text(json.dumps({
        "read_latency": int(cfg["read_latency"]), "bus_bytes_per_cycle": bus_bytes,
        "warmup_cycles": warm, "rows": rows}, indent=1))
