// system_top: NDEV accelerators behind the SMMU, one register window for all.
//
//   s_axil_* ──axil_split──┬─ 0x00000-0x1FFFF  SMMU registers (pages 0 and 1)
//                          └─ 0x20000-...      sys_axil_demux: accelerator k's registers
//                                              at 0x20000 + k*0x1000 (4 KB each)
//   accelerator k (dma_top, StreamID DMA_SID + k, interrupt irq_dev[k]).m_axi
//       ──sys_axi_arb (id = {k, id}, round-robin)──> smmu_top.s_axi (device port; W and R
//         through a register slice each, skid_buf)
//   smmu_top.m_axi (translated) ─┬─sys_axi_arb─> m_axi_* (memory; in simulation
//   smmu_top.m_tw_axi (own)     ─┘               cocotbext-axi's AxiRam or, in
//                                                system_sim_dpi, the HDL-side RAM)
// irq_dma is irq_dev[0] (kept for single-device benches). NDEV >= 1; each accelerator gets
// ID_WIDTH - SW AXI ID bits (dma_top needs >= 2 + log2(NE) = 3: NDEV 3..4 needs ID_WIDTH 5).
// Address map: pasidsim.sysmap.
// Synthesizable: no simulation models inside.
module system_top #(
    parameter int SID_BITS      = 8,
    parameter int SSID_BITS     = 20,
    parameter int NDEV          = 2,     // accelerators
    parameter int NQ            = 4,
    parameter int DMA_SID       = 1,     // StreamID of accelerator 0; k has DMA_SID + k
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
    output logic                        irq_dma,
    output logic [NDEV-1:0]             irq_dev
);
    localparam int SW  = (NDEV > 1) ? $clog2(NDEV) : 1;  // device-select bits (window, AXI ID)
    localparam int SIW = ID_WIDTH - SW;                   // each accelerator's AXI ID bits

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
    // port 1 of axil_split: the accelerators' windows, then one 4 KB window each
    logic [11+SW:0]                devs_axil_awaddr;
    logic [2:0]                    devs_axil_awprot;
    logic                          devs_axil_awvalid;
    logic                          devs_axil_awready;
    logic [31:0]                   devs_axil_wdata;
    logic [3:0]                    devs_axil_wstrb;
    logic                          devs_axil_wvalid;
    logic                          devs_axil_wready;
    logic [1:0]                    devs_axil_bresp;
    logic                          devs_axil_bvalid;
    logic                          devs_axil_bready;
    logic [11+SW:0]                devs_axil_araddr;
    logic [2:0]                    devs_axil_arprot;
    logic                          devs_axil_arvalid;
    logic                          devs_axil_arready;
    logic [31:0]                   devs_axil_rdata;
    logic [1:0]                    devs_axil_rresp;
    logic                          devs_axil_rvalid;
    logic                          devs_axil_rready;
    logic [NDEV*12-1:0]            dma_axil_awaddr;
    logic [NDEV*3-1:0]             dma_axil_awprot;
    logic [NDEV-1:0]               dma_axil_awvalid;
    logic [NDEV-1:0]               dma_axil_awready;
    logic [NDEV*32-1:0]            dma_axil_wdata;
    logic [NDEV*4-1:0]             dma_axil_wstrb;
    logic [NDEV-1:0]               dma_axil_wvalid;
    logic [NDEV-1:0]               dma_axil_wready;
    logic [NDEV*2-1:0]             dma_axil_bresp;
    logic [NDEV-1:0]               dma_axil_bvalid;
    logic [NDEV-1:0]               dma_axil_bready;
    logic [NDEV*12-1:0]            dma_axil_araddr;
    logic [NDEV*3-1:0]             dma_axil_arprot;
    logic [NDEV-1:0]               dma_axil_arvalid;
    logic [NDEV-1:0]               dma_axil_arready;
    logic [NDEV*32-1:0]            dma_axil_rdata;
    logic [NDEV*2-1:0]             dma_axil_rresp;
    logic [NDEV-1:0]               dma_axil_rvalid;
    logic [NDEV-1:0]               dma_axil_rready;
    // the accelerators' AXI4 masters, flattened (device k at [k*W +: W]), into sys_axi_arb
    logic [NDEV*SIW-1:0]           acc_axi_awid;
    logic [NDEV*ADDR_WIDTH-1:0]    acc_axi_awaddr;
    logic [NDEV*8-1:0]             acc_axi_awlen;
    logic [NDEV*3-1:0]             acc_axi_awsize;
    logic [NDEV*2-1:0]             acc_axi_awburst;
    logic [NDEV-1:0]               acc_axi_awlock;
    logic [NDEV*4-1:0]             acc_axi_awcache;
    logic [NDEV*3-1:0]             acc_axi_awprot;
    logic [NDEV*USER_WIDTH-1:0]    acc_axi_awuser;
    logic [NDEV-1:0]               acc_axi_awvalid;
    logic [NDEV-1:0]               acc_axi_awready;
    logic [NDEV*DATA_WIDTH-1:0]    acc_axi_wdata;
    logic [NDEV*DATA_WIDTH/8-1:0]  acc_axi_wstrb;
    logic [NDEV-1:0]               acc_axi_wlast;
    logic [NDEV-1:0]               acc_axi_wvalid;
    logic [NDEV-1:0]               acc_axi_wready;
    logic [NDEV*SIW-1:0]           acc_axi_bid;
    logic [NDEV*2-1:0]             acc_axi_bresp;
    logic [NDEV-1:0]               acc_axi_bvalid;
    logic [NDEV-1:0]               acc_axi_bready;
    logic [NDEV*SIW-1:0]           acc_axi_arid;
    logic [NDEV*ADDR_WIDTH-1:0]    acc_axi_araddr;
    logic [NDEV*8-1:0]             acc_axi_arlen;
    logic [NDEV*3-1:0]             acc_axi_arsize;
    logic [NDEV*2-1:0]             acc_axi_arburst;
    logic [NDEV-1:0]               acc_axi_arlock;
    logic [NDEV*4-1:0]             acc_axi_arcache;
    logic [NDEV*3-1:0]             acc_axi_arprot;
    logic [NDEV*USER_WIDTH-1:0]    acc_axi_aruser;
    logic [NDEV-1:0]               acc_axi_arvalid;
    logic [NDEV-1:0]               acc_axi_arready;
    logic [NDEV*SIW-1:0]           acc_axi_rid;
    logic [NDEV*DATA_WIDTH-1:0]    acc_axi_rdata;
    logic [NDEV*2-1:0]             acc_axi_rresp;
    logic [NDEV-1:0]               acc_axi_rlast;
    logic [NDEV-1:0]               acc_axi_rvalid;
    logic [NDEV-1:0]               acc_axi_rready;
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

    axil_split #(.ADDR_WIDTH(18), .SEL_BIT(17), .A0_WIDTH(17), .A1_WIDTH(12 + SW)) u_axil_split (
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
        .m1_axil_awaddr(devs_axil_awaddr),
        .m1_axil_awprot(devs_axil_awprot),
        .m1_axil_awvalid(devs_axil_awvalid),
        .m1_axil_awready(devs_axil_awready),
        .m1_axil_wdata(devs_axil_wdata),
        .m1_axil_wstrb(devs_axil_wstrb),
        .m1_axil_wvalid(devs_axil_wvalid),
        .m1_axil_wready(devs_axil_wready),
        .m1_axil_bresp(devs_axil_bresp),
        .m1_axil_bvalid(devs_axil_bvalid),
        .m1_axil_bready(devs_axil_bready),
        .m1_axil_araddr(devs_axil_araddr),
        .m1_axil_arprot(devs_axil_arprot),
        .m1_axil_arvalid(devs_axil_arvalid),
        .m1_axil_arready(devs_axil_arready),
        .m1_axil_rdata(devs_axil_rdata),
        .m1_axil_rresp(devs_axil_rresp),
        .m1_axil_rvalid(devs_axil_rvalid),
        .m1_axil_rready(devs_axil_rready)
    );

    sys_axil_demux #(.NDEV(NDEV), .AW(12), .SW(SW)) u_dev_demux (
        .clk, .rst,
        .s_axil_awaddr(devs_axil_awaddr),
        .s_axil_awprot(devs_axil_awprot),
        .s_axil_awvalid(devs_axil_awvalid),
        .s_axil_awready(devs_axil_awready),
        .s_axil_wdata(devs_axil_wdata),
        .s_axil_wstrb(devs_axil_wstrb),
        .s_axil_wvalid(devs_axil_wvalid),
        .s_axil_wready(devs_axil_wready),
        .s_axil_bresp(devs_axil_bresp),
        .s_axil_bvalid(devs_axil_bvalid),
        .s_axil_bready(devs_axil_bready),
        .s_axil_araddr(devs_axil_araddr),
        .s_axil_arprot(devs_axil_arprot),
        .s_axil_arvalid(devs_axil_arvalid),
        .s_axil_arready(devs_axil_arready),
        .s_axil_rdata(devs_axil_rdata),
        .s_axil_rresp(devs_axil_rresp),
        .s_axil_rvalid(devs_axil_rvalid),
        .s_axil_rready(devs_axil_rready),
        .m_axil_awaddr(dma_axil_awaddr),
        .m_axil_awprot(dma_axil_awprot),
        .m_axil_awvalid(dma_axil_awvalid),
        .m_axil_awready(dma_axil_awready),
        .m_axil_wdata(dma_axil_wdata),
        .m_axil_wstrb(dma_axil_wstrb),
        .m_axil_wvalid(dma_axil_wvalid),
        .m_axil_wready(dma_axil_wready),
        .m_axil_bresp(dma_axil_bresp),
        .m_axil_bvalid(dma_axil_bvalid),
        .m_axil_bready(dma_axil_bready),
        .m_axil_araddr(dma_axil_araddr),
        .m_axil_arprot(dma_axil_arprot),
        .m_axil_arvalid(dma_axil_arvalid),
        .m_axil_arready(dma_axil_arready),
        .m_axil_rdata(dma_axil_rdata),
        .m_axil_rresp(dma_axil_rresp),
        .m_axil_rvalid(dma_axil_rvalid),
        .m_axil_rready(dma_axil_rready)
    );

    for (genvar k = 0; k < NDEV; k++) begin : g_dev
        dma_top #(
            .NQ(NQ), .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(ADDR_WIDTH), .ID_WIDTH(SIW),
            .SID_BITS(SID_BITS), .SID(DMA_SID + k), .AXIL_ADDR_WIDTH(12)
        ) u_dma (
            .clk, .rst,
            .s_axil_awaddr(dma_axil_awaddr[k*12 +: 12]),
            .s_axil_awprot(dma_axil_awprot[k*3 +: 3]),
            .s_axil_awvalid(dma_axil_awvalid[k]),
            .s_axil_awready(dma_axil_awready[k]),
            .s_axil_wdata(dma_axil_wdata[k*32 +: 32]),
            .s_axil_wstrb(dma_axil_wstrb[k*4 +: 4]),
            .s_axil_wvalid(dma_axil_wvalid[k]),
            .s_axil_wready(dma_axil_wready[k]),
            .s_axil_bresp(dma_axil_bresp[k*2 +: 2]),
            .s_axil_bvalid(dma_axil_bvalid[k]),
            .s_axil_bready(dma_axil_bready[k]),
            .s_axil_araddr(dma_axil_araddr[k*12 +: 12]),
            .s_axil_arprot(dma_axil_arprot[k*3 +: 3]),
            .s_axil_arvalid(dma_axil_arvalid[k]),
            .s_axil_arready(dma_axil_arready[k]),
            .s_axil_rdata(dma_axil_rdata[k*32 +: 32]),
            .s_axil_rresp(dma_axil_rresp[k*2 +: 2]),
            .s_axil_rvalid(dma_axil_rvalid[k]),
            .s_axil_rready(dma_axil_rready[k]),
            .m_axi_awid(acc_axi_awid[k*SIW +: SIW]),
            .m_axi_awaddr(acc_axi_awaddr[k*ADDR_WIDTH +: ADDR_WIDTH]),
            .m_axi_awlen(acc_axi_awlen[k*8 +: 8]),
            .m_axi_awsize(acc_axi_awsize[k*3 +: 3]),
            .m_axi_awburst(acc_axi_awburst[k*2 +: 2]),
            .m_axi_awlock(acc_axi_awlock[k]),
            .m_axi_awcache(acc_axi_awcache[k*4 +: 4]),
            .m_axi_awprot(acc_axi_awprot[k*3 +: 3]),
            .m_axi_awuser(acc_axi_awuser[k*USER_WIDTH +: USER_WIDTH]),
            .m_axi_awvalid(acc_axi_awvalid[k]),
            .m_axi_awready(acc_axi_awready[k]),
            .m_axi_wdata(acc_axi_wdata[k*DATA_WIDTH +: DATA_WIDTH]),
            .m_axi_wstrb(acc_axi_wstrb[k*DATA_WIDTH/8 +: DATA_WIDTH/8]),
            .m_axi_wlast(acc_axi_wlast[k]),
            .m_axi_wvalid(acc_axi_wvalid[k]),
            .m_axi_wready(acc_axi_wready[k]),
            .m_axi_bid(acc_axi_bid[k*SIW +: SIW]),
            .m_axi_bresp(acc_axi_bresp[k*2 +: 2]),
            .m_axi_bvalid(acc_axi_bvalid[k]),
            .m_axi_bready(acc_axi_bready[k]),
            .m_axi_arid(acc_axi_arid[k*SIW +: SIW]),
            .m_axi_araddr(acc_axi_araddr[k*ADDR_WIDTH +: ADDR_WIDTH]),
            .m_axi_arlen(acc_axi_arlen[k*8 +: 8]),
            .m_axi_arsize(acc_axi_arsize[k*3 +: 3]),
            .m_axi_arburst(acc_axi_arburst[k*2 +: 2]),
            .m_axi_arlock(acc_axi_arlock[k]),
            .m_axi_arcache(acc_axi_arcache[k*4 +: 4]),
            .m_axi_arprot(acc_axi_arprot[k*3 +: 3]),
            .m_axi_aruser(acc_axi_aruser[k*USER_WIDTH +: USER_WIDTH]),
            .m_axi_arvalid(acc_axi_arvalid[k]),
            .m_axi_arready(acc_axi_arready[k]),
            .m_axi_rid(acc_axi_rid[k*SIW +: SIW]),
            .m_axi_rdata(acc_axi_rdata[k*DATA_WIDTH +: DATA_WIDTH]),
            .m_axi_rresp(acc_axi_rresp[k*2 +: 2]),
            .m_axi_rlast(acc_axi_rlast[k]),
            .m_axi_rvalid(acc_axi_rvalid[k]),
            .m_axi_rready(acc_axi_rready[k]),
            .irq(irq_dev[k])
        );
    end
    assign irq_dma = irq_dev[0];

    // ID-extended N:1 merge: device k's transactions reach the SMMU with id = {k, id}
    sys_axi_arb #(
        .NDEV(NDEV), .ID_WIDTH(ID_WIDTH), .DB(SW), .SIW(SIW), .ADDR_WIDTH(ADDR_WIDTH),
        .DATA_WIDTH(DATA_WIDTH), .USER_WIDTH(USER_WIDTH)
    ) u_dev_arb (
        .clk, .rst,
        .s_axi_awid(acc_axi_awid),
        .s_axi_awaddr(acc_axi_awaddr),
        .s_axi_awlen(acc_axi_awlen),
        .s_axi_awsize(acc_axi_awsize),
        .s_axi_awburst(acc_axi_awburst),
        .s_axi_awlock(acc_axi_awlock),
        .s_axi_awcache(acc_axi_awcache),
        .s_axi_awprot(acc_axi_awprot),
        .s_axi_awuser(acc_axi_awuser),
        .s_axi_awvalid(acc_axi_awvalid),
        .s_axi_awready(acc_axi_awready),
        .s_axi_wdata(acc_axi_wdata),
        .s_axi_wstrb(acc_axi_wstrb),
        .s_axi_wlast(acc_axi_wlast),
        .s_axi_wvalid(acc_axi_wvalid),
        .s_axi_wready(acc_axi_wready),
        .s_axi_bid(acc_axi_bid),
        .s_axi_bresp(acc_axi_bresp),
        .s_axi_bvalid(acc_axi_bvalid),
        .s_axi_bready(acc_axi_bready),
        .s_axi_arid(acc_axi_arid),
        .s_axi_araddr(acc_axi_araddr),
        .s_axi_arlen(acc_axi_arlen),
        .s_axi_arsize(acc_axi_arsize),
        .s_axi_arburst(acc_axi_arburst),
        .s_axi_arlock(acc_axi_arlock),
        .s_axi_arcache(acc_axi_arcache),
        .s_axi_arprot(acc_axi_arprot),
        .s_axi_aruser(acc_axi_aruser),
        .s_axi_arvalid(acc_axi_arvalid),
        .s_axi_arready(acc_axi_arready),
        .s_axi_rid(acc_axi_rid),
        .s_axi_rdata(acc_axi_rdata),
        .s_axi_rresp(acc_axi_rresp),
        .s_axi_rlast(acc_axi_rlast),
        .s_axi_rvalid(acc_axi_rvalid),
        .s_axi_rready(acc_axi_rready),
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
        .m_axi_rready(dev_axi_rready)
    );

    // ---------------------------------------------------------------- device-port slices
    // W and R between sys_axi_arb and the SMMU's device port pass a register slice each:
    // W ready (the SMMU's write path) and R ready (each accelerator's data FIFO) then end
    // at a register instead of running through sys_axi_arb into the other side's logic
    // (FPGA timing, docs/synthesis.md). One cycle more on each; full throughput.
    localparam int WW = DATA_WIDTH + DATA_WIDTH / 8 + 1;
    localparam int RW = ID_WIDTH + DATA_WIDTH + 2 + 1;
    logic [DATA_WIDTH-1:0]   sd_axi_wdata, sd_axi_rdata;
    logic [DATA_WIDTH/8-1:0] sd_axi_wstrb;
    logic                    sd_axi_wlast, sd_axi_wvalid, sd_axi_wready;
    logic [ID_WIDTH-1:0]     sd_axi_rid;
    logic [1:0]              sd_axi_rresp;
    logic                    sd_axi_rlast, sd_axi_rvalid, sd_axi_rready;
    skid_buf #(.W(WW)) u_w_slice (
        .clk, .rst,
        .in_valid(dev_axi_wvalid), .in_ready(dev_axi_wready),
        .in_data({dev_axi_wdata, dev_axi_wstrb, dev_axi_wlast}),
        .out_valid(sd_axi_wvalid), .out_ready(sd_axi_wready),
        .out_data({sd_axi_wdata, sd_axi_wstrb, sd_axi_wlast})
    );
    skid_buf #(.W(RW)) u_r_slice (
        .clk, .rst,
        .in_valid(sd_axi_rvalid), .in_ready(sd_axi_rready),
        .in_data({sd_axi_rid, sd_axi_rdata, sd_axi_rresp, sd_axi_rlast}),
        .out_valid(dev_axi_rvalid), .out_ready(dev_axi_rready),
        .out_data({dev_axi_rid, dev_axi_rdata, dev_axi_rresp, dev_axi_rlast})
    );

    // ---------------------------------------------------------------- memory port
    // smmu_top's two masters, [0] downstream (translated traffic, ID top bit 0) and [1]
    // table-walk (the SMMU's own accesses, ID top bit 1), meet at the one memory port
    // through sys_axi_arb. Their IDs are distinct already: the merge's {k, id} with
    // id = the low ID_WIDTH bits gives every ID back unchanged.
    logic [1:0][ID_WIDTH:0] sm_axi_awid, sm_axi_bid, sm_axi_arid, sm_axi_rid;
    logic [1:0][OAS_BITS-1:0] sm_axi_awaddr, sm_axi_araddr;
    logic [1:0][7:0] sm_axi_awlen, sm_axi_arlen;
    logic [1:0][2:0] sm_axi_awsize, sm_axi_awprot, sm_axi_arsize, sm_axi_arprot;
    logic [1:0][1:0] sm_axi_awburst, sm_axi_bresp, sm_axi_arburst, sm_axi_rresp;
    logic [1:0] sm_axi_awlock, sm_axi_awvalid, sm_axi_awready, sm_axi_wlast, sm_axi_wvalid,
                sm_axi_wready, sm_axi_bvalid, sm_axi_bready, sm_axi_arlock, sm_axi_arvalid,
                sm_axi_arready, sm_axi_rlast, sm_axi_rvalid, sm_axi_rready;
    logic [1:0][3:0] sm_axi_awcache, sm_axi_arcache;
    logic [1:0][DATA_WIDTH-1:0] sm_axi_wdata, sm_axi_rdata;
    logic [1:0][DATA_WIDTH/8-1:0] sm_axi_wstrb;
    logic [1:0][ID_WIDTH-1:0] mg_awid, mg_bid, mg_arid, mg_rid;
    logic [1:0] mg_awuser, mg_aruser;   // no user signals on the memory side
    always_comb
        for (int k = 0; k < 2; k++) begin
            mg_awid[k] = sm_axi_awid[k][ID_WIDTH-1:0];
            mg_arid[k] = sm_axi_arid[k][ID_WIDTH-1:0];
            sm_axi_bid[k] = {k[0], mg_bid[k]};
            sm_axi_rid[k] = {k[0], mg_rid[k]};
        end
    assign mg_awuser = '0;
    assign mg_aruser = '0;
    logic m_axi_awuser, m_axi_aruser;

    sys_axi_arb #(
        .NDEV(2), .ID_WIDTH(ID_WIDTH + 1), .ADDR_WIDTH(OAS_BITS), .DATA_WIDTH(DATA_WIDTH),
        .USER_WIDTH(1)
    ) u_mem_merge (
        .clk, .rst,
        .s_axi_awid(mg_awid), .m_axi_awid,
        .s_axi_awaddr(sm_axi_awaddr), .m_axi_awaddr,
        .s_axi_awlen(sm_axi_awlen), .m_axi_awlen,
        .s_axi_awsize(sm_axi_awsize), .m_axi_awsize,
        .s_axi_awburst(sm_axi_awburst), .m_axi_awburst,
        .s_axi_awlock(sm_axi_awlock), .m_axi_awlock,
        .s_axi_awcache(sm_axi_awcache), .m_axi_awcache,
        .s_axi_awprot(sm_axi_awprot), .m_axi_awprot,
        .s_axi_awvalid(sm_axi_awvalid), .m_axi_awvalid,
        .s_axi_awuser(mg_awuser), .m_axi_awuser,
        .s_axi_awready(sm_axi_awready), .m_axi_awready,
        .s_axi_wdata(sm_axi_wdata), .m_axi_wdata,
        .s_axi_wstrb(sm_axi_wstrb), .m_axi_wstrb,
        .s_axi_wlast(sm_axi_wlast), .m_axi_wlast,
        .s_axi_wvalid(sm_axi_wvalid), .m_axi_wvalid,
        .s_axi_wready(sm_axi_wready), .m_axi_wready,
        .s_axi_bid(mg_bid), .m_axi_bid,
        .s_axi_bresp(sm_axi_bresp), .m_axi_bresp,
        .s_axi_bvalid(sm_axi_bvalid), .m_axi_bvalid,
        .s_axi_bready(sm_axi_bready), .m_axi_bready,
        .s_axi_arid(mg_arid), .m_axi_arid,
        .s_axi_araddr(sm_axi_araddr), .m_axi_araddr,
        .s_axi_arlen(sm_axi_arlen), .m_axi_arlen,
        .s_axi_arsize(sm_axi_arsize), .m_axi_arsize,
        .s_axi_arburst(sm_axi_arburst), .m_axi_arburst,
        .s_axi_arlock(sm_axi_arlock), .m_axi_arlock,
        .s_axi_arcache(sm_axi_arcache), .m_axi_arcache,
        .s_axi_arprot(sm_axi_arprot), .m_axi_arprot,
        .s_axi_arvalid(sm_axi_arvalid), .m_axi_arvalid,
        .s_axi_aruser(mg_aruser), .m_axi_aruser,
        .s_axi_arready(sm_axi_arready), .m_axi_arready,
        .s_axi_rid(mg_rid), .m_axi_rid,
        .s_axi_rdata(sm_axi_rdata), .m_axi_rdata,
        .s_axi_rresp(sm_axi_rresp), .m_axi_rresp,
        .s_axi_rlast(sm_axi_rlast), .m_axi_rlast,
        .s_axi_rvalid(sm_axi_rvalid), .m_axi_rvalid,
        .s_axi_rready(sm_axi_rready), .m_axi_rready
    );
    wire unused_mem_user = &{1'b0, m_axi_awuser, m_axi_aruser, sm_axi_awid[0][ID_WIDTH],
                            sm_axi_awid[1][ID_WIDTH], sm_axi_arid[0][ID_WIDTH], sm_axi_arid[1][ID_WIDTH]};

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
        .s_axi_wdata(sd_axi_wdata),
        .s_axi_wstrb(sd_axi_wstrb),
        .s_axi_wlast(sd_axi_wlast),
        .s_axi_wvalid(sd_axi_wvalid),
        .s_axi_wready(sd_axi_wready),
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
        .s_axi_rid(sd_axi_rid),
        .s_axi_rdata(sd_axi_rdata),
        .s_axi_rresp(sd_axi_rresp),
        .s_axi_rlast(sd_axi_rlast),
        .s_axi_rvalid(sd_axi_rvalid),
        .s_axi_rready(sd_axi_rready),
        .m_axi_awid(sm_axi_awid[0]),
        .m_axi_awaddr(sm_axi_awaddr[0]),
        .m_axi_awlen(sm_axi_awlen[0]),
        .m_axi_awsize(sm_axi_awsize[0]),
        .m_axi_awburst(sm_axi_awburst[0]),
        .m_axi_awlock(sm_axi_awlock[0]),
        .m_axi_awcache(sm_axi_awcache[0]),
        .m_axi_awprot(sm_axi_awprot[0]),
        .m_axi_awvalid(sm_axi_awvalid[0]),
        .m_axi_awready(sm_axi_awready[0]),
        .m_axi_wdata(sm_axi_wdata[0]),
        .m_axi_wstrb(sm_axi_wstrb[0]),
        .m_axi_wlast(sm_axi_wlast[0]),
        .m_axi_wvalid(sm_axi_wvalid[0]),
        .m_axi_wready(sm_axi_wready[0]),
        .m_axi_bid(sm_axi_bid[0]),
        .m_axi_bresp(sm_axi_bresp[0]),
        .m_axi_bvalid(sm_axi_bvalid[0]),
        .m_axi_bready(sm_axi_bready[0]),
        .m_axi_arid(sm_axi_arid[0]),
        .m_axi_araddr(sm_axi_araddr[0]),
        .m_axi_arlen(sm_axi_arlen[0]),
        .m_axi_arsize(sm_axi_arsize[0]),
        .m_axi_arburst(sm_axi_arburst[0]),
        .m_axi_arlock(sm_axi_arlock[0]),
        .m_axi_arcache(sm_axi_arcache[0]),
        .m_axi_arprot(sm_axi_arprot[0]),
        .m_axi_arvalid(sm_axi_arvalid[0]),
        .m_axi_arready(sm_axi_arready[0]),
        .m_axi_rid(sm_axi_rid[0]),
        .m_axi_rdata(sm_axi_rdata[0]),
        .m_axi_rresp(sm_axi_rresp[0]),
        .m_axi_rlast(sm_axi_rlast[0]),
        .m_axi_rvalid(sm_axi_rvalid[0]),
        .m_axi_rready(sm_axi_rready[0]),
        .m_tw_axi_awid(sm_axi_awid[1]),
        .m_tw_axi_awaddr(sm_axi_awaddr[1]),
        .m_tw_axi_awlen(sm_axi_awlen[1]),
        .m_tw_axi_awsize(sm_axi_awsize[1]),
        .m_tw_axi_awburst(sm_axi_awburst[1]),
        .m_tw_axi_awlock(sm_axi_awlock[1]),
        .m_tw_axi_awcache(sm_axi_awcache[1]),
        .m_tw_axi_awprot(sm_axi_awprot[1]),
        .m_tw_axi_awvalid(sm_axi_awvalid[1]),
        .m_tw_axi_awready(sm_axi_awready[1]),
        .m_tw_axi_wdata(sm_axi_wdata[1]),
        .m_tw_axi_wstrb(sm_axi_wstrb[1]),
        .m_tw_axi_wlast(sm_axi_wlast[1]),
        .m_tw_axi_wvalid(sm_axi_wvalid[1]),
        .m_tw_axi_wready(sm_axi_wready[1]),
        .m_tw_axi_bid(sm_axi_bid[1]),
        .m_tw_axi_bresp(sm_axi_bresp[1]),
        .m_tw_axi_bvalid(sm_axi_bvalid[1]),
        .m_tw_axi_bready(sm_axi_bready[1]),
        .m_tw_axi_arid(sm_axi_arid[1]),
        .m_tw_axi_araddr(sm_axi_araddr[1]),
        .m_tw_axi_arlen(sm_axi_arlen[1]),
        .m_tw_axi_arsize(sm_axi_arsize[1]),
        .m_tw_axi_arburst(sm_axi_arburst[1]),
        .m_tw_axi_arlock(sm_axi_arlock[1]),
        .m_tw_axi_arcache(sm_axi_arcache[1]),
        .m_tw_axi_arprot(sm_axi_arprot[1]),
        .m_tw_axi_arvalid(sm_axi_arvalid[1]),
        .m_tw_axi_arready(sm_axi_arready[1]),
        .m_tw_axi_rid(sm_axi_rid[1]),
        .m_tw_axi_rdata(sm_axi_rdata[1]),
        .m_tw_axi_rresp(sm_axi_rresp[1]),
        .m_tw_axi_rlast(sm_axi_rlast[1]),
        .m_tw_axi_rvalid(sm_axi_rvalid[1]),
        .m_tw_axi_rready(sm_axi_rready[1]),
        .irq_evtq, .irq_gerror, .irq_cmdq_sync
    );
endmodule
