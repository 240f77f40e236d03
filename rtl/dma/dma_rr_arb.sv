// Round-robin arbiter: grants the first requester after the last one served.
// `take` commits the grant (the pointer moves past the winner).
// No modulo: a registered mask holds the positions after the last winner; the
// grant is the lowest request inside the mask, else the lowest request overall
// (two priority encoders on one-hot vectors, then a one-hot to index OR tree).
// The priority encoders and the mask are prefix ORs (bit i looks at bits below it),
// not `x & -x` and `(oh << 1) - 1`: no carry chain on the pick or the mask.
module dma_rr_arb #(
  parameter int N = 4,
  parameter int IW = (N > 1 ? $clog2(N) : 1)
) (
  input  logic         clk,
  input  logic         rst,
  input  logic [N-1:0] req,
  input  logic         take,
  output logic         gnt_valid,
  output logic [IW-1:0] gnt,
  output logic [N-1:0] gnt_oh     // the grant, one-hot (selects payloads without a decoder)
);
  logic [N-1:0] after;   // bit i: i comes after the last winner in RR order

  // lowest set bit of x, one-hot (= x & -x)
  function automatic logic [N-1:0] lowest(input logic [N-1:0] x);
    logic [N-1:0] r;
    logic seen;
    seen = 1'b0;
    for (int i = 0; i < N; i++) begin
      r[i] = x[i] && !seen;
      seen = seen || x[i];
    end
    return r;
  endfunction
  // bit i: some bit below i is set (= ~((oh << 1) - 1) for a one-hot oh)
  function automatic logic [N-1:0] above(input logic [N-1:0] x);
    logic [N-1:0] r;
    logic seen;
    seen = 1'b0;
    for (int i = 0; i < N; i++) begin
      r[i] = seen;
      seen = seen || x[i];
    end
    return r;
  endfunction

  logic [N-1:0] hi, oh;
  assign gnt_oh = oh;
  always_comb begin
    hi = req & after;
    oh = (hi != '0) ? lowest(hi) : lowest(req);
    gnt_valid = req != '0;
    gnt = '0;
    for (int i = 0; i < N; i++) if (oh[i]) gnt = gnt | IW'(i);
  end

  always_ff @(posedge clk) begin
    // reset: last winner N-1, so every position comes "after" it
    if (rst) after <= '1;
    else if (take && gnt_valid) after <= above(oh);
  end
endmodule
