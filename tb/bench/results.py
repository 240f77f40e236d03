"""results.json for `make bench`: merge, targets, printed table (no simulator here).

sim_build/bench/results.json is shared: tb/bench/synth.py owns `synth`, fmax_mhz_* and
luts_*; this module owns `bench` (every measurement record), `bench_targets` and the
top-level numbers in OWNED. Every write goes through `update` (read-modify-write under one lock file, atomic
replace), also synth_report.merge_results, so the two never lose each other's keys.
`provenance` maps a top-level key to where its number comes from.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

# owned top-level key -> the part of `make bench` that measures it
PART_OF = {"sim_speed_ratio": "sim", "dma_efficiency_64k": "hw", "iotlb_hit_added_cycles": "hw",
           "hit_under_miss_ratio": "hw", "cold_miss_cycles_4level": "hw",
           "regression_wall_s": "reg"}
OWNED = tuple(PART_OF)
PARTS = ("sim", "hw", "reg")


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class ResultsFileError(ValueError):
    """The existing results file cannot be read as a JSON object (it is left untouched)."""


def load(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text() or "{}")
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{path}: existing results file is not JSON ({exc}); "
                               "fix or delete it") from exc
    if not isinstance(data, dict):
        raise ResultsFileError(f"{path}: results file is not a JSON object; fix or delete it")
    return data


@contextlib.contextmanager
def update(path: Path):
    """Read-modify-write of the shared results file: yields its data (a dict; {} if the
    file is absent) under the lock; on normal exit writes it back atomically. The one
    way every writer (make bench, make synth) changes results.json."""
    path = Path(path)
    with _locked(path):
        data = load(path)
        yield data
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        tmp.replace(path)


def set_provenance(data: dict[str, Any], owned: Iterable[str],
                   entries: Mapping[str, Mapping[str, Any]]) -> None:
    """data["provenance"][key] says where top-level number `key` comes from (source,
    date, commit, whether it is an estimate). A writer replaces the entries of the keys it
    owns (`owned`) with `entries` and leaves the others."""
    prov = {k: v for k, v in (data.get("provenance") or {}).items() if k not in set(owned)}
    prov.update({k: dict(v) for k, v in entries.items()})
    if prov:
        data["provenance"] = prov
    else:
        data.pop("provenance", None)


def merge(path: Path, records: list[dict], top: Mapping[str, float],
          targets: list[dict], parts: Iterable[str] = PARTS,
          provenance: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Replace what the parts that ran (`parts`) own: their top-level keys (absent numbers
    are removed: no stale values) and those keys' provenance entries, records and targets
    (each tagged with its "part"); keep the other parts' results and every key of other
    tools; atomic write."""
    parts = set(parts)
    provenance = dict(provenance or {})
    for k in provenance:
        if k not in top:
            raise ValueError(f"results.merge: provenance for {k!r}, a number not given")
    if not parts <= set(PARTS):
        raise ValueError(f"results.merge: unknown parts {sorted(parts - set(PARTS))}")
    for k, v in top.items():
        if k not in OWNED or isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"results.merge: {k}={v!r} is not an owned numeric key")
        if PART_OF[k] not in parts:
            raise ValueError(f"results.merge: {k} belongs to part {PART_OF[k]!r}, not run")
    for r in [*records, *targets]:
        if r.get("part") not in parts:
            raise ValueError(f"results.merge: record {r.get('name')!r} has no part that ran")
    with update(path) as data:
        ran = [k for k in OWNED if PART_OF[k] in parts]
        for k in ran:
            data.pop(k, None)
        data.update(top)
        set_provenance(data, ran, provenance)
        def kept(old):  # other parts' entries (untagged ones are from an older format)
            return [r for r in old if r.get("part") in PARTS and r.get("part") not in parts]
        data["bench"] = kept(data.get("bench", [])) + records
        data["bench_targets"] = kept(data.get("bench_targets", [])) + targets
    return data


def target(name: str, value: float | None, goal: float, better: str, why: str = "",
           part: str = "hw") -> dict:
    """A target verdict: better is "higher" or "lower"; shortfall is how far off (0 if met)."""
    if value is None:
        return {"name": name, "value": None, "target": goal, "better": better, "met": False,
                "shortfall": None, "why": "not measured", "part": part}
    met = value >= goal if better == "higher" else value <= goal
    short = 0.0 if met else abs(goal - value)
    return {"name": name, "value": value, "target": goal, "better": better, "met": met,
            "shortfall": short, "why": "" if met else why, "part": part}


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if abs(v) >= 1e6:
            return f"{v / 1e6:.2f} M"
        if abs(v) >= 1e4:
            return f"{v / 1e3:.1f} k"
        return f"{v:.3g}"
    return str(v)


def table_md(records: Iterable[Mapping[str, Any]], targets: Iterable[Mapping[str, Any]]) -> str:
    """Markdown tables: simulation speed, hardware numbers, targets."""
    recs = list(records)
    out = ["| simulation speed | cycles/CPU-s | DMA bytes/CPU-s | cycles/wall-s | "
           "sim cycles | CPU s | wall s |", "|---|---|---|---|---|---|---|"]
    for r in recs:
        if r.get("kind") == "sim_speed":
            out.append(f"| {r['name']} | {_fmt(r['cycles_per_s'])} | {_fmt(r['bytes_per_s'])} | "
                       f"{_fmt(r.get('cycles_per_wall_s'))} | {r['cycles']} | "
                       f"{r.get('cpu_s', 0):.2f} | {r['wall_s']:.2f} |")
    out += ["", "| hardware | value | unit | notes |", "|---|---|---|---|"]
    for r in recs:
        if r.get("kind") == "hw":
            out.append(f"| {r['name']} | {_fmt(r['value'])} | {r.get('unit', '')} | "
                       f"{r.get('notes', '')} |")
    other = [r for r in recs if r.get("kind") == "build"]
    if other:
        out += ["", "| build / regression | value | unit | notes |", "|---|---|---|---|"]
        for r in other:
            out.append(f"| {r['name']} | {_fmt(r['value'])} | {r.get('unit', '')} | "
                       f"{r.get('notes', '')} |")
    out += ["", "| target | value | goal | met | short by | why |", "|---|---|---|---|---|---|"]
    for t in targets:
        op = ">=" if t.get("better") == "higher" else "<="
        out.append(f"| {t['name']} | {_fmt(t['value'])} | {op} {t['target']} | "
                   f"{'yes' if t['met'] else 'NO'} | {_fmt(t['shortfall'])} | {t['why']} |")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- README table
def _verdict(targets: list[Mapping[str, Any]], prefix: str) -> str:
    """'met' / 'missed by X' over the targets whose name starts with prefix."""
    ts = [t for t in targets if t["name"].startswith(prefix)]
    if not ts:
        return "not measured"
    missed = [t for t in ts if not t["met"]]
    if not missed:
        return "met"
    return "missed by " + " / ".join(_fmt(t["shortfall"]) if t["shortfall"] is not None
                                     else "? (not measured)" for t in missed)


def readme_table(data: Mapping[str, Any]) -> str:
    """The README's performance table, generated from results.json (make bench's numbers
    and make synth's), with where each number comes from underneath: one `make bench`
    (plus `make synth` for the FPGA row) produces every cell."""
    recs = [r for r in data.get("bench", []) if r.get("key")]
    tg = list(data.get("bench_targets", []))
    prov = data.get("provenance", {})
    by = {}
    for r in recs:
        by.setdefault(r["key"], []).append(r)
    rows = []
    if "sim_speed_ratio" in data:
        wall = prov.get("sim_speed_ratio", {}).get("wall_clock_ratio")
        rows.append(("sim speed: regression config ÷ pure C++ harness, same workload (CPU time)",
                     f"{data['sim_speed_ratio']:.2f}"
                     + (f" (wall clock {wall:.2f})" if wall is not None else ""),
                     f"≥ 0.5: {_verdict(tg, 'sim_speed_ratio')}"))
    dma = {(r["bytes"], r["read_latency"]): r["value"] for r in by.get("dma_copy", [])}
    lats = sorted({lat for _, lat in dma})
    if (65536, lats[0] if lats else None) in dma:
        lat_s = " / ".join(str(x) for x in lats)
        v64 = " / ".join(f"{dma.get((65536, x), float('nan')):.3f}" for x in lats)
        big = " / ".join(f"{dma[(1 << 20, x)]:.3f}" for x in lats if (1 << 20, x) in dma)
        rows.append((f"DMA efficiency, 64 KiB copy, memory latency {lat_s}",
                     v64 + (f" (1 MiB: {big})" if big else ""),
                     f"≥ 0.95: {_verdict(tg, 'DMA efficiency 65536 B')}"))
    if by.get("iotlb_hit_added") and by.get("iotlb_hit_rate"):
        miss = by.get("iotlb_hit_added_utlb_miss")
        rows.append(("IOTLB hit: added latency, throughput",
                     f"{_fmt(by['iotlb_hit_added'][0]['value'])} cycle, "
                     f"{_fmt(by['iotlb_hit_rate'][0]['value'])} translation/cycle" +
                     (f" (micro-TLB hit; an IOTLB hit behind a micro-TLB miss: "
                      f"{_fmt(miss[0]['value'])} cycles)" if miss else ""),
                     "≤ 1 cycle, 1/cycle: " + ("met" if {_verdict(tg, "IOTLB hit added latency"),
                                                         _verdict(tg, "IOTLB hit through")}
                                               == {"met"} else
                                               f"{_verdict(tg, 'IOTLB hit added latency')}, "
                                               f"{_verdict(tg, 'IOTLB hit through')}") +
                     ("" if not miss else
                      "; behind a micro-TLB miss: " +
                      _verdict(tg, "micro-TLB miss: IOTLB hit added") + " (by design, "
                      "docs/smmu.md \"Micro-TLB\")")))
    if by.get("cold_miss_4level"):
        c = by["cold_miss_4level"][0]
        rows.append(("cold 4-level miss",
                     f"{_fmt(c['value'])} cycles: {c['memory_cycles']} in memory "
                     f"({c['dependent_reads']} dependent reads, latency {c['read_latency']}) + "
                     f"{c['overhead_per_read']:.1f} SMMU cycles/read",
                     f"≤ 2 cycles/read: {_verdict(tg, 'cold miss 4level')}"))
    if "hit_under_miss_ratio" in data:
        rows.append(("hit-under-miss (hits during a walk ÷ alone)",
                     f"{data['hit_under_miss_ratio']:.3f}",
                     f"no loss: {_verdict(tg, 'hit-under-miss')}"))
    if "regression_wall_s" in data:
        p = prov.get("regression_wall_s", {})
        where = ("fresh clone" if p.get("cold_builds") else
                 "working tree" if "measured" in str(p.get("source", "")) else "last make test")
        rows.append((f"regression wall time (`make test`, {where}, 2 cores)",
                     f"{data['regression_wall_s']:.0f} s ({p.get('tests')} tests, "
                     f"{p.get('failures')} failed)",
                     f"≤ 900 s: {_verdict(tg, 'regression wall time')}"))
    if "luts_system" in data and "fmax_mhz_system" in data:
        p = prov.get("fmax_mhz_system", {})
        f = data["fmax_mhz_system"]
        rows.append(("ECP5-85F system_top",
                     f"{data['luts_system'] / 1000:.1f}k LUTs, "
                     f"{'~' if p.get('estimate') else ''}{f:.1f} MHz"
                     + (" (placement estimate)" if p.get("estimate") else ""),
                     "≥ 100 MHz: " + ("met" if f >= 100 else f"missed by {100 - f:.1f} MHz")))
    out = ["| measure | value | target |", "|---|---|---|"]
    out += [f"| {m} | {v} | {t} |" for m, v, t in rows]
    out += ["", "Where each number comes from (results.json `provenance`):", ""]
    for k in sorted(prov):
        p = prov[k]
        out.append(f"- `{k}`: {p.get('source')}, {p.get('date')}, commit {p.get('commit')}"
                   f"{' +uncommitted changes' if p.get('dirty') else ''}")
    return "\n".join(out) + "\n"
