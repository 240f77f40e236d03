// smmu_tw_arb: the read side of the table-walk port (m_tw_axi). NW internal readers (the
// walkers, then the command queue) share its AR channel; each has at most one read in
// flight, so the lowest-index valid source wins without starving anyone for long. A
// presented address is held until accepted (AXI: stable while !ready). The ID carries the
// source index under a set top bit, so R beats are routed by ID alone and the IDs stay
// distinct from translated traffic (M_ID[top]=0) wherever the two ports meet downstream.
// Translated traffic has its own port (m_axi), so no table read ever takes a slot from a
// hit: a walk costs the device stream nothing (docs/smmu.md, "Memory ports").
module smmu_tw_arb #(
    parameter int M_ID_WIDTH = 5,
    parameter int OAS_BITS   = 48,
    parameter int NW         = 3      // internal readers
) (
    input  logic                     clk,
    input  logic                     rst,

    input  logic [NW-1:0]            w_ar_valid,
    output logic [NW-1:0]            w_ar_ready,
    input  logic [NW-1:0][smmu_pkg::PAW-1:0] w_ar_addr,
    input  logic [NW-1:0][7:0]       w_ar_len,
    output logic [NW-1:0]            w_r_valid,

    output logic [M_ID_WIDTH-1:0]    m_arid,
    output logic [OAS_BITS-1:0]      m_araddr,
    output logic [7:0]               m_arlen,
    output logic                     m_arvalid,
    input  logic                     m_arready,
    input  logic [M_ID_WIDTH-1:0]    m_rid,
    input  logic                     m_rvalid
);
    localparam int WI = (NW > 1) ? $clog2(NW) : 1;

    logic          lock_q;    // an address is presented and not yet accepted
    logic [WI-1:0] lock_src, src;
    always_comb begin
        src = '0;
        for (int k = NW - 1; k >= 0; k--)
            if (w_ar_valid[k]) src = WI'(k);
        if (lock_q) src = lock_src;
    end
    always_comb begin
        w_ar_ready = '0;
        w_ar_ready[src] = m_arready;
        m_arvalid = w_ar_valid[src];
        m_arid = {1'b1, (M_ID_WIDTH-1)'(src)};
        m_araddr = OAS_BITS'(w_ar_addr[src]);
        m_arlen = w_ar_len[src];
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            lock_q <= 1'b0;
            lock_src <= '0;
        end else begin
            lock_q <= m_arvalid && !m_arready;
            lock_src <= src;
        end
    end

    always_comb
        for (int k = 0; k < NW; k++)
            w_r_valid[k] = m_rvalid && m_rid[M_ID_WIDTH-1] &&
                           m_rid[M_ID_WIDTH-2:0] == (M_ID_WIDTH-1)'(k);
endmodule
