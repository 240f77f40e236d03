"""The `make sim` scenario on the model backend: outcomes and the scoreboard's teeth."""

import asyncio

import pytest

from pasidsim.demo import PAGE, demo, format_report
from pasidsim.driver.system import model_system


def run_demo(stall, **kw):
    async def main():
        sys = await model_system(stall=stall)
        return await demo(sys, stalls=stall, **kw)
    return asyncio.run(main())


@pytest.mark.parametrize("stall", [False, True])
def test_demo_outcome(stall):
    size = 32 << 10
    r = run_demo(stall, nproc=4, size=size)
    assert r.ok, format_report(r)
    lazy, intruder = r.procs[1], r.procs[2]
    assert lazy.smmu_faults == lazy.faults_resolved == size // PAGE
    assert lazy.resubmits == (0 if stall else size // PAGE)
    assert intruder.faults_blocked == 1 and intruder.smmu_faults == 1
    for p in (r.procs[0], r.procs[3]):
        assert p.smmu_faults == 0 and p.bytes == size + size // 4 + size
    assert len({p.pasid for p in r.procs}) == 4


def test_demo_detects_a_broken_copy(monkeypatch):
    """A device that corrupts one byte of every DMA write is caught by the report."""
    from pasidsim.driver import model_dma

    orig = model_dma._VaView.write

    def corrupting_write(self, va, data):
        data = bytearray(data)
        data[0] ^= 0xFF
        orig(self, va, bytes(data))

    monkeypatch.setattr(model_dma._VaView, "write", corrupting_write)
    r = run_demo(False, nproc=2, size=8 << 10)
    assert not r.ok
    assert any("memmove" in c for p in r.procs for c in p.checks)


def test_demo_rejects_bad_arguments():
    with pytest.raises(ValueError, match="size"):
        run_demo(False, size=1000)
    with pytest.raises(ValueError, match="process"):
        run_demo(False, nproc=0)
