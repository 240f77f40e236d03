// Simulation-only AXI4-Lite protocol checker (attach with `bind`, see checkers_*.sv):
// the channel rules of axi_chan_check on AW, W, B, AR, R, plus ordering:
//   B_AFTER_AW_W  a write response only after both its AW and its W handshakes (earlier edges)
//   R_AFTER_AR    a read response only after its AR handshake (earlier edge)
module axil_checker #(
    parameter string IF_NAME = "axil",
    parameter int    ADDR_W  = 12,
    parameter int    DATA_W  = 32
) (
    input logic                clk,
    input logic                rst,
    input logic [ADDR_W-1:0]   awaddr,
    input logic [2:0]          awprot,
    input logic                awvalid,
    input logic                awready,
    input logic [DATA_W-1:0]   wdata,
    input logic [DATA_W/8-1:0] wstrb,
    input logic                wvalid,
    input logic                wready,
    input logic [1:0]          bresp,
    input logic                bvalid,
    input logic                bready,
    input logic [ADDR_W-1:0]   araddr,
    input logic [2:0]          arprot,
    input logic                arvalid,
    input logic                arready,
    input logic [DATA_W-1:0]   rdata,
    input logic [1:0]          rresp,
    input logic                rvalid,
    input logic                rready
);
`ifndef SYNTHESIS
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("AW"), .W(ADDR_W + 3)) u_aw (
        .clk, .rst, .valid(awvalid), .ready(awready), .payload({awaddr, awprot}));
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("W"), .W(DATA_W + DATA_W / 8)) u_w (
        .clk, .rst, .valid(wvalid), .ready(wready), .payload({wdata, wstrb}));
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("B"), .W(2)) u_b (
        .clk, .rst, .valid(bvalid), .ready(bready), .payload(bresp));
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("AR"), .W(ADDR_W + 3)) u_ar (
        .clk, .rst, .valid(arvalid), .ready(arready), .payload({araddr, arprot}));
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("R"), .W(DATA_W + 2)) u_r (
        .clk, .rst, .valid(rvalid), .ready(rready), .payload({rdata, rresp}));

    logic armed;   // checks start at the first reset
    axi_check_arm u_arm (.clk, .rst, .armed);

    // Handshake counts up to the previous edge: a response needs its requests strictly earlier.
    int unsigned n_aw, n_w, n_b, n_ar, n_r;
    always_ff @(posedge clk) begin
        if (rst) begin
            n_aw <= 0; n_w <= 0; n_b <= 0; n_ar <= 0; n_r <= 0;
        end else begin
            n_aw <= n_aw + 32'(awvalid && awready);
            n_w  <= n_w  + 32'(wvalid && wready);
            n_b  <= n_b  + 32'(bvalid && bready);
            n_ar <= n_ar + 32'(arvalid && arready);
            n_r  <= n_r  + 32'(rvalid && rready);
        end
    end
    always_ff @(posedge clk) begin
        if (armed && !rst) begin
            if (bvalid)
                assert (n_aw > n_b && n_w > n_b)
                    else $error("AXI checker %s B: BVALID with no write outstanding (%0d AW, %0d W, %0d B) (rule B_AFTER_AW_W)",
                                IF_NAME, n_aw, n_w, n_b);
            if (rvalid)
                assert (n_ar > n_r)
                    else $error("AXI checker %s R: RVALID with no read outstanding (%0d AR, %0d R) (rule R_AFTER_AR)",
                                IF_NAME, n_ar, n_r);
        end
    end
`endif
endmodule
