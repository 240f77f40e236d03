// smmu_wr_path: sends decided writes to memory or to the local terminator, steers the
// device's W beats, and merges both onto the device B channel.
//  - Writes are decided in device AW order (smmu_xlate IN_ORDER=1), so a route FIFO
//    pushed in that order tells each burst's W beats where to go: forwarded to memory,
//    drained and dropped (a faulting burst never puts a byte on the memory port), or
//    parked in the stall buffer.
//  - Stall buffer (SB_BEATS > 0): a stalled write is "parked" (o_park: a decision with no
//    AW and no B) so that later writes are not held behind its W beats, which AXI4 sends
//    in AW order without an ID. Its beats are absorbed into the buffer. Its final decision
//    (o_replay) comes after CMD_RESUME: pass = memory AW with the W beats replayed from
//    the buffer; terminated = the buffer is dropped and the terminator answers B. One
//    buffer: a second stall is not parked (smmu_xlate waits for o_ready). The beats live
//    in smmu_sbuf_ram (block RAM, registered read): a one-beat output register is
//    refilled from the RAM ahead of time (first beat while the burst is still parked,
//    the next in the cycle a beat is taken), so the replay runs at one beat per cycle.
//  - A source FIFO in memory-AW order says whether each memory burst's W beats come from
//    the device or from the buffer, so memory W order always follows memory AW order.
//  - Per-ID order as in smmu_rd_path: a terminated write waits for earlier same-ID
//    writes to complete; the terminator's ID blocks new writes of that ID.
//  - The terminator answers one B (SLVERR, or OKAY for CD.A=0: WI) after the burst's
//    last W beat was drained.
module smmu_wr_path #(
    parameter int ID_WIDTH   = 4,
    parameter int DATA_WIDTH = 64,
    parameter int CNT_BITS   = 6,
    parameter int RQ_DEPTH   = 8,
    parameter int SB_BEATS   = 256      // stall buffer beats (0: none)
) (
    input  logic                     clk,
    input  logic                     rst,

    input  logic                     o_valid,
    output logic                     o_ready,
    input  logic [ID_WIDTH-1:0]      o_id,
    input  logic [1:0]               o_kind,
    input  logic                     o_slverr,
    input  logic                     o_rec,
    input  smmu_pkg::evt_t           o_evt,
    input  logic                     o_park,     // stalled: park its W beats
    input  logic                     o_replay,   // final decision of the parked write

    // to memory (address/attributes straight from smmu_xlate)
    output logic                     t_aw_valid,
    input  logic                     t_aw_ready,
    output logic                     t_w_valid,
    input  logic                     t_w_ready,
    output logic [DATA_WIDTH-1:0]    t_w_data,
    output logic [DATA_WIDTH/8-1:0]  t_w_strb,
    output logic                     t_w_last,
    input  logic                     t_b_valid,
    output logic                     t_b_ready,
    input  logic [ID_WIDTH-1:0]      t_b_id,
    input  logic [1:0]               m_bresp,

    output logic                     e_valid,
    input  logic                     e_ready,
    output smmu_pkg::evt_t           e_evt,

    input  logic                     s_axi_wvalid,
    output logic                     s_axi_wready,
    input  logic [DATA_WIDTH-1:0]    s_axi_wdata,
    input  logic [DATA_WIDTH/8-1:0]  s_axi_wstrb,
    input  logic                     s_axi_wlast,
    output logic [ID_WIDTH-1:0]      s_axi_bid,
    output logic [1:0]               s_axi_bresp,
    output logic                     s_axi_bvalid,
    input  logic                     s_axi_bready
);
    import smmu_pkg::*;
    localparam int NID = 1 << ID_WIDTH;
    localparam int QW = $clog2(RQ_DEPTH);
    // SB_BEATS: 0 or a power of two >= 2; pointers restart at 0 for every parked burst
    localparam int SBN = SB_BEATS > 1 ? SB_BEATS : 2;
    localparam int SBIW = $clog2(SBN);
    localparam int SBW = SBIW + 1;
    localparam int SW = DATA_WIDTH / 8;

    logic [NID-1:0][CNT_BITS-1:0] cnt;
    logic                  tv, tw_done;
    logic [ID_WIDTH-1:0]   tid;
    logic                  terr;

    // ------------------------------------------------------------ route FIFO (device W order)
    typedef enum logic [1:0] { RT_FWD, RT_DROP, RT_PARK } route_t;
    route_t rq [RQ_DEPTH];
    logic [QW:0] rq_wp, rq_rp;
    logic rq_full, rq_empty;
    route_t rq_head;
    assign rq_full = (rq_wp[QW-1:0] == rq_rp[QW-1:0]) && (rq_wp[QW] != rq_rp[QW]);
    assign rq_empty = (rq_wp == rq_rp);
    assign rq_head = rq[rq_rp[QW-1:0]];

    // ------------------------------------------------------------ source FIFO (memory AW order)
    logic mq [RQ_DEPTH];          // 1: W beats from the stall buffer
    logic [QW:0] mq_wp, mq_rp;
    logic mq_full, mq_empty, mq_buf;
    assign mq_full = (mq_wp[QW-1:0] == mq_rp[QW-1:0]) && (mq_wp[QW] != mq_rp[QW]);
    assign mq_empty = (mq_wp == mq_rp);
    assign mq_buf = mq[mq_rp[QW-1:0]];

    // ------------------------------------------------------------ stall buffer
    // sb_wp: beats written; sb_ra: next RAM address to read; sb_rp: beats sent to memory.
    // sb_qv: the RAM's read register holds beat sb_rp.
    logic [SBW-1:0]        sb_wp, sb_ra, sb_rp;
    logic                  sb_busy, sb_done;   // holds a parked burst / all its beats are in
    logic                  sb_qv;
    logic [DATA_WIDTH-1:0] sb_qdata;
    logic [SW-1:0]         sb_qstrb;

    // ------------------------------------------------------------ decisions
    wire pass = o_kind == R_PASS;
    wire park_ok = SB_BEATS > 0 && !sb_busy && !rq_full;
    wire pass_ok = !(tv && tid == o_id) && cnt[o_id] != '1 && !mq_full &&
                   (o_replay || !rq_full);
    wire term_ok = !tv && cnt[o_id] == '0 && (o_replay ? sb_done : !rq_full) &&
                   (!o_rec || o_kind != R_FAULT || e_ready);
    assign t_aw_valid = o_valid && !o_park && pass && pass_ok;
    assign e_valid = o_valid && !o_park && o_kind == R_FAULT && o_rec && !tv && cnt[o_id] == '0 &&
                     (o_replay ? sb_done : !rq_full);
    assign e_evt = o_evt;
    assign o_ready = o_park ? park_ok : pass ? (pass_ok && t_aw_ready) : term_ok;
    wire take_park = o_valid && o_park && park_ok;
    wire take_pass = o_valid && !o_park && pass && pass_ok && t_aw_ready;
    wire take_term = o_valid && !o_park && !pass && term_ok;

    // ------------------------------------------------------------ W steering
    wire dev_fwd = !rq_empty && rq_head == RT_FWD;
    wire from_buf = !mq_empty && mq_buf;
    wire sb_last = sb_rp == sb_wp - SBW'(1);
    assign t_w_valid = from_buf ? (sb_done && sb_qv) : (s_axi_wvalid && dev_fwd && !mq_empty);
    assign t_w_data = from_buf ? sb_qdata : s_axi_wdata;
    assign t_w_strb = from_buf ? sb_qstrb : s_axi_wstrb;
    assign t_w_last = from_buf ? sb_last : s_axi_wlast;
    assign s_axi_wready = !rq_empty && (rq_head != RT_FWD || (t_w_ready && !from_buf && !mq_empty));
    wire w_fire = s_axi_wvalid && s_axi_wready;
    wire t_w_fire = t_w_valid && t_w_ready;
    wire sb_take = from_buf && t_w_fire;
    wire sb_clear = (sb_take && sb_last) || (take_term && o_replay);
    wire sb_we = w_fire && rq_head == RT_PARK;
    // refill the read register when it is empty or its beat is taken (never the last)
    wire sb_re = sb_ra != sb_wp && (!sb_qv || sb_take) && !sb_clear;

    if (SB_BEATS > 0) begin : g_sb
        smmu_sbuf_ram #(.DEPTH(SBN), .WIDTH(DATA_WIDTH + SW)) u_ram (
            .clk,
            .we(sb_we), .waddr(sb_wp[SBIW-1:0]), .wdata({s_axi_wstrb, s_axi_wdata}),
            .re(sb_re), .raddr(sb_ra[SBIW-1:0]), .rdata({sb_qstrb, sb_qdata})
        );
    end else begin : g_no_sb
        assign {sb_qstrb, sb_qdata} = '0;
        wire unused_sb = &{1'b0, sb_we, sb_re};
    end

    // ------------------------------------------------------------ B channel owner
    logic own_term_q, own_mem_q;
    wire term_b = tv && tw_done;
    wire own_term = own_term_q || (!own_mem_q && !t_b_valid && term_b);
    assign s_axi_bvalid = own_term ? 1'b1 : t_b_valid;
    assign s_axi_bid = own_term ? tid : t_b_id;
    assign s_axi_bresp = own_term ? {terr, 1'b0} : m_bresp;
    assign t_b_ready = !own_term && s_axi_bready;
    wire b_fire = s_axi_bvalid && s_axi_bready;

    always_ff @(posedge clk) begin
        if (rst) begin
            cnt <= '0;
            tv <= 1'b0;
            tw_done <= 1'b0;
            rq_wp <= '0;
            rq_rp <= '0;
            mq_wp <= '0;
            mq_rp <= '0;
            sb_wp <= '0;
            sb_ra <= '0;
            sb_rp <= '0;
            sb_qv <= 1'b0;
            sb_busy <= 1'b0;
            sb_done <= 1'b0;
            own_term_q <= 1'b0;
            own_mem_q <= 1'b0;
        end else begin
            for (int i = 0; i < NID; i++)
                cnt[i] <= cnt[i] + CNT_BITS'(take_pass && int'(o_id) == i)
                                 - CNT_BITS'(!own_term && b_fire && int'(t_b_id) == i);
            own_term_q <= own_term && !b_fire;
            own_mem_q <= !own_term && t_b_valid && !b_fire;
            if (take_park || (take_pass && !o_replay) || (take_term && !o_replay)) begin
                rq[rq_wp[QW-1:0]] <= take_park ? RT_PARK : take_term ? RT_DROP : RT_FWD;
                rq_wp <= rq_wp + 1'b1;
            end
            if (take_pass) begin
                mq[mq_wp[QW-1:0]] <= o_replay;
                mq_wp <= mq_wp + 1'b1;
            end
            if (t_w_fire && t_w_last) mq_rp <= mq_rp + 1'b1;
            if (w_fire && s_axi_wlast) begin
                rq_rp <= rq_rp + 1'b1;
                if (rq_head == RT_DROP) tw_done <= 1'b1;
            end
            // stall buffer: park, replay, drop
            if (take_park) sb_busy <= 1'b1;
            if (sb_we) begin
                sb_wp <= sb_wp + 1'b1;
                if (s_axi_wlast) sb_done <= 1'b1;
            end
            if (sb_take) sb_rp <= sb_rp + 1'b1;
            if (sb_re) sb_ra <= sb_ra + 1'b1;
            if (sb_re) sb_qv <= 1'b1;
            else if (sb_take) sb_qv <= 1'b0;
            if (sb_clear) begin
                sb_busy <= 1'b0;
                sb_done <= 1'b0;
                sb_wp <= '0;
                sb_ra <= '0;
                sb_rp <= '0;
                sb_qv <= 1'b0;
            end
            if (own_term && b_fire) begin
                tv <= 1'b0;
                tw_done <= 1'b0;
            end
            if (take_term) begin
                tv <= 1'b1;
                tid <= o_id;
                terr <= o_slverr;
                if (o_replay) tw_done <= 1'b1;      // its beats were parked and are dropped
            end
        end
    end
endmodule
