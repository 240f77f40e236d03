// Simulation only (tb/common/tops.py adds it to test builds, never to synthesis):
// protocol checkers on every AXI / AXI-Lite port of system_sim_dpi,
// attached by `bind` so the module's RTL stays untouched. A bind applies to every
// instance of system_sim_dpi, also inside larger tops. Rules: docs/coverage.md.
`ifndef SYNTHESIS
bind system_sim_dpi axil_checker #(.IF_NAME("system_sim_dpi.s_axil"), .ADDR_W($bits(s_axil_awaddr)),
        .DATA_W($bits(s_axil_wdata)))
    chk_s_axil (
        .clk, .rst,
        .awaddr(s_axil_awaddr), .awprot(s_axil_awprot), .awvalid(s_axil_awvalid),
        .awready(s_axil_awready), .wdata(s_axil_wdata), .wstrb(s_axil_wstrb),
        .wvalid(s_axil_wvalid), .wready(s_axil_wready), .bresp(s_axil_bresp),
        .bvalid(s_axil_bvalid), .bready(s_axil_bready), .araddr(s_axil_araddr),
        .arprot(s_axil_arprot), .arvalid(s_axil_arvalid), .arready(s_axil_arready),
        .rdata(s_axil_rdata), .rresp(s_axil_rresp), .rvalid(s_axil_rvalid),
        .rready(s_axil_rready));
`endif
