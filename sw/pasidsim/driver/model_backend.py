"""The model backend: a Platform whose registers drive the golden SMMU and DMA models.

No simulator: ``ModelPlatform`` holds a ``SparseMemory`` (physical RAM), a ``SmmuModel`` (the
translation golden model) and a ``DmaModel`` (the accelerator's architectural model), and
emulates what the RTL adds around them, with the register side effects the driver relies on:

* SMMU: ID registers from the model's parameters, CR0 -> CR0ACK and IRQ_CTRL -> IRQ_CTRLACK at
  once, base registers ignored while their queue/table is enabled, command consumption on every
  CMDQ_PROD and GERRORN write by ``SmmuModel.process_commands`` (CFGI_* / TLBI_* act on the
  model's caches, RESUME releases stalled transactions, bad opcodes stop the queue with
  CERROR_ILL until GERRORN is written; ``inject_cmd_error`` makes a chosen opcode fail once),
  event recording through ``SmmuModel.record_event`` (overflow included).
* Caches: the SMMU model runs with ``caching=True`` (STE/CD/L1CD caches and a TLB used until
  the matching CFGI/TLBI). ``check_coherent()`` compares every cached entry with the tables in
  memory: at a quiescent point any difference is an invalidation the driver forgot (and the
  stale entry was really used, so data effects show it too).
* Stall: a stalled transaction (CD.S=1) blocks its DMA queue until CMD_RESUME. RETRY re-runs the
  descriptor from the start (data descriptors are idempotent: MEMMOVE ranges never overlap);
  ABORT re-runs it with that access terminated, giving the partial completion the DMA reports
  for a fault. If the stall's event cannot be recorded (queue full) the access is terminated
  instead, so nothing waits for a RESUME that software cannot send.
* DMA: ``ndev`` accelerators (StreamID dma_sid + k, register block and interrupt line
  ``sysmap.dma_block(k)``: "dma", "dma1", ...), each with the queue registers of
  ``dma_regs``; queues are served round-robin, one descriptor per turn, whenever the driver touches a register or waits. Descriptor fetches and completion
  writes are translated with the queue's PASID like data accesses.
"""

from __future__ import annotations

from .. import regs as R
from .. import smmuv3 as S
from ..memory import SparseMemory
from ..smmu_model import SmmuModel, Translation
from ..sysmap import dma_block
from .errors import InvalidArgument
from .model_dma import ModelDma, _Stall, _Stalled  # noqa: F401 (_Stalled for tests)

_MODEL_REGS = ("CR0", "CR2", "GBPA", "STRTAB_BASE", "STRTAB_BASE_CFG", "CMDQ_BASE", "CMDQ_PROD",
               "CMDQ_CONS", "EVENTQ_BASE", "EVENTQ_PROD", "EVENTQ_CONS", "GERROR", "GERRORN")


class ModelPlatform:
    """Platform implementation over the pure-Python golden models."""

    def __init__(self, *, ram_base: int = 0x8000_0000, ram_size: int = 64 << 20, sid_bits: int = 8,
                 ssid_bits: int = 20, stall: bool = True, cd2l: bool = True, evtqs: int = 8,
                 cmdqs: int = 8, oas_bits: int = 48, dma_sid: int = 1, dma_queues: int = 4,
                 asid16: bool = True, ndev: int = 2):
        self.mem = SparseMemory()
        self.ram_base, self.ram_size = ram_base, ram_size
        self.smmu = SmmuModel(self.mem, sid_bits=sid_bits, ssid_bits=ssid_bits, oas_bits=oas_bits,
                              stall=stall, cd2l=cd2l, evtqs=evtqs, cmdqs=cmdqs, caching=True)
        self._smmu_regs = {"CR0ACK": 0, "CR1": 0, "IRQ_CTRL": 0, "IRQ_CTRLACK": 0}
        self.stalls: dict[int, _Stall] = {}
        self._next_stag = 1
        self.cmd_log: list[S.Cmd] = []
        self.inject_cmd_error: set[int] = set()  # opcodes rejected once with CERROR_ILL
        self.asid16 = asid16
        if not 1 <= ndev <= 32:
            raise InvalidArgument(self, f"ndev={ndev!r}: 1..32 accelerators (window slots)")
        # accelerator k: block/irq name sysmap.dma_block(k), StreamID dma_sid + k (system_top)
        self.dmas = {dma_block(k): ModelDma(self, dma_sid + k, dma_queues, dma_block(k))
                     for k in range(ndev)}
        self.dma_blocks = tuple(self.dmas)
        self.now_ns = 0

    # accelerator 0, under the names the single-device code used
    @property
    def queues(self):
        return self.dmas["dma"].queues

    @property
    def dma_sid(self) -> int:
        return self.dmas["dma"].sid

    @property
    def dma_irq_status(self) -> int:
        return self.dmas["dma"].irq_status

    def _run_dma(self) -> None:
        """Every accelerator runs until none of them can progress."""
        while any([d.run() for d in self.dmas.values()]):
            pass

    # ================================================================== Platform API
    async def read_reg(self, block: str, offset: int) -> int:
        self._run_dma()
        if block == "smmu":
            return self._smmu_read(offset)
        if block in self.dmas:
            return self.dmas[block].read(offset)
        raise InvalidArgument(self, f"no register block {block!r}")

    async def write_reg(self, block: str, offset: int, value: int) -> None:
        if not 0 <= value <= 0xFFFF_FFFF:
            raise InvalidArgument(self, f"register value {value!r} is not 32-bit")
        if block == "smmu":
            self._smmu_write(offset, value)
        elif block in self.dmas:
            self.dmas[block].write(offset, value)
        else:
            raise InvalidArgument(self, f"no register block {block!r}")
        self._run_dma()

    async def wait_irq(self, line: str, timeout_ns: int) -> bool:
        self._run_dma()
        self.now_ns += 0 if self._irq(line) else timeout_ns
        return self._irq(line)

    async def delay(self, ns: int) -> None:
        self.now_ns += ns
        self._run_dma()

    def _irq(self, line: str) -> bool:
        r = self.smmu.regs
        if line == "evtq":
            en = R.IRQ_CTRL.field("EVTQ_IRQEN").get(self._smmu_regs["IRQ_CTRL"])
            return bool(en) and (r["EVENTQ_PROD"] & 0xFFFFF) != (r["EVENTQ_CONS"] & 0xFFFFF)
        if line == "gerror":
            en = R.IRQ_CTRL.field("GERROR_IRQEN").get(self._smmu_regs["IRQ_CTRL"])
            return bool(en) and r["GERROR"] != r["GERRORN"]
        if line in self.dmas:
            return bool(self.dmas[line].irq_status)
        raise InvalidArgument(self, f"no interrupt line {line!r}")

    def __repr__(self) -> str:
        return "ModelPlatform"

    # ================================================================== SMMU registers
    def _smmu_reg_at(self, offset: int):
        base = offset & ~7 if (offset & ~7) in R.BY_OFFSET and R.BY_OFFSET[offset & ~7].width == 64 else offset
        r = R.BY_OFFSET.get(base)
        if r is None:
            return None, 0
        return r, offset - base

    def _smmu_get(self, name: str) -> int:
        if name in _MODEL_REGS:
            return self.smmu.regs[name]
        if name in self._smmu_regs:
            return self._smmu_regs[name]
        return self._idr(name)

    def _idr(self, name: str) -> int:
        m = self.smmu
        if name == "IDR0":
            return R.IDR0.encode(S1P=1, TTF=0b10, ASID16=int(self.asid16), CD2L=int(m.cd2l), TTENDIAN=0b10,
                                 STALL_MODEL=0b00 if m.stall_supported else 0b01)
        if name == "IDR1":
            return R.IDR1.encode(SIDSIZE=m.sid_bits, SSIDSIZE=m.ssid_bits, EVTQS=m.evtqs,
                                 CMDQS=m.cmdqs)
        if name == "IDR5":
            return R.IDR5.encode(OAS=S.BITS_IPS[m.oas_bits], GRAN4K=1)
        return 0

    def _smmu_read(self, offset: int) -> int:
        r, half = self._smmu_reg_at(offset)
        if r is None:
            return 0
        return (self._smmu_get(r.name) >> (32 * (half // 4))) & 0xFFFF_FFFF

    def _smmu_write(self, offset: int, value: int) -> None:
        r, half = self._smmu_reg_at(offset)
        if r is None or r.access == "RO":
            return
        cur = self._smmu_get(r.name)
        sh = 32 * (half // 4)
        new = (cur & ~(0xFFFF_FFFF << sh)) | (value << sh)
        new = (cur & ~r.writable) | (new & r.writable) if r.writable else new
        name = r.name
        if name in ("STRTAB_BASE", "STRTAB_BASE_CFG") and self.smmu.field("CR0", "SMMUEN"):
            return  # ignored while enabled
        if name == "CMDQ_BASE" and self.smmu.field("CR0", "CMDQEN"):
            return
        if name in ("EVENTQ_BASE", "EVENTQ_PROD") and self.smmu.field("CR0", "EVTQEN"):
            return
        if name == "CMDQ_CONS" and self.smmu.field("CR0", "CMDQEN"):
            return
        if name in _MODEL_REGS:
            self.smmu.regs[name] = new
        else:
            self._smmu_regs[name] = new
        if name == "CR0":
            self._smmu_regs["CR0ACK"] = new
        elif name == "IRQ_CTRL":
            self._smmu_regs["IRQ_CTRLACK"] = new
        elif name in ("CMDQ_PROD", "GERRORN"):
            self._consume_commands()

    # ================================================================== command queue
    def _consume_commands(self) -> None:
        """Let the golden model consume the queue; an opcode in ``inject_cmd_error`` is made
        to fail once with CERROR_ILL (fault injection for the driver's error paths)."""
        m = self.smmu
        if not m.field("CR0", "CMDQEN") or m.cmdq_error_active():
            return
        log2 = m.cmdq_log2size
        prod = m.regs["CMDQ_PROD"]
        stop = None
        if self.inject_cmd_error:
            cons = m.regs["CMDQ_CONS"] & 0xFFFFF
            while not S.q_empty(prod, cons, log2):
                c = S.Cmd.decode(m.mem.read(m.cmdq_base + S.q_index(cons, log2) * S.CMD_SIZE, S.CMD_SIZE))
                if c.opcode in self.inject_cmd_error:
                    self.inject_cmd_error.discard(c.opcode)
                    stop = cons
                    break
                cons = S.q_inc(cons, log2)
        if stop is not None:
            m.regs["CMDQ_PROD"] = stop
        done = m.process_commands()
        if stop is not None:
            m.regs["CMDQ_PROD"] = prod
            m.regs["CMDQ_CONS"] = R.CMDQ_CONS.encode(RD=stop, ERR=R.CERROR_ILL)
            m.regs["GERROR"] ^= R.GERROR.field("CMDQ_ERR").mask
        self.cmd_log.extend(done)
        for c in done:
            if c.opcode == S.CMD_RESUME:
                st = self.stalls.get(c.stag)
                if st is not None and st.sid == c.sid:  # a RESUME for no stalled transaction is ignored
                    st.resp = c.resp
                    del self.stalls[c.stag]

    # ================================================================== translation
    def translate(self, sid: int, pasid: int | None, va: int, write: bool, queue: int = -1) -> Translation:
        """One transaction through the golden model (with its caches). Records events;
        raises _Stalled for a stall (event recorded), returns the Translation otherwise."""
        stag = self._next_stag
        t = self.smmu.translate(sid, pasid or 0, pasid is not None, va, write=write, stag=stag)
        if t.fault is not None and t.record:
            if t.stalled:
                if self.smmu.record_event(t.fault):
                    self._next_stag = (stag + 1) & 0xFFFF or 1
                    self.smmu.stalls[(sid, stag)] = t
                    self.stalls[stag] = _Stall(stag, sid, pasid, va & ~0xFFF, write, queue)
                    raise _Stalled(stag)
                return Translation(fault=t.fault, abort=True)  # event lost: terminate
            self.smmu.record_event(t.fault)
        return t

    def check_coherent(self) -> list[str]:
        """At a quiescent point (no driver call in progress) everything the SMMU model has
        cached must still match the tables in memory; a difference is an invalidation the
        driver forgot. Returns the problems found (empty when coherent)."""
        m, out = self.smmu, []
        c = m.caches
        for sid, ste in c.ste.items():
            if self._ste_now(sid) != ste:
                out.append(f"stale STE cached for sid={sid:#x}")
        for (sid, fmt_, idx), l1 in c.l1cd.items():
            ste = self._ste_now(sid)
            now = None
            if ste.v and ste.config == S.STE_CFG_S1_TRANS and ste.s1fmt == fmt_:
                now = S.Cd_l1.decode(self.mem.read(ste.s1contextptr + idx * S.CD_L1_SIZE, S.CD_L1_SIZE))
            if now != l1:
                out.append(f"stale L1 CD descriptor cached for sid={sid:#x} index {idx}")
        for (sid, ssid), cd in c.cd.items():
            addr = self._cd_addr_now(sid, ssid)
            if addr is None or S.Cd.decode(self.mem.read(addr, S.CD_SIZE)) != cd:
                out.append(f"stale CD cached for sid={sid:#x} ssid={ssid:#x}")
        for (asid, size, base), w in c.tlb.items():
            if [self.mem.read64(a) for a in w.addrs] != w.descs:
                out.append(f"stale TLB entry asid={asid} va={base:#x} size={size:#x}")
        return out

    def _ste_now(self, sid: int) -> S.Ste:
        return S.Ste.decode(self.mem.read(self.smmu.strtab_base + sid * S.STE_SIZE, S.STE_SIZE))

    def _cd_addr_now(self, sid: int, ssid: int) -> int | None:
        ste = self._ste_now(sid)
        if not ste.v or ste.config != S.STE_CFG_S1_TRANS:
            return None
        if ste.s1fmt == S.S1FMT_LINEAR or ste.s1cdmax == 0:
            return ste.s1contextptr + ssid * S.CD_SIZE
        split = S.S1FMT_SPLIT[ste.s1fmt]
        l1 = S.Cd_l1.decode(self.mem.read(ste.s1contextptr + (ssid >> split) * S.CD_L1_SIZE, S.CD_L1_SIZE))
        return l1.l2ptr + (ssid & ((1 << split) - 1)) * S.CD_SIZE if l1.v else None
