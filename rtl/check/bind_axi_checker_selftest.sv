// Simulation only (tb/common/tops.py adds it to test builds, never to synthesis):
// protocol checkers on the ports of the checker self-test top axi_checker_selftest,
// attached by `bind` so the module's RTL stays untouched. A bind applies to every
// instance of axi_checker_selftest, also inside larger tops. Rules: docs/coverage.md.
`ifndef SYNTHESIS
bind axi_checker_selftest axil_checker #(.IF_NAME("axi_checker_selftest.s_axil"), .ADDR_W($bits(s_axil_awaddr)),
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

bind axi_checker_selftest axi4_checker #(.IF_NAME("axi_checker_selftest.s_axi"), .ID_W($bits(s_axi_awid)),
        .ADDR_W($bits(s_axi_awaddr)), .DATA_W($bits(s_axi_wdata)), .USER_W($bits(s_axi_awuser)))
    chk_s_axi (
        .clk, .rst,
        .awid(s_axi_awid), .awaddr(s_axi_awaddr), .awlen(s_axi_awlen), .awsize(s_axi_awsize),
        .awburst(s_axi_awburst), .awlock(s_axi_awlock), .awcache(s_axi_awcache),
        .awprot(s_axi_awprot), .awuser(s_axi_awuser), .awvalid(s_axi_awvalid),
        .awready(s_axi_awready), .wdata(s_axi_wdata), .wstrb(s_axi_wstrb), .wlast(s_axi_wlast),
        .wvalid(s_axi_wvalid), .wready(s_axi_wready), .bid(s_axi_bid), .bresp(s_axi_bresp),
        .bvalid(s_axi_bvalid), .bready(s_axi_bready), .arid(s_axi_arid), .araddr(s_axi_araddr),
        .arlen(s_axi_arlen), .arsize(s_axi_arsize), .arburst(s_axi_arburst),
        .arlock(s_axi_arlock), .arcache(s_axi_arcache), .arprot(s_axi_arprot),
        .aruser(s_axi_aruser), .arvalid(s_axi_arvalid), .arready(s_axi_arready),
        .rid(s_axi_rid), .rdata(s_axi_rdata), .rresp(s_axi_rresp), .rlast(s_axi_rlast),
        .rvalid(s_axi_rvalid), .rready(s_axi_rready));
`endif
