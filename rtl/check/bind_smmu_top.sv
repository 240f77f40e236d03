// Simulation only (tb/common/tops.py adds it to test builds, never to synthesis):
// protocol checkers on every AXI / AXI-Lite port of smmu_top, attached by `bind` so the
// module's RTL stays untouched (applies to every instance, also inside larger tops).
// Macros: axi_check_macros.sv. Rules: docs/coverage.md.
`ifndef SYNTHESIS
`AXIL_CHECK(smmu_top, s_axil, chk_s_axil)
`AXI4_CHECK(smmu_top, s_axi, chk_s_axi)
`AXI4_CHECK_NOUSER(smmu_top, m_axi, chk_m_axi)
`AXI4_CHECK_NOUSER(smmu_top, m_tw_axi, chk_m_tw_axi)
`endif
