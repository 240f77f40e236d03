"""Self-test of the AXI / AXI-Lite protocol checkers (rtl/check, docs/coverage.md).

rtl/check_selftest/axi_checker_selftest.sv exposes one AXI4 and one AXI-Lite port with every
signal an input, and the checkers attach to it by bind exactly as on the real tops. cocotb
plays master and slave: ``legal_traffic`` runs traffic the rules allow (W before AW,
interleaved read IDs, waits on every channel) and must pass; every other test breaks one
rule on purpose and must make the simulation fail with a message naming the interface,
channel and rule. Each violation runs in its own simulation (the first $error stops it).
"""

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from tb.common.sim import run
from tb.common.tops import sources

TOP = "axi_checker_selftest"
AXI_IN = ("awid awaddr awlen awsize awburst awlock awcache awprot awuser awvalid awready "
          "wdata wstrb wlast wvalid wready bid bresp bvalid bready arid araddr arlen arsize "
          "arburst arlock arcache arprot aruser arvalid arready rid rdata rresp rlast rvalid "
          "rready").split()
AXIL_IN = ("awaddr awprot awvalid awready wdata wstrb wvalid wready bresp bvalid bready araddr "
           "arprot arvalid arready rdata rresp rvalid rready").split()


class TB:
    def __init__(self, dut):
        self.dut = dut

    def sig(self, name):
        return getattr(self.dut, name)

    def set(self, **values):
        """Drive signals by name: a="s_axi_" prefix unless the name starts with l_ (AXI-Lite)."""
        for k, v in values.items():
            name = f"s_axil_{k[2:]}" if k.startswith("l_") else f"s_axi_{k}"
            self.sig(name).value = v

    async def start(self):
        cocotb.start_soon(Clock(self.dut.clk, 10, unit="ns").start())
        for n in AXI_IN:
            self.sig(f"s_axi_{n}").value = 0
        for n in AXIL_IN:
            self.sig(f"s_axil_{n}").value = 0
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 3)
        self.dut.rst.value = 0
        await RisingEdge(self.dut.clk)

    async def cycle(self, n=1):
        await ClockCycles(self.dut.clk, n)

    async def aw(self, awid, awlen, wait=0):
        self.set(awid=awid, awlen=awlen, awaddr=0x1000 * (awid + 1), awvalid=1, awready=0)
        await self.cycle(wait)
        self.set(awready=1)
        await self.cycle()
        self.set(awvalid=0, awready=0)

    async def w_burst(self, beats, last_on=None, wait=0):
        last_on = beats if last_on is None else last_on
        for b in range(1, beats + 1):
            self.set(wdata=0xA000 + b, wstrb=0xF, wlast=int(b == last_on), wvalid=1, wready=0)
            await self.cycle(wait)
            self.set(wready=1)
            await self.cycle()
        self.set(wvalid=0, wready=0, wlast=0)

    async def b(self, bid, wait=0):
        self.set(bid=bid, bresp=0, bvalid=1, bready=0)
        await self.cycle(wait)
        self.set(bready=1)
        await self.cycle()
        self.set(bvalid=0, bready=0)

    async def ar(self, arid, arlen, wait=0):
        self.set(arid=arid, arlen=arlen, araddr=0x8000 + arid, arvalid=1, arready=0)
        await self.cycle(wait)
        self.set(arready=1)
        await self.cycle()
        self.set(arvalid=0, arready=0)

    async def r_beat(self, rid, last, wait=0):
        self.set(rid=rid, rdata=0xB000 + rid, rresp=0, rlast=last, rvalid=1, rready=0)
        await self.cycle(wait)
        self.set(rready=1)
        await self.cycle()
        self.set(rvalid=0, rready=0, rlast=0)

    async def settle(self):
        await self.cycle(4)


@cocotb.test()
async def legal_traffic(dut):
    """Everything here is allowed; no checker may fire."""
    tb = TB(dut)
    await tb.start()
    await tb.w_burst(4, wait=1)            # W burst before its AW ...
    await tb.aw(awid=1, awlen=3, wait=2)   # ... then the AW
    await tb.b(1, wait=1)
    await tb.aw(awid=2, awlen=0)           # AW first, single beat
    await tb.w_burst(1)
    await tb.b(2)
    await tb.ar(arid=0, arlen=1, wait=1)   # two IDs, R beats interleaved
    await tb.ar(arid=3, arlen=0)
    await tb.r_beat(0, last=0, wait=2)
    await tb.r_beat(3, last=1)
    await tb.r_beat(0, last=1)
    # AXI-Lite: write (data before address) and read, with waits
    tb.set(l_wdata=5, l_wstrb=0xF, l_wvalid=1)
    await tb.cycle(2)
    tb.set(l_wready=1)
    await tb.cycle()
    tb.set(l_wvalid=0, l_wready=0, l_awaddr=0x10, l_awvalid=1, l_awready=1)
    await tb.cycle()
    tb.set(l_awvalid=0, l_awready=0, l_bvalid=1, l_bready=1)
    await tb.cycle()
    tb.set(l_bvalid=0, l_bready=0, l_araddr=0x20, l_arvalid=1)
    await tb.cycle(3)
    tb.set(l_arready=1)
    await tb.cycle()
    tb.set(l_arvalid=0, l_arready=0, l_rdata=7, l_rvalid=1)
    await tb.cycle(2)
    tb.set(l_rready=1)
    await tb.cycle()
    tb.set(l_rvalid=0, l_rready=0)
    await tb.settle()


@cocotb.test()
async def aw_valid_dropped(dut):
    tb = TB(dut)
    await tb.start()
    tb.set(awvalid=1, awlen=0)
    await tb.cycle(2)
    tb.set(awvalid=0)   # withdrawn without AWREADY
    await tb.settle()


@cocotb.test()
async def w_payload_changed(dut):
    tb = TB(dut)
    await tb.start()
    tb.set(wvalid=1, wdata=1, wlast=1)
    await tb.cycle(2)
    tb.set(wdata=2)     # data changes while waiting for WREADY
    await tb.settle()


@cocotb.test()
async def wlast_early(dut):
    tb = TB(dut)
    await tb.start()
    await tb.aw(awid=0, awlen=3)
    await tb.w_burst(4, last_on=2)
    await tb.settle()


@cocotb.test()
async def wlast_missing(dut):
    tb = TB(dut)
    await tb.start()
    await tb.w_burst(3, last_on=3)    # 3 beats before the AW arrives ...
    await tb.aw(awid=0, awlen=1)      # ... for a 2-beat AW: caught when the AW comes
    await tb.settle()


@cocotb.test()
async def b_without_aw(dut):
    tb = TB(dut)
    await tb.start()
    await tb.w_burst(1)
    await tb.b(0)
    await tb.settle()


@cocotb.test()
async def b_before_wlast(dut):
    tb = TB(dut)
    await tb.start()
    await tb.aw(awid=1, awlen=1)
    await tb.b(1)
    await tb.settle()


@cocotb.test()
async def r_without_ar(dut):
    tb = TB(dut)
    await tb.start()
    await tb.ar(arid=1, arlen=0)
    await tb.r_beat(2, last=1)        # ID 2 never asked
    await tb.settle()


@cocotb.test()
async def rlast_early(dut):
    tb = TB(dut)
    await tb.start()
    await tb.ar(arid=1, arlen=2)
    await tb.r_beat(1, last=1)
    await tb.settle()


@cocotb.test()
async def axil_ar_valid_dropped(dut):
    tb = TB(dut)
    await tb.start()
    tb.set(l_arvalid=1)
    await tb.cycle(2)
    tb.set(l_arvalid=0)
    await tb.settle()


@cocotb.test()
async def axil_r_payload_changed(dut):
    tb = TB(dut)
    await tb.start()
    tb.set(l_arvalid=1, l_arready=1)
    await tb.cycle()
    tb.set(l_arvalid=0, l_arready=0, l_rvalid=1, l_rdata=3)
    await tb.cycle(2)
    tb.set(l_rresp=2)
    await tb.settle()


@cocotb.test()
async def axil_b_before_w(dut):
    tb = TB(dut)
    await tb.start()
    tb.set(l_awvalid=1, l_awready=1)
    await tb.cycle()
    tb.set(l_awvalid=0, l_awready=0, l_bvalid=1)
    await tb.settle()


# scenario -> text the failure must show: interface + channel, and the rule
VIOLATIONS = {
    "aw_valid_dropped": ("axi_checker_selftest.s_axi AW", "VALID_HELD"),
    "w_payload_changed": ("axi_checker_selftest.s_axi W", "PAYLOAD_STABLE"),
    "wlast_early": ("axi_checker_selftest.s_axi W", "WLAST_BEAT"),
    "wlast_missing": ("axi_checker_selftest.s_axi W", "WLAST_BEAT"),
    "b_without_aw": ("axi_checker_selftest.s_axi B", "B_AFTER_AW_WLAST"),
    "b_before_wlast": ("axi_checker_selftest.s_axi B", "B_AFTER_AW_WLAST"),
    "r_without_ar": ("axi_checker_selftest.s_axi R", "R_AFTER_AR"),
    "rlast_early": ("axi_checker_selftest.s_axi R", "RLAST_BEAT"),
    "axil_ar_valid_dropped": ("axi_checker_selftest.s_axil AR", "VALID_HELD"),
    "axil_r_payload_changed": ("axi_checker_selftest.s_axil R", "PAYLOAD_STABLE"),
    "axil_b_before_w": ("axi_checker_selftest.s_axil B", "B_AFTER_AW_W"),
}


def _run(testcase):
    return run(__name__, TOP, sources(TOP), testcase=testcase, visibility="ports")


def test_checkers_legal_traffic():
    _run("legal_traffic")


@pytest.mark.parametrize("scenario", list(VIOLATIONS))
def test_checker_fires(scenario):
    where, rule = VIOLATIONS[scenario]
    with pytest.raises(AssertionError) as failed:
        _run(scenario)
    msg = str(failed.value)
    assert f"AXI checker {where}:" in msg and f"(rule {rule})" in msg, (
        f"{scenario}: the simulation failed, but not with the {where} {rule} message:\n{msg}")
