// Simulation only (tb/common/tops.py adds it to test builds, never to synthesis):
// protocol checkers on every AXI / AXI-Lite port of axi_dpi_ram,
// attached by `bind` so the module's RTL stays untouched. A bind applies to every
// instance of axi_dpi_ram, also inside larger tops. Rules: docs/coverage.md.
`ifndef SYNTHESIS
bind axi_dpi_ram axi4_checker #(.IF_NAME("axi_dpi_ram.s_axi"), .ID_W($bits(s_axi_awid)),
        .ADDR_W($bits(s_axi_awaddr)), .DATA_W($bits(s_axi_wdata)), .USER_W(1))
    chk_s_axi (
        .clk, .rst,
        .awid(s_axi_awid), .awaddr(s_axi_awaddr), .awlen(s_axi_awlen), .awsize(s_axi_awsize),
        .awburst(s_axi_awburst), .awlock(1'b0), .awcache(4'b0), .awprot(3'b0), .awuser(1'b0),
        .awvalid(s_axi_awvalid), .awready(s_axi_awready), .wdata(s_axi_wdata),
        .wstrb(s_axi_wstrb), .wlast(s_axi_wlast), .wvalid(s_axi_wvalid), .wready(s_axi_wready),
        .bid(s_axi_bid), .bresp(s_axi_bresp), .bvalid(s_axi_bvalid), .bready(s_axi_bready),
        .arid(s_axi_arid), .araddr(s_axi_araddr), .arlen(s_axi_arlen), .arsize(s_axi_arsize),
        .arburst(s_axi_arburst), .arlock(1'b0), .arcache(4'b0), .arprot(3'b0), .aruser(1'b0),
        .arvalid(s_axi_arvalid), .arready(s_axi_arready), .rid(s_axi_rid), .rdata(s_axi_rdata),
        .rresp(s_axi_rresp), .rlast(s_axi_rlast), .rvalid(s_axi_rvalid), .rready(s_axi_rready));
`endif
