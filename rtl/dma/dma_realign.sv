// Byte realigner: turns the source-aligned read beats of one chunk into
// destination-aligned beats (lane b of an output beat holds the byte for
// destination address (dst & ~(DB-1)) + beat*DB + b).
// Within a chunk the source and destination lane offsets are fixed, so output
// beat j is always the same byte window of {input beat j+k, input beat j+k-1}
// (k = 1 when the destination lane is below the source lane, else 0): the
// window position is decided once per chunk and the data path is a fixed
// byte multiplexer behind one register of the previous beat. Each input beat
// after the first k yields one output beat in the same cycle; at most one more
// output beat (the tail held in that register) follows the last input beat.
// So R streams at one beat per cycle and pauses only for that tail beat, and
// the next chunk is taken in the cycle the current one's last beat leaves.
module dma_realign import dma_pkg::*; #(
  parameter int DB = 8            // data bytes per beat
) (
  input  logic            clk,
  input  logic            rst,
  // chunk to process (from the read engine's issue side, in chunk order)
  input  logic            ck_valid,
  output logic            ck_ready,
  input  logic            ck_nodata,   // no reads were issued for this chunk
  input  logic            ck_skipped,
  input  logic [$clog2(DB)-1:0] ck_s,  // src lane of the first byte
  input  logic [$clog2(DB)-1:0] ck_d,  // dst lane of the first byte
  input  logic [9:0]      ck_sbeats,   // source beats read (>= 1 unless nodata)
  input  logic [9:0]      ck_dbeats,   // destination beats to produce
  // read data (ID_RD beats)
  input  logic            r_valid,
  output logic            r_ready,
  input  logic [DB*8-1:0] r_data,
  input  logic [1:0]      r_resp,
  // destination-aligned beats to the data FIFO
  output logic            o_valid,
  input  logic            o_ready,
  output logic [DB*8-1:0] o_data,
  // one status per chunk, after its last beat
  output logic            st_valid,
  input  logic            st_ready,
  output rd_status_t      st
);
  localparam int LB = $clog2(DB);

  logic            active, skipped, absorb, bus, fault;
  logic [LB:0]     sh;            // window offset in bytes, 1..DB
  logic [9:0]      in_left, out_left;
  // in_left != 0, in_left == 1, and the same for out_left, kept in flip-flops: the
  // handshakes and `done` need no 10-bit compare
  logic            in_more, in_one, out_more, out_one;
  logic [DB*8-1:0] prev;

  logic tail, in_fire, out_fire, done;
  always_comb begin
    // every input beat is in and one output beat is still owed: the tail
    tail     = !in_more && out_more;
    // an absorbed beat (the first when k = 1) produces nothing, so needs no FIFO room
    r_ready  = active && in_more && (absorb || o_ready);
    in_fire  = r_valid && r_ready;
    o_valid  = active && ((in_more && !absorb && r_valid) || tail);
    out_fire = o_valid && o_ready;
    // (a chunk without data has both counts 0)
    done     = active && (!in_more || (in_one && in_fire)) &&
               (!out_more || (out_one && out_fire));
    st_valid = done;
    st       = '{skipped: skipped, bus: bus || (in_fire && r_resp == 2'b11),
                 fault: fault || (in_fire && r_resp == 2'b10)};
    ck_ready = !active || (done && st_ready);
  end

  // window {current beat, previous beat} shifted right by sh bytes (tail: the
  // current beat's bytes lie past the chunk end, don't care)
  logic [2*DB*8-1:0] win;
  assign win    = {r_data, prev};
  assign o_data = (DB*8)'(win >> (8 * sh));

  always_ff @(posedge clk) begin
    if (rst) begin
      active <= 1'b0;
    end else begin
      if (active) begin
        if (in_fire) begin
          in_left <= in_left - 10'd1;
          in_more <= !in_one;
          in_one <= in_left == 10'd2;
          absorb <= 1'b0;
          if (r_resp == 2'b11) bus <= 1'b1;
          if (r_resp == 2'b10) fault <= 1'b1;
        end
        if (out_fire) begin
          out_left <= out_left - 10'd1;
          out_more <= !out_one;
          out_one <= out_left == 10'd2;
        end
        if (done && st_ready) active <= 1'b0;
      end
      // the next chunk (also right behind the one that ends now)
      if (ck_valid && ck_ready) begin
        active <= 1'b1;
        skipped <= ck_skipped;
        absorb <= ck_d < ck_s;
        // output byte b = window byte b + sh: sh = DB - (d - s) for d >= s, s - d below
        sh <= (LB+1)'(LB'(ck_s - ck_d - LB'(1))) + (LB+1)'(1);
        in_left <= ck_nodata ? 10'd0 : ck_sbeats;
        out_left <= ck_nodata ? 10'd0 : ck_dbeats;
        in_more <= !ck_nodata && ck_sbeats != 10'd0;
        in_one <= !ck_nodata && ck_sbeats == 10'd1;
        out_more <= !ck_nodata && ck_dbeats != 10'd0;
        out_one <= !ck_nodata && ck_dbeats == 10'd1;
        bus <= 1'b0;
        fault <= 1'b0;
      end
    end
  end
  always_ff @(posedge clk) if (in_fire) prev <= r_data;
endmodule
