// Byte realigner: turns the source-aligned read beats of one chunk into
// destination-aligned beats (lane b of an output beat holds the byte for
// destination address (dst & ~(DB-1)) + beat*DB + b). Bytes are packed into a
// 2*DB-byte accumulator and taken out at the destination lane offset, so any
// src/dst alignment streams at one beat per cycle. A chunk ends with its last
// output beat and the next one is taken in the same cycle, so R stalls for one
// cycle per chunk (the last input beat's bytes leave the accumulator a cycle
// after they arrive); with the old end/idle/start sequence it was three.
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
  input  logic [12:0]     ck_len,
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
  localparam int CW = $clog2(2*DB+1);

  logic            active, nodata, skipped, first_in, first_out, bus, fault;
  logic [LB-1:0]   s, d;
  logic [12:0]     in_rem, out_rem;
  logic [2*DB*8-1:0] acc;
  logic [CW-1:0]   cnt;

  // bytes taken from the next input beat / given to the next output beat
  logic [LB-1:0]   in_lo, out_lo;
  logic [12:0]     in_n, out_n;
  logic [CW-1:0]   cnt_ap;
  logic            out_fire, in_fire, done;

  always_comb begin
    in_lo  = first_in ? s : '0;
    out_lo = first_out ? d : '0;
    in_n   = (13'(DB) - 13'(in_lo) < in_rem) ? 13'(DB) - 13'(in_lo) : in_rem;
    out_n  = (13'(DB) - 13'(out_lo) < out_rem) ? 13'(DB) - 13'(out_lo) : out_rem;
    o_valid  = active && !nodata && out_rem != 0 && 13'(cnt) >= out_n;
    out_fire = o_valid && o_ready;
    cnt_ap   = out_fire ? cnt - CW'(out_n) : cnt;
    r_ready  = active && !nodata && in_rem != 0 && cnt_ap <= CW'(DB);
    in_fire  = r_valid && r_ready;
    o_data   = (DB*8)'(acc[DB*8-1:0] << (8 * out_lo));
    // (every input beat came before the last output beat: bus/fault are complete)
    done     = active && in_rem == 0 && (out_rem == 0 || (out_fire && out_rem == out_n));
    st_valid = done;
    st       = '{skipped: skipped, bus: bus, fault: fault};
    ck_ready = !active || (done && st_ready);
  end

  logic [2*DB*8-1:0] in_bytes, acc_next;
  always_comb begin
    in_bytes = (2*DB*8)'(r_data >> (8 * in_lo));
    in_bytes = in_bytes & ~({(2*DB*8){1'b1}} << (8 * in_n));
    acc_next = out_fire ? acc >> (8 * out_n) : acc;
    if (in_fire) acc_next = acc_next | (in_bytes << (8 * cnt_ap));
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      active <= 1'b0;
      cnt <= '0;
      acc <= '0;
    end else begin
      if (active) begin
        acc <= acc_next;
        cnt <= cnt_ap + (in_fire ? CW'(in_n) : '0);
        if (in_fire) begin
          in_rem <= in_rem - in_n;
          first_in <= 1'b0;
          if (r_resp == 2'b11) bus <= 1'b1;
          if (r_resp == 2'b10) fault <= 1'b1;
        end
        if (out_fire) begin
          out_rem <= out_rem - out_n;
          first_out <= 1'b0;
        end
        if (done && st_ready) active <= 1'b0;
      end
      // the next chunk (also right behind the one that ends now)
      if (ck_valid && ck_ready) begin
        active <= 1'b1;
        nodata <= ck_nodata;
        skipped <= ck_skipped;
        s <= ck_s;
        d <= ck_d;
        in_rem <= ck_nodata ? 13'd0 : ck_len;
        out_rem <= ck_nodata ? 13'd0 : ck_len;
        first_in <= 1'b1;
        first_out <= 1'b1;
        bus <= 1'b0;
        fault <= 1'b0;
        cnt <= '0;
        acc <= '0;
      end
    end
  end
endmodule
