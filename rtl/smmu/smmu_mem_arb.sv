// smmu_mem_arb: shares the memory port between translated device traffic and the SMMU's
// own accesses (walker and command-queue reads, event record and MSI writes). Internal transactions carry
// M_ID[top]=1 (reads: low bits = walker index; writes: 0), translated ones M_ID[top]=0
// and the device's ID, so responses are routed by ID alone.
// AR: translated reads first, so a hit's read is never delayed by table reads (a shared
// AR channel carries one address per cycle: every internal read costs the device stream
// one slot, whoever goes first). Internal reads (lowest index first) take cycles without
// a translated read, and one that has waited STARVE cycles takes the next slot, so walks
// finish under a saturating device stream (each read waits at most STARVE cycles).
// STARVE=0: internal reads always first. AW: internal first (event records, MSIs).
// A presented address is held until accepted, so the address channels stay stable.
// W beats follow the AW order through a small FIFO of sources; when it is full no AW is
// issued.
module smmu_mem_arb #(
    parameter int ID_WIDTH   = 4,
    parameter int M_ID_WIDTH = ID_WIDTH + 1,
    parameter int DATA_WIDTH = 64,
    parameter int STRB_WIDTH = DATA_WIDTH / 8,
    parameter int OAS_BITS   = 48,
    parameter int NW         = 3,     // walkers
    parameter int WQ_DEPTH   = 8,     // AWs whose W beats are not all sent yet
    parameter int STARVE     = 4      // cycles an internal read yields to translated ones
) (
    input  logic                     clk,
    input  logic                     rst,

    // translated reads
    input  logic                     t_ar_valid,
    output logic                     t_ar_ready,
    input  logic                     t_ar_hint,     // a translated read may be offered (registers)
    input  logic [ID_WIDTH-1:0]      t_ar_id,
    input  logic [smmu_pkg::PAW-1:0] t_ar_addr,
    input  logic [7:0]               t_ar_len,
    input  logic [2:0]               t_ar_size,
    input  logic [1:0]               t_ar_burst,
    input  logic                     t_ar_lock,
    input  logic [3:0]               t_ar_cache,
    input  logic [2:0]               t_ar_prot,
    output logic                     t_r_valid,
    input  logic                     t_r_ready,
    output logic [ID_WIDTH-1:0]      t_r_id,

    // walker reads
    input  logic [NW-1:0]            w_ar_valid,
    output logic [NW-1:0]            w_ar_ready,
    input  logic [NW-1:0][smmu_pkg::PAW-1:0] w_ar_addr,
    input  logic [NW-1:0][7:0]       w_ar_len,
    output logic [NW-1:0]            w_r_valid,

    // translated writes
    input  logic                     t_aw_valid,
    output logic                     t_aw_ready,
    input  logic [ID_WIDTH-1:0]      t_aw_id,
    input  logic [smmu_pkg::PAW-1:0] t_aw_addr,
    input  logic [7:0]               t_aw_len,
    input  logic [2:0]               t_aw_size,
    input  logic [1:0]               t_aw_burst,
    input  logic                     t_aw_lock,
    input  logic [3:0]               t_aw_cache,
    input  logic [2:0]               t_aw_prot,
    input  logic                     t_w_valid,
    output logic                     t_w_ready,
    input  logic [DATA_WIDTH-1:0]    t_w_data,
    input  logic [STRB_WIDTH-1:0]    t_w_strb,
    input  logic                     t_w_last,
    output logic                     t_b_valid,
    input  logic                     t_b_ready,
    output logic [ID_WIDTH-1:0]      t_b_id,

    // event record writes
    input  logic                     e_aw_valid,
    output logic                     e_aw_ready,
    input  logic [smmu_pkg::PAW-1:0] e_aw_addr,
    input  logic [7:0]               e_aw_len,
    input  logic [2:0]               e_aw_size,
    input  logic                     e_w_valid,
    output logic                     e_w_ready,
    input  logic [DATA_WIDTH-1:0]    e_w_data,
    input  logic [STRB_WIDTH-1:0]    e_w_strb,
    input  logic                     e_w_last,
    output logic                     e_b_valid,

    // memory port
    output logic [M_ID_WIDTH-1:0]    m_axi_awid,
    output logic [OAS_BITS-1:0]      m_axi_awaddr,
    output logic [7:0]               m_axi_awlen,
    output logic [2:0]               m_axi_awsize,
    output logic [1:0]               m_axi_awburst,
    output logic                     m_axi_awlock,
    output logic [3:0]               m_axi_awcache,
    output logic [2:0]               m_axi_awprot,
    output logic                     m_axi_awvalid,
    input  logic                     m_axi_awready,
    output logic [DATA_WIDTH-1:0]    m_axi_wdata,
    output logic [STRB_WIDTH-1:0]    m_axi_wstrb,
    output logic                     m_axi_wlast,
    output logic                     m_axi_wvalid,
    input  logic                     m_axi_wready,
    input  logic [M_ID_WIDTH-1:0]    m_axi_bid,
    input  logic                     m_axi_bvalid,
    output logic                     m_axi_bready,
    output logic [M_ID_WIDTH-1:0]    m_axi_arid,
    output logic [OAS_BITS-1:0]      m_axi_araddr,
    output logic [7:0]               m_axi_arlen,
    output logic [2:0]               m_axi_arsize,
    output logic [1:0]               m_axi_arburst,
    output logic                     m_axi_arlock,
    output logic [3:0]               m_axi_arcache,
    output logic [2:0]               m_axi_arprot,
    output logic                     m_axi_arvalid,
    input  logic                     m_axi_arready,
    input  logic [M_ID_WIDTH-1:0]    m_axi_rid,
    input  logic                     m_axi_rvalid,
    output logic                     m_axi_rready
);
    localparam int WI = (NW > 1) ? $clog2(NW) : 1;   // walker index bits

    // ------------------------------------------------------------ AR
    // Neither the internal choice (lowest-index valid source) nor the slot's owner (use_t)
    // depends on the translated read's valid, which is decided late in the cycle
    // (smmu_xlate's stage 2): the slot goes to the translated side when its pipeline holds
    // a request (t_ar_hint, from registers), and that valid only drives the output. A slot
    // given to a hint that turns out a miss or a fault is lost to the internal reads.
    localparam int CW = (STARVE > 0) ? $clog2(STARVE + 1) : 1;
    logic          ar_lock_q, ar_lock_t, int_v, use_t;
    logic [WI-1:0] ar_lock_src, int_src;
    logic [CW-1:0] starve_q;    // cycles the waiting internal read has yielded
    always_comb begin
        int_v = 1'b0;
        int_src = '0;
        for (int k = NW - 1; k >= 0; k--)
            if (w_ar_valid[k]) begin
                int_v = 1'b1;
                int_src = WI'(k);
            end
        if (ar_lock_q && !ar_lock_t) int_src = ar_lock_src;
        use_t = ar_lock_q ? ar_lock_t : (!int_v || (t_ar_hint && int'(starve_q) < STARVE));
    end
    logic [smmu_pkg::PAW-1:0] int_addr;
    logic [7:0]               int_len;
    assign int_addr = w_ar_addr[int_src];
    assign int_len = w_ar_len[int_src];
    always_comb begin
        w_ar_ready = '0;
        if (!use_t) w_ar_ready[int_src] = m_axi_arready;
        t_ar_ready = use_t && m_axi_arready;
        m_axi_arvalid = use_t ? t_ar_valid : w_ar_valid[int_src];
        m_axi_arid = use_t ? {1'b0, t_ar_id} : {1'b1, (M_ID_WIDTH-1)'(int_src)};
        m_axi_araddr = OAS_BITS'(use_t ? t_ar_addr : int_addr);
        m_axi_arlen = use_t ? t_ar_len : int_len;
        m_axi_arsize = use_t ? t_ar_size : 3'd3;
        m_axi_arburst = use_t ? t_ar_burst : 2'b01;
        m_axi_arlock = use_t && t_ar_lock;
        m_axi_arcache = use_t ? t_ar_cache : 4'b0011;
        m_axi_arprot = use_t ? t_ar_prot : 3'b010;
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            ar_lock_q <= 1'b0;
            ar_lock_t <= 1'b0;
            ar_lock_src <= '0;
            starve_q <= '0;
        end else begin
            ar_lock_q <= m_axi_arvalid && !m_axi_arready;
            ar_lock_t <= use_t;
            ar_lock_src <= int_src;
            if (w_ar_valid == '0 || (m_axi_arready && !use_t)) starve_q <= '0;
            else if (int'(starve_q) < STARVE) starve_q <= starve_q + CW'(1);
        end
    end

    // ------------------------------------------------------------ R routing by ID
    wire r_int = m_axi_rid[M_ID_WIDTH-1];
    assign t_r_valid = m_axi_rvalid && !r_int;
    assign t_r_id = m_axi_rid[ID_WIDTH-1:0];
    assign m_axi_rready = r_int ? 1'b1 : t_r_ready;
    always_comb
        for (int k = 0; k < NW; k++)
            w_r_valid[k] = m_axi_rvalid && r_int && m_axi_rid[M_ID_WIDTH-2:0] == (M_ID_WIDTH-1)'(k);

    // ------------------------------------------------------------ AW + W order FIFO
    logic wq [WQ_DEPTH];    // 1: event record, 0: translated
    localparam int QW = $clog2(WQ_DEPTH);
    logic [QW:0] wq_wp, wq_rp;
    logic wq_full, wq_empty, wq_head;
    assign wq_full = (wq_wp[QW-1:0] == wq_rp[QW-1:0]) && (wq_wp[QW] != wq_rp[QW]);
    assign wq_empty = (wq_wp == wq_rp);
    assign wq_head = wq[wq_rp[QW-1:0]];

    logic aw_lock_q, aw_lock_e, aw_e;
    assign aw_e = aw_lock_q ? aw_lock_e : e_aw_valid;
    always_comb begin
        if (aw_e) begin
            m_axi_awvalid = e_aw_valid && !wq_full;
            m_axi_awid = {1'b1, (M_ID_WIDTH-1)'(0)};
            m_axi_awaddr = OAS_BITS'(e_aw_addr);
            m_axi_awlen = e_aw_len;
            m_axi_awsize = e_aw_size;
            m_axi_awburst = 2'b01;
            m_axi_awlock = 1'b0;
            m_axi_awcache = 4'b0011;
            m_axi_awprot = 3'b010;
        end else begin
            m_axi_awvalid = t_aw_valid && !wq_full;
            m_axi_awid = {1'b0, t_aw_id};
            m_axi_awaddr = OAS_BITS'(t_aw_addr);
            m_axi_awlen = t_aw_len;
            m_axi_awsize = t_aw_size;
            m_axi_awburst = t_aw_burst;
            m_axi_awlock = t_aw_lock;
            m_axi_awcache = t_aw_cache;
            m_axi_awprot = t_aw_prot;
        end
    end
    assign e_aw_ready = aw_e && m_axi_awready && !wq_full;
    assign t_aw_ready = !aw_e && m_axi_awready && !wq_full;

    always_ff @(posedge clk) begin
        if (rst) begin
            aw_lock_q <= 1'b0;
            aw_lock_e <= 1'b0;
            wq_wp <= '0;
            wq_rp <= '0;
        end else begin
            aw_lock_q <= m_axi_awvalid && !m_axi_awready;
            aw_lock_e <= aw_e;
            if (m_axi_awvalid && m_axi_awready) begin
                wq[wq_wp[QW-1:0]] <= aw_e;
                wq_wp <= wq_wp + 1'b1;
            end
            if (m_axi_wvalid && m_axi_wready && m_axi_wlast) wq_rp <= wq_rp + 1'b1;
        end
    end

    always_comb begin
        if (wq_head) begin
            m_axi_wvalid = !wq_empty && e_w_valid;
            m_axi_wdata = e_w_data;
            m_axi_wstrb = e_w_strb;
            m_axi_wlast = e_w_last;
        end else begin
            m_axi_wvalid = !wq_empty && t_w_valid;
            m_axi_wdata = t_w_data;
            m_axi_wstrb = t_w_strb;
            m_axi_wlast = t_w_last;
        end
    end
    assign e_w_ready = !wq_empty && wq_head && m_axi_wready;
    assign t_w_ready = !wq_empty && !wq_head && m_axi_wready;

    // ------------------------------------------------------------ B routing by ID
    wire b_int = m_axi_bid[M_ID_WIDTH-1];
    assign e_b_valid = m_axi_bvalid && b_int;
    assign t_b_valid = m_axi_bvalid && !b_int;
    assign t_b_id = m_axi_bid[ID_WIDTH-1:0];
    assign m_axi_bready = b_int ? 1'b1 : t_b_ready;
endmodule
