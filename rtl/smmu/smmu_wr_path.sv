// smmu_wr_path: sends decided writes to memory or to the local terminator, steers the
// device's W beats, and merges both onto the device B channel.
//  - Writes are decided in device AW order (smmu_xlate IN_ORDER=1), so a route FIFO
//    pushed in that order tells each burst's W beats where to go: forwarded to memory,
//    drained and dropped (a faulting burst never puts a byte on the memory port), or
//    parked in the stall buffer.
//  - Stall buffer (SB_BEATS > 0): a stalled write is "parked" (o_park: a decision with no
//    AW and no B) so that later writes are not held behind its W beats, which AXI4 sends
//    in AW order without an ID. Its beats are absorbed into a free buffer slot (SB_SLOTS
//    slots of SB_BEATS beats, one smmu_sbuf_ram each). Its final decision (o_replay)
//    comes after CMD_RESUME, in any order across slots: pass = memory AW with the W beats
//    replayed from the slot; terminated = the slot is dropped and the terminator answers
//    B. A replay names its slot by AXI ID: smmu_xlate never holds two bursts of one ID, so
//    the parked, not yet decided slots have distinct IDs. smmu_xlate parks at most
//    SB_SLOTS bursts; a park decision that finds no free slot (a replay still draining)
//    waits in o_valid. Each slot's RAM (registered read) feeds a one-beat output
//    register refilled ahead of time (first beat while the burst is still parked, the
//    next in the cycle a beat is taken), so a replay runs at one beat per cycle.
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
    parameter int SB_BEATS   = 256,     // beats per stall buffer slot (0: no buffer)
    parameter int SB_SLOTS   = 1        // stall buffer slots (>= 1)
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
    input  logic                     o_replay,   // final decision of the parked write o_id

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
    localparam int QW = $clog2(RQ_DEPTH);
    // SB_BEATS: 0 or a power of two >= 2; pointers restart at 0 for every parked burst
    localparam int SBN = SB_BEATS > 1 ? SB_BEATS : 2;
    localparam int SBIW = $clog2(SBN);
    localparam int SBW = SBIW + 1;
    localparam int SW = DATA_WIDTH / 8;
    localparam int NS = SB_SLOTS > 1 ? SB_SLOTS : 1;
    localparam int NSW = NS > 1 ? $clog2(NS) : 1;

    logic                  id_full, idle_id;   // o_id's writes outstanding in memory
    logic                  tv, tw_done;
    logic [ID_WIDTH-1:0]   tid;
    logic                  terr;

    // ------------------------------------------------------------ route FIFO (device W order)
    typedef enum logic [1:0] { RT_FWD, RT_DROP, RT_PARK } route_t;
    route_t rq [RQ_DEPTH];
    logic [NSW-1:0] rq_slot [RQ_DEPTH];   // RT_PARK: the buffer slot
    logic [QW:0] rq_wp, rq_rp;
    logic rq_full, rq_empty;
    route_t rq_head;
    logic [NSW-1:0] rq_hslot;
    assign rq_full = (rq_wp[QW-1:0] == rq_rp[QW-1:0]) && (rq_wp[QW] != rq_rp[QW]);
    assign rq_empty = (rq_wp == rq_rp);
    assign rq_head = rq[rq_rp[QW-1:0]];
    assign rq_hslot = rq_slot[rq_rp[QW-1:0]];

    // ------------------------------------------------------------ source FIFO (memory AW order)
    logic mq [RQ_DEPTH];          // 1: W beats from the stall buffer slot mq_slot
    logic [NSW-1:0] mq_slot [RQ_DEPTH];
    logic [QW:0] mq_wp, mq_rp;
    logic mq_full, mq_empty, mq_buf;
    logic [NSW-1:0] mq_hslot;
    assign mq_full = (mq_wp[QW-1:0] == mq_rp[QW-1:0]) && (mq_wp[QW] != mq_rp[QW]);
    assign mq_empty = (mq_wp == mq_rp);
    assign mq_buf = mq[mq_rp[QW-1:0]];
    assign mq_hslot = mq_slot[mq_rp[QW-1:0]];

    // ------------------------------------------------------------ stall buffer slots
    // sb_wp: beats written; sb_ra: next RAM address to read; sb_rp: beats sent to memory.
    // sb_qv: the RAM's read register holds beat sb_rp.
    logic [NS-1:0][SBW-1:0]        sb_wp, sb_ra, sb_rp;
    logic [NS-1:0]                 sb_busy, sb_done;   // holds a parked burst / all beats in
    logic [NS-1:0]                 sb_dec;             // replay to memory decided (draining)
    logic [NS-1:0][ID_WIDTH-1:0]   sb_id;
    logic [NS-1:0]                 sb_qv;
    logic [NS-1:0][DATA_WIDTH-1:0] sb_qdata;
    logic [NS-1:0][SW-1:0]         sb_qstrb;

    // a free slot for a park; the slot a replay decides (parked, undecided, its ID)
    logic           sb_free_v, rs_v;
    logic [NSW-1:0] sb_free_i, rs;
    always_comb begin
        sb_free_v = 1'b0;
        sb_free_i = '0;
        rs_v = 1'b0;
        rs = '0;
        for (int s = NS - 1; s >= 0; s--) begin
            if (!sb_busy[s]) begin sb_free_v = 1'b1; sb_free_i = NSW'(s); end
            if (sb_busy[s] && !sb_dec[s] && sb_id[s] == o_id) begin rs_v = 1'b1; rs = NSW'(s); end
        end
    end

    // ------------------------------------------------------------ decisions
    wire pass = o_kind == R_PASS;
    wire park_ok = SB_BEATS > 0 && sb_free_v && !rq_full;
    wire pass_ok = !(tv && tid == o_id) && !id_full && !mq_full &&
                   (o_replay || !rq_full);
    wire term_ok = !tv && idle_id && (o_replay ? sb_done[rs] : !rq_full) &&
                   (!o_rec || o_kind != R_FAULT || e_ready);
    assign t_aw_valid = o_valid && !o_park && pass && pass_ok;
    assign e_valid = o_valid && !o_park && o_kind == R_FAULT && o_rec && !tv && idle_id &&
                     (o_replay ? sb_done[rs] : !rq_full);
    assign e_evt = o_evt;
    assign o_ready = o_park ? park_ok : pass ? (pass_ok && t_aw_ready) : term_ok;
    wire take_park = o_valid && o_park && park_ok;
    wire take_pass = o_valid && !o_park && pass && pass_ok && t_aw_ready;
    wire take_term = o_valid && !o_park && !pass && term_ok;

`ifndef SYNTHESIS
    // a replay always finds its parked slot (smmu_xlate: one burst per ID, parks <= slots)
    always_ff @(posedge clk)
        if (!rst && o_valid && o_replay && !rs_v)
            $error("smmu_wr_path: replay of ID %0d has no parked slot", o_id);
`endif

    // ------------------------------------------------------------ W steering
    wire dev_fwd = !rq_empty && rq_head == RT_FWD;
    wire from_buf = !mq_empty && mq_buf;
    logic [NS-1:0] sb_last;
    for (genvar s = 0; s < NS; s++) begin : g_last
        assign sb_last[s] = sb_rp[s] == sb_wp[s] - SBW'(1);
    end
    assign t_w_valid = from_buf ? (sb_done[mq_hslot] && sb_qv[mq_hslot])
                                : (s_axi_wvalid && dev_fwd && !mq_empty);
    assign t_w_data = from_buf ? sb_qdata[mq_hslot] : s_axi_wdata;
    assign t_w_strb = from_buf ? sb_qstrb[mq_hslot] : s_axi_wstrb;
    assign t_w_last = from_buf ? sb_last[mq_hslot] : s_axi_wlast;
    assign s_axi_wready = !rq_empty && (rq_head != RT_FWD || (t_w_ready && !from_buf && !mq_empty));
    wire w_fire = s_axi_wvalid && s_axi_wready;
    wire t_w_fire = t_w_valid && t_w_ready;
    logic [NS-1:0] sb_take, sb_clear, sb_we, sb_re;
    // A terminated replay frees its slot a cycle later (sb_drop), so that its decision
    // does not reach the slot's ~40 register enables. Nothing uses the slot in between:
    // its beats are all in (term_ok), it is not on the source FIFO, and no park or replay
    // of its ID can follow within a cycle.
    logic [NS-1:0] sb_drop;
    for (genvar s = 0; s < NS; s++) begin : g_slot
        assign sb_take[s] = from_buf && int'(mq_hslot) == s && t_w_fire;
        assign sb_clear[s] = (sb_take[s] && sb_last[s]) || sb_drop[s];
        assign sb_we[s] = w_fire && rq_head == RT_PARK && int'(rq_hslot) == s;
        // refill the read register when it is empty or its beat is taken. Not gated by
        // sb_clear (which resets the read side at the same edge, and a read of a dropped
        // slot is harmless): a replay's terminate decision then stays off this enable
        assign sb_re[s] = sb_ra[s] != sb_wp[s] && (!sb_qv[s] || sb_take[s]);

        if (SB_BEATS > 0) begin : g_sb
            smmu_sbuf_ram #(.DEPTH(SBN), .WIDTH(DATA_WIDTH + SW)) u_ram (
                .clk,
                .we(sb_we[s]), .waddr(sb_wp[s][SBIW-1:0]), .wdata({s_axi_wstrb, s_axi_wdata}),
                .re(sb_re[s]), .raddr(sb_ra[s][SBIW-1:0]), .rdata({sb_qstrb[s], sb_qdata[s]})
            );
        end else begin : g_no_sb
            assign {sb_qstrb[s], sb_qdata[s]} = '0;
            wire unused_sb = &{1'b0, sb_we[s], sb_re[s]};
        end
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
    smmu_id_cnt #(.ID_WIDTH(ID_WIDTH), .CNT_BITS(CNT_BITS)) u_cnt (
        .clk, .rst, .issue(take_pass), .issue_id(o_id), .done(!own_term && b_fire),
        .done_id(t_b_id), .q_id(o_id), .q_full(id_full), .q_idle(idle_id)
    );

    always_ff @(posedge clk) begin
        if (rst) begin
            tv <= 1'b0;
            tw_done <= 1'b0;
            rq_wp <= '0;
            rq_rp <= '0;
            mq_wp <= '0;
            mq_rp <= '0;
            sb_wp <= '0;
            sb_ra <= '0;
            sb_rp <= '0;
            sb_qv <= '0;
            sb_busy <= '0;
            sb_done <= '0;
            sb_dec <= '0;
            sb_drop <= '0;
            own_term_q <= 1'b0;
            own_mem_q <= 1'b0;
        end else begin
            for (int s = 0; s < NS; s++) sb_drop[s] <= take_term && o_replay && int'(rs) == s;
            own_term_q <= own_term && !b_fire;
            own_mem_q <= !own_term && t_b_valid && !b_fire;
            // the free entry at rq_wp is written whenever there is room, whether or not
            // a decision is taken: its enable then depends on registers only (timing)
            if (!rq_full) begin
                rq[rq_wp[QW-1:0]] <= take_park ? RT_PARK : take_term ? RT_DROP : RT_FWD;
                rq_slot[rq_wp[QW-1:0]] <= sb_free_i;
            end
            if (take_park || (take_pass && !o_replay) || (take_term && !o_replay))
                rq_wp <= rq_wp + 1'b1;
            if (take_pass) begin
                mq[mq_wp[QW-1:0]] <= o_replay;
                mq_slot[mq_wp[QW-1:0]] <= rs;
                mq_wp <= mq_wp + 1'b1;
            end
            if (t_w_fire && t_w_last) mq_rp <= mq_rp + 1'b1;
            if (w_fire && s_axi_wlast) begin
                rq_rp <= rq_rp + 1'b1;
                if (rq_head == RT_DROP) tw_done <= 1'b1;
            end
            // stall buffer: park, replay, drop
            if (take_park) begin
                sb_busy[sb_free_i] <= 1'b1;
                sb_id[sb_free_i] <= o_id;
            end
            if (take_pass && o_replay) sb_dec[rs] <= 1'b1;
            for (int s = 0; s < NS; s++) begin
                if (sb_we[s]) begin
                    sb_wp[s] <= sb_wp[s] + 1'b1;
                    if (s_axi_wlast) sb_done[s] <= 1'b1;
                end
                if (sb_take[s]) sb_rp[s] <= sb_rp[s] + 1'b1;
                if (sb_re[s]) sb_ra[s] <= sb_ra[s] + 1'b1;
                if (sb_re[s]) sb_qv[s] <= 1'b1;
                else if (sb_take[s]) sb_qv[s] <= 1'b0;
                if (sb_clear[s]) begin
                    sb_busy[s] <= 1'b0;
                    sb_done[s] <= 1'b0;
                    sb_dec[s] <= 1'b0;
                    sb_wp[s] <= '0;
                    sb_ra[s] <= '0;
                    sb_rp[s] <= '0;
                    sb_qv[s] <= 1'b0;
                end
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
