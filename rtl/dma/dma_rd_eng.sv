// Read engine: issues the source reads of each chunk (INCR bursts of up to 256
// beats, never crossing 4 KiB because a chunk stays inside one source page) as
// soon as the data FIFO has room reserved for the whole chunk, so the R channel
// is never stalled for lack of space and many reads can be outstanding. The
// realigner turns the returning beats into destination-aligned FIFO entries.
module dma_rd_eng import dma_pkg::*; #(
  parameter int DB = 8,
  parameter int FIFO_DEPTH = 1024
) (
  input  logic            clk,
  input  logic            rst,
  input  logic            cmd_valid,
  output logic            cmd_ready,
  input  chunk_t          cmd,
  input  logic            abort,        // descriptor aborted from the next cycle on:
                                        // issue no more reads (registered here)
  // AR (ID_RD)
  output logic            ar_valid,
  input  logic            ar_ready,
  output logic [47:0]     ar_addr,
  output logic [7:0]      ar_len,
  // R (ID_RD beats)
  input  logic            r_valid,
  output logic            r_ready,
  input  logic [DB*8-1:0] r_data,
  input  logic [1:0]      r_resp,
  // to the data FIFO
  output logic            o_valid,
  input  logic            o_ready,
  output logic [DB*8-1:0] o_data,
  input  logic            fifo_pop,     // one entry left the data FIFO
  // per-chunk read status
  output logic            st_valid,
  input  logic            st_ready,
  output rd_status_t      st
);
  localparam int LB = $clog2(DB);
  localparam int FW = $clog2(FIFO_DEPTH + 1);

  // ---------------------------------------------------------------- issue side
  typedef struct packed {
    logic nodata;
    logic skipped;
    logic [LB-1:0] s;
    logic [LB-1:0] d;
    logic [9:0] sbeats;
    logic [9:0] dbeats;
  } pend_t;

  logic        busy;             // issuing the bursts of a chunk
  logic [47:0] addr;             // next burst address (beat aligned)
  logic [9:0]  beats_left;       // source beats still to request
  logic [FW-1:0] room;           // FIFO entries not promised to chunks yet (a register,
                                 // so `fits` is one compare)
  logic        pop_r;            // fifo_pop of the cycle before: the write engine's W
                                 // handshake reaches a flip-flop, not room's adders
                                 // (room grows a cycle late: it never overstates)
  logic        pend_in_valid, pend_in_ready, pend_out_valid, pend_out_ready;
  pend_t       pend_in, pend_out;

  // fits: the room check in a register, so take (which enables the burst
  // registers) is an AND of flip-flops. It is computed for the chunk waiting in
  // cmd (which stays until taken) and cleared by a take, the only event that
  // lowers room: a chunk is taken a cycle after it fits at the earliest.
  // The pending FIFO always has room: it holds chunks in flight (dma_ctrl keeps
  // at most 8 = DEPTH), so its in_ready is checked in simulation only.
  logic        skip, fits, take;
  logic        aborted;          // abort of the cycle before: dma_ctrl's `stopped`
  logic [9:0]  out_beats, in_beats;
  assign skip      = !cmd.has_src || aborted;
  assign out_beats = cmd.dbeats;
  assign in_beats  = cmd.sbeats;
  assign take      = cmd_valid && !busy && (skip || fits);
  assign cmd_ready = take;

  assign pend_in_valid = take;
  assign pend_in = '{nodata: skip, skipped: aborted,
                     s: cmd.src[LB-1:0], d: cmd.dst[LB-1:0], sbeats: in_beats,
                     dbeats: out_beats};

  assign ar_valid = busy;
  assign ar_addr  = addr;
  assign ar_len   = (beats_left > 10'd256) ? 8'd255 : 8'(beats_left - 10'd1);

  always_ff @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      room <= FW'(FIFO_DEPTH);
      fits <= 1'b0;
      pop_r <= 1'b0;
      aborted <= 1'b0;
    end else begin
      fits <= cmd_valid && !take && (FW+1)'(out_beats) <= (FW+1)'(room);
      pop_r <= fifo_pop;
      aborted <= abort;
      room <= room - ((take && !skip) ? FW'(out_beats) : '0) + (pop_r ? FW'(1) : '0);
      if (take && !skip) busy <= 1'b1;
      else if (ar_valid && ar_ready && beats_left <= 10'd256) busy <= 1'b0;
    end
  end
  // The burst registers are free while !busy: they copy the chunk waiting in cmd in
  // every such cycle (cmd changes only while no chunk waits), so a take finds them
  // loaded and only `busy` depends on the take, not these ~60 enables.
  always_ff @(posedge clk) begin
    if (!busy) begin
      addr <= {cmd.src[47:LB], {LB{1'b0}}};
      beats_left <= in_beats;
    end else if (ar_ready) begin
      addr <= addr + 48'(DB * 256);
      beats_left <= (beats_left > 10'd256) ? beats_left - 10'd256 : 10'd0;
    end
  end

  dma_fifo #(.W($bits(pend_t)), .DEPTH(8), .ROOM_KNOWN(1)) u_pend (
    .clk, .rst,
    .in_valid(pend_in_valid), .in_ready(pend_in_ready), .in_data(pend_in),
    .out_valid(pend_out_valid), .out_ready(pend_out_ready), .out_data(pend_out)
  );

`ifndef SYNTHESIS
  always_ff @(posedge clk)
    if (!rst && pend_in_valid && !pend_in_ready) $error("dma_rd_eng: pending FIFO full");
`endif

  // ---------------------------------------------------------------- data side
  dma_realign #(.DB(DB)) u_realign (
    .clk, .rst,
    .ck_valid(pend_out_valid), .ck_ready(pend_out_ready),
    .ck_nodata(pend_out.nodata), .ck_skipped(pend_out.skipped),
    .ck_s(pend_out.s), .ck_d(pend_out.d), .ck_sbeats(pend_out.sbeats),
    .ck_dbeats(pend_out.dbeats),
    .r_valid, .r_ready, .r_data, .r_resp,
    .o_valid, .o_ready, .o_data,
    .st_valid, .st_ready, .st
  );
  wire unused = &{1'b0, cmd};  // offsets and op kinds are the write engine's
endmodule
