// Descriptor engine: takes one descriptor of the queue the dispatcher hands it,
// fetches it, validates it, cuts it into chunks for the read and
// write engines, collects the chunk results in order, writes the completion
// record and reports head advance, errors and interrupts to the register block.
// The descriptor fetch and the completion write use ID_CTRL; all of a
// descriptor's requests carry the PASID its queue had when it was picked.
// Turns: when another queue is waiting (yield_ok), the engine stops issuing
// chunks after QUANTUM chunks of this turn, lets them finish and, if the
// descriptor is neither done nor failed, hands the queue back with the offset
// of its next chunk (ev_roff, kept by the register block). The next turn
// refetches the same descriptor (head has not moved) and resumes there, so a
// long copy never holds an engine while other queues wait.
module dma_ctrl import dma_pkg::*; #(
  parameter int DB = 8,
  parameter int QW = 2,
  parameter int QUANTUM = 1,    // chunks per turn while other queues wait, >= 1
  parameter int SID = 0         // the device's StreamID (trace records only)
) (
  input  logic            clk,
  input  logic            rst,
  // dispatcher: a queue's next descriptor, taken when idle
  output logic            idle,
  input  logic            go,
  input  logic [QW-1:0]   go_q,
  input  logic            go_ssv,
  input  logic [19:0]     go_ssid,
  input  logic [47:0]     go_daddr,
  input  logic [20:0]     go_roff,      // resume offset (0: start of the descriptor)
  input  logic [15:0]     go_head,      // ring slot of the descriptor (trace records only)
  input  logic            yield_ok,     // another queue waits for an engine
  // one event per descriptor to the register block, held until taken
  output logic            ev_valid,
  input  logic            ev_ready,
  output logic [QW-1:0]   ev_q,
  output logic            ev_head_inc,
  output logic [7:0]      ev_err,
  output logic            ev_halt,
  output logic [47:0]     ev_err_addr,
  output logic            ev_irq,
  output logic [20:0]     ev_roff,      // where the queue's next turn resumes (0: none)
  output logic [QW-1:0]   cur_q,
  output logic            cur_ssv,
  output logic [19:0]     cur_ssid,
  // descriptor fetch (ID_CTRL)
  output logic            ar_valid,
  input  logic            ar_ready,
  output logic [47:0]     ar_addr,
  output logic [7:0]      ar_len,
  input  logic            r_valid,
  output logic            r_ready,
  input  logic [DB*8-1:0] r_data,
  input  logic [1:0]      r_resp,
  input  logic            r_last,
  // completion write (ID_CTRL)
  output logic            aw_valid,
  input  logic            aw_ready,
  output logic [47:0]     aw_addr,
  output logic [7:0]      aw_len,
  output logic            w_valid,
  input  logic            w_ready,
  output logic [DB*8-1:0] w_data,
  output logic            w_last,
  input  logic            b_valid,
  output logic            b_ready,
  input  logic [1:0]      b_resp,
  // chunks to both engines, results back
  output logic            ck_valid,
  input  logic            ck_ready,
  output chunk_t          ck,
  output logic [63:0]     ck_pattern,   // FILL pattern of the descriptor in progress
  output logic            abort,        // next value of `stopped` (registered by the reader)
  output logic            desc_start,
  input  logic            res_valid,
  output logic            res_ready,
  input  chunk_res_t      res,
  // decoded with the result, into the same register (dma_engine), for the first
  // result of the descriptor that stops it only (later ones are masked there):
  // res.code is CR_FAULT or CR_BUS (res_fail); that, or res.mismatch (res_stop)
  input  logic            res_fail,
  input  logic            res_stop
);
  localparam int DESC_BEATS = 64 / DB;
  // Chunks are also cut every PIECE bytes of the destination (128 beats, at most a
  // page): the write engine starts a chunk's writes once that chunk's reads are in,
  // so smaller chunks overlap reads and writes sooner.
  localparam int PIECE = (128 * DB < 4096) ? 128 * DB : 4096;
  localparam int PB = $clog2(PIECE);
  localparam int COMP_BEATS = 32 / DB;
  localparam int LB = $clog2(DB);
  typedef enum logic [3:0] {S_IDLE, S_FAR, S_FR, S_VAL, S_CHK, S_DEC, S_RUN, S_CW, S_FIN,
                            S_EV} state_t;

  state_t       state;
  logic [511:0] desc;
  // descriptor beat being fetched, one-hot; zero outside S_FR (set entering it, cleared
  // by the last beat), so a word's write enable needs no state decode
  logic [DESC_BEATS-1:0] beat_oh;
  logic         rerr;
  logic [47:0]  daddr;
  logic [15:0]  cur_idx;      // ring slot of the descriptor in progress
  logic [20:0]  roff;
  logic [4:0]   turn;         // chunks issued in this turn, saturating
  logic         yielding;

  // descriptor fields (layout: sw/pasidsim/dma_desc.py)
  logic [7:0]  op, flags;
  logic [15:0] rsv;
  logic [31:0] len;
  logic [63:0] src, dst, pattern, comp;
  assign op = desc[7:0];
  assign flags = desc[15:8];
  assign rsv = desc[31:16];
  assign len = desc[63:32];
  assign src = desc[127:64];
  assign dst = desc[191:128];
  assign pattern = desc[255:192];
  assign comp = desc[319:256];

  // ---------------------------------------------------------------- validation
  // Two free-running register stages in front of S_CHK: the range ends and the
  // distances between the two starts (dend/send/sd/ds), then every compare on them
  // and on the descriptor's fields (the *_r flags); S_CHK only picks the first
  // failing check into vstat, which S_DEC uses. One carry chain per cycle of at most
  // 32 bits, and none in front of vstat or S_DEC's wide enables.
  // Why no state enables are needed: op, len, src and dst lie in the descriptor's
  // first 32 bytes, never in its last beat (DB <= 32), so they are final one cycle
  // before S_VAL (the last S_FR cycle): dend/send/sd/ds are correct from S_VAL on,
  // the *_r flags from S_CHK on (simulation compares vstat's input with the
  // unregistered expression in S_CHK).
  logic comp_bad, is_data, has_src;
  logic [7:0] vstatus, vstat;
  logic [64:0] dend, send;    // dst + len, src + len
  logic [48:0] sd, ds;        // src - dst, dst - src on 48 bits (two's complement)
  logic end_bad, src_end_bad, ovl;
  logic op_bad_r, flags_bad_r, len_bad_r, addr_bad_r, ovl_r, is_move_r;
  // is_data / has_src / comp_bad: registers (the descriptor changes in S_FR only;
  // S_CHK is the first state that reads the first two, S_DEC the third), so the
  // opcode and completion-address decode are off the paths from S_DEC on
  always_ff @(posedge clk) begin
    is_data <= op == OP_MEMMOVE || op == OP_FILL || op == OP_COMPARE;
    has_src <= op == OP_MEMMOVE || op == OP_COMPARE;
    comp_bad <= flags[FL_COMP] && (comp[4:0] != 0 || comp[63:48] != 0);
  end
  always_comb begin
    // "> 2**48" as zero tests, not as 65-bit compares
    end_bad     = dend[64:VA_BITS+1] != '0 || (dend[VA_BITS] && dend[VA_BITS-1:0] != '0);
    src_end_bad = send[64:VA_BITS+1] != '0 || (send[VA_BITS] && send[VA_BITS-1:0] != '0);
    // The ranges overlap iff src < dst + len and dst < src + len, i.e. iff the
    // distance from the lower start to the higher one is below len. Only read when
    // both ranges lie below 2**48 (else ST_INV_ADDR wins), so the starts are below
    // 2**48 and the 49-bit differences are exact; a distance >= 2**32 never is.
    ovl = (!sd[48] && sd[47:32] == '0 && sd[31:0] < len) ||
          (!ds[48] && ds[47:32] == '0 && ds[31:0] < len);
    if (op_bad_r) vstatus = ST_INV_OPCODE;
    else if (flags_bad_r) vstatus = ST_INV_FLAGS;
    else if (!is_data) vstatus = ST_SUCCESS;
    else if (len_bad_r) vstatus = ST_INV_LENGTH;
    else if (addr_bad_r) vstatus = ST_INV_ADDR;
    else if (is_move_r && ovl_r) vstatus = ST_OVERLAP;
    else vstatus = ST_SUCCESS;
  end
  always_ff @(posedge clk) begin
    dend <= {1'b0, dst} + 65'(len);
    send <= {1'b0, src} + 65'(len);
    sd <= {1'b0, src[47:0]} - {1'b0, dst[47:0]};
    ds <= {1'b0, dst[47:0]} - {1'b0, src[47:0]};
    op_bad_r <= op > OP_COMPARE;
    flags_bad_r <= (flags & ~FLAGS_VALID) != 0 || rsv != 0;
    len_bad_r <= len == 0 || len[31:MAX_LEN_LOG2 + 1] != '0 ||
                 (len[MAX_LEN_LOG2] && len[MAX_LEN_LOG2-1:0] != '0);
    addr_bad_r <= end_bad || (has_src && src_end_bad);
    ovl_r <= ovl;
    is_move_r <= op == OP_MEMMOVE;
  end
`ifndef SYNTHESIS
  // vstat's input in S_CHK equals the validation computed from the descriptor as it
  // is now, without the register stages
  logic [7:0] vlive;
  always_comb begin
    logic [64:0] de, se;
    logic [48:0] a, b;
    logic eb, seb, ov;
    de = {1'b0, dst} + 65'(len);
    se = {1'b0, src} + 65'(len);
    a = {1'b0, src[47:0]} - {1'b0, dst[47:0]};
    b = {1'b0, dst[47:0]} - {1'b0, src[47:0]};
    eb  = de[64:VA_BITS+1] != '0 || (de[VA_BITS] && de[VA_BITS-1:0] != '0);
    seb = se[64:VA_BITS+1] != '0 || (se[VA_BITS] && se[VA_BITS-1:0] != '0);
    ov  = (!a[48] && a[47:32] == '0 && a[31:0] < len) ||
          (!b[48] && b[47:32] == '0 && b[31:0] < len);
    if (op > OP_COMPARE) vlive = ST_INV_OPCODE;
    else if ((flags & ~FLAGS_VALID) != 0 || rsv != 0) vlive = ST_INV_FLAGS;
    else if (!(op == OP_MEMMOVE || op == OP_FILL || op == OP_COMPARE)) vlive = ST_SUCCESS;
    else if (len == 0 || len[31:MAX_LEN_LOG2 + 1] != '0 ||
             (len[MAX_LEN_LOG2] && len[MAX_LEN_LOG2-1:0] != '0)) vlive = ST_INV_LENGTH;
    else if (eb || ((op == OP_MEMMOVE || op == OP_COMPARE) && seb)) vlive = ST_INV_ADDR;
    else if (op == OP_MEMMOVE && ov) vlive = ST_OVERLAP;
    else vlive = ST_SUCCESS;
  end
  always_ff @(posedge clk)
    if (!rst && state == S_CHK && vstatus != vlive)
      $error("dma_ctrl: validation %0d, unregistered %0d", vstatus, vlive);
`endif

  // ---------------------------------------------------------------- run state
  logic [20:0] coff;          // offset of the next chunk to issue
  logic [20:0] remd;          // len - coff (S_RUN: len <= 2**20), kept beside coff
  logic [47:0] cs, cd;        // its source and destination VAs
  logic [3:0]  inflight;
  logic        stopped;
  logic [7:0]  status, result, finfo;
  logic [31:0] nbytes;
  logic [63:0] faddr;
  logic [7:0]  qerr;
  logic        cw_aw_done, cw_err_halt;
  logic [2:0]  cw_beat;
  // The record goes out in two bursts: beats 1.. first, then (after their B) beat 0, which
  // holds the status: software that sees status != NONE then reads a complete record.
  logic        cw_status;           // 1: writing the status beat
  localparam int BODY_BEATS = COMP_BEATS - 1;

  // The next chunk's length is computed from coff/cs/cd in two register stages
  // (the room to the piece and page ends and the bytes left, then their minimum by
  // three compares side by side) into clen_r, which is `fresh` two cycles after they
  // last changed: the chunk handshake and the address adders see a register, at the
  // cost of two cycles between two chunks (a chunk is >= 128 beats on the bus while
  // up to 8 are in flight).
  logic [12:0] to_d_r, to_s_r, rem_r, clen_r;
  logic        more_r, fresh, fresh_a;
  // The bytes left (remd) are counted down beside coff, not recomputed as len - coff:
  // len lies in the descriptor register, far from the chunker, and neither the
  // chunk length nor ck_arm then waits for a carry chain behind that route.
  always_ff @(posedge clk) begin
    to_d_r <= 13'(PIECE) - 13'(cd[PB-1:0]);
    to_s_r <= has_src ? 13'h1000 - 13'(cs[11:0]) : 13'h1000;
    // remd > 4096 as a zero test of its upper bits (the others are <= 4096 too)
    rem_r  <= (remd[20:13] != '0 || (remd[12] && remd[11:0] != '0)) ? 13'h1000 : 13'(remd);
    more_r <= remd != '0;
    if (rem_r < to_d_r && rem_r < to_s_r) clen_r <= rem_r;
    else clen_r <= (to_d_r < to_s_r) ? to_d_r : to_s_r;
  end

  function automatic logic [9:0] nbeats(input logic [LB-1:0] lane, input logic [12:0] n);
    return 10'((14'(lane) + 14'(n) + 14'(DB - 1)) >> LB);
  endfunction

  // A register: ck_valid below starts from flip-flops only. It is read only while
  // `fresh`, at least one cycle after turn last moved, so it is never stale then
  // (yield_ok, itself one cycle old, reaches it one cycle later).
  always_ff @(posedge clk) yielding <= yield_ok && 32'(turn) >= QUANTUM;
  // ck_valid = S_RUN && fresh && !stopped && more_r && inflight < 8 && !yielding, as
  // a register (ck_arm) computed from each term's next value, so the chunk handshake
  // (ck_fire enables coff/cs/cd/turn/inflight and the chunk FIFOs) is a flip-flop.
  logic ck_fire, res_fire;
  assign ck_fire  = ck_valid && ck_ready;
  // (results come only in S_RUN, which is left only once none is in flight: a result
  // is always taken; simulation checks it in dma_engine)
  assign res_fire = res_valid;
  logic ck_arm, ck_live, stop_set, leave;
  logic [3:0] inflight_n;
  assign ck_valid   = ck_arm;
  assign ck_live    = state == S_RUN && fresh && !stopped && more_r && inflight < 4'd8 &&
                      !yielding;
  assign stop_set   = res_stop;
  assign leave      = inflight == 0 && !res_valid && fresh && (stopped || !more_r || yielding);
  assign inflight_n = inflight + (ck_fire ? 4'd1 : 4'd0) - (res_fire ? 4'd1 : 4'd0);
  always_ff @(posedge clk) begin
    if (rst) ck_arm <= 1'b0;
    else ck_arm <= state == S_RUN && !leave && fresh_a && !ck_fire && !stopped && !stop_set &&
                   remd != '0 && inflight_n < 4'd8 && !(yield_ok && 32'(turn) >= QUANTUM);
  end
`ifndef SYNTHESIS
  always_ff @(posedge clk)
    if (!rst && ck_arm != ck_live) $error("dma_ctrl: ck_arm %0d, live %0d", ck_arm, ck_live);
  // the bytes left counted down equal len - coff
  always_ff @(posedge clk)
    if (!rst && state == S_RUN && 32'(remd) != len - 32'(coff))
      $error("dma_ctrl: bytes left %0d, len - coff %0d", remd, len - 32'(coff));
  // the read engine's copy of `stopped` (from abort, its next value) equals it
  logic abort_q;
  always_ff @(posedge clk) begin
    abort_q <= abort;
    if (!rst && state == S_RUN && abort_q != stopped)
      $error("dma_ctrl: abort copy %0d, stopped %0d", abort_q, stopped);
  end
  // the stop flags come with a result, only for the descriptor's first stopping one
  always_ff @(posedge clk)
    if (!rst && (res_stop && (stopped || !res_valid) || res_fail && !res_stop))
      $error("dma_ctrl: stop flags %0d/%0d with result %0d, stopped %0d", res_fail, res_stop,
             res_valid, stopped);
`endif
  assign ck = '{has_src: has_src, is_fill: op == OP_FILL, is_cmp: op == OP_COMPARE,
                off: coff, src: cs, dst: cd, len: clen_r,
                sbeats: nbeats(cs[LB-1:0], clen_r), dbeats: nbeats(cd[LB-1:0], clen_r)};
  // constant while any chunk is in flight: the descriptor register changes only in
  // S_FR, after every chunk's result (and so its last write) came back
  assign ck_pattern = pattern;
  // abort is the next value of `stopped`: the read engine keeps its own copy of it
  // (stopped lives here, the read engine's chunk take far away)
  assign abort = state == S_DEC ? 1'b0 : res_stop ? 1'b1 : stopped;
  assign res_ready = state == S_RUN;
  assign desc_start = state == S_DEC;


  // ---------------------------------------------------------------- bus outputs
  assign ar_valid = state == S_FAR;
  assign ar_addr  = daddr;
  assign ar_len   = 8'(DESC_BEATS - 1);
  assign r_ready  = state == S_FR;

  logic [255:0] record;
  assign record = {128'd0, faddr, nbytes, 8'd0, finfo, result, status};
  assign aw_valid = state == S_CW && !cw_aw_done;
  assign aw_addr  = cw_status ? comp[47:0] : comp[47:0] + 48'(DB);
  assign aw_len   = cw_status ? 8'd0 : 8'(BODY_BEATS - 1);
  assign w_valid  = state == S_CW && 32'(cw_beat) < (cw_status ? 1 : BODY_BEATS);
  assign w_data   = record[(cw_status ? 0 : 32'(cw_beat) + 1) * DB * 8 +: DB * 8];
  assign w_last   = cw_status || 32'(cw_beat) == BODY_BEATS - 1;
  assign b_ready  = state == S_CW;

  always_ff @(posedge clk) begin
    // stale for two cycles after coff/cs/cd moved (a chunk issued, or a descriptor
    // decoded)
    fresh_a <= !(ck_fire || state != S_RUN);
    fresh   <= fresh_a && !(ck_fire || state != S_RUN);
  end

  assign idle = state == S_IDLE;
  assign ev_valid = state == S_EV;

  // The run registers, apart from the state machine: loaded at the descriptor's start
  // (S_DEC) and moved by a chunk issue (ck_fire) or by the descriptor's first stopping
  // result (res_stop), neither of which comes outside S_RUN (ck_arm is S_RUN's, and
  // results come only in S_RUN: both checked in simulation), so their enables are
  // S_DEC's flip-flop and one of those two, with no S_RUN decode shared between them.
  // `inflight` needs no clear at all: S_RUN is left only once it is 0 and it moves
  // only in S_RUN, so it is 0 outside S_RUN (checked in simulation).
  logic dec;
  assign dec = state == S_DEC;
  always_ff @(posedge clk) begin
    if (rst) inflight <= '0;
    else inflight <= inflight_n;
    if (dec) begin
      // a resumed descriptor restarts at a chunk boundary: same chunks as one run
      coff <= roff;
      remd <= 21'(len) - roff;
      cs <= src[47:0] + 48'(roff);
      cd <= dst[47:0] + 48'(roff);
      turn <= '0;
    end else if (ck_fire) begin
      if (turn != '1) turn <= turn + 5'd1;
      coff <= coff + 21'(clen_r);
      remd <= remd - 21'(clen_r);
      cs <= cs + 48'(clen_r);
      cd <= cd + 48'(clen_r);
    end
    if (dec) begin
      stopped <= 1'b0;
      result <= '0; finfo <= '0; faddr <= '0;
      status <= vstat;
      nbytes <= (vstat == ST_SUCCESS && is_data) ? len : 32'd0;
      qerr <= (vstat == ST_SUCCESS) ? QE_NONE : QE_INV_DESC;
    end else if (res_stop) begin
      stopped <= 1'b1;
      if (res_fail) begin
        status <= res.code == CR_BUS ? ST_BUS_ERROR : ST_PAGE_FAULT;
        qerr <= res.code == CR_BUS ? QE_BUS_ERROR : QE_NONE;
        finfo <= {7'd0, res.is_write};
        faddr <= {16'd0, (res.on_dst ? dst[47:0] : src[47:0]) + 48'(res.off)};
        nbytes <= 32'(res.off);
      end else begin
        result <= 8'd1;
        nbytes <= 32'(res.off) + 32'(res.mism_off);
      end
    end
  end
`ifndef SYNTHESIS
  always_ff @(posedge clk)
    if (!rst && state != S_RUN && (inflight != 0 || ck_fire || res_stop))
      $error("dma_ctrl: outside S_RUN: inflight %0d, chunk %0d, stop %0d", inflight, ck_fire,
             res_stop);
`endif

  // descriptor words: each written when its one-hot beat bit is set and a beat comes
  // (r_ready is S_FR, where beat_oh is never zero; the enables are one LUT, no
  // beat-index or state decode)
  always_ff @(posedge clk) begin
    if (rst) desc <= '0;
    else for (int i = 0; i < DESC_BEATS; i++)
      if (r_valid && beat_oh[i]) desc[i * DB * 8 +: DB * 8] <= r_data;
  end
`ifndef SYNTHESIS
  always_ff @(posedge clk)
    if (!rst && (beat_oh != '0) != (state == S_FR))
      $error("dma_ctrl: beat pointer %b in state %0d", beat_oh, state);
`endif

  always_ff @(posedge clk) begin
    if (rst) begin
      state <= S_IDLE;
      cur_q <= '0;
      cur_ssv <= 1'b0;
      cur_ssid <= '0;
      beat_oh <= '0;
    end else begin
      case (state)
        S_IDLE: if (go) begin
          cur_q <= go_q;
          cur_ssv <= go_ssv;
          cur_ssid <= go_ssid;
          daddr <= go_daddr;
          cur_idx <= go_head;
          roff <= go_roff;
          ev_roff <= go_roff;       // a halting fetch error keeps the saved progress
          ev_head_inc <= 1'b0;
          ev_err <= QE_NONE;
          ev_halt <= 1'b0;
          ev_irq <= 1'b0;
          state <= S_FAR;
        end
        S_FAR: if (ar_ready) begin
          beat_oh <= DESC_BEATS'(1);
          rerr <= 1'b0;
          state <= S_FR;
        end
        S_FR: if (r_valid) begin
          beat_oh <= r_last ? '0 : beat_oh << 1;
          if (r_resp != 2'b00) rerr <= 1'b1;
          if (r_last) begin
            if (rerr || r_resp != 2'b00) begin
              ev_q <= cur_q; ev_err <= QE_DESC_FETCH; ev_halt <= 1'b1;
              ev_err_addr <= daddr;
              state <= S_EV;
            end else state <= S_VAL;
          end
        end
        S_VAL: state <= S_CHK;    // (the validation stages fill)
        S_CHK: begin
          vstat <= vstatus;
          state <= S_DEC;
        end
        S_DEC: begin
          // (the run registers are loaded below, in their own block)
          ev_roff <= '0;
          cw_aw_done <= 1'b0;
          cw_beat <= '0;
          cw_status <= BODY_BEATS == 0;   // a one-beat record is written at once
          cw_err_halt <= 1'b0;
          if (comp_bad) begin
            // nowhere to report: count the descriptor as consumed and flag the queue
            ev_q <= cur_q; ev_head_inc <= 1'b1; ev_err <= QE_INV_DESC;
            ev_irq <= flags[FL_IRQ];
            state <= S_EV;
          end else if (vstat == ST_SUCCESS && is_data) state <= S_RUN;
          else state <= flags[FL_COMP] ? S_CW : S_FIN;
        end
        S_RUN: begin
          // (at inflight 0 and fresh, ck_valid = !stopped && more_r && !yielding)
          if (inflight == 0 && !res_valid && fresh) begin
            if (stopped || !more_r) state <= flags[FL_COMP] ? S_CW : S_FIN;
            else if (yielding) begin
              ev_q <= cur_q;          // hand the queue back: no head move, no error
              ev_roff <= coff;
              state <= S_EV;
            end
          end
        end
        S_CW: begin
          if (aw_valid && aw_ready) cw_aw_done <= 1'b1;
          if (w_valid && w_ready) cw_beat <= cw_beat + 3'd1;
          if (b_valid) begin
            if (b_resp != 2'b00) begin
              cw_err_halt <= 1'b1;      // no status beat after a failed body write
              state <= S_FIN;
            end else if (!cw_status) begin
              cw_status <= 1'b1;
              cw_aw_done <= 1'b0;
              cw_beat <= '0;
            end else state <= S_FIN;
          end
        end
        S_FIN: begin
          ev_q <= cur_q;
          ev_head_inc <= 1'b1;
          ev_err <= cw_err_halt ? QE_COMP_WRITE : qerr;
          ev_halt <= cw_err_halt;
          ev_err_addr <= comp[47:0];
          ev_irq <= flags[FL_IRQ];
          state <= S_EV;
        end
        S_EV: if (ev_ready) state <= S_IDLE;
        default: state <= S_IDLE;
      endcase
    end
  end

`ifndef SYNTHESIS
  // ---------------------------------------------------------------- transaction trace
  // +trace=<prefix> -> <prefix>.<instance>.jsonl: one "completion" record per finished
  // descriptor (docs/debugging.md "From the HDL"); with or without a completion record.
  // "index" is the descriptor's ring slot; "sid" names the device, because the files of
  // several accelerators are merged into one trace.
  function automatic string status_name(logic [7:0] code);
    case (code)
      ST_SUCCESS: return "SUCCESS";        ST_PAGE_FAULT: return "PAGE_FAULT";
      ST_BUS_ERROR: return "BUS_ERROR";    ST_INV_OPCODE: return "INVALID_OPCODE";
      ST_INV_FLAGS: return "INVALID_FLAGS"; ST_INV_LENGTH: return "INVALID_LENGTH";
      ST_INV_ADDR: return "INVALID_ADDRESS"; ST_OVERLAP: return "OVERLAP";
      default: return "UNKNOWN";
    endcase
  endfunction
  int trace_fd = 0;
  initial begin : trace_open
    string prefix;
    if ($value$plusargs("trace=%s", prefix))
      trace_fd = $fopen($sformatf("%s.%m.jsonl", prefix), "w");
  end
  final if (trace_fd != 0) $fclose(trace_fd);
  always_ff @(posedge clk)
    if (trace_fd != 0 && !rst && state == S_FIN)
      $fwrite(trace_fd, "{\"kind\":\"completion\",\"t\":%0d,\"queue\":%0d,\"status\":\"%s\",\"ssid\":%0d,\"bytes\":%0d,\"fault_addr\":%0d,\"result\":%0d,\"index\":%0d,\"sid\":%0d,\"src\":\"rtl\"}\n",
              $time, cur_q, status_name(status), cur_ssid, nbytes, faddr, result, cur_idx, SID);
`endif

  // BOF needs nothing here: with a stalling SMMU a faulting access just takes long
  wire unused = &{1'b0, flags[FL_BOF], desc[511:320], res.len, res.mismatch, cur_idx};
endmodule
