"""Accelerator queues (uacce style) on the model backend."""

import asyncio

import pytest

from pasidsim import dma_regs as D
from pasidsim.dma_desc import Descriptor, Flags, Opcode, Status
from pasidsim.driver import SZ_4K, Busy, Closed, HardwareError, InvalidArgument, NoSpace, Timeout
from pasidsim.driver.pgtable import PROT_READ
from pasidsim.driver.system import model_system


def run(coro):
    return asyncio.run(coro)


async def reg(s, q, off):
    return await s.plat.read_reg("dma", D.queue_reg(q.idx, off, len(s.accel.queues)))


def test_open_programs_pasid_and_runs_all_opcodes():
    async def body():
        s = await model_system()
        p = s.host.spawn("p")
        q = await s.accel.open_queue(p, log2_entries=3)
        assert await reg(s, q, D.QPASID) == q.pasid == p.mm.pasid
        assert await reg(s, q, D.QCTRL) & D.QCTRL_EN
        assert (await reg(s, q, D.QBASE_LO)) | (await reg(s, q, D.QBASE_HI)) << 32 == q.ring
        buf, comp = p.mm.mmap(4 * SZ_4K), p.mm.mmap(SZ_4K)
        c = await q.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, 5000, 0, buf + 3, 0x0102030405060708, comp))
        assert c.status == Status.SUCCESS and p.mm.read(buf + 3, 8) == bytes([8, 7, 6, 5, 4, 3, 2, 1])
        c = await q.run(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 5000, buf + 3, buf + 2 * SZ_4K, 0, comp))
        assert c.status == Status.SUCCESS
        assert p.mm.read(buf + 2 * SZ_4K, 5000) == p.mm.read(buf + 3, 5000)
        p.mm.write(buf + 2 * SZ_4K + 4000, b"\xff")
        c = await q.run(Descriptor(Opcode.COMPARE, Flags.COMP_REQ, 5000, buf + 3, buf + 2 * SZ_4K, 0, comp))
        assert (c.status, c.result, c.bytes_completed) == (Status.SUCCESS, 1, 4000)
        c = await q.run(Descriptor(Opcode.DRAIN, Flags.COMP_REQ, comp_addr=comp))
        assert c.status == Status.SUCCESS
        # Wrap the 8-entry ring a few times.
        for i in range(20):
            c = await q.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, 8, 0, buf, i, comp))
            assert c.status == Status.SUCCESS and p.mm.read(buf, 1) == bytes([i])
        assert s.plat.check_coherent() == []
    run(body())


def test_processes_are_isolated_at_the_same_va():
    async def body():
        s = await model_system()
        procs = [s.host.spawn(f"p{i}") for i in range(3)]
        qs = [await s.accel.open_queue(p) for p in procs]
        assert len({q.pasid for q in qs}) == 3
        vas = [(p.mm.mmap(SZ_4K), p.mm.mmap(SZ_4K), p.mm.mmap(SZ_4K)) for p in procs]
        assert len(set(vas)) == 1  # identical layouts: only the PASID tells them apart
        for i, (p, q) in enumerate(zip(procs, qs)):
            src, dst, comp = vas[i]
            p.mm.write(src, bytes([i + 1]) * 256)
            await q.submit(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 256, src, dst, 0, comp))
        for i, (p, q) in enumerate(zip(procs, qs)):
            c = await q.wait(vas[i][2])
            assert c.status == Status.SUCCESS and p.mm.read(vas[i][1], 256) == bytes([i + 1]) * 256
    run(body())


def test_two_queues_one_process_share_the_pasid():
    async def body():
        s = await model_system()
        p = s.host.spawn("p")
        q1, q2 = await s.accel.open_queue(p), await s.accel.open_queue(p)
        assert q1.pasid == q2.pasid and q1.bond is q2.bond and q1.bond.users == 2
        await q1.close()
        assert s.dev.cd(q2.pasid).v == 1  # still bound for q2
        comp = p.mm.mmap(SZ_4K)
        c = await q2.run(Descriptor(Opcode.NOP, Flags.COMP_REQ, comp_addr=comp))
        assert c.status == Status.SUCCESS
        await q2.close()
        assert s.dev.cd(q2.pasid).v == 0 and s.smmu.asids.in_use == 0
    run(body())


def test_close_releases_and_closed_queue_rejects_use():
    async def body():
        s = await model_system()
        p = s.host.spawn("p")
        qs = [await s.accel.open_queue(p) for _ in range(4)]
        with pytest.raises(NoSpace, match="all 4 hardware queues are in use"):
            await s.accel.open_queue(p)
        ring = qs[0].ring
        await qs[0].close()
        assert await reg(s, qs[0], D.QCTRL) == 0 and p.mm.find_vma(ring) is None
        for coro in (qs[0].submit(Descriptor()), qs[0].close(), qs[0].wait(0)):
            with pytest.raises(Closed, match="queue is closed"):
                await coro
        q = await s.accel.open_queue(p)
        assert q.idx == 0
        with pytest.raises(InvalidArgument, match="not a dma_desc.Descriptor"):
            await q.submit(b"\x00" * 64)
    run(body())


def test_ring_full_is_busy_and_nothing_written():
    async def body():
        s = await model_system()
        p = s.host.spawn("p")
        q = await s.accel.open_queue(p, log2_entries=2)
        await s.plat.write_reg("dma", D.queue_reg(q.idx, D.QCTRL, 4), 0)  # stop consumption
        before = p.mm.read(q.ring, 4 * 64)
        with pytest.raises(Busy, match="ring has 3 free slots, 4 descriptors submitted"):
            await q.submit(*[Descriptor()] * 4)
        assert p.mm.read(q.ring, 4 * 64) == before and q.tail == 0
    run(body())


def test_halted_queue_reports_error_instead_of_hanging():
    async def body():
        s = await model_system()
        p = s.host.spawn("p")
        q = await s.accel.open_queue(p)
        ro = p.mm.mmap(SZ_4K, PROT_READ, populate=True)  # the device cannot write the record
        await q.submit(Descriptor(Opcode.NOP, Flags.COMP_REQ, comp_addr=ro))
        with pytest.raises(HardwareError, match=f"queue halted: COMP_WRITE at {ro:#x}"):
            await q.wait(ro)
        assert await reg(s, q, D.QSTATUS) & D.QStatus.HALTED
        assert (await reg(s, q, D.QERR_ADDR_LO), await reg(s, q, D.QERR_ADDR_HI)) == (
            ro & 0xFFFF_FFFF, ro >> 32)
        await s.plat.write_reg("dma", D.queue_reg(q.idx, D.QERR, len(s.accel.queues)), 0)
        # as dma_regs.sv: the write clears the code, the halt and the address
        assert [await reg(s, q, r) for r in (D.QERR, D.QERR_ADDR_LO, D.QERR_ADDR_HI)] == [0, 0, 0]
        assert not await reg(s, q, D.QSTATUS) & D.QStatus.HALTED
    run(body())


def test_wait_times_out_when_the_device_never_completes():
    async def body():
        s = await model_system()
        p = s.host.spawn("p")
        q = await s.accel.open_queue(p)
        await s.plat.write_reg("dma", D.queue_reg(q.idx, D.QCTRL, 4), 0)  # queue stopped
        comp = p.mm.mmap(SZ_4K)
        await q.submit(Descriptor(Opcode.NOP, Flags.COMP_REQ, comp_addr=comp))
        with pytest.raises(Timeout, match=f"no completion at {comp:#x} after 2000 ns"):
            await q.wait(comp, timeout_ns=2000)
    run(body())


def test_rid_queue_programs_nopasid_and_checks_its_arguments():
    async def body():
        s = await model_system()
        kdom = s.smmu.alloc_paging_domain("k")
        pa = s.host.pages.alloc(1)                          # 2 pages: ring, buffer
        iova = 0x2000_0000
        await kdom.map(iova, pa, 2 * SZ_4K)
        with pytest.raises(InvalidArgument, match="not attached to the RID"):
            await s.accel.open_rid_queue(kdom, iova)
        await s.smmu.attach_dev(s.dev, kdom)
        with pytest.raises(InvalidArgument, match="not a paging domain"):
            await s.accel.open_rid_queue(s.smmu.identity, iova)
        with pytest.raises(InvalidArgument, match="not mapped"):
            await s.accel.open_rid_queue(kdom, iova + SZ_4K, log2_entries=7)  # 8 KB ring, 1 page left
        with pytest.raises(InvalidArgument, match="not 64-byte aligned"):
            await s.accel.open_rid_queue(kdom, iova + 8)
        assert s.accel.queues == [None] * 4                 # nothing taken by the failures
        q = await s.accel.open_rid_queue(kdom, iova, log2_entries=2)
        assert q.pasid is None
        assert await reg(s, q, D.QCTRL) == D.QCTRL_EN | D.QCTRL_NOPASID | D.QCTRL_IRQ_EN
        c = await q.run(Descriptor(Opcode.FILL, Flags.COMP_REQ, 64, 0, iova + SZ_4K, 0x0807060504030201,
                                   iova + SZ_4K + 128))
        assert c.status == Status.SUCCESS and s.plat.mem.read(pa + SZ_4K, 8) == bytes(range(1, 9))
        with pytest.raises(InvalidArgument, match="not mapped"):  # CPU side: nothing written
            q._mem_write(iova + 2 * SZ_4K - 4, bytes(8))
        assert s.plat.mem.read(pa + 2 * SZ_4K - 4, 4) == bytes(4)
        await q.close()
        assert await reg(s, q, D.QCTRL) == 0 and s.dev.rid_domain is kdom
        with pytest.raises(Closed):
            await q.run(Descriptor(Opcode.NOP))
    run(body())


def test_second_accelerator_has_its_own_block_and_streamid():
    from pasidsim import sysmap
    from pasidsim.driver.model_backend import ModelPlatform

    async def body():
        s = await model_system()
        assert [a.block for a in s.accels] == ["dma", "dma1"]
        assert [d.sid for d in s.devs] == [1, 2] and s.accels[1].dev is s.devs[1]
        p = s.host.spawn("p")
        q = await s.accels[1].open_queue(p)
        assert await s.plat.read_reg("dma1", D.queue_reg(q.idx, D.QPASID, 4)) == q.pasid
        assert await s.plat.read_reg("dma", D.queue_reg(q.idx, D.QPASID, 4)) == 0  # not dev 0's
        with pytest.raises(InvalidArgument, match="no register block 'dma2'"):
            await s.plat.read_reg("dma2", 0)
    run(body())
    with pytest.raises(InvalidArgument, match="1..32 accelerators"):
        ModelPlatform(ndev=0)
    with pytest.raises(ValueError, match="outside the window"):
        sysmap.dma_base(32)
    assert sysmap.dma_base(1) == 0x21000 and sysmap.dma_block(1) == "dma1"
