"""Isolation scoreboard: did any device access touch memory its PASID may not touch?

Three sources, none of them in the per-beat path:
- the RAM's access log (tb.common.dpimem.DpiMem.log: every byte range the HDL read or
  wrote, recorded in C++; consecutive lanes of one burst merged);
- the SMMU's HDL trace (``xlate`` records, +trace): for every request the SMMU let through,
  the stream (sid, ssid, ssv), the VA, the PA and the burst (len, size);
- the policy: what the *driver's software state* says each stream may reach (which PA page
  backs which VA page, with which protection), snapshotted from the driver objects, never
  from the tables in memory. A page-table entry changed behind the driver's back therefore
  shows up as a violation.

Checks (``check``):
1. ``write-not-granted`` / ``read-not-granted``: every translated request's PA range lies in
   pages that the issuing stream's grant maps at that VA with write (resp. read) permission.
2. ``stray-write``: every byte the RAM wrote lies inside some translated write's PA range or
   inside a region the SMMU itself writes (event queue).
3. ``stray-read``: every byte read from a process data page (a page in any grant) lies
   inside some translated read's PA range. Reads elsewhere are the SMMU's own fetches of
   driver-owned structures (stream table, CDs, page tables, command queue).

Limits: within one checked phase a write beat is attributed to *a* translated write that
covers it, not to its own burst; grants are the union of the snapshots taken in the phase.
Check at quiescent points (no traffic in flight) and snapshot after every mapping change.
This module imports no cocotb.
"""

from __future__ import annotations

import bisect
import ctypes
import json
from dataclasses import dataclass, field
from pathlib import Path

from pasidsim.driver.pgtable import PROT_READ, PROT_WRITE

PAGE = 4096


@dataclass(frozen=True)
class Violation:
    kind: str   # write-not-granted, read-not-granted, stray-write, stray-read
    what: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.what}"


def _stream(sid: int, ssid: int | None) -> str:
    return f"sid {sid:#x}" + (f" ssid {ssid}" if ssid is not None else " (no PASID)")


@dataclass
class IsolationPolicy:
    """What each stream may reach. ``grants[(sid, ssid)][va_page] = {(pa_page, prot)}``
    (ssid None = traffic without a PASID); a union over every snapshot taken."""

    grants: dict = field(default_factory=dict)
    owner: dict = field(default_factory=dict)        # pa_page -> name (for messages)
    smmu_writes: list = field(default_factory=list)  # (lo, hi, what) the SMMU itself writes

    def grant(self, sid: int, ssid: int | None, va: int, pa: int, prot: int, owner: str) -> None:
        if va % PAGE or pa % PAGE:
            raise ValueError(f"IsolationPolicy.grant: va {va:#x} / pa {pa:#x} not page aligned")
        self.grants.setdefault((sid, ssid), {}).setdefault(va, set()).add((pa, prot))
        self.owner.setdefault(pa, owner)

    def allow_smmu_write(self, lo: int, hi: int, what: str) -> None:
        if hi <= lo:
            raise ValueError(f"IsolationPolicy.allow_smmu_write: empty range {lo:#x}..{hi:#x} ({what})")
        self.smmu_writes.append((lo, hi, what))

    def snapshot_mm(self, sid: int, mm, owner: str | None = None) -> None:
        """Grant ``sid``/``mm.pasid`` every page the driver has populated in ``mm``, with its
        VMA's protection (leaves are always readable, as the driver maps them)."""
        if mm.pasid is None or mm.dead:
            return
        name = owner or mm.proc.name
        for va, pa in mm._pages.items():  # the driver's own record, not the tables in memory
            vma = mm.find_vma(va)
            prot = (vma.prot if vma else 0) | PROT_READ
            self.grant(sid, mm.pasid, va, pa, prot, name)

    def snapshot_system(self, sys) -> None:
        """Every live process on the StreamID of each device it is bound to (SVA: the
        device's PASID table names its mm), plus the SMMU's event queue. Processes bound to
        no device keep the old rule: granted on the first device (``sys.dev``)."""
        devs = getattr(sys, "devs", None) or [sys.dev]
        bound = set()
        for dev in devs:
            for dom in (*dev.pasids.values(), *dev.dying.values()):
                mm = getattr(dom, "mm", None)
                if mm is not None:
                    self.snapshot_mm(dev.sid, mm)
                    bound.add(id(mm))
        for proc in sys.host.processes:
            if id(proc.mm) not in bound:
                self.snapshot_mm(sys.dev.sid, proc.mm)
        evtq = sys.smmu.evtq
        self.allow_smmu_write(evtq.base, evtq.base + (32 << evtq.log2size), "event queue")

    def data_pages(self) -> set[int]:
        return {pa for g in self.grants.values() for s in g.values() for pa, _ in s}


def _grants(s) -> str:
    return ", ".join(f"pa {pa:#x} prot {prot}" for pa, prot in sorted(s)) or "none"


def _burst_range(rec: dict, bus_bytes: int) -> tuple[int, int]:
    """PA bytes a translated burst may touch: from its start (aligned to the bus) for
    len+1 beats (an unaligned INCR start only shortens the first beat)."""
    size = 1 << rec.get("size", bus_bytes.bit_length() - 1)
    lo = rec["pa"] & ~(bus_bytes - 1)
    return lo, (rec["pa"] & ~(size - 1)) + (rec.get("len", 0) + 1) * size


class _Intervals:
    """A union of [lo, hi) ranges; ``uncovered(lo, hi)`` lists the parts outside it."""

    def __init__(self, ranges):
        merged: list[list[int]] = []
        for lo, hi in sorted(ranges):
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        self.lo = [m[0] for m in merged]
        self.hi = [m[1] for m in merged]

    def uncovered(self, lo: int, hi: int) -> list[tuple[int, int]]:
        out = []
        i = max(bisect.bisect_right(self.lo, lo) - 1, 0)
        cur = lo
        while cur < hi:
            if i < len(self.lo) and self.lo[i] <= cur < self.hi[i]:
                cur = self.hi[i]
                i += 1
                continue
            if i < len(self.lo) and self.hi[i] <= cur:
                i += 1
                continue
            nxt = self.lo[i] if i < len(self.lo) else hi
            out.append((cur, min(nxt, hi)))
            cur = min(nxt, hi)
        return out


def check(policy: IsolationPolicy, accesses, xlates, *, bus_bytes: int = 8,
          limit: int = 20, carry=()) -> list[Violation]:
    """All violations (at most ``limit`` per kind) of the accesses (address, length,
    is_write) the RAM saw and the translated requests (``xlate`` records) the SMMU made.
    ``carry``: records of the previous window, whose bursts may still have been moving
    data when it was checked: they cover accesses but are not judged again."""
    out: dict[str, list[Violation]] = {}

    def add(kind: str, what: str) -> None:
        lst = out.setdefault(kind, [])
        if len(lst) < limit:
            lst.append(Violation(kind, what))

    ranges = {0: [], 1: []}
    for rec in carry:
        if rec.get("kind") == "xlate" and rec.get("pa") is not None:
            ranges[int(rec["rnw"])].append(_burst_range(rec, bus_bytes))
    for rec in xlates:
        if rec.get("kind") != "xlate" or rec.get("pa") is None:
            continue
        rnw = int(rec["rnw"])
        lo, hi = _burst_range(rec, bus_bytes)
        ranges[rnw].append((lo, hi))
        ssid = rec["ssid"] if rec["ssv"] else None
        g = policy.grants.get((rec["sid"], ssid), {})
        need = PROT_READ if rnw else PROT_WRITE
        for page in range(lo & ~(PAGE - 1), hi, PAGE):
            va_page = (rec["va"] + (page - (rec["pa"] & ~(PAGE - 1)))) & ~(PAGE - 1)
            ok = any(pa == page and prot & need for pa, prot in g.get(va_page, ()))
            if not ok:
                whose = policy.owner.get(page, "nobody's")
                add("read-not-granted" if rnw else "write-not-granted",
                    f"{_stream(rec['sid'], ssid)} {'read' if rnw else 'wrote'} va {rec['va']:#x} "
                    f"-> pa {rec['pa']:#x} (page of {whose}) at t={rec['t']} ns; its grant at "
                    f"va page {va_page:#x}: {_grants(g.get(va_page, ()))}")
    wr_ok = _Intervals(ranges[0] + [(lo, hi) for lo, hi, _ in policy.smmu_writes])
    rd_ok = _Intervals(ranges[1])
    data = policy.data_pages()
    for addr, n, is_write in accesses:
        if is_write:
            for lo, hi in wr_ok.uncovered(addr, addr + n):
                add("stray-write", f"RAM wrote [{lo:#x}, {hi:#x}) (page of "
                    f"{policy.owner.get(lo & ~(PAGE - 1), 'nobody')}) outside every translated "
                    "write and SMMU-owned region")
        else:
            for lo, hi in rd_ok.uncovered(addr, addr + n):
                for page in range(lo & ~(PAGE - 1), hi, PAGE):
                    if page in data:
                        add("stray-read", f"RAM read [{max(lo, page):#x}, {min(hi, page + PAGE):#x}) "
                            f"of {policy.owner[page]}'s data page outside every translated read")
    return [v for kind in sorted(out) for v in out[kind]]


class HdlTraceTail:
    """Reads the ``xlate`` records the HDL has written (+trace files in ``folder``) since
    this object was made (``from_start``: since the simulation started), each call from
    where the previous one stopped. The simulator's stdio buffers are flushed first: it
    runs in this very process. (Several cocotb tests share one simulation and its trace
    files: a tail made in a later test must not judge an earlier test's traffic.)"""

    def __init__(self, folder: str | Path = ".", prefix: str = "trace", from_start: bool = False):
        self.folder, self.prefix = Path(folder), prefix
        self._pos: dict[Path, int] = {}
        self._libc = ctypes.CDLL(None)
        if not from_start:
            self._libc.fflush(None)
            self._pos = {f: f.stat().st_size for f in self.files()}

    def files(self) -> list[Path]:
        return sorted(self.folder.glob(f"{self.prefix}.*.jsonl"))

    def new_records(self, kinds=("xlate",)) -> list[dict]:
        self._libc.fflush(None)
        recs = []
        files = self.files()
        if not files:
            raise FileNotFoundError(f"HdlTraceTail: no {self.prefix}.*.jsonl in {self.folder} "
                                    "(run without +trace?)")
        for f in files:
            with open(f, "rb") as fh:
                fh.seek(self._pos.get(f, 0))
                chunk = fh.read()
            end = chunk.rfind(b"\n") + 1  # a partial last line waits for the next call
            self._pos[f] = self._pos.get(f, 0) + end
            for line in chunk[:end].splitlines():
                if kinds is None or any(f'"kind":"{k}"'.encode() in line for k in kinds):
                    recs.append(json.loads(line))
        return recs


class SimIsolation:
    """The scoreboard wired to one simulation: the DPI RAM's access log (enabled here), the
    HDL trace in the run folder, and checkpoints. ``checkpoint(sys)`` snapshots the policy
    from the driver; pass ``policy`` to judge a window by an earlier view (e.g. the traffic
    around a process exit by the grants from before it). Each window's translations also
    cover the next window's accesses (bursts still moving data at the checkpoint), so
    checkpoints need not be quiescent; a burst moving data two windows after its
    translation is a violation (e.g. a write landing after the CMD_SYNC that retired it)."""

    def __init__(self, mem, log, bus_bytes: int = 8, folder: str | Path = "."):
        self.mem, self.log, self.bus_bytes = mem, log, bus_bytes
        self.tail = HdlTraceTail(folder)
        self.violations: list[Violation] = []
        self.accesses = self.xlates = self.checkpoints = 0
        self._carry: list[dict] = []
        mem.log_clear()
        mem.log_enable(reads=True, writes=True)

    def checkpoint(self, sys=None, policy: IsolationPolicy | None = None) -> list[Violation]:
        if policy is None:
            if sys is None:
                raise ValueError("SimIsolation.checkpoint: give the system or a policy")
            policy = IsolationPolicy()
            policy.snapshot_system(sys)
        acc = self.mem.log()
        if self.mem.log_dropped():
            raise RuntimeError(f"SimIsolation: RAM access log overflowed "
                               f"({self.mem.log_dropped()} accesses dropped): raise its limit")
        self.mem.log_clear()
        recs = self.tail.new_records()
        found = check(policy, acc, recs, bus_bytes=self.bus_bytes, carry=self._carry)
        self._carry = recs
        self.accesses += len(acc)
        self.xlates += len(recs)
        self.checkpoints += 1
        for v in found:
            self.log.warning("isolation: %s", v)
        self.violations += found
        return found

    async def hook(self, stage, sys, batch) -> None:
        """For tb.system.workload.random_workload: a checkpoint at every stage."""
        self.checkpoint(sys)
