"""Small helpers shared by every testbench: clock/reset, pause generators, seeds."""

import itertools
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, Timer


async def start_clock_and_reset(clk, rst, period_ns=4, cycles=10):
    # Reset before the first edge: with X-randomized state (tb/system/test_xrand.py) an edge
    # without reset lets random register values reach the AXI ports and trip the checkers.
    rst.value = 1
    await Timer(1, "ns")
    Clock(clk, period_ns, unit="ns").start()
    await ClockCycles(clk, cycles)
    rst.value = 0
    await RisingEdge(clk)


def backpressure(seed_offset=0, p_busy=0.3):
    """A random pause pattern (reproducible from cocotb's seed)."""
    rng = random.Random(random.getrandbits(32) + seed_offset)
    while True:
        yield rng.random() < p_busy


def cycle_pause():
    """The classic verilog-axi pattern: 1 of every 4 cycles idle."""
    return itertools.cycle([1, 1, 1, 0])


PAUSE_MODES = {
    "none": None,
    "cycle": cycle_pause,
    "random": backpressure,
}


def param(name, default):
    """An HDL parameter as handed to the Python side by tb.common.sim.run."""
    return int(os.environ.get(f"PARAM_{name}", default))


def log_seed(log, *_ignored):
    """Log the run's seed and the command that reproduces this run (with waves)."""
    seed = int(os.environ.get("COCOTB_RANDOM_SEED", "0"))
    cmd = os.environ.get("PASIDSIM_REPRODUCE", f"make test SEED={seed}")
    log.info("seed %d; reproduce with: %s WAVES=1", seed, cmd)
    return seed
