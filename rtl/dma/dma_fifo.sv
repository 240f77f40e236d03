// Synchronous FIFO, first-word-fall-through. DEPTH must be a power of two, >= 2.
// ROOM_KNOWN = 1: the producer never offers a word while the FIFO is full (its own
// bookkeeping bounds the entries; in_ready is then for a simulation check only), so
// the memory write and the write pointer follow in_valid alone, not the pointer
// compare: the write enable of the whole LUT RAM starts from the producer's register.
module dma_fifo #(
  parameter int W = 8,
  parameter int DEPTH = 4,
  parameter bit ROOM_KNOWN = 0
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
  logic         push, pop, last;

  // full: same slot, other lap (no subtractor on the handshake path)
  assign in_ready  = !(wp[AW] != rp[AW] && wp[AW-1:0] == rp[AW-1:0]);
  assign out_data  = mem[rp[AW-1:0]];
  assign push      = in_valid && (ROOM_KNOWN || in_ready);
  assign pop       = out_valid && out_ready;
  assign wp_n      = wp + (AW + 1)'(push);
  assign rp_n      = rp + (AW + 1)'(pop);
  assign last      = wp == rp + (AW + 1)'(1);   // one entry held (from flip-flops only)

  always_ff @(posedge clk) begin
    if (push) mem[wp[AW-1:0]] <= in_data;
  end

  // out_valid (wp != rp) is kept in a flip-flop: consumers' handshakes start from it,
  // not from a pointer compare. Its next value is one LUT of the handshakes and
  // `last`, not a compare of the incremented pointers (push and pop come late).
  always_ff @(posedge clk) begin
    if (rst) begin
      wp <= '0;
      rp <= '0;
      out_valid <= 1'b0;
    end else begin
      wp <= wp_n;
      rp <= rp_n;
      out_valid <= push || (out_valid && !(pop && last));
    end
  end
`ifndef SYNTHESIS
  always_ff @(posedge clk)
    if (!rst && out_valid != (wp != rp)) $error("dma_fifo: out_valid differs from the pointers");
  always_ff @(posedge clk)
    if (!rst && ROOM_KNOWN && in_valid && !in_ready) $error("dma_fifo: word offered while full");
`endif
endmodule
