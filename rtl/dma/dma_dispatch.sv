// Hands queues to idle engines and funnels the engines' events to the register
// block. Queues are picked round-robin among those ready and not already owned
// by an engine (a queue's descriptors stay in order because only one engine
// works on a queue at a time). Ownership ends when the register block applies the
// queue's event (a cycle after it was taken: dma_top registers it), so the next
// pick sees the updated head and resume offset. While a ready queue waits, every engine
// serving a queue that is still ready may yield (hand its
// queue back at a chunk boundary, see dma_ctrl), so queues take turns.
// The hand-out (go and the queue's state) and yield_ok leave from registers: the
// register block and the engines are far apart on the chip. The hand-out takes
// two register stages: the pick goes into flip-flops (the engine, the queue, the
// one-hot grant), and the cycle after, the queue's state is selected by that
// registered grant into the hand-out registers, which load in every cycle (no
// enable: the pick would otherwise drive ~110 enables across the chip). go
// follows a cycle later with them. The queue's state cannot move in between: it
// is owned from the pick on, so no event of it is applied. An engine given a
// queue counts as busy from the pick on; yield_ok is one cycle old (a queue
// disabled in the cycle its engine hands it back is handed back, as if the
// disable had come a cycle later).
module dma_dispatch #(
  parameter int NQ = 4,
  parameter int NE = 2,
  parameter int QW = 2
) (
  input  logic            clk,
  input  logic            rst,
  input  logic [NQ-1:0]   q_ready,
  input  logic [NQ-1:0]   q_nopasid,
  input  logic [NQ*20-1:0] q_pasid,
  input  logic [NQ*48-1:0] q_desc_addr,
  input  logic [NQ*21-1:0] q_roff,
  input  logic [NQ*16-1:0] q_head,
  input  logic [NE-1:0]   e_idle,
  output logic [NE-1:0]   e_go,
  output logic [QW-1:0]   go_q,
  output logic            go_ssv,
  output logic [19:0]     go_ssid,
  output logic [47:0]     go_daddr,
  output logic [20:0]     go_roff,
  output logic [15:0]     go_head,      // ring slot of the descriptor handed out
  input  logic [NE*QW-1:0] e_cur_q,
  output logic [NE-1:0]   e_yield_ok,
  input  logic [NE-1:0]   e_ev_valid,
  output logic [NE-1:0]   e_ev_ready,
  output logic            ev_sel_valid,
  output logic [(NE > 1 ? $clog2(NE) : 1)-1:0] ev_sel,
  input  logic            ev_apply,     // the register block applies an event (taken a cycle ago)
  input  logic [QW-1:0]   ev_apply_q,   // of this queue
  output logic [NQ-1:0]   owned
);
  logic gnt_valid, any_idle, pick;
  logic [QW-1:0] gnt;
  logic [NE-1:0] first_idle, idle;
  logic [NQ-1:0] gnt_oh;
  logic [NE-1:0] go_r, go_p, yield_r;   // go_p: picked, handed out next cycle
  logic [NQ-1:0] p_oh;                   // the picked queue, one-hot
  logic [QW-1:0] p_q;
  // The pick sees q_ready through a register (the register block's head/tail
  // compare is far away): a queue's enable, halt and doorbell reach it one cycle
  // later. An event taken from an engine is applied by the register block a cycle
  // later (dma_top registers it), which is when the queue stops being owned. From
  // the take until the cycle after the apply no queue is picked: q_ready_r then
  // still predates the head move the event made (a hold, not a mask of that
  // queue, so the round-robin order stays that of the unregistered pick).
  logic [NQ-1:0] q_ready_r;
  logic          hold;
  logic          ssv;
  logic [19:0]   ssid;
  logic [47:0]   daddr;
  logic [20:0]   roff;
  logic [15:0]   head;

  dma_rr_arb #(.N(NQ), .IW(QW)) u_arb (
    .clk, .rst, .req(q_ready_r & ~owned), .take(any_idle && !hold && !ev_apply), .gnt_valid,
    .gnt, .gnt_oh
  );

  always_comb begin
    idle = e_idle & ~go_p & ~go_r;   // an engine being handed a queue is not idle
    first_idle = '0;
    for (int e = NE - 1; e >= 0; e--) if (idle[e]) first_idle = NE'(1) << e;
    any_idle = |idle;
    pick     = gnt_valid && any_idle && !hold && !ev_apply;
    // the picked queue's state, selected by the registered one-hot grant (AND-OR)
    ssv   = 1'b0;
    ssid  = '0;
    daddr = '0;
    roff  = '0;
    head  = '0;
    for (int q = 0; q < NQ; q++) begin
      if (p_oh[q]) begin
        ssv   = ssv | !q_nopasid[q];
        ssid  = ssid | (q_nopasid[q] ? 20'd0 : q_pasid[q*20 +: 20]);
        daddr = daddr | q_desc_addr[q*48 +: 48];
        roff  = roff | q_roff[q*21 +: 21];
        head  = head | q_head[q*16 +: 16];
      end
    end
  end
  assign e_go       = go_r;
  assign e_yield_ok = yield_r;

  always_ff @(posedge clk) begin
    if (rst) begin
      go_p <= '0;
      go_r <= '0;
      yield_r <= '0;
    end else begin
      go_p <= pick ? first_idle : '0;
      go_r <= go_p;
      // a queue disabled or halted meanwhile is not handed back half done. Not gated
      // by an idle engine: that would let a turn starting next to a momentarily idle
      // engine issue many chunks.
      for (int e = 0; e < NE; e++)
        yield_r[e] <= gnt_valid && q_ready[e_cur_q[e*QW +: QW]];
    end
    // (no enables: these are read only with go, a cycle after the pick)
    p_oh     <= gnt_oh;
    p_q      <= gnt;
    go_q     <= p_q;
    go_ssv   <= ssv;
    go_ssid  <= ssid;
    go_daddr <= daddr;
    go_roff  <= roff;
    go_head  <= head;
  end

  // one event per cycle, lowest engine first (events are one per descriptor)
  always_comb begin
    e_ev_ready = '0;
    ev_sel_valid = 1'b0;
    ev_sel = '0;
    for (int e = NE - 1; e >= 0; e--) begin
      if (e_ev_valid[e]) begin
        e_ev_ready = NE'(1) << e;
        ev_sel_valid = 1'b1;
        ev_sel = $bits(ev_sel)'(e);
      end
    end
  end

  always_ff @(posedge clk) begin
    q_ready_r <= q_ready;
    if (rst) begin
      owned <= '0;
      hold <= 1'b0;
    end else begin
      hold <= ev_apply;
      if (ev_apply) owned[ev_apply_q] <= 1'b0;
      if (pick) owned[gnt] <= 1'b1;
    end
  end
endmodule
