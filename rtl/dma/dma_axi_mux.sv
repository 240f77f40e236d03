// Shares the AXI master among the engines' request streams. AR sources are
// engine e's streams 4e+0 (descriptor fetch), 4e+1 (source reads), 4e+2 (compare
// reads), 4e+3 unused (tied off), so an AR source index is its ARID {e, stream}
// and no divide is needed; AW/W sources are 2e+0 (completion write) and 2e+1
// (data writes).
// AR and AW are each granted round-robin, one burst per grant, through an input
// register per source into an output register (dma_req_arb). W beats follow the
// order in which AW bursts were granted (AXI4 W has no ID). R and B go back by
// ID: id = {engine, stream} with stream 0 = ID_CTRL, 1 = ID_RD, 2 = ID_CMP.
module dma_axi_mux import dma_pkg::*; #(
  parameter int NE = 2,
  parameter int DB = 8,
  parameter int IDW = 4,
  parameter int SID_BITS = 8,
  parameter logic [SID_BITS-1:0] SID = '0,
  parameter int UW = 21 + SID_BITS
) (
  input  logic              clk,
  input  logic              rst,
  input  logic [NE*21-1:0]  tag,       // per engine {ssv, ssid}
  input  logic [NE*4-1:0]   s_ar_valid,
  output logic [NE*4-1:0]   s_ar_ready,
  input  logic [NE*4*48-1:0] s_ar_addr,
  input  logic [NE*4*8-1:0] s_ar_len,
  input  logic [NE*2-1:0]   s_aw_valid,
  output logic [NE*2-1:0]   s_aw_ready,
  input  logic [NE*2*48-1:0] s_aw_addr,
  input  logic [NE*2*8-1:0] s_aw_len,
  input  logic [NE*2-1:0]   s_w_valid,
  output logic [NE*2-1:0]   s_w_ready,
  input  logic [NE*2*DB*8-1:0] s_w_data,
  input  logic [NE*2*DB-1:0] s_w_strb,
  input  logic [NE*2-1:0]   s_w_last,
  output logic [NE*4-1:0]   s_r_valid,
  input  logic [NE*4-1:0]   s_r_ready,
  output logic [NE*2-1:0]   s_b_valid,
  input  logic [NE*2-1:0]   s_b_ready,
  output logic [IDW-1:0]    m_axi_awid,
  output logic [47:0]       m_axi_awaddr,
  output logic [7:0]        m_axi_awlen,
  output logic [UW-1:0]     m_axi_awuser,
  output logic              m_axi_awvalid,
  input  logic              m_axi_awready,
  output logic [DB*8-1:0]   m_axi_wdata,
  output logic [DB-1:0]     m_axi_wstrb,
  output logic              m_axi_wlast,
  output logic              m_axi_wvalid,
  input  logic              m_axi_wready,
  input  logic [IDW-1:0]    m_axi_bid,
  input  logic              m_axi_bvalid,
  output logic              m_axi_bready,
  output logic [IDW-1:0]    m_axi_arid,
  output logic [47:0]       m_axi_araddr,
  output logic [7:0]        m_axi_arlen,
  output logic [UW-1:0]     m_axi_aruser,
  output logic              m_axi_arvalid,
  input  logic              m_axi_arready,
  input  logic [IDW-1:0]    m_axi_rid,
  input  logic              m_axi_rvalid,
  output logic              m_axi_rready
);
  localparam int NA = NE * 4, NW = NE * 2;
  localparam int AIW = $clog2(NA), WIW = $clog2(NW);

  // ---------------------------------------------------------------- AR
  logic [AIW-1:0] ar_g;
  logic [20:0] ar_tag;
  logic ar_fire_unused;
  logic [AIW-1:0] ar_fire_g_unused;
  dma_req_arb #(.N(NA), .IW(AIW), .GROUP(4), .NT(NE)) u_ar (
    .clk, .rst, .tag, .s_valid(s_ar_valid), .s_ready(s_ar_ready), .s_addr(s_ar_addr),
    .s_len(s_ar_len), .grant_ok(1'b1), .fire(ar_fire_unused), .fire_g(ar_fire_g_unused),
    .m_valid(m_axi_arvalid), .m_ready(m_axi_arready), .m_g(ar_g), .m_addr(m_axi_araddr),
    .m_len(m_axi_arlen), .m_tag(ar_tag)
  );
  assign m_axi_arid   = IDW'(ar_g);   // an AR source index is its ARID
  assign m_axi_aruser = UW'({ar_tag, SID});

  // ---------------------------------------------------------------- AW, W order
  logic aw_fire, wo_in_ready, wo_valid;
  logic [WIW-1:0] aw_fire_g, aw_g, wo;
  logic [20:0] aw_tag;
  dma_req_arb #(.N(NW), .IW(WIW), .GROUP(2), .NT(NE)) u_aw (
    .clk, .rst, .tag, .s_valid(s_aw_valid), .s_ready(s_aw_ready), .s_addr(s_aw_addr),
    .s_len(s_aw_len), .grant_ok(wo_in_ready), .fire(aw_fire), .fire_g(aw_fire_g),
    .m_valid(m_axi_awvalid), .m_ready(m_axi_awready), .m_g(aw_g), .m_addr(m_axi_awaddr),
    .m_len(m_axi_awlen), .m_tag(aw_tag)
  );
  assign m_axi_awid   = IDW'({32'(aw_g >> 1), 2'(aw_g[0] ? ID_RD : ID_CTRL)});
  assign m_axi_awuser = UW'({aw_tag, SID});

  // The source of the burst being written sits in a register (w_cv, w_src), loaded
  // from the W-order FIFO as the previous burst ends: the W handshakes select by
  // flip-flops, not through the FIFO's memory.
  // w_oh: the same source one-hot, so each source's W ready is one AND of a
  // flip-flop and m_axi_wready (no decode of w_src on the engines' handshake path).
  logic w_done, w_cv;
  logic [WIW-1:0] w_src;
  logic [NW-1:0] w_oh;
  assign w_done = m_axi_wvalid && m_axi_wready && m_axi_wlast;
  dma_fifo #(.W(WIW), .DEPTH(8)) u_worder (
    .clk, .rst, .in_valid(aw_fire), .in_ready(wo_in_ready), .in_data(aw_fire_g),
    .out_valid(wo_valid), .out_ready(!w_cv || w_done), .out_data(wo)
  );
  always_ff @(posedge clk) begin
    if (rst) begin
      w_cv <= 1'b0;
      w_oh <= '0;
    end else if (!w_cv || w_done) begin
      w_cv <= wo_valid;
      w_oh <= wo_valid ? NW'(1) << wo : '0;
    end
    if ((!w_cv || w_done) && wo_valid) w_src <= wo;
  end
  always_comb begin
    m_axi_wdata  = s_w_data[32'(w_src)*DB*8 +: DB*8];
    m_axi_wstrb  = s_w_strb[32'(w_src)*DB +: DB];
    m_axi_wlast  = s_w_last[w_src];
    m_axi_wvalid = w_cv && s_w_valid[w_src];
    s_w_ready    = w_oh & {NW{m_axi_wready}};
  end

  // ---------------------------------------------------------------- R, B
  always_comb begin
    int e, s;
    e = 32'(m_axi_rid) >> 2;
    s = 32'(m_axi_rid) & 3;
    s_r_valid = '0;
    m_axi_rready = 1'b1;  // a beat with an ID nobody issued is dropped, not left hanging
    if (e < NE && s <= ID_CMP) begin
      s_r_valid[e*4 + s] = m_axi_rvalid;
      m_axi_rready = s_r_ready[e*4 + s];
    end
    e = 32'(m_axi_bid) >> 2;
    s = (32'(m_axi_bid) & 3) == ID_CTRL ? 0 : 1;
    s_b_valid = '0;
    m_axi_bready = 1'b1;
    if (e < NE) begin
      s_b_valid[e*2 + s] = m_axi_bvalid;
      m_axi_bready = s_b_ready[e*2 + s];
    end
  end
endmodule
