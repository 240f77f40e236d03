"""Build a transaction trace (pasidsim.trace records) from a wave dump of an SMMU.

Works on any dump holding an smmu_top-style instance: device port ``s_axi_*`` (a*user =
{ssv, ssid[19:0], sid}), downstream port ``m_axi_*`` (translated traffic) and table-walk
port ``m_tw_axi_*`` (ID top bit set = the SMMU's own access: reads are table walks, with
the walker index in the low bits; writes are event records). A dump without
``m_tw_axi_*`` (one shared memory port, before session 6) is read from ``m_axi_*``
alone, its own accesses told apart by the ID top bit. Nothing else inside the SMMU is
needed, so RTL renames do not break it. Python runs only after the simulation, so
tracing costs the simulation nothing beyond the dump.

How the records are made:
- every device-port address handshake is one ``xlate`` record (t = that clock edge);
- its memory-port address handshake (same ID, translated ID space) is found by AXI ID
  order and the page offset, which translation keeps (len and size must agree too):
  ``pa`` is that address; none found means the SMMU answered by itself: a fault, named
  by the event record written for it (same SID/SSID/address) or else by the response
  the device saw (``SLVERR``, ``DECERR``; ``RAZ_WI`` for an OKAY without memory access);
- table-walk reads between the device handshake and the memory handshake (or the
  response) count as its ``walk_depth``; ``hit`` = no walk read. Exact when misses of one
  channel do not overlap; when they do, a read goes to the oldest open transaction of
  the walker's channel (indices below RD_WALKERS serve reads, the next one or two, with
  the stall buffer, writes; the index after the walkers is the command queue's, no walk);
- each internal write burst on the memory port is one ``event`` record, decoded with
  pasidsim.smmuv3.Event.

Command line (``make trace``): ``python -m tb.common.trace [DUMP] [--png]`` writes
``trace.jsonl`` and ``trace.txt`` next to the dump (default: the newest dump).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict, deque
from pathlib import Path
from typing import Sequence

from pasidsim import trace as T
from tb.common.waves import Dump, find_dumps

RESP = {0: "OKAY", 1: "EXOKAY", 2: "SLVERR", 3: "DECERR"}


def find_smmu(dump: Dump) -> str:
    """The shallowest scope with both an SMMU device port and memory port."""
    need = ("s_axi_arvalid", "s_axi_aruser", "s_axi_awuser", "m_axi_arvalid", "m_axi_arid",
            "m_axi_awid")
    for scope in sorted(dump.scopes(), key=lambda s: (s.count("."), s)):
        if all(f"{scope}.{n}" in dump.signals for n in need):
            return scope
    raise LookupError(f"{dump.path}: no scope has an SMMU device port (s_axi_*, a*user) "
                      "and memory port (m_axi_*)")


def extract(dump: Dump, scope: str | None = None, sid_bits: int | None = None) -> list[dict]:
    """xlate and event records of the SMMU instance ``scope`` (default: found), by time."""
    scope = scope or find_smmu(dump)
    user_w = dump.signals[f"{scope}.s_axi_aruser"].width
    sid_bits = sid_bits or dump.param(scope, "SID_BITS") or user_w - 21
    id_w = dump.signals[f"{scope}.m_axi_arid"].width
    top = 1 << (id_w - 1)
    split = walker_split(dump, scope)
    data_bytes = dump.signals[f"{scope}.m_axi_wdata"].width // 8
    hs = lambda port, ch: dump.handshakes(f"{scope}.{port}", ch)  # noqa: E731

    own = "m_tw_axi" if f"{scope}.m_tw_axi_arvalid" in dump.signals else "m_axi"
    events = _events(hs(own, "aw"), hs(own, "w"), top, data_bytes)
    walks = [b for b in hs(own, "ar") if b["id"] & top]
    recs: list[dict] = []
    used: set[int] = set()
    for rnw, a, resp_ch in ((1, "ar", "r"), (0, "aw", "b")):
        dev = hs("s_axi", a)
        mem = [b for b in hs("m_axi", a) if not b["id"] & top]
        resps = [b for b in hs("s_axi", resp_ch) if rnw == 0 or b["last"]]
        txns = _match(dev, mem, resps, rnw, sid_bits)
        if split is not None:
            lo, hi = (0, split[0]) if rnw else split
            mine = [w for w in walks if lo <= (w["id"] & (top - 1)) < hi]
        else:  # unknown split: all walks count for either channel
            mine = walks
        _attribute_walks(txns, mine)
        recs += [_record(x, events, used) for x in txns]
    recs += events
    return sorted(recs, key=lambda r: (r["t"], r["kind"] != "xlate"))


def walker_split(dump: Dump, scope: str) -> tuple[int, int] | None:
    """(RD_WALKERS, walkers in all) of the SMMU in ``scope``, None when the dump does not
    say: walker IDs [0, RD_WALKERS) walk for reads, [RD_WALKERS, all) for writes (one, or
    STALL_BUF_SLOTS + 1 with the stall buffer: STALL=1 and STALL_BUF_BEATS > 0), ID ``all``
    is the command queue."""
    rd = dump.param(scope, "RD_WALKERS")
    if rd is None:
        return None
    nw = dump.param(scope, "NW")
    if nw is None:   # (the localparam is not in the dump: smmu_top's rule, its defaults)
        stall, buf, slots = (dump.param(scope, k)
                             for k in ("STALL", "STALL_BUF_BEATS", "STALL_BUF_SLOTS"))
        stall = 1 if stall is None else stall
        buf = 256 if buf is None else buf
        slots = 2 if slots is None else slots
        nw = rd + (slots + 1 if stall and buf > 0 else 1)
    return rd, nw


def _match(dev, mem, resps, rnw, sid_bits):
    sid_mask, ssid_mask = (1 << sid_bits) - 1, (1 << 20) - 1
    txns = []
    for d in dev:
        u = d["user"] or 0
        txns.append({"t": d["t"], "id": d["id"], "va": d["addr"], "len": d["len"],
                     "size": d["size"], "sid": u & sid_mask, "ssid": (u >> sid_bits) & ssid_mask,
                     "ssv": (u >> (sid_bits + 20)) & 1, "rnw": rnw, "pa": None, "t_out": None,
                     "t_end": None, "resp": None, "walks": 0})
    # responses: same-ID responses come back in request order (AXI)
    open_by_id: dict[int, deque] = defaultdict(deque)
    events = sorted([(x["t"], 0, x) for x in txns] + [(r["t"], 1, r) for r in resps],
                    key=lambda e: (e[0], e[1]))
    for _, kind, obj in events:
        if kind == 0:
            open_by_id[obj["id"]].append(obj)
        elif open_by_id[obj["id"]]:
            x = open_by_id[obj["id"]].popleft()
            x["t_end"], x["resp"] = obj["t"], RESP.get(obj["resp"], str(obj["resp"]))
    # memory-side address: oldest unmatched device transaction with the same ID, page
    # offset, length and size, issued before it and not already answered before it
    by_id: dict[int, list] = defaultdict(list)
    for x in txns:
        by_id[x["id"]].append(x)
    for m in mem:
        for x in by_id[m["id"]]:
            if (x["pa"] is None and x["t"] <= m["t"]
                    and (x["va"] & 0xFFF) == (m["addr"] & 0xFFF)
                    and x["len"] == m["len"] and x["size"] == m["size"]
                    and (x["t_end"] is None or x["t_end"] > m["t"])):
                x["pa"], x["t_out"] = m["addr"], m["t"]
                by_id[m["id"]].remove(x)
                break
    return txns


def _attribute_walks(txns, walks):
    for w in walks:
        open_ = [x for x in txns if x["t"] <= w["t"] and
                 w["t"] <= (x["t_out"] if x["t_out"] is not None else
                            x["t_end"] if x["t_end"] is not None else float("inf"))]
        if open_:
            min(open_, key=lambda x: x["t"])["walks"] += 1


def _events(aws, ws, top, data_bytes):
    """Internal write bursts (event records): W beats follow AW order (AXI4 has no WID)."""
    from pasidsim import smmuv3 as S

    out = []
    beats = deque(ws)
    # W beats of device writes are interleaved with ours only burst by burst, in AW order
    for aw in aws:
        data = b""
        while beats:
            b = beats.popleft()
            data += (b["data"] or 0).to_bytes(data_bytes, "little")
            if b["last"]:
                break
        if not aw["id"] & top:
            continue
        try:
            ev = S.Event.decode(data[:S.EVT_SIZE])
        except ValueError:
            continue  # not an event record (a future internal write kind)
        rec = {"kind": "event", "t": aw["t"], "event_id": ev.id, "name": ev.name,
               "sid": ev.sid, "ssid": ev.ssid, "ssv": ev.ssv, "addr": ev.input_addr,
               "rnw": ev.rnw, "src": "waves"}
        out.append(T.validate(rec, "event from waves"))
    return out


def _record(x, events, used) -> dict:
    fault = None
    if x["pa"] is None:
        i = next((i for i, e in enumerate(events) if i not in used and e["t"] >= x["t"]
                  and e["sid"] == x["sid"] and e["ssv"] == x["ssv"]
                  and (e["ssid"] == x["ssid"] or not x["ssv"])
                  and e["addr"] == x["va"] and e["rnw"] == x["rnw"]), None)
        if i is not None:
            used.add(i)
            fault = events[i]["name"]
        elif x["resp"] == "OKAY":
            fault = "RAZ_WI"
        else:
            fault = x["resp"] or "NO_RESPONSE"
    rec = T.xlate(x["t"], x["sid"], x["ssid"], x["ssv"], x["va"], x["rnw"], pa=x["pa"],
                  fault=fault, hit=x["walks"] == 0, walk_depth=x["walks"], id=x["id"],
                  len=x["len"], size=x["size"], src="waves")
    for k in ("t_out", "t_end", "resp"):
        if x[k] is not None:
            rec[k] = x[k]
    return rec


def write_trace(dump_path: Path, png: bool = False) -> tuple[Path, Path, Path | None]:
    """Extract the trace of a dump into trace.jsonl and trace.txt (and trace.png) beside it."""
    dump = Dump(dump_path)
    recs = extract(dump)
    folder = Path(dump_path).parent
    jl = T.write_jsonl(recs, folder / "trace.jsonl")
    txt = folder / "trace.txt"
    txt.write_text(T.render_text(recs))
    pic = T.render_png(recs, folder / "trace.png", title=str(folder.name)) if png and recs else None
    return jl, txt, pic


# ---------------------------------------------------------------- HDL-side trace files
# RTL modules write their own records behind the plusarg below, one file per instance
# (docs/debugging.md, "HDL trace"); the runner merges them for a failing test.
HDL_TRACE_PREFIX = "trace"
HDL_TRACE_PLUSARG = f"+trace={HDL_TRACE_PREFIX}"


def collect_hdl_trace(test_dir: Path, keep: bool) -> Path | None:
    """After a run with ``HDL_TRACE_PLUSARG``: merge the per-instance files of ``test_dir``
    into trace.jsonl and trace.txt and return trace.txt (keep=True, e.g. a failing test),
    or delete them (keep=False). None when the run wrote no trace file."""
    parts = sorted(Path(test_dir).glob(f"{HDL_TRACE_PREFIX}.*.jsonl"))
    if not parts:
        return None
    if not keep:
        for p in parts:
            p.unlink()
        return None
    recs = T.merge(parts)
    T.write_jsonl(recs, Path(test_dir) / "trace.jsonl")
    txt = Path(test_dir) / "trace.txt"
    txt.write_text(T.render_text(recs))
    return txt


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.common.trace",
                                 description="transaction trace of an SMMU from a wave dump")
    ap.add_argument("dump", nargs="?", help="wave dump (default: the newest under sim_build/)")
    ap.add_argument("--png", action="store_true", help="also draw trace.png")
    args = ap.parse_args(argv)
    # given a dump: that one; else the newest dump that holds an SMMU
    candidates = [Path(args.dump)] if args.dump else find_dumps()
    if not candidates:
        print("trace: no wave dump under sim_build/; run 'make waves T=<file> K=<test>'",
              file=sys.stderr)
        return 1
    errors = []
    for path in candidates:
        try:
            jl, txt, pic = write_trace(path, args.png)
            break
        except (LookupError, FileNotFoundError) as exc:
            errors.append(str(exc))
    else:
        print("trace: " + "\n       ".join(errors[:5]), file=sys.stderr)
        return 1
    sys.stdout.write(txt.read_text())
    print(f"\ndump:  {path}\ntrace: {jl}\ntext:  {txt}" + (f"\npng:   {pic}" if pic else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
