// Round-robin arbiter: grants the first requester after the last one served.
// `take` commits the grant (the pointer moves past the winner).
module dma_rr_arb #(
  parameter int N = 4,
  parameter int IW = (N > 1 ? $clog2(N) : 1)
) (
  input  logic         clk,
  input  logic         rst,
  input  logic [N-1:0] req,
  input  logic         take,
  output logic         gnt_valid,
  output logic [IW-1:0] gnt
);
  logic [IW-1:0] last;

  always_comb begin
    gnt_valid = 1'b0;
    gnt = '0;
    for (int k = 1; k <= N; k++) begin
      if (!gnt_valid && req[(int'(last) + k) % N]) begin
        gnt_valid = 1'b1;
        gnt = IW'((int'(last) + k) % N);
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst) last <= IW'(N - 1);
    else if (take && gnt_valid) last <= gnt;
  end
endmodule
