"""The driver's scenarios on the RTL (system_sim_dpi) and on the model, compared.

Each scenario of pasidsim.driver.scenario runs unchanged on both backends: on the RTL
through RtlPlatform (AXI-Lite registers, the HDL-side RAM's zero-copy backdoor,
interrupt lines), on the model through ModelPlatform. Final process memory, completion
records and the fault log must match.
"""

import os

import cocotb
import pytest

from pasidsim.driver.scenario import SCENARIOS, compare
from pasidsim.driver.system import bring_up, model_system
from tb.common.dpimem import DpiMem
from tb.common.rtl_platform import RtlPlatform, accelerator_count
from tb.common.sim import run
from tb.common.tbutil import param, start_clock_and_reset
from tb.common.tops import sources

RAM_BASE = 0x8000_0000
RAM_SIZE = 64 << 20


async def rtl_system(dut):
    await start_clock_and_reset(dut.clk, dut.rst)
    mem = DpiMem()
    plat = RtlPlatform(dut, mem, RAM_BASE, RAM_SIZE)
    return await bring_up(plat, stall=param("STALL", 1) == 1)


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def scenario_matches_model(dut):
    name = os.environ["SCENARIO"]
    ndev = accelerator_count(dut)  # the model gets the built top's shape
    model = await model_system(plat_kw={"dma_sid": param("DMA_SID", 1), "ndev": ndev})
    want = await SCENARIOS[name](model)
    sys = await rtl_system(dut)
    assert [d.sid for d in sys.devs] == [d.sid for d in model.devs]  # same system shape
    got = await SCENARIOS[name](sys)
    diffs = compare(want, got)
    assert not diffs, f"{name}: RTL and model differ:\n" + "\n".join(diffs)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_driver_rtl(scenario):
    run(__name__, "system_sim_dpi", sources("system_sim_dpi"),
        parameters={"DMA_SID": 1}, extra_env={"SCENARIO": scenario}, visibility="ports")
