// Simulation only (tb/common/tops.py adds it to test builds, never to synthesis):
// protocol checkers on every AXI / AXI-Lite port of dma_top, attached by `bind` so the
// module's RTL stays untouched (applies to every instance, also inside larger tops).
// Macros: axi_check_macros.sv. Rules: docs/coverage.md.
`ifndef SYNTHESIS
`AXIL_CHECK(dma_top, s_axil, chk_s_axil)
`AXI4_CHECK(dma_top, m_axi, chk_m_axi)
`endif
