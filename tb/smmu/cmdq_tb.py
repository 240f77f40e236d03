"""Testbench pieces for smmu_top's command queue: the driver's own producer
(pasidsim.driver.cmdq.CmdQueue) on the DUT's registers, a raw producer for malformed
commands, the golden model kept in step (its caches on, process_commands after each
batch), and monitors of CMDQ_CONS changes and CMD_SYNC interrupt pulses.

`World` builds streams whose every translation lands on its own data page with its own
byte pattern, so a read's data shows which mapping (old or new) the DUT used.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge, Timer

from pasidsim import regs as R
from pasidsim import smmuv3 as S
from pasidsim.bits import words_to_bytes
from pasidsim.driver.cmdq import CmdQueue
from tb.common.pagetable import CdTable, PageTable, make_cd
from tb.common.tbutil import param
from tb.smmu.smmu_tb import DATA, TB

CMDQ = 0x0E00_0000        # command queue ring
MSI_PA = 0x0D00_0000      # CMD_SYNC MSI targets


class _Plat:
    async def delay(self, ns):
        await Timer(ns, unit="ns")


class _Smmu:
    """What CmdQueue needs of its SMMU object: a name and plat.delay."""
    name = "smmu_top"
    plat = _Plat()


def page_pattern(pa: int) -> bytes:
    """The content of data page `pa`: its page number repeated (distinct per page)."""
    return ((pa >> 12) & 0xFFFF_FFFF).to_bytes(4, "little") * (S.PAGE_SIZE // 4)


class CmdTB(TB):
    def __init__(self, dut, **kw):
        super().__init__(dut, **kw)
        self.model.caching = True
        self.model.msi = bool(param("MSI", 1))
        self.cons_log: list[tuple[int, int]] = []     # (cycle, CMDQ_CONS) on every change
        self.sync_irqs: list[int] = []                 # cycles with irq_cmdq_sync high
        self.cmdq: CmdQueue | None = None
        # The model follows the driver's command log (mirror=True: rings smaller than a
        # batch are overwritten before the model could read them) or reads the ring itself
        # (mirror=False: raw and malformed entries).
        self.mirror = True
        self._logged = 0
        self.next_data = DATA

    async def start(self, pause: str = "none", latency: int = 0):
        await super().start(pause, latency)
        cocotb.start_soon(self._cmdq_monitor())

    async def _cmdq_monitor(self):
        last = None
        cons = self.dut.u_regs.cmdq_cons
        while True:
            await RisingEdge(self.dut.clk)
            v = int(cons.value)
            if v != last:
                self.cons_log.append((self.cycle, v))
                last = v
            if self.dut.irq_cmdq_sync.value:
                self.sync_irqs.append(self.cycle)

    async def setup_cmdq(self, log2size: int = 4, **setup_kw):
        """setup() plus the command queue (driver producer), then SMMUEN|EVTQEN|CMDQEN."""
        await self.setup(enable=False, **setup_kw)
        self.cmdq = CmdQueue(_Smmu(), self.regs, self.mem, CMDQ, log2size)
        self.model.regs["CMDQ_BASE"] = R.CMDQ_BASE.encode(ADDR=CMDQ >> 5, LOG2SIZE=log2size)
        await self.regs.write(R.CMDQ_BASE, self.cmdq.reg_base_value)
        await self.regs.write(R.CMDQ_PROD, 0)
        await self.regs.write(R.CMDQ_CONS, 0)
        await self.enable(True, cmdq=True)

    # ------------------------------------------------------------------ producers
    async def issue(self, cmds, sync: bool = True, model: bool = True):
        """Through the driver's CmdQueue (batching, wrap, CMD_SYNC at the end); the
        model then executes the same commands (model=False: it skips them)."""
        await self.cmdq.issue(list(cmds), sync=sync)
        if model:
            self.model_catch_up()
        else:
            self._logged = len(self.cmdq.log)
            self.model.regs["CMDQ_PROD"] = self.model.regs["CMDQ_CONS"] = self.cmdq.prod

    def model_catch_up(self):
        if self.mirror:
            for c in self.cmdq.log[self._logged:]:
                self.model._execute(c)          # the golden semantics of one command
            self._logged = len(self.cmdq.log)
            self.model.regs["CMDQ_PROD"] = self.model.regs["CMDQ_CONS"] = self.cmdq.prod
        else:
            self.model.regs["CMDQ_PROD"] = self.cmdq.prod
            self.model.process_commands()

    async def submit_raw(self, entries, before_publish=None):
        """Write raw 2-dword entries after the driver's PROD and publish them (no wait)."""
        q = self.cmdq
        for w in entries:
            idx = S.q_index(q.prod, q.log2size)
            self.mem.write(CMDQ + idx * S.CMD_SIZE, words_to_bytes(list(w)))
            q.prod = S.q_inc(q.prod, q.log2size)
        if before_publish:
            before_publish()
        await self.regs.write(R.CMDQ_PROD, q.prod)

    async def wait_cons(self, target: int, timeout: int = 5000) -> int:
        """Wait until CMDQ_CONS.RD == target; returns the cycle it got there."""
        for _ in range(timeout):
            for cyc, v in self.cons_log:
                if v & 0xFFFFF == target:
                    return cyc
            await ClockCycles(self.dut.clk, 1)
        raise AssertionError(f"CMDQ_CONS never reached {target:#x}; log {self.cons_log[-5:]}")

    async def settle_cons(self, cycles: int = 60) -> int:
        """CMDQ_CONS once the consumer has stopped (no change for `cycles`)."""
        while True:
            n = len(self.cons_log)
            await ClockCycles(self.dut.clk, cycles)
            if len(self.cons_log) == n:
                return await self.regs.read(R.CMDQ_CONS)

    def cons_pass_cycle(self, prod: int) -> int:
        """First cycle CMDQ_CONS.RD equalled `prod` (the command before it retired)."""
        for cyc, v in self.cons_log:
            if v & 0xFFFFF == prod:
                return cyc
        raise AssertionError(f"CMDQ_CONS never reached {prod:#x}")

    # ------------------------------------------------------------------ data pages
    def data_page(self) -> int:
        pa = self.next_data
        self.next_data += S.PAGE_SIZE
        self.mem.write(pa, page_pattern(pa))
        return pa


VAS = (0x1000, 0x2000)


class World:
    """Streams with linear CD tables of 4 CDs (S1DSS=SSID0: traffic without PASID uses
    CD 0); every CD has its own page table and ASID; each table maps VAS to fresh pages."""

    def __init__(self, tb: CmdTB, sids=(1, 2)):
        self.tb = tb
        self.next_asid = 1
        self.cdt: dict[int, CdTable] = {}
        self.pts: dict[tuple[int, int], PageTable] = {}
        self.asid: dict[tuple[int, int], int] = {}
        for sid in sids:
            self.new_ste(sid)

    def new_pt(self) -> PageTable:
        pt = PageTable(self.tb.mem, self.tb.alloc, 25)
        for va in VAS:
            pt.map(va, self.tb.data_page())
        return pt

    def new_cd(self, sid: int, ssid: int, cdt: CdTable | None = None) -> None:
        """A new page table and ASID for (sid, ssid), written into its CD."""
        cdt = cdt or self.cdt[sid]
        pt = self.new_pt()
        asid = self.next_asid
        self.next_asid += 1
        cdt.set(ssid, make_cd(pt, asid))
        self.pts[(sid, ssid)], self.asid[(sid, ssid)] = pt, asid

    def new_ste(self, sid: int) -> None:
        """A new CD table (new CDs, tables, ASIDs) for stream sid, written into its STE."""
        cdt = CdTable(self.tb.mem, self.tb.alloc, 2)
        for ssid in range(4):
            self.new_cd(sid, ssid, cdt)
        self.cdt[sid] = cdt
        self.tb.strtab.set(sid, cdt.ste(s1dss=S.S1DSS_SSID0))

    def remap(self, sid: int, ssid: int, va: int) -> int:
        pa = self.tb.data_page()
        self.pts[(sid, ssid)].map(va, pa)
        return pa
