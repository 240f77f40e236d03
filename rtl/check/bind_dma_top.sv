// Simulation only (tb/common/tops.py adds it to test builds, never to synthesis):
// protocol checkers on every AXI / AXI-Lite port of dma_top,
// attached by `bind` so the module's RTL stays untouched. A bind applies to every
// instance of dma_top, also inside larger tops. Rules: docs/coverage.md.
`ifndef SYNTHESIS
bind dma_top axil_checker #(.IF_NAME("dma_top.s_axil"), .ADDR_W($bits(s_axil_awaddr)),
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

bind dma_top axi4_checker #(.IF_NAME("dma_top.m_axi"), .ID_W($bits(m_axi_awid)),
        .ADDR_W($bits(m_axi_awaddr)), .DATA_W($bits(m_axi_wdata)), .USER_W($bits(m_axi_awuser)))
    chk_m_axi (
        .clk, .rst,
        .awid(m_axi_awid), .awaddr(m_axi_awaddr), .awlen(m_axi_awlen), .awsize(m_axi_awsize),
        .awburst(m_axi_awburst), .awlock(m_axi_awlock), .awcache(m_axi_awcache),
        .awprot(m_axi_awprot), .awuser(m_axi_awuser), .awvalid(m_axi_awvalid),
        .awready(m_axi_awready), .wdata(m_axi_wdata), .wstrb(m_axi_wstrb), .wlast(m_axi_wlast),
        .wvalid(m_axi_wvalid), .wready(m_axi_wready), .bid(m_axi_bid), .bresp(m_axi_bresp),
        .bvalid(m_axi_bvalid), .bready(m_axi_bready), .arid(m_axi_arid), .araddr(m_axi_araddr),
        .arlen(m_axi_arlen), .arsize(m_axi_arsize), .arburst(m_axi_arburst),
        .arlock(m_axi_arlock), .arcache(m_axi_arcache), .arprot(m_axi_arprot),
        .aruser(m_axi_aruser), .arvalid(m_axi_arvalid), .arready(m_axi_arready),
        .rid(m_axi_rid), .rdata(m_axi_rdata), .rresp(m_axi_rresp), .rlast(m_axi_rlast),
        .rvalid(m_axi_rvalid), .rready(m_axi_rready));
`endif
