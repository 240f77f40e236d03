// Shares the AXI master among the engines' request streams. AR sources are
// engine e's streams 4e+0 (descriptor fetch), 4e+1 (source reads), 4e+2 (compare
// reads), 4e+3 unused (tied off), so an AR source index is its ARID {e, stream}
// and no divide is needed; AW/W sources are 2e+0 (completion write) and 2e+1
// (data writes).
// AR and AW are each granted round-robin, one burst per grant, into an output
// register, so the payload never changes while valid waits. W beats follow the
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
  // Payloads are selected by the one-hot grant (AND-OR, no index decode on the path).
  logic ar_free, ar_gv;
  logic [AIW-1:0] ar_g;
  logic [NA-1:0] ar_oh;
  logic [47:0] ar_addr;
  logic [7:0] ar_len;
  logic [20:0] ar_tag;
  assign ar_free = !m_axi_arvalid || m_axi_arready;
  dma_rr_arb #(.N(NA), .IW(AIW)) u_ar_arb (
    .clk, .rst, .req(s_ar_valid), .take(ar_free), .gnt_valid(ar_gv), .gnt(ar_g),
    .gnt_oh(ar_oh)
  );
  always_comb begin
    s_ar_ready = (ar_free && ar_gv) ? ar_oh : '0;
    ar_addr = '0;
    ar_len = '0;
    ar_tag = '0;
    for (int i = 0; i < NA; i++) begin
      ar_addr = ar_addr | (ar_oh[i] ? s_ar_addr[i*48 +: 48] : 48'd0);
      ar_len  = ar_len | (ar_oh[i] ? s_ar_len[i*8 +: 8] : 8'd0);
      ar_tag  = ar_tag | (ar_oh[i] ? tag[(i/4)*21 +: 21] : 21'd0);
    end
  end
  always_ff @(posedge clk) begin
    if (rst) m_axi_arvalid <= 1'b0;
    else if (ar_free) begin
      m_axi_arvalid <= ar_gv;
      if (ar_gv) begin
        m_axi_arid   <= IDW'(ar_g);
        m_axi_araddr <= ar_addr;
        m_axi_arlen  <= ar_len;
        m_axi_aruser <= UW'({ar_tag, SID});
      end
    end
  end

  // ---------------------------------------------------------------- AW, W order
  logic aw_free, aw_gv, wo_in_ready, wo_valid;
  logic [WIW-1:0] aw_g, wo;
  logic [NW-1:0] aw_oh;
  logic [47:0] aw_addr;
  logic [7:0] aw_len;
  logic [20:0] aw_tag;
  assign aw_free = (!m_axi_awvalid || m_axi_awready) && wo_in_ready;
  dma_rr_arb #(.N(NW), .IW(WIW)) u_aw_arb (
    .clk, .rst, .req(s_aw_valid), .take(aw_free), .gnt_valid(aw_gv), .gnt(aw_g),
    .gnt_oh(aw_oh)
  );
  always_comb begin
    s_aw_ready = (aw_free && aw_gv) ? aw_oh : '0;
    aw_addr = '0;
    aw_len = '0;
    aw_tag = '0;
    for (int i = 0; i < NW; i++) begin
      aw_addr = aw_addr | (aw_oh[i] ? s_aw_addr[i*48 +: 48] : 48'd0);
      aw_len  = aw_len | (aw_oh[i] ? s_aw_len[i*8 +: 8] : 8'd0);
      aw_tag  = aw_tag | (aw_oh[i] ? tag[(i/2)*21 +: 21] : 21'd0);
    end
  end
  always_ff @(posedge clk) begin
    if (rst) m_axi_awvalid <= 1'b0;
    else if (!m_axi_awvalid || m_axi_awready) begin
      m_axi_awvalid <= aw_free && aw_gv;
      if (aw_free && aw_gv) begin
        m_axi_awid   <= IDW'({32'(aw_g >> 1), 2'(aw_g[0] ? ID_RD : ID_CTRL)});
        m_axi_awaddr <= aw_addr;
        m_axi_awlen  <= aw_len;
        m_axi_awuser <= UW'({aw_tag, SID});
      end
    end
  end

  dma_fifo #(.W(WIW), .DEPTH(8)) u_worder (
    .clk, .rst, .in_valid(aw_free && aw_gv), .in_ready(wo_in_ready), .in_data(aw_g),
    .out_valid(wo_valid), .out_ready(m_axi_wvalid && m_axi_wready && m_axi_wlast),
    .out_data(wo)
  );
  always_comb begin
    m_axi_wdata  = s_w_data[32'(wo)*DB*8 +: DB*8];
    m_axi_wstrb  = s_w_strb[32'(wo)*DB +: DB];
    m_axi_wlast  = s_w_last[wo];
    m_axi_wvalid = wo_valid && s_w_valid[wo];
    s_w_ready    = '0;
    s_w_ready[wo] = wo_valid && m_axi_wready;
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
