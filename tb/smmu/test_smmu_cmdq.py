"""Directed tests of smmu_top's command queue: every command's invalidation (what it
removes and what it keeps, against the golden model's caches), CERROR_ILL / CERROR_ABT
and recovery through GERRORN, queue wrap with the driver's producer, every CMD_SYNC
completion mode (none, IRQ pulse, MSI write) and CMD_SYNC waiting for transactions in
flight. Commands are produced by pasidsim.driver.cmdq.CmdQueue where it fits.
"""

import cocotb
import pytest
from cocotb.triggers import ClockCycles

from pasidsim import regs as R
from pasidsim import smmuv3 as S
from pasidsim import trace as T
from pasidsim.driver.errors import HardwareError
from tb.common.sim import run
from tb.common.tbutil import param
from tb.common.tops import sources
from tb.smmu.cmdq_tb import CMDQ, MSI_PA, VAS, CmdTB, World

PAUSES = ["none", "random"]


async def probe(tb, sid, ssid, va, what):
    """Read through the DUT, checked against the model (caching): returns the PA used."""
    ssv = ssid != 0
    t = await tb.check_read(sid, va + 8, 16, ssid=ssid, ssv=ssv, what=what)
    assert t.ok, f"{what}: model says {t}"
    return t.pa & ~0xFFF


async def stale_then_fresh(tb, change, cmds, fresh, stale, what):
    """Warm the caches on every probe, change the tables, check every probe still
    translates the old way, issue `cmds` + CMD_SYNC, then check `fresh` probes translate
    the new way and `stale` ones the old way (the model decides; the test also checks
    that each probe's outcome really differs between old and new tables)."""
    probes = fresh + stale
    # start from empty caches on both sides, so no cached entry is evicted by the RTL's
    # finite caches during the stage (the model's caches never evict)
    await tb.issue([S.cmd_cfgi_all(), S.cmd_tlbi_nsnh_all()])
    old = {p: await probe(tb, *p, what=f"{what} warm") for p in probes}
    change()
    for p in probes:
        assert await probe(tb, *p, what=f"{what} cached") == old[p], \
            f"{what}: {p} changed before any invalidation (model says so too?)"
    await tb.issue(cmds)
    for p in fresh:
        assert await probe(tb, *p, what=f"{what} after") != old[p], \
            f"{what}: {p} should use the new tables"
    for p in stale:
        assert await probe(tb, *p, what=f"{what} after") == old[p], \
            f"{what}: {p} should still use its cached entry"
    await tb.check_events()


@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def each_command(dut, pause):
    """CFGI_STE, CFGI_STE_RANGE (CFGI_ALL opcode, Range 1 and 31), CFGI_CD (PASID and
    SSID 0), CFGI_CD_ALL, TLBI_NH_VA, TLBI_NH_ASID, TLBI_NH_ALL, TLBI_NSNH_ALL: each
    removes exactly what the golden model removes; PREFETCH_CONFIG and RESUME remove
    nothing. CMDQ_CONS ends at PROD with no error."""
    tb = CmdTB(dut)
    await tb.start(pause)
    await tb.setup_cmdq(log2size=4, strtab_log2size=4)
    w = World(tb, sids=(1, 2, 5, 8))
    await tb.issue([S.cmd_cfgi_all(), S.cmd_tlbi_nsnh_all()])   # as the driver's reset

    await stale_then_fresh(tb, lambda: (w.new_ste(1), w.new_ste(2)), [S.cmd_cfgi_ste(1)],
                           [(1, 1, VAS[0])], [(2, 1, VAS[0])], "CFGI_STE")
    await stale_then_fresh(tb, lambda: (w.new_ste(5), w.new_ste(8)),
                           [S.Cmd(S.CMD_CFGI_ALL, sid=4, range_=1)],
                           [(5, 2, VAS[0])], [(8, 2, VAS[0])], "CFGI_STE_RANGE 4..7")
    await stale_then_fresh(tb, lambda: (w.new_ste(1), w.new_ste(8)), [S.cmd_cfgi_all()],
                           [(1, 3, VAS[1]), (8, 1, VAS[1])], [], "CFGI_ALL")
    await stale_then_fresh(tb, lambda: (w.new_cd(1, 2), w.new_cd(1, 3)), [S.cmd_cfgi_cd(1, 2)],
                           [(1, 2, VAS[0])], [(1, 3, VAS[0])], "CFGI_CD")
    await stale_then_fresh(tb, lambda: (w.new_cd(2, 0), w.new_cd(2, 1)), [S.cmd_cfgi_cd(2, 0)],
                           [(2, 0, VAS[0])], [(2, 1, VAS[0])], "CFGI_CD SSID 0")
    await stale_then_fresh(tb, lambda: (w.new_cd(1, 1), w.new_cd(1, 2), w.new_cd(2, 2)),
                           [S.cmd_cfgi_cd_all(1)],
                           [(1, 1, VAS[0]), (1, 2, VAS[0])], [(2, 2, VAS[0])], "CFGI_CD_ALL")
    a = w.asid[(1, 1)]
    await stale_then_fresh(tb, lambda: (w.remap(1, 1, VAS[0]), w.remap(1, 1, VAS[1])),
                           [S.cmd_tlbi_nh_va(a, VAS[0] + 0x123, leaf=True)],
                           [(1, 1, VAS[0])], [(1, 1, VAS[1])], "TLBI_NH_VA")
    await stale_then_fresh(tb, lambda: (w.remap(1, 2, VAS[0]), w.remap(2, 2, VAS[0])),
                           [S.cmd_tlbi_nh_asid(w.asid[(1, 2)])],
                           [(1, 2, VAS[0])], [(2, 2, VAS[0])], "TLBI_NH_ASID")
    for cmd in (S.cmd_tlbi_nh_all(), S.cmd_tlbi_nsnh_all()):
        await stale_then_fresh(tb, lambda: (w.remap(1, 3, VAS[0]), w.remap(2, 3, VAS[1])), [cmd],
                               [(1, 3, VAS[0]), (2, 3, VAS[1])], [], cmd.name)
    await stale_then_fresh(tb, lambda: (w.new_ste(2), w.remap(1, 1, VAS[1])),
                           [S.cmd_prefetch_config(2, 1), S.cmd_resume(1, 0, S.RESUME_RETRY)],
                           [], [(2, 1, VAS[0]), (1, 1, VAS[1])], "PREFETCH_CONFIG/RESUME")
    cons = await tb.regs.read(R.CMDQ_CONS)
    assert cons == tb.cmdq.prod, f"CMDQ_CONS {cons:#x} != PROD {tb.cmdq.prod:#x}"
    assert await tb.regs.read(R.GERROR) == 0


def bad_entries():
    """(name, words, golden model also rejects it) for malformed / unsupported commands."""
    va = S.cmd_tlbi_nh_va(1, 0x1000).words()
    sync = S.cmd_sync().words()
    res = S.cmd_resume(1, 2, S.RESUME_ABORT).words()
    return [
        ("opcode 0x7f", [0x7F, 0], True),
        ("PREFETCH_ADDR (not implemented)", [0x02, 0], True),
        ("TLBI_EL2_ALL (IDR0.HYP=0)", S.cmd_tlbi_el2_all().words(), True),
        ("ATC_INV (IDR0.ATS=0)", [0x40, 0], True),
        ("TLBI_NH_VA NUM=1 (IDR3.RIL=0)", [S.CMD_NUM.set(va[0], 1), va[1]], False),
        ("TLBI_NH_VA SCALE=2", [S.CMD_SCALE.set(va[0], 2), va[1]], False),
        ("TLBI_NH_VA TG=1", [va[0], S.CMD_TG.set(va[1], 1)], False),
        ("CMD_SYNC CS=0b11", [S.CMD_CS.set(sync[0], 3), sync[1]], False),
        ("RESUME RESP=0b11", [S.CMD_RESP.set(res[0], 3), res[1]], False),
    ]


@cocotb.test()
@cocotb.parametrize(pause=PAUSES)
async def cerror_ill_abt_and_recovery(dut, pause):
    """A bad command stops the queue at itself with CMDQ_CONS.ERR = CERROR_ILL (read
    error: CERROR_ABT) and GERROR.CMDQ_ERR toggled (irq_gerror with GERROR_IRQEN);
    commands before it took effect, commands after it did not; fixing the entry and
    writing GERRORN resumes the queue. The driver's own recovery (replace by CMD_SYNC,
    HardwareError) works too."""
    tb = CmdTB(dut)
    await tb.start(pause)
    await tb.setup_cmdq(log2size=3)
    tb.mirror = False            # the model reads the ring itself, bad entries included
    await tb.regs.write(R.IRQ_CTRL, R.IRQ_CTRL.encode(GERROR_IRQEN=1))
    w = World(tb, sids=(1,))
    q = tb.cmdq
    bit = R.GERROR.field("CMDQ_ERR").mask
    for name, words, model_rejects in bad_entries() + [("read error", None, None)]:
        await tb.issue([S.cmd_cfgi_all(), S.cmd_tlbi_nsnh_all()])
        a1, a2 = w.asid[(1, 1)], w.asid[(1, 2)]
        p1, p2 = (1, 1, VAS[0]), (1, 2, VAS[0])
        old1, old2 = await probe(tb, *p1, what=name), await probe(tb, *p2, what=name)
        w.remap(1, 1, VAS[0])
        w.remap(1, 2, VAS[0])
        bad_idx = S.q_index(S.q_inc(q.prod, q.log2size), q.log2size)
        bad_addr = CMDQ + bad_idx * S.CMD_SIZE
        entries = [S.cmd_tlbi_nh_asid(a1).words(), words or S.cmd_tlbi_nh_all().words(),
                   S.cmd_tlbi_nh_asid(a2).words()]
        g0 = await tb.regs.read(R.GERRORN)
        await tb.submit_raw(entries, before_publish=(
            lambda: tb.mem.add_error_range(bad_addr, S.CMD_SIZE)) if words is None else None)
        cons = await tb.settle_cons()
        exp_err = R.CERROR_ABT if words is None else R.CERROR_ILL
        assert R.CMDQ_CONS.field("ERR").get(cons) == exp_err, f"{name}: CMDQ_CONS {cons:#x}"
        assert S.q_index(cons, q.log2size) == bad_idx, f"{name}: stopped at {cons:#x}"
        assert (await tb.regs.read(R.GERROR) ^ g0) & bit, f"{name}: GERROR.CMDQ_ERR not toggled"
        assert dut.irq_gerror.value == 1, f"{name}: no global error interrupt"
        # the golden model executes what the DUT executed; where it checks this case
        # itself it must stop at the same entry
        tb.model.regs["CMDQ_PROD"] = q.prod if model_rejects else cons & 0xFFFFF
        tb.model.process_commands()
        if model_rejects:
            assert tb.model.field("CMDQ_CONS", "ERR") == R.CERROR_ILL, name
        assert S.q_index(tb.model.regs["CMDQ_CONS"], q.log2size) == bad_idx, name
        # the command before took effect, the one after did not
        assert await probe(tb, *p1, what=f"{name} before") != old1, name
        assert await probe(tb, *p2, what=f"{name} after") == old2, name
        # fix: replace the bad entry by a CMD_SYNC (as Linux does), acknowledge
        if words is None:
            tb.mem.remove_error_range(bad_addr, S.CMD_SIZE)
        tb.mem.write(bad_addr, S.cmd_sync().encode())
        await tb.regs.write(R.GERRORN, (await tb.regs.read(R.GERROR)))
        cons = await tb.settle_cons()
        assert cons == q.prod, f"{name}: after GERRORN, CMDQ_CONS {cons:#x} != {q.prod:#x}"
        assert dut.irq_gerror.value == 0
        # the model: same fix, same acknowledgement
        tb.model.regs["GERRORN"] = tb.model.regs["GERROR"]
        tb.model_catch_up()
        assert tb.model.regs["CMDQ_CONS"] == q.prod, name
        assert await probe(tb, *p2, what=f"{name} resumed") != old2, name
    # the driver's recovery path: HardwareError, bad entry skipped, queue keeps going
    with pytest.raises(HardwareError):
        await tb.cmdq.issue([S.Cmd(0x20)])
    assert tb.cmdq.errors and tb.cmdq.errors[-1][0] == R.CERROR_ILL
    tb.model.regs["CMDQ_PROD"] = tb.model.regs["CMDQ_CONS"] = tb.cmdq.prod
    tb.model.regs["GERRORN"] = tb.model.regs["GERROR"]
    await tb.issue([S.cmd_tlbi_nh_all()])
    assert await tb.regs.read(R.CMDQ_CONS) == tb.cmdq.prod


@cocotb.test()
async def queue_wrap(dut):
    """A 4-entry queue driven by the driver's producer through many wraps, batches
    larger than the queue (the producer waits for space): every TLBI takes effect in
    order, CONS ends equal to PROD (index and wrap bit)."""
    tb = CmdTB(dut)
    await tb.start("random", latency=2)
    await tb.setup_cmdq(log2size=2)
    w = World(tb, sids=(1,))
    for i in range(12):
        ssid = 1 + i % 3
        va = VAS[i % 2]
        old = await probe(tb, 1, ssid, va, f"wrap {i}")
        w.remap(1, ssid, va)
        filler = [S.cmd_prefetch_config(1, ssid), S.cmd_tlbi_nh_asid(999)] * (i % 4)
        await tb.issue(filler + [S.cmd_tlbi_nh_va(w.asid[(1, ssid)], va)])
        assert await probe(tb, 1, ssid, va, f"wrap {i} after") != old
    assert len(tb.cmdq.log) >= 10 * 4, f"only {len(tb.cmdq.log)} entries through the ring"
    assert await tb.regs.read(R.CMDQ_CONS) == tb.cmdq.prod


@cocotb.test()
async def sync_completion_modes(dut):
    """CS=NONE and CS=SEV: no interrupt; CS=IRQ: one irq_cmdq_sync pulse per CMD_SYNC and,
    with IDR0.MSI, a 32-bit write of MSIDATA to MSIADDR (exact bytes, any lane); MSIADDR=0:
    no write; an MSI write error toggles GERROR.MSI_CMDQ_ABT_ERR unless it is already
    active (as the golden model does) and the queue goes on."""
    tb = CmdTB(dut)
    await tb.start()
    await tb.setup_cmdq(log2size=3)
    msi = param("MSI", 1) == 1
    idr0 = await tb.regs.read(R.IDR0)
    assert R.IDR0.field("MSI").get(idr0) == int(msi)
    tb.mem.write(MSI_PA, b"\x55" * 64)
    for cs in (S.SYNC_CS_NONE, S.SYNC_CS_SEV):
        n = len(tb.sync_irqs)
        await tb.issue([S.cmd_sync(cs, msiaddr=MSI_PA, msidata=0x1234)], sync=False)
        await tb.wait_cons(tb.cmdq.prod)
        await ClockCycles(dut.clk, 10)
        assert len(tb.sync_irqs) == n, f"CS={cs}: unexpected sync interrupt"
    assert tb.mem.read(MSI_PA, 64) == b"\x55" * 64, "CS=NONE/SEV wrote an MSI"
    for k, off in enumerate((0, 4, 8, 12, 20)):
        n = len(tb.sync_irqs)
        data = 0xC0DE0000 + k
        await tb.issue([S.cmd_sync(S.SYNC_CS_IRQ, msiaddr=MSI_PA + off, msidata=data)], sync=False)
        await tb.wait_cons(tb.cmdq.prod)
        await ClockCycles(dut.clk, 10)
        assert len(tb.sync_irqs) == n + 1, f"CS=IRQ: {len(tb.sync_irqs) - n} interrupt cycles"
        exp = bytearray(b"\x55" * 64)
        if msi:
            for j in range(k + 1):
                o = (0, 4, 8, 12, 20)[j]
                exp[o:o + 4] = (0xC0DE0000 + j).to_bytes(4, "little")
        assert tb.mem.read(MSI_PA, 64) == bytes(exp), f"MSI at +{off}: {tb.mem.read(MSI_PA, 64).hex()}"
    writes = len(tb.target.writes)
    await tb.issue([S.cmd_sync(S.SYNC_CS_IRQ)], sync=False)      # MSIADDR 0: interrupt only
    await tb.wait_cons(tb.cmdq.prod)
    assert len(tb.target.writes) == writes, "an MSI was written to address 0"
    if msi:
        tb.mem.add_error_range(MSI_PA + 0x100, 4)
        m = tb.model
        for k in range(3):
            # 1st error toggles; 2nd finds it active (no toggle); after GERRORN, 3rd toggles
            g = await tb.regs.read(R.GERROR)
            await tb.issue([S.cmd_sync(S.SYNC_CS_IRQ, msiaddr=MSI_PA + 0x100, msidata=k)],
                           sync=False)
            await tb.wait_cons(tb.cmdq.prod)
            await ClockCycles(dut.clk, 4)
            g2 = await tb.regs.read(R.GERROR)
            want = R.GERROR.field("MSI_CMDQ_ABT_ERR").mask if k != 1 else 0
            assert (g ^ g2) == want, f"error {k}: GERROR {g:#x} -> {g2:#x}"
            assert g2 == m.regs["GERROR"], f"GERROR {g2:#x}, model {m.regs['GERROR']:#x}"
            if k == 1:
                await tb.regs.write(R.GERRORN, g2)
                m.regs["GERRORN"] = g2
        assert await tb.regs.read(R.CMDQ_CONS) == tb.cmdq.prod, "the queue went on"


@cocotb.test()
async def sync_waits_for_transactions(dut):
    """CMD_SYNC completes only after a read and a write accepted before it have
    completed at the device port, and a read arriving while it waits is accepted only
    after it completed."""
    tb = CmdTB(dut)
    await tb.start()
    await tb.setup_cmdq(log2size=3)
    w = World(tb, sids=(1,))
    slow_pa = w.pts[(1, 1)].mem.read64(w.pts[(1, 1)].slot_addr(VAS[0], 3)) & 0xFFFF_FFFF_F000
    tb.target.slow = [(slow_pa, slow_pa + 0x1000, 150)]
    await probe(tb, 1, 1, VAS[1], "warm")
    done = {}

    async def access(kind):
        if kind == "read":
            await tb.read(1, VAS[0] + 8, 16, ssid=1, ssv=True)
        else:
            await tb.write(1, VAS[0] + 64, b"\xAA" * 16, ssid=1, ssv=True)
        done[kind] = tb.cycle

    r = cocotb.start_soon(access("read"))
    wr = cocotb.start_soon(access("write"))
    await ClockCycles(dut.clk, 60)                      # both are at the slow memory now
    assert not done, "the slow accesses finished too early for this test"
    await tb.issue([S.cmd_sync()], sync=False)
    sync_prod = tb.cmdq.prod
    await ClockCycles(dut.clk, 20)
    n_ar = len(tb.s_ar)
    late = cocotb.start_soon(tb.read(1, VAS[1] + 8, 8, ssid=1, ssv=True))
    await r
    await wr
    await late
    t_sync = await tb.wait_cons(sync_prod)
    assert t_sync > done["read"] and t_sync > done["write"], \
        f"CMD_SYNC done at {t_sync}, read {done['read']}, write {done['write']}"
    t_late = tb.s_ar[n_ar][0]
    assert t_late >= t_sync - 2, f"read accepted at {t_late} while CMD_SYNC ({t_sync}) waited"


@pytest.mark.parametrize("data_width,msi", [
    (64, 1), pytest.param(128, 0, marks=pytest.mark.long)])  # long: make regression
def test_smmu_cmdq(data_width, msi, monkeypatch):
    # keep the HDL transaction trace (the runner merges and validates every record)
    monkeypatch.setenv("KEEP_TRACE", "1")
    test_dir = run(__name__, "smmu_top", sources("smmu_top"),
                   parameters={"DATA_WIDTH": data_width, "MSI": msi})
    recs = T.read_jsonl(test_dir / "trace.jsonl")
    kinds = {r["kind"] for r in recs}
    assert {"xlate", "cmd"} <= kinds, kinds
    names = {r["name"] for r in recs if r["kind"] == "cmd"}
    assert {"SYNC", "CFGI_STE", "CFGI_CD", "TLBI_NH_VA", "TLBI_NH_ASID"} <= names, names
    assert any(r["kind"] == "xlate" and r["pa"] is not None and r["hit"] for r in recs)
    assert any(r["kind"] == "xlate" and r["pa"] is not None and not r["hit"]
               and r["walk_depth"] >= 3 for r in recs)
