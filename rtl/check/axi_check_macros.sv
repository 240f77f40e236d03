// Simulation only: one macro per interface kind binds a protocol checker to the ports
// named <PFX>_<signal> of module MOD (used by the bind_<module>.sv files; rules:
// docs/coverage.md). The build lists this file before every bind_*.sv
// (tb/common/tops.py:checker_files puts it first).
//   `AXIL_CHECK(MOD, PFX, INST)          AXI4-Lite
//   `AXI4_CHECK(MOD, PFX, INST)          AXI4 with awuser/aruser ports
//   `AXI4_CHECK_NOUSER(MOD, PFX, INST)   AXI4 without user ports (user checked as 0)
//   `AXI4_CHECK_MIN(MOD, PFX, INST)      AXI4 without user, lock, cache and prot
// The checker's IF_NAME is "MOD.PFX", the name its messages report.
`ifndef SYNTHESIS
`ifndef PASIDSIM_AXI_CHECK_MACROS
`define PASIDSIM_AXI_CHECK_MACROS

`define AXIL_CHECK(MOD, PFX, INST) \
bind MOD axil_checker #(.IF_NAME(`"MOD.PFX`"), .ADDR_W($bits(PFX``_awaddr)), \
        .DATA_W($bits(PFX``_wdata))) \
    INST ( \
        .clk, .rst, \
        .awaddr(PFX``_awaddr), .awprot(PFX``_awprot), .awvalid(PFX``_awvalid), \
        .awready(PFX``_awready), .wdata(PFX``_wdata), .wstrb(PFX``_wstrb), \
        .wvalid(PFX``_wvalid), .wready(PFX``_wready), .bresp(PFX``_bresp), \
        .bvalid(PFX``_bvalid), .bready(PFX``_bready), .araddr(PFX``_araddr), \
        .arprot(PFX``_arprot), .arvalid(PFX``_arvalid), .arready(PFX``_arready), \
        .rdata(PFX``_rdata), .rresp(PFX``_rresp), .rvalid(PFX``_rvalid), \
        .rready(PFX``_rready));

// The one AXI4 port map; USER_W and the user/lock/cache/prot connections vary.
`define AXI4_CHECK_WITH(MOD, PFX, INST, UW, AWUSER, ARUSER, AWLOCK, AWCACHE, AWPROT, ARLOCK, ARCACHE, ARPROT) \
bind MOD axi4_checker #(.IF_NAME(`"MOD.PFX`"), .ID_W($bits(PFX``_awid)), \
        .ADDR_W($bits(PFX``_awaddr)), .DATA_W($bits(PFX``_wdata)), .USER_W(UW)) \
    INST ( \
        .clk, .rst, \
        .awid(PFX``_awid), .awaddr(PFX``_awaddr), .awlen(PFX``_awlen), \
        .awsize(PFX``_awsize), .awburst(PFX``_awburst), .awlock(AWLOCK), \
        .awcache(AWCACHE), .awprot(AWPROT), .awuser(AWUSER), .awvalid(PFX``_awvalid), \
        .awready(PFX``_awready), .wdata(PFX``_wdata), .wstrb(PFX``_wstrb), \
        .wlast(PFX``_wlast), .wvalid(PFX``_wvalid), .wready(PFX``_wready), \
        .bid(PFX``_bid), .bresp(PFX``_bresp), .bvalid(PFX``_bvalid), \
        .bready(PFX``_bready), .arid(PFX``_arid), .araddr(PFX``_araddr), \
        .arlen(PFX``_arlen), .arsize(PFX``_arsize), .arburst(PFX``_arburst), \
        .arlock(ARLOCK), .arcache(ARCACHE), .arprot(ARPROT), .aruser(ARUSER), \
        .arvalid(PFX``_arvalid), .arready(PFX``_arready), .rid(PFX``_rid), \
        .rdata(PFX``_rdata), .rresp(PFX``_rresp), .rlast(PFX``_rlast), \
        .rvalid(PFX``_rvalid), .rready(PFX``_rready));

`define AXI4_CHECK(MOD, PFX, INST) \
`AXI4_CHECK_WITH(MOD, PFX, INST, $bits(PFX``_awuser), PFX``_awuser, PFX``_aruser, \
        PFX``_awlock, PFX``_awcache, PFX``_awprot, PFX``_arlock, PFX``_arcache, PFX``_arprot)

`define AXI4_CHECK_NOUSER(MOD, PFX, INST) \
`AXI4_CHECK_WITH(MOD, PFX, INST, 1, 1'b0, 1'b0, \
        PFX``_awlock, PFX``_awcache, PFX``_awprot, PFX``_arlock, PFX``_arcache, PFX``_arprot)

`define AXI4_CHECK_MIN(MOD, PFX, INST) \
`AXI4_CHECK_WITH(MOD, PFX, INST, 1, 1'b0, 1'b0, 1'b0, 4'b0, 3'b0, 1'b0, 4'b0, 3'b0)

`endif
`endif
