// Simulation only (tb/common/tops.py adds it to test builds, never to synthesis):
// protocol checkers on every AXI / AXI-Lite port of axi_dpi_ram, attached by `bind` so the
// module's RTL stays untouched (applies to every instance, also inside larger tops).
// Macros: axi_check_macros.sv. Rules: docs/coverage.md.
`ifndef SYNTHESIS
`AXI4_CHECK_MIN(axi_dpi_ram, s_axi, chk_s_axi)
`endif
