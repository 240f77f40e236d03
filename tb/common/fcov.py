"""Functional coverage (cocotb-coverage 2.0) sampled from the HDL transaction trace.

Nothing runs per clock: after a test, its trace records (pasidsim.trace: ``xlate``, ``cmd``,
``event``, ``completion``) are fed through the cover points below and the bin counts of that
test are written to ``fcov.json`` in its run folder. ``make coverage`` keeps the traces
(KEEP_TRACE=1) and tb.common.coverage_report samples every run folder, sums the per-test
files and prints one table. Bins are listed in docs/coverage.md; add one by adding a bin
value (and, if new, a cover point and its sampling line in ``_sample``).

What the trace cannot tell yet is listed in UNSAMPLED (cover point -> the missing field),
so the report names those goals instead of pretending to measure them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from cocotb_coverage.coverage import CoverCross, CoverPoint, coverage_db

from pasidsim import smmuv3 as S
from pasidsim.dma_desc import Status

FCOV_FILE = "fcov.json"

# ---------------------------------------------------------------- bins
# Outcomes of a device transaction: translated, an event the SMMU implements, or a silent
# abort (SLVERR to the device / RAZ-WI) when no event is recorded.
FAULTS = ["C_BAD_STREAMID", "F_STE_FETCH", "C_BAD_STE", "F_STREAM_DISABLED",
          "C_BAD_SUBSTREAMID", "F_CD_FETCH", "C_BAD_CD", "F_WALK_EABT", "F_TRANSLATION",
          "F_ADDR_SIZE", "F_ACCESS", "F_PERMISSION", "SLVERR", "RAZ_WI"]
OUTCOMES = ["translated", *FAULTS]
ACCESS = ["read", "write"]
TLB = ["hit", "miss"]
WALK_DEPTH = list(range(8))            # smmu_xlate: 3-bit count of table reads
# every opcode the SMMU executes (TLBI_EL2_ALL is CERROR_ILL by design: no EL2, HYP=0)
OPCODES = [n for op, n in S.CMD_NAMES.items() if op != S.CMD_TLBI_EL2_ALL]
SYNC_CS = ["none", "irq", "irq+msi", "sev"]  # MSI: CS=IRQ with an MSI address (Linux)
RESUME = {S.RESUME_RETRY: "retry", S.RESUME_ABORT: "abort", S.RESUME_TERM: "terminate"}
WRAPS = ["cmdq", "evtq", "dma ring"]
DMA_STATUS = [s.name for s in Status if s is not Status.NONE]
PAGE_SIZES = ["4K", "2M", "1G"]                 # leaf of a stage-1 walk (xlate "page")
S1DSS = ["terminate", "bypass", "ssid0"]        # SSID-less transaction, S1CDMax != 0
# translation-related faults: with CD.S=1 they stall (Stall=1 record), else terminate
STALL_FAULTS = ["F_TRANSLATION", "F_ADDR_SIZE", "F_ACCESS", "F_PERMISSION"]
STALL_BINS = [f"{f} {m}" for f in STALL_FAULTS for m in ("stalled", "terminated")]
CERRORS = ["ILL", "ABT"]

# Goals the trace carries no field for (what the RTL owners would add to which record).
UNSAMPLED: dict[str, str] = {}

_NAMES: list[str] = []


def _point(name, **kw):
    _NAMES.append(name)
    return CoverPoint(name, **kw)


def _cross(name, **kw):
    _NAMES.append(name)
    return CoverCross(name, **kw)


# Points first, their cross last: the cross reads the points' hits of the same call.
@_point("smmu.xlate.outcome", xf=lambda r: r["fault"] or "translated", bins=OUTCOMES)
@_point("smmu.xlate.access", xf=lambda r: ACCESS[0] if r["rnw"] else ACCESS[1], bins=ACCESS)
@_point("smmu.xlate.tlb", xf=lambda r: "hit" if r["hit"] else "miss", bins=TLB)
@_point("smmu.xlate.walk_depth", xf=lambda r: r["walk_depth"], bins=WALK_DEPTH)
@_cross("smmu.xlate.fault_x_access", items=["smmu.xlate.outcome", "smmu.xlate.access"])
@_cross("smmu.xlate.tlb_x_depth", items=["smmu.xlate.tlb", "smmu.xlate.walk_depth"],
        ign_bins=[("hit", d) for d in WALK_DEPTH[1:]])  # a hit reads no table
def _xlate(rec):
    pass


def _single(name, bins, xf=lambda v: v):
    """A sampler of one cover point (the points without a cross): call it with a record
    (xf picks the bin from it) or with the bin value itself (the default xf)."""
    @_point(name, xf=xf, bins=bins)
    def sample(_):
        pass
    return sample


_page = _single("smmu.xlate.page_size", PAGE_SIZES, lambda r: r["page"])
_s1dss = _single("smmu.xlate.s1dss", S1DSS, lambda r: r["s1dss"])
_stall_fault = _single("smmu.stall.fault", STALL_BINS,
                       lambda r: f"{r['name']} {'stalled' if r['stall'] else 'terminated'}")
_cmd = _single("smmu.cmd.opcode", OPCODES, lambda r: r["name"])
_cerror = _single("smmu.cmd.error", CERRORS, lambda r: r["error"])
_sync = _single("smmu.cmd.sync_cs", SYNC_CS)
_resume = _single("smmu.stall.resume", list(RESUME.values()))
_wrap = _single("queues.wrap", WRAPS)
_completion = _single("dma.completion.status", DMA_STATUS, lambda r: r["status"])


def _sync_mode(fields: dict) -> str:
    cs = fields.get("cs", 0)
    if cs == S.SYNC_CS_IRQ:
        return "irq+msi" if fields.get("msiaddr") else "irq"
    return {S.SYNC_CS_NONE: "none", S.SYNC_CS_SEV: "sev"}.get(cs, f"cs={cs}")


def _sample(recs: Iterable[dict]) -> None:
    last_index: dict[object, int] = {}
    for r in sorted(recs, key=lambda r: r["t"]):
        kind = r["kind"]
        if kind == "xlate":
            if r["hit"] is not None and r["walk_depth"] is not None:
                _xlate(r)
            if r.get("page") is not None:
                _page(r)
            if r.get("s1dss") is not None:
                _s1dss(r)
        elif kind == "event":
            if r.get("stall") is not None and r["name"] in STALL_FAULTS:
                _stall_fault(r)
        elif kind == "cmd" and r.get("error") is not None:
            _cerror(r)          # stopped the queue: not an executed opcode
        elif kind == "cmd":
            _cmd(r)
            fields = r.get("fields") or {}
            if r["name"] == "SYNC":
                _sync(_sync_mode(fields))
            elif r["name"] == "RESUME" and fields.get("resp") in RESUME:
                _resume(RESUME[fields["resp"]])
        elif kind == "completion":
            _completion(r)
        # A queue wrapped when a record's slot index is below the previous one's. DMA
        # rings are told apart by device (sid: the traces of several accelerators are
        # merged) and queue number.
        queue = {"cmd": "cmdq", "event": "evtq", "completion": "dma ring"}.get(kind)
        if queue and r.get("index") is not None:
            key = (queue, r.get("sid"), r["queue"]) if kind == "completion" else queue
            if r["index"] < last_index.get(key, -1):
                _wrap(queue)
            last_index[key] = r["index"]


def _snapshot() -> dict[str, dict[str, int]]:
    return {n: {label(b): c for b, c in coverage_db[n].detailed_coverage.items()}
            for n in _NAMES}


def label(b) -> str:
    """A bin's printable name: crosses as 'a x b'."""
    return " x ".join(map(str, b)) if isinstance(b, tuple) else str(b)


def sample(recs: Iterable[dict]) -> dict[str, dict[str, int]]:
    """Bin counts of these records alone: {cover point: {bin: hits}} (every bin listed)."""
    before = _snapshot()
    _sample(recs)
    after = _snapshot()
    return {n: {b: after[n][b] - before[n][b] for b in after[n]} for n in _NAMES}


def empty() -> dict[str, dict[str, int]]:
    return {n: dict.fromkeys(bins, 0) for n, bins in _snapshot().items()}


def sample_run(run_dir: Path) -> Path | None:
    """Sample one test's kept trace (trace.jsonl, or the per-instance files) into
    ``run_dir/fcov.json``; None when the run kept no trace. Reuses an fcov.json newer than
    the trace."""
    from pasidsim import trace as T

    run_dir = Path(run_dir)
    merged = run_dir / "trace.jsonl"
    parts = [merged] if merged.exists() else sorted(run_dir.glob("trace.*.jsonl"))
    if not parts:
        return None
    out = run_dir / FCOV_FILE
    if out.exists() and out.stat().st_mtime >= max(p.stat().st_mtime for p in parts):
        return out
    counts = sample(T.merge(parts))
    out.write_text(json.dumps({"records_from": [p.name for p in parts], "bins": counts},
                              indent=1, sort_keys=True))
    return out


def merge(files: Iterable[Path]) -> dict[str, dict[str, int]]:
    """Sum of per-test fcov.json files over every bin of the current model (bins a file
    lacks count 0; bins the model no longer has are dropped)."""
    total = empty()
    for f in files:
        bins = json.loads(Path(f).read_text())["bins"]
        for name, counts in bins.items():
            if name in total:
                for b, c in counts.items():
                    if b in total[name]:
                        total[name][b] += c
    return total


def summarize(total: dict[str, dict[str, int]]) -> dict[str, dict]:
    """Per cover point: hit, total, percent and the unreached bins."""
    out = {}
    for name, counts in total.items():
        hit = sum(1 for c in counts.values() if c > 0)
        out[name] = {"hit": hit, "total": len(counts),
                     "percent": round(100.0 * hit / len(counts), 1) if counts else 0.0,
                     "unreached": [b for b, c in counts.items() if c == 0], "counts": counts}
    return out
