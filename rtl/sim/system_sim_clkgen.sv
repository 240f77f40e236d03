// system_sim_clkgen: system_sim_dpi with the clock and reset generated in HDL (built
// with the --timing option). Python then runs no per-cycle clock callback at all: it only
// drives AXI-Lite and waits on interrupts. clk and rst are outputs so cocotb can still
// wait on edges. Same 4 ns period as the cocotb Clock of tb.common.tbutil, reset high
// for the first 10 rising edges. Used by tb/bench to compare clocking strategies.
module system_sim_clkgen #(
    parameter int SID_BITS      = 8,
    parameter int SSID_BITS     = 20,
    parameter int NDEV          = 2,
    parameter int NQ            = 4,
    parameter int DMA_SID       = 1,
    parameter int DATA_WIDTH    = 64,
    parameter int ID_WIDTH      = 4,
    parameter int ADDR_WIDTH    = 48,
    parameter int OAS_BITS      = 48,
    parameter int IOTLB_ENTRIES = 16,
    parameter int READ_LATENCY  = 10
) (
    output logic        clk,
    output logic        rst,

    input  logic [17:0]   s_axil_awaddr,
    input  logic [2:0]    s_axil_awprot,
    input  logic          s_axil_awvalid,
    output logic          s_axil_awready,
    input  logic [31:0]   s_axil_wdata,
    input  logic [3:0]    s_axil_wstrb,
    input  logic          s_axil_wvalid,
    output logic          s_axil_wready,
    output logic [1:0]    s_axil_bresp,
    output logic          s_axil_bvalid,
    input  logic          s_axil_bready,
    input  logic [17:0]   s_axil_araddr,
    input  logic [2:0]    s_axil_arprot,
    input  logic          s_axil_arvalid,
    output logic          s_axil_arready,
    output logic [31:0]   s_axil_rdata,
    output logic [1:0]    s_axil_rresp,
    output logic          s_axil_rvalid,
    input  logic          s_axil_rready,
    output logic        irq_evtq,
    output logic        irq_gerror,
    output logic        irq_cmdq_sync,
    output logic        irq_dma,
    output logic [NDEV-1:0] irq_dev
);
    initial clk = 1'b0;
    always #2 clk = ~clk;

    logic [3:0] rst_cnt;
    initial begin
        rst = 1'b1;
        rst_cnt = 4'd0;
    end
    always @(posedge clk) begin
        if (rst_cnt != 4'd10) rst_cnt <= rst_cnt + 4'd1;
        rst <= rst_cnt != 4'd10;
    end

    system_sim_dpi #(
        .SID_BITS(SID_BITS),
        .SSID_BITS(SSID_BITS),
        .NDEV(NDEV),
        .NQ(NQ),
        .DMA_SID(DMA_SID),
        .DATA_WIDTH(DATA_WIDTH),
        .ID_WIDTH(ID_WIDTH),
        .ADDR_WIDTH(ADDR_WIDTH),
        .OAS_BITS(OAS_BITS),
        .IOTLB_ENTRIES(IOTLB_ENTRIES),
        .READ_LATENCY(READ_LATENCY)
    ) u_sim (
        .clk, .rst,
        .s_axil_awaddr,
        .s_axil_awprot,
        .s_axil_awvalid,
        .s_axil_awready,
        .s_axil_wdata,
        .s_axil_wstrb,
        .s_axil_wvalid,
        .s_axil_wready,
        .s_axil_bresp,
        .s_axil_bvalid,
        .s_axil_bready,
        .s_axil_araddr,
        .s_axil_arprot,
        .s_axil_arvalid,
        .s_axil_arready,
        .s_axil_rdata,
        .s_axil_rresp,
        .s_axil_rvalid,
        .s_axil_rready,
        .irq_evtq,
        .irq_gerror,
        .irq_cmdq_sync,
        .irq_dma,
        .irq_dev
    );
endmodule
