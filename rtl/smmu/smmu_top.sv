// smmu_top: simplified SMMUv3-style translation unit (stage 1, AArch64, 4 KB granule).
//
//   s_axil_*  register interface (smmu_regs)
//   s_axi_*   upstream device port: untranslated traffic; a*user = {ssv, ssid[19:0], sid}
//   m_axi_*   downstream port: translated device traffic (ID = {0, device ID})
//   m_tw_axi_* table-walk port: the SMMU's own accesses: STE/CD/page-table and command
//             reads, event-record and MSI writes (ID = {1, source}); two ports, like a
//             TBU/TCU split, so a walk never takes a slot from the device stream
module smmu_top #(
    parameter int SID_BITS      = 8,
    parameter int SSID_BITS     = 8,
    parameter int DATA_WIDTH    = 64,
    parameter int ID_WIDTH      = 4,            // device port IDs
    parameter int M_ID_WIDTH    = ID_WIDTH + 1, // both master ports: top bit 1 = SMMU's own access
    parameter int ADDR_WIDTH    = 48,           // input (virtual) address bits
    parameter int OAS_BITS      = 48,           // output (physical) address bits
    parameter int IOTLB_ENTRIES = 16,
    parameter int CFG_ENTRIES   = 8,            // configuration cache entries
    parameter int UTLB_ENTRIES  = 4,            // micro-TLB entries per channel (>= 1)
    parameter int RD_WALKERS    = 2,            // read-channel misses walked at once
    parameter int USER_WIDTH    = 1 + 20 + SID_BITS,
    parameter int STRB_WIDTH    = DATA_WIDTH / 8,
    parameter int CMDQS         = 8,            // IDR1.CMDQS: max log2 command queue entries
    parameter int EVTQS         = 8,            // IDR1.EVTQS: max log2 event queue entries
    parameter bit MSI           = 1'b1,         // IDR0.MSI: CMD_SYNC completion by MSI write
    parameter bit STALL         = 1'b1,         // stall model: IDR0.STALL_MODEL=0b00,
                                                // IDR5.STALL_MAX = walkers (see NW below)
    parameter int STALL_BUF_BEATS = 256,        // stalled write buffer (power of 2 >= 2, or
                                                // 0: none; longer stalled bursts hold W)
    parameter int STALL_BUF_SLOTS = 2           // stalled writes parked at once (>= 1)
) (
    input  logic                    clk,
    input  logic                    rst,

    // ---------------- register interface
    input  logic [16:0]             s_axil_awaddr,
    input  logic [2:0]              s_axil_awprot,
    input  logic                    s_axil_awvalid,
    output logic                    s_axil_awready,
    input  logic [31:0]             s_axil_wdata,
    input  logic [3:0]              s_axil_wstrb,
    input  logic                    s_axil_wvalid,
    output logic                    s_axil_wready,
    output logic [1:0]              s_axil_bresp,
    output logic                    s_axil_bvalid,
    input  logic                    s_axil_bready,
    input  logic [16:0]             s_axil_araddr,
    input  logic [2:0]              s_axil_arprot,
    input  logic                    s_axil_arvalid,
    output logic                    s_axil_arready,
    output logic [31:0]             s_axil_rdata,
    output logic [1:0]              s_axil_rresp,
    output logic                    s_axil_rvalid,
    input  logic                    s_axil_rready,

    // ---------------- device port (AXI4 slave)
    input  logic [ID_WIDTH-1:0]     s_axi_awid,
    input  logic [ADDR_WIDTH-1:0]   s_axi_awaddr,
    input  logic [7:0]              s_axi_awlen,
    input  logic [2:0]              s_axi_awsize,
    input  logic [1:0]              s_axi_awburst,
    input  logic                    s_axi_awlock,
    input  logic [3:0]              s_axi_awcache,
    input  logic [2:0]              s_axi_awprot,
    input  logic [USER_WIDTH-1:0]   s_axi_awuser,
    input  logic                    s_axi_awvalid,
    output logic                    s_axi_awready,
    input  logic [DATA_WIDTH-1:0]   s_axi_wdata,
    input  logic [STRB_WIDTH-1:0]   s_axi_wstrb,
    input  logic                    s_axi_wlast,
    input  logic                    s_axi_wvalid,
    output logic                    s_axi_wready,
    output logic [ID_WIDTH-1:0]     s_axi_bid,
    output logic [1:0]              s_axi_bresp,
    output logic                    s_axi_bvalid,
    input  logic                    s_axi_bready,
    input  logic [ID_WIDTH-1:0]     s_axi_arid,
    input  logic [ADDR_WIDTH-1:0]   s_axi_araddr,
    input  logic [7:0]              s_axi_arlen,
    input  logic [2:0]              s_axi_arsize,
    input  logic [1:0]              s_axi_arburst,
    input  logic                    s_axi_arlock,
    input  logic [3:0]              s_axi_arcache,
    input  logic [2:0]              s_axi_arprot,
    input  logic [USER_WIDTH-1:0]   s_axi_aruser,
    input  logic                    s_axi_arvalid,
    output logic                    s_axi_arready,
    output logic [ID_WIDTH-1:0]     s_axi_rid,
    output logic [DATA_WIDTH-1:0]   s_axi_rdata,
    output logic [1:0]              s_axi_rresp,
    output logic                    s_axi_rlast,
    output logic                    s_axi_rvalid,
    input  logic                    s_axi_rready,

    // ---------------- downstream port (AXI4 master): translated traffic
    output logic [M_ID_WIDTH-1:0]   m_axi_awid,
    output logic [OAS_BITS-1:0]     m_axi_awaddr,
    output logic [7:0]              m_axi_awlen,
    output logic [2:0]              m_axi_awsize,
    output logic [1:0]              m_axi_awburst,
    output logic                    m_axi_awlock,
    output logic [3:0]              m_axi_awcache,
    output logic [2:0]              m_axi_awprot,
    output logic                    m_axi_awvalid,
    input  logic                    m_axi_awready,
    output logic [DATA_WIDTH-1:0]   m_axi_wdata,
    output logic [STRB_WIDTH-1:0]   m_axi_wstrb,
    output logic                    m_axi_wlast,
    output logic                    m_axi_wvalid,
    input  logic                    m_axi_wready,
    input  logic [M_ID_WIDTH-1:0]   m_axi_bid,
    input  logic [1:0]              m_axi_bresp,
    input  logic                    m_axi_bvalid,
    output logic                    m_axi_bready,
    output logic [M_ID_WIDTH-1:0]   m_axi_arid,
    output logic [OAS_BITS-1:0]     m_axi_araddr,
    output logic [7:0]              m_axi_arlen,
    output logic [2:0]              m_axi_arsize,
    output logic [1:0]              m_axi_arburst,
    output logic                    m_axi_arlock,
    output logic [3:0]              m_axi_arcache,
    output logic [2:0]              m_axi_arprot,
    output logic                    m_axi_arvalid,
    input  logic                    m_axi_arready,
    input  logic [M_ID_WIDTH-1:0]   m_axi_rid,
    input  logic [DATA_WIDTH-1:0]   m_axi_rdata,
    input  logic [1:0]              m_axi_rresp,
    input  logic                    m_axi_rlast,
    input  logic                    m_axi_rvalid,
    output logic                    m_axi_rready,

    // ---------------- table-walk port (AXI4 master)
    output logic [M_ID_WIDTH-1:0]   m_tw_axi_awid,
    output logic [OAS_BITS-1:0]     m_tw_axi_awaddr,
    output logic [7:0]              m_tw_axi_awlen,
    output logic [2:0]              m_tw_axi_awsize,
    output logic [1:0]              m_tw_axi_awburst,
    output logic                    m_tw_axi_awlock,
    output logic [3:0]              m_tw_axi_awcache,
    output logic [2:0]              m_tw_axi_awprot,
    output logic                    m_tw_axi_awvalid,
    input  logic                    m_tw_axi_awready,
    output logic [DATA_WIDTH-1:0]   m_tw_axi_wdata,
    output logic [STRB_WIDTH-1:0]   m_tw_axi_wstrb,
    output logic                    m_tw_axi_wlast,
    output logic                    m_tw_axi_wvalid,
    input  logic                    m_tw_axi_wready,
    input  logic [M_ID_WIDTH-1:0]   m_tw_axi_bid,
    input  logic [1:0]              m_tw_axi_bresp,
    input  logic                    m_tw_axi_bvalid,
    output logic                    m_tw_axi_bready,
    output logic [M_ID_WIDTH-1:0]   m_tw_axi_arid,
    output logic [OAS_BITS-1:0]     m_tw_axi_araddr,
    output logic [7:0]              m_tw_axi_arlen,
    output logic [2:0]              m_tw_axi_arsize,
    output logic [1:0]              m_tw_axi_arburst,
    output logic                    m_tw_axi_arlock,
    output logic [3:0]              m_tw_axi_arcache,
    output logic [2:0]              m_tw_axi_arprot,
    output logic                    m_tw_axi_arvalid,
    input  logic                    m_tw_axi_arready,
    input  logic [M_ID_WIDTH-1:0]   m_tw_axi_rid,
    input  logic [DATA_WIDTH-1:0]   m_tw_axi_rdata,
    input  logic [1:0]              m_tw_axi_rresp,
    input  logic                    m_tw_axi_rlast,
    input  logic                    m_tw_axi_rvalid,
    output logic                    m_tw_axi_rready,

    // ---------------- interrupts (level)
    output logic                    irq_evtq,
    output logic                    irq_gerror,
    output logic                    irq_cmdq_sync
);
    logic        smmuen, evtqen, cmdqen, gbpa_abort, recinvsid;
    logic [OAS_BITS-1:0] strtab_base, cmdq_base, evtq_base;
    logic [5:0]  strtab_log2size;
    logic [4:0]  cmdq_log2size, evtq_log2size;
    logic [19:0] cmdq_prod;
    logic [31:0] cmdq_cons, evtq_cons, evtq_prod;
    logic [8:0]  gerror_active, gerror_toggle;
    logic        evtq_prod_we;
    logic [31:0] evtq_prod_wdata;

    logic        cmdq_busy, cmdq_cons_we;
    logic [31:0] cmdq_cons_wdata;

    // Read channel: RD_WALKERS walkers (hit-under-miss across IDs). Write channel: in
    // order (AXI4 W beats carry no ID), one walker; STALL_BUF_SLOTS + 1 with a stall
    // buffer, so that while every buffer slot holds a stalled, parked write another
    // write can still be walked. Walker k is STAG k. See docs/smmu.md.
    localparam int NR = RD_WALKERS;
    localparam int PARK = STALL ? STALL_BUF_BEATS : 0;
    localparam int NWR = PARK > 0 ? STALL_BUF_SLOTS + 1 : 1;
    localparam int NW = NR + NWR;

    smmu_regs #(
        .SID_BITS(SID_BITS), .SSID_BITS(SSID_BITS), .OAS_BITS(OAS_BITS), .CMDQS(CMDQS),
        .EVTQS(EVTQS), .STALL_MAX(STALL ? NW : 0), .MSI(MSI)
    ) u_regs (
        .clk, .rst,
        .s_axil_awaddr, .s_axil_awprot, .s_axil_awvalid, .s_axil_awready,
        .s_axil_wdata, .s_axil_wstrb, .s_axil_wvalid, .s_axil_wready,
        .s_axil_bresp, .s_axil_bvalid, .s_axil_bready,
        .s_axil_araddr, .s_axil_arprot, .s_axil_arvalid, .s_axil_arready,
        .s_axil_rdata, .s_axil_rresp, .s_axil_rvalid, .s_axil_rready,
        .smmuen, .evtqen, .cmdqen, .cr0_busy(cmdq_busy), .gbpa_abort, .recinvsid,
        .strtab_base, .strtab_log2size,
        .cmdq_base, .cmdq_log2size, .cmdq_prod, .cmdq_cons,
        .cmdq_cons_we, .cmdq_cons_wdata,
        .evtq_base, .evtq_log2size, .evtq_cons, .evtq_prod,
        .evtq_prod_we, .evtq_prod_wdata,
        .gerror_toggle, .gerror_active,
        .irq_gerror, .irq_evtq
    );

    // ================================================================== translation path
    // (walker counts: see "translation path" below)
    import smmu_pkg::*;

    // Caches are also flushed when SMMUEN goes 0 -> 1. The driver's CFGI_ALL +
    // TLBI_NSNH_ALL at reset make this unnecessary; it is kept because dropping cached
    // entries is always allowed, and it spares software without a command queue
    // (tb/smmu directed tests) stale entries across a disable/enable.
    logic smmuen_q;
    always_ff @(posedge clk) smmuen_q <= rst ? 1'b0 : smmuen;
    wire flush = smmuen && !smmuen_q;

    // command queue invalidation pulses (smmu_cmdq)
    logic        inv_cfg_all, inv_cfg_sid, inv_cfg_sid_ssid, inv_tlb_all, inv_tlb_asid, inv_tlb_va;
    logic [31:0] inv_sid, inv_sid_mask;
    logic [19:0] inv_ssid;
    logic [15:0] inv_asid;
    logic [VAW-1:12] inv_va;
    wire inv_any = flush || inv_cfg_all || inv_cfg_sid || inv_cfg_sid_ssid || inv_tlb_all ||
                   inv_tlb_asid || inv_tlb_va;

    // ---------------------------------------------------------------- caches
    // The channels look the caches up in two stages (smmu_xlate): the match (cl_oh, tl_oh)
    // in the cycle a request arrives, the selects (cl_sel, tl_sel: the registered match)
    // in the next one.
    logic [1:0][31:0] cl_sid;
    logic [1:0]       cl_ssv;
    logic [1:0][19:0] cl_ssid;
    cfg_t [1:0]       cl_cfg;
    logic [1:0]       cl_va_ok;
    logic [1:0][CFG_ENTRIES-1:0] cl_oh;          // the cache's one-hot match, for the IOTLB
    logic [1:0][CFG_ENTRIES-1:0] cl_sel;
    logic [CFG_ENTRIES-1:0] cl_chg;
    logic [CFG_ENTRIES-1:0][15:0] cfg_asid;     // every cache entry's ASID, for the IOTLB
    // IOTLB lookup ports: 0 read channel, 1 write channel, 2 the walkers' shared port.
    // A lookup port costs ~150 LUTs per entry (compare and select), and the walkers look
    // up in a few cycles of each job only, so they share one (grant: see below).
    localparam int NTL = 3;
    logic [NTL-1:0][15:0] tl_asid;
    logic [NTL-1:0][VAW-1:12] tl_va;
    logic [NTL-1:0]       tl_hit;
    logic [NTL-1:0][PAW-1:12] tl_pa;
    logic [NTL-1:0][1:0]  tl_size;
    perm_t [NTL-1:0]      tl_perm;
    logic [NTL-1:0][CFG_ENTRIES-1:0] tl_cfg_oh;
    logic [NTL-1:0][IOTLB_ENTRIES-1:0] tl_oh, tl_sel;
    logic [IOTLB_ENTRIES-1:0] tl_chg;
    assign tl_sel[2] = '0;
    // the walkers' port selects its own match; the channels' lk_hit is |tl_sel
    wire unused_tl = &{1'b0, tl_oh[2], tl_hit[1:0]};
    // the channels' IOTLB ports select the ASID by the cache match (smmu_iotlb NXP)
    assign tl_asid[1:0] = '0;
    assign tl_cfg_oh[1:0] = cl_oh;
    assign tl_cfg_oh[2] = '0;
    // The walkers' shared port. The grant is a register: the walkers ask a cycle ahead
    // by class (smmu_walker tl_want), the highest class wins, then the lowest index. So
    // the key's select is a flip-flop, and no walker state decode or priority lies in
    // front of the compare.
    logic [NW-1:0][1:0]      wl_want;
    logic [NW-1:0]           wl_gnt;
    logic [NW-1:0][15:0]     wl_asid;
    logic [NW-1:0][VAW-1:12] wl_va;
    logic [NW-1:0] want3, want2, want1;   // by class: the walkers at least that needy
    always_comb
        for (int k = 0; k < NW; k++) begin
            want3[k] = wl_want[k] == 2'd3;
            want2[k] = wl_want[k][1];
            want1[k] = wl_want[k] != 2'd0;
        end
    always_ff @(posedge clk) begin
        logic [NW-1:0] cand;
        cand = (want3 != '0) ? want3 : (want2 != '0) ? want2 : want1;
        wl_gnt <= rst ? '0 : cand & (~cand + NW'(1));   // its lowest set bit
    end
    always_comb begin
        tl_asid[2] = '0;
        tl_va[2] = '0;
        for (int k = 0; k < NW; k++) begin
            tl_asid[2] = tl_asid[2] | (wl_asid[k] & {16{wl_gnt[k]}});
            tl_va[2] = tl_va[2] | (wl_va[k] & {(VAW-12){wl_gnt[k]}});
        end
    end
    // the shared port's result a cycle later, for the granted walker's registered path
    // (S_RANGE and the CD's registered decision): one copy for all walkers
    logic                wl_q_hit;
    logic [PAW-1:12]     wl_q_pa;
    logic [1:0]          wl_q_size;
    perm_t               wl_q_perm;
    always_ff @(posedge clk) begin
        wl_q_hit <= tl_hit[2];
        wl_q_pa <= tl_pa[2];
        wl_q_size <= tl_size[2];
        wl_q_perm <= tl_perm[2];
    end

    logic [NW-1:0]        cf_valid, cf_ready, cf_ssv;
    logic [NW-1:0][31:0]  cf_sid;
    logic [NW-1:0][19:0]  cf_ssid;
    cfg_t [NW-1:0]        cf_cfg;
    logic [NW-1:0]        tf_valid, tf_ready;
    logic [NW-1:0][15:0]  tf_asid;
    logic [NW-1:0][VAW-1:12] tf_va;
    logic [NW-1:0][PAW-1:12] tf_pa;
    logic [NW-1:0][1:0]   tf_size;
    perm_t [NW-1:0]       tf_perm;
    logic [NW-1:0]        tf_glob;
    // Fills of walks that were under way (or parked) when an invalidation happened may
    // come from the old tables: they are acknowledged but dropped (the walk's own
    // transaction still completes, before any CMD_SYNC that follows can).
    logic [NW-1:0]        cf_valid_w, cf_ready_c, tf_valid_w, tf_ready_c, stale;
    assign cf_valid = cf_valid_w & ~stale & {NW{!inv_any}};
    assign tf_valid = tf_valid_w & ~stale & {NW{!inv_any}};

    smmu_cfgc #(.ENTRIES(CFG_ENTRIES), .NPORT(2), .NFILL(NW)) u_cfgc (
        .clk, .rst,
        .lk_sid(cl_sid), .lk_ssv(cl_ssv), .lk_ssid(cl_ssid),
        .lk_oh(cl_oh), .lk_va(tl_va[1:0]), .lk_va_ok(cl_va_ok), .ent_asid(cfg_asid),
        .sel_oh(cl_sel), .sel_cfg(cl_cfg), .ent_chg(cl_chg),
        .fill_valid(cf_valid), .fill_ready(cf_ready_c), .fill_sid(cf_sid), .fill_ssv(cf_ssv),
        .fill_ssid(cf_ssid), .fill_cfg(cf_cfg),
        .inv_all(flush || inv_cfg_all), .inv_sid(inv_cfg_sid), .inv_sid_ssid(inv_cfg_sid_ssid),
        .inv_sid_v(inv_sid), .inv_sid_mask, .inv_ssid_v(inv_ssid)
    );

    smmu_iotlb #(
        .ENTRIES(IOTLB_ENTRIES), .NPORT(NTL), .NXP(2), .NCFG(CFG_ENTRIES), .NFILL(NW)
    ) u_iotlb (
        .clk, .rst,
        .lk_asid(tl_asid), .lk_cfg_oh(tl_cfg_oh), .cfg_asid, .lk_va(tl_va), .lk_oh(tl_oh),
        .sel_oh(tl_sel), .ent_chg(tl_chg), .lk_hit(tl_hit),
        .lk_pa(tl_pa), .lk_size(tl_size),
        .lk_perm(tl_perm),
        .fill_valid(tf_valid), .fill_ready(tf_ready_c), .fill_asid(tf_asid), .fill_va(tf_va),
        .fill_pa(tf_pa), .fill_size(tf_size), .fill_perm(tf_perm), .fill_glob(tf_glob),
        .inv_all(flush || inv_tlb_all), .inv_asid(inv_tlb_asid), .inv_va(inv_tlb_va),
        .inv_asid_v(inv_asid), .inv_va_v(inv_va)
    );

    // ---------------------------------------------------------------- walkers
    logic [NW-1:0]        wj_valid, wj_ready, wr_valid, wr_ready;
    job_t [NW-1:0]        wj_job;
    res_t [NW-1:0]        wr_res;
    logic [NW-1:0]        w_ar_valid, w_ar_ready, w_r_valid;
    logic [NW-1:0][PAW-1:0] w_ar_addr;
    logic [NW-1:0][7:0]   w_ar_len;
    // stall model: one stalled transaction per walker at most (STAG = walker index)
    logic [NW-1:0]        w_stalled, sev_valid, sev_ready;
    evt_t [NW-1:0]        sev;
    logic                 resume_valid, stall_kill;
    logic [31:0]          resume_sid;
    logic [15:0]          resume_stag, stall_kill_stag;
    logic [1:0]           resume_resp;
    logic                 sev_sel_v, ev2_ready;
    logic [$clog2(NW)-1:0] sev_sel;     // NW >= 2
    always_comb begin
        sev_sel_v = 1'b0;
        sev_sel = '0;
        sev_ready = '0;
        for (int k = NW - 1; k >= 0; k--)
            if (sev_valid[k]) begin
                sev_sel_v = 1'b1;
                sev_sel = ($clog2(NW))'(k);
            end
        if (sev_sel_v) sev_ready[sev_sel] = ev2_ready;
    end

    // a dropped fill completes at once
    assign cf_ready = cf_ready_c | (cf_valid_w & (stale | {NW{inv_any}}));
    assign tf_ready = tf_ready_c | (tf_valid_w & (stale | {NW{inv_any}}));
    // stale: an invalidation happened while this walker's slot held a job (being walked or
    // waiting; inv_q covers a miss parked in the cycle of the invalidation, whose cached
    // configuration was looked up before it). Cleared when the walker hands its result back.
    logic inv_q;
    always_ff @(posedge clk) begin
        if (rst) begin
            inv_q <= 1'b0;
            stale <= '0;
        end else begin
            inv_q <= inv_any;
            for (int k = 0; k < NW; k++)
                if (wr_valid[k] && wr_ready[k]) stale[k] <= 1'b0;
                else if ((inv_any || inv_q) && (!wj_ready[k] || wj_valid[k])) stale[k] <= 1'b1;
        end
    end

    for (genvar k = 0; k < NW; k++) begin : g_walk
        smmu_walker #(
            .DATA_WIDTH(DATA_WIDTH), .SSID_BITS(SSID_BITS), .OAS_BITS(OAS_BITS), .IDX(k),
            .STALL(STALL)
        ) u_walker (
            .clk, .rst,
            .strtab_base(PAW'(strtab_base)), .strtab_log2size, .recinvsid, .smmuen, .evtqen,
            .stalled(w_stalled[k]), .sev_valid(sev_valid[k]), .sev_ready(sev_ready[k]),
            .sev(sev[k]), .resume_valid, .resume_sid, .resume_stag, .resume_resp,
            .stall_kill, .stall_kill_stag,
            .job_valid(wj_valid[k]), .job_ready(wj_ready[k]), .job(wj_job[k]),
            .res_valid(wr_valid[k]), .res_ready(wr_ready[k]), .res(wr_res[k]),
            .cf_valid(cf_valid_w[k]), .cf_ready(cf_ready[k]), .cf_sid(cf_sid[k]),
            .cf_ssv(cf_ssv[k]), .cf_ssid(cf_ssid[k]), .cf_cfg(cf_cfg[k]),
            .tf_valid(tf_valid_w[k]), .tf_ready(tf_ready[k]), .tf_asid(tf_asid[k]),
            .tf_va(tf_va[k]), .tf_pa(tf_pa[k]), .tf_size(tf_size[k]), .tf_perm(tf_perm[k]),
            .tf_glob(tf_glob[k]),
            .tl_want(wl_want[k]), .tl_gnt(wl_gnt[k]), .tl_asid(wl_asid[k]), .tl_va(wl_va[k]),
            .tl_hit(tl_hit[2]),
            .tlq_hit(wl_q_hit), .tlq_pa(wl_q_pa), .tlq_size(wl_q_size), .tlq_perm(wl_q_perm),
            .ar_valid(w_ar_valid[k]), .ar_ready(w_ar_ready[k]), .ar_addr(w_ar_addr[k]),
            .ar_len(w_ar_len[k]),
            .r_valid(w_r_valid[k]), .r_data(m_tw_axi_rdata), .r_resp(m_tw_axi_rresp),
            .r_last(m_tw_axi_rlast)
        );
    end

    // ---------------------------------------------------------------- CMD_SYNC drain
    // Every device transaction is counted from its address handshake until its last R beat
    // or its B at the device port. CMD_SYNC holds new address handshakes off until the
    // count is zero (and the event writer is idle), so it completes only after every
    // transaction that could have used an entry invalidated before it has finished.
    logic sync_hold, sync_idle, evtq_idle, xr_ready, xw_ready;
    assign s_axi_arready = xr_ready && !sync_hold;
    assign s_axi_awready = xw_ready && !sync_hold;
    // The address handshakes are counted one cycle late (in_r_q, in_w_q, added back in
    // sync_idle): s_axi_*ready depends on the match register's decision, which comes late
    // in the cycle.
    logic [11:0] outstanding;
    logic in_r_q, in_w_q;
    wire txn_out_r = s_axi_rvalid && s_axi_rready && s_axi_rlast;
    wire txn_out_w = s_axi_bvalid && s_axi_bready;
    always_ff @(posedge clk) begin
        if (rst) begin
            outstanding <= '0;
            in_r_q <= 1'b0;
            in_w_q <= 1'b0;
        end else begin
            in_r_q <= s_axi_arvalid && s_axi_arready;
            in_w_q <= s_axi_awvalid && s_axi_awready;
            outstanding <= outstanding + 12'(in_r_q) + 12'(in_w_q) - 12'(txn_out_r)
                                        - 12'(txn_out_w);
        end
    end
    // stalled transactions hold no translation and wait for a RESUME behind the sync
    logic [11:0] n_stalled;
    always_comb begin
        n_stalled = '0;
        for (int k = 0; k < NW; k++) n_stalled = n_stalled + 12'(w_stalled[k]);
    end
    // A request in a channel's front or match register (smmu_xlate) is not counted either:
    // it has used no translation yet (an entry invalidated meanwhile, micro-TLB entries
    // included, leaves its match, it then misses and walks the new tables), and it may
    // wait there behind a stalled miss (same ID, in-order writes, no free slot) whose
    // RESUME is queued behind the sync.
    logic [1:0] xr_held, xw_held;
    assign sync_idle = outstanding + 12'(in_r_q) + 12'(in_w_q) ==
                       n_stalled + 12'(xr_held) + 12'(xw_held) && evtq_idle;

    // ---------------------------------------------------------------- channel pipelines
    logic                 ro_valid, ro_ready, ro_lock, ro_slverr, ro_rec;
    logic [ID_WIDTH-1:0]  ro_id;
    logic [PAW-1:0]       ro_addr;
    logic [7:0]           ro_len;
    logic [2:0]           ro_size, ro_prot;
    logic [1:0]           ro_burst, ro_kind;
    logic [3:0]           ro_cache;
    evt_t                 ro_evt;
    logic                 ro_park, ro_replay;   // always 0 (reads are never parked)

    smmu_xlate #(
        .ID_WIDTH(ID_WIDTH), .SID_BITS(SID_BITS), .USER_WIDTH(USER_WIDTH), .ADDR_WIDTH(ADDR_WIDTH),
        .OAS_BITS(OAS_BITS), .NSLOT(NR), .IN_ORDER(1'b0), .IS_READ(1'b1),
        .NCFG(CFG_ENTRIES), .NTLB(IOTLB_ENTRIES), .NUTLB(UTLB_ENTRIES)
    ) u_xlate_r (
        .clk, .rst, .smmuen, .gbpa_abort, .ut_clr(inv_any),
        .s_valid(s_axi_arvalid && !sync_hold), .s_ready(xr_ready), .s_id(s_axi_arid), .s_addr(s_axi_araddr),
        .s_len(s_axi_arlen), .s_size(s_axi_arsize), .s_burst(s_axi_arburst), .s_lock(s_axi_arlock),
        .s_cache(s_axi_arcache), .s_prot(s_axi_arprot), .s_user(s_axi_aruser), .s_held(xr_held),
        .cl_sid(cl_sid[0]), .cl_ssv(cl_ssv[0]), .cl_ssid(cl_ssid[0]), .cl_oh(cl_oh[0]),
        .cl_va_ok(cl_va_ok[0]), .cl_chg, .tl_va(tl_va[0]), .tl_oh(tl_oh[0]), .tl_chg,
        .cl_sel(cl_sel[0]), .cl_cfg(cl_cfg[0]), .tl_sel(tl_sel[0]), .tl_pa(tl_pa[0]),
        .tl_size(tl_size[0]), .tl_perm(tl_perm[0]),
        .wj_valid(wj_valid[NR-1:0]), .wj_ready(wj_ready[NR-1:0]), .wj_job(wj_job[NR-1:0]),
        .wr_valid(wr_valid[NR-1:0]), .wr_ready(wr_ready[NR-1:0]), .wr_res(wr_res[NR-1:0]),
        .wr_stalled(w_stalled[NR-1:0]),
        .o_valid(ro_valid), .o_ready(ro_ready), .o_id(ro_id),
        .o_addr(ro_addr), .o_len(ro_len),
        .o_size(ro_size), .o_burst(ro_burst), .o_lock(ro_lock), .o_cache(ro_cache),
        .o_prot(ro_prot), .o_kind(ro_kind), .o_slverr(ro_slverr), .o_rec(ro_rec), .o_evt(ro_evt),
        .o_park(ro_park), .o_replay(ro_replay)
    );

    logic                 wo_valid, wo_ready, wo_lock, wo_slverr, wo_rec;
    logic [ID_WIDTH-1:0]  wo_id;
    logic [PAW-1:0]       wo_addr;
    logic [7:0]           wo_len;
    logic [2:0]           wo_size, wo_prot;
    logic [1:0]           wo_burst, wo_kind;
    logic [3:0]           wo_cache;
    evt_t                 wo_evt;
    logic                 wo_park, wo_replay;

    smmu_xlate #(
        .ID_WIDTH(ID_WIDTH), .SID_BITS(SID_BITS), .USER_WIDTH(USER_WIDTH), .ADDR_WIDTH(ADDR_WIDTH),
        .OAS_BITS(OAS_BITS), .NSLOT(NWR), .IN_ORDER(1'b1), .IS_READ(1'b0), .PARK_BEATS(PARK),
        .PARK_SLOTS(STALL_BUF_SLOTS), .NCFG(CFG_ENTRIES), .NTLB(IOTLB_ENTRIES), .NUTLB(UTLB_ENTRIES)
    ) u_xlate_w (
        .clk, .rst, .smmuen, .gbpa_abort, .ut_clr(inv_any),
        .s_valid(s_axi_awvalid && !sync_hold), .s_ready(xw_ready), .s_id(s_axi_awid), .s_addr(s_axi_awaddr),
        .s_len(s_axi_awlen), .s_size(s_axi_awsize), .s_burst(s_axi_awburst), .s_lock(s_axi_awlock),
        .s_cache(s_axi_awcache), .s_prot(s_axi_awprot), .s_user(s_axi_awuser), .s_held(xw_held),
        .cl_sid(cl_sid[1]), .cl_ssv(cl_ssv[1]), .cl_ssid(cl_ssid[1]), .cl_oh(cl_oh[1]),
        .cl_va_ok(cl_va_ok[1]), .cl_chg, .tl_va(tl_va[1]), .tl_oh(tl_oh[1]), .tl_chg,
        .cl_sel(cl_sel[1]), .cl_cfg(cl_cfg[1]), .tl_sel(tl_sel[1]), .tl_pa(tl_pa[1]),
        .tl_size(tl_size[1]), .tl_perm(tl_perm[1]),
        .wj_valid(wj_valid[NW-1:NR]), .wj_ready(wj_ready[NW-1:NR]), .wj_job(wj_job[NW-1:NR]),
        .wr_valid(wr_valid[NW-1:NR]), .wr_ready(wr_ready[NW-1:NR]), .wr_res(wr_res[NW-1:NR]),
        .wr_stalled(w_stalled[NW-1:NR]),
        .o_valid(wo_valid), .o_ready(wo_ready), .o_id(wo_id),
        .o_addr(wo_addr), .o_len(wo_len),
        .o_size(wo_size), .o_burst(wo_burst), .o_lock(wo_lock), .o_cache(wo_cache),
        .o_prot(wo_prot), .o_kind(wo_kind), .o_slverr(wo_slverr), .o_rec(wo_rec), .o_evt(wo_evt),
        .o_park(wo_park), .o_replay(wo_replay)
    );

    // ---------------------------------------------------------------- response paths
    logic t_ar_valid, t_ar_ready, t_r_valid, t_r_ready;
    logic [ID_WIDTH-1:0] t_r_id, t_b_id;
    logic t_aw_valid, t_aw_ready, t_w_valid, t_w_ready, t_b_valid, t_b_ready;
    logic [2:0] ev_valid, ev_ready;
    evt_t [2:0] ev_evt;
    assign ev_valid[2] = sev_sel_v;
    assign ev_evt[2] = sev[sev_sel];
    assign ev2_ready = ev_ready[2];

    smmu_rd_path #(.ID_WIDTH(ID_WIDTH), .DATA_WIDTH(DATA_WIDTH)) u_rd_path (
        .clk, .rst,
        .o_valid(ro_valid), .o_ready(ro_ready), .o_id(ro_id), .o_len(ro_len), .o_kind(ro_kind),
        .o_slverr(ro_slverr), .o_rec(ro_rec), .o_evt(ro_evt),
        .t_ar_valid, .t_ar_ready, .t_r_valid, .t_r_ready, .t_r_id,
        .m_rdata(m_axi_rdata), .m_rresp(m_axi_rresp), .m_rlast(m_axi_rlast),
        .e_valid(ev_valid[0]), .e_ready(ev_ready[0]), .e_evt(ev_evt[0]),
        .s_axi_rid, .s_axi_rdata, .s_axi_rresp, .s_axi_rlast, .s_axi_rvalid, .s_axi_rready
    );

    logic [DATA_WIDTH-1:0] t_w_data;
    logic [STRB_WIDTH-1:0] t_w_strb;
    logic                  t_w_last;
    smmu_wr_path #(
        .ID_WIDTH(ID_WIDTH), .DATA_WIDTH(DATA_WIDTH), .SB_BEATS(PARK),
        .SB_SLOTS(PARK > 0 ? STALL_BUF_SLOTS : 1)
    ) u_wr_path (
        .clk, .rst,
        .o_valid(wo_valid), .o_ready(wo_ready), .o_id(wo_id), .o_kind(wo_kind),
        .o_slverr(wo_slverr), .o_rec(wo_rec), .o_evt(wo_evt), .o_park(wo_park),
        .o_replay(wo_replay),
        .t_aw_valid, .t_aw_ready, .t_w_valid, .t_w_ready, .t_w_data, .t_w_strb, .t_w_last,
        .t_b_valid, .t_b_ready, .t_b_id,
        .m_bresp(m_axi_bresp),
        .e_valid(ev_valid[1]), .e_ready(ev_ready[1]), .e_evt(ev_evt[1]),
        .s_axi_wvalid, .s_axi_wready, .s_axi_wdata, .s_axi_wstrb, .s_axi_wlast,
        .s_axi_bid, .s_axi_bresp, .s_axi_bvalid, .s_axi_bready
    );

    // ---------------------------------------------------------------- event queue
    logic e_aw_valid, e_aw_ready, e_w_valid, e_w_ready, e_w_last, e_b_valid, evtq_abt_toggle;
    logic [PAW-1:0] e_aw_addr;
    logic [7:0] e_aw_len;
    logic [2:0] e_aw_size;
    logic [DATA_WIDTH-1:0] e_w_data;

    smmu_evtq #(.DATA_WIDTH(DATA_WIDTH)) u_evtq (
        .clk, .rst,
        .e_valid(ev_valid), .e_ready(ev_ready), .e_evt(ev_evt),
        .evtqen, .evtq_base(PAW'(evtq_base)), .evtq_log2size, .evtq_prod, .evtq_cons,
        .evtq_prod_we, .evtq_prod_wdata,
        .gerror_evtq_abt(gerror_active[2]), .gerror_toggle_abt(evtq_abt_toggle),
        .aw_valid(e_aw_valid), .aw_ready(e_aw_ready), .aw_addr(e_aw_addr), .aw_len(e_aw_len),
        .aw_size(e_aw_size), .w_valid(e_w_valid), .w_ready(e_w_ready), .w_data(e_w_data),
        .w_last(e_w_last), .b_valid(e_b_valid), .b_resp(m_tw_axi_bresp), .idle(evtq_idle),
        .stall_kill, .stall_kill_stag
    );

    // ---------------------------------------------------------------- command queue
    logic c_ar_valid, c_ar_ready, c_r_valid, cmdq_err_toggle, msi_err_toggle, irq_sync;
    // GERROR toggles (declared above their use: slang rejects use-before-declare); an
    // error that is already active is not toggled again (SMMUv3 7.5), for every source
    assign gerror_toggle = {4'b0, msi_err_toggle, 1'b0, evtq_abt_toggle, 1'b0, cmdq_err_toggle}
                           & ~gerror_active;
    logic [PAW-1:0] c_ar_addr;
    logic [7:0] c_ar_len;
    logic msi_valid, msi_done;
    logic [PAW-1:0] msi_addr;
    logic [31:0] msi_data;

    smmu_cmdq #(.DATA_WIDTH(DATA_WIDTH), .OAS_BITS(OAS_BITS), .MSI(MSI)) u_cmdq (
        .clk, .rst,
        .cmdqen, .cmdq_base(PAW'(cmdq_base)), .cmdq_log2size, .cmdq_prod, .cmdq_cons,
        .cmdq_cons_we, .cmdq_cons_wdata, .err_active(gerror_active[0]),
        .err_toggle(cmdq_err_toggle), .msi_err_toggle, .busy(cmdq_busy),
        .ar_valid(c_ar_valid), .ar_ready(c_ar_ready), .ar_addr(c_ar_addr), .ar_len(c_ar_len),
        .r_valid(c_r_valid), .r_data(m_tw_axi_rdata), .r_resp(m_tw_axi_rresp), .r_last(m_tw_axi_rlast),
        .inv_cfg_all, .inv_cfg_sid, .inv_cfg_sid_ssid, .inv_sid, .inv_sid_mask, .inv_ssid,
        .inv_tlb_all, .inv_tlb_asid, .inv_tlb_va, .inv_asid, .inv_va,
        .resume_valid, .resume_sid, .resume_stag, .resume_resp,
        .sync_hold, .sync_idle, .irq_sync,
        .msi_valid, .msi_addr, .msi_data, .msi_done, .msi_resp_err(m_tw_axi_bresp[1])
    );
    assign irq_cmdq_sync = irq_sync;

    // ---------------------------------------------------------------- internal writes
    // Event records and CMD_SYNC MSIs share the internal write port, one write at a time:
    // the owner keeps it from its AW until its B.
    localparam logic [1:0] OWN_NONE = 2'd0, OWN_EVT = 2'd1, OWN_MSI = 2'd2;
    logic [1:0] iw_own_q, iw_own;
    logic msi_aw_done, msi_w_done, i_b_valid;
    logic ea_valid, ea_ready, ew_valid, ew_ready, ew_last;
    logic [PAW-1:0] ea_addr;
    logic [7:0] ea_len;
    logic [2:0] ea_size;
    logic [DATA_WIDTH-1:0] ew_data;
    logic [STRB_WIDTH-1:0] ew_strb;
    localparam int SB = $clog2(STRB_WIDTH);
    always_comb begin
        iw_own = iw_own_q;
        if (iw_own == OWN_NONE) iw_own = e_aw_valid ? OWN_EVT : msi_valid ? OWN_MSI : OWN_NONE;
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            iw_own_q <= OWN_NONE;
            msi_aw_done <= 1'b0;
            msi_w_done <= 1'b0;
        end else begin
            iw_own_q <= i_b_valid ? OWN_NONE : iw_own;
            if (iw_own == OWN_MSI && ea_valid && ea_ready) msi_aw_done <= 1'b1;
            if (iw_own == OWN_MSI && ew_valid && ew_ready) msi_w_done <= 1'b1;
            if (msi_done) begin
                msi_aw_done <= 1'b0;
                msi_w_done <= 1'b0;
            end
        end
    end
    always_comb begin
        if (iw_own == OWN_MSI) begin
            ea_valid = !msi_aw_done;
            ea_addr = {msi_addr[PAW-1:2], 2'b00};
            ea_len = 8'd0;
            ea_size = 3'd2;
            ew_valid = !msi_w_done;
            ew_data = {(DATA_WIDTH/32){msi_data}};
            ew_strb = STRB_WIDTH'(4'hF) << {msi_addr[SB-1:2], 2'b00};
            ew_last = 1'b1;
        end else begin
            ea_valid = e_aw_valid && iw_own == OWN_EVT;
            ea_addr = e_aw_addr;
            ea_len = e_aw_len;
            ea_size = e_aw_size;
            ew_valid = e_w_valid && iw_own == OWN_EVT;
            ew_data = e_w_data;
            ew_strb = '1;
            ew_last = e_w_last;
        end
    end
    assign e_aw_ready = iw_own == OWN_EVT && ea_ready;
    assign e_w_ready = iw_own == OWN_EVT && ew_ready;
    assign e_b_valid = iw_own_q == OWN_EVT && i_b_valid;
    assign msi_done = iw_own_q == OWN_MSI && i_b_valid;

    // ---------------------------------------------------------------- downstream port
    // translated traffic only: straight from the read and write paths
    assign m_axi_arvalid = t_ar_valid;
    assign t_ar_ready = m_axi_arready;
    assign m_axi_arid = {1'b0, ro_id};
    assign m_axi_araddr = OAS_BITS'(ro_addr);
    assign m_axi_arlen = ro_len;
    assign m_axi_arsize = ro_size;
    assign m_axi_arburst = ro_burst;
    assign m_axi_arlock = ro_lock;
    assign m_axi_arcache = ro_cache;
    assign m_axi_arprot = ro_prot;
    assign t_r_valid = m_axi_rvalid;
    assign t_r_id = m_axi_rid[ID_WIDTH-1:0];
    assign m_axi_rready = t_r_ready;
    assign m_axi_awvalid = t_aw_valid;
    assign t_aw_ready = m_axi_awready;
    assign m_axi_awid = {1'b0, wo_id};
    assign m_axi_awaddr = OAS_BITS'(wo_addr);
    assign m_axi_awlen = wo_len;
    assign m_axi_awsize = wo_size;
    assign m_axi_awburst = wo_burst;
    assign m_axi_awlock = wo_lock;
    assign m_axi_awcache = wo_cache;
    assign m_axi_awprot = wo_prot;
    assign m_axi_wvalid = t_w_valid;
    assign t_w_ready = m_axi_wready;
    assign m_axi_wdata = t_w_data;
    assign m_axi_wstrb = t_w_strb;
    assign m_axi_wlast = t_w_last;
    assign t_b_valid = m_axi_bvalid;
    assign t_b_id = m_axi_bid[ID_WIDTH-1:0];
    assign m_axi_bready = t_b_ready;

    // ---------------------------------------------------------------- table-walk port
    // reads: walkers 0..NW-1, then the command queue (ID = {1, index})
    smmu_tw_arb #(.M_ID_WIDTH(M_ID_WIDTH), .OAS_BITS(OAS_BITS), .NW(NW + 1)) u_tw_arb (
        .clk, .rst,
        .w_ar_valid({c_ar_valid, w_ar_valid}), .w_ar_ready({c_ar_ready, w_ar_ready}),
        .w_ar_addr({c_ar_addr, w_ar_addr}), .w_ar_len({c_ar_len, w_ar_len}),
        .w_r_valid({c_r_valid, w_r_valid}),
        .m_arid(m_tw_axi_arid), .m_araddr(m_tw_axi_araddr), .m_arlen(m_tw_axi_arlen),
        .m_arvalid(m_tw_axi_arvalid), .m_arready(m_tw_axi_arready),
        .m_rid(m_tw_axi_rid), .m_rvalid(m_tw_axi_rvalid)
    );
    assign m_tw_axi_arsize = 3'd3;
    assign m_tw_axi_arburst = 2'b01;
    assign m_tw_axi_arlock = 1'b0;
    assign m_tw_axi_arcache = 4'b0011;
    assign m_tw_axi_arprot = 3'b010;
    assign m_tw_axi_rready = 1'b1;    // walkers and the command queue always take R
    // writes: one at a time (event record or MSI, iw_own), so W simply follows AW
    assign m_tw_axi_awvalid = ea_valid;
    assign ea_ready = m_tw_axi_awready;
    assign m_tw_axi_awid = {1'b1, (M_ID_WIDTH-1)'(0)};
    assign m_tw_axi_awaddr = OAS_BITS'(ea_addr);
    assign m_tw_axi_awlen = ea_len;
    assign m_tw_axi_awsize = ea_size;
    assign m_tw_axi_awburst = 2'b01;
    assign m_tw_axi_awlock = 1'b0;
    assign m_tw_axi_awcache = 4'b0011;
    assign m_tw_axi_awprot = 3'b010;
    assign m_tw_axi_wvalid = ew_valid;
    assign ew_ready = m_tw_axi_wready;
    assign m_tw_axi_wdata = ew_data;
    assign m_tw_axi_wstrb = ew_strb;
    assign m_tw_axi_wlast = ew_last;
    assign i_b_valid = m_tw_axi_bvalid;
    assign m_tw_axi_bready = 1'b1;

    // the ports' ID top bits are constant by construction (0 here, 1 on the table-walk
    // port); the table-walk port has one write in flight, so its B ID carries nothing
    wire unused_ok = &{1'b0, gerror_active[8:3], gerror_active[1], msi_addr[1:0], ro_park,
                       ro_replay, m_axi_rid[M_ID_WIDTH-1], m_axi_bid[M_ID_WIDTH-1],
                       m_tw_axi_bid};
endmodule
