"""sys_axi_arb (rtl/system): NDEV AXI masters onto one port, with a registered grant.

Driven at the signal level (its ports are flattened per master, which the AXI BFMs do not
bind to). Each master offers AR and AW requests (and the W beats of its AW bursts) with
a random valid; the slave side's ready is random. Checked every cycle:

* AXI stability on the merged port: a request presented without ready stays, unchanged;
* each master's requests leave once each, in its own order, tagged {master, id};
* a master's ready never rises in a cycle where the merged port does not take its
  request (ready follows the registered grant, so no valid can make it);
* W beats leave burst by burst in the merged port's AW order, each burst from the master
  whose AW it belongs to;
* fairness: while a master requests, at most NDEV-1 other requests are taken before it.
Full rate: one master, or all masters, requesting back to back with ready always high:
one request per cycle.
Random tests log their seed (tb.common.sim.run) and reproduce with ``SEED=``.
"""

import os
import random

import cocotb
import pytest
from cocotb.triggers import ReadOnly, RisingEdge

from tb.common.sim import RTL, run
from tb.common.tbutil import start_clock_and_reset

ID_WIDTH = 4
ADDR_WIDTH = 32
DATA_WIDTH = 32
USER_WIDTH = 1


def field(sig, k: int, width: int) -> int:
    return (int(sig.value) >> (k * width)) & ((1 << width) - 1)


class Master:
    """One master's AR or AW stream: a list of requests offered in order."""

    def __init__(self, k: int, n: int, siw: int, p_valid: float):
        self.k = k
        self.reqs = [(random.getrandbits(siw), random.getrandbits(ADDR_WIDTH), random.randrange(4))
                     for _ in range(n)]
        self.next = 0            # first request not yet taken
        self.offer = False
        self.p_valid = p_valid
        self.waited = 0          # requests of others taken while this one was offered


async def channel_run(dut, ch: str, ndev: int, n: int, p_valid: float, p_ready: float,
                      active: int | None = None):
    """Drive ``ch`` ("ar" or "aw", with W beats for "aw") from the first ``active``
    masters (default all), n requests each; returns (master of each accept, cycles)."""
    siw = ID_WIDTH - max(1, (ndev - 1).bit_length())
    active = ndev if active is None else active
    ms = [Master(k, n if k < active else 0, siw, p_valid) for k in range(ndev)]
    s = lambda name: getattr(dut, f"s_axi_{ch}{name}")
    m = lambda name: getattr(dut, f"m_axi_{ch}{name}")
    held = None                  # merged request presented and not taken
    taken: list[int] = []        # master of each merged accept
    # W: per master, the bursts (len) whose AW was taken, and the merged AW order
    w_pending = [[] for _ in range(ndev)]
    w_beat = [0] * ndev
    w_order: list[tuple[int, int]] = []   # (master, burst number) in merged AW order
    w_burst_no = [0] * ndev
    w_seen: list[tuple[int, int, int]] = []
    cycle = 0
    for x in ("valid", "id", "addr", "len"):
        s(x).value = 0
    dut.s_axi_wvalid.value = 0
    dut.m_axi_wready.value = 0
    while any(q.next < len(q.reqs) for q in ms) or (ch == "aw" and any(w_pending)):
        valid = ids = addrs = lens = 0
        for q in ms:
            if q.next < len(q.reqs) and not q.offer:
                q.offer = random.random() < q.p_valid
            if q.offer:
                i, a, ln = q.reqs[q.next]
                valid |= 1 << q.k
                ids |= i << (q.k * siw)
                addrs |= a << (q.k * ADDR_WIDTH)
                lens |= ln << (q.k * 8)
        s("valid").value = valid
        s("id").value = ids
        s("addr").value = addrs
        s("len").value = lens
        m("ready").value = int(random.random() < p_ready)
        if ch == "aw":           # each master's W beats, tagged {master, burst, beat}
            wv = wd = wl = 0
            for k in range(ndev):
                if w_pending[k] and random.random() < 0.8:
                    no, ln = w_pending[k][0]
                    wv |= 1 << k
                    wd |= ((k << 24) | (no << 8) | w_beat[k]) << (k * DATA_WIDTH)
                    wl |= int(w_beat[k] == ln) << k
            dut.s_axi_wvalid.value = wv
            dut.s_axi_wdata.value = wd
            dut.s_axi_wlast.value = wl
            dut.m_axi_wready.value = int(random.random() < 0.8)
        await ReadOnly()
        mv, mr = int(m("valid").value), int(m("ready").value)
        sready = int(s("ready").value)
        if mv:
            cur = (int(m("id").value), int(m("addr").value), int(m("len").value))
            assert held is None or cur == held, f"{ch}: merged request changed while stalled: {held} -> {cur}"
            held = None if mr else cur
        else:
            assert held is None, f"{ch}: merged valid dropped before ready"
        fire = mv and mr
        for q in ms:
            hs = bool(q.offer and (sready >> q.k) & 1)
            if (sready >> q.k) & 1 and q.offer:
                assert fire and int(m("id").value) >> siw == q.k, \
                    f"{ch}: master {q.k} saw ready while the merged port did not take its request"
            if hs:
                i, a, ln = q.reqs[q.next]
                assert (int(m("id").value), int(m("addr").value), int(m("len").value)) == \
                    ((q.k << siw) | i, a, ln), f"{ch}: master {q.k} request {q.next} left changed"
                taken.append(q.k)
                if ch == "aw":
                    w_pending[q.k].append((w_burst_no[q.k], ln))
                    w_order.append((q.k, w_burst_no[q.k]))
                    w_burst_no[q.k] += 1
                q.next += 1
                q.offer = False
                q.waited = 0
        if fire:
            k = int(m("id").value) >> siw
            for q in ms:
                if q.offer and q.k != k:
                    q.waited += 1
                    assert q.waited <= ndev - 1, f"{ch}: master {q.k} passed over {q.waited} times"
        if ch == "aw":
            wv = int(dut.s_axi_wvalid.value)
            wr = int(dut.s_axi_wready.value)
            if int(dut.m_axi_wvalid.value) and int(dut.m_axi_wready.value):
                d = int(dut.m_axi_wdata.value)
                w_seen.append(((d >> 24) & 0xFF, (d >> 8) & 0xFFFF, d & 0xFF))
            for k in range(ndev):
                if (wv >> k) & 1 and (wr >> k) & 1:
                    no, ln = w_pending[k][0]
                    if w_beat[k] == ln:
                        w_pending[k].pop(0)
                        w_beat[k] = 0
                    else:
                        w_beat[k] += 1
        await RisingEdge(dut.clk)
        cycle += 1
        assert cycle < 40 * n * ndev, f"{ch}: stuck after {cycle} cycles, {len(taken)} taken"
    if ch == "aw":
        want = [(k, no, b) for k, no in w_order
                for b in range(ms[k].reqs[no][2] + 1)]
        assert w_seen == want, "W beats left out of AW order"
    assert len(taken) == n * active
    return taken, cycle


@cocotb.test()
@cocotb.parametrize(ch=["ar", "aw"], p=[(1.0, 1.0), (0.5, 1.0), (1.0, 0.5), (0.3, 0.6)])
async def merge_order_stability(dut, ch, p):
    dut.s_axi_arvalid.value = 0
    dut.s_axi_awvalid.value = 0
    await start_clock_and_reset(dut.clk, dut.rst)
    await channel_run(dut, ch, int(os.environ["PARAM_NDEV"]), 150, *p)


@cocotb.test()
@cocotb.parametrize(who=["all", "master 0"])
async def full_rate(dut, who):
    """AR back to back with ready high, from every master or from master 0 alone: one
    request per cycle, the masters in turn."""
    ndev = int(os.environ["PARAM_NDEV"])
    active = ndev if who == "all" else 1
    n = 100
    dut.s_axi_arvalid.value = 0   # the last test's requests must not move the grant in reset
    await start_clock_and_reset(dut.clk, dut.rst)
    taken, cycles = await channel_run(dut, "ar", ndev, n, 1.0, 1.0, active)
    assert cycles == n * active, f"{n * active} requests took {cycles} cycles"
    assert taken[: 3 * active] == [k % active for k in range(3 * active)], \
        f"not round-robin from master 0: {taken[:12]}"


@pytest.mark.parametrize("ndev", [2, 3])
def test_axi_arb(ndev):
    run(__name__, "sys_axi_arb", [RTL / "system" / "sys_axi_arb.sv"],
        parameters={"NDEV": ndev, "ID_WIDTH": ID_WIDTH, "ADDR_WIDTH": ADDR_WIDTH,
                    "DATA_WIDTH": DATA_WIDTH, "USER_WIDTH": USER_WIDTH})
