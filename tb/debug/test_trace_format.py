"""pasidsim.trace: record validation, JSON-lines round trip, merge, text and PNG timelines."""

import json

import pytest

from pasidsim import trace as T


def recs():
    return [
        T.xlate(100, 1, 1, 1, 0x1010, 1, pa=0x4000_2010, hit=False, walk_depth=5, t_end=160),
        T.xlate(200, 1, 1, 1, 0x1020, 1, pa=0x4000_2020, hit=True, walk_depth=0, t_end=220),
        T.xlate(300, 2, 0, 0, 0x5000, 0, fault="F_TRANSLATION", hit=False, walk_depth=3),
        {"kind": "event", "t": 330, "event_id": 0x10, "name": "F_TRANSLATION", "sid": 2,
         "ssid": 0, "ssv": 0, "addr": 0x5000, "rnw": 0},
        {"kind": "cmd", "t": 50, "opcode": 0x46, "name": "SYNC", "fields": {"cs": 0}},
        {"kind": "completion", "t": 400, "queue": 1, "status": "SUCCESS", "bytes": 4096},
    ]


@pytest.mark.parametrize("bad, msg", [
    ({"kind": "nope", "t": 0}, "kind 'nope'"),
    ({"kind": "cmd", "t": 0, "name": "SYNC"}, "missing field 'opcode'"),
    ({"kind": "cmd", "t": 0, "opcode": "46", "name": "SYNC"}, "'opcode'='46' is not int"),
    ({"kind": "cmd", "t": 0, "opcode": -1, "name": "SYNC"}, "negative"),
    ({"kind": "completion", "t": 0, "queue": True, "status": "X"}, "'queue'=True"),
    ({"kind": "completion", "t": 0, "queue": 0, "status": "X", "bytes": "4"}, "'bytes'"),
])
def test_validate_rejects(bad, msg):
    with pytest.raises(T.TraceError, match=msg):
        T.validate(bad)


def test_xlate_needs_exactly_one_outcome():
    with pytest.raises(T.TraceError, match="exactly one of 'pa' and 'fault'"):
        T.xlate(0, 1, 0, 0, 0x1000, 1)
    with pytest.raises(T.TraceError, match="exactly one"):
        T.xlate(0, 1, 0, 0, 0x1000, 1, pa=0x1000, fault="F_PERMISSION")


def test_round_trip_and_merge(tmp_path):
    a, b = recs()[:3], recs()[3:]
    T.write_jsonl(a, tmp_path / "a.jsonl")
    T.write_jsonl(b, tmp_path / "b.jsonl")
    assert T.read_jsonl(tmp_path / "a.jsonl") == a
    merged = T.merge([tmp_path / "a.jsonl", tmp_path / "b.jsonl"])
    assert [r["t"] for r in merged] == sorted(r["t"] for r in recs())
    # a bad record anywhere: nothing is written, the error names the record
    with pytest.raises(T.TraceError, match="record 1"):
        T.write_jsonl([a[0], {"kind": "cmd"}], tmp_path / "c.jsonl")
    assert not (tmp_path / "c.jsonl").exists()
    (tmp_path / "d.jsonl").write_text(json.dumps(a[0]) + "\n{oops\n")
    with pytest.raises(T.TraceError, match="d.jsonl:2: not JSON"):
        T.read_jsonl(tmp_path / "d.jsonl")


def test_text_timeline():
    text = T.render_text(recs(), width=40)
    lines = text.splitlines()
    assert lines[1].split()[:2] == ["50", "cmdq"]          # listing in time order
    assert "R va 0x000000001010 -> pa 0x000040002010  miss walk=5  (60 ns)" in text
    assert "W va 0x000000005000 FAULT F_TRANSLATION" in text
    assert "EVT F_TRANSLATION sid=0x2" in text and "completion SUCCESS bytes=0x1000" in text
    chart = {ln.split("|")[0].strip(): ln.split("|")[1] for ln in lines if ln.count("|") == 2
             and not ln.split("|")[0].strip() == ""}
    assert chart["sid 0x1 ssid 0x1"].strip() == "m" + " " * (chart["sid 0x1 ssid 0x1"]
                                                            .strip().count(" ")) + "h"
    assert chart["sid 0x2"].strip() == "F"
    assert chart["cmdq"][0] == "C" and chart["dma q1"][-1] == "D"
    assert T.render_text([]) == "(empty trace)\n"


def test_png_timeline(tmp_path):
    out = T.render_png(recs(), tmp_path / "t.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    with pytest.raises(T.TraceError, match="empty"):
        T.render_png([], tmp_path / "e.png")


def test_cli(tmp_path, capsys):
    T.write_jsonl(recs(), tmp_path / "a.jsonl")
    assert T.main(["render", str(tmp_path / "a.jsonl"), "--png", str(tmp_path / "a.png")]) == 0
    out = capsys.readouterr().out
    assert "F_TRANSLATION" in out and "timeline picture" in out and (tmp_path / "a.png").exists()
    assert T.main(["render", str(tmp_path / "missing.jsonl")]) == 2
