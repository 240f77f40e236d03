"""Testbench for smmu_top's translation path.

The memory port is served by a cocotbext-axi AxiSlave whose target is the same
pasidsim SparseMemory the golden model (pasidsim.smmu_model) reads, so the model sees
exactly the tables the DUT walks. The target adds random latency and returns SLVERR on
the memory's error ranges. A monitor logs every memory-port address handshake so tests
can check what reached memory (and that nothing else did).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

import cocotb
from cocotb.triggers import ClockCycles, Lock, RisingEdge
from cocotbext.axi import AxiBurstType, AxiBus, AxiMaster, AxiResp
from cocotbext.axi.axi_slave import AxiSlaveRead, AxiSlaveWrite

from pasidsim import regs as R
from pasidsim import smmuv3 as S
from pasidsim.memory import SparseMemory
from pasidsim.smmu_model import SmmuModel
from tb.common.axil import AxilRegs
from tb.common.pagetable import PageAlloc, StreamTable
from tb.common.tbutil import PAUSE_MODES, param, start_clock_and_reset

TABLES = 0x1000_0000      # page tables, STEs, CDs
EVTQ = 0x0F00_0000        # event queue
DATA = 0x4000_0000        # data pages (output addresses)


class MemTarget:
    """AxiSlave target: SparseMemory with random per-beat latency; BusError -> SLVERR."""

    def __init__(self, mem: SparseMemory, clk):
        self.mem, self.clk = mem, clk
        self.max_latency = 0
        self.slow: list[tuple[int, int, int]] = []   # (start, end, extra cycles)
        self.writes: list[tuple[int, bytes]] = []
        self.write_check = None                       # callable(addr, data) -> None

    async def _delay(self, address):
        n = random.randint(0, self.max_latency) if self.max_latency else 0
        n += sum(c for lo, hi, c in self.slow if lo <= address < hi)
        if n:
            await ClockCycles(self.clk, n)

    async def read(self, address, length):
        await self._delay(address)
        return self.mem.read(address, length)

    async def write(self, address, data):
        await self._delay(address)
        if self.write_check:
            self.write_check(address, bytes(data))
        self.writes.append((address, bytes(data)))
        self.mem.write(address, bytes(data))


class ParallelAxiSlaveRead(AxiSlaveRead):
    """AXI read slave that serves bursts of different IDs concurrently (a slow table
    read does not hold up data reads), keeps same-ID bursts in order and never
    interleaves the beats of two bursts."""

    async def _process_read(self):
        last = {}
        lock = Lock()
        while True:
            ar = await self.ar_channel.recv()
            arid = int(getattr(ar, "arid", 0))
            last[arid] = cocotb.start_soon(self._serve(ar, last.get(arid), lock))

    async def _serve(self, ar, prev, lock):
        arid, addr = int(getattr(ar, "arid", 0)), int(ar.araddr)
        length, size = int(ar.arlen) + 1, int(ar.arsize)
        burst = AxiBurstType(int(ar.arburst))
        nb = 1 << size
        cur = (addr // nb) * nb
        lo = (addr // (nb * length)) * nb * length
        beats = []
        for n in range(length):
            r = self.r_channel._transaction_obj()
            r.rid, r.rlast, r.rresp = arid, n == length - 1, AxiResp.OKAY
            word = (cur // self.byte_lanes) * self.byte_lanes
            try:
                data = await self._read(word, self.byte_lanes)
            except Exception:
                data, r.rresp = bytes(self.byte_lanes), AxiResp.SLVERR
            r.rdata = int.from_bytes(data, "little")
            beats.append(r)
            if burst != AxiBurstType.FIXED:
                cur += nb
                if burst == AxiBurstType.WRAP and cur == lo + nb * length:
                    cur = lo
        if prev is not None:
            await prev
        async with lock:
            for r in beats:
                await self.r_channel.send(r)


@dataclass
class Beat:
    """One address handshake on the memory port."""
    internal: bool
    id: int
    addr: int
    len: int
    size: int
    cycle: int = 0


class TB:
    def __init__(self, dut, master: bool = True):
        self.dut = dut
        self.log = dut._log
        self.sid_bits = param("SID_BITS", 8)
        self.ssid_bits = param("SSID_BITS", 8)
        self.oas = param("OAS_BITS", 48)
        self.id_width = param("ID_WIDTH", 4)
        self.mem = SparseMemory(48)
        self.target = MemTarget(self.mem, dut.clk)
        # two master ports, one memory: m_axi (translated traffic), m_tw_axi (walks, queues)
        mbus = AxiBus.from_prefix(dut, "m_axi")
        self.slave_w = AxiSlaveWrite(mbus.write, dut.clk, dut.rst, target=self.target)
        self.slave_r = ParallelAxiSlaveRead(mbus.read, dut.clk, dut.rst, target=self.target)
        twbus = AxiBus.from_prefix(dut, "m_tw_axi")
        self.tw_w = AxiSlaveWrite(twbus.write, dut.clk, dut.rst, target=self.target)
        self.tw_r = ParallelAxiSlaveRead(twbus.read, dut.clk, dut.rst, target=self.target)
        # master=False leaves the device port to a test that drives it by hand
        self.master = AxiMaster(AxiBus.from_prefix(dut, "s_axi"), dut.clk, dut.rst) if master \
            else None
        self.regs = AxilRegs(dut, dut.clk, dut.rst)
        for obj in (self.slave_r, self.slave_w, self.tw_r, self.tw_w,
                    self.regs.master.read_if, self.regs.master.write_if,
                    *((self.master.read_if, self.master.write_if) if master else ())):
            obj.log.setLevel(logging.WARNING)
        self.model = SmmuModel(self.mem, sid_bits=self.sid_bits, ssid_bits=self.ssid_bits,
                               oas_bits=self.oas, stall=bool(param("STALL", 1)))
        self.alloc = PageAlloc(self.mem, TABLES, 0x1000_0000)
        self.cycle = 0
        self.s_ar: list[tuple[int, int]] = []        # (cycle, addr) device AR handshakes
        self.s_ar_stalls = 0                          # cycles with arvalid && !arready
        self.reads: list[Beat] = []
        self.writes: list[Beat] = []
        self.expected_events: list[S.Event] = []
        self.evtq_log2 = 0
        self.cons = 0

    # ------------------------------------------------------------------ setup
    async def start(self, pause: str = "none", latency: int = 0):
        await start_clock_and_reset(self.dut.clk, self.dut.rst)
        cocotb.start_soon(self._monitor())
        self.set_pause(pause)
        self.target.max_latency = latency

    def set_pause(self, pause: str):
        gen = PAUSE_MODES[pause]
        chans = [c for w, r in ((self.slave_w, self.slave_r), (self.tw_w, self.tw_r))
                 for c in (w.aw_channel, w.w_channel, w.b_channel, r.ar_channel, r.r_channel)]
        if self.master:
            chans += [self.master.write_if.aw_channel, self.master.write_if.w_channel,
                      self.master.write_if.b_channel, self.master.read_if.ar_channel,
                      self.master.read_if.r_channel]
        for ch in chans:
            ch.set_pause_generator(gen() if gen else None)

    async def _monitor(self):
        d = self.dut
        top = 1 << (self.id_width)
        # address handshakes of both master ports (ID top bit: the SMMU's own access)
        fields = ("valid", "ready", "id", "addr", "len", "size")
        ports = [{f"{ch}{f}": getattr(d, f"{p}_{ch}{f}") for ch in ("ar", "aw") for f in fields}
                 for p in ("m_axi", "m_tw_axi")]
        while True:
            await RisingEdge(d.clk)
            self.cycle += 1
            if d.s_axi_arvalid.value:
                if d.s_axi_arready.value:
                    self.s_ar.append((self.cycle, int(d.s_axi_araddr.value)))
                else:
                    self.s_ar_stalls += 1
            for port in ports:
                for ch, out in (("ar", self.reads), ("aw", self.writes)):
                    if port[f"{ch}valid"].value and port[f"{ch}ready"].value:
                        i = int(port[f"{ch}id"].value)
                        out.append(Beat(bool(i & top), i & (top - 1), int(port[f"{ch}addr"].value),
                                        int(port[f"{ch}len"].value), int(port[f"{ch}size"].value),
                                        self.cycle))

    async def setup(self, strtab_log2size: int = 4, evtq_log2size: int = 4, enable: bool = True,
                    gbpa_abort: bool = False):
        """Stream table (all STEs invalid), event queue, registers of DUT and model."""
        self.strtab = StreamTable(self.mem, self.alloc, strtab_log2size)
        self.evtq_log2 = evtq_log2size
        self.model.configure(strtab_base=self.strtab.base, strtab_log2size=strtab_log2size,
                             eventq_base=EVTQ, eventq_log2size=evtq_log2size, enable=False)
        self.model.set_field("GBPA", "ABORT", int(gbpa_abort))
        await self.regs.write(R.STRTAB_BASE, self.model.regs["STRTAB_BASE"])
        await self.regs.write(R.STRTAB_BASE_CFG, self.model.regs["STRTAB_BASE_CFG"])
        await self.regs.write(R.EVENTQ_BASE, self.model.regs["EVENTQ_BASE"])
        await self.regs.write(R.CR2, self.model.regs["CR2"])
        await self.regs.write(R.GBPA, self.model.regs["GBPA"])
        await self.regs.write(R.EVENTQ_PROD, 0)
        await self.regs.write(R.EVENTQ_CONS, 0)
        self.cons = 0
        if enable:
            await self.enable(True)

    async def enable(self, on: bool, evtq: bool = True, cmdq: bool = False):
        cr0 = R.CR0.encode(SMMUEN=int(on), EVTQEN=int(evtq), CMDQEN=int(cmdq))
        self.model.regs["CR0"] = cr0
        await self.regs.write(R.CR0, cr0)
        for _ in range(100):
            if await self.regs.read(R.CR0ACK) == cr0:
                return
        raise AssertionError("CR0ACK does not follow CR0")

    # ------------------------------------------------------------------ traffic
    def user(self, sid: int, ssid: int = 0, ssv: bool = False) -> int:
        return (int(ssv) << (self.sid_bits + 20)) | (ssid << self.sid_bits) | sid

    async def read(self, sid, va, length, ssid=0, ssv=False, prot=0b000, arid=None):
        return await self.master.read(va, length, arid=arid, prot=prot,
                                      user=self.user(sid, ssid, ssv))

    async def write(self, sid, va, data, ssid=0, ssv=False, prot=0b000, awid=None):
        return await self.master.write(va, data, awid=awid, prot=prot,
                                       user=self.user(sid, ssid, ssv))

    def expect(self, sid, va, write, ssid=0, ssv=False, prot=0b000):
        """The model's verdict for one access; a recordable fault is queued as expected."""
        t = self.model.translate(sid, ssid, ssv, va, write=write, priv=bool(prot & 1),
                                 instr=bool(prot & 4) and not write)
        if t.fault is not None and t.record:
            self.expected_events.append(t.fault)
        return t

    async def check_read(self, sid, va, length, ssid=0, ssv=False, prot=0b000, what="",
                         arid=None):
        """Read through the DUT and check response and data against the model."""
        t = self.expect(sid, va, False, ssid, ssv, prot)
        resp = await self.read(sid, va, length, ssid, ssv, prot, arid=arid)
        ctx = f"{what} read sid={sid} ssid={ssid} ssv={int(ssv)} va={va:#x}: model says {t}"
        if t.ok:
            assert resp.resp == AxiResp.OKAY, f"{ctx}, DUT resp {resp.resp}"
            exp = self.mem.read(t.pa, length)
            assert resp.data == exp, f"{ctx}, data {resp.data.hex()} != {exp.hex()}"
        elif t.raz_wi:
            assert resp.resp == AxiResp.OKAY, f"{ctx}, DUT resp {resp.resp}"
            assert resp.data == bytes(length), f"{ctx}, RAZ data {resp.data.hex()}"
        else:
            assert resp.resp == AxiResp.SLVERR, f"{ctx}, DUT resp {resp.resp}"
        return t

    async def check_write(self, sid, va, data, ssid=0, ssv=False, prot=0b000, what=""):
        """Write through the DUT; check the response and where the bytes landed."""
        t = self.expect(sid, va, True, ssid, ssv, prot)
        before = len(self.target.writes)
        resp = await self.write(sid, va, data, ssid, ssv, prot)
        ctx = f"{what} write sid={sid} ssid={ssid} ssv={int(ssv)} va={va:#x}: model says {t}"
        if t.ok:
            assert resp.resp == AxiResp.OKAY, f"{ctx}, DUT resp {resp.resp}"
            assert self.mem.read(t.pa, len(data)) == bytes(data), f"{ctx}, memory not written"
        else:
            exp = AxiResp.OKAY if t.raz_wi else AxiResp.SLVERR
            assert resp.resp == exp, f"{ctx}, DUT resp {resp.resp}"
            stray = [w for w in self.target.writes[before:] if not EVTQ <= w[0] < TABLES]
            assert not stray, f"{ctx}, but memory was written: {stray}"
        return t

    # ------------------------------------------------------------------ events
    async def dut_events(self) -> list[S.Event]:
        """Records the DUT wrote between our CONS and its PROD; advances CONS."""
        log2 = self.evtq_log2
        prod = await self.regs.read(R.EVENTQ_PROD)
        out = []
        cons = self.cons
        while not S.q_empty(prod, cons, log2):
            addr = EVTQ + S.q_index(cons, log2) * S.EVT_SIZE
            out.append(S.Event.decode(self.mem.read(addr, S.EVT_SIZE)))
            cons = S.q_inc(cons, log2)
        self.cons = (cons & ((2 << log2) - 1)) | (prod & (1 << 31))
        await self.regs.write(R.EVENTQ_CONS, self.cons)
        return out

    async def check_events(self, settle: int = 40):
        """The DUT's new event records equal the expected ones, field by field, in order."""
        await ClockCycles(self.dut.clk, settle)
        got = await self.dut_events()
        exp, self.expected_events = self.expected_events, []
        for i, (g, e) in enumerate(zip(got, exp)):
            if g != e:
                diff = {f: (getattr(g, f), getattr(e, f)) for f in e.__dataclass_fields__
                        if getattr(g, f) != getattr(e, f)}
                raise AssertionError(f"event {i}: DUT {g} != model {e}; (dut, model) {diff}")
        assert len(got) == len(exp), f"{len(got)} event records, expected {len(exp)}: " \
                                     f"got {got[len(exp):]} missing {exp[len(got):]}"

    def internal_reads(self):
        return [b for b in self.reads if b.internal]
