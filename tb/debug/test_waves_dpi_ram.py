"""Waves on the HDL RAM (rtl/sim/axi_dpi_ram): a test asserts after the fact on what the
dump recorded. The cocotb side notes every address and response handshake it sees live
(sampled at the clock edge, as the flops see them); the pytest side reads the dump with
tb.common.waves.Dump and must find exactly the same beats, in order."""

import json
import random
from pathlib import Path

import cocotb
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiBus, AxiMaster

from tb.common.dpimem import DpiMem
from tb.common.sim import run
from tb.common.tbutil import PAUSE_MODES, log_seed, start_clock_and_reset
from tb.common.tops import sources

BASE = 0x1000_0000


async def _monitor(dut, seen):
    while True:
        await RisingEdge(dut.clk)
        if dut.s_axi_arvalid.value and dut.s_axi_arready.value:
            seen["ar"].append([int(dut.s_axi_arid.value), int(dut.s_axi_araddr.value),
                               int(dut.s_axi_arlen.value)])
        if dut.s_axi_awvalid.value and dut.s_axi_awready.value:
            seen["aw"].append([int(dut.s_axi_awid.value), int(dut.s_axi_awaddr.value),
                               int(dut.s_axi_awlen.value)])
        if dut.s_axi_rvalid.value and dut.s_axi_rready.value:
            seen["r"].append([int(dut.s_axi_rid.value), int(dut.s_axi_rdata.value),
                              int(dut.s_axi_rlast.value)])


@cocotb.test()
async def traffic(dut):
    log_seed(dut._log, "tb/debug/test_waves_dpi_ram.py", "traffic")
    mem = DpiMem()
    axi = AxiMaster(AxiBus.from_prefix(dut, "s_axi"), dut.clk, dut.rst)
    await start_clock_and_reset(dut.clk, dut.rst)
    for ch in (axi.read_if.ar_channel, axi.read_if.r_channel, axi.write_if.aw_channel):
        ch.set_pause_generator(PAUSE_MODES["random"]())
    seen = {"ar": [], "aw": [], "r": []}
    cocotb.start_soon(_monitor(dut, seen))
    mem.write(BASE, random.randbytes(4096))
    for _ in range(12):
        off, n = random.randrange(0, 2048), random.randint(1, 300)
        if random.random() < 0.5:
            await axi.write(BASE + off, random.randbytes(n))
        else:
            assert (await axi.read(BASE + off, n)).data == mem.read(BASE + off, n)
    for _ in range(4):
        await RisingEdge(dut.clk)
    Path("seen.json").write_text(json.dumps(seen))


def test_waves_dpi_ram():
    from tb.common.waves import Dump

    test_dir = run(__name__, "axi_dpi_ram", sources("axi_dpi_ram"),
                   parameters={"READ_LATENCY": 2}, waves=True)
    seen = json.loads((test_dir / "seen.json").read_text())
    dumps = [p for p in (test_dir / "dump.fst", test_dir / "dump.vcd") if p.exists()]
    assert dumps, f"WAVES run left no dump in {test_dir}"
    dump = Dump(dumps[0])
    for ch, fields in (("ar", ("id", "addr", "len")), ("aw", ("id", "addr", "len")),
                       ("r", ("id", "data", "last"))):
        got = [[b[f] for f in fields] for b in dump.handshakes("axi_dpi_ram.s_axi", ch)]
        assert seen[ch], f"the scenario made no {ch} beats"
        assert got == seen[ch], f"{ch}: dump has {len(got)} beats, live monitor {len(seen[ch])}"
