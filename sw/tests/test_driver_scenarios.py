"""Scenarios run through the backend-independent driver API; outcomes are compared.

The RTL backend (system top) does not exist yet: until then each scenario runs on two
independently built model systems, which checks that scenarios are deterministic and that the
outcome captures what it should; the RTL comparison will reuse ``compare`` unchanged.
"""

import asyncio

import pytest

from pasidsim.dma_desc import Status
from pasidsim.driver.scenario import SCENARIOS, compare
from pasidsim.driver.system import model_system


async def outcome(name, **kw):
    sys = await model_system(**kw)
    out = await SCENARIOS[name](sys)
    assert sys.plat.check_coherent() == []
    return sys, out


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_is_reproducible(name):
    _, a = asyncio.run(outcome(name))
    _, b = asyncio.run(outcome(name, plat_kw={"ram_base": 0x1_0000_0000}))  # other placement
    assert compare(a, b) == []


def test_two_processes_outcome_content():
    sys, out = asyncio.run(outcome("two_processes"))
    st = {tag: status for tag, status, *_ in out.completions}
    assert st["a.memmove"] == st["b.memmove"] == Status.SUCCESS
    assert st["b.fill_ro"] == Status.PAGE_FAULT
    assert out.memory["b.ro"] == bytes(2 * 4096)
    assert any(f[-1] == "retry" for f in out.faults) and any(f[-1] == "abort" for f in out.faults)
    # Everything was given back.
    assert sys.smmu.asids.in_use == 0 and sys.host.pasids.in_use == 0


def test_compare_reports_differences():
    _, a = asyncio.run(outcome("two_processes"))
    _, b = asyncio.run(outcome("two_processes"))
    b.memory["a.dst"] = b.memory["a.dst"][:100] + b"\x00" + b.memory["a.dst"][101:]
    b.completions[0] = b.completions[0][:3] + (1,) + b.completions[0][4:]
    b.faults = b.faults[1:]
    d = compare(a, b)
    assert any("memory a.dst: first difference at offset 0x64" in x for x in d)
    assert any(x.startswith("completion #0") for x in d) and any("fault logs differ" in x for x in d)


def test_run_sync_drives_driver_coroutines():
    from pasidsim.driver import run_sync
    sys = run_sync(model_system())
    out = run_sync(SCENARIOS["paging_domains"](sys))
    assert out.memory["d1.leaves"] == repr([(0x4000_0000, 1 << 21)]).encode()
    assert sys.smmu.asids.in_use == 0
