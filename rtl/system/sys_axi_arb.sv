// sys_axi_arb: NDEV AXI4 masters (the accelerators) onto one AXI4 slave port (the SMMU's
// device port). ID-extended: a request from master k leaves with id = {k, id}, so R and B
// come back to the right master by their ID alone and every master keeps its own
// outstanding transactions and ordering. AR and AW are arbitrated round-robin; a granted
// request is held until accepted (AXI: valid/payload stable while !ready). W has no ID,
// so the masters whose AWs were accepted are remembered in order (W_DEPTH deep) and W
// beats are taken from them in that order, burst by burst (wlast).
// The grant is a register, so no master's ready depends on any master's valid (the
// SMMU decides its valid late in a cycle, and a ready computed from it would run on into
// its own decisions: FPGA timing). The grant stays while its master requests and is not
// accepted (AXI: valid/payload stable while !ready) and otherwise moves round-robin to the
// next requester: back-to-back requests of one master, or of masters taking turns, still
// go one per cycle; a master that starts requesting while the grant sits on an idle one
// waits one cycle. The request path adds no register (no added latency); a (NDEV=1) build
// keeps one ID bit for the master index so the ports do not change shape.
module sys_axi_arb #(
    parameter int NDEV       = 2,
    parameter int ID_WIDTH   = 4,                          // slave-side (SMMU) ID bits
    parameter int DB         = (NDEV > 1) ? $clog2(NDEV) : 1,
    parameter int SIW        = ID_WIDTH - DB,              // each master's ID bits
    parameter int ADDR_WIDTH = 48,
    parameter int DATA_WIDTH = 64,
    parameter int USER_WIDTH = 29,
    parameter int W_DEPTH    = 4                           // accepted AWs awaiting their W
) (
    input  logic                             clk,
    input  logic                             rst,
    // masters, flattened: master k's field is [k*W +: W]
    input  logic [NDEV*SIW-1:0]              s_axi_awid,
    input  logic [NDEV*ADDR_WIDTH-1:0]       s_axi_awaddr,
    input  logic [NDEV*8-1:0]                s_axi_awlen,
    input  logic [NDEV*3-1:0]                s_axi_awsize,
    input  logic [NDEV*2-1:0]                s_axi_awburst,
    input  logic [NDEV-1:0]                  s_axi_awlock,
    input  logic [NDEV*4-1:0]                s_axi_awcache,
    input  logic [NDEV*3-1:0]                s_axi_awprot,
    input  logic [NDEV*USER_WIDTH-1:0]       s_axi_awuser,
    input  logic [NDEV-1:0]                  s_axi_awvalid,
    output logic [NDEV-1:0]                  s_axi_awready,
    input  logic [NDEV*DATA_WIDTH-1:0]       s_axi_wdata,
    input  logic [NDEV*DATA_WIDTH/8-1:0]     s_axi_wstrb,
    input  logic [NDEV-1:0]                  s_axi_wlast,
    input  logic [NDEV-1:0]                  s_axi_wvalid,
    output logic [NDEV-1:0]                  s_axi_wready,
    output logic [NDEV*SIW-1:0]              s_axi_bid,
    output logic [NDEV*2-1:0]                s_axi_bresp,
    output logic [NDEV-1:0]                  s_axi_bvalid,
    input  logic [NDEV-1:0]                  s_axi_bready,
    input  logic [NDEV*SIW-1:0]              s_axi_arid,
    input  logic [NDEV*ADDR_WIDTH-1:0]       s_axi_araddr,
    input  logic [NDEV*8-1:0]                s_axi_arlen,
    input  logic [NDEV*3-1:0]                s_axi_arsize,
    input  logic [NDEV*2-1:0]                s_axi_arburst,
    input  logic [NDEV-1:0]                  s_axi_arlock,
    input  logic [NDEV*4-1:0]                s_axi_arcache,
    input  logic [NDEV*3-1:0]                s_axi_arprot,
    input  logic [NDEV*USER_WIDTH-1:0]       s_axi_aruser,
    input  logic [NDEV-1:0]                  s_axi_arvalid,
    output logic [NDEV-1:0]                  s_axi_arready,
    output logic [NDEV*SIW-1:0]              s_axi_rid,
    output logic [NDEV*DATA_WIDTH-1:0]       s_axi_rdata,
    output logic [NDEV*2-1:0]                s_axi_rresp,
    output logic [NDEV-1:0]                  s_axi_rlast,
    output logic [NDEV-1:0]                  s_axi_rvalid,
    input  logic [NDEV-1:0]                  s_axi_rready,
    // the one slave port
    output logic [ID_WIDTH-1:0]              m_axi_awid,
    output logic [ADDR_WIDTH-1:0]            m_axi_awaddr,
    output logic [7:0]                       m_axi_awlen,
    output logic [2:0]                       m_axi_awsize,
    output logic [1:0]                       m_axi_awburst,
    output logic                             m_axi_awlock,
    output logic [3:0]                       m_axi_awcache,
    output logic [2:0]                       m_axi_awprot,
    output logic [USER_WIDTH-1:0]            m_axi_awuser,
    output logic                             m_axi_awvalid,
    input  logic                             m_axi_awready,
    output logic [DATA_WIDTH-1:0]            m_axi_wdata,
    output logic [DATA_WIDTH/8-1:0]          m_axi_wstrb,
    output logic                             m_axi_wlast,
    output logic                             m_axi_wvalid,
    input  logic                             m_axi_wready,
    input  logic [ID_WIDTH-1:0]              m_axi_bid,
    input  logic [1:0]                       m_axi_bresp,
    input  logic                             m_axi_bvalid,
    output logic                             m_axi_bready,
    output logic [ID_WIDTH-1:0]              m_axi_arid,
    output logic [ADDR_WIDTH-1:0]            m_axi_araddr,
    output logic [7:0]                       m_axi_arlen,
    output logic [2:0]                       m_axi_arsize,
    output logic [1:0]                       m_axi_arburst,
    output logic                             m_axi_arlock,
    output logic [3:0]                       m_axi_arcache,
    output logic [2:0]                       m_axi_arprot,
    output logic [USER_WIDTH-1:0]            m_axi_aruser,
    output logic                             m_axi_arvalid,
    input  logic                             m_axi_arready,
    input  logic [ID_WIDTH-1:0]              m_axi_rid,
    input  logic [DATA_WIDTH-1:0]            m_axi_rdata,
    input  logic [1:0]                       m_axi_rresp,
    input  logic                             m_axi_rlast,
    input  logic                             m_axi_rvalid,
    output logic                             m_axi_rready
);
    localparam int WB = (W_DEPTH > 1) ? $clog2(W_DEPTH) : 1;

    // Round-robin: the first requester after last (last itself comes last).
    function automatic logic [DB-1:0] rr_pick(input logic [NDEV-1:0] req, input logic [DB-1:0] last);
        logic [DB-1:0] pick = last;
        for (int i = NDEV; i >= 1; i--)  // the highest i that requests is checked last: wins
            if (req[(int'(last) + i) % NDEV]) pick = DB'((int'(last) + i) % NDEV);
        return pick;
    endfunction

    // ---------------------------------------------------------------- AR
    logic [DB-1:0] ar_sel;   // the grant
    assign m_axi_arvalid = s_axi_arvalid[ar_sel];
    assign m_axi_arid    = {ar_sel, s_axi_arid[ar_sel*SIW +: SIW]};
    assign m_axi_araddr  = s_axi_araddr[ar_sel*ADDR_WIDTH +: ADDR_WIDTH];
    assign m_axi_arlen   = s_axi_arlen[ar_sel*8 +: 8];
    assign m_axi_arsize  = s_axi_arsize[ar_sel*3 +: 3];
    assign m_axi_arburst = s_axi_arburst[ar_sel*2 +: 2];
    assign m_axi_arlock  = s_axi_arlock[ar_sel];
    assign m_axi_arcache = s_axi_arcache[ar_sel*4 +: 4];
    assign m_axi_arprot  = s_axi_arprot[ar_sel*3 +: 3];
    assign m_axi_aruser  = s_axi_aruser[ar_sel*USER_WIDTH +: USER_WIDTH];
    always_comb begin
        s_axi_arready = '0;
        s_axi_arready[ar_sel] = m_axi_arready;
    end

    // ---------------------------------------------------------------- AW (+ W order)
    logic [DB-1:0] aw_sel;   // the grant
    logic [DB-1:0] wq [W_DEPTH];
    logic [WB-1:0] wq_rd, wq_wr;
    logic [WB:0]   wq_cnt;
    wire           wq_full = wq_cnt == (WB+1)'(W_DEPTH);
    wire  [DB-1:0] w_sel = wq[wq_rd];
    wire           w_ok = wq_cnt != '0;

    assign m_axi_awvalid = s_axi_awvalid[aw_sel] && !wq_full;
    assign m_axi_awid    = {aw_sel, s_axi_awid[aw_sel*SIW +: SIW]};
    assign m_axi_awaddr  = s_axi_awaddr[aw_sel*ADDR_WIDTH +: ADDR_WIDTH];
    assign m_axi_awlen   = s_axi_awlen[aw_sel*8 +: 8];
    assign m_axi_awsize  = s_axi_awsize[aw_sel*3 +: 3];
    assign m_axi_awburst = s_axi_awburst[aw_sel*2 +: 2];
    assign m_axi_awlock  = s_axi_awlock[aw_sel];
    assign m_axi_awcache = s_axi_awcache[aw_sel*4 +: 4];
    assign m_axi_awprot  = s_axi_awprot[aw_sel*3 +: 3];
    assign m_axi_awuser  = s_axi_awuser[aw_sel*USER_WIDTH +: USER_WIDTH];
    always_comb begin
        s_axi_awready = '0;
        s_axi_awready[aw_sel] = m_axi_awready && !wq_full;
    end

    assign m_axi_wvalid = w_ok && s_axi_wvalid[w_sel];
    assign m_axi_wdata  = s_axi_wdata[w_sel*DATA_WIDTH +: DATA_WIDTH];
    assign m_axi_wstrb  = s_axi_wstrb[w_sel*(DATA_WIDTH/8) +: DATA_WIDTH/8];
    assign m_axi_wlast  = s_axi_wlast[w_sel];
    always_comb begin
        s_axi_wready = '0;
        s_axi_wready[w_sel] = w_ok && m_axi_wready;
    end

    wire aw_fire = m_axi_awvalid && m_axi_awready;
    wire w_done  = m_axi_wvalid && m_axi_wready && m_axi_wlast;

    always_ff @(posedge clk) begin
        if (rst) begin
            ar_sel <= '0;
            aw_sel <= '0;
            wq_rd <= '0;
            wq_wr <= '0;
            wq_cnt <= '0;
        end else begin
            // a grant moves when its master is accepted or does not request
            if (!s_axi_arvalid[ar_sel] || m_axi_arready) ar_sel <= rr_pick(s_axi_arvalid, ar_sel);
            if (!s_axi_awvalid[aw_sel] || aw_fire) aw_sel <= rr_pick(s_axi_awvalid, aw_sel);
            if (aw_fire) begin
                wq[wq_wr] <= aw_sel;
                wq_wr <= (wq_wr == WB'(W_DEPTH - 1)) ? '0 : wq_wr + 1'b1;
            end
            if (w_done) wq_rd <= (wq_rd == WB'(W_DEPTH - 1)) ? '0 : wq_rd + 1'b1;
            wq_cnt <= wq_cnt + (WB+1)'(aw_fire) - (WB+1)'(w_done);
        end
    end

    // ---------------------------------------------------------------- R and B by ID
    wire [DB-1:0] r_dev = m_axi_rid[ID_WIDTH-1 -: DB];
    wire [DB-1:0] b_dev = m_axi_bid[ID_WIDTH-1 -: DB];
    assign m_axi_rready = s_axi_rready[r_dev];
    assign m_axi_bready = s_axi_bready[b_dev];
    always_comb begin
        s_axi_rvalid = '0;
        s_axi_rvalid[r_dev] = m_axi_rvalid;
        s_axi_bvalid = '0;
        s_axi_bvalid[b_dev] = m_axi_bvalid;
    end
    for (genvar k = 0; k < NDEV; k++) begin : g_resp
        assign s_axi_rid[k*SIW +: SIW]               = m_axi_rid[SIW-1:0];
        assign s_axi_rdata[k*DATA_WIDTH +: DATA_WIDTH] = m_axi_rdata;
        assign s_axi_rresp[k*2 +: 2]                 = m_axi_rresp;
        assign s_axi_rlast[k]                        = m_axi_rlast;
        assign s_axi_bid[k*SIW +: SIW]               = m_axi_bid[SIW-1:0];
        assign s_axi_bresp[k*2 +: 2]                 = m_axi_bresp;
    end

`ifndef SYNTHESIS
    initial begin
        if (NDEV < 1 || SIW < 1) $fatal(1, "sys_axi_arb: need NDEV >= 1 and ID_WIDTH > log2(NDEV)");
    end
`endif
endmodule
