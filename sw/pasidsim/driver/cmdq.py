"""Command queue producer: batches commands, waits for space, ends a batch with CMD_SYNC.

``issue(cmds)`` writes the commands into the ring in memory and publishes them with one CMDQ_PROD
write per batch that fits; when the ring is full it polls CMDQ_CONS. A ``sync=True`` issue (the
default) appends CMD_SYNC and returns only when CMDQ_CONS has passed it, i.e. every earlier
command (invalidations included) has completed: only then may the caller free memory or reuse an
ID. A command the SMMU rejects (GERROR.CMDQ_ERR, CMDQ_CONS.ERR) is replaced by a CMD_SYNC (as
Linux does) so the queue keeps going, and is reported as HardwareError.
"""

from __future__ import annotations

from .. import regs
from .. import smmuv3 as fmt
from ..regaccess import RegisterAccess
from .errors import HardwareError, InvalidArgument, Timeout

CONS_RD_MASK = 0xFFFFF
POLL_NS = 50


class CmdQueue:
    def __init__(self, smmu, ra: RegisterAccess, mem, base: int, log2size: int, *,
                 poll_limit: int = 100_000):
        self.smmu, self.ra, self.mem = smmu, ra, mem
        self.base, self.log2size = base, log2size
        self.size = 1 << log2size
        self.prod = 0
        self.poll_limit = poll_limit
        self.log: list[fmt.Cmd] = []  # every command issued, in order (tests check ordering)
        self.errors: list[tuple[int, fmt.Cmd]] = []  # (CERROR code, rejected command)

    def __repr__(self) -> str:
        return f"CmdQueue({self.smmu.name}, {self.size} entries)"

    @property
    def reg_base_value(self) -> int:
        return regs.CMDQ_BASE.encode(LOG2SIZE=self.log2size, ADDR=self.base >> 5, RA=1)

    async def _cons(self) -> int:
        return await self.ra.read("CMDQ_CONS")

    async def _space(self) -> int:
        cons = (await self._cons()) & CONS_RD_MASK
        return self.size - fmt.q_count(self.prod, cons, self.log2size)

    def _write_entry(self, cmd: fmt.Cmd) -> None:
        idx = fmt.q_index(self.prod, self.log2size)
        self.mem.write(self.base + idx * fmt.CMD_SIZE, cmd.encode())
        self.log.append(cmd)
        self.prod = fmt.q_inc(self.prod, self.log2size)

    async def issue(self, cmds, *, sync: bool = True) -> None:
        cmds = list(cmds)
        for c in cmds:
            if not isinstance(c, fmt.Cmd):
                raise InvalidArgument(self, f"issue: {c!r} is not a smmuv3.Cmd")
        if sync:
            cmds.append(fmt.cmd_sync(fmt.SYNC_CS_NONE))
        i = 0
        while i < len(cmds):
            space = await self._space()
            polls = 0
            while space == 0:
                await self._check_error()
                polls += 1
                if polls > self.poll_limit:
                    raise Timeout(self, "command queue stays full (SMMU not consuming)")
                await self.smmu.plat.delay(POLL_NS)
                space = await self._space()
            n = min(space, len(cmds) - i)
            for c in cmds[i:i + n]:
                self._write_entry(c)
            i += n
            await self.ra.write("CMDQ_PROD", self.prod)  # memory writes are visible before this
        if sync:
            await self._wait_consumed(self.prod)

    async def _wait_consumed(self, target: int) -> None:
        """Wait until CMDQ_CONS == target (everything up to and including the SYNC is done)."""
        for _ in range(self.poll_limit):
            cons = (await self._cons()) & CONS_RD_MASK
            if cons == target:
                return
            await self._check_error()
            await self.smmu.plat.delay(POLL_NS)
        raise Timeout(self, f"CMD_SYNC not consumed (prod={target:#x})")

    async def _check_error(self) -> None:
        gerror = await self.ra.read("GERROR")
        gerrorn = await self.ra.read("GERRORN")
        bit = regs.GERROR.field("CMDQ_ERR").mask
        if not (gerror ^ gerrorn) & bit:
            return
        cons = await self._cons()
        code = regs.CMDQ_CONS.field("ERR").get(cons)
        idx = fmt.q_index(cons & CONS_RD_MASK, self.log2size)
        addr = self.base + idx * fmt.CMD_SIZE
        bad = fmt.Cmd.decode(self.mem.read(addr, fmt.CMD_SIZE))
        self.errors.append((code, bad))
        # Skip the bad command: overwrite it with a SYNC, then acknowledge (the SMMU resumes).
        self.mem.write(addr, fmt.cmd_sync().encode())
        await self.ra.write("GERRORN", gerrorn ^ bit)
        raise HardwareError(self, f"SMMU rejected {bad} with CERROR {code}")
