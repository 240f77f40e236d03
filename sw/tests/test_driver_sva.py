"""SVA bind/unbind, I/O page faults with stall + RESUME, fault routing and flushing, event-queue
overflow, process exit, munmap while bound (model backend)."""

import asyncio

import pytest

from pasidsim import smmuv3 as S
from pasidsim.dma_desc import Descriptor, Flags, Opcode, Status
from pasidsim.driver import (Busy, Closed, EventQueueOverflow, GlobalError, InvalidArgument, NoSpace,
                             NotSupported, PermissionFault, TranslationFault, SZ_4K)
from pasidsim.driver.pgtable import PROT_READ, PROT_WRITE
from pasidsim.driver.system import model_system

RW = PROT_READ | PROT_WRITE


def run(coro):
    return asyncio.run(coro)


def stalled(plat, sid, pasid, va, write):
    """Issue one device access; True if it stalled (the model records the event)."""
    from pasidsim.driver.model_backend import _Stalled
    try:
        plat.translate(sid, pasid, va, write)
    except _Stalled:
        return True
    return False


async def bound_process(**system_kw):
    """A model system with one process "p" bound (SVA) to its device: (system, p, bond)."""
    s = await model_system(**system_kw)
    p = s.host.spawn("p")
    return s, p, await s.smmu.sva_bind(s.dev, p.mm)


def test_bind_shares_pasid_and_domain_across_devices():
    async def body():
        s = await model_system()
        dev2 = await s.smmu.add_device("dev2", 7, ssid_bits=8)
        p = s.host.spawn("p")
        b1 = await s.smmu.sva_bind(s.dev, p.mm)
        b2 = await s.smmu.sva_bind(dev2, p.mm)
        assert b1.pasid == b2.pasid == p.mm.pasid == 1
        assert b1.domain is b2.domain and b1.domain.pgtable is p.mm.pgtable
        assert s.dev.cd(1).ttb0 == p.mm.pgtable.root == dev2.cd(1).ttb0
        assert s.dev.cd(1).s == 1 and dev2.cd(1).s == 0  # stall only where the device can
        again = await s.smmu.sva_bind(s.dev, p.mm)
        assert again is b1 and b1.users == 2
        await s.smmu.sva_unbind(again)
        assert s.dev.cd(1).v == 1  # still one user
        await s.smmu.sva_unbind(b1)
        assert s.dev.cd(1).v == 0 and dev2.cd(1).v == 1
        assert s.smmu.asids.in_use == 1
        await s.smmu.sva_unbind(b2)
        assert s.smmu.asids.in_use == 0 and b1.domain.freed
        assert p.mm.pasid == 1  # the PASID stays with the process until it exits
        with pytest.raises(Closed, match="already unbound"):
            await s.smmu.sva_unbind(b2)
        assert names_tail(s.plat, 2) == ["TLBI_NH_ASID", "SYNC"]
        assert s.plat.check_coherent() == []
    run(body())


def names_tail(plat, n):
    return [S.CMD_NAMES[c.opcode] for c in plat.cmd_log[-n:]]


def test_bind_errors():
    async def body():
        s = await model_system(pasid_bits=2)
        narrow = await s.smmu.add_device("narrow", 9, ssid_bits=1)
        nopasid = await s.smmu.add_device("nopasid", 10, ssid_bits=0)
        procs = [s.host.spawn(f"p{i}") for i in range(4)]
        for p in procs[:3]:
            await s.smmu.sva_bind(s.dev, p.mm)
        with pytest.raises(NoSpace, match="PASID space exhausted"):
            await s.smmu.sva_bind(s.dev, procs[3].mm)
        assert procs[3].mm.pasid is None and s.smmu.asids.in_use == 3  # one SVA domain per process
        with pytest.raises(InvalidArgument, match="PASID 2 does not fit a device with 1 PASID bits"):
            await s.smmu.sva_bind(narrow, procs[1].mm)
        assert narrow.cd_table is None
        with pytest.raises(NotSupported, match="no PASID support"):
            await s.smmu.sva_bind(nopasid, procs[0].mm)
        dom = s.smmu._sva[procs[0].mm]
        with pytest.raises(InvalidArgument, match="SVA domain cannot be attached to the RID"):
            await s.smmu.attach_dev(s.dev, dom)
        # A paging domain squatting on a process's PASID makes the bind fail cleanly.
        other = s.smmu.alloc_paging_domain("squat")
        await s.smmu.attach_dev_pasid(narrow, 1, other)
        free_asids = s.smmu.asids.in_use
        with pytest.raises(Busy, match="PASID 1 of mm\\(p0"):
            await s.smmu.sva_bind(narrow, procs[0].mm)
        assert s.smmu.asids.in_use == free_asids and narrow.pasids == {1: other}
    run(body())


def test_iopf_populates_allowed_pages_and_aborts_others():
    async def body():
        s, p, bond = await bound_process()
        rw = p.mm.mmap(2 * SZ_4K, RW)
        ro = p.mm.mmap(SZ_4K, PROT_READ)
        sid = s.dev.sid
        assert stalled(s.plat, sid, bond.pasid, rw + 8, True)
        assert stalled(s.plat, sid, bond.pasid, ro, True)
        assert stalled(s.plat, sid, bond.pasid, 0x5000, False)  # no VMA at all
        faults = await s.smmu.process_events()
        assert [type(f) for f in faults] == [TranslationFault] * 3
        assert [f.response for f in faults] == ["retry", "abort", "abort"]
        assert all(f.domain is bond.domain and f.pasid == bond.pasid for f in faults)
        assert bond.domain.faults == faults
        assert p.mm.is_present(rw) and not p.mm.is_present(ro) and not p.mm.is_present(rw + SZ_4K)
        resumes = [c for c in s.plat.cmd_log if c.opcode == S.CMD_RESUME]
        assert [(c.stag, c.resp) for c in resumes] == [
            (f.event.stag, {"retry": S.RESUME_RETRY, "abort": S.RESUME_ABORT}[f.response]) for f in faults]
        assert s.plat.stalls == {} and s.plat.smmu.stalls == {}
        # The retried access now translates to the populated page.
        assert s.plat.translate(sid, bond.pasid, rw + 8, True).pa == p.mm.pgtable.translate(rw + 8)
        # A read of the read-only page gets populated; a write to it then is a permission fault.
        assert stalled(s.plat, sid, bond.pasid, ro, False)
        (f,) = await s.smmu.process_events()
        assert f.response == "retry" and p.mm.is_present(ro)
        assert stalled(s.plat, sid, bond.pasid, ro + 4, True)
        (f,) = await s.smmu.process_events()
        assert isinstance(f, PermissionFault) and f.response == "abort"
    run(body())


def test_dma_with_stall_resolves_faults_transparently():
    async def body():
        s = await model_system()
        p = s.host.spawn("p")
        q = await s.accel.open_queue(p)
        src, dst, comp = p.mm.mmap(3 * SZ_4K), p.mm.mmap(3 * SZ_4K), p.mm.mmap(SZ_4K)
        data = bytes((i * 7) & 0xFF for i in range(3 * SZ_4K - 100))
        p.mm.write(src + 50, data)
        c = await q.run(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ | Flags.BLOCK_ON_FAULT,
                                   len(data), src + 50, dst + 30, 0, comp))
        assert c.status == Status.SUCCESS and c.bytes_completed == len(data)
        assert p.mm.read(dst + 30, len(data)) == data
        # The destination pages were faulted in by the device (stall, handler, RESUME retry).
        assert [f.response for f in s.smmu.fault_log] == ["retry"] * 3
        assert {f.addr & ~0xFFF for f in s.smmu.fault_log} == {dst, dst + SZ_4K, dst + 2 * SZ_4K}
        assert s.plat.check_coherent() == []
    run(body())


def test_dma_without_stall_partial_completion_then_resubmit():
    async def body():
        s = await model_system(stall=False)
        p = s.host.spawn("p")
        q = await s.accel.open_queue(p)
        assert s.dev.cd(q.pasid).s == 0
        src, dst, comp = p.mm.mmap(2 * SZ_4K), p.mm.mmap(2 * SZ_4K), p.mm.mmap(SZ_4K)
        p.mm.write(src, b"\x5a" * (2 * SZ_4K))
        p.mm.write(dst, b"\x00")  # first destination page present, second not
        c = await q.run(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 2 * SZ_4K, src, dst, 0, comp))
        assert (c.status, c.bytes_completed, c.fault_addr, c.fault_is_write) == \
            (Status.PAGE_FAULT, SZ_4K, dst + SZ_4K, True)
        await s.smmu.process_events()
        f = s.smmu.fault_log[-1]
        assert isinstance(f, TranslationFault) and f.addr == dst + SZ_4K and not f.stalled
        assert f.domain is q.bond.domain and f.response is None
        # Software touches the page and submits the rest, as with DSA partial completions.
        p.mm.write(c.fault_addr, b"\x00")
        rest = 2 * SZ_4K - c.bytes_completed
        c2 = await q.run(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, rest, src + c.bytes_completed,
                                    c.fault_addr, 0, comp))
        assert c2.status == Status.SUCCESS and p.mm.read(dst, 2 * SZ_4K) == b"\x5a" * (2 * SZ_4K)
    run(body())


def test_write_to_readonly_buffer_aborts():
    async def body():
        s = await model_system()
        p = s.host.spawn("p")
        q = await s.accel.open_queue(p)
        ro = p.mm.mmap(SZ_4K, PROT_READ, populate=True)
        comp = p.mm.mmap(SZ_4K)
        c = await q.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, 64, 0, ro, 0xAB, comp))
        assert (c.status, c.bytes_completed, c.fault_addr) == (Status.PAGE_FAULT, 0, ro)
        f = s.smmu.fault_log[-1]
        assert isinstance(f, PermissionFault) and f.response == "abort" and f.write
        assert p.mm.read(ro, 64) == bytes(64)
    run(body())


def test_munmap_while_bound_invalidates_device_tlb():
    async def body():
        s, p, bond = await bound_process()
        va = p.mm.mmap(4 * SZ_4K, RW, populate=True)
        for i in range(4):
            assert s.plat.translate(s.dev.sid, bond.pasid, va + i * SZ_4K, True).ok  # into the TLB
        n = len(s.plat.cmd_log)
        await p.mm.munmap(va + SZ_4K, 2 * SZ_4K)
        tlbis = [c.va for c in s.plat.cmd_log[n:] if c.opcode == S.CMD_TLBI_NH_VA]
        assert tlbis == [va + SZ_4K, va + 2 * SZ_4K]
        assert all(c.asid == bond.domain.asid for c in s.plat.cmd_log[n:] if c.opcode == S.CMD_TLBI_NH_VA)
        assert s.plat.check_coherent() == []
        assert stalled(s.plat, s.dev.sid, bond.pasid, va + SZ_4K, False)
        (f,) = await s.smmu.process_events()
        assert f.response == "abort"  # no VMA any more
    run(body())


def test_unbind_flushes_pending_stalls_before_pasid_reuse():
    async def body():
        s, p, bond = await bound_process()
        va = p.mm.mmap(SZ_4K, RW)
        assert stalled(s.plat, s.dev.sid, bond.pasid, va, True)  # recorded, not yet handled
        await s.smmu.sva_unbind(bond)
        f = s.smmu.fault_log[-1]
        assert f.response == "abort" and f.pasid == bond.pasid and f.domain is bond.domain
        assert s.plat.stalls == {} and not p.mm.is_present(va)  # not populated for a dying PASID
        await p.exit()
        assert s.host.pasids.in_use == 0
        p2 = s.host.spawn("p2")
        b2 = await s.smmu.sva_bind(s.dev, p2.mm)
        assert b2.pasid == bond.pasid  # reused only now
        assert s.plat.check_coherent() == []
    run(body())


def test_process_exit_quiets_every_cd_until_unbind():
    """Linux order: the mm exits before the device files close. The CDs stay valid (no
    C_BAD_CD) but fault everything silently; TLBI by ASID drops the cached translations
    before the pages go; the PASID and ASID are reused only after the last unbind."""
    async def body():
        s = await model_system()
        dev2 = await s.smmu.add_device("dev2", 7, ssid_bits=8)
        p = s.host.spawn("p")
        b1 = await s.smmu.sva_bind(s.dev, p.mm)
        b2 = await s.smmu.sva_bind(dev2, p.mm)
        va = p.mm.mmap(SZ_4K, RW, populate=True)
        t = s.plat.translate(s.dev.sid, b1.pasid, va, True)   # warm: now in the IOTLB
        assert not t.abort and t.pa is not None
        n, events = len(s.plat.cmd_log), len(s.smmu.fault_log)
        await p.exit()
        for dev in (s.dev, dev2):
            cd = dev.cd(b1.pasid)
            assert (cd.v, cd.epd0, cd.r, cd.s, cd.a, cd.asid) == (1, 1, 0, 0, 1, b1.domain.asid)
        ops = [c.opcode for c in s.plat.cmd_log[n:]]
        assert S.CMD_CFGI_CD in ops and S.CMD_TLBI_NH_ASID in ops and ops.index(S.CMD_TLBI_NH_ASID) > max(
            i for i, o in enumerate(ops) if o == S.CMD_CFGI_CD)   # CDs quiet before the TLBI
        for dev in (s.dev, dev2):   # the warm entry is gone: terminated, nothing recorded
            t = s.plat.translate(dev.sid, b1.pasid, va, True)
            assert t.abort and t.pa is None and not t.record
        await s.smmu.process_events()
        assert len(s.smmu.fault_log) == events
        assert not b1.closed and s.host.pasids.in_use == 1 and s.smmu.asids.in_use == 1
        assert s.plat.check_coherent() == []
        with pytest.raises(Closed, match="released"):
            await s.smmu.sva_bind(s.dev, p.mm)
        await s.smmu.sva_unbind(b1)
        assert s.dev.cd(b1.pasid).v == 0 and s.host.pasids.in_use == 1  # dev2 still holds it
        await s.smmu.sva_unbind(b2)
        assert b2.closed and dev2.cd(b1.pasid).v == 0
        assert s.smmu.asids.in_use == 0 and s.host.pasids.in_use == 0
        assert s.plat.check_coherent() == []
    run(body())


def test_exit_aborts_a_pending_stall_without_populating():
    async def body():
        s, p, bond = await bound_process()
        va = p.mm.mmap(SZ_4K, RW)
        assert stalled(s.plat, s.dev.sid, bond.pasid, va, True)
        await p.exit()
        f = s.smmu.fault_log[-1]
        assert f.response == "abort" and f.domain is bond.domain and s.plat.stalls == {}
        await s.smmu.sva_unbind(bond)
        assert s.host.pasids.in_use == 0
    run(body())


def test_event_queue_overflow_is_reported():
    async def body():
        s = await model_system(evtq_log2=1)  # 2 records
        dom = s.smmu.alloc_paging_domain("d")
        await s.smmu.attach_dev_pasid(s.dev, 3, dom)  # paging CD: faults are not stalled
        for i in range(5):
            s.plat.translate(s.dev.sid, 3, 0x1000 * (i + 1), False)
        out = await s.smmu.process_events()
        assert isinstance(out[0], EventQueueOverflow)
        assert [f.addr for f in out[1:]] == [0x1000, 0x2000]  # the rest was lost
        assert s.smmu.evtq.overflows == 1 and isinstance(s.smmu.fault_log[0], EventQueueOverflow)
        s.plat.translate(s.dev.sid, 3, 0x9000, False)
        out = await s.smmu.process_events()
        assert [type(f) for f in out] == [TranslationFault]  # overflow acknowledged once
    run(body())


def test_stall_with_full_event_queue_terminates_instead_of_hanging():
    async def body():
        s, p, bond = await bound_process(evtq_log2=1)
        va = p.mm.mmap(4 * SZ_4K)
        assert stalled(s.plat, s.dev.sid, bond.pasid, va, True)
        assert stalled(s.plat, s.dev.sid, bond.pasid, va + SZ_4K, True)
        assert not stalled(s.plat, s.dev.sid, bond.pasid, va + 2 * SZ_4K, True)  # queue full
        out = await s.smmu.process_events()
        assert isinstance(out[0], EventQueueOverflow) and [f.response for f in out[1:]] == ["retry", "retry"]
        assert s.plat.stalls == {}
    run(body())


def test_event_write_abort_is_reported_as_global_error():
    async def body():
        s = await model_system()
        dom = s.smmu.alloc_paging_domain("d")
        await s.smmu.attach_dev_pasid(s.dev, 3, dom)
        ev = s.smmu.evtq
        s.plat.mem.add_error_range(ev.base, 32 << ev.log2size)
        s.plat.translate(s.dev.sid, 3, 0x1000, False)
        (err,) = await s.smmu.process_events()
        assert isinstance(err, GlobalError) and err.bits == ["EVTQ_ABT_ERR"]
        assert await s.smmu.process_events() == []  # acknowledged (GERRORN written)
    run(body())
