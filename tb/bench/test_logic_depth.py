"""tb/bench/logic_depth.py on small hand-built netlists (pure Python, no tools)."""
import pytest

from tb.bench import logic_depth


def _net(cells, netnames, ports=None):
    return {"modules": {"top": {"attributes": {"top": "00000000000000000000000000000001"},
                                "ports": ports or {}, "cells": cells,
                                "netnames": {k: {"bits": v} for k, v in netnames.items()}}}}


def _ff(d, q):
    return {"type": "TRELLIS_FF", "connections": {"DI": [d], "Q": [q], "CLK": [99]},
            "port_directions": {"DI": "input", "Q": "output", "CLK": "input"}}


def _lut(ins, z):
    conn = dict(zip("ABCD", [[b] for b in ins]))
    conn["Z"] = [z]
    return {"type": "LUT4", "connections": conn,
            "port_directions": {**{k: "input" for k in "ABCD"}, "Z": "output"}}


def _ccu(a, cin, s, cout):
    conn = {"A0": [a], "CIN": [cin], "S0": [s], "COUT": [cout]}
    return {"type": "CCU2C", "connections": conn,
            "port_directions": {"A0": "input", "CIN": "input", "S0": "output", "COUT": "output"}}


def test_two_luts_and_a_carry_chain():
    # q_a -> LUT -> LUT -> ff b (2 levels); q_c -> 10-cell carry chain -> ff e
    cells = {"fa": _ff(1, 2), "l1": _lut([2], 3), "l2": _lut([3, 2], 4), "fb": _ff(4, 5),
             "fc": _ff(6, 7)}
    carry = 10
    for k in range(carry):
        cin = 7 if k == 0 else 100 + k - 1
        cells[f"c{k}"] = _ccu(7 if k == 0 else 0, cin, 200 + k, 100 + k)
    cells["fe"] = _ff(200 + carry - 1, 8)
    rows = logic_depth.analyse(_net(cells, {"a_q": [2], "mid": [3], "b_q": [5], "c_q": [7],
                                            "e_q": [8], "d_in": [1], "c_in": [6]}), 10)
    by_end = {r["end"]: r for r in rows}
    assert by_end["b_q"]["depth"] == 2.0
    assert by_end["b_q"]["start"] == "a_q" and by_end["b_q"]["via"] == ["mid"]
    # first cell from A0/CIN: one LUT level to COUT, then 8 carry hops and the last sum
    want = logic_depth.LUT + (carry - 2) * logic_depth.CARRY + logic_depth.CARRY_SUM
    assert by_end["e_q"]["depth"] == pytest.approx(want, abs=0.01)
    assert rows[0]["end"] == "b_q"       # deepest first


def test_loop_terminates_and_ports_end_paths():
    # a combinational loop between two LUTs must not hang; an output port is an end point
    cells = {"l1": _lut([2, 3], 4), "l2": _lut([4], 3), "fa": _ff(1, 2)}
    ports = {"o": {"direction": "output", "bits": [4]}}
    rows = logic_depth.analyse(_net(cells, {"a_q": [2], "x": [3], "y": [4], "d": [1]},
                                    ports), 5)
    assert any(r["end"] == "port o" and r["depth"] >= 1.0 for r in rows)


def test_not_flattened_is_an_error():
    net = {"modules": {"a": {"attributes": {}}, "b": {"attributes": {}}}}
    with pytest.raises(ValueError, match="top modules"):
        logic_depth.analyse(net)


def test_generic_netlist():
    # synth -flatten; abc -lut 4: $lut cells and Yosys's own flip-flops
    def dff(d, q):
        return {"type": "$_DFF_P_", "connections": {"D": [d], "Q": [q], "C": [99]},
                "port_directions": {"D": "input", "Q": "output", "C": "input"}}

    def lut(ins, y):
        return {"type": "$lut", "connections": {"A": ins, "Y": [y]},
                "port_directions": {"A": "input", "Y": "output"}}
    cells = {"f1": dff(1, 2), "l1": lut([2], 3), "l2": lut([3], 4), "l3": lut([4, 2], 5),
             "f2": dff(5, 6)}
    rows = logic_depth.analyse(_net(cells, {"q1": [2], "q2": [6], "d1": [1]}), 5)
    assert rows[0]["end"] == "q2" and rows[0]["start"] == "q1" and rows[0]["depth"] == 3.0
