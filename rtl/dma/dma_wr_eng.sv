// Write engine: finishes chunks in order once the read engine has reported on
// them. MEMMOVE writes the destination-aligned beats from the data FIFO, FILL
// writes the rotated pattern, COMPARE reads the destination (ID_CMP) and compares
// it with the FIFO beats. Write strobes cover exactly [dst, dst+len) of the chunk.
// A chunk's result is reported only after all its B (or R) responses, and after
// a failed or mismatching chunk every later chunk of the descriptor is skipped
// (its FIFO beats are drained unwritten), so nothing past the first failing
// chunk reaches memory.
module dma_wr_eng import dma_pkg::*; #(
  parameter int DB = 8
) (
  input  logic            clk,
  input  logic            rst,
  input  logic            desc_start,   // a new descriptor begins: forget the old failure
  input  logic            cmd_valid,
  output logic            cmd_ready,
  input  chunk_t          cmd,
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
  typedef enum logic [2:0] {S_IDLE, S_DRAIN, S_WRITE, S_CMP, S_RES} state_t;

  state_t      state;
  chunk_t      c;
  logic        dead;
  logic [9:0]  nb;          // beats of the chunk on the destination side
  logic [9:0]  idx;         // next W beat / R beat / drained beat
  logic [9:0]  req_left;    // beats still to request on AW or AR
  logic [47:0] req_addr;
  logic [2:0]  resp_left;   // bursts whose B is outstanding (at most 2 per chunk)
  logic        bus, fault, mism;
  logic [12:0] mism_off;
  logic [1:0]  code;
  logic        is_write, on_dst;

  function automatic logic [9:0] nbeats(input logic [LB-1:0] lane, input logic [12:0] len);
    return 10'((14'(lane) + 14'(len) + 14'(DB - 1)) >> LB);
  endfunction

  // ---------------------------------------------------------------- beat shaping
  logic [LB-1:0] d, e;      // first lane, last lane of the chunk
  logic [DB-1:0] strb;
  logic [DB*8-1:0] pat;
  assign d = c.dst[LB-1:0];
  assign e = LB'(c.dst[LB-1:0] + LB'(c.len - 13'd1));
  always_comb begin
    for (int b = 0; b < DB; b++) begin
      strb[b] = !(idx == 10'd0 && LB'(b) < d) && !(idx == nb - 10'd1 && LB'(b) > e);
      pat[b*8 +: 8] = c.pattern[8 * (3'(c.off[2:0] + 3'(b) - 3'(d))) +: 8];
    end
  end

  // ---------------------------------------------------------------- handshakes
  logic start;
  assign start     = state == S_IDLE && cmd_valid && st_valid;
  assign cmd_ready = start;
  assign st_ready  = start;

  assign aw_valid = state == S_WRITE && req_left != 0;
  assign ar_valid = state == S_CMP && req_left != 0;
  assign aw_addr  = req_addr;
  assign ar_addr  = req_addr;
  assign aw_len   = (req_left > 10'd256) ? 8'd255 : 8'(req_left - 10'd1);
  assign ar_len   = aw_len;

  assign w_valid = state == S_WRITE && idx != nb && (c.is_fill || f_valid);
  assign w_data  = c.is_fill ? pat : f_data;
  assign w_strb  = strb;
  assign w_last  = idx[7:0] == 8'hFF || idx == nb - 10'd1;
  assign b_ready = state == S_WRITE;
  assign r_ready = state == S_CMP && idx != nb && f_valid;

  always_comb begin
    f_ready = 1'b0;
    case (state)
      S_DRAIN: f_ready = idx != nb;
      S_WRITE: f_ready = !c.is_fill && w_valid && w_ready;
      S_CMP:   f_ready = r_valid && r_ready;
      default: f_ready = 1'b0;
    endcase
  end

  // first differing byte of a compared beat
  logic          diff_any;
  logic [LB-1:0] diff_lane;
  always_comb begin
    diff_any = 1'b0;
    diff_lane = '0;
    for (int b = DB - 1; b >= 0; b--) begin
      if (strb[b] && r_data[b*8 +: 8] != f_data[b*8 +: 8]) begin
        diff_any = 1'b1;
        diff_lane = LB'(b);
      end
    end
  end

  assign res_valid = state == S_RES;
  assign res = '{code: code, is_write: is_write, on_dst: on_dst, mismatch: mism,
                 mism_off: mism_off, off: c.off, len: c.len};

  // ---------------------------------------------------------------- sequencing
  always_ff @(posedge clk) begin
    if (rst) begin
      state <= S_IDLE;
      dead <= 1'b0;
      c <= '0;
    end else begin
      if (desc_start) dead <= 1'b0;
      case (state)
        S_IDLE: if (start) begin
          c <= cmd;
          nb <= nbeats(cmd.dst[LB-1:0], cmd.len);
          idx <= '0;
          req_addr <= {cmd.dst[47:LB], {LB{1'b0}}};
          req_left <= nbeats(cmd.dst[LB-1:0], cmd.len);
          resp_left <= (nbeats(cmd.dst[LB-1:0], cmd.len) > 10'd256) ? 3'd2 : 3'd1;
          bus <= 1'b0; fault <= 1'b0; mism <= 1'b0; mism_off <= '0;
          is_write <= 1'b0; on_dst <= 1'b0;
          if (dead || st.skipped || st.bus || st.fault) begin
            code <= (dead || st.skipped) ? CR_SKIP : st.bus ? CR_BUS : CR_FAULT;
            // beats the read engine delivered must leave the FIFO unwritten
            state <= (cmd.has_src && !st.skipped) ? S_DRAIN : S_RES;
          end else begin
            code <= CR_OK;
            state <= cmd.is_cmp ? S_CMP : S_WRITE;
          end
        end
        S_DRAIN: if (idx == nb) state <= S_RES;
                 else if (f_valid) idx <= idx + 10'd1;
        S_WRITE: begin
          if (aw_valid && aw_ready) begin
            req_addr <= req_addr + 48'(DB * 256);
            req_left <= (req_left > 10'd256) ? req_left - 10'd256 : 10'd0;
          end
          if (w_valid && w_ready) idx <= idx + 10'd1;
          if (b_valid && b_ready) begin
            resp_left <= resp_left - 3'd1;
            if (b_resp == 2'b11) bus <= 1'b1;
            if (b_resp == 2'b10) fault <= 1'b1;
          end
          if (resp_left == 0) begin
            code <= bus ? CR_BUS : fault ? CR_FAULT : CR_OK;
            is_write <= 1'b1;
            on_dst <= 1'b1;
            state <= S_RES;
          end
        end
        S_CMP: begin
          if (ar_valid && ar_ready) begin
            req_addr <= req_addr + 48'(DB * 256);
            req_left <= (req_left > 10'd256) ? req_left - 10'd256 : 10'd0;
          end
          if (r_valid && r_ready) begin
            idx <= idx + 10'd1;
            if (r_resp == 2'b11) bus <= 1'b1;
            if (r_resp == 2'b10) fault <= 1'b1;
            if (diff_any && !mism) begin
              mism <= 1'b1;
              mism_off <= 13'(({3'd0, idx} << LB) + 13'(diff_lane) - 13'(d));
            end
          end
          if (idx == nb) begin
            code <= bus ? CR_BUS : fault ? CR_FAULT : CR_OK;
            on_dst <= 1'b1;
            state <= S_RES;
          end
        end
        S_RES: if (res_ready) begin
          if (code != CR_OK || mism) dead <= 1'b1;
          state <= S_IDLE;
        end
        default: state <= S_IDLE;
      endcase
    end
  end
  wire unused = &{1'b0, c};  // src is only read by the read engine
endmodule
