"""Turn nextpnr-ecp5 report files into synthesis records and merge them into results.json.

Pure functions and file helpers only (no tool runs), so they are unit-tested on small
sample reports (tb/bench/data/). Record format and meaning: docs/synthesis.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

# Short names used in the top-level results.json keys (fmax_mhz_<short>, luts_<short>).
SHORT = {"smmu_top": "smmu", "dma_top": "dma", "system_top": "system"}

# nextpnr utilisation cell types behind each record field (ECP5).
UTIL_FIELDS = {
    "luts": "TRELLIS_COMB",   # one LUT4 slot (carry halves and wide-mux LUTs included)
    "ffs": "TRELLIS_FF",
    "brams": "DP16KD",        # 18 Kbit block RAMs
    "dsps": "MULT18X18D",     # 18x18 multipliers
}


class ReportError(ValueError):
    """A nextpnr report lacks what a record needs."""


def job_key(top: str, params: Mapping[str, int]) -> str:
    """Stable name of one (top, parameter set): its build folder and its key in `synth`."""
    parts = [f"{k}_{params[k]}" for k in sorted(params)]
    return "-".join([top, *parts]) if parts else f"{top}-default"


def _util(report: Mapping[str, Any], cell: str, path: str) -> tuple[int, int]:
    util = report.get("utilization")
    if not isinstance(util, Mapping):
        raise ReportError(f"{path}: no 'utilization' object")
    entry = util.get(cell)
    if not isinstance(entry, Mapping) or "used" not in entry or "available" not in entry:
        raise ReportError(f"{path}: utilization has no {cell} used/available")
    return int(entry["used"]), int(entry["available"])


def fmax_of(report: Mapping[str, Any], path: str = "report") -> tuple[str, float]:
    """(clock net, achieved MHz) of the slowest clock in the report."""
    fmax = report.get("fmax")
    if not isinstance(fmax, Mapping) or not fmax:
        raise ReportError(f"{path}: no clock in 'fmax' (was the design clocked and timed?)")
    clocks = [(name, float(v["achieved"])) for name, v in fmax.items()
              if isinstance(v, Mapping) and "achieved" in v]
    if not clocks:
        raise ReportError(f"{path}: 'fmax' entries have no 'achieved' value")
    return min(clocks, key=lambda c: c[1])


# Yosys names a mapped net after the RTL signal it came from plus the cells it passed
# through ("u_ctrl.cw_aw_done_LUT4_B_D_CCU2C_COUT..."); the RTL part is what a reader needs.
_MAPPED_SUFFIX = re.compile(r"(_(LUT4|CCU2C|TRELLIS_\w+|PFUMX|L6MUX21|DP16KD|MULT18X18D|ALU54B)"
                            r"(_|$)|\$).*$")


def rtl_signal(net: str) -> str:
    """The RTL signal behind a mapped net name ('' for purely generated names)."""
    return _MAPPED_SUFFIX.sub("", net).strip()


def rtl_source(src: str) -> str | None:
    """'rtl/<block>/<file>.sv:line.col' of a Yosys source attribute; None for Yosys's own
    techmap library files (/share/...), which say nothing about the design."""
    i = src.rfind("rtl/")
    return src[i:] if i >= 0 and not src.startswith("/share/") else None


_LOG_FMAX = re.compile(r"Max frequency for clock '([^']+)': ([0-9.]+) MHz")


def fmax_from_log(text: str) -> dict[str, dict[str, float]]:
    """Last 'Max frequency' line per clock of a nextpnr log, in the report's 'fmax' form.
    With --no-route the report has no fmax; the log's is the post-placement estimate."""
    out: dict[str, dict[str, float]] = {}
    for clock, mhz in _LOG_FMAX.findall(text):
        out[clock] = {"achieved": float(mhz)}
    return out


def critical_path(report: Mapping[str, Any]) -> dict[str, Any] | None:
    """Summary of the worst register-to-register path: where it starts and ends, its
    delay split into logic and routing, and the nets it crosses (these carry RTL names)."""
    paths = [p for p in report.get("critical_paths") or [] if p.get("path")]
    if not paths:
        return None

    def total(p):
        return sum(float(s.get("delay", 0.0)) for s in p["path"])

    worst = max(paths, key=total)
    segs = worst["path"]
    logic = sum(float(s.get("delay", 0.0)) for s in segs if s.get("type") != "routing")
    routing = sum(float(s.get("delay", 0.0)) for s in segs if s.get("type") == "routing")
    nets: list[str] = []
    srcs: list[str] = []
    for s in segs:
        net = rtl_signal(s.get("net") or "")
        if s.get("type") == "routing" and net and net not in nets:
            nets.append(net)
        for src in s.get("sources") or []:
            src = rtl_source(src)
            if src and src not in srcs:
                srcs.append(src)
    return {
        "from": rtl_signal(segs[0].get("from", {}).get("cell") or ""),
        "to": rtl_signal(segs[-1].get("to", {}).get("cell") or ""),
        "delay_ns": round(total(worst), 3),
        "logic_ns": round(logic, 3),
        "routing_ns": round(routing, 3),
        "logic_levels": sum(1 for s in segs if s.get("type") == "logic"),
        "nets": nets,      # RTL signals along the path, in order
        "sources": srcs,   # their rtl/ file:line.column, as Yosys recorded them
    }


def record_from_report(report: Mapping[str, Any], top: str, params: Mapping[str, int],
                       target_mhz: float, path: str = "report") -> dict[str, Any]:
    """One `synth` record: area, achieved clock, whether the target is met and, if not,
    by how much and along which path."""
    rec: dict[str, Any] = {"top": top, "params": dict(params)}
    for field, cell in UTIL_FIELDS.items():
        used, avail = _util(report, cell, path)
        rec[field] = used
        rec[f"{field}_available"] = avail
    clock, fmax = fmax_of(report, path)
    rec["clock"] = clock
    rec["fmax_mhz"] = round(fmax, 2)
    rec["target_mhz"] = float(target_mhz)
    rec["met"] = fmax >= target_mhz
    if not rec["met"]:
        rec["shortfall_mhz"] = round(target_mhz - fmax, 2)
        rec["shortfall_pct"] = round(100.0 * (target_mhz - fmax) / target_mhz, 1)
    cp = critical_path(report)
    if cp is not None:
        rec["critical_path"] = cp
    return rec


def load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: cannot read nextpnr report: {exc}") from exc
    if not isinstance(data, dict):
        raise ReportError(f"{path}: nextpnr report is not a JSON object")
    return data


ESTIMATE_METHOD = ("nextpnr post-placement timing estimate (--no-route): routing not run, "
                   "so routed delays are nextpnr's placement-based guesses")


def headline_with_provenance(records: Iterable[Mapping[str, Any]],
                             defaults: Mapping[str, Mapping[str, int]]
                             ) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Top-level numbers (fmax_mhz_<short>, luts_<short>) from each top's default-parameter
    record, and where each comes from. A routed record wins; a top with only a placed one
    (--place-only) contributes its numbers labelled in the provenance: LUTs are final after
    placement, fmax is an estimate. A top whose default run failed or did not run
    contributes nothing."""
    best: dict[str, Mapping[str, Any]] = {}
    for rec in records:
        top = rec.get("top")
        if (top in SHORT and "fmax_mhz" in rec and "error" not in rec
                and rec.get("params") == dict(defaults.get(top, {}))):
            if top not in best or (rec.get("routed", True) and not best[top].get("routed", True)):
                best[top] = rec
    out: dict[str, float] = {}
    prov: dict[str, dict[str, Any]] = {}
    for top, rec in best.items():
        short, routed = SHORT[top], rec.get("routed", True)
        common = {"source": f"make synth, record {job_key(top, rec['params'])}"
                            f"{'' if routed else '-placed'}", "routed": routed,
                  **{k: rec[k] for k in ("date", "commit", "dirty", "rtl", "seed", "device", "note")
                     if k in rec}}
        out[f"fmax_mhz_{short}"] = rec["fmax_mhz"]
        out[f"luts_{short}"] = rec["luts"]
        prov[f"fmax_mhz_{short}"] = {**common, "estimate": not routed,
                                     **({} if routed else {"method": ESTIMATE_METHOD})}
        prov[f"luts_{short}"] = {**common, "estimate": False}
    return out, prov


def headline(records: Iterable[Mapping[str, Any]],
             defaults: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """The numbers of headline_with_provenance."""
    return headline_with_provenance(records, defaults)[0]


def merge_results(path: Path, synth: Mapping[str, Any], top_level: Mapping[str, Any],
                  owned_top_level: Iterable[str],
                  provenance: Mapping[str, Mapping[str, Any]] | None = None,
                  combine=None, defaults: Mapping[str, Mapping[str, int]] | None = None
                  ) -> dict[str, Any]:
    """Read results.json (other benchmarks own other keys), replace the `synth` object,
    the keys in `owned_top_level` (those absent from `top_level` are removed, so a failed
    run leaves no stale number) and their provenance entries, write it back atomically
    under the lock shared with `make bench` (results.update). `combine(old_synth)`, when
    given, builds the new `synth` object from the one on disk inside the lock, and the
    top-level numbers and provenance then come from it (headline_with_provenance with
    `defaults`), so two runs never drop each other's records."""
    from tb.bench import results as res
    owned = list(owned_top_level)
    try:
        with res.update(path) as data:
            if combine is not None:
                old = data.get("synth") if isinstance(data.get("synth"), dict) else {}
                synth = combine(old)
                top_level, provenance = headline_with_provenance(synth.values(), defaults or {})
            for key in owned:
                data.pop(key, None)
            data.update(top_level)
            res.set_provenance(data, owned, provenance or {})
            data["synth"] = dict(synth)
    except res.ResultsFileError as exc:
        raise ReportError(str(exc)) from exc
    return data


def owned_keys() -> list[str]:
    return [f"{k}_{s}" for s in SHORT.values() for k in ("fmax_mhz", "luts")]


def _sort_key(rec: Mapping[str, Any]):
    order = list(SHORT)
    top = rec.get("top")
    return (order.index(top) if top in order else len(order), sorted(rec.get("params", {}).items()))


def table_md(records: Iterable[Mapping[str, Any]],
             defaults: Mapping[str, Mapping[str, int]]) -> str:
    """Markdown table of all records, defaults marked with *, failures with their error."""
    lines = ["| top | parameters | LUTs | FFs | BRAMs | DSPs | fmax (MHz) | target |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for rec in sorted(records, key=_sort_key):
        params = rec.get("params", {})
        ptxt = " ".join(f"{k}={v}" for k, v in sorted(params.items())) or "-"
        if params == dict(defaults.get(rec.get("top"), {})):
            ptxt += " *"
        if "error" in rec:
            lines_ = str(rec["error"]).splitlines() or [""]
            first = next((x for x in lines_ if "ERROR" in x), lines_[0]).replace("|", "/")
            lines.append(f"| {rec.get('top')} | {ptxt} | failed: {first} | | | | | |")
            continue
        pct = 100.0 * rec["luts"] / rec["luts_available"] if rec.get("luts_available") else 0.0
        verdict = ("met" if rec["met"] else
                   f"missed by {rec['shortfall_mhz']} MHz ({rec['shortfall_pct']} %)")
        est = "" if rec.get("routed", True) else " (placed only: estimate)"
        lines.append(f"| {rec['top']} | {ptxt} | {rec['luts']} ({pct:.0f} %) | {rec['ffs']} | "
                     f"{rec['brams']} | {rec['dsps']} | {rec['fmax_mhz']:.1f}{est} | "
                     f"{rec['target_mhz']:g} MHz: {verdict} |")
    return "\n".join(lines) + "\n\n* default parameters (the headline numbers)\n"
