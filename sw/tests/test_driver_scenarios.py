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


def _status(out):
    return {tag: status for tag, status, *_ in out.completions}


def test_one_process_two_devices_outcome_content():
    sys, out = asyncio.run(outcome("one_process_two_devices"))
    assert set(_status(out).values()) == {Status.SUCCESS}
    assert out.memory["shared"] == b"(True, 2)"          # one PASID, one domain, two slots
    src = bytes((i * 7 + 3) & 0xFF for i in range(4 * 4096))
    dst = out.memory["dst"]
    for off in (0, 2 * 4096):                             # each device copied its half
        assert dst[off + 5:off + 5 + 2 * 4096 - 8] == src[off + 3:off + 3 + 2 * 4096 - 8]
    # both StreamIDs faulted (and were resumed) under the same PASID
    assert {(f[2], f[3], f[-1]) for f in out.faults} == {(1, 1, "retry"), (2, 1, "retry")}
    assert sys.smmu.asids.in_use == 0 and sys.host.pasids.in_use == 0


def test_rid_and_pasids_outcome_content():
    sys, out = asyncio.run(outcome("rid_and_pasids"))
    st = _status(out)
    assert st["kernel.memmove"] == st["a.memmove"] == st["b.memmove"] == Status.SUCCESS
    ksrc = bytes((i * 5 + 1) & 0xFF for i in range(4096))
    assert out.memory["kernel.dst"][20:20 + 4096 - 100] == ksrc[50:50 + 4096 - 100]
    fill = next(c for c in out.completions if c[0] == "kernel.fill_past_end")
    assert fill[1] == Status.PAGE_FAULT and fill[3] == 0x800   # stopped at the mapping's end
    assert out.memory["kernel.dst_after"][0x800:] == bytes.fromhex("aaaa5555aaaa5555") * 256
    rid = [f for f in out.faults if f[3] is None]
    assert len(rid) == 1 and rid[0][2] == sys.dev.sid and rid[0][-1] is None  # no PASID, no stall
    assert {f[3] for f in out.faults} == {None, 1, 2}


def test_munmap_while_queued_outcome_content():
    _, out = asyncio.run(outcome("munmap_while_queued"))
    st = _status(out)
    assert st["memmove_before"] == Status.SUCCESS and st["fill_after_munmap"] == Status.PAGE_FAULT
    src = bytes((i * 3 + 1) & 0xFF for i in range(2 * 4096))
    assert out.memory["dst"] == src[8:] + bytes(8)    # both pages: page 1 after the RESUME retry
    fs = [f for f in out.faults if f[2:4] == (1, 1)]
    assert [f[-1] for f in fs].count("abort") == 1       # the FILL of unmapped X


def test_munmap_while_queued_catches_a_missing_invalidation(monkeypatch):
    """Negative control: without the TLBI on munmap the queued FILL writes through the stale
    IOTLB entry into the freed page, and the scenario says so."""
    from pasidsim.driver.domain import SvaDomain
    from pasidsim.driver.scenario import ScenarioError

    async def no_invalidate(self, mm, start, end):
        return None
    monkeypatch.setattr(SvaDomain, "invalidate_range", no_invalidate)
    with pytest.raises(ScenarioError, match="stray write into the freed page"):
        asyncio.run(outcome("munmap_while_queued"))


def test_exit_while_active_outcome_content():
    sys, out = asyncio.run(outcome("exit_while_active"))
    assert set(_status(out).values()) == {Status.SUCCESS}  # b: before, during, after
    src = bytes((i * 11) & 0xFF for i in range(3 * 4096))
    assert out.memory["b.dst"] == src
    a_faults = sorted(f[:2] + (f[-1],) for f in out.faults if f[3] == 1 and f[-1] != "retry")
    # a's stall was aborted by the teardown; its completion write then met the quiet CD
    # (EPD0, R=0): terminated without a record, and never a C_BAD_CD
    assert a_faults == [("TranslationFault", "F_TRANSLATION", "abort")]
    assert sys.host.pasids.in_use == 0 and sys.smmu.asids.in_use == 0


def test_two_device_scenario_on_a_one_device_system():
    from pasidsim.driver.scenario import ScenarioError
    with pytest.raises(ScenarioError, match="needs 2 accelerators, the system has 1"):
        asyncio.run(outcome("one_process_two_devices", plat_kw={"ndev": 1}))
    _, out = asyncio.run(outcome("paging_domains", plat_kw={"ndev": 1}))  # adds its own device
    assert out.faults == []
