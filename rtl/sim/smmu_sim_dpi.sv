// smmu_sim_dpi: simulation top for the SMMU benchmarks (tb/bench) = smmu_top whose two
// master ports are each served by an HDL-side RAM port (axi_dpi_ram; both instances hold
// the same bytes, the one C++ buffer) with a fixed, known read latency, so walk and hit
// timings can be compared with "reads x latency". The device port and the register port
// are the top's ports; the master ports are internal (mem_*: translated traffic, tw_*:
// the SMMU's own accesses), visible to a monitor by name.
module smmu_sim_dpi #(
    parameter int SID_BITS      = 8,
    parameter int SSID_BITS     = 8,
    parameter int DATA_WIDTH    = 64,
    parameter int ID_WIDTH      = 4,
    parameter int ADDR_WIDTH    = 48,
    parameter int OAS_BITS      = 48,
    parameter int IOTLB_ENTRIES = 16,
    parameter int CFG_ENTRIES   = 8,
    parameter int RD_WALKERS    = 2,
    parameter int READ_LATENCY  = 20,
    parameter int RD_DEPTH      = 32,
    parameter int USER_WIDTH    = 1 + 20 + SID_BITS,
    parameter int STRB_WIDTH    = DATA_WIDTH / 8,
    parameter int M_ID_WIDTH    = ID_WIDTH + 1
) (
    input  logic                    clk,
    input  logic                    rst,
    input  logic [16:0]             s_axil_awaddr,
    input  logic [2:0]              s_axil_awprot,
    input  logic                    s_axil_awvalid,
    output logic                    s_axil_awready,
    input  logic [31:0]             s_axil_wdata,
    input  logic [3:0]              s_axil_wstrb,
    input  logic                    s_axil_wvalid,
    output logic                    s_axil_wready,
    output logic [1:0]              s_axil_bresp,
    output logic                    s_axil_bvalid,
    input  logic                    s_axil_bready,
    input  logic [16:0]             s_axil_araddr,
    input  logic [2:0]              s_axil_arprot,
    input  logic                    s_axil_arvalid,
    output logic                    s_axil_arready,
    output logic [31:0]             s_axil_rdata,
    output logic [1:0]              s_axil_rresp,
    output logic                    s_axil_rvalid,
    input  logic                    s_axil_rready,
    input  logic [ID_WIDTH-1:0]     s_axi_awid,
    input  logic [ADDR_WIDTH-1:0]   s_axi_awaddr,
    input  logic [7:0]              s_axi_awlen,
    input  logic [2:0]              s_axi_awsize,
    input  logic [1:0]              s_axi_awburst,
    input  logic                    s_axi_awlock,
    input  logic [3:0]              s_axi_awcache,
    input  logic [2:0]              s_axi_awprot,
    input  logic [USER_WIDTH-1:0]   s_axi_awuser,
    input  logic                    s_axi_awvalid,
    output logic                    s_axi_awready,
    input  logic [DATA_WIDTH-1:0]   s_axi_wdata,
    input  logic [STRB_WIDTH-1:0]   s_axi_wstrb,
    input  logic                    s_axi_wlast,
    input  logic                    s_axi_wvalid,
    output logic                    s_axi_wready,
    output logic [ID_WIDTH-1:0]     s_axi_bid,
    output logic [1:0]              s_axi_bresp,
    output logic                    s_axi_bvalid,
    input  logic                    s_axi_bready,
    input  logic [ID_WIDTH-1:0]     s_axi_arid,
    input  logic [ADDR_WIDTH-1:0]   s_axi_araddr,
    input  logic [7:0]              s_axi_arlen,
    input  logic [2:0]              s_axi_arsize,
    input  logic [1:0]              s_axi_arburst,
    input  logic                    s_axi_arlock,
    input  logic [3:0]              s_axi_arcache,
    input  logic [2:0]              s_axi_arprot,
    input  logic [USER_WIDTH-1:0]   s_axi_aruser,
    input  logic                    s_axi_arvalid,
    output logic                    s_axi_arready,
    output logic [ID_WIDTH-1:0]     s_axi_rid,
    output logic [DATA_WIDTH-1:0]   s_axi_rdata,
    output logic [1:0]              s_axi_rresp,
    output logic                    s_axi_rlast,
    output logic                    s_axi_rvalid,
    input  logic                    s_axi_rready,
    output logic                    irq_evtq,
    output logic                    irq_gerror,
    output logic                    irq_cmdq_sync
);
    logic [M_ID_WIDTH-1:0]   mem_awid;
    logic [OAS_BITS-1:0]     mem_awaddr;
    logic [7:0]              mem_awlen;
    logic [2:0]              mem_awsize;
    logic [1:0]              mem_awburst;
    logic                    mem_awlock;
    logic [3:0]              mem_awcache;
    logic [2:0]              mem_awprot;
    logic                    mem_awvalid;
    logic                    mem_awready;
    logic [DATA_WIDTH-1:0]   mem_wdata;
    logic [STRB_WIDTH-1:0]   mem_wstrb;
    logic                    mem_wlast;
    logic                    mem_wvalid;
    logic                    mem_wready;
    logic [M_ID_WIDTH-1:0]   mem_bid;
    logic [1:0]              mem_bresp;
    logic                    mem_bvalid;
    logic                    mem_bready;
    logic [M_ID_WIDTH-1:0]   mem_arid;
    logic [OAS_BITS-1:0]     mem_araddr;
    logic [7:0]              mem_arlen;
    logic [2:0]              mem_arsize;
    logic [1:0]              mem_arburst;
    logic                    mem_arlock;
    logic [3:0]              mem_arcache;
    logic [2:0]              mem_arprot;
    logic                    mem_arvalid;
    logic                    mem_arready;
    logic [M_ID_WIDTH-1:0]   mem_rid;
    logic [DATA_WIDTH-1:0]   mem_rdata;
    logic [1:0]              mem_rresp;
    logic                    mem_rlast;
    logic                    mem_rvalid;
    logic                    mem_rready;

    logic [M_ID_WIDTH-1:0]   tw_awid;
    logic [OAS_BITS-1:0]     tw_awaddr;
    logic [7:0]              tw_awlen;
    logic [2:0]              tw_awsize;
    logic [1:0]              tw_awburst;
    logic                    tw_awlock;
    logic [3:0]              tw_awcache;
    logic [2:0]              tw_awprot;
    logic                    tw_awvalid;
    logic                    tw_awready;
    logic [DATA_WIDTH-1:0]   tw_wdata;
    logic [STRB_WIDTH-1:0]   tw_wstrb;
    logic                    tw_wlast;
    logic                    tw_wvalid;
    logic                    tw_wready;
    logic [M_ID_WIDTH-1:0]   tw_bid;
    logic [1:0]              tw_bresp;
    logic                    tw_bvalid;
    logic                    tw_bready;
    logic [M_ID_WIDTH-1:0]   tw_arid;
    logic [OAS_BITS-1:0]     tw_araddr;
    logic [7:0]              tw_arlen;
    logic [2:0]              tw_arsize;
    logic [1:0]              tw_arburst;
    logic                    tw_arlock;
    logic [3:0]              tw_arcache;
    logic [2:0]              tw_arprot;
    logic                    tw_arvalid;
    logic                    tw_arready;
    logic [M_ID_WIDTH-1:0]   tw_rid;
    logic [DATA_WIDTH-1:0]   tw_rdata;
    logic [1:0]              tw_rresp;
    logic                    tw_rlast;
    logic                    tw_rvalid;
    logic                    tw_rready;

    smmu_top #(
        .SID_BITS(SID_BITS), .SSID_BITS(SSID_BITS), .DATA_WIDTH(DATA_WIDTH),
        .ID_WIDTH(ID_WIDTH), .ADDR_WIDTH(ADDR_WIDTH), .OAS_BITS(OAS_BITS),
        .IOTLB_ENTRIES(IOTLB_ENTRIES), .CFG_ENTRIES(CFG_ENTRIES), .RD_WALKERS(RD_WALKERS)
    ) u_smmu (
        .m_axi_awid(mem_awid), .m_axi_awaddr(mem_awaddr), .m_axi_awlen(mem_awlen),
        .m_axi_awsize(mem_awsize), .m_axi_awburst(mem_awburst), .m_axi_awlock(mem_awlock),
        .m_axi_awcache(mem_awcache), .m_axi_awprot(mem_awprot), .m_axi_awvalid(mem_awvalid),
        .m_axi_awready(mem_awready),
        .m_axi_wdata(mem_wdata), .m_axi_wstrb(mem_wstrb), .m_axi_wlast(mem_wlast),
        .m_axi_wvalid(mem_wvalid), .m_axi_wready(mem_wready),
        .m_axi_bid(mem_bid), .m_axi_bresp(mem_bresp), .m_axi_bvalid(mem_bvalid),
        .m_axi_bready(mem_bready),
        .m_axi_arid(mem_arid), .m_axi_araddr(mem_araddr), .m_axi_arlen(mem_arlen),
        .m_axi_arsize(mem_arsize), .m_axi_arburst(mem_arburst), .m_axi_arlock(mem_arlock),
        .m_axi_arcache(mem_arcache), .m_axi_arprot(mem_arprot), .m_axi_arvalid(mem_arvalid),
        .m_axi_arready(mem_arready),
        .m_axi_rid(mem_rid), .m_axi_rdata(mem_rdata), .m_axi_rresp(mem_rresp),
        .m_axi_rlast(mem_rlast), .m_axi_rvalid(mem_rvalid), .m_axi_rready(mem_rready),
        .m_tw_axi_awid(tw_awid), .m_tw_axi_awaddr(tw_awaddr), .m_tw_axi_awlen(tw_awlen),
        .m_tw_axi_awsize(tw_awsize), .m_tw_axi_awburst(tw_awburst), .m_tw_axi_awlock(tw_awlock),
        .m_tw_axi_awcache(tw_awcache), .m_tw_axi_awprot(tw_awprot), .m_tw_axi_awvalid(tw_awvalid),
        .m_tw_axi_awready(tw_awready),
        .m_tw_axi_wdata(tw_wdata), .m_tw_axi_wstrb(tw_wstrb), .m_tw_axi_wlast(tw_wlast),
        .m_tw_axi_wvalid(tw_wvalid), .m_tw_axi_wready(tw_wready),
        .m_tw_axi_bid(tw_bid), .m_tw_axi_bresp(tw_bresp), .m_tw_axi_bvalid(tw_bvalid),
        .m_tw_axi_bready(tw_bready),
        .m_tw_axi_arid(tw_arid), .m_tw_axi_araddr(tw_araddr), .m_tw_axi_arlen(tw_arlen),
        .m_tw_axi_arsize(tw_arsize), .m_tw_axi_arburst(tw_arburst), .m_tw_axi_arlock(tw_arlock),
        .m_tw_axi_arcache(tw_arcache), .m_tw_axi_arprot(tw_arprot), .m_tw_axi_arvalid(tw_arvalid),
        .m_tw_axi_arready(tw_arready),
        .m_tw_axi_rid(tw_rid), .m_tw_axi_rdata(tw_rdata), .m_tw_axi_rresp(tw_rresp),
        .m_tw_axi_rlast(tw_rlast), .m_tw_axi_rvalid(tw_rvalid), .m_tw_axi_rready(tw_rready),
        .*
    );

    axi_dpi_ram #(
        .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(OAS_BITS), .ID_WIDTH(M_ID_WIDTH),
        .READ_LATENCY(READ_LATENCY), .RD_DEPTH(RD_DEPTH)
    ) u_ram (
        .clk, .rst,
        .s_axi_awid(mem_awid), .s_axi_awaddr(mem_awaddr), .s_axi_awlen(mem_awlen),
        .s_axi_awsize(mem_awsize), .s_axi_awburst(mem_awburst), .s_axi_awvalid(mem_awvalid),
        .s_axi_awready(mem_awready),
        .s_axi_wdata(mem_wdata), .s_axi_wstrb(mem_wstrb), .s_axi_wlast(mem_wlast),
        .s_axi_wvalid(mem_wvalid), .s_axi_wready(mem_wready),
        .s_axi_bid(mem_bid), .s_axi_bresp(mem_bresp), .s_axi_bvalid(mem_bvalid),
        .s_axi_bready(mem_bready),
        .s_axi_arid(mem_arid), .s_axi_araddr(mem_araddr), .s_axi_arlen(mem_arlen),
        .s_axi_arsize(mem_arsize), .s_axi_arburst(mem_arburst), .s_axi_arvalid(mem_arvalid),
        .s_axi_arready(mem_arready),
        .s_axi_rid(mem_rid), .s_axi_rdata(mem_rdata), .s_axi_rresp(mem_rresp),
        .s_axi_rlast(mem_rlast), .s_axi_rvalid(mem_rvalid), .s_axi_rready(mem_rready)
    );

    axi_dpi_ram #(
        .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(OAS_BITS), .ID_WIDTH(M_ID_WIDTH),
        .READ_LATENCY(READ_LATENCY), .RD_DEPTH(RD_DEPTH)
    ) u_tw_ram (
        .clk, .rst,
        .s_axi_awid(tw_awid), .s_axi_awaddr(tw_awaddr), .s_axi_awlen(tw_awlen),
        .s_axi_awsize(tw_awsize), .s_axi_awburst(tw_awburst), .s_axi_awvalid(tw_awvalid),
        .s_axi_awready(tw_awready),
        .s_axi_wdata(tw_wdata), .s_axi_wstrb(tw_wstrb), .s_axi_wlast(tw_wlast),
        .s_axi_wvalid(tw_wvalid), .s_axi_wready(tw_wready),
        .s_axi_bid(tw_bid), .s_axi_bresp(tw_bresp), .s_axi_bvalid(tw_bvalid),
        .s_axi_bready(tw_bready),
        .s_axi_arid(tw_arid), .s_axi_araddr(tw_araddr), .s_axi_arlen(tw_arlen),
        .s_axi_arsize(tw_arsize), .s_axi_arburst(tw_arburst), .s_axi_arvalid(tw_arvalid),
        .s_axi_arready(tw_arready),
        .s_axi_rid(tw_rid), .s_axi_rdata(tw_rdata), .s_axi_rresp(tw_rresp),
        .s_axi_rlast(tw_rlast), .s_axi_rvalid(tw_rvalid), .s_axi_rready(tw_rready)
    );

    // lock/cache/prot carry no meaning for a plain RAM
    wire unused_ok = &{1'b0, mem_awlock, mem_awcache, mem_awprot,
                       mem_arlock, mem_arcache, mem_arprot,
                       tw_awlock, tw_awcache, tw_awprot, tw_arlock, tw_arcache, tw_arprot};
endmodule
