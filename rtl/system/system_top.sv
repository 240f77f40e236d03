// system_top: the accelerator behind the SMMU, one register window for both.
//
//   s_axil_* ──axil_split──┬─ 0x00000-0x1FFFF  SMMU registers (pages 0 and 1)
//                          └─ 0x20000-0x20FFF  DMA registers
//   dma_top.m_axi ──(a*user = {ssv, ssid, sid})──> smmu_top.s_axi (device port)
//   smmu_top.m_axi ──> m_axi_* (memory; in simulation cocotbext-axi's AxiRam or, in
//                      system_sim_dpi, the HDL-side RAM)
// Synthesizable: no simulation models inside.
module system_top #(
    parameter int SID_BITS      = 8,
    parameter int SSID_BITS     = 20,
    parameter int NQ            = 4,
    parameter int DMA_SID       = 1,
    parameter int DATA_WIDTH    = 64,
    parameter int ID_WIDTH      = 4,
    parameter int ADDR_WIDTH    = 48,
    parameter int OAS_BITS      = 48,
    parameter int IOTLB_ENTRIES = 16,
    parameter int USER_WIDTH    = 1 + 20 + SID_BITS
) (
    input  logic                    clk,
    input  logic                    rst,
    input  logic [17:0]                 s_axil_awaddr,
    input  logic [2:0]                  s_axil_awprot,
    input  logic                        s_axil_awvalid,
    output logic                        s_axil_awready,
    input  logic [31:0]                 s_axil_wdata,
    input  logic [3:0]                  s_axil_wstrb,
    input  logic                        s_axil_wvalid,
    output logic                        s_axil_wready,
    output logic [1:0]                  s_axil_bresp,
    output logic                        s_axil_bvalid,
    input  logic                        s_axil_bready,
    input  logic [17:0]                 s_axil_araddr,
    input  logic [2:0]                  s_axil_arprot,
    input  logic                        s_axil_arvalid,
    output logic                        s_axil_arready,
    output logic [31:0]                 s_axil_rdata,
    output logic [1:0]                  s_axil_rresp,
    output logic                        s_axil_rvalid,
    input  logic                        s_axil_rready,
    output logic [ID_WIDTH:0]           m_axi_awid,
    output logic [OAS_BITS-1:0]         m_axi_awaddr,
    output logic [7:0]                  m_axi_awlen,
    output logic [2:0]                  m_axi_awsize,
    output logic [1:0]                  m_axi_awburst,
    output logic                        m_axi_awlock,
    output logic [3:0]                  m_axi_awcache,
    output logic [2:0]                  m_axi_awprot,
    output logic                        m_axi_awvalid,
    input  logic                        m_axi_awready,
    output logic [DATA_WIDTH-1:0]       m_axi_wdata,
    output logic [DATA_WIDTH/8-1:0]     m_axi_wstrb,
    output logic                        m_axi_wlast,
    output logic                        m_axi_wvalid,
    input  logic                        m_axi_wready,
    input  logic [ID_WIDTH:0]           m_axi_bid,
    input  logic [1:0]                  m_axi_bresp,
    input  logic                        m_axi_bvalid,
    output logic                        m_axi_bready,
    output logic [ID_WIDTH:0]           m_axi_arid,
    output logic [OAS_BITS-1:0]         m_axi_araddr,
    output logic [7:0]                  m_axi_arlen,
    output logic [2:0]                  m_axi_arsize,
    output logic [1:0]                  m_axi_arburst,
    output logic                        m_axi_arlock,
    output logic [3:0]                  m_axi_arcache,
    output logic [2:0]                  m_axi_arprot,
    output logic                        m_axi_arvalid,
    input  logic                        m_axi_arready,
    input  logic [ID_WIDTH:0]           m_axi_rid,
    input  logic [DATA_WIDTH-1:0]       m_axi_rdata,
    input  logic [1:0]                  m_axi_rresp,
    input  logic                        m_axi_rlast,
    input  logic                        m_axi_rvalid,
    output logic                        m_axi_rready,
    output logic                        irq_evtq,
    output logic                        irq_gerror,
    output logic                        irq_cmdq_sync,
    output logic                        irq_dma
);
    logic [16:0]                 smmu_axil_awaddr;
    logic [2:0]                  smmu_axil_awprot;
    logic                        smmu_axil_awvalid;
    logic                        smmu_axil_awready;
    logic [31:0]                 smmu_axil_wdata;
    logic [3:0]                  smmu_axil_wstrb;
    logic                        smmu_axil_wvalid;
    logic                        smmu_axil_wready;
    logic [1:0]                  smmu_axil_bresp;
    logic                        smmu_axil_bvalid;
    logic                        smmu_axil_bready;
    logic [16:0]                 smmu_axil_araddr;
    logic [2:0]                  smmu_axil_arprot;
    logic                        smmu_axil_arvalid;
    logic                        smmu_axil_arready;
    logic [31:0]                 smmu_axil_rdata;
    logic [1:0]                  smmu_axil_rresp;
    logic                        smmu_axil_rvalid;
    logic                        smmu_axil_rready;
    logic [11:0]                 dma_axil_awaddr;
    logic [2:0]                  dma_axil_awprot;
    logic                        dma_axil_awvalid;
    logic                        dma_axil_awready;
    logic [31:0]                 dma_axil_wdata;
    logic [3:0]                  dma_axil_wstrb;
    logic                        dma_axil_wvalid;
    logic                        dma_axil_wready;
    logic [1:0]                  dma_axil_bresp;
    logic                        dma_axil_bvalid;
    logic                        dma_axil_bready;
    logic [11:0]                 dma_axil_araddr;
    logic [2:0]                  dma_axil_arprot;
    logic                        dma_axil_arvalid;
    logic                        dma_axil_arready;
    logic [31:0]                 dma_axil_rdata;
    logic [1:0]                  dma_axil_rresp;
    logic                        dma_axil_rvalid;
    logic                        dma_axil_rready;
    logic [ID_WIDTH-1:0]         dev_axi_awid;
    logic [ADDR_WIDTH-1:0]       dev_axi_awaddr;
    logic [7:0]                  dev_axi_awlen;
    logic [2:0]                  dev_axi_awsize;
    logic [1:0]                  dev_axi_awburst;
    logic                        dev_axi_awlock;
    logic [3:0]                  dev_axi_awcache;
    logic [2:0]                  dev_axi_awprot;
    logic [USER_WIDTH-1:0]       dev_axi_awuser;
    logic                        dev_axi_awvalid;
    logic                        dev_axi_awready;
    logic [DATA_WIDTH-1:0]       dev_axi_wdata;
    logic [DATA_WIDTH/8-1:0]     dev_axi_wstrb;
    logic                        dev_axi_wlast;
    logic                        dev_axi_wvalid;
    logic                        dev_axi_wready;
    logic [ID_WIDTH-1:0]         dev_axi_bid;
    logic [1:0]                  dev_axi_bresp;
    logic                        dev_axi_bvalid;
    logic                        dev_axi_bready;
    logic [ID_WIDTH-1:0]         dev_axi_arid;
    logic [ADDR_WIDTH-1:0]       dev_axi_araddr;
    logic [7:0]                  dev_axi_arlen;
    logic [2:0]                  dev_axi_arsize;
    logic [1:0]                  dev_axi_arburst;
    logic                        dev_axi_arlock;
    logic [3:0]                  dev_axi_arcache;
    logic [2:0]                  dev_axi_arprot;
    logic [USER_WIDTH-1:0]       dev_axi_aruser;
    logic                        dev_axi_arvalid;
    logic                        dev_axi_arready;
    logic [ID_WIDTH-1:0]         dev_axi_rid;
    logic [DATA_WIDTH-1:0]       dev_axi_rdata;
    logic [1:0]                  dev_axi_rresp;
    logic                        dev_axi_rlast;
    logic                        dev_axi_rvalid;
    logic                        dev_axi_rready;

    axil_split #(.ADDR_WIDTH(18), .SEL_BIT(17), .A0_WIDTH(17), .A1_WIDTH(12)) u_axil_split (
        .clk, .rst,
        .s_axil_awaddr(s_axil_awaddr),
        .s_axil_awprot(s_axil_awprot),
        .s_axil_awvalid(s_axil_awvalid),
        .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata),
        .s_axil_wstrb(s_axil_wstrb),
        .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready),
        .s_axil_bresp(s_axil_bresp),
        .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready),
        .s_axil_araddr(s_axil_araddr),
        .s_axil_arprot(s_axil_arprot),
        .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready),
        .s_axil_rdata(s_axil_rdata),
        .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid),
        .s_axil_rready(s_axil_rready),
        .m0_axil_awaddr(smmu_axil_awaddr),
        .m0_axil_awprot(smmu_axil_awprot),
        .m0_axil_awvalid(smmu_axil_awvalid),
        .m0_axil_awready(smmu_axil_awready),
        .m0_axil_wdata(smmu_axil_wdata),
        .m0_axil_wstrb(smmu_axil_wstrb),
        .m0_axil_wvalid(smmu_axil_wvalid),
        .m0_axil_wready(smmu_axil_wready),
        .m0_axil_bresp(smmu_axil_bresp),
        .m0_axil_bvalid(smmu_axil_bvalid),
        .m0_axil_bready(smmu_axil_bready),
        .m0_axil_araddr(smmu_axil_araddr),
        .m0_axil_arprot(smmu_axil_arprot),
        .m0_axil_arvalid(smmu_axil_arvalid),
        .m0_axil_arready(smmu_axil_arready),
        .m0_axil_rdata(smmu_axil_rdata),
        .m0_axil_rresp(smmu_axil_rresp),
        .m0_axil_rvalid(smmu_axil_rvalid),
        .m0_axil_rready(smmu_axil_rready),
        .m1_axil_awaddr(dma_axil_awaddr),
        .m1_axil_awprot(dma_axil_awprot),
        .m1_axil_awvalid(dma_axil_awvalid),
        .m1_axil_awready(dma_axil_awready),
        .m1_axil_wdata(dma_axil_wdata),
        .m1_axil_wstrb(dma_axil_wstrb),
        .m1_axil_wvalid(dma_axil_wvalid),
        .m1_axil_wready(dma_axil_wready),
        .m1_axil_bresp(dma_axil_bresp),
        .m1_axil_bvalid(dma_axil_bvalid),
        .m1_axil_bready(dma_axil_bready),
        .m1_axil_araddr(dma_axil_araddr),
        .m1_axil_arprot(dma_axil_arprot),
        .m1_axil_arvalid(dma_axil_arvalid),
        .m1_axil_arready(dma_axil_arready),
        .m1_axil_rdata(dma_axil_rdata),
        .m1_axil_rresp(dma_axil_rresp),
        .m1_axil_rvalid(dma_axil_rvalid),
        .m1_axil_rready(dma_axil_rready)
    );

    dma_top #(
        .NQ(NQ), .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(ADDR_WIDTH), .ID_WIDTH(ID_WIDTH),
        .SID_BITS(SID_BITS), .SID(DMA_SID), .AXIL_ADDR_WIDTH(12)
    ) u_dma (
        .clk, .rst,
        .s_axil_awaddr(dma_axil_awaddr),
        .s_axil_awprot(dma_axil_awprot),
        .s_axil_awvalid(dma_axil_awvalid),
        .s_axil_awready(dma_axil_awready),
        .s_axil_wdata(dma_axil_wdata),
        .s_axil_wstrb(dma_axil_wstrb),
        .s_axil_wvalid(dma_axil_wvalid),
        .s_axil_wready(dma_axil_wready),
        .s_axil_bresp(dma_axil_bresp),
        .s_axil_bvalid(dma_axil_bvalid),
        .s_axil_bready(dma_axil_bready),
        .s_axil_araddr(dma_axil_araddr),
        .s_axil_arprot(dma_axil_arprot),
        .s_axil_arvalid(dma_axil_arvalid),
        .s_axil_arready(dma_axil_arready),
        .s_axil_rdata(dma_axil_rdata),
        .s_axil_rresp(dma_axil_rresp),
        .s_axil_rvalid(dma_axil_rvalid),
        .s_axil_rready(dma_axil_rready),
        .m_axi_awid(dev_axi_awid),
        .m_axi_awaddr(dev_axi_awaddr),
        .m_axi_awlen(dev_axi_awlen),
        .m_axi_awsize(dev_axi_awsize),
        .m_axi_awburst(dev_axi_awburst),
        .m_axi_awlock(dev_axi_awlock),
        .m_axi_awcache(dev_axi_awcache),
        .m_axi_awprot(dev_axi_awprot),
        .m_axi_awuser(dev_axi_awuser),
        .m_axi_awvalid(dev_axi_awvalid),
        .m_axi_awready(dev_axi_awready),
        .m_axi_wdata(dev_axi_wdata),
        .m_axi_wstrb(dev_axi_wstrb),
        .m_axi_wlast(dev_axi_wlast),
        .m_axi_wvalid(dev_axi_wvalid),
        .m_axi_wready(dev_axi_wready),
        .m_axi_bid(dev_axi_bid),
        .m_axi_bresp(dev_axi_bresp),
        .m_axi_bvalid(dev_axi_bvalid),
        .m_axi_bready(dev_axi_bready),
        .m_axi_arid(dev_axi_arid),
        .m_axi_araddr(dev_axi_araddr),
        .m_axi_arlen(dev_axi_arlen),
        .m_axi_arsize(dev_axi_arsize),
        .m_axi_arburst(dev_axi_arburst),
        .m_axi_arlock(dev_axi_arlock),
        .m_axi_arcache(dev_axi_arcache),
        .m_axi_arprot(dev_axi_arprot),
        .m_axi_aruser(dev_axi_aruser),
        .m_axi_arvalid(dev_axi_arvalid),
        .m_axi_arready(dev_axi_arready),
        .m_axi_rid(dev_axi_rid),
        .m_axi_rdata(dev_axi_rdata),
        .m_axi_rresp(dev_axi_rresp),
        .m_axi_rlast(dev_axi_rlast),
        .m_axi_rvalid(dev_axi_rvalid),
        .m_axi_rready(dev_axi_rready),
        .irq(irq_dma)
    );

    smmu_top #(
        .SID_BITS(SID_BITS), .SSID_BITS(SSID_BITS), .DATA_WIDTH(DATA_WIDTH), .ID_WIDTH(ID_WIDTH),
        .ADDR_WIDTH(ADDR_WIDTH), .OAS_BITS(OAS_BITS), .IOTLB_ENTRIES(IOTLB_ENTRIES)
    ) u_smmu (
        .clk, .rst,
        .s_axil_awaddr(smmu_axil_awaddr),
        .s_axil_awprot(smmu_axil_awprot),
        .s_axil_awvalid(smmu_axil_awvalid),
        .s_axil_awready(smmu_axil_awready),
        .s_axil_wdata(smmu_axil_wdata),
        .s_axil_wstrb(smmu_axil_wstrb),
        .s_axil_wvalid(smmu_axil_wvalid),
        .s_axil_wready(smmu_axil_wready),
        .s_axil_bresp(smmu_axil_bresp),
        .s_axil_bvalid(smmu_axil_bvalid),
        .s_axil_bready(smmu_axil_bready),
        .s_axil_araddr(smmu_axil_araddr),
        .s_axil_arprot(smmu_axil_arprot),
        .s_axil_arvalid(smmu_axil_arvalid),
        .s_axil_arready(smmu_axil_arready),
        .s_axil_rdata(smmu_axil_rdata),
        .s_axil_rresp(smmu_axil_rresp),
        .s_axil_rvalid(smmu_axil_rvalid),
        .s_axil_rready(smmu_axil_rready),
        .s_axi_awid(dev_axi_awid),
        .s_axi_awaddr(dev_axi_awaddr),
        .s_axi_awlen(dev_axi_awlen),
        .s_axi_awsize(dev_axi_awsize),
        .s_axi_awburst(dev_axi_awburst),
        .s_axi_awlock(dev_axi_awlock),
        .s_axi_awcache(dev_axi_awcache),
        .s_axi_awprot(dev_axi_awprot),
        .s_axi_awuser(dev_axi_awuser),
        .s_axi_awvalid(dev_axi_awvalid),
        .s_axi_awready(dev_axi_awready),
        .s_axi_wdata(dev_axi_wdata),
        .s_axi_wstrb(dev_axi_wstrb),
        .s_axi_wlast(dev_axi_wlast),
        .s_axi_wvalid(dev_axi_wvalid),
        .s_axi_wready(dev_axi_wready),
        .s_axi_bid(dev_axi_bid),
        .s_axi_bresp(dev_axi_bresp),
        .s_axi_bvalid(dev_axi_bvalid),
        .s_axi_bready(dev_axi_bready),
        .s_axi_arid(dev_axi_arid),
        .s_axi_araddr(dev_axi_araddr),
        .s_axi_arlen(dev_axi_arlen),
        .s_axi_arsize(dev_axi_arsize),
        .s_axi_arburst(dev_axi_arburst),
        .s_axi_arlock(dev_axi_arlock),
        .s_axi_arcache(dev_axi_arcache),
        .s_axi_arprot(dev_axi_arprot),
        .s_axi_aruser(dev_axi_aruser),
        .s_axi_arvalid(dev_axi_arvalid),
        .s_axi_arready(dev_axi_arready),
        .s_axi_rid(dev_axi_rid),
        .s_axi_rdata(dev_axi_rdata),
        .s_axi_rresp(dev_axi_rresp),
        .s_axi_rlast(dev_axi_rlast),
        .s_axi_rvalid(dev_axi_rvalid),
        .s_axi_rready(dev_axi_rready),
        .m_axi_awid(m_axi_awid),
        .m_axi_awaddr(m_axi_awaddr),
        .m_axi_awlen(m_axi_awlen),
        .m_axi_awsize(m_axi_awsize),
        .m_axi_awburst(m_axi_awburst),
        .m_axi_awlock(m_axi_awlock),
        .m_axi_awcache(m_axi_awcache),
        .m_axi_awprot(m_axi_awprot),
        .m_axi_awvalid(m_axi_awvalid),
        .m_axi_awready(m_axi_awready),
        .m_axi_wdata(m_axi_wdata),
        .m_axi_wstrb(m_axi_wstrb),
        .m_axi_wlast(m_axi_wlast),
        .m_axi_wvalid(m_axi_wvalid),
        .m_axi_wready(m_axi_wready),
        .m_axi_bid(m_axi_bid),
        .m_axi_bresp(m_axi_bresp),
        .m_axi_bvalid(m_axi_bvalid),
        .m_axi_bready(m_axi_bready),
        .m_axi_arid(m_axi_arid),
        .m_axi_araddr(m_axi_araddr),
        .m_axi_arlen(m_axi_arlen),
        .m_axi_arsize(m_axi_arsize),
        .m_axi_arburst(m_axi_arburst),
        .m_axi_arlock(m_axi_arlock),
        .m_axi_arcache(m_axi_arcache),
        .m_axi_arprot(m_axi_arprot),
        .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(m_axi_arready),
        .m_axi_rid(m_axi_rid),
        .m_axi_rdata(m_axi_rdata),
        .m_axi_rresp(m_axi_rresp),
        .m_axi_rlast(m_axi_rlast),
        .m_axi_rvalid(m_axi_rvalid),
        .m_axi_rready(m_axi_rready),
        .irq_evtq, .irq_gerror, .irq_cmdq_sync
    );
endmodule
