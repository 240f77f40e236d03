// PASID-tagging DMA accelerator: NQ hardware queues of 64-byte descriptors in
// virtual memory; every request carries {ssv, ssid, sid} of the queue being served
// on m_axi_awuser/aruser. See docs/dma.md.
module dma_top import dma_pkg::*; #(
  parameter int NQ = 4,                // queues, 1..16
  parameter int NE = 2,                // descriptor engines working in parallel, 1..4
  parameter int DATA_WIDTH = 64,       // m_axi data bits: 64, 128 or 256
  parameter int ADDR_WIDTH = 48,       // m_axi address bits (48-bit VA)
  parameter int ID_WIDTH = 4,          // >= 2 + log2(NE): {engine, stream}
  parameter int SID_BITS = 8,
  parameter int SID = 0,               // this device's StreamID
  parameter int AXIL_ADDR_WIDTH = 12,
  parameter int USER_WIDTH = 1 + 20 + SID_BITS,
  parameter int QUANTUM = 1            // chunks per turn while other queues wait (docs/dma.md)
) (
  input  logic                       clk,
  input  logic                       rst,

  input  logic [AXIL_ADDR_WIDTH-1:0] s_axil_awaddr,
  input  logic [2:0]                 s_axil_awprot,
  input  logic                       s_axil_awvalid,
  output logic                       s_axil_awready,
  input  logic [31:0]                s_axil_wdata,
  input  logic [3:0]                 s_axil_wstrb,
  input  logic                       s_axil_wvalid,
  output logic                       s_axil_wready,
  output logic [1:0]                 s_axil_bresp,
  output logic                       s_axil_bvalid,
  input  logic                       s_axil_bready,
  input  logic [AXIL_ADDR_WIDTH-1:0] s_axil_araddr,
  input  logic [2:0]                 s_axil_arprot,
  input  logic                       s_axil_arvalid,
  output logic                       s_axil_arready,
  output logic [31:0]                s_axil_rdata,
  output logic [1:0]                 s_axil_rresp,
  output logic                       s_axil_rvalid,
  input  logic                       s_axil_rready,

  output logic [ID_WIDTH-1:0]        m_axi_awid,
  output logic [ADDR_WIDTH-1:0]      m_axi_awaddr,
  output logic [7:0]                 m_axi_awlen,
  output logic [2:0]                 m_axi_awsize,
  output logic [1:0]                 m_axi_awburst,
  output logic                       m_axi_awlock,
  output logic [3:0]                 m_axi_awcache,
  output logic [2:0]                 m_axi_awprot,
  output logic [USER_WIDTH-1:0]      m_axi_awuser,
  output logic                       m_axi_awvalid,
  input  logic                       m_axi_awready,
  output logic [DATA_WIDTH-1:0]      m_axi_wdata,
  output logic [DATA_WIDTH/8-1:0]    m_axi_wstrb,
  output logic                       m_axi_wlast,
  output logic                       m_axi_wvalid,
  input  logic                       m_axi_wready,
  input  logic [ID_WIDTH-1:0]        m_axi_bid,
  input  logic [1:0]                 m_axi_bresp,
  input  logic                       m_axi_bvalid,
  output logic                       m_axi_bready,
  output logic [ID_WIDTH-1:0]        m_axi_arid,
  output logic [ADDR_WIDTH-1:0]      m_axi_araddr,
  output logic [7:0]                 m_axi_arlen,
  output logic [2:0]                 m_axi_arsize,
  output logic [1:0]                 m_axi_arburst,
  output logic                       m_axi_arlock,
  output logic [3:0]                 m_axi_arcache,
  output logic [2:0]                 m_axi_arprot,
  output logic [USER_WIDTH-1:0]      m_axi_aruser,
  output logic                       m_axi_arvalid,
  input  logic                       m_axi_arready,
  input  logic [ID_WIDTH-1:0]        m_axi_rid,
  input  logic [DATA_WIDTH-1:0]      m_axi_rdata,
  input  logic [1:0]                 m_axi_rresp,
  input  logic                       m_axi_rlast,
  input  logic                       m_axi_rvalid,
  output logic                       m_axi_rready,

  output logic                       irq
);
  localparam int DB = DATA_WIDTH / 8;
  localparam int LB = $clog2(DB);
  localparam int QW = (NQ > 1 ? $clog2(NQ) : 1);

  // ---------------------------------------------------------------- registers
  logic [NQ-1:0] q_ready, q_nopasid, owned;
  logic [NQ*20-1:0] q_pasid;
  logic [NQ*48-1:0] q_desc_addr;
  logic [NQ*21-1:0] q_roff;
  logic [NQ*16-1:0] q_head;
  logic [20:0] ev_roff;

  // events of the engine picked by the dispatcher
  logic ev_valid, ev_head_inc, ev_halt, ev_irq;
  logic [QW-1:0] ev_q;
  logic [7:0] ev_err;
  logic [47:0] ev_err_addr;
  logic [NQ-1:0] ev_hit;   // the event's queue, one-hot (ev_valid included)
  logic ev_err_any;        // ev_err != QE_NONE

  dma_regs #(.NQ(NQ), .AW(AXIL_ADDR_WIDTH), .LOG2_DB(LB), .SID_BITS(SID_BITS),
             .SID(SID_BITS'(SID))) u_regs (
    .clk, .rst,
    .s_axil_awaddr, .s_axil_awprot, .s_axil_awvalid, .s_axil_awready,
    .s_axil_wdata, .s_axil_wstrb, .s_axil_wvalid, .s_axil_wready,
    .s_axil_bresp, .s_axil_bvalid, .s_axil_bready,
    .s_axil_araddr, .s_axil_arprot, .s_axil_arvalid, .s_axil_arready,
    .s_axil_rdata, .s_axil_rresp, .s_axil_rvalid, .s_axil_rready,
    .q_ready, .q_nopasid, .q_pasid, .q_desc_addr, .q_roff, .q_head,
    .ev_hit, .ev_head_inc, .ev_err, .ev_err_any, .ev_halt, .ev_err_addr, .ev_irq, .ev_roff,
    .q_busy(owned), .irq
  );

  // ---------------------------------------------------------------- engines
  localparam int EW = (NE > 1) ? $clog2(NE) : 1;
  logic [NE-1:0] e_idle, e_go, e_ev_valid, e_ev_ready, e_ev_head_inc, e_ev_halt, e_ev_irq;
  logic [NE*QW-1:0] e_ev_q;
  logic [NE*8-1:0] e_ev_err;
  logic [NE*48-1:0] e_ev_err_addr;
  logic [NE*21-1:0] e_tag, e_ev_roff;
  logic [NE*QW-1:0] e_cur_q;
  logic [NE-1:0] e_yield_ok;
  logic [20:0] go_roff;
  logic [15:0] go_head;
  logic [QW-1:0] go_q;
  logic go_ssv, ev_sel_valid;
  logic [19:0] go_ssid;
  logic [47:0] go_daddr;
  logic [EW-1:0] ev_sel;

  dma_dispatch #(.NQ(NQ), .NE(NE), .QW(QW)) u_dispatch (
    .clk, .rst, .q_ready, .q_nopasid, .q_pasid, .q_desc_addr, .q_roff, .q_head,
    .e_idle, .e_go, .go_q, .go_ssv, .go_ssid, .go_daddr, .go_roff, .go_head, .e_cur_q, .e_yield_ok,
    .e_ev_valid, .e_ev_ready, .ev_sel_valid, .ev_sel, .ev_apply(ev_valid), .ev_apply_q(ev_q),
    .owned
  );
  // The event taken from an engine reaches the register block through a register
  // (the engines and the register block lie far apart): it is applied, and the
  // dispatcher releases the queue, one cycle after it was taken. The register block
  // gets the event's queue one-hot (ev_hit) and "an error code" (ev_err_any) decoded
  // into this register, so its per-queue enables start from flip-flops, not from a
  // compare of ev_q and ev_err behind ev_valid.
  always_ff @(posedge clk) begin
    if (rst) begin
      ev_valid <= 1'b0;
      ev_hit <= '0;
    end else begin
      ev_valid <= ev_sel_valid;
      for (int i = 0; i < NQ; i++)
        ev_hit[i] <= ev_sel_valid && 32'(e_ev_q[32'(ev_sel)*QW +: QW]) == i;
    end
    ev_err_any  <= e_ev_err[32'(ev_sel)*8 +: 8] != QE_NONE;
    ev_q        <= e_ev_q[32'(ev_sel)*QW +: QW];
    ev_head_inc <= e_ev_head_inc[ev_sel];
    ev_err      <= e_ev_err[32'(ev_sel)*8 +: 8];
    ev_halt     <= e_ev_halt[ev_sel];
    ev_err_addr <= e_ev_err_addr[32'(ev_sel)*48 +: 48];
    ev_irq      <= e_ev_irq[ev_sel];
    ev_roff     <= e_ev_roff[32'(ev_sel)*21 +: 21];
  end

  // AR/R streams: 4 slots per engine (slot 3 unused) so the slot index is the ARID
  logic [NE*4-1:0] ar_valid, ar_ready, r_valid, r_ready;
  logic [NE*4*48-1:0] ar_addr;
  logic [NE*4*8-1:0] ar_len;
  logic [NE*2-1:0] aw_valid, aw_ready, w_valid, w_ready, w_last, b_valid, b_ready;
  logic [NE*2*48-1:0] aw_addr;
  logic [NE*2*8-1:0] aw_len;
  logic [NE*2*DATA_WIDTH-1:0] w_data;
  logic [NE*2*DB-1:0] w_strb;

  for (genvar e = 0; e < NE; e++) begin : g_eng
    dma_engine #(.DB(DB), .QW(QW), .QUANTUM(QUANTUM), .SID(SID)) u_eng (
      .clk, .rst,
      .idle(e_idle[e]), .go(e_go[e]), .go_q, .go_ssv, .go_ssid, .go_daddr, .go_roff, .go_head,
      .yield_ok(e_yield_ok[e]), .cur_q(e_cur_q[e*QW +: QW]),
      .ev_roff(e_ev_roff[e*21 +: 21]),
      .ev_valid(e_ev_valid[e]), .ev_ready(e_ev_ready[e]), .ev_q(e_ev_q[e*QW +: QW]),
      .ev_head_inc(e_ev_head_inc[e]), .ev_err(e_ev_err[e*8 +: 8]), .ev_halt(e_ev_halt[e]),
      .ev_err_addr(e_ev_err_addr[e*48 +: 48]), .ev_irq(e_ev_irq[e]),
      .tag(e_tag[e*21 +: 21]),
      .ar_valid(ar_valid[e*4 +: 3]), .ar_ready(ar_ready[e*4 +: 3]),
      .ar_addr(ar_addr[e*4*48 +: 3*48]), .ar_len(ar_len[e*4*8 +: 3*8]),
      .r_valid(r_valid[e*4 +: 3]), .r_ready(r_ready[e*4 +: 3]),
      .r_data(m_axi_rdata), .r_resp(m_axi_rresp), .r_last(m_axi_rlast),
      .aw_valid(aw_valid[e*2 +: 2]), .aw_ready(aw_ready[e*2 +: 2]),
      .aw_addr(aw_addr[e*2*48 +: 2*48]), .aw_len(aw_len[e*2*8 +: 2*8]),
      .w_valid(w_valid[e*2 +: 2]), .w_ready(w_ready[e*2 +: 2]),
      .w_data(w_data[e*2*DATA_WIDTH +: 2*DATA_WIDTH]), .w_strb(w_strb[e*2*DB +: 2*DB]),
      .w_last(w_last[e*2 +: 2]),
      .b_valid(b_valid[e*2 +: 2]), .b_ready(b_ready[e*2 +: 2]), .b_resp(m_axi_bresp)
    );
    assign ar_valid[e*4 + 3] = 1'b0;
    assign ar_addr[(e*4 + 3)*48 +: 48] = '0;
    assign ar_len[(e*4 + 3)*8 +: 8] = '0;
    assign r_ready[e*4 + 3] = 1'b1;
  end
  wire unused_slot3 = &{1'b0, ar_ready, r_valid};

  // ---------------------------------------------------------------- master port
  logic [47:0] m_awaddr, m_araddr;
  dma_axi_mux #(.NE(NE), .DB(DB), .IDW(ID_WIDTH), .SID_BITS(SID_BITS),
                .SID(SID_BITS'(SID)), .UW(USER_WIDTH)) u_mux (
    .clk, .rst, .tag(e_tag),
    .s_ar_valid(ar_valid), .s_ar_ready(ar_ready), .s_ar_addr(ar_addr), .s_ar_len(ar_len),
    .s_aw_valid(aw_valid), .s_aw_ready(aw_ready), .s_aw_addr(aw_addr), .s_aw_len(aw_len),
    .s_w_valid(w_valid), .s_w_ready(w_ready), .s_w_data(w_data), .s_w_strb(w_strb),
    .s_w_last(w_last),
    .s_r_valid(r_valid), .s_r_ready(r_ready), .s_b_valid(b_valid), .s_b_ready(b_ready),
    .m_axi_awid, .m_axi_awaddr(m_awaddr), .m_axi_awlen, .m_axi_awuser, .m_axi_awvalid,
    .m_axi_awready,
    .m_axi_wdata, .m_axi_wstrb, .m_axi_wlast, .m_axi_wvalid, .m_axi_wready,
    .m_axi_bid, .m_axi_bvalid, .m_axi_bready,
    .m_axi_arid, .m_axi_araddr(m_araddr), .m_axi_arlen, .m_axi_aruser, .m_axi_arvalid,
    .m_axi_arready,
    .m_axi_rid, .m_axi_rvalid, .m_axi_rready
  );
  assign m_axi_awaddr  = ADDR_WIDTH'(m_awaddr);
  assign m_axi_araddr  = ADDR_WIDTH'(m_araddr);
  assign m_axi_awsize  = 3'(LB);
  assign m_axi_arsize  = 3'(LB);
  assign m_axi_awburst = 2'b01;
  assign m_axi_arburst = 2'b01;
  assign m_axi_awlock  = 1'b0;
  assign m_axi_arlock  = 1'b0;
  assign m_axi_awcache = 4'b0011;
  assign m_axi_arcache = 4'b0011;
  assign m_axi_awprot  = 3'b010;   // unprivileged, non-secure, data
  assign m_axi_arprot  = 3'b010;

`ifndef SYNTHESIS
  initial begin
    if (!(DB == 8 || DB == 16 || DB == 32)) $fatal(1, "dma_top: DATA_WIDTH must be 64, 128 or 256");
    if (NQ < 1 || NQ > 16) $fatal(1, "dma_top: NQ must be 1..16");
    if (NE < 1 || NE > 4) $fatal(1, "dma_top: NE must be 1..4");
    if (QUANTUM < 1 || QUANTUM > 31) $fatal(1, "dma_top: QUANTUM must be 1..31");
    if (ID_WIDTH < 2 + $clog2(NE)) $fatal(1, "dma_top: ID_WIDTH must be >= 2 + log2(NE)");
    if (ADDR_WIDTH < 48) $fatal(1, "dma_top: ADDR_WIDTH must be >= 48");
  end
`endif
endmodule
