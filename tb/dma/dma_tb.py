"""Testbench for dma_top: AXI-Lite master on s_axil_*, an AXI slave memory with
per-page fault injection on m_axi_*, a bus monitor, and a golden-model scoreboard.

Address plan: queue q owns the VA window REGION * (q + 1) .. + REGION; its ring
and all its buffers live there, so the monitor knows from an address which queue
(and PASID) a request must carry.
"""

from __future__ import annotations

import logging
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiBus, AxiLiteBus, AxiLiteMaster, AxiSlave
from cocotbext.axi.sparse_memory import SparseMemory

from pasidsim import dma_regs as R
from pasidsim.dma_desc import COMP_SIZE, DESC_SIZE, Completion, Descriptor, Flags
from pasidsim.dma_model import DmaModel

REGION = 1 << 36
PAGE = 4096


def region(q: int) -> int:
    return REGION * (q + 1)


class FaultMemory:
    """AxiSlave target: raising from read/write makes the slave answer SLVERR (a
    terminated translation); pages in bus_error_pages are turned into DECERR by
    `TB._decerr_hooks`."""

    def __init__(self):
        self.mem = SparseMemory(1 << 48)
        self.fault_pages: dict[int, str] = {}      # page -> "r", "w" or "rw"
        self.bus_error_pages: dict[int, str] = {}  # page -> "r", "w" or "rw"
        self.writes: list[tuple[int, int]] = []    # (addr, n) of every byte range written
        self.decerr = {"r": False, "w": False}     # the failing beat was a bus error

    def faults(self, va: int, is_write: bool) -> bool:
        kind = self.fault_pages.get(va // PAGE, "")
        return ("w" if is_write else "r") in kind

    def bus_errors(self, va: int, is_write: bool) -> bool:
        kind = self.bus_error_pages.get(va // PAGE, "")
        return ("w" if is_write else "r") in kind

    async def read(self, addr: int, n: int) -> bytes:
        if self.bus_errors(addr, False):
            self.decerr["r"] = True
            raise ConnectionError(f"read bus error at {addr:#x}")
        if self.faults(addr, False):
            raise PermissionError(f"read fault at {addr:#x}")
        return self.mem.read(addr, n)

    async def write(self, addr: int, data: bytes) -> None:
        if self.bus_errors(addr, True):
            self.decerr["w"] = True
            raise ConnectionError(f"write bus error at {addr:#x}")
        if self.faults(addr, True):
            raise PermissionError(f"write fault at {addr:#x}")
        self.writes.append((addr, len(data)))
        self.mem.write(addr, data)


class OooReadSlave:
    """AXI read slave that serves bursts concurrently and returns them in any
    order across IDs (in order within an ID), like an SMMU device port: a burst
    stalled on one page does not hold up bursts of other IDs. Bursts are not
    interleaved beat by beat."""

    def __init__(self, bus, clock, reset, target):
        from cocotb.triggers import Event, Lock
        from cocotbext.axi.axi_channels import AxiARSink, AxiRSource
        self.ar = AxiARSink(bus.ar, clock, reset, True)
        self.r = AxiRSource(bus.r, clock, reset, True)
        self.target = target
        self.byte_lanes = len(self.r.bus.rdata) // 8
        self.lock = Lock()
        self.last = {}   # id -> Event set when that ID's latest burst is sent
        self._Event = Event
        cocotb.start_soon(self._accept())

    async def _accept(self):
        while True:
            ar = await self.ar.recv()
            arid = int(ar.arid)
            prev, done = self.last.get(arid), self._Event()
            self.last[arid] = done
            cocotb.start_soon(self._burst(ar, prev, done))

    async def _burst(self, ar, prev, done):
        from cocotbext.axi.constants import AxiResp
        addr, n = int(ar.araddr), int(ar.arlen) + 1
        addr -= addr % self.byte_lanes
        beats = []
        for i in range(n):
            try:
                data, resp = await self.target.read(addr + i * self.byte_lanes, self.byte_lanes), 0
            except Exception:  # noqa: BLE001 - the error response is the point
                data, resp = bytes(self.byte_lanes), AxiResp.SLVERR
                if self.target.decerr["r"]:
                    resp, self.target.decerr["r"] = AxiResp.DECERR, False
            beats.append((int.from_bytes(bytes(data), "little"), resp))
        if prev is not None:
            await prev.wait()
        async with self.lock:
            for i, (data, resp) in enumerate(beats):
                r = self.r._transaction_obj()
                r.rid, r.rdata, r.rresp, r.rlast = int(ar.arid), data, resp, int(i == n - 1)
                await self.r.send(r)
        done.set()


def cycle_pause(seed=None):
    rnd = random.Random(seed)
    while True:
        yield rnd.random() < 0.3


class TB:
    def __init__(self, dut, ooo_reads=False):
        self.dut = dut
        self.log = logging.getLogger("cocotb.tb")
        self.log.setLevel(logging.INFO)
        self.nq = int(os.environ.get("PARAM_NQ", "4"))
        self.ne = int(os.environ.get("PARAM_NE", "2"))
        self.quantum = int(os.environ.get("PARAM_QUANTUM", "1"))
        self.data_width = int(os.environ.get("PARAM_DATA_WIDTH", "64"))
        self.sid_bits = int(os.environ.get("PARAM_SID_BITS", "8"))
        self.sid = int(os.environ.get("PARAM_SID", "0"))
        self.seed = int(os.environ.get("DMA_SEED") or cocotb.RANDOM_SEED)
        cocotb.start_soon(Clock(dut.clk, 4, unit="ns").start())
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        self.target = FaultMemory()
        bus = AxiBus.from_prefix(dut, "m_axi")
        if ooo_reads:
            from cocotbext.axi.axi_slave import AxiSlaveWrite
            self.axi = None
            self.write_slave = AxiSlaveWrite(bus.write, dut.clk, dut.rst, target=self.target)
            self.read_slave = OooReadSlave(bus.read, dut.clk, dut.rst, self.target)
        else:
            self.axi = AxiSlave(bus, dut.clk, dut.rst, target=self.target)
            self.write_slave, self.read_slave = self.axi.write_if, self.axi.read_if
        self.axil.write_if.log.setLevel(logging.WARNING)
        self.axil.read_if.log.setLevel(logging.WARNING)
        self.write_slave.log.setLevel(logging.WARNING)
        if self.axi is not None:
            self.axi.read_if.log.setLevel(logging.WARNING)
        # golden side: its own memory, same fault map
        self.model_mem = SparseMemory(1 << 48)
        self.model = DmaModel(self.model_mem,
                              fault=lambda va, w, p: self.target.faults(va, w),
                              bus_error=lambda va, w, p: self.target.bus_errors(va, w))
        self._decerr_hooks()
        self.queues: dict[int, dict] = {}
        self.expected: list[tuple[int, Descriptor, object]] = []  # (q, desc, DmaResult)
        self.checked_ranges: list[tuple[int, int]] = []
        self.allowed: list[tuple[int, int]] = []   # ranges the device may write
        self.monitor_errors: list[str] = []
        self.requests = 0
        self.beats = {"r": 0, "w": 0}
        self.bursts: list[tuple[str, int, int]] = []   # (channel, queue, id) in accept order
        cocotb.start_soon(self._monitor())

    def _decerr_hooks(self):
        """cocotbext-axi only answers SLVERR; rewrite the response of a beat (R) or
        burst (B) whose access hit a bus-error page to DECERR on its way out."""
        from cocotbext.axi.constants import AxiResp
        tgt = self.target
        chans = [("w", self.write_slave.b_channel, "bresp")]
        if self.axi is not None:
            chans.append(("r", self.axi.read_if.r_channel, "rresp"))
        for kind, ch, field in chans:
            def hook(send, kind=kind, field=field):
                async def wrapped(obj):
                    if tgt.decerr[kind] and int(getattr(obj, field)) == AxiResp.SLVERR:
                        setattr(obj, field, AxiResp.DECERR)
                    tgt.decerr[kind] = False
                    await send(obj)
                return wrapped
            ch.send = hook(ch.send)

    def _channels(self):
        w = self.write_slave
        if self.axi is None:
            return [w.aw_channel, w.w_channel, w.b_channel, self.read_slave.ar, self.read_slave.r]
        r = self.axi.read_if
        return [w.aw_channel, w.w_channel, w.b_channel, r.ar_channel, r.r_channel]

    def set_idle_generator(self, gen=None):
        if gen:
            self.axil.write_if.aw_channel.set_pause_generator(gen())
            self.axil.write_if.w_channel.set_pause_generator(gen())
            self.axil.read_if.ar_channel.set_pause_generator(gen())

    def set_backpressure_generator(self, gen=None):
        if gen:
            for i, ch in enumerate(self._channels()):
                ch.set_pause_generator(gen(random.getrandbits(32)))
            self.axil.write_if.b_channel.set_pause_generator(gen())
            self.axil.read_if.r_channel.set_pause_generator(gen())

    async def reset(self):
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 5)
        self.dut.rst.value = 0
        await ClockCycles(self.dut.clk, 5)

    # ------------------------------------------------------------ memory
    def mem_write(self, addr: int, data: bytes):
        self.target.mem.write(addr, data)
        self.model_mem.write(addr, data)

    def fill_random(self, addr: int, n: int):
        self.mem_write(addr, random.randbytes(n))

    def watch(self, addr: int, n: int):
        """Compare this range of hardware memory with the model at check time."""
        self.checked_ranges.append((addr, n))

    # ------------------------------------------------------------ registers
    async def rd(self, addr):
        return await self.axil.read_dword(addr)

    async def wr(self, addr, val):
        await self.axil.write_dword(addr, val)

    async def qrd(self, q, off):
        return await self.rd(R.queue_reg(q, off, self.nq))

    async def qwr(self, q, off, val):
        await self.wr(R.queue_reg(q, off, self.nq), val)

    def user_of(self, q):
        st = self.queues[q]
        ssv = 0 if st["pasid"] is None else 1
        ssid = st["pasid"] or 0
        return (ssv << (self.sid_bits + 20)) | (ssid << self.sid_bits) | self.sid

    async def setup_queue(self, q, pasid=None, log2sz=4, irq_en=True, base=None):
        base = region(q) if base is None else base
        self.queues[q] = {"pasid": pasid, "base": base, "size": 1 << log2sz, "tail": 0,
                          "pending": []}
        await self.qwr(q, R.QCTRL, 0)
        await self.qwr(q, R.QPASID, pasid or 0)
        await self.qwr(q, R.QBASE_LO, base & 0xFFFFFFFF)
        await self.qwr(q, R.QBASE_HI, base >> 32)
        await self.qwr(q, R.QSIZE, log2sz)
        await self.qwr(q, R.QHEAD, 0)
        await self.qwr(q, R.QTAIL, 0)
        ctrl = R.QCTRL_EN | (R.QCTRL_NOPASID if pasid is None else 0) | (R.QCTRL_IRQ_EN if irq_en else 0)
        await self.qwr(q, R.QCTRL, ctrl)
        self.watch(base, DESC_SIZE << log2sz)

    def buf(self, q, slot, size=1 << 21):
        """VA of buffer slot `slot` of queue q (slots are 2 MiB apart, after the ring)."""
        return region(q) + (1 << 24) + slot * size

    async def submit(self, q, descs, ring=True):
        """Write descriptors to the ring and ring the doorbell once."""
        st = self.queues[q]
        if len(descs) >= st["size"]:
            raise ValueError(f"TB.submit: {len(descs)} descriptors do not fit ring of {st['size']}")
        for d in descs:
            self.mem_write(st["base"] + st["tail"] * DESC_SIZE, d.encode())
            st["tail"] = (st["tail"] + 1) % st["size"]
            st["pending"].append(d)
            if d.opcode in (2, 3):
                self.allowed.append((d.dst, d.length))
            self.allowed.append((d.comp_addr, COMP_SIZE))
            if d.flags & Flags.COMP_REQ:
                if d.comp_addr % COMP_SIZE == 0:
                    self.mem_write(d.comp_addr, bytes(COMP_SIZE))
                self.watch(d.comp_addr & ~(COMP_SIZE - 1), COMP_SIZE)
        if ring:
            await self.qwr(q, R.QTAIL, st["tail"])

    def run_model(self, q):
        """Golden model for all pending descriptors of q, in order."""
        st = self.queues[q]
        res = []
        for d in st["pending"]:
            r = self.model.execute(d, st["pasid"])
            self.expected.append((q, d, r))
            res.append(r)
        st["pending"] = []
        return res

    def dump_state(self):
        u = self.dut
        names = []
        for e in range(int(os.environ.get("PARAM_NE", "2"))):
            p = f"g_eng[{e}].u_eng."
            names += [p + n for n in ("u_ctrl.state", "u_ctrl.inflight", "u_ctrl.coff",
                                      "u_wr.state", "u_wr.idx", "u_wr.nb", "u_wr.pq_out_valid",
                                      "u_wr.b_cnt", "u_wr.dead", "u_wr.cmd_valid",
                                      "u_wr.st_valid", "u_ctrl.stopped", "u_wr.same_page",
                                      "u_rd.busy", "u_rd.room", "u_rd.u_realign.in_left",
                                      "u_rd.u_realign.out_left")]
        names += ["u_dispatch.owned", "m_axi_arvalid", "m_axi_awvalid", "m_axi_wvalid",
                  "m_axi_rvalid", "m_axi_rready", "m_axi_bvalid"]
        out = []
        for n in names:
            h = u
            try:
                for part in n.split("."):
                    if "[" in part:
                        name, idx = part[:-1].split("[")
                        h = getattr(h, name)[int(idx)]
                    else:
                        h = getattr(h, part)
                out.append(f"{n}={h.value}")
            except Exception as exc:  # noqa: BLE001 - diagnostics only
                out.append(f"{n}=?({exc.__class__.__name__})")
        return " ".join(out)

    async def wait_idle(self, queues=None, timeout=400_000):
        queues = list(self.queues) if queues is None else queues
        for _ in range(timeout // 50):
            done = True
            for q in queues:
                s = await self.qrd(q, R.QSTATUS)
                if not (s & R.QStatus.EMPTY or s & R.QStatus.HALTED) or s & R.QStatus.BUSY:
                    done = False
                    break
            if done:
                return
            await ClockCycles(self.dut.clk, 50)
        raise TimeoutError(f"queues {queues} not idle after {timeout} cycles (seed {self.seed}): "
                           f"{self.dump_state()}")

    def check_memory(self):
        for a, n in self.checked_ranges:
            hw = bytes(self.target.mem.read(a, n))
            md = bytes(self.model_mem.read(a, n))
            if hw != md:
                i = next(i for i in range(n) if hw[i] != md[i])
                raise AssertionError(f"memory differs from model at {a + i:#x} "
                                     f"(hw {hw[i]:#04x}, model {md[i]:#04x}); seed {self.seed}")
        assert not self.monitor_errors, self.monitor_errors[:5]
        for a, n in self.target.writes:
            if not any(s <= a and a + n <= s + ln for s, ln in self.allowed):
                raise AssertionError(f"stray write of {n} bytes at {a:#x}; seed {self.seed}")

    def completion(self, d: Descriptor) -> Completion:
        return Completion.decode(bytes(self.target.mem.read(d.comp_addr, COMP_SIZE)))

    def queue_of(self, addr):
        q = addr // REGION - 1
        return q if q in self.queues else None

    # ------------------------------------------------------------ monitor
    async def _monitor(self):
        dut = self.dut
        while True:
            await RisingEdge(dut.clk)
            for ch in ("ar", "aw"):
                if int(getattr(dut, f"m_axi_{ch}valid").value) and int(getattr(dut, f"m_axi_{ch}ready").value):
                    self.requests += 1
                    addr = int(getattr(dut, f"m_axi_{ch}addr").value)
                    ln = int(getattr(dut, f"m_axi_{ch}len").value) + 1
                    user = int(getattr(dut, f"m_axi_{ch}user").value)
                    size = 1 << int(getattr(dut, f"m_axi_{ch}size").value)
                    q = self.queue_of(addr)
                    self.bursts.append((ch, -1 if q is None else q,
                                        int(getattr(dut, f"m_axi_{ch}id").value)))
                    if q is None:
                        self.monitor_errors.append(f"{ch} to {addr:#x} outside every queue's window")
                    elif user != self.user_of(q):
                        self.monitor_errors.append(
                            f"{ch} to {addr:#x} (queue {q}) user {user:#x} != {self.user_of(q):#x}")
                    if addr // PAGE != (addr - addr % size + ln * size - 1) // PAGE:
                        self.monitor_errors.append(f"{ch} burst at {addr:#x} x{ln} crosses 4 KiB")
            if int(dut.m_axi_rvalid.value) and int(dut.m_axi_rready.value):
                self.beats["r"] += 1
            if int(dut.m_axi_wvalid.value) and int(dut.m_axi_wready.value):
                self.beats["w"] += 1
