// First-word-fall-through FIFO for wide data in block RAM, with out_data from a
// flip-flop. A block RAM's read data comes 5.8 ns after the clock on ECP5, too
// late to feed logic in the same cycle, so each word read from the memory goes
// into a three-entry output queue of registers, a ring: the arriving word goes to
// slot wq, the head (out_data) is slot hq, so a pop moves the 2-bit head pointer and
// no data register (their enables are rd_v and wq only, never the consumer's ready).
// A read is started only when the output queue is sure to have room for it one
// cycle later whatever the consumer does (count + reads in flight <= 2), so
// out_ready reaches the head pointer and the count only, never the memory or the data.
// out_valid is a flip-flop too (from the count's next value): the consumer's
// handshakes (the write engine's W beat, its chunk chain) start from it, not from
// a decode of the count.
// Whether the memory holds a word is a flip-flop too (`ne`), from the pointers one
// cycle old (a word written now can be read from the cycle after next): the block
// RAM's read enable is then one LUT of flip-flops, not a compare of the pointers.
// With ROOM_KNOWN the producer never offers a word while full (it reserves room
// first), so the memory writes on in_valid alone (in_ready is then for checks only:
// dma_engine checks it).
// One word per cycle sustained; a word takes 4 cycles from in to out (dma_fifo: 1).
// Capacity DEPTH + 3. DEPTH must be a power of two, >= 2.
module dma_data_fifo #(
  parameter int W = 64,
  parameter int DEPTH = 1024,
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
  localparam int AW = $clog2(DEPTH);
  logic [W-1:0] mem [DEPTH];
  logic [AW:0]  wp, rp;
  logic [AW:0]  rp1;          // rp + 1
  logic         ne;           // the memory holds a word (written before last cycle)
  logic         wr;
  logic         rd, rd_v;     // read started this cycle / last cycle
  logic [W-1:0] rd_q;         // the block RAM's read data (valid while rd_v)
  logic [1:0]   n;            // words in the output queue
  logic [1:0]   n_nx;
  logic [W-1:0] b [3];
  logic [1:0]   wq, hq;       // ring slots (0..2): the next arriving word's, the head's

  assign in_ready  = !(wp[AW] != rp[AW] && wp[AW-1:0] == rp[AW-1:0]);
  assign wr        = in_valid && (ROOM_KNOWN || in_ready);
  assign rd        = ne && (rd_v ? n <= 2'd1 : n <= 2'd2);
  always_comb
    case (hq)
      2'd0: out_data = b[0];
      2'd1: out_data = b[1];
      default: out_data = b[2];
    endcase

  always_ff @(posedge clk) begin
    if (wr) mem[wp[AW-1:0]] <= in_data;
    if (rd) rd_q <= mem[rp[AW-1:0]];
  end

  // the arriving word goes to slot wq; a pop moves hq (the issue rule keeps the ring
  // from overflowing, so wq never overtakes hq)
  logic pop;
  assign pop = out_valid && out_ready;
  assign n_nx = n + 2'(rd_v) - 2'(pop);
  always_ff @(posedge clk)
    for (int i = 0; i < 3; i++)
      if (rd_v && wq == 2'(i)) b[i] <= rd_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      wp <= '0;
      rp <= '0;
      rp1 <= (AW+1)'(1);
      ne <= 1'b0;
      rd_v <= 1'b0;
      n <= '0;
      out_valid <= 1'b0;
      wq <= '0;
      hq <= '0;
    end else begin
      if (wr) wp <= wp + 1'b1;
      if (rd) begin
        rp <= rp1;
        rp1 <= rp1 + 1'b1;
      end
      // (wp of this cycle: a word written now is seen a cycle late, never early)
      ne <= rd ? wp != rp1 : wp != rp;
      rd_v <= rd;
      n <= n_nx;
      out_valid <= n_nx != 2'd0;
      if (rd_v) wq <= (wq == 2'd2) ? 2'd0 : wq + 2'd1;
      if (pop) hq <= (hq == 2'd2) ? 2'd0 : hq + 2'd1;
    end
  end

`ifndef SYNTHESIS
  // the issue rule keeps the output queue from overflowing
  always_ff @(posedge clk) begin
    if (!rst && rd_v && n == 2'd3 && !pop) $error("dma_data_fifo: output queue overflow");
    if (!rst && out_valid != (n != 2'd0)) $error("dma_data_fifo: out_valid differs from the count");
    if (!rst && ne && wp == rp) $error("dma_data_fifo: memory read while empty");
  end
`endif
endmodule
