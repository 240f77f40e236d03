// smmu_sim_dpi: simulation top for the SMMU benchmarks (tb/bench) = smmu_top whose two
// master ports are each served by an HDL-side RAM port (axi_dpi_ram; both instances hold
// the same bytes, the one C++ buffer) with a fixed, known read latency, so walk and hit
// timings can be compared with "reads x latency". The device port and the register port
// are the top's ports; the master ports are internal (mem_*[0]: translated traffic,
// mem_*[1]: the SMMU's own accesses), visible to a monitor by name.
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
    // The two master ports, [0] downstream (translated, m_axi) and [1] table-walk
    // (m_tw_axi), each served by its own axi_dpi_ram; both reach the same C++ buffer.
    // A monitor reads port k as bit/field k of mem_* (tb/bench/cocotb_smmu.py).
    logic [1:0][M_ID_WIDTH-1:0] mem_awid, mem_bid, mem_arid, mem_rid;
    logic [1:0][OAS_BITS-1:0]   mem_awaddr, mem_araddr;
    logic [1:0][7:0]            mem_awlen, mem_arlen;
    logic [1:0][2:0]            mem_awsize, mem_awprot, mem_arsize, mem_arprot;
    logic [1:0][1:0]            mem_awburst, mem_bresp, mem_arburst, mem_rresp;
    logic [1:0][3:0]            mem_awcache, mem_arcache;
    logic [1:0][DATA_WIDTH-1:0] mem_wdata, mem_rdata;
    logic [1:0][STRB_WIDTH-1:0] mem_wstrb;
    logic [1:0]                 mem_awlock, mem_awvalid, mem_awready, mem_wlast, mem_wvalid,
                                mem_wready, mem_bvalid, mem_bready, mem_arlock, mem_arvalid,
                                mem_arready, mem_rlast, mem_rvalid, mem_rready;

    smmu_top #(
        .SID_BITS(SID_BITS), .SSID_BITS(SSID_BITS), .DATA_WIDTH(DATA_WIDTH),
        .ID_WIDTH(ID_WIDTH), .ADDR_WIDTH(ADDR_WIDTH), .OAS_BITS(OAS_BITS),
        .IOTLB_ENTRIES(IOTLB_ENTRIES), .CFG_ENTRIES(CFG_ENTRIES), .RD_WALKERS(RD_WALKERS)
    ) u_smmu (
        .m_axi_awid(mem_awid[0]), .m_axi_awaddr(mem_awaddr[0]), .m_axi_awlen(mem_awlen[0]),
        .m_axi_awsize(mem_awsize[0]), .m_axi_awburst(mem_awburst[0]),
        .m_axi_awlock(mem_awlock[0]), .m_axi_awcache(mem_awcache[0]),
        .m_axi_awprot(mem_awprot[0]), .m_axi_awvalid(mem_awvalid[0]),
        .m_axi_awready(mem_awready[0]), .m_axi_wdata(mem_wdata[0]), .m_axi_wstrb(mem_wstrb[0]),
        .m_axi_wlast(mem_wlast[0]), .m_axi_wvalid(mem_wvalid[0]), .m_axi_wready(mem_wready[0]),
        .m_axi_bid(mem_bid[0]), .m_axi_bresp(mem_bresp[0]), .m_axi_bvalid(mem_bvalid[0]),
        .m_axi_bready(mem_bready[0]), .m_axi_arid(mem_arid[0]), .m_axi_araddr(mem_araddr[0]),
        .m_axi_arlen(mem_arlen[0]), .m_axi_arsize(mem_arsize[0]),
        .m_axi_arburst(mem_arburst[0]), .m_axi_arlock(mem_arlock[0]),
        .m_axi_arcache(mem_arcache[0]), .m_axi_arprot(mem_arprot[0]),
        .m_axi_arvalid(mem_arvalid[0]), .m_axi_arready(mem_arready[0]), .m_axi_rid(mem_rid[0]),
        .m_axi_rdata(mem_rdata[0]), .m_axi_rresp(mem_rresp[0]), .m_axi_rlast(mem_rlast[0]),
        .m_axi_rvalid(mem_rvalid[0]), .m_axi_rready(mem_rready[0]),
        .m_tw_axi_awid(mem_awid[1]), .m_tw_axi_awaddr(mem_awaddr[1]),
        .m_tw_axi_awlen(mem_awlen[1]), .m_tw_axi_awsize(mem_awsize[1]),
        .m_tw_axi_awburst(mem_awburst[1]), .m_tw_axi_awlock(mem_awlock[1]),
        .m_tw_axi_awcache(mem_awcache[1]), .m_tw_axi_awprot(mem_awprot[1]),
        .m_tw_axi_awvalid(mem_awvalid[1]), .m_tw_axi_awready(mem_awready[1]),
        .m_tw_axi_wdata(mem_wdata[1]), .m_tw_axi_wstrb(mem_wstrb[1]),
        .m_tw_axi_wlast(mem_wlast[1]), .m_tw_axi_wvalid(mem_wvalid[1]),
        .m_tw_axi_wready(mem_wready[1]), .m_tw_axi_bid(mem_bid[1]),
        .m_tw_axi_bresp(mem_bresp[1]), .m_tw_axi_bvalid(mem_bvalid[1]),
        .m_tw_axi_bready(mem_bready[1]), .m_tw_axi_arid(mem_arid[1]),
        .m_tw_axi_araddr(mem_araddr[1]), .m_tw_axi_arlen(mem_arlen[1]),
        .m_tw_axi_arsize(mem_arsize[1]), .m_tw_axi_arburst(mem_arburst[1]),
        .m_tw_axi_arlock(mem_arlock[1]), .m_tw_axi_arcache(mem_arcache[1]),
        .m_tw_axi_arprot(mem_arprot[1]), .m_tw_axi_arvalid(mem_arvalid[1]),
        .m_tw_axi_arready(mem_arready[1]), .m_tw_axi_rid(mem_rid[1]),
        .m_tw_axi_rdata(mem_rdata[1]), .m_tw_axi_rresp(mem_rresp[1]),
        .m_tw_axi_rlast(mem_rlast[1]), .m_tw_axi_rvalid(mem_rvalid[1]),
        .m_tw_axi_rready(mem_rready[1]), .*
    );

    for (genvar k = 0; k < 2; k++) begin : g_ram
        axi_dpi_ram #(
            .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(OAS_BITS), .ID_WIDTH(M_ID_WIDTH),
            .READ_LATENCY(READ_LATENCY), .RD_DEPTH(RD_DEPTH)
        ) u_ram (
            .clk, .rst,
            .s_axi_awid(mem_awid[k]), .s_axi_awaddr(mem_awaddr[k]), .s_axi_awlen(mem_awlen[k]),
            .s_axi_awsize(mem_awsize[k]), .s_axi_awburst(mem_awburst[k]),
            .s_axi_awvalid(mem_awvalid[k]), .s_axi_awready(mem_awready[k]),
            .s_axi_wdata(mem_wdata[k]), .s_axi_wstrb(mem_wstrb[k]), .s_axi_wlast(mem_wlast[k]),
            .s_axi_wvalid(mem_wvalid[k]), .s_axi_wready(mem_wready[k]), .s_axi_bid(mem_bid[k]),
            .s_axi_bresp(mem_bresp[k]), .s_axi_bvalid(mem_bvalid[k]),
            .s_axi_bready(mem_bready[k]), .s_axi_arid(mem_arid[k]),
            .s_axi_araddr(mem_araddr[k]), .s_axi_arlen(mem_arlen[k]),
            .s_axi_arsize(mem_arsize[k]), .s_axi_arburst(mem_arburst[k]),
            .s_axi_arvalid(mem_arvalid[k]), .s_axi_arready(mem_arready[k]),
            .s_axi_rid(mem_rid[k]), .s_axi_rdata(mem_rdata[k]), .s_axi_rresp(mem_rresp[k]),
            .s_axi_rlast(mem_rlast[k]), .s_axi_rvalid(mem_rvalid[k]),
            .s_axi_rready(mem_rready[k])
        );
    end

    // lock/cache/prot carry no meaning for a plain RAM
    wire unused_ok = &{1'b0, mem_awlock, mem_awcache, mem_awprot,
                       mem_arlock, mem_arcache, mem_arprot};
endmodule
