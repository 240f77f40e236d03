// First-word-fall-through FIFO whose head entry sits in flip-flops: out_valid and
// out_data come from registers, so a consumer that decides its pop from the head
// (the write engine's result queue: "all B responses in?") starts from flip-flops,
// not from the LUT RAM's read port, and its pop reaches the head register's enables
// and the memory's read pointer only. A word takes 2 cycles from in to out
// (dma_fifo: 1); one word per cycle sustained. Capacity DEPTH + 1.
module dma_hfifo #(
  parameter int W = 8,
  parameter int DEPTH = 4,
  parameter bit ROOM_KNOWN = 0     // see dma_fifo
) (
  input  logic         clk,
  input  logic         rst,
  input  logic         in_valid,
  output logic         in_ready,
  input  logic [W-1:0] in_data,
  output logic         out_valid,
  input  logic         out_ready,
  output logic [W-1:0] out_data,
  output logic         busy         // an entry is held (head or memory)
);
  logic         q_valid, q_ready;
  logic [W-1:0] q_data;

  dma_fifo #(.W(W), .DEPTH(DEPTH), .ROOM_KNOWN(ROOM_KNOWN)) u_mem (
    .clk, .rst, .in_valid, .in_ready, .in_data,
    .out_valid(q_valid), .out_ready(q_ready), .out_data(q_data)
  );

  // the head refills whenever it is empty or leaves (a move, not a copy)
  assign q_ready = !out_valid || out_ready;
  assign busy    = out_valid || q_valid;
  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else if (q_ready) out_valid <= q_valid;
    if (q_ready) out_data <= q_data;
  end
endmodule
