"""SMMU driver on the model backend: probe, STE/CD programming, attach/detach at RID and PASIDs,
failure paths (tables unchanged), invalidation ordering, two-level CD tables, command-queue wrap."""

import asyncio

import pytest

from pasidsim import regs
from pasidsim import smmuv3 as S
from pasidsim.driver import (SZ_4K, Busy, Closed, HardwareError, InvalidArgument, NoMemory,
                             NoSpace, NotFound, NotSupported)
from pasidsim.driver.model_backend import ModelPlatform
from pasidsim.driver.mm import Host
from pasidsim.driver.smmu import ArmSmmu


def run(coro):
    return asyncio.run(coro)


async def make(plat_kw=None, **smmu_kw):
    plat = ModelPlatform(**(plat_kw or {}))
    host = Host(plat.mem, plat.ram_base, plat.ram_size)
    smmu = ArmSmmu(plat, host, **smmu_kw)
    await smmu.probe()
    return plat, host, smmu


def tables(plat, smmu):
    """Every byte of the stream table and of every CD table (for unchanged-state checks)."""
    out = [plat.mem.read(smmu.strtab_base, S.STE_SIZE << smmu.sid_bits)]
    for dev in smmu.devices.values():
        t = dev.cd_table
        if t is not None:
            out.append(plat.mem.read(t.base, t.n_l1 * 8 if t.two_level else t.ncds * S.CD_SIZE))
            for leaf in getattr(t, "leaves", {}).values():
                out.append(plat.mem.read(leaf, 1024 * S.CD_SIZE))
    return out


def names(cmds):
    return [S.CMD_NAMES[c.opcode] for c in cmds]


def xlate(plat, sid, pasid, va, write=False):
    return plat.translate(sid, pasid, va, write)


# ---------------------------------------------------------------------------- probe
def test_probe_programs_registers_in_order():
    async def body():
        plat, host, smmu = await make(cmdq_log2=5, evtq_log2=4)
        m = plat.smmu
        assert m.field("CR0", "SMMUEN") and m.field("CR0", "CMDQEN") and m.field("CR0", "EVTQEN")
        assert m.strtab_base == smmu.strtab_base and m.strtab_log2size == smmu.sid_bits
        assert m.cmdq_base == smmu.cmdq.base and m.cmdq_log2size == 5
        assert m.eventq_base == smmu.evtq.base and m.eventq_log2size == 4
        assert names(plat.cmd_log) == ["CFGI_ALL", "TLBI_NSNH_ALL", "SYNC"]
        assert await smmu.ra.read("CR0ACK") == await smmu.ra.read("CR0")
        with pytest.raises(InvalidArgument, match="already probed"):
            await smmu.probe()
    run(body())


def test_add_device_checks():
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 3, ssid_bits=4)
        ste = dev.ste()
        assert ste.v == 1 and ste.config == S.STE_CFG_ABORT
        assert xlate(plat, 3, None, 0x1000).abort
        before = tables(plat, smmu)
        with pytest.raises(Busy, match="StreamID 0x3 already belongs to d"):
            await smmu.add_device("e", 3)
        with pytest.raises(InvalidArgument, match="outside the 8-bit stream table"):
            await smmu.add_device("e", 256)
        with pytest.raises(InvalidArgument, match="PASID width 21"):
            await smmu.add_device("e", 4, ssid_bits=21)
        assert tables(plat, smmu) == before
        # Unregistered StreamIDs stay invalid: C_BAD_STE is reported, not silently aborted.
        t = xlate(plat, 9, None, 0)
        assert t.abort and t.fault.id == S.EVT_C_BAD_STE
    run(body())


# ---------------------------------------------------------------------------- RID
def test_rid_paging_identity_blocked():
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=8)
        dom = smmu.alloc_paging_domain("p")
        pa = host.pages.alloc(0)
        await dom.map(0x4000_0000, pa, SZ_4K)
        await smmu.attach_dev(dev, dom)
        ste, cd0 = dev.ste(), dev.cd(0)
        assert (ste.config, ste.s1dss, ste.s1cdmax) == (S.STE_CFG_S1_TRANS, S.S1DSS_SSID0, 8)
        assert (cd0.v, cd0.asid, cd0.ttb0, cd0.t0sz) == (1, dom.asid, dom.pgtable.root, 16)
        assert xlate(plat, 1, None, 0x4000_0123, True).pa == pa + 0x123
        assert dom.attachments == {(dev, None)}
        await smmu.attach_dev(dev, smmu.identity)
        assert dev.ste().config == S.STE_CFG_BYPASS and dev.cd(0).v == 0
        assert xlate(plat, 1, None, 0x4000_0123).pa == 0x4000_0123
        assert dom.attachments == set()
        await smmu.attach_dev(dev, smmu.blocked)
        assert xlate(plat, 1, None, 0x4000_0123).abort
        assert plat.check_coherent() == []
        with pytest.raises(InvalidArgument, match="only paging domains"):
            await smmu.free_domain(smmu.identity)
    run(body())


# ---------------------------------------------------------------------------- PASIDs
def test_pasids_many_domains_shared_across_devices():
    async def body():
        plat, host, smmu = await make()
        d1 = await smmu.add_device("d1", 1, ssid_bits=8)
        d2 = await smmu.add_device("d2", 2, ssid_bits=8)
        a, b = smmu.alloc_paging_domain("a"), smmu.alloc_paging_domain("b")
        pa_a, pa_b = host.pages.alloc(0), host.pages.alloc(0)
        await a.map(0x1000, pa_a, SZ_4K)
        await b.map(0x1000, pa_b, SZ_4K)
        await smmu.attach_dev_pasid(d1, 5, a)
        await smmu.attach_dev_pasid(d1, 6, b)
        await smmu.attach_dev_pasid(d2, 5, a)
        await smmu.attach_dev_pasid(d2, 9, a)  # one domain in several slots
        assert xlate(plat, 1, 5, 0x1008).pa == pa_a + 8
        assert xlate(plat, 1, 6, 0x1008).pa == pa_b + 8
        assert xlate(plat, 2, 9, 0x1008).pa == pa_a + 8
        assert a.attachments == {(d1, 5), (d2, 5), (d2, 9)}
        # RID blocked while PASIDs are live: S1DSS terminate, traffic without PASID faults.
        assert d1.ste().s1dss == S.S1DSS_TERMINATE
        t = xlate(plat, 1, None, 0x1000)
        assert t.abort and t.fault.id == S.EVT_F_STREAM_DISABLED
        await smmu.attach_dev(d1, smmu.identity)
        assert d1.ste().s1dss == S.S1DSS_BYPASS and xlate(plat, 1, None, 0x1000).pa == 0x1000
        assert xlate(plat, 1, 6, 0x1008).pa == pa_b + 8  # PASID traffic unaffected
        await smmu.detach_dev_pasid(d1, 6, b)
        t = xlate(plat, 1, 6, 0x1008)
        assert not t.ok and t.fault.id == S.EVT_C_BAD_CD
        await smmu.detach_dev_pasid(d1, 5, a)
        assert d1.ste().config == S.STE_CFG_BYPASS  # no PASIDs left: plain bypass STE
        with pytest.raises(Busy, match=r"still attached at d2:5, d2:9"):
            await smmu.free_domain(a)
        await smmu.detach_dev_pasid(d2, 5, a)
        await smmu.detach_dev_pasid(d2, 9, a)
        await smmu.free_domain(a)
        assert names(plat.cmd_log[-2:]) == ["TLBI_NH_ASID", "SYNC"]
        assert plat.cmd_log[-2].asid == a.asid
        assert plat.check_coherent() == []
        with pytest.raises(Closed, match="already freed"):
            await smmu.attach_dev_pasid(d1, 5, a)
    run(body())


def test_attach_errors_leave_tables_unchanged():
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=4)
        nop = await smmu.add_device("nopasid", 2, ssid_bits=0)
        a, b = smmu.alloc_paging_domain("a"), smmu.alloc_paging_domain("b")
        await smmu.attach_dev_pasid(dev, 3, a)
        before, free = tables(plat, smmu), host.pages.free_pages
        cases = [
            (smmu.attach_dev_pasid(dev, 3, b), Busy, "PASID 3 already has PagingDomain\\(a\\)"),
            (smmu.attach_dev_pasid(dev, 0, b), InvalidArgument, "PASID 0 is reserved"),
            (smmu.attach_dev_pasid(dev, 16, b), InvalidArgument, "4-bit PASID width"),
            (smmu.attach_dev_pasid(dev, 4, smmu.identity), NotSupported, "identity domain cannot be attached at a PASID"),
            (smmu.attach_dev_pasid(nop, 1, b), NotSupported, "no PASID support"),
            (smmu.detach_dev_pasid(dev, 3, b), InvalidArgument, "PASID 3 has PagingDomain\\(a\\) attached, not PagingDomain\\(b\\)"),
            (smmu.detach_dev_pasid(dev, 4, b), NotFound, "nothing attached at PASID 4"),
            (smmu.attach_dev_pasid(dev, "1", b), InvalidArgument, "is not an int"),
        ]
        for coro, exc, msg in cases:
            with pytest.raises(exc, match=msg):
                await coro
        assert tables(plat, smmu) == before and host.pages.free_pages == free
        assert dev.pasids == {3: a} and b.attachments == set()
    run(body())


def test_failure_half_way_restores_everything():
    """The SMMU rejects the CFGI_STE of an attach (CERROR_ILL): CDs already written and the
    new CD table must be rolled back, memory returned, software state untouched."""
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=4)
        a = smmu.alloc_paging_domain("a")
        before, free = tables(plat, smmu), host.pages.free_pages
        plat.inject_cmd_error.add(S.CMD_CFGI_STE)
        with pytest.raises(HardwareError, match="rejected CMD_CFGI_STE"):
            await smmu.attach_dev_pasid(dev, 2, a)
        assert dev.cd_table is None and host.pages.free_pages == free
        assert tables(plat, smmu) == before
        assert dev.pasids == {} and a.attachments == set()
        assert smmu.cmdq.errors and smmu.cmdq.errors[0][0] == regs.CERROR_ILL
        # The queue recovered: the same attach now works.
        await smmu.attach_dev_pasid(dev, 2, a)
        assert dev.cd(2).asid == a.asid and plat.check_coherent() == []
    run(body())


def test_out_of_memory_before_writing():
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=12)  # two-level: L1 page + 64 KB leaf
        a = smmu.alloc_paging_domain("a")
        hog = []
        while host.pages.free_pages > 1:  # room for the L1 table, not for the leaf
            hog.append(host.pages.alloc(0, zero=False))
        before, free = tables(plat, smmu), host.pages.free_pages
        with pytest.raises(NoMemory):
            await smmu.attach_dev_pasid(dev, 1, a)
        assert tables(plat, smmu) == before and host.pages.free_pages == free
        assert dev.cd_table is None and dev.pasids == {}
    run(body())


def test_asid_exhaustion():
    async def body():
        plat, host, smmu = await make(plat_kw={"asid16": False})
        doms = [smmu.alloc_paging_domain(f"d{i}") for i in range(255)]
        assert sorted(d.asid for d in doms) == list(range(1, 256))  # ASID 0 never used
        free = host.pages.free_pages
        with pytest.raises(NoSpace, match="ASID space exhausted"):
            smmu.alloc_paging_domain("x")
        assert host.pages.free_pages == free
        await smmu.free_domain(doms[7])
        assert smmu.alloc_paging_domain("y").asid == 8  # reused only after TLBI + SYNC
    run(body())


# ---------------------------------------------------------------------------- ordering
def test_attach_orders_cd_before_ste_and_ste_before_cd_clear():
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=4)
        a = smmu.alloc_paging_domain("a")
        n = len(plat.cmd_log)
        await smmu.attach_dev_pasid(dev, 1, a)
        cmds = names(plat.cmd_log[n:])
        assert cmds.index("CFGI_CD") < cmds.index("CFGI_STE")
        assert all(c == "SYNC" for c in cmds[1::2])  # every step is synced
        n = len(plat.cmd_log)
        await smmu.detach_dev_pasid(dev, 1, a)
        cmds = names(plat.cmd_log[n:])
        assert cmds.index("CFGI_STE") < cmds.index("CFGI_CD")
    run(body())


def test_domain_switch_at_rid_is_never_half_seen():
    """Replace the RID domain a by b (CD 0 changes ASID and TTB0: two words). Translate after
    every single memory step the driver makes: each answer is a's, b's, or a clean fault."""
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=0)
        a, b = smmu.alloc_paging_domain("a"), smmu.alloc_paging_domain("b")
        pa_a, pa_b = host.pages.alloc(0), host.pages.alloc(0)
        await a.map(0x1000, pa_a, SZ_4K)
        await b.map(0x2000, pa_b, SZ_4K)  # a different VA, so a mix would be visible
        await smmu.attach_dev(dev, a)
        seen = []
        orig = plat.mem.write

        def spy(addr, data):
            orig(addr, data)
            plat.smmu.caches.clear()  # worst case: hardware refetches after every store
            t1, t2 = plat.smmu.translate(1, 0, False, 0x1000, write=False), \
                plat.smmu.translate(1, 0, False, 0x2000, write=False)
            cd = dev.cd(0)
            seen.append((t1.pa, t2.pa, (cd.asid, cd.ttb0) if cd.v else None))
        plat.mem.write = spy
        await smmu.attach_dev(dev, b)
        plat.mem.write = orig
        assert {(s[0], s[1]) for s in seen} <= {(pa_a, None), (None, pa_b), (None, None)}
        # CD 0 is valid only with a's or b's (ASID, TTB0) pair, never a mix.
        assert {s[2] for s in seen} <= {None, (a.asid, a.pgtable.root), (b.asid, b.pgtable.root)}
        assert seen[-1][:2] == (None, pa_b) and len(seen) >= 2
    run(body())


# ---------------------------------------------------------------------------- two-level CD
def test_two_level_cd_table():
    async def body():
        plat, host, smmu = await make(cd_linear_max_bits=4)
        dev = await smmu.add_device("d", 1, ssid_bits=12)
        a, b = smmu.alloc_paging_domain("a"), smmu.alloc_paging_domain("b")
        pa = host.pages.alloc(0)
        await a.map(0x1000, pa, SZ_4K)
        await b.map(0x1000, pa, SZ_4K)
        await smmu.attach_dev_pasid(dev, 5, a)
        await smmu.attach_dev_pasid(dev, 3000, b)
        t = dev.cd_table
        ste = dev.ste()
        assert t.two_level and ste.s1fmt == S.S1FMT_64K_L2 and ste.s1contextptr == t.base
        assert sorted(t.leaves) == [0, 2]  # 3000 >> 10 == 2
        l1 = S.Cd_l1.decode(plat.mem.read(t.base + 2 * 8, 8))
        assert l1.v and l1.l2ptr == t.leaves[2]
        assert xlate(plat, 1, 5, 0x1004).pa == pa + 4 and xlate(plat, 1, 3000, 0x1004).pa == pa + 4
        t2 = xlate(plat, 1, 1500, 0x1000)  # leaf 1 not allocated: invalid L1 descriptor
        assert not t2.ok and t2.fault.id == S.EVT_C_BAD_SUBSTREAMID
        assert plat.check_coherent() == []
    run(body())


# ---------------------------------------------------------------------------- invalidation
def test_unmap_invalidates_and_checker_catches_a_skipped_tlbi():
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=4)
        a = smmu.alloc_paging_domain("a")
        pa = host.pages.alloc(0)
        await a.map(0x1000, pa, SZ_4K)
        await a.map(0x2000, pa, SZ_4K)
        await smmu.attach_dev_pasid(dev, 1, a)
        assert xlate(plat, 1, 1, 0x1000).ok and xlate(plat, 1, 1, 0x2000).ok  # now in the TLB
        await a.unmap(0x1000, SZ_4K)
        assert names(plat.cmd_log[-2:]) == ["TLBI_NH_VA", "SYNC"] and plat.cmd_log[-2].va == 0x1000
        assert not xlate(plat, 1, 1, 0x1000).ok and plat.check_coherent() == []
        # Negative control: changing the table behind the driver's back leaves a stale TLB entry
        # that the hardware keeps using, and the checker reports it.
        a.pgtable.unmap(0x2000, SZ_4K)
        assert xlate(plat, 1, 1, 0x2000).pa == pa
        assert any("stale TLB" in p for p in plat.check_coherent())
    run(body())


def test_command_queue_wraps_and_batches():
    async def body():
        plat, host, smmu = await make(cmdq_log2=2)  # 4 entries
        dev = await smmu.add_device("d", 1, ssid_bits=4)
        a = smmu.alloc_paging_domain("a")
        pa = host.pages.alloc(5)
        await a.map(0x10_0000, pa, 32 * SZ_4K, pgsize=SZ_4K)
        await smmu.attach_dev_pasid(dev, 1, a)
        for va in range(0x10_0000, 0x12_0000, SZ_4K):
            assert xlate(plat, 1, 1, va).ok
        n = len(plat.cmd_log)
        await a.unmap(0x10_0000, 32 * SZ_4K)
        got = plat.cmd_log[n:]
        assert [c.va for c in got if c.opcode == S.CMD_TLBI_NH_VA] == list(range(0x10_0000, 0x12_0000, SZ_4K))
        assert names(got)[-1] == "SYNC"
        assert plat.check_coherent() == []
    run(body())


@pytest.mark.parametrize("op", [S.CMD_CFGI_CD, S.CMD_CFGI_STE])
@pytest.mark.parametrize("action", ["attach", "detach", "rid"])
def test_rejected_command_rolls_back(op, action):
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=4)
        a, b = smmu.alloc_paging_domain("a"), smmu.alloc_paging_domain("b")
        if action != "attach":  # every case below rewrites both a CD and the STE
            await smmu.attach_dev_pasid(dev, 1, a)
        before, free = tables(plat, smmu), host.pages.free_pages
        state = (dict(dev.pasids), dev.rid_domain, set(a.attachments), set(b.attachments))
        plat.inject_cmd_error.add(op)
        with pytest.raises(HardwareError, match=f"rejected CMD_{S.CMD_NAMES[op]}"):
            if action == "attach":
                await smmu.attach_dev_pasid(dev, 2, b)  # first PASID: new CD table, CD, STE
            elif action == "detach":
                await smmu.detach_dev_pasid(dev, 1, a)
            else:
                await smmu.attach_dev(dev, b)
        assert tables(plat, smmu) == before and host.pages.free_pages == free
        assert (dict(dev.pasids), dev.rid_domain, set(a.attachments), set(b.attachments)) == state
        assert plat.check_coherent() == []
    run(body())


def test_paging_domain_page_sizes_through_the_golden_walker():
    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=4)
        d = smmu.alloc_paging_domain("big")
        leaves = await d.map(1 << 30, 3 << 30, (1 << 30) + (1 << 21) + SZ_4K)  # PA not backed: fine
        assert [lf.size for lf in leaves] == [1 << 30, 1 << 21, SZ_4K]
        await smmu.attach_dev_pasid(dev, 7, d)
        for va, size in ((1 << 30, 1 << 30), ((2 << 30) + 0x1234, 1 << 21), ((2 << 30) + (1 << 21), SZ_4K)):
            t = xlate(plat, 1, 7, va + 8, True)
            assert (t.pa, t.page_size, t.asid) == (va + 8 + (2 << 30), size, d.asid)
        assert d.iova_to_phys((1 << 30) + 5) == (3 << 30) + 5
    run(body())


def test_domain_map_unmap_bad_input_changes_nothing():
    async def body():
        plat, host, smmu = await make()
        d = smmu.alloc_paging_domain("dom")
        await d.map(0x20_0000, 0x8000_0000, 2 * SZ_4K)
        snap = plat.mem.read(d.pgtable.root, SZ_4K)
        n = len(plat.cmd_log)
        with pytest.raises(InvalidArgument, match=r"PageTable\(dom.*not 4 KB aligned"):
            await d.map(0x1800, 0x8000_0000, SZ_4K)
        from pasidsim.driver import AlreadyExists
        with pytest.raises(AlreadyExists, match="overlaps the mapping at 0x200000"):
            await d.map(0x1F_F000, 0x9000_0000, 3 * SZ_4K)
        with pytest.raises(NotFound, match="0x202000 .* is not mapped"):
            await d.unmap(0x20_0000, 3 * SZ_4K)
        assert d.iova_to_phys(0x1F_F000) is None and d.iova_to_phys(0x20_1000) == 0x8000_1000
        assert plat.mem.read(d.pgtable.root, SZ_4K) == snap and len(plat.cmd_log) == n
        await smmu.free_domain(d)
        with pytest.raises(Closed, match="already freed"):
            await d.map(0, 0, SZ_4K)
    run(body())


def test_ste_transitions_only_show_old_new_or_invalid():
    """Spy on every store into the STE: masked by the bits the SMMU uses, each intermediate
    state must equal the old STE, the new STE, or be invalid."""
    from pasidsim.driver.smmu import ste_used

    async def body():
        plat, host, smmu = await make()
        dev = await smmu.add_device("d", 1, ssid_bits=4)
        a = smmu.alloc_paging_domain("a")
        views = []
        orig = plat.mem.write

        def view():
            w = [plat.mem.read64(dev.ste_addr + 8 * i) for i in range(8)]
            return tuple(x & m for x, m in zip(w, ste_used(w)))

        def spy(addr, data):
            orig(addr, data)
            if dev.ste_addr <= addr < dev.ste_addr + 64:
                views.append(view())
        steps = [lambda: smmu.attach_dev(dev, smmu.identity),        # abort -> bypass
                 lambda: smmu.attach_dev_pasid(dev, 3, a),             # bypass -> S1 (S1DSS bypass)
                 lambda: smmu.attach_dev(dev, a),                      # S1DSS bypass -> SSID0
                 lambda: smmu.attach_dev(dev, smmu.blocked),           # SSID0 -> terminate
                 lambda: smmu.detach_dev_pasid(dev, 3, a)]             # S1 -> abort
        for step in steps:
            old = view()
            views.clear()
            plat.mem.write = spy
            await step()
            plat.mem.write = orig
            new = view()
            assert views and old != new
            for v in views:
                assert v in (old, new) or not v[0] & 1, (old, v, new)
    run(body())
