"""The `make sim` scenario as a regression test: on the RTL (system_sim_dpi) it must end
with every data check passing, and per process the same descriptors, bytes, resolved and
blocked faults and resubmissions as on the model backend.

Not compared: the number of SMMU event records. The RTL accelerator keeps several bursts
in flight, so two bursts into the same unmapped page each fault and each get a record
(one per faulting transaction, as SMMUv3 records them); the model does one access per
page. The RTL must record at least one per faulting page, which is checked."""

import asyncio
import json

import pytest

from pasidsim.demo import demo
from pasidsim.driver.system import model_system
from tb.common.sim import run
from tb.common.tops import sources

KEYS = ("pasid", "device", "descriptors", "bytes", "faults_resolved", "faults_blocked", "resubmits",
        "checks")


@pytest.mark.parametrize("stalls", [True, False])
def test_demo_rtl_matches_model(stalls):
    nproc, size = 4, 16 << 10

    async def on_model():
        sys_ = await model_system(stall=stalls)
        return await demo(sys_, nproc=nproc, size=size, seed=3, stalls=stalls)

    model = asyncio.run(on_model()).procs
    want = [{k: getattr(p, k) for k in KEYS} for p in model]
    run_dir = run("tb.demo", "system_sim_dpi", sources("system_sim_dpi"), visibility="ports",
                  extra_env={"DEMO_PROCS": str(nproc), "DEMO_SIZE": str(size), "DEMO_SEED": "3",
                             "DEMO_STALLS": "1" if stalls else "0"})
    rtl = json.loads((run_dir / "summary.json").read_text())["procs"]
    got = [{k: p[k] for k in KEYS} for p in rtl]
    assert got == want
    for r, m in zip(rtl, model):
        assert (r["smmu_faults"] == 0) == (m.smmu_faults == 0), (r, m)
        assert r["smmu_faults"] >= m.smmu_faults, (r, m)
