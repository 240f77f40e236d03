// Synchronous FIFO, first-word-fall-through. DEPTH must be a power of two, >= 2.
module dma_fifo #(
  parameter int W = 8,
  parameter int DEPTH = 4
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
  localparam int AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  logic [W-1:0] mem [DEPTH];
  logic [AW:0]  wp, rp;

  logic [AW:0]  wp_n, rp_n;

  // full: same slot, other lap (no subtractor on the handshake path)
  assign in_ready  = !(wp[AW] != rp[AW] && wp[AW-1:0] == rp[AW-1:0]);
  assign out_data  = mem[rp[AW-1:0]];
  assign wp_n      = wp + (AW + 1)'(in_valid && in_ready);
  assign rp_n      = rp + (AW + 1)'(out_valid && out_ready);

  always_ff @(posedge clk) begin
    if (in_valid && in_ready) mem[wp[AW-1:0]] <= in_data;
  end

  // out_valid (wp != rp) is kept in a flip-flop: consumers' handshakes start from it,
  // not from a pointer compare
  always_ff @(posedge clk) begin
    if (rst) begin
      wp <= '0;
      rp <= '0;
      out_valid <= 1'b0;
    end else begin
      wp <= wp_n;
      rp <= rp_n;
      out_valid <= wp_n != rp_n;
    end
  end
endmodule
