// AXI4-Lite register block: global ID/CAP/IRQ_STATUS/SID and one 64-byte block of
// queue registers per queue (map in sw/pasidsim/dma_regs.py and docs/dma.md).
// One transaction at a time; unmapped addresses read 0 and ignore writes (OKAY).
module dma_regs import dma_pkg::*; #(
  parameter int NQ = 4,
  parameter int AW = 12,
  parameter int LOG2_DB = 3,
  parameter int SID_BITS = 8,
  parameter logic [SID_BITS-1:0] SID = '0
) (
  input  logic              clk,
  input  logic              rst,
  input  logic [AW-1:0]     s_axil_awaddr,
  input  logic [2:0]        s_axil_awprot,
  input  logic              s_axil_awvalid,
  output logic              s_axil_awready,
  input  logic [31:0]       s_axil_wdata,
  input  logic [3:0]        s_axil_wstrb,
  input  logic              s_axil_wvalid,
  output logic              s_axil_wready,
  output logic [1:0]        s_axil_bresp,
  output logic              s_axil_bvalid,
  input  logic              s_axil_bready,
  input  logic [AW-1:0]     s_axil_araddr,
  input  logic [2:0]        s_axil_arprot,
  input  logic              s_axil_arvalid,
  output logic              s_axil_arready,
  output logic [31:0]       s_axil_rdata,
  output logic [1:0]        s_axil_rresp,
  output logic              s_axil_rvalid,
  input  logic              s_axil_rready,
  // queue state to the descriptor engine
  output logic [NQ-1:0]     q_ready,      // enabled, not halted, descriptors pending
  output logic [NQ-1:0]     q_nopasid,
  output logic [NQ*20-1:0]  q_pasid,
  output logic [NQ*48-1:0]  q_desc_addr,  // VA of the descriptor at head
  output logic [NQ*21-1:0]  q_roff,       // offset where the descriptor at head resumes
  output logic [NQ*16-1:0]  q_head,       // ring slot of the descriptor at head
  // events from the descriptor engine
  input  logic [NQ-1:0]     ev_hit,       // an event for queue i (one-hot, registered)
  input  logic              ev_head_inc,
  input  logic [7:0]        ev_err,       // QE_* code, QE_NONE for none
  input  logic              ev_err_any,   // ev_err != QE_NONE (registered with it)
  input  logic              ev_halt,
  input  logic [47:0]       ev_err_addr,
  input  logic              ev_irq,
  input  logic [20:0]       ev_roff,      // the queue's resume offset after this event
  input  logic [NQ-1:0]     q_busy,       // an engine owns the queue
  output logic              irq
);
  localparam int QW = (NQ > 1 ? $clog2(NQ) : 1);

  logic [NQ-1:0]  en, nopasid, irq_en, halted, irq_pend;
  logic [19:0]    pasid   [NQ];
  logic [47:6]    base    [NQ];
  logic [3:0]     log2sz  [NQ];
  logic [15:0]    tail    [NQ], head [NQ];
  logic [7:0]     err     [NQ];
  logic [47:0]    err_addr[NQ];
  logic [20:0]    roff    [NQ];   // progress of a descriptor handed back mid-way

  function automatic logic [15:0] size_mask(input logic [3:0] l2);
    return 16'((17'd1 << l2) - 17'd1);
  endfunction

  // ---------------------------------------------------------------- bus side
  // A write is taken into a register (address decoded, data) and applied in the next
  // cycle, with B following the apply: the register enables start from flip-flops,
  // not from the bus handshake. A write therefore takes one cycle more; a read that
  // follows its B still sees the written value.
  logic        wr_go, rd_go;
  logic        w_pend;        // a write taken last cycle is applied now
  assign wr_go = s_axil_awvalid && s_axil_wvalid && !s_axil_bvalid && !w_pend;
  assign s_axil_awready = wr_go;
  assign s_axil_wready  = wr_go;
  assign s_axil_bresp   = 2'b00;
  assign rd_go = s_axil_arvalid && !s_axil_rvalid;
  assign s_axil_arready = rd_go;
  assign s_axil_rresp   = 2'b00;

  // decode: queue block at 0x100 + 0x40*q
  function automatic logic is_q(input logic [AW-1:0] a);
    return a >= AW'(12'h100) && a < AW'(12'h100 + NQ * 64);
  endfunction
  function automatic logic [QW-1:0] qidx(input logic [AW-1:0] a);
    return QW'((a - AW'(12'h100)) >> 6);
  endfunction

  logic [31:0] rdata;
  always_comb begin
    logic [QW-1:0] q;
    logic [5:0] off;
    rdata = '0;
    q = qidx(s_axil_araddr);
    off = s_axil_araddr[5:0];
    if (!is_q(s_axil_araddr)) begin
      case (s_axil_araddr[AW-1:0])
        AW'(12'h000): rdata = 32'h444D_4131;
        AW'(12'h004): rdata = {20'd0, 4'(LOG2_DB), 8'(NQ)};
        AW'(12'h008): rdata = 32'(irq_pend);
        AW'(12'h00C): rdata = 32'(SID);
        default: rdata = '0;
      endcase
    end else begin
      case (off)
        6'h00: rdata = {29'd0, irq_en[q], nopasid[q], en[q]};
        6'h04: rdata = {12'd0, pasid[q]};
        6'h08: rdata = {base[q][31:6], 6'd0};
        6'h0C: rdata = {16'd0, base[q][47:32]};
        6'h10: rdata = {28'd0, log2sz[q]};
        6'h14: rdata = {16'd0, tail[q]};
        6'h18: rdata = {16'd0, head[q]};
        6'h1C: rdata = {28'd0, head[q] == tail[q], halted[q], q_busy[q], en[q]};
        6'h20: rdata = {24'd0, err[q]};
        6'h24: rdata = err_addr[q][31:0];
        6'h28: rdata = {16'd0, err_addr[q][47:32]};
        6'h2C: rdata = {11'd0, roff[q]};
        default: rdata = '0;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      s_axil_bvalid <= 1'b0;
      s_axil_rvalid <= 1'b0;
      s_axil_rdata  <= '0;
    end else begin
      if (w_pend) s_axil_bvalid <= 1'b1;
      else if (s_axil_bready) s_axil_bvalid <= 1'b0;
      if (rd_go) begin
        s_axil_rvalid <= 1'b1;
        s_axil_rdata  <= rdata;
      end else if (s_axil_rready) s_axil_rvalid <= 1'b0;
    end
  end

  // ---------------------------------------------------------------- registers
  // decoded with the write, one-hot: the queue (wsel) and the register (wo_*), so
  // each register's enable is one LUT of flip-flops
  logic [NQ-1:0] wsel;
  logic          wo_ctrl, wo_pasid, wo_blo, wo_bhi, wo_size, wo_tail, wo_head;
  logic [NQ-1:0] wclr;      // a QERR write of queue i is applied now (w_pend included)
  logic          wirq_in;
  logic [31:0]   wdata;
  logic          wirq;
  always_ff @(posedge clk) begin
    if (rst) begin
      w_pend <= 1'b0;
      wclr <= '0;
    end else begin
      w_pend <= wr_go;
      // the QERR write's clear of err, halted and err_addr, decoded whole into one
      // flip-flop per queue: those registers' resets are then one flip-flop, apart
      // from the event's load
      for (int i = 0; i < NQ; i++)
        wclr[i] <= wr_go && is_q(s_axil_awaddr) && 32'(qidx(s_axil_awaddr)) == i &&
                   s_axil_awaddr[5:0] == 6'h20;
    end
    if (wr_go) begin
      for (int i = 0; i < NQ; i++)
        wsel[i] <= is_q(s_axil_awaddr) && 32'(qidx(s_axil_awaddr)) == i;
      wo_ctrl  <= s_axil_awaddr[5:0] == 6'h00;
      wo_pasid <= s_axil_awaddr[5:0] == 6'h04;
      wo_blo   <= s_axil_awaddr[5:0] == 6'h08;
      wo_bhi   <= s_axil_awaddr[5:0] == 6'h0C;
      wo_size  <= s_axil_awaddr[5:0] == 6'h10;
      wo_tail  <= s_axil_awaddr[5:0] == 6'h14;
      wo_head  <= s_axil_awaddr[5:0] == 6'h18;
      wirq_in  <= s_axil_awaddr == AW'(12'h008);
      wdata    <= s_axil_wdata;
    end
  end
  assign wirq = w_pend && wirq_in;

  always_ff @(posedge clk) begin
    if (rst) begin
      en <= '0; nopasid <= '0; irq_en <= '0; halted <= '0; irq_pend <= '0;
      for (int i = 0; i < NQ; i++) begin
        pasid[i] <= '0; base[i] <= '0; log2sz[i] <= '0; tail[i] <= '0; head[i] <= '0;
        err[i] <= '0; err_addr[i] <= '0; roff[i] <= '0;
      end
    end else begin
      // engine events first; a same-cycle register write wins where both touch a field.
      // Per queue, so head + 1 is computed from that queue's own registers beside the
      // event decode (not after a select by ev_q, which arrives late from the engines).
      for (int i = 0; i < NQ; i++) begin
        if (ev_hit[i]) begin
          if (ev_head_inc) head[i] <= (head[i] + 16'd1) & size_mask(log2sz[i]);
          roff[i] <= ev_roff;
          if (ev_err_any && (err[i] == QE_NONE || ev_halt)) err[i] <= ev_err;
          if (ev_halt) begin
            halted[i] <= 1'b1;
            err_addr[i] <= ev_err_addr;
          end
          if ((ev_irq || ev_err_any) && irq_en[i]) irq_pend[i] <= 1'b1;
        end
      end
      if (wirq) irq_pend <= irq_pend & ~wdata[NQ-1:0];
      for (int i = 0; i < NQ; i++) begin
        if (w_pend && wsel[i]) begin
          if (wo_ctrl) {irq_en[i], nopasid[i], en[i]} <= wdata[2:0];
          if (wo_pasid) pasid[i] <= wdata[19:0];
          // a new ring or head means a different descriptor: forget saved progress
          if (wo_blo) base[i][31:6] <= wdata[31:6];
          if (wo_bhi) base[i][47:32] <= wdata[15:0];
          if (wo_size) log2sz[i] <= wdata[3:0];
          if (wo_tail) tail[i] <= wdata[15:0] & size_mask(log2sz[i]);
          if (wo_head && !en[i]) head[i] <= wdata[15:0] & size_mask(log2sz[i]);
          if (wo_blo || wo_bhi || wo_size || (wo_head && !en[i])) roff[i] <= '0;
          // the VA goes with the error: a reused slot must not show the last owner's
        end
        if (wclr[i]) begin err[i] <= QE_NONE; halted[i] <= 1'b0; err_addr[i] <= '0; end
      end
    end
  end

  // ---------------------------------------------------------------- outputs
  always_comb begin
    irq = |irq_pend;
    for (int i = 0; i < NQ; i++) begin
      q_ready[i]          = en[i] && !halted[i] && head[i] != tail[i];
      q_nopasid[i]        = nopasid[i];
      q_pasid[i*20 +: 20] = pasid[i];
      q_desc_addr[i*48 +: 48] = {base[i], 6'd0} + {26'd0, head[i], 6'd0};
      q_roff[i*21 +: 21]      = roff[i];
      q_head[i*16 +: 16]      = head[i];
    end
  end

  wire unused = &{1'b0, s_axil_awprot, s_axil_arprot, s_axil_wstrb};
endmodule
