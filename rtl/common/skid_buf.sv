// skid_buf: a register slice for one valid/ready stream. out_valid, out_data and in_ready
// all come from flip-flops, so neither side's handshake logic reaches the other's: the
// slice cuts a long combinational valid/ready path in two (FPGA timing). Full throughput
// (one word per cycle), one cycle of latency. The second register (skid) keeps the word
// accepted in the cycle the output stalls; in_ready is low while it is occupied.
module skid_buf #(
    parameter int W = 8
) (
    input  logic         clk,
    input  logic         rst,
    input  logic         in_valid,
    output logic         in_ready,
    input  logic [W-1:0] in_data,
    output logic         out_valid,
    input  logic         out_ready,
    output logic [W-1:0] out_data
);
    logic         skid_v;     // the skid register holds a word
    logic [W-1:0] skid_d;
    wire          load = out_ready || !out_valid;    // the output register may take a word

    assign in_ready = !skid_v;
    always_ff @(posedge clk) begin
        if (rst) begin
            out_valid <= 1'b0;
            skid_v <= 1'b0;
        end else if (load) begin
            out_valid <= skid_v || in_valid;
            skid_v <= 1'b0;
        end else if (in_valid && !skid_v) begin
            skid_v <= 1'b1;
        end
    end
    always_ff @(posedge clk) begin
        if (load) out_data <= skid_v ? skid_d : in_data;
        if (!skid_v) skid_d <= in_data;
    end
endmodule
