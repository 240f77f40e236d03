// smmu_top: simplified SMMUv3-style translation unit (stage 1, AArch64, 4 KB granule).
//
//   s_axil_*  register interface (smmu_regs)
//   s_axi_*   upstream device port: untranslated traffic; a*user = {ssv, ssid[19:0], sid}
//   m_axi_*   downstream memory port: translated traffic + the SMMU's own table/queue accesses
module smmu_top #(
    parameter int SID_BITS      = 8,
    parameter int SSID_BITS     = 8,
    parameter int DATA_WIDTH    = 64,
    parameter int ID_WIDTH      = 4,            // device port IDs
    parameter int M_ID_WIDTH    = ID_WIDTH + 1, // memory port: one extra bit for SMMU-internal reads
    parameter int ADDR_WIDTH    = 48,           // input (virtual) address bits
    parameter int OAS_BITS      = 48,           // output (physical) address bits
    parameter int IOTLB_ENTRIES = 16,
    parameter int USER_WIDTH    = 1 + 20 + SID_BITS,
    parameter int STRB_WIDTH    = DATA_WIDTH / 8
) (
    input  logic                    clk,
    input  logic                    rst,

    // ---------------- register interface
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

    // ---------------- device port (AXI4 slave)
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

    // ---------------- memory port (AXI4 master)
    output logic [M_ID_WIDTH-1:0]   m_axi_awid,
    output logic [OAS_BITS-1:0]     m_axi_awaddr,
    output logic [7:0]              m_axi_awlen,
    output logic [2:0]              m_axi_awsize,
    output logic [1:0]              m_axi_awburst,
    output logic                    m_axi_awlock,
    output logic [3:0]              m_axi_awcache,
    output logic [2:0]              m_axi_awprot,
    output logic                    m_axi_awvalid,
    input  logic                    m_axi_awready,
    output logic [DATA_WIDTH-1:0]   m_axi_wdata,
    output logic [STRB_WIDTH-1:0]   m_axi_wstrb,
    output logic                    m_axi_wlast,
    output logic                    m_axi_wvalid,
    input  logic                    m_axi_wready,
    input  logic [M_ID_WIDTH-1:0]   m_axi_bid,
    input  logic [1:0]              m_axi_bresp,
    input  logic                    m_axi_bvalid,
    output logic                    m_axi_bready,
    output logic [M_ID_WIDTH-1:0]   m_axi_arid,
    output logic [OAS_BITS-1:0]     m_axi_araddr,
    output logic [7:0]              m_axi_arlen,
    output logic [2:0]              m_axi_arsize,
    output logic [1:0]              m_axi_arburst,
    output logic                    m_axi_arlock,
    output logic [3:0]              m_axi_arcache,
    output logic [2:0]              m_axi_arprot,
    output logic                    m_axi_arvalid,
    input  logic                    m_axi_arready,
    input  logic [M_ID_WIDTH-1:0]   m_axi_rid,
    input  logic [DATA_WIDTH-1:0]   m_axi_rdata,
    input  logic [1:0]              m_axi_rresp,
    input  logic                    m_axi_rlast,
    input  logic                    m_axi_rvalid,
    output logic                    m_axi_rready,

    // ---------------- interrupts (level)
    output logic                    irq_evtq,
    output logic                    irq_gerror,
    output logic                    irq_cmdq_sync
);
    logic        smmuen, evtqen, cmdqen, gbpa_abort;
    logic [OAS_BITS-1:0] strtab_base, cmdq_base, evtq_base;
    logic [5:0]  strtab_log2size;
    logic [4:0]  cmdq_log2size, evtq_log2size;
    logic [19:0] cmdq_prod;
    logic [31:0] cmdq_cons, evtq_cons, evtq_prod;
    logic [8:0]  gerror_active;

    smmu_regs #(
        .SID_BITS(SID_BITS), .SSID_BITS(SSID_BITS), .OAS_BITS(OAS_BITS)
    ) u_regs (
        .clk, .rst,
        .s_axil_awaddr, .s_axil_awprot, .s_axil_awvalid, .s_axil_awready,
        .s_axil_wdata, .s_axil_wstrb, .s_axil_wvalid, .s_axil_wready,
        .s_axil_bresp, .s_axil_bvalid, .s_axil_bready,
        .s_axil_araddr, .s_axil_arprot, .s_axil_arvalid, .s_axil_arready,
        .s_axil_rdata, .s_axil_rresp, .s_axil_rvalid, .s_axil_rready,
        .smmuen, .evtqen, .cmdqen, .cr0_busy(1'b0), .gbpa_abort,
        .strtab_base, .strtab_log2size,
        .cmdq_base, .cmdq_log2size, .cmdq_prod, .cmdq_cons,
        .cmdq_cons_we(1'b0), .cmdq_cons_wdata(32'b0),
        .evtq_base, .evtq_log2size, .evtq_cons, .evtq_prod,
        .evtq_prod_we(1'b0), .evtq_prod_wdata(32'b0),
        .gerror_toggle(9'b0), .gerror_active,
        .irq_gerror, .irq_evtq
    );

    // Device and memory ports: the translation path is issue 3 (smmu_xlate et al.).
    // Until it lands the device port accepts nothing and the memory port is idle.
    assign s_axi_awready = 1'b0;
    assign s_axi_wready  = 1'b0;
    assign s_axi_bid     = '0;
    assign s_axi_bresp   = 2'b00;
    assign s_axi_bvalid  = 1'b0;
    assign s_axi_arready = 1'b0;
    assign s_axi_rid     = '0;
    assign s_axi_rdata   = '0;
    assign s_axi_rresp   = 2'b00;
    assign s_axi_rlast   = 1'b0;
    assign s_axi_rvalid  = 1'b0;
    assign m_axi_awid = '0; assign m_axi_awaddr = '0; assign m_axi_awlen = '0;
    assign m_axi_awsize = '0; assign m_axi_awburst = '0; assign m_axi_awlock = 1'b0;
    assign m_axi_awcache = '0; assign m_axi_awprot = '0; assign m_axi_awvalid = 1'b0;
    assign m_axi_wdata = '0; assign m_axi_wstrb = '0; assign m_axi_wlast = 1'b0;
    assign m_axi_wvalid = 1'b0; assign m_axi_bready = 1'b1;
    assign m_axi_arid = '0; assign m_axi_araddr = '0; assign m_axi_arlen = '0;
    assign m_axi_arsize = '0; assign m_axi_arburst = '0; assign m_axi_arlock = 1'b0;
    assign m_axi_arcache = '0; assign m_axi_arprot = '0; assign m_axi_arvalid = 1'b0;
    assign m_axi_rready = 1'b1;
    assign irq_cmdq_sync = 1'b0;

    // Inputs the translation path will consume (issue 3); collected so lint stays meaningful.
    wire unused_until_xlate = &{1'b0, s_axi_awid, s_axi_awaddr, s_axi_awlen, s_axi_awsize,
        s_axi_awburst, s_axi_awlock, s_axi_awcache, s_axi_awprot, s_axi_awuser, s_axi_awvalid,
        s_axi_wdata, s_axi_wstrb, s_axi_wlast, s_axi_wvalid, s_axi_bready, s_axi_arid,
        s_axi_araddr, s_axi_arlen, s_axi_arsize, s_axi_arburst, s_axi_arlock, s_axi_arcache,
        s_axi_arprot, s_axi_aruser, s_axi_arvalid, s_axi_rready, m_axi_awready, m_axi_wready,
        m_axi_bid, m_axi_bresp, m_axi_bvalid, m_axi_arready, m_axi_rid, m_axi_rdata, m_axi_rresp,
        m_axi_rlast, m_axi_rvalid, smmuen, evtqen, cmdqen, gbpa_abort, strtab_base, cmdq_base,
        evtq_base, strtab_log2size, cmdq_log2size, evtq_log2size, cmdq_prod, cmdq_cons,
        evtq_cons, evtq_prod, gerror_active, IOTLB_ENTRIES[0]};
endmodule
