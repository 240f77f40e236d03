"""skid_buf (rtl/common): the register slice system_top puts on the device port's W and R
channels and the accelerator on its data writes.

* Random valid at the input and random ready at the output (and each always on): every
  word comes out once, in order; a presented word stays stable until taken (AXI rule);
  in_ready drops only while a word waits in the skid register.
* Both sides always on: one word per cycle, one cycle of latency.
Random tests log their seed (tb.common.sim.run) and reproduce with ``SEED=``.
"""

import random

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from tb.common.sim import RTL, run
from tb.common.tbutil import start_clock_and_reset

W = 16
N = 600


async def stream(dut, p_in: float, p_out: float) -> tuple[list[int], list[int], int]:
    """Drive N words with valid probability p_in and ready probability p_out; returns (sent,
    received, cycles from the first input handshake to the last output handshake)."""
    await start_clock_and_reset(dut.clk, dut.rst)
    sent = [random.getrandbits(W) for _ in range(N)]
    got: list[int] = []
    i, cycle, first, last = 0, 0, None, None
    held = None                       # output word presented and not yet taken
    offer = False                     # input word i presented and not yet taken
    dut.in_valid.value = 0
    dut.out_ready.value = 0
    while len(got) < N:
        if i < N and not offer:       # a new offer only once the last one was taken
            offer = random.random() < p_in
            dut.in_data.value = sent[i] if offer else random.getrandbits(W)
        dut.in_valid.value = int(offer)
        dut.out_ready.value = int(random.random() < p_out)
        await ReadOnly()
        in_hs = offer and bool(dut.in_ready.value)
        out_v = bool(dut.out_valid.value)
        out_hs = out_v and bool(dut.out_ready.value)
        if out_v:
            d = int(dut.out_data.value)
            assert held is None or d == held, f"out_data changed from {held:#x} to {d:#x} while stalled"
            held = None if out_hs else d
        if out_hs:
            got.append(d)
            last = cycle
        if in_hs:
            first = cycle if first is None else first
            i += 1
            offer = False
        await RisingEdge(dut.clk)
        cycle += 1
        assert cycle < 50 * N, f"stuck: {len(got)} of {N} words out after {cycle} cycles"
    return sent, got, last - first


@cocotb.test()
@cocotb.parametrize(p=[(1.0, 1.0), (0.5, 1.0), (1.0, 0.5), (0.6, 0.4), (0.3, 0.9)])
async def order_and_stability(dut, p):
    sent, got, _ = await stream(dut, *p)
    assert got == sent, f"first difference at word {next(k for k, (a, b) in enumerate(zip(got, sent)) if a != b)}"


@cocotb.test()
async def full_rate(dut):
    sent, got, span = await stream(dut, 1.0, 1.0)
    assert got == sent
    # N words in N cycles from the first input to the last output (one cycle of latency)
    assert span == N, f"{N} words took {span} cycles from first in to last out"


def test_skid_buf():
    run(__name__, "skid_buf", [RTL / "common" / "skid_buf.sv"], parameters={"W": W})
