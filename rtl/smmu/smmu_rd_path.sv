// smmu_rd_path: sends decided reads either to memory or to the local terminator and
// merges both onto the device R channel.
//  - Per-ID order: a terminated read waits until every earlier read of its ID has
//    completed (outstanding counter of that ID is zero); while the terminator holds an
//    ID, reads of that ID wait. Different IDs pass each other freely.
//  - The terminator answers arlen+1 beats with rid, rlast and SLVERR (or OKAY and zero
//    data for CD.A=0: RAZ).
//  - R beats are never interleaved: the owner of the R channel (memory or terminator)
//    keeps it until rlast.
//  - A faulting read with an event to record waits for room in the event FIFO.
module smmu_rd_path #(
    parameter int ID_WIDTH   = 4,
    parameter int DATA_WIDTH = 64,
    parameter int CNT_BITS   = 6
) (
    input  logic                     clk,
    input  logic                     rst,

    // decided request (smmu_xlate output)
    input  logic                     o_valid,
    output logic                     o_ready,
    input  logic [ID_WIDTH-1:0]      o_id,
    input  logic [7:0]               o_len,
    input  logic [1:0]               o_kind,
    input  logic                     o_slverr,
    input  logic                     o_rec,
    input  smmu_pkg::evt_t           o_evt,

    // to memory (address/attributes come straight from smmu_xlate)
    output logic                     t_ar_valid,
    input  logic                     t_ar_ready,
    input  logic                     t_r_valid,
    output logic                     t_r_ready,
    input  logic [ID_WIDTH-1:0]      t_r_id,
    input  logic [DATA_WIDTH-1:0]    m_rdata,
    input  logic [1:0]               m_rresp,
    input  logic                     m_rlast,

    // event record
    output logic                     e_valid,
    input  logic                     e_ready,
    output smmu_pkg::evt_t           e_evt,

    // device R channel
    output logic [ID_WIDTH-1:0]      s_axi_rid,
    output logic [DATA_WIDTH-1:0]    s_axi_rdata,
    output logic [1:0]               s_axi_rresp,
    output logic                     s_axi_rlast,
    output logic                     s_axi_rvalid,
    input  logic                     s_axi_rready
);
    import smmu_pkg::*;

    logic                  id_full, idle_id;   // o_id's reads outstanding in memory
    logic                  tv;           // terminator holds a burst
    logic [ID_WIDTH-1:0]   tid;
    logic [7:0]            tleft;
    logic                  terr;

    wire pass = o_kind == R_PASS;
    wire pass_ok = !(tv && tid == o_id) && !id_full;
    wire term_ok = !tv && idle_id && (!o_rec || o_kind != R_FAULT || e_ready);
    assign t_ar_valid = o_valid && pass && pass_ok;
    assign e_valid = o_valid && !pass && o_kind == R_FAULT && o_rec && !tv && idle_id;
    assign e_evt = o_evt;
    assign o_ready = pass ? (pass_ok && t_ar_ready) : term_ok;
    wire take_term = o_valid && !pass && term_ok;

    // ------------------------------------------------------------ R channel owner
    localparam logic [1:0] OWN_NONE = 2'd0, OWN_MEM = 2'd1, OWN_TERM = 2'd2;
    logic [1:0] own_q, own;
    always_comb begin
        own = own_q;
        if (own == OWN_NONE) own = t_r_valid ? OWN_MEM : tv ? OWN_TERM : OWN_NONE;
    end
    always_comb begin
        s_axi_rvalid = 1'b0;
        s_axi_rid = tid;
        s_axi_rdata = '0;
        s_axi_rresp = {terr, 1'b0};
        s_axi_rlast = tleft == 8'd0;
        t_r_ready = 1'b0;
        if (own == OWN_MEM) begin
            s_axi_rvalid = t_r_valid;
            s_axi_rid = t_r_id;
            s_axi_rdata = m_rdata;
            s_axi_rresp = m_rresp;
            s_axi_rlast = m_rlast;
            t_r_ready = s_axi_rready;
        end else if (own == OWN_TERM) s_axi_rvalid = 1'b1;
    end
    wire r_fire = s_axi_rvalid && s_axi_rready;
    wire mem_done = own == OWN_MEM && r_fire && m_rlast;
    smmu_id_cnt #(.ID_WIDTH(ID_WIDTH), .CNT_BITS(CNT_BITS)) u_cnt (
        .clk, .rst, .issue(t_ar_valid && t_ar_ready), .issue_id(o_id), .done(mem_done),
        .done_id(t_r_id), .q_id(o_id), .q_full(id_full), .q_idle(idle_id)
    );

    always_ff @(posedge clk) begin
        if (rst) begin
            own_q <= OWN_NONE;
            tv <= 1'b0;
        end else begin
            own_q <= (r_fire && s_axi_rlast) ? OWN_NONE : own;
            if (own == OWN_TERM && r_fire) begin
                tleft <= tleft - 8'd1;
                if (tleft == 8'd0) tv <= 1'b0;
            end
            if (take_term) begin
                tv <= 1'b1;
                tid <= o_id;
                tleft <= o_len;
                terr <= o_slverr;
            end
        end
    end
endmodule
