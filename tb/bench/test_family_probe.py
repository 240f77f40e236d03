"""Unit tests of tb/bench/family_probe.py's netlist handling (no tool runs)."""

from __future__ import annotations

import re

import pytest

from tb.bench.family_probe import drop_const_cin, ooc_wrapper


def _ports(**dirs_widths):
    return {n: {"direction": d, "bits": list(range(w))} for n, (d, w) in dirs_widths.items()}


def test_wrapper_connects_every_port_bit_once():
    ports = _ports(clk=("input", 1), rst=("input", 1), a=("input", 7), b=("input", 32),
                   y=("output", 5), z=("output", 64))
    sv = ooc_wrapper("dut", ports)
    assert "logic [39:0] ish;" in sv           # 1 + 7 + 32 input bits, clk excluded
    assert "logic [68:0] oq;" in sv            # 5 + 64 output bits
    conns = dict(re.findall(r"\.(\w+)\((\w+(?:\[\d+:\d+\])?)\)", sv))
    assert conns["clk"] == "clk"
    assert conns["rst"] == "ish[0:0]" and conns["a"] == "ish[7:1]" and conns["b"] == "ish[39:8]"
    assert conns["y"] == "o[4:0]" and conns["z"] == "o[68:5]"
    # one shift register as wide as the inputs, fed from the one input pin
    assert "ish <= {ish[38:0], sin}" in sv


def test_wrapper_rejects_a_top_without_clock():
    with pytest.raises(ValueError, match="dut: needs clk"):
        ooc_wrapper("dut", _ports(a=("input", 1), y=("output", 1)))


def test_drop_const_cin_only_touches_vlo_driven_carry_ins():
    module = {"cells": {
        "lo": {"type": "VLO", "connections": {"Z": [5]}},
        "hi": {"type": "VHI", "connections": {"Z": [6]}},
        "c0": {"type": "CCU2", "connections": {"CIN": [5], "COUT": [7]}},
        "c1": {"type": "CCU2", "connections": {"CIN": [7], "COUT": [8]}},
        "c2": {"type": "CCU2", "connections": {"CIN": [6], "COUT": [9]}},
        "l": {"type": "LUT4", "connections": {"A": [5], "Z": [10]}},
    }}
    assert drop_const_cin(module) == 1
    cells = module["cells"]
    assert "CIN" not in cells["c0"]["connections"]
    assert cells["c1"]["connections"]["CIN"] == [7]
    assert cells["c2"]["connections"]["CIN"] == [6]   # tied high: left to nextpnr
    assert cells["l"]["connections"]["A"] == [5]
