"""Transaction trace: the JSON-lines record format, a text timeline and a PNG timeline.

One record per line, each a JSON object with a ``kind`` and a time ``t`` in ns. Producers:
the HDL (``$fwrite`` behind ``+trace=<prefix>``, one file per emitting module, merged here
by time), the wave-dump extractor (tb/common/trace.py) and the Python models. Every
number is a JSON integer (addresses too: JSON has no hex); renderers print hex.

kind ``xlate``: one translated (or faulted) device transaction
    t           ns when the device's address handshake completed
    sid, ssid, ssv
    va          input address
    rnw         1 read, 0 write
    pa          output address, or ``fault`` (exactly one of the two is non-null)
    fault       why it went nowhere: an event name (``F_TRANSLATION`` ...), or the
                response the device saw (``SLVERR``, ``DECERR``) when no event names it
    hit         true: no table walk was needed; false: walked; null: unknown
    walk_depth  SMMU-internal table reads made for it (0 on a hit); null: unknown
  optional: id, len (beats - 1, as AXI), size, t_out (ns, address left on the memory port),
            t_end (ns, last response beat to the device), resp (``OKAY`` ...), src,
            page (``4K``/``2M``/``1G``: leaf mapping size of a stage-1 translation),
            s1dss (``terminate``/``bypass``/``ssid0``: the STE.S1DSS path a transaction
            without SSID took on a stream with substreams; absent otherwise)
kind ``cmd``: a command the SMMU consumed
    t, opcode, name; optional: fields (dict of the opcode's fields), index (queue slot), src,
    error (``ILL``/``ABT``: the command stopped the queue with CERROR_ILL/CERROR_ABT
    instead of executing)
kind ``event``: an event record the SMMU wrote to the event queue
    t, event_id, name, sid, ssid, ssv, addr (input address), rnw; optional: index, src,
    stall (the record's Stall bit), stag (its STAG)
kind ``completion``: a DMA completion record
    t, queue, status (name); optional: ssid, bytes, fault_addr, result, index (ring slot),
    sid (the device's StreamID), src

Command line: ``python -m pasidsim.trace render TRACE.jsonl [--png OUT.png]`` prints the
text timeline (and draws the PNG); ``merge A B ... -o OUT`` merges per-module files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Iterable, Sequence

KINDS = ("xlate", "cmd", "event", "completion")

# field -> accepted Python types; None allowed where listed in NULLABLE
_INT = (int,)
_REQUIRED: dict[str, dict[str, tuple]] = {
    "xlate": {"t": (int, float), "sid": _INT, "ssid": _INT, "ssv": (bool, int), "va": _INT,
              "rnw": (bool, int), "pa": _INT, "fault": (str,), "hit": (bool,),
              "walk_depth": _INT},
    "cmd": {"t": (int, float), "opcode": _INT, "name": (str,)},
    "event": {"t": (int, float), "event_id": _INT, "name": (str,), "sid": _INT, "ssid": _INT,
              "ssv": (bool, int), "addr": _INT, "rnw": (bool, int)},
    "completion": {"t": (int, float), "queue": _INT, "status": (str,)},
}
_NULLABLE = {"pa", "fault", "hit", "walk_depth"}
_OPTIONAL: dict[str, tuple] = {
    "id": _INT, "len": _INT, "size": _INT, "t_out": (int, float), "t_end": (int, float),
    "resp": (str,), "src": (str,), "fields": (dict,), "index": _INT, "bytes": _INT,
    "fault_addr": _INT, "result": _INT, "page": (str,), "s1dss": (str,), "error": (str,),
    "stall": _INT, "stag": _INT, "sid": _INT,
}
# optional fields with a fixed set of values
_CHOICES: dict[str, tuple] = {
    "page": ("4K", "2M", "1G"), "s1dss": ("terminate", "bypass", "ssid0"),
    "error": ("ILL", "ABT"), "stall": (0, 1),
}


class TraceError(ValueError):
    """A record that does not follow the format (the message names record and field)."""


def validate(rec: dict, where: str = "record") -> dict:
    """Check one record against the format; return it unchanged or raise TraceError."""
    if not isinstance(rec, dict):
        raise TraceError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    kind = rec.get("kind")
    if kind not in KINDS:
        raise TraceError(f"{where}: kind {kind!r} is not one of {KINDS}")
    for name, types in _REQUIRED[kind].items():
        if name not in rec:
            raise TraceError(f"{where} ({kind}): missing field {name!r}")
        val = rec[name]
        if val is None and name in _NULLABLE:
            continue
        if not isinstance(val, types) or (isinstance(val, bool) and bool not in types):
            raise TraceError(f"{where} ({kind}): field {name!r}={val!r} is not "
                             f"{'/'.join(t.__name__ for t in types)}")
        if isinstance(val, int) and not isinstance(val, bool) and val < 0:
            raise TraceError(f"{where} ({kind}): field {name!r}={val} is negative")
    for name, types in _OPTIONAL.items():
        if name in rec and rec[name] is not None and not isinstance(rec[name], types):
            raise TraceError(f"{where} ({kind}): field {name!r}={rec[name]!r} has the wrong type")
    for name, allowed in _CHOICES.items():
        if rec.get(name) is not None and rec[name] not in allowed:
            raise TraceError(f"{where} ({kind}): field {name!r}={rec[name]!r} is not one of "
                             f"{allowed}")
    if kind == "xlate" and (rec["pa"] is None) == (rec["fault"] is None):
        raise TraceError(f"{where} (xlate): exactly one of 'pa' and 'fault' must be set, "
                         f"got pa={rec['pa']!r} fault={rec['fault']!r}")
    return rec


def xlate(t, sid, ssid, ssv, va, rnw, pa=None, fault=None, hit=None, walk_depth=None,
          **extra) -> dict:
    """Build (and validate) an ``xlate`` record."""
    rec = {"kind": "xlate", "t": t, "sid": sid, "ssid": ssid, "ssv": int(ssv), "va": va,
           "rnw": int(rnw), "pa": pa, "fault": fault, "hit": hit, "walk_depth": walk_depth,
           **extra}
    return validate(rec, "xlate()")


def write_jsonl(records: Iterable[dict], path: str | Path) -> Path:
    """Validate every record first, then write them, one per line (nothing on error)."""
    recs = [validate(r, f"record {i}") for i, r in enumerate(records)]
    path = Path(path)
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in recs))
    return path


def read_jsonl(path: str | Path) -> list[dict]:
    """Read and validate a trace file; blank lines are skipped."""
    out = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TraceError(f"{path}:{n}: not JSON ({exc.msg})") from None
        out.append(validate(rec, f"{path}:{n}"))
    return out


def merge(paths: Sequence[str | Path]) -> list[dict]:
    """Records of several files (e.g. one per HDL module) in time order (stable)."""
    recs = [r for p in paths for r in read_jsonl(p)]
    return sorted(recs, key=lambda r: r["t"])


# ------------------------------------------------------------------ text
def lane(rec: dict) -> str:
    """The timeline row a record belongs to: one per stream (SID/SSID), queue or DMA queue."""
    k = rec["kind"]
    if k == "xlate":
        return f"sid {rec['sid']:#x}" + (f" ssid {rec['ssid']:#x}" if rec["ssv"] else "")
    if k == "cmd":
        return "cmdq"
    if k == "event":
        return "evtq"
    return f"dma q{rec['queue']}"


def _ns(t) -> str:
    return f"{t:.1f}" if isinstance(t, float) and not t.is_integer() else f"{int(t)}"


def describe(rec: dict) -> str:
    """One human-readable line for a record (without time and lane)."""
    k = rec["kind"]
    if k == "xlate":
        rw = "R" if rec["rnw"] else "W"
        head = f"{rw} va {rec['va']:#014x}"
        if rec["fault"] is not None:
            body = f"{head} FAULT {rec['fault']}"
        else:
            body = f"{head} -> pa {rec['pa']:#014x}"
        if rec["hit"] is not None:
            body += "  hit" if rec["hit"] else "  miss"
        if rec["walk_depth"] is not None and not rec["hit"]:
            body += f" walk={rec['walk_depth']}"
        if rec.get("page") is not None:
            body += f" {rec['page']}"
        if rec.get("s1dss") is not None:
            body += f" s1dss={rec['s1dss']}"
        if rec.get("t_end") is not None:
            body += f"  ({_ns(rec['t_end'] - rec['t'])} ns)"
        return body
    if k == "cmd":
        if rec.get("error") is not None:
            return f"CMD_{rec['name']} CERROR_{rec['error']}"
        args = " ".join(f"{a}={v:#x}" for a, v in (rec.get("fields") or {}).items())
        return f"CMD_{rec['name']} {args}".rstrip()
    if k == "event":
        ss = f" ssid={rec['ssid']:#x}" if rec["ssv"] else ""
        st = f" stall stag={rec.get('stag', 0)}" if rec.get("stall") else ""
        return (f"EVT {rec['name']} sid={rec['sid']:#x}{ss} addr={rec['addr']:#x} "
                f"{'R' if rec['rnw'] else 'W'}{st}")
    extra = "".join(f" {f}={rec[f]:#x}" for f in ("bytes", "fault_addr") if rec.get(f) is not None)
    return f"completion {rec['status']}{extra}"


def render_text(records: Sequence[dict], width: int = 64) -> str:
    """A listing (time, lane, what) followed by a lane chart: one row per lane, time
    across, ``h`` hit, ``m`` miss, ``?`` unknown, ``F`` fault, ``C`` command, ``E`` event,
    ``D`` completion (capital letters win when several records share a column)."""
    if not records:
        return "(empty trace)\n"
    recs = sorted(records, key=lambda r: r["t"])
    lanes = sorted({lane(r) for r in recs}, key=lambda s: (s[0] == "s", s))
    lw = max(len(s) for s in lanes)
    lines = [f"{'t (ns)':>10}  {'lane':<{lw}}  what"]
    lines += [f"{_ns(r['t']):>10}  {lane(r):<{lw}}  {describe(r)}" for r in recs]
    t0, t1 = recs[0]["t"], recs[-1]["t"]
    span = max(t1 - t0, 1)
    rows = {s: [" "] * width for s in lanes}
    for r in recs:
        col = min(int((r["t"] - t0) * (width - 1) / span), width - 1)
        mark = _mark(r)
        cur = rows[lane(r)][col]
        if cur == " " or (mark.isupper() and not cur.isupper()):
            rows[lane(r)][col] = mark
    lines += ["", f"{'':<{lw}}  |{_ns(t0)} ns{'':{max(width - len(_ns(t0)) - len(_ns(t1)) - 6, 1)}}"
                  f"{_ns(t1)} ns|"]
    lines += [f"{s:<{lw}}  |{''.join(rows[s])}|" for s in lanes]
    lines.append(f"{'':<{lw}}   h hit  m miss  ? unknown  F fault  C command  E event  "
                 "D completion")
    return "\n".join(lines) + "\n"


def _mark(r: dict) -> str:
    k = r["kind"]
    if k == "xlate":
        if r["fault"] is not None:
            return "F"
        return {True: "h", False: "m", None: "?"}[r["hit"]]
    return {"cmd": "C", "event": "E", "completion": "D"}[k]


# ------------------------------------------------------------------ PNG
_COLORS = {"h": "#4caf50", "m": "#ff9800", "?": "#9e9e9e", "F": "#e53935", "C": "#1e88e5",
           "E": "#8e24aa", "D": "#00897b"}
_LABELS = {"h": "translation, hit", "m": "translation, walked", "?": "translation",
           "F": "fault", "C": "command", "E": "event", "D": "completion"}


def render_png(records: Sequence[dict], path: str | Path, title: str = "pasidsim trace") -> Path:
    """Draw the timeline: one row per lane; a translation is a bar from its address
    handshake to its last response (or a tick when that is unknown), coloured by outcome;
    commands, events and completions are markers."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch
    except ImportError as exc:  # pragma: no cover - dev extra missing
        raise RuntimeError("render_png needs matplotlib (pip install -e '.[dev]')") from exc
    if not records:
        raise TraceError("render_png: the trace is empty, nothing to draw")
    recs = sorted(records, key=lambda r: r["t"])
    lanes = sorted({lane(r) for r in recs}, key=lambda s: (s[0] == "s", s), reverse=True)
    y = {s: i for i, s in enumerate(lanes)}
    t0, t1 = recs[0]["t"], max(r.get("t_end") or r["t"] for r in recs)
    tick = max((t1 - t0) / 400, 1e-9)
    fig, ax = plt.subplots(figsize=(12, 1.2 + 0.45 * len(lanes)), dpi=110)
    used = set()
    for r in recs:
        m = _mark(r)
        used.add(m)
        row = y[lane(r)]
        if r["kind"] == "xlate":
            end = r.get("t_end") or r["t"]
            ax.broken_barh([(r["t"], max(end - r["t"], tick))], (row - 0.3, 0.6),
                           facecolors=_COLORS[m], edgecolors="black", linewidth=0.3)
        else:
            ax.plot([r["t"]], [row], marker={"C": "s", "E": "X", "D": "o"}[m], color=_COLORS[m],
                    markersize=8, linestyle="none")
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    pad = max((t1 - t0) * 0.02, 1)
    ax.set_xlim(t0 - pad, t1 + pad)
    ax.set_xlabel("time (ns)")
    ax.set_title(title)
    ax.grid(axis="x", linestyle=":", linewidth=0.5)
    ax.legend(handles=[Patch(color=_COLORS[m], label=_LABELS[m]) for m in _COLORS if m in used],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path


# ------------------------------------------------------------------ CLI
def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pasidsim.trace",
                                 description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render", help="print the text timeline of a trace (and draw a PNG)")
    r.add_argument("trace", nargs="+", help="trace file(s), JSON lines; several are merged")
    r.add_argument("--png", help="also draw the timeline into this PNG")
    r.add_argument("--width", type=int, default=64, help="columns of the lane chart")
    m = sub.add_parser("merge", help="merge per-module trace files by time")
    m.add_argument("trace", nargs="+")
    m.add_argument("-o", "--out", required=True)
    args = ap.parse_args(argv)
    try:
        recs = merge(args.trace)
    except (OSError, TraceError) as exc:
        print(f"pasidsim.trace: {exc}", file=sys.stderr)
        return 2
    if args.cmd == "merge":
        print(write_jsonl(recs, args.out))
        return 0
    sys.stdout.write(render_text(recs, args.width))
    if args.png:
        print(f"timeline picture: {render_png(recs, args.png, title=Path(args.trace[0]).name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
