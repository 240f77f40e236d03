// smmu_wr_path: sends decided writes to memory or to the local terminator, steers the
// device's W beats, and merges both onto the device B channel.
//  - Writes are decided in device AW order (smmu_xlate IN_ORDER=1), so a route FIFO
//    pushed in that order tells each burst's W beats where to go: forwarded to memory,
//    or drained and dropped (a faulting burst never puts a byte on the memory port).
//  - Per-ID order as in smmu_rd_path: a terminated write waits for earlier same-ID
//    writes to complete; the terminator's ID blocks new writes of that ID.
//  - The terminator answers one B (SLVERR, or OKAY for CD.A=0: WI) after the burst's
//    last W beat was drained.
module smmu_wr_path #(
    parameter int ID_WIDTH   = 4,
    parameter int CNT_BITS   = 6,
    parameter int RQ_DEPTH   = 8
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

    // to memory (address/attributes straight from smmu_xlate; W data straight from s_axi)
    output logic                     t_aw_valid,
    input  logic                     t_aw_ready,
    output logic                     t_w_valid,
    input  logic                     t_w_ready,
    input  logic                     t_b_valid,
    output logic                     t_b_ready,
    input  logic [ID_WIDTH-1:0]      t_b_id,
    input  logic [1:0]               m_bresp,

    output logic                     e_valid,
    input  logic                     e_ready,
    output smmu_pkg::evt_t           e_evt,

    input  logic                     s_axi_wvalid,
    output logic                     s_axi_wready,
    input  logic                     s_axi_wlast,
    output logic [ID_WIDTH-1:0]      s_axi_bid,
    output logic [1:0]               s_axi_bresp,
    output logic                     s_axi_bvalid,
    input  logic                     s_axi_bready
);
    import smmu_pkg::*;
    localparam int NID = 1 << ID_WIDTH;
    localparam int QW = $clog2(RQ_DEPTH);

    logic [NID-1:0][CNT_BITS-1:0] cnt;
    logic                  tv, tw_done;
    logic [ID_WIDTH-1:0]   tid;
    logic                  terr;

    // ------------------------------------------------------------ route FIFO (1 = drop)
    logic rq [RQ_DEPTH];
    logic [QW:0] rq_wp, rq_rp;
    logic rq_full, rq_empty, rq_head;
    assign rq_full = (rq_wp[QW-1:0] == rq_rp[QW-1:0]) && (rq_wp[QW] != rq_rp[QW]);
    assign rq_empty = (rq_wp == rq_rp);
    assign rq_head = rq[rq_rp[QW-1:0]];

    wire pass = o_kind == R_PASS;
    wire pass_ok = !(tv && tid == o_id) && cnt[o_id] != '1 && !rq_full;
    wire term_ok = !tv && cnt[o_id] == '0 && !rq_full && (!o_rec || o_kind != R_FAULT || e_ready);
    assign t_aw_valid = o_valid && pass && pass_ok;
    assign e_valid = o_valid && o_kind == R_FAULT && o_rec && !tv && cnt[o_id] == '0 && !rq_full;
    assign e_evt = o_evt;
    assign o_ready = pass ? (pass_ok && t_aw_ready) : term_ok;
    wire take_pass = o_valid && pass && pass_ok && t_aw_ready;
    wire take_term = o_valid && !pass && term_ok;

    // ------------------------------------------------------------ W steering
    assign t_w_valid = s_axi_wvalid && !rq_empty && !rq_head;
    assign s_axi_wready = !rq_empty && (rq_head ? 1'b1 : t_w_ready);
    wire w_fire = s_axi_wvalid && s_axi_wready;

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
            own_term_q <= 1'b0;
            own_mem_q <= 1'b0;
        end else begin
            for (int i = 0; i < NID; i++)
                cnt[i] <= cnt[i] + CNT_BITS'(take_pass && int'(o_id) == i)
                                 - CNT_BITS'(!own_term && b_fire && int'(t_b_id) == i);
            own_term_q <= own_term && !b_fire;
            own_mem_q <= !own_term && t_b_valid && !b_fire;
            if (take_pass || take_term) begin
                rq[rq_wp[QW-1:0]] <= take_term;
                rq_wp <= rq_wp + 1'b1;
            end
            if (w_fire && s_axi_wlast) begin
                rq_rp <= rq_rp + 1'b1;
                if (rq_head) tw_done <= 1'b1;
            end
            if (own_term && b_fire) begin
                tv <= 1'b0;
                tw_done <= 1'b0;
            end
            if (take_term) begin
                tv <= 1'b1;
                tid <= o_id;
                terr <= o_slverr;
            end
        end
    end
endmodule
