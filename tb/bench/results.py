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
