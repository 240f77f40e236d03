"""Processes and address spaces: mmap/munmap, lazy population, PASID lifetime."""

import asyncio

import pytest

from pasidsim.driver.errors import BadAddress, Closed, InvalidArgument, NoSpace
from pasidsim.driver.mm import Host
from pasidsim.driver.pgtable import PROT_READ, PROT_WRITE
from pasidsim.memory import SparseMemory

RW = PROT_READ | PROT_WRITE


class Notifier:
    def __init__(self, host):
        self.host = host
        self.calls = []

    async def invalidate_range(self, mm, start, end):
        # Pages must still be allocated when the device side is told to invalidate.
        self.calls.append(("inv", start, end, self.host.pages.free_pages))

    async def release(self, mm):
        self.calls.append(("release", mm.pasid))


@pytest.fixture
def host():
    return Host(SparseMemory(), 0x8000_0000, 8 << 20, pasid_bits=4)


def test_lazy_population_and_cpu_access(host):
    mm = host.spawn("p").mm
    va = mm.mmap(3 * 4096, RW)
    assert not mm.is_present(va) and mm.pgtable.translate(va) is None
    mm.write(va + 4090, b"0123456789")  # spans two pages
    assert mm.is_present(va) and mm.is_present(va + 4096) and not mm.is_present(va + 8192)
    assert mm.read(va + 4090, 10) == b"0123456789"
    pa = mm.pgtable.translate(va + 4096)
    assert host.mem.read(pa, 4) == b"6789"


def test_permissions_and_bad_addresses(host):
    mm = host.spawn("p").mm
    ro = mm.mmap(4096, PROT_READ)
    with pytest.raises(BadAddress, match="not accessible"):
        mm.write(ro, b"x")
    assert not mm.is_present(ro)
    assert mm.handle_fault(ro, write=False) and not mm.handle_fault(ro, write=True)
    assert mm.pgtable.lookup(ro).prot & PROT_WRITE == 0
    with pytest.raises(BadAddress):
        mm.read(0x10, 1)
    assert not mm.handle_fault(0x10, write=False)
    with pytest.raises(InvalidArgument, match="not page aligned"):
        mm.mmap(4096, addr=0x1234)
    fixed = mm.mmap(4096, addr=0x7000_0000)
    with pytest.raises(InvalidArgument, match="overlaps"):
        mm.mmap(8192, addr=fixed - 4096)
    with pytest.raises(InvalidArgument, match="unknown prot"):
        mm.mmap(4096, 0x40)


def test_munmap_invalidates_before_freeing(host):
    mm = host.spawn("p").mm
    n = Notifier(host)
    mm.notifiers.append(n)
    va = mm.mmap(4 * 4096, RW, populate=True)
    free_before = host.pages.free_pages
    asyncio.run(mm.munmap(va + 4096, 2 * 4096))
    kind, start, end, free_at_inv = n.calls[0]
    assert (kind, start, end) == ("inv", va + 4096, va + 3 * 4096)
    assert free_at_inv == free_before  # nothing freed before the invalidation
    assert host.pages.free_pages == free_before + 2
    assert mm.find_vma(va) and mm.find_vma(va + 3 * 4096) and not mm.find_vma(va + 4096)
    assert mm.pgtable.translate(va + 4096) is None and mm.pgtable.translate(va) is not None
    with pytest.raises(InvalidArgument, match="contains no mapping"):
        asyncio.run(mm.munmap(va + 4096, 4096))


def test_pasid_lifetime_and_exhaustion(host):
    procs = [host.spawn(f"p{i}") for i in range(16)]
    pasids = [p.mm.get_pasid(4) for p in procs[:15]]
    assert pasids == list(range(1, 16))  # PASID 0 never handed out
    assert procs[0].mm.get_pasid(4) == 1  # stable for the mm's lifetime
    with pytest.raises(NoSpace, match="PASID space exhausted"):
        procs[15].mm.get_pasid(4)
    assert procs[15].mm.pasid is None
    with pytest.raises(InvalidArgument, match="does not fit a device with 3 PASID bits"):
        procs[14].mm.get_pasid(3)
    n = Notifier(host)
    procs[0].mm.notifiers.append(n)
    free = host.pages.free_pages
    procs[0].mm.write(procs[0].mm.mmap(4096), b"x")
    asyncio.run(procs[0].exit())
    assert n.calls == [("release", 1)]  # notifier ran while the PASID was still held
    assert host.pages.free_pages == free + 1  # data page + page-table pages released
    assert procs[15].mm.get_pasid(4) == 1  # reused only after release
    with pytest.raises(Closed, match="released"):
        procs[0].mm.mmap(4096)
