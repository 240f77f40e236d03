"""Safe in-place update of a multi-word table entry (STE, CD) that the SMMU may fetch at any time.

The SMMU reads an entry 64 bits at a time and may cache it, so software may only change it in
steps each of which leaves a *valid interpretation*: after every step the hardware must see either
the old configuration or the new one, never a mix. The rule (the one Linux's
arm_smmu_write_entry uses) works on "used bits": the bits the hardware looks at for a given
configuration (an invalid entry uses only V).

1. Set every bit the *current* configuration ignores to its target value.     (sync)
2. If now only one 64-bit word still differs in bits that matter, write that word: the entry
   switches from old to new with one 64-bit store (hitless).                   (sync)
3. Otherwise (two or more words must change together) break: clear V in word 0, write words
   1..n-1, then write word 0 with V set last (traffic sees "invalid" meanwhile).
4. Finally write the target in full (clears bits the new configuration does not use).  (sync)

Every "sync" is the caller's ``sync()`` coroutine: CFGI_STE / CFGI_CD for this entry then
CMD_SYNC, so the hardware has dropped any cached copy before the next step. Steps that change
nothing are skipped.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Sequence

UsedFn = Callable[[Sequence[int]], list[int]]


class EntryWriter:
    def __init__(self, mem, addr: int, nwords: int, used: UsedFn, v_mask: int,
                 sync: Callable[[], Awaitable[None]]):
        self.mem, self.addr, self.nwords = mem, addr, nwords
        self.used, self.v_mask, self.sync = used, v_mask, sync
        self.steps: list[list[int]] = []  # every state written, for tests

    def read(self) -> list[int]:
        return [self.mem.read64(self.addr + 8 * i) for i in range(self.nwords)]

    async def _set(self, words: Sequence[int], only: range | None = None) -> None:
        cur = self.read()
        idx = only if only is not None else range(self.nwords)
        changed = False
        for i in idx:
            if cur[i] != words[i]:
                self.mem.write64(self.addr + 8 * i, words[i])
                changed = True
        if changed:
            self.steps.append(self.read())
            await self.sync()

    async def write(self, target: Sequence[int]) -> str:
        """Move the entry to ``target``; returns "nop", "hitless" or "breaking"."""
        target = list(target)
        cur = self.read()
        if cur == target:
            return "nop"
        cur_used, tgt_used = self.used(cur), self.used(target)
        unused_update = [(cur[i] & cur_used[i]) | (target[i] & ~cur_used[i]) for i in range(self.nwords)]
        diff = [i for i in range(self.nwords) if (unused_update[i] & tgt_used[i]) != (target[i] & tgt_used[i])]
        if len(diff) == 1:
            crit = diff[0]
            unused_update[crit] = cur[crit]
            await self._set(unused_update)
            await self._set(target, range(crit, crit + 1))
            await self._set(target)
            return "hitless"
        if diff:
            await self._set([cur[0] & ~self.v_mask] + cur[1:], range(0, 1))
            await self._set(target, range(1, self.nwords))
            await self._set(target, range(0, 1))
            return "breaking"
        await self._set(target)
        return "hitless"
