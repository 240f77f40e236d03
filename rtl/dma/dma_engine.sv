// One descriptor engine with its datapath: descriptor engine (dma_ctrl), read
// engine + realigner, data FIFO and write/compare engine. It serves one queue's
// descriptor at a time; dma_top runs NE of them side by side so a queue whose
// access is stalled (SMMU stall mode) only holds up its own engine.
// Request streams: index 0 = descriptor fetch / completion write, 1 = source
// reads / data writes, 2 = compare reads (AR only).
module dma_engine import dma_pkg::*; #(
  parameter int DB = 8,
  parameter int QW = 2,
  parameter int QUANTUM = 1,
  parameter int SID = 0         // the device's StreamID (trace records only)
) (
  input  logic            clk,
  input  logic            rst,
  output logic            idle,
  input  logic            go,
  input  logic [QW-1:0]   go_q,
  input  logic            go_ssv,
  input  logic [19:0]     go_ssid,
  input  logic [47:0]     go_daddr,
  input  logic [20:0]     go_roff,
  input  logic [15:0]     go_head,
  input  logic            yield_ok,
  output logic [QW-1:0]   cur_q,        // queue being served (valid while not idle)
  output logic            ev_valid,
  input  logic            ev_ready,
  output logic [QW-1:0]   ev_q,
  output logic            ev_head_inc,
  output logic [7:0]      ev_err,
  output logic            ev_halt,
  output logic [47:0]     ev_err_addr,
  output logic            ev_irq,
  output logic [20:0]     ev_roff,
  output logic [20:0]     tag,          // {ssv, ssid} of the descriptor in progress
  output logic [2:0]      ar_valid,
  input  logic [2:0]      ar_ready,
  output logic [3*48-1:0] ar_addr,
  output logic [3*8-1:0]  ar_len,
  input  logic [2:0]      r_valid,
  output logic [2:0]      r_ready,
  input  logic [DB*8-1:0] r_data,
  input  logic [1:0]      r_resp,
  input  logic            r_last,
  output logic [1:0]      aw_valid,
  input  logic [1:0]      aw_ready,
  output logic [2*48-1:0] aw_addr,
  output logic [2*8-1:0]  aw_len,
  output logic [1:0]      w_valid,
  input  logic [1:0]      w_ready,
  output logic [2*DB*8-1:0] w_data,
  output logic [2*DB-1:0] w_strb,
  output logic [1:0]      w_last,
  input  logic [1:0]      b_valid,
  output logic [1:0]      b_ready,
  input  logic [1:0]      b_resp
);
  localparam int FIFO_DEPTH = 2 * 4096 / DB;   // two chunks: one being written, one read

  logic cur_ssv;
  logic [19:0] cur_ssid;
  logic ck_valid, ck_ready, abort, desc_start, res_valid, res_ready;
  chunk_t ck, rc, wc;
  logic [63:0] ck_pattern;
  chunk_res_t res;
  logic rc_valid, rc_ready, wc_valid, wc_ready, rcq_ready, wcq_ready;
  logic st_valid, st_ready, rs_valid, rs_ready;
  rd_status_t st, rs;
  logic d_in_valid, d_in_ready, d_out_valid, d_out_ready;
  logic [DB*8-1:0] d_in, d_out;
  logic d_in_room;            // the data FIFO's in_ready (checked in simulation only)
  logic stq_room;             // the status FIFO's in_ready (checked in simulation only)
  logic rk_valid, rk_ready;   // the read engine's next-chunk register
  chunk_t rk;
  logic rq_valid, rq_ready;   // the result register in front of dma_ctrl
  chunk_res_t rq;
  logic rq_fail, rq_stop;     // its stop decision, registered with it

  assign tag = {cur_ssv, cur_ssid};
  assign w_strb[DB-1:0] = '1;   // the completion record is written whole

  dma_ctrl #(.DB(DB), .QW(QW), .QUANTUM(QUANTUM), .SID(SID)) u_ctrl (
    .clk, .rst,
    .idle, .go, .go_q, .go_ssv, .go_ssid, .go_daddr, .go_roff, .go_head, .yield_ok,
    .ev_valid, .ev_ready, .ev_q, .ev_head_inc, .ev_err, .ev_halt, .ev_err_addr, .ev_irq,
    .ev_roff,
    .cur_q, .cur_ssv, .cur_ssid,
    .ar_valid(ar_valid[0]), .ar_ready(ar_ready[0]), .ar_addr(ar_addr[0 +: 48]),
    .ar_len(ar_len[0 +: 8]),
    .r_valid(r_valid[0]), .r_ready(r_ready[0]), .r_data, .r_resp, .r_last,
    .aw_valid(aw_valid[0]), .aw_ready(aw_ready[0]), .aw_addr(aw_addr[0 +: 48]),
    .aw_len(aw_len[0 +: 8]),
    .w_valid(w_valid[0]), .w_ready(w_ready[0]), .w_data(w_data[0 +: DB*8]), .w_last(w_last[0]),
    .b_valid(b_valid[0]), .b_ready(b_ready[0]), .b_resp,
    .ck_valid, .ck_ready, .ck, .ck_pattern, .abort, .desc_start, .res_valid(rq_valid),
    .res_ready(rq_ready), .res(rq), .res_fail(rq_fail), .res_stop(rq_stop)
  );

  // Each chunk goes to both engines at once. Both chunk FIFOs always have room:
  // a chunk leaves them before its result exists, and dma_ctrl issues a chunk only
  // while fewer than 8 (= DEPTH) are without a result. So ck_ready is a constant,
  // not a path from the FIFOs' pointers into the chunker's enables.
  assign ck_ready = 1'b1;

  // Results reach dma_ctrl through a register (the result queue and the chunker
  // lie far apart). dma_ctrl takes a result in any cycle it has one: results exist
  // only for chunks in flight, and it stays in S_RUN until none is, so the write
  // engine's res_ready is a constant too. Whether the result stops the descriptor
  // is decoded here, into the same register, and only for the descriptor's first
  // stopping result (res_seen_stop masks the later ones, which dma_ctrl ignores), so
  // dma_ctrl's stop and completion-record enables are one flip-flop each, not a
  // decode of the code with the result's valid and dma_ctrl's own `stopped`.
  logic res_seen_stop, res_stops;
  assign res_stops = res.code == CR_FAULT || res.code == CR_BUS || res.mismatch;
  always_ff @(posedge clk) begin
    if (rst) begin
      rq_valid <= 1'b0;
      rq_fail <= 1'b0;
      rq_stop <= 1'b0;
      res_seen_stop <= 1'b0;
    end else begin
      rq_valid <= res_valid;
      rq_fail <= res_valid && !res_seen_stop && (res.code == CR_FAULT || res.code == CR_BUS);
      rq_stop <= res_valid && !res_seen_stop && res_stops;
      // (desc_start is S_DEC: no result is in flight then)
      if (desc_start) res_seen_stop <= 1'b0;
      else if (res_valid && res_stops) res_seen_stop <= 1'b1;
    end
    rq <= res;
  end
  assign res_ready = 1'b1;
`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!rst && ck_valid && !(rcq_ready && wcq_ready)) $error("dma_engine: chunk FIFO full");
    if (!rst && rs_valid && !stq_room) $error("dma_engine: status FIFO full");
    if (!rst && rq_valid && !rq_ready) $error("dma_engine: result not taken");
  end
`endif
  dma_fifo #(.W($bits(chunk_t)), .DEPTH(8), .ROOM_KNOWN(1)) u_rcq (
    .clk, .rst, .in_valid(ck_valid && ck_ready), .in_ready(rcq_ready), .in_data(ck),
    .out_valid(rc_valid), .out_ready(rc_ready), .out_data(rc)
  );
  dma_fifo #(.W($bits(chunk_t)), .DEPTH(8), .ROOM_KNOWN(1)) u_wcq (
    .clk, .rst, .in_valid(ck_valid && ck_ready), .in_ready(wcq_ready), .in_data(ck),
    .out_valid(wc_valid), .out_ready(wc_ready), .out_data(wc)
  );

  // The read engine takes its next chunk from a register (rk), so its room check
  // starts from flip-flops, not from the chunk FIFO's LUT RAM. The register refills
  // only while empty (one cycle after a take; a take is followed by at least one
  // cycle of AR issue unless the chunk reads nothing).
  assign rc_ready = !rk_valid;
  always_ff @(posedge clk) begin
    if (rst) rk_valid <= 1'b0;
    else if (!rk_valid) rk_valid <= rc_valid;
    else if (rk_ready) rk_valid <= 1'b0;
    if (!rk_valid) rk <= rc;
  end

  dma_rd_eng #(.DB(DB), .FIFO_DEPTH(FIFO_DEPTH)) u_rd (
    .clk, .rst, .cmd_valid(rk_valid), .cmd_ready(rk_ready), .cmd(rk), .abort,
    .ar_valid(ar_valid[1]), .ar_ready(ar_ready[1]), .ar_addr(ar_addr[48 +: 48]),
    .ar_len(ar_len[8 +: 8]),
    .r_valid(r_valid[1]), .r_ready(r_ready[1]), .r_data, .r_resp,
    .o_valid(d_in_valid), .o_ready(d_in_ready), .o_data(d_in),
    .fifo_pop(d_out_valid && d_out_ready),
    .st_valid(rs_valid), .st_ready(rs_ready), .st(rs)
  );

  // Holds a status for every chunk in flight, so the realigner never waits for
  // the write engine: R beats of later chunks keep draining while the write
  // engine waits for its COMPARE beats queued behind them. It cannot fill (a
  // status exists only for a chunk in flight, at most 8 < 16), so the realigner's
  // ready is a constant, not a path from the pointers' compare (checked in
  // simulation, as for the chunk FIFOs).
  assign rs_ready = 1'b1;
  dma_fifo #(.W($bits(rd_status_t)), .DEPTH(16), .ROOM_KNOWN(1)) u_stq (
    .clk, .rst, .in_valid(rs_valid), .in_ready(stq_room), .in_data(rs),
    .out_valid(st_valid), .out_ready(st_ready), .out_data(st)
  );

  // The data FIFO never fills: the read engine reserves room for a chunk's beats
  // before it reads them, so its in_ready is not a path into the realigner.
  assign d_in_ready = 1'b1;
`ifndef SYNTHESIS
  always_ff @(posedge clk)
    if (!rst && d_in_valid && !d_in_room) $error("dma_engine: data FIFO full");
`endif
  dma_data_fifo #(.W(DB*8), .DEPTH(FIFO_DEPTH), .ROOM_KNOWN(1)) u_data (
    .clk, .rst, .in_valid(d_in_valid), .in_ready(d_in_room), .in_data(d_in),
    .out_valid(d_out_valid), .out_ready(d_out_ready), .out_data(d_out)
  );

  // The data FIFO's words reach the write engine through a register slice: the FIFO
  // (beside its block RAM) and the write engine lie far apart, and the write engine's
  // W handshake then reaches the slice only, not the FIFO's pop, head and count. The
  // read engine's room grows when a word leaves the FIFO into the slice (the slice's
  // two words come on top of the FIFO's capacity).
  logic f_valid, f_ready;
  logic [DB*8-1:0] f_data;
  skid_buf #(.W(DB*8)) u_fskid (
    .clk, .rst, .in_valid(d_out_valid), .in_ready(d_out_ready), .in_data(d_out),
    .out_valid(f_valid), .out_ready(f_ready), .out_data(f_data)
  );

  // The data writes' W beats leave through a register slice: the bus's W ready
  // (through the mux) then reaches the slice's registers, not the write engine's
  // chunk sequencing and the data FIFO behind it.
  logic ww_valid, ww_ready, ww_last;
  logic [DB*8-1:0] ww_data;
  logic [DB-1:0] ww_strb;
  skid_buf #(.W(DB*8 + DB + 1)) u_wskid (
    .clk, .rst, .in_valid(ww_valid), .in_ready(ww_ready), .in_data({ww_last, ww_strb, ww_data}),
    .out_valid(w_valid[1]), .out_ready(w_ready[1]),
    .out_data({w_last[1], w_strb[DB +: DB], w_data[DB*8 +: DB*8]})
  );

  // The data writes' AW requests leave through a register slice as well: the AW
  // arbiter's input-register state (its ready) then reaches the slice, not the write
  // engine's request registers, whose enables also carry the chunk load.
  logic wa_valid, wa_ready;
  logic [47:0] wa_addr;
  logic [7:0] wa_len;
  skid_buf #(.W(48 + 8)) u_askid (
    .clk, .rst, .in_valid(wa_valid), .in_ready(wa_ready), .in_data({wa_len, wa_addr}),
    .out_valid(aw_valid[1]), .out_ready(aw_ready[1]),
    .out_data({aw_len[8 +: 8], aw_addr[48 +: 48]})
  );

  dma_wr_eng #(.DB(DB)) u_wr (
    .clk, .rst, .desc_start, .cmd_valid(wc_valid), .cmd_ready(wc_ready), .cmd(wc),
    .pattern(ck_pattern),
    .st_valid, .st_ready, .st,
    .f_valid, .f_ready, .f_data,
    .aw_valid(wa_valid), .aw_ready(wa_ready), .aw_addr(wa_addr), .aw_len(wa_len),
    .w_valid(ww_valid), .w_ready(ww_ready), .w_data(ww_data), .w_strb(ww_strb),
    .w_last(ww_last),
    .b_valid(b_valid[1]), .b_ready(b_ready[1]), .b_resp,
    .ar_valid(ar_valid[2]), .ar_ready(ar_ready[2]), .ar_addr(ar_addr[96 +: 48]),
    .ar_len(ar_len[16 +: 8]),
    .r_valid(r_valid[2]), .r_ready(r_ready[2]), .r_data, .r_resp,
    .res_valid, .res_ready, .res
  );

endmodule
