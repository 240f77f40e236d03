"""Bring-up of the driver on system_sim_dpi for the tb/system regressions, X-safe.

Under X-randomization (tb/system/test_xrand.py) every top-level input starts random, so
order matters: reset is asserted *before* the clock starts (no clock edge may see a
random reset) and the AXI-Lite master is created before reset ends (it drives its VALIDs
low). The bound AXI checkers (rtl/check) flag either mistake.
"""

from cocotb.triggers import Timer

from pasidsim.driver.system import bring_up
from tb.common.dpimem import DpiMem
from tb.common.rtl_platform import RtlPlatform
from tb.common.tbutil import start_clock_and_reset

RAM_BASE = 0x8000_0000
RAM_SIZE = 64 << 20


async def reset_xsafe(dut) -> None:
    dut.rst.value = 1
    await Timer(1, unit="ns")
    await start_clock_and_reset(dut.clk, dut.rst)


async def rtl_platform(dut, mem: DpiMem | None = None) -> RtlPlatform:
    """Platform on a freshly reset system (clock started, reset released)."""
    plat = RtlPlatform(dut, mem or DpiMem(), RAM_BASE, RAM_SIZE)
    await reset_xsafe(dut)
    return plat


async def rtl_system(dut, mem: DpiMem | None = None, *, stall: bool = True):
    """(system, platform): the driver probed on a freshly reset system."""
    plat = await rtl_platform(dut, mem)
    return await bring_up(plat, stall=stall), plat
