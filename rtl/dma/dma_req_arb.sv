// One address channel (AR or AW) of dma_axi_mux: N request sources, granted
// round-robin, one burst per grant, into an output register (the payload never
// changes while valid waits).
// Each source first lands in its own input register: s_ready is that register
// being empty, so no source's handshake depends on the arbiter or on the bus
// (the timing paths end at the register). A source can therefore hand over one
// request every other cycle; a request takes one more cycle to reach the bus.
// The grant is a register too (g_oh): it is picked among the held requests a cycle
// before it fires, so the output register's enables and payload select start from
// flip-flops, not from the round-robin pick (one more cycle per request; a new
// pick is made in the cycle the pending grant fires, so back-to-back requests still
// leave one per cycle). The pick moves the round-robin pointer: a picked grant
// always fires (held requests never leave otherwise).
// Sources are grouped: source i carries the tag of group i / GROUP (the engine).
module dma_req_arb #(
  parameter int N = 4,
  parameter int IW = (N > 1 ? $clog2(N) : 1),
  parameter int GROUP = 2,        // sources per tag
  parameter int NT = N / GROUP,   // tags
  parameter int TW = 21           // tag bits
) (
  input  logic            clk,
  input  logic            rst,
  input  logic [NT*TW-1:0] tag,
  input  logic [N-1:0]    s_valid,
  output logic [N-1:0]    s_ready,
  input  logic [N*48-1:0] s_addr,
  input  logic [N*8-1:0]  s_len,
  input  logic            grant_ok,  // besides a free output register (AW: W-order room)
  output logic            fire,      // a request moves to the output register now...
  output logic [IW-1:0]   fire_g,    // ...from this source
  output logic            m_valid,
  input  logic            m_ready,
  output logic [IW-1:0]   m_g,       // source of the request in the output register
  output logic [47:0]     m_addr,
  output logic [7:0]      m_len,
  output logic [TW-1:0]   m_tag
);
  logic [N-1:0]    held;
  logic [N*48-1:0] h_addr;
  logic [N*8-1:0]  h_len;

  assign s_ready = ~held;

  logic free, gq, pv, pick;
  logic [N-1:0] g_oh, p_oh;     // pending grant (registered), next pick
  logic [IW-1:0] p_g;
  assign free = (!m_valid || m_ready) && grant_ok;
  assign fire = free && gq;
  // pick a new grant when none is pending or the pending one leaves now (it is
  // left out of the pick: still held in this cycle)
  assign pick = !gq || fire;
  dma_rr_arb #(.N(N), .IW(IW)) u_arb (
    .clk, .rst, .req(held & ~g_oh), .take(pick), .gnt_valid(pv), .gnt(p_g), .gnt_oh(p_oh)
  );
  always_ff @(posedge clk) begin
    if (rst) begin
      gq <= 1'b0;
      g_oh <= '0;
    end else if (pick) begin
      gq <= pv;
      g_oh <= p_oh;
    end
    if (pick) fire_g <= p_g;
  end

  // payload selected by the one-hot grant (AND-OR, no index decode on the path)
  logic [47:0]   addr;
  logic [7:0]    len;
  logic [TW-1:0] t;
  always_comb begin
    addr = '0;
    len  = '0;
    t    = '0;
    for (int i = 0; i < N; i++) begin
      addr = addr | (g_oh[i] ? h_addr[i*48 +: 48] : 48'd0);
      len  = len | (g_oh[i] ? h_len[i*8 +: 8] : 8'd0);
      t    = t | (g_oh[i] ? tag[(i / GROUP) * TW +: TW] : TW'(0));
    end
  end

  always_ff @(posedge clk) begin
    for (int i = 0; i < N; i++) begin
      if (s_valid[i] && !held[i]) begin
        h_addr[i*48 +: 48] <= s_addr[i*48 +: 48];
        h_len[i*8 +: 8] <= s_len[i*8 +: 8];
      end
    end
    if (!m_valid || m_ready) begin
      if (fire) begin
        m_g    <= fire_g;
        m_addr <= addr;
        m_len  <= len;
        m_tag  <= t;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      held <= '0;
      m_valid <= 1'b0;
    end else begin
      held <= (held & ~(fire ? g_oh : '0)) | (s_valid & ~held);
      if (!m_valid || m_ready) m_valid <= fire;
    end
  end
endmodule
