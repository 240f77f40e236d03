"""The caches' fill register (smmu_cfgc, smmu_iotlb; docs/smmu.md "Caches"): a fill taken
from a walker is registered and written to its entry a cycle later, and an invalidation
that arrives in that cycle must drop it (the walk may have read the tables being
invalidated). At smmu_top level the command queue's timing cannot put an invalidation on
that exact cycle on demand, so each cache is driven alone here, cycle by cycle.

For each cache: a fill with no invalidation lands (the lookup hits: the control); an
invalidation in the fill register's cycle, or in the cycle after (the entry is written
by then and invalidated as usual), leaves the lookup missing. With the drop removed from
the fill register, the first case fails.
"""

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from tb.common.sim import RTL, run

ASID, VA, PA = 5, 0x12345, 0x678        # VA / PA: page numbers (bits 47:12)
SID, SSID = 3, 9


async def reset(dut, inputs):
    for name in inputs:
        getattr(dut, name).value = 0
    dut.rst.value = 1
    for _ in range(3):
        await RisingEdge(dut.clk)
    dut.rst.value = 0
    await RisingEdge(dut.clk)


async def fill_then_invalidate(dut, fill, inv, delay):
    """Offer `fill` (signal -> value) on fill port 0 for one cycle; `delay` cycles after
    its fill register is loaded (None: never) pulse `inv` for one cycle."""
    for name, value in fill.items():
        getattr(dut, name).value = value
    await ReadOnly()
    assert int(dut.fill_ready.value) & 1, "fill port 0 not ready"
    await RisingEdge(dut.clk)              # taken: the fill register holds it now
    dut.fill_valid.value = 0
    if delay is not None:
        for _ in range(delay):
            await RisingEdge(dut.clk)
        for name, value in inv.items():
            getattr(dut, name).value = value
        await RisingEdge(dut.clk)
        for name in inv:
            getattr(dut, name).value = 0
    for _ in range(2):
        await RisingEdge(dut.clk)


IOTLB_IN = ["lk_asid", "lk_cfg_oh", "cfg_asid", "lk_va", "sel_oh", "fill_valid", "fill_asid",
            "fill_va", "fill_pa", "fill_size", "fill_perm", "fill_glob", "inv_all", "inv_asid",
            "inv_va", "inv_asid_v", "inv_va_v"]


@cocotb.test()
async def iotlb_fill_meets_tlbi(dut):
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    for i, delay in enumerate((None, 0, 1)):
        # a new key each time: reset clears valid bits, not the tags the last round wrote
        va = VA + i
        await reset(dut, IOTLB_IN)
        dut.lk_asid.value = ASID           # port 0 (NXP=0: matched by its own ASID)
        dut.lk_va.value = va
        await fill_then_invalidate(
            dut, {"fill_valid": 1, "fill_asid": ASID, "fill_va": va, "fill_pa": PA,
                  "fill_size": 0, "fill_perm": 0, "fill_glob": 0},
            {"inv_va": 1, "inv_asid_v": ASID, "inv_va_v": va}, delay)
        await ReadOnly()
        hit = int(dut.lk_hit.value) & 1
        if delay is None:
            assert hit and (int(dut.lk_pa.value) & ((1 << 36) - 1)) == PA, "the fill did not land"
        else:
            assert not hit, f"TLBI_NH_VA {delay} cycle(s) into the fill register left the entry"
        await RisingEdge(dut.clk)


CFGC_IN = ["lk_sid", "lk_ssv", "lk_ssid", "lk_va", "sel_oh", "fill_valid", "fill_sid",
           "fill_ssv", "fill_ssid", "fill_cfg", "inv_all", "inv_sid", "inv_sid_ssid",
           "inv_sid_v", "inv_sid_mask", "inv_ssid_v"]


@cocotb.test()
async def cfgc_fill_meets_cfgi(dut):
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    for i, delay in enumerate((None, 0, 1)):
        sid = SID + i                      # a new key each time (see above)
        await reset(dut, CFGC_IN)
        dut.lk_sid.value = sid             # port 0
        dut.lk_ssv.value = 1
        dut.lk_ssid.value = SSID
        await fill_then_invalidate(
            dut, {"fill_valid": 1, "fill_sid": sid, "fill_ssv": 1, "fill_ssid": SSID},
            {"inv_sid_ssid": 1, "inv_sid_v": sid, "inv_ssid_v": SSID}, delay)
        await ReadOnly()
        match = int(dut.lk_oh.value) & 0xFF    # port 0's one-hot match (8 entries)
        if delay is None:
            assert match, "the fill did not land"
        else:
            assert not match, f"CFGI_CD {delay} cycle(s) into the fill register left the entry"
        await RisingEdge(dut.clk)


def _srcs(name):
    return [RTL / "smmu" / "smmu_pkg.sv", RTL / "smmu" / f"{name}.sv"]


def test_iotlb_fill():
    run(__name__, "smmu_iotlb", _srcs("smmu_iotlb"), testcase="iotlb_fill_meets_tlbi")


def test_cfgc_fill():
    run(__name__, "smmu_cfgc", _srcs("smmu_cfgc"), testcase="cfgc_fill_meets_cfgi")
