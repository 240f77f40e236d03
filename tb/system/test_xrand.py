"""X-randomized runs of the system regressions (long regression only; their own build).

The build uses ``--x-assign unique --x-initial unique`` (tb.common.sim.XRAND_BUILD_ARGS) and
every run ``+verilator+rand+reset+2 +verilator+seed+<n>`` with n derived from the run's
seed: registers without a reset start from random values instead of zeros, and X from
logic (out-of-range selects, undriven bits) becomes random too. The many-process workload
(golden model + isolation scoreboard) and reset-under-traffic must still pass.
Reproduce: ``make test T=tb/system/test_xrand.py K=<test> SEED=<n>`` (same seed, same X).
"""

import pytest

from tb.common.sim import XRAND_BUILD_ARGS, run, run_seed, xrand_plusargs
from tb.common.tops import sources

TOP = "system_sim_dpi"


def _run(module, testcase=None):
    seed = run_seed()
    run(module, TOP, sources(TOP), parameters={"DMA_SID": 1}, testcase=testcase, seed=seed,
        build_args=XRAND_BUILD_ARGS, plusargs=xrand_plusargs(seed), visibility="ports")


@pytest.mark.long
def test_xrand_many_processes():
    _run("tb.system.test_isolation", "many_processes_isolated")


@pytest.mark.long
def test_xrand_reset_under_traffic():
    _run("tb.system.test_reset")
