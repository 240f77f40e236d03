"""rtl/sim/axi_dpi_ram.sv: the HDL-side RAM with a zero-copy Python backdoor.

Driven by cocotbext-axi's AxiMaster; checked through the backdoor (DpiMem) against a
Python shadow: bursts of every length/size/alignment, read latency, outstanding
reads, error injection, and idle/backpressure on every channel.
"""

import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiBus, AxiMaster, AxiResp

from tb.common.dpimem import DpiMem
from tb.common.sim import run
from tb.common.tbutil import PAUSE_MODES, param, start_clock_and_reset
from tb.common.tops import sources

BASE = 0x1000_0000


class TB:
    def __init__(self, dut):
        self.dut = dut
        self.mem = DpiMem()
        self.axi = AxiMaster(AxiBus.from_prefix(dut, "s_axi"), dut.clk, dut.rst)
        self.latency = param("READ_LATENCY", 8)

    async def start(self, pause="none"):
        await start_clock_and_reset(self.dut.clk, self.dut.rst)
        self.set_pause(pause)

    def set_pause(self, pause):
        gen = PAUSE_MODES[pause]
        w, r = self.axi.write_if, self.axi.read_if
        for ch in (w.aw_channel, w.w_channel, w.b_channel, r.ar_channel, r.r_channel):
            ch.set_pause_generator(gen() if gen else None)


@cocotb.test()
@cocotb.parametrize(pause=list(PAUSE_MODES))
async def backdoor_and_bus_agree(dut, pause):
    """Writes through the bus appear in the backdoor and vice versa, for random
    lengths (1..600 bytes), alignments and transfer sizes."""
    tb = TB(dut)
    await tb.start(pause)
    shadow = bytearray(8192)
    tb.mem.write(BASE, bytes(shadow))
    for _ in range(60):
        n = random.randint(1, 600)
        off = random.randrange(0, len(shadow) - n)
        data = random.randbytes(n)
        size = random.choice([None, 0, 1, 2, 3])
        if random.random() < 0.5:
            await tb.axi.write(BASE + off, data, size=size)
        else:
            tb.mem.write(BASE + off, data)
        shadow[off:off + n] = data
        rd_off = random.randrange(0, len(shadow) - n)
        got = (await tb.axi.read(BASE + rd_off, n, size=size)).data
        assert got == bytes(shadow[rd_off:rd_off + n]), f"bus read at +{rd_off:#x}"
    assert tb.mem.read(BASE, len(shadow)) == bytes(shadow)


@cocotb.test()
async def read_latency_and_pipelining(dut):
    """First beat READ_LATENCY(+1 register) cycles after AR; back-to-back bursts stream
    at one beat per cycle."""
    tb = TB(dut)
    await tb.start()
    tb.mem.write(BASE, bytes(range(256)) * 64)
    t0 = cocotb.utils.get_sim_time("ns")
    await tb.axi.read(BASE, 8)
    single = (cocotb.utils.get_sim_time("ns") - t0) / 4
    assert tb.latency <= single <= tb.latency + 6, f"single-beat read took {single} cycles"
    beats = 16 * 256
    t0 = cocotb.utils.get_sim_time("ns")
    reads = [cocotb.start_soon(tb.axi.read(BASE + i * 2048, 2048)) for i in range(16)]
    for i, r in enumerate(reads):
        assert (await r).data == tb.mem.read(BASE + i * 2048, 2048)
    cycles = (cocotb.utils.get_sim_time("ns") - t0) / 4
    assert cycles < beats * 1.1 + tb.latency + 20, f"{beats} beats took {cycles} cycles"


@cocotb.test()
async def error_injection(dut):
    """Reads and writes touching an error range answer SLVERR; erroring writes store nothing."""
    tb = TB(dut)
    await tb.start()
    tb.mem.write(BASE, bytes(4096))
    tb.mem.add_error(BASE + 0x800, BASE + 0x808, read=True, write=True)
    r = await tb.axi.read(BASE + 0x7F8, 24)
    assert r.resp == AxiResp.SLVERR
    r = await tb.axi.read(BASE + 0x700, 16)
    assert r.resp == AxiResp.OKAY
    w = await tb.axi.write(BASE + 0x800, b"\xAA" * 8)
    assert w.resp == AxiResp.SLVERR
    assert tb.mem.read(BASE + 0x800, 8) == bytes(8), "erroring write changed memory"
    tb.mem.clear_errors()
    w = await tb.axi.write(BASE + 0x800, b"\xAA" * 8)
    assert w.resp == AxiResp.OKAY and tb.mem.read(BASE + 0x800, 8) == b"\xAA" * 8
    # beyond the end of the RAM
    r = await tb.axi.read(tb.mem.size - 8 if tb.mem.size < (1 << 48) else 0, 8)
    assert r.resp == AxiResp.OKAY
    await ClockCycles(dut.clk, 2)


@pytest.mark.parametrize("latency", [2, 20])
def test_axi_dpi_ram(latency):
    run(__name__, "axi_dpi_ram", sources("axi_dpi_ram"),
        parameters={"READ_LATENCY": latency})
