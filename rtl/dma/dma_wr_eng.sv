// Write engine: finishes chunks in order once the read engine has reported on
// them. MEMMOVE writes the destination-aligned beats from the data FIFO, FILL
// writes the rotated pattern, COMPARE reads the destination (ID_CMP) and compares
// it with the FIFO beats. Write strobes cover exactly [dst, dst+len) of the chunk.
// Results leave in chunk order through a queue; a written chunk's result waits
// there for its B responses while the next chunk is already being written if
// that chunk lies in the same destination page, or in the next page once the
// current page is proven (one of its results left the queue OKAY, so every
// earlier page's results are out too). After a failed or mismatching chunk
// every later chunk of the descriptor is skipped (its FIFO beats are drained
// unwritten). Faults are decided per page (a page is translated, or is a bus
// error, as a whole), so nothing at or after the first failing chunk reaches
// memory: a chunk written before an earlier result came back shares that
// chunk's page, or follows a page that already proved good.
module dma_wr_eng import dma_pkg::*; #(
  parameter int DB = 8
) (
  input  logic            clk,
  input  logic            rst,
  input  logic            desc_start,   // a new descriptor begins: forget the old failure
  input  logic            cmd_valid,
  output logic            cmd_ready,
  input  chunk_t          cmd,
  input  logic [63:0]     pattern,      // the descriptor's FILL pattern (constant meanwhile)
  input  logic            st_valid,
  output logic            st_ready,
  input  rd_status_t      st,
  // data FIFO (destination-aligned source beats)
  input  logic            f_valid,
  output logic            f_ready,
  input  logic [DB*8-1:0] f_data,
  // AW / W / B (ID_RD)
  output logic            aw_valid,
  input  logic            aw_ready,
  output logic [47:0]     aw_addr,
  output logic [7:0]      aw_len,
  output logic            w_valid,
  input  logic            w_ready,
  output logic [DB*8-1:0] w_data,
  output logic [DB-1:0]   w_strb,
  output logic            w_last,
  input  logic            b_valid,
  output logic            b_ready,
  input  logic [1:0]      b_resp,
  // AR / R for COMPARE (ID_CMP)
  output logic            ar_valid,
  input  logic            ar_ready,
  output logic [47:0]     ar_addr,
  output logic [7:0]      ar_len,
  input  logic            r_valid,
  output logic            r_ready,
  input  logic [DB*8-1:0] r_data,
  input  logic [1:0]      r_resp,
  // chunk results, in order
  output logic            res_valid,
  input  logic            res_ready,
  output chunk_res_t      res
);
  localparam int LB = $clog2(DB);
  typedef enum logic [1:0] {S_IDLE, S_DRAIN, S_WRITE, S_CMP} state_t;

  // result queue entry: everything but the B responses, and how many B to wait for
  typedef struct packed {
    chunk_res_t r;
    logic [1:0] nbursts;
    logic       pg;         // parity of the destination page (at most two pages queued)
  } pres_t;

  state_t      state;
  chunk_t      c;
  logic        dead;        // a failure was queued: skip the rest of the descriptor
  logic [9:0]  nb;          // beats of the chunk on the destination side
  logic [9:0]  nb_m2;       // nb - 2 (registered: at_last is set without a subtractor)
  logic [9:0]  idx;         // next W beat / R beat / drained beat
  // idx == 0, idx == nb - 1, idx == nb, kept in flip-flops: the handshakes and strobes
  // that use them need no 10-bit compare
  logic        at_first, at_last, at_end;
  logic [9:0]  req_left;    // beats still to request on AW or AR
  logic        req_none;    // req_left == 0, kept in a flip-flop (AW/AR valid, AW ahead)
  logic [47:0] req_addr;
  logic        aw_ahead;    // the next chunk's AW is already out (it must chain)
  logic        pg;          // page parity of the chunk started last
  logic        proven;      // a result of that page left the queue OKAY
  logic [1:0]  code;        // outcome of a skipped chunk
  logic        bus, fault, mism;   // COMPARE read errors / difference
  logic [12:0] mism_raw;    // {beat, lane} of the first difference (d not yet subtracted)

  // ---------------------------------------------------------------- beat shaping
  // The lanes written by the first and the last beat (fmask, lmask) and the FILL
  // pattern's rotation are computed when the next chunk loads (kc) and taken with
  // it: strobes and pattern are then one LUT level from flip-flops.
  logic [LB-1:0] d;         // first lane of the chunk
  logic [DB-1:0] strb, fmask, lmask;
  logic [2:0]    rot;
  logic [DB*8-1:0] pat;
  assign d = c.dst[LB-1:0];
  always_comb begin
    for (int b = 0; b < DB; b++) begin
      strb[b] = !(at_first && !fmask[b]) && !(at_last && !lmask[b]);
      pat[b*8 +: 8] = pattern[8 * (3'(rot + 3'(b))) +: 8];
    end
  end

  // ---------------------------------------------------------------- result queue
  logic  pq_in_valid, pq_in_ready, pq_out_valid, pq_out_ready, pq_busy;
  logic  pr_valid;          // the result pushed last cycle, on its way into the queue
  pres_t pr;
  pres_t pq_in, pq_out;
  logic [1:0] b_cnt;        // B responses received for the head entry
  logic       b_bus, b_fault;

  // the head entry is in flip-flops (dma_hfifo): res_valid, b_ready and the pop
  // start from registers, not from the queue's LUT RAM
  // A result enters the queue through a register: the queue (its memory's write
  // enable, pointers and head) sits between this engine and dma_ctrl, and the push
  // (a wide OR of chunk ends, with the W handshake in it) reaches that register only.
  // The queue counts as busy while the register holds a result.
  always_ff @(posedge clk) begin
    if (rst) pr_valid <= 1'b0;
    else pr_valid <= pq_in_valid;
    pr <= pq_in;
  end
  dma_hfifo #(.W($bits(pres_t)), .DEPTH(16), .ROOM_KNOWN(1)) u_pq (
    .clk, .rst, .in_valid(pr_valid), .in_ready(pq_in_ready), .in_data(pr),
    .out_valid(pq_out_valid), .out_ready(pq_out_ready), .out_data(pq_out), .busy(pq_busy)
  );

  assign b_ready      = pq_out_valid && b_cnt != pq_out.nbursts;
  assign res_valid    = pq_out_valid && b_cnt == pq_out.nbursts;
  assign pq_out_ready = res_valid && res_ready;
  always_comb begin
    res = pq_out.r;
    if (pq_out.r.code == CR_OK) res.code = b_bus ? CR_BUS : b_fault ? CR_FAULT : CR_OK;
  end

  // ---------------------------------------------------------------- next chunk
  // The next chunk and its read status wait in a register (kc, ks), so the
  // chunk-start decision below starts from flip-flops, not from the chunk FIFO's
  // memory. The register loads while empty, the cycle after its chunk was taken at
  // the earliest: the load does not wait on the W handshake that ends a chunk.
  // Chunks are taken in order, so kc still holds the chunk taken before when the
  // next one loads: same_page compares the new chunk's page with kc's (page 0 after
  // reset, as before any chunk).
  logic w_fire, w_end, same_page, page_ok, start, chain, ld;
  logic skip_now, drain_end, cmp_end;   // a chunk's result is pushed (see below)
  logic        kv;          // kc/ks hold the next chunk
  chunk_t      kc;
  rd_status_t  ks;
  logic        k_same;      // kc.dst lies in the page of the chunk before it
  logic        k_small;     // kc.dbeats <= 256: one AW burst
  logic [9:0]  k_nb_m1;     // kc.dbeats - 1
  logic [9:0]  k_nb_m2;     // kc.dbeats - 2
  logic [DB-1:0] k_fmask, k_lmask;
  logic [2:0]    k_rot;
  logic [LB-1:0] cmd_e;     // last lane of the chunk to load
  assign cmd_e = LB'(cmd.dst[LB-1:0] + LB'(cmd.len - 13'd1));
  logic        load;
  assign load      = cmd_valid && st_valid && !kv;
  assign cmd_ready = load;
  assign st_ready  = load;
  always_ff @(posedge clk) begin
    if (rst) begin
      kv <= 1'b0;
      kc.dst <= '0;
    end else begin
      if (load) kv <= 1'b1;
      else if (ld) kv <= 1'b0;
      if (load) kc <= cmd;
    end
    if (load) begin
      ks <= st;
      k_same <= cmd.dst[47:12] == kc.dst[47:12];
      k_small <= cmd.dbeats <= 10'd256;
      k_nb_m1 <= cmd.dbeats - 10'd1;
      k_nb_m2 <= cmd.dbeats - 10'd2;
      for (int b = 0; b < DB; b++) begin
        k_fmask[b] <= LB'(b) >= cmd.dst[LB-1:0];
        k_lmask[b] <= LB'(b) <= cmd_e;
      end
      k_rot <= 3'(cmd.off[2:0] - 3'(cmd.dst[LB-1:0]));
    end
  end

  // ---------------------------------------------------------------- handshakes
  assign w_fire = w_valid && w_ready;
  // the last W beat of the chunk (all its AW were issued before its W beats)
  assign w_end  = state == S_WRITE && w_fire && at_last;
  // a chunk may start once every earlier result is out, or early in the same page
  // (the result queue always has room: it holds results of chunks in flight, and
  // dma_ctrl keeps at most 8 in flight, so its pointers stay off this path)
  assign same_page = k_same;
  // the next page may be written once this one proved good: its faults would have
  // shown on the result that came back (chunks are consecutive: a new page is the
  // next one)
  assign page_ok   = same_page || proven;
  // start_arm (below): S_IDLE && kv && (queue empty || page_ok), a cycle early
  logic start_arm, chain_arm;
  assign start     = start_arm;
  // Right behind this chunk's last beat; a chunk to skip goes through S_IDLE.
  // The next chunk's AW may go out early (ahead) once this chunk's AW are out, so
  // its first W beat follows this chunk's last one without a gap. A chunk whose AW
  // is out is written even if an earlier B failed meanwhile: that failure was in
  // this chunk's page (it fails too) or in a page proven good (cannot happen).
  logic clean, ahead_ok, ahead_fire;
  logic chain_ok, dead_set;
  assign clean      = !(dead || ks.skipped || ks.bus || ks.fault);
  // (chain_ok, below, implies kv and page_ok, and once the AW is out it stays
  // set until the chain: a chunk whose AW went ahead always chains)
  // Not in a cycle that may chain (chain_arm): the chunk load then never has to look
  // at this cycle's AW handshake, only at aw_ahead (a flip-flop). An AW not ahead by
  // the last beat goes out after the chain, as for a chunk that started.
  assign ahead_ok   = state == S_WRITE && req_none && !aw_ahead && chain_ok && clean &&
                      !kc.is_cmp && k_small && !chain_arm;
  assign ahead_fire = ahead_ok && aw_ready;
  // Chunk start and chain are decided a cycle early, into registers, so that `ld`,
  // the enable of the ~150 chunk registers, is one LUT of flip-flops and the W
  // handshake. chain_ok holds the chain condition but for the last beat: its inputs
  // are those of one cycle earlier, each of which can only turn false at a chunk
  // start or chain (kv, aw_ahead, proven), at a descriptor start (proven), or when
  // a failure is queued or leaves the queue (dead): those events clear it at once,
  // so chain_ok implies the live condition. It turns true a cycle late (two after
  // kc loads): a chunk of up to three beats, or one whose next chunk arrives during
  // its last beats, ends through S_IDLE. chain_arm is S_WRITE && at_last &&
  // chain_ok of this cycle, computed from the previous one (exact). start_arm is
  // the start condition with the same one-cycle-old inputs (the queue counts
  // as busy after a push): a chunk starts a cycle after it could (once per
  // descriptor, and after a chunk that did not chain).
  // Neither looks at this cycle's result push (pq_in_valid, a wide OR in front of the
  // result queue's memory): in S_IDLE the only push is a skipped chunk's, which comes
  // with ld; a chunk that ends now (drain_end, cmp_end, w_end) pushes its result, so
  // the queue is not empty next cycle and the start needs page_ok. A failure is
  // queued only by a skip (with ld), at the end of a drain or a compare (no S_WRITE
  // next cycle without ld), never by w_end: chain_ok is read only in S_WRITE, and a
  // failure queued in the cycle before is in `dead` by then (simulation compares
  // both with the full expressions).
  logic chain_ok_n, start_ok_n;
  assign chain      = chain_arm && (c.is_fill || f_valid) && w_ready;
  assign ld         = start || chain;
  assign dead_set   = pq_out_ready && (res.code != CR_OK || res.mismatch);
  assign chain_ok_n = kv && !ld && !desc_start && page_ok &&
                      (aw_ahead || ahead_fire ||
                       !(dead || dead_set || ks.skipped || ks.bus || ks.fault));
  assign start_ok_n = kv && !ld && !desc_start;
  always_ff @(posedge clk) begin
    if (rst) begin
      chain_ok <= 1'b0;
      chain_arm <= 1'b0;
      start_arm <= 1'b0;
    end else begin
      chain_ok <= chain_ok_n;
      // (in S_WRITE without ld: the state stays unless the last beat leaves)
      chain_arm <= chain_ok_n && state == S_WRITE &&
                   (at_last ? !w_fire : (w_fire && idx == nb_m2));
      start_arm <= start_ok_n &&
                   ((state == S_IDLE && (page_ok || !(pq_busy || pr_valid))) ||
                    ((state == S_DRAIN && at_end || cmp_end || w_end) &&
                     page_ok));
    end
  end
`ifndef SYNTHESIS
  // the full expressions, as before the simplification above
  logic chain_ok_ref, start_arm_ref, dead_set_ref;
  assign dead_set_ref = dead_set ||
                        (pq_in_valid && (pq_in.r.code != CR_OK || pq_in.r.mismatch));
  always_ff @(posedge clk) begin
    chain_ok_ref <= kv && !ld && !desc_start && page_ok &&
                    (aw_ahead || ahead_fire ||
                     !(dead || dead_set_ref || ks.skipped || ks.bus || ks.fault));
    start_arm_ref <= kv && !ld && !desc_start &&
                     (page_ok || (!pq_busy && !pr_valid && !pq_in_valid)) &&
                     (state == S_IDLE || state == S_DRAIN && at_end || cmp_end || w_end);
    if (!rst && start_arm != start_arm_ref)
      $error("dma_wr_eng: start_arm %0d, full expression %0d", start_arm, start_arm_ref);
    if (!rst && state == S_WRITE && chain_ok != chain_ok_ref)
      $error("dma_wr_eng: chain_ok %0d, full expression %0d", chain_ok, chain_ok_ref);
  end
`endif

  logic [7:0] req_len;
  assign req_len  = (req_left > 10'd256) ? 8'd255 : 8'(req_left - 10'd1);
  assign aw_valid = (state == S_WRITE && !req_none) || ahead_ok;
  assign ar_valid = state == S_CMP && !req_none;
  assign aw_addr  = !req_none ? req_addr : {kc.dst[47:LB], {LB{1'b0}}};
  assign ar_addr  = req_addr;
  assign aw_len   = !req_none ? req_len : 8'(k_nb_m1);
  assign ar_len   = req_len;

  // (in S_WRITE idx < nb: the last beat leaves S_WRITE or chains, restarting idx)
  assign w_valid = state == S_WRITE && (c.is_fill || f_valid);
  assign w_data  = c.is_fill ? pat : f_data;
  assign w_strb  = strb;
  assign w_last  = idx[7:0] == 8'hFF || at_last;
  assign r_ready = state == S_CMP && !at_end && f_valid;

  always_comb begin
    f_ready = 1'b0;
    case (state)
      S_DRAIN: f_ready = !at_end;
      S_WRITE: f_ready = !c.is_fill && w_fire;
      S_CMP:   f_ready = r_valid && r_ready;
      default: f_ready = 1'b0;
    endcase
  end

  // COMPARE in two register stages: the bytes that differ in a compared beat go into
  // a register (dv, with the beat's index), and the first of them is found from that
  // register a cycle later, so neither the data FIFO's output nor the R data reach
  // the mismatch registers' enables. The chunk's result waits for its last beat's
  // difference (cmp_end one cycle after at_end).
  logic [DB-1:0] dv;        // lanes of the beat compared last cycle that differ
  logic          dv_valid;
  logic [9:0]    dv_idx;
  logic          diff_any;
  logic [LB-1:0] diff_lane;
  always_ff @(posedge clk) begin
    if (rst) dv_valid <= 1'b0;
    else dv_valid <= r_valid && r_ready;
    for (int b = 0; b < DB; b++) dv[b] <= strb[b] && r_data[b*8 +: 8] != f_data[b*8 +: 8];
    dv_idx <= idx;
  end
  always_comb begin
    diff_any = 1'b0;
    diff_lane = '0;
    for (int b = DB - 1; b >= 0; b--) begin
      if (dv[b]) begin
        diff_any = 1'b1;
        diff_lane = LB'(b);
      end
    end
  end

  // the one result pushed this cycle, if any (skip_now, drain_end, cmp_end: above)
  assign skip_now  = start && !clean && !(kc.has_src && !ks.skipped);
  assign drain_end = state == S_DRAIN && at_end;
  assign cmp_end   = state == S_CMP && at_end && !dv_valid;
  always_comb begin
    pq_in_valid = skip_now || drain_end || cmp_end || w_end;
    pq_in = '{r: '{code: CR_OK, is_write: 1'b0, on_dst: 1'b0, mismatch: 1'b0, mism_off: '0,
                   off: c.off, len: c.len},
              nbursts: 2'd0, pg: pg};
    if (skip_now) begin
      pq_in.r.code = (dead || ks.skipped) ? CR_SKIP : ks.bus ? CR_BUS : CR_FAULT;
      pq_in.r.off = kc.off;
      pq_in.r.len = kc.len;
    end else if (drain_end) begin
      pq_in.r.code = code;
    end else if (cmp_end) begin
      pq_in.r.code = bus ? CR_BUS : fault ? CR_FAULT : CR_OK;
      pq_in.r.on_dst = 1'b1;
      pq_in.r.mismatch = mism;
      pq_in.r.mism_off = 13'(mism_raw - 13'(d));
    end else if (w_end) begin
      pq_in.r.is_write = 1'b1;
      pq_in.r.on_dst = 1'b1;
      pq_in.nbursts = (nb > 10'd256) ? 2'd2 : 2'd1;
    end
  end

  // ---------------------------------------------------------------- sequencing
  logic idx_inc;            // idx moves to the next beat (outside a chunk start)
  always_comb begin
    case (state)
      S_DRAIN: idx_inc = !at_end && f_valid;
      S_WRITE: idx_inc = w_fire;
      S_CMP:   idx_inc = r_valid && r_ready;
      default: idx_inc = 1'b0;
    endcase
  end
  always_ff @(posedge clk) begin
    if (rst) begin
      state <= S_IDLE;
      dead <= 1'b0;
      c <= '0;
      b_cnt <= '0;
      b_bus <= 1'b0;
      b_fault <= 1'b0;
      aw_ahead <= 1'b0;
      req_none <= 1'b1;     // (the request registers copy kc until the first chunk)
      pg <= 1'b0;
      proven <= 1'b0;
      bus <= 1'b0; fault <= 1'b0; mism <= 1'b0; mism_raw <= '0;
    end else begin
      if (ahead_fire) aw_ahead <= 1'b1;
      // B responses of the head entry; a failed one stops the descriptor
      if (b_valid && b_ready) begin
        b_cnt <= b_cnt + 2'd1;
        if (b_resp == 2'b11) b_bus <= 1'b1;
        if (b_resp == 2'b10) b_fault <= 1'b1;
      end
      if (pq_out_ready) begin
        b_cnt <= '0;
        b_bus <= 1'b0;
        b_fault <= 1'b0;
        if (res.code != CR_OK || res.mismatch) dead <= 1'b1;
        else if (pq_out.pg == pg) proven <= 1'b1;
      end
      // a queued failure skips every later chunk
      if (pq_in_valid && (pq_in.r.code != CR_OK || pq_in.r.mismatch)) dead <= 1'b1;
      if (desc_start) begin
        dead <= 1'b0;
        proven <= 1'b0;       // another queue's page may map elsewhere
      end

      if (ld) begin
        c <= kc;
        fmask <= k_fmask;
        lmask <= k_lmask;
        rot <= k_rot;
        nb <= kc.dbeats;
        nb_m2 <= k_nb_m2;
        idx <= '0;
        at_first <= 1'b1;
        at_last <= k_nb_m1 == 10'd0;
        at_end <= 1'b0;
        // (req_addr and req_left took kc's values in this cycle already: below)
        // a chained chunk whose AW went ahead requests nothing more (a started chunk
        // never has its AW ahead: checked below; no AW goes ahead in a cycle that loads),
        // nor does a chunk to skip
        req_none <= aw_ahead || kc.dbeats == 10'd0 || !clean;
        aw_ahead <= 1'b0;
        if (!same_page) begin
          pg <= !pg;
          proven <= 1'b0;     // (wins over a result of the old page leaving now)
        end
        // (a chunk whose AW went ahead is clean but for `dead`: it must be written)
        if (!clean && !aw_ahead) begin
          code <= (dead || ks.skipped) ? CR_SKIP : ks.bus ? CR_BUS : CR_FAULT;
          // beats the read engine delivered must leave the FIFO unwritten
          state <= (kc.has_src && !ks.skipped) ? S_DRAIN : S_IDLE;
        end else begin
          code <= CR_OK;
          state <= kc.is_cmp ? S_CMP : S_WRITE;
        end
      end else begin
        case (state)
          S_DRAIN: if (at_end) state <= S_IDLE;
                   else if (f_valid) idx <= idx + 10'd1;
          S_WRITE: begin
            if (!req_none && aw_ready) req_none <= !(req_left > 10'd256);
            if (w_fire) idx <= idx + 10'd1;
            if (w_end) state <= S_IDLE;
          end
          S_CMP: begin
            if (ar_valid && ar_ready) req_none <= !(req_left > 10'd256);
            if (r_valid && r_ready) begin
              idx <= idx + 10'd1;
              if (r_resp == 2'b11) bus <= 1'b1;
              if (r_resp == 2'b10) fault <= 1'b1;
            end
            if (dv_valid && diff_any && !mism) begin
              mism <= 1'b1;
              mism_raw <= 13'({dv_idx, diff_lane});
            end
            // (cleared once the result is queued, not at the start: fewer enables
            // on the chunk-start path)
            if (cmp_end) begin
              state <= S_IDLE;
              bus <= 1'b0; fault <= 1'b0; mism <= 1'b0; mism_raw <= '0;
            end
          end
          default: ;
        endcase
        if (idx_inc) begin
          at_first <= 1'b0;
          at_last <= idx == nb_m2;
          at_end <= at_last;
        end
      end
    end
  end
  // The request registers are free while req_none: they then copy the next chunk's
  // (kc) in every cycle, and a chunk load finds them loaded, so `ld` (with its wide
  // fanout) does not reach their enables. A chunk loads only while req_none (its
  // predecessor's requests are all out: a written chunk's AW is out before its last W
  // beat can be taken, a compared chunk's AR before its last R beat; checked below).
  // (aw_valid / ar_valid are true with !req_none in S_WRITE / S_CMP; written without
  // them, so these enables do not depend on the early-AW decision ahead_ok)
  always_ff @(posedge clk) begin
    if (req_none) begin
      req_addr <= {kc.dst[47:LB], {LB{1'b0}}};
      req_left <= kc.dbeats;
    end else if ((state == S_WRITE && aw_ready) || (state == S_CMP && ar_ready)) begin
      req_addr <= req_addr + 48'(DB * 256);
      req_left <= (req_left > 10'd256) ? req_left - 10'd256 : 10'd0;
    end
  end
`ifndef SYNTHESIS
  always_ff @(posedge clk)
    if (!rst && ld && !req_none) $error("dma_wr_eng: a chunk loads while requests are left");
  always_ff @(posedge clk)
    if (!rst && pr_valid && !pq_in_ready) $error("dma_wr_eng: result queue full");
  always_ff @(posedge clk)
    if (!rst && start && aw_ahead) $error("dma_wr_eng: a chunk whose AW went ahead did not chain");
`endif
  wire unused = &{1'b0, c};  // src is only read by the read engine
endmodule
