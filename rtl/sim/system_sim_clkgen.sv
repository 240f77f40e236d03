// system_sim_clkgen: system_sim_dpi with the clock and reset generated in HDL (built
// with the --timing option). Python then runs no per-cycle clock callback at all: it only
// drives AXI-Lite and waits on interrupts. clk and rst are outputs so cocotb can still
// wait on edges. Same 4 ns period as the cocotb Clock of tb.common.tbutil, reset high
// for the first 10 rising edges. Used by tb/bench to compare clocking strategies.
//
// Outputs to the testbench change only at falling edges, where they take the design's
// values (what a clocking block's input skew does). Why: cocotb's edge callbacks run
// after Verilator has evaluated the time step, and with the clock made in HDL that
// evaluation contains the rising edge itself, so a callback would read the design's
// post-edge outputs. A cocotbext-axi master samples ready at its RisingEdge and then
// drives the next payload: it took WREADY rising *at* an edge for a handshake *at* that
// edge, changed W one cycle early, and the design took the wrong beat (the AXI checker's
// PAYLOAD_STABLE). With a cocotb Clock the callbacks run before the edge is evaluated.
// Here, at a rising edge the testbench reads values taken at the falling edge before it:
// the design's outputs after the previous edge and after the testbench's own writes,
// i.e. what the design sees at this edge. (Not a flop on the rising edge: its output
// would change in the same time step as clk, and cocotbext-axi's sinks, which sleep until
// RisingEdge(valid) and then wait for the next clock edge, would miss a beat.) Inputs
// need nothing: cocotb's writes are applied after the edge's evaluation, i.e. for the
// next edge, as with a cocotb Clock.
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

    // outputs below (ready, B, R, irq_*): the design's values, taken at falling edges
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

    logic            awready, wready, bvalid, arready, rvalid;
    logic [1:0]      bresp, rresp;
    logic [31:0]     rdata;
    logic            evtq, gerror, cmdq_sync, dma;
    logic [NDEV-1:0] dev;

    // between two rising edges only the falling edge comes: the design's outputs are
    // settled by then and stay so until the next rising edge, which acts on these values
    always_ff @(negedge clk) begin
        {s_axil_awready, s_axil_wready, s_axil_bvalid, s_axil_arready, s_axil_rvalid} <=
            {awready, wready, bvalid, arready, rvalid};
        {s_axil_bresp, s_axil_rresp, s_axil_rdata} <= {bresp, rresp, rdata};
        {irq_evtq, irq_gerror, irq_cmdq_sync, irq_dma, irq_dev} <=
            {evtq, gerror, cmdq_sync, dma, dev};
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
        .s_axil_awready(awready),
        .s_axil_wdata,
        .s_axil_wstrb,
        .s_axil_wvalid,
        .s_axil_wready(wready),
        .s_axil_bresp(bresp),
        .s_axil_bvalid(bvalid),
        .s_axil_bready,
        .s_axil_araddr,
        .s_axil_arprot,
        .s_axil_arvalid,
        .s_axil_arready(arready),
        .s_axil_rdata(rdata),
        .s_axil_rresp(rresp),
        .s_axil_rvalid(rvalid),
        .s_axil_rready,
        .irq_evtq(evtq),
        .irq_gerror(gerror),
        .irq_cmdq_sync(cmdq_sync),
        .irq_dma(dma),
        .irq_dev(dev)
    );
endmodule
