// smmu_walker: resolves one translation miss. Optionally fetches the configuration
// (STE, level-1 CD descriptor, CD) and checks it, then walks the AArch64 stage-1 tables
// (4 KB granule), fills the config cache and IOTLB, and hands back the outcome (res_t):
// an output address, a fault with its event fields, or a silent abort.
// One memory read in flight per walker; smmu_top instantiates several walkers so that
// several misses are walked at once.
// Stall model (STALL=1): with CD.S=1 a translation-related fault does not finish the job:
// the walker sends a stall record (Stall=1, STAG=IDX) and waits in S_STALL, holding the
// transaction, for CMD_RESUME (SID, STAG=IDX): retry walks again from the STE (so the
// tables as they are now), abort finishes with SLVERR, terminate with RAZ/WI; neither
// is recorded again. A stall record that was not written (stall_kill), EVTQEN=0 or
// SMMUEN=0 terminate the stalled transaction with SLVERR.
// Memory reads are narrow (8-byte beats, arsize=3) INCR bursts of 1 or 2 dwords; a beat's
// dword sits on byte lane (addr mod DATA_WIDTH/8).
// Latency: the common successful steps (STE -> CD, CD -> start table, table -> next level,
// leaf -> IOTLB fill) are decided from the last R beat itself, so the next read's AR is
// valid in the cycle after that beat (what the first beat of a 2-dword read decides is
// registered at that beat). Anything else (faults, bypass/abort, IOTLB hit after a CD
// fetch, two-level CD tables, a CD whose IOTLB lookup did not get the shared port) takes
// the registered path one cycle later; both paths give the same outcome. No address
// arithmetic depends on T0SZ at run time beyond constant compares (the start table's
// alignment and the VA range check are per-bit compares).
module smmu_walker #(
    parameter int DATA_WIDTH = 64,
    parameter int SSID_BITS  = 8,
    parameter int OAS_BITS   = 48,
    parameter int IDX        = 0,       // this walker's STAG
    parameter bit STALL      = 1'b0     // stall model (IDR0.STALL_MODEL=0b00)
) (
    input  logic                     clk,
    input  logic                     rst,

    input  logic [smmu_pkg::PAW-1:0] strtab_base,
    input  logic [5:0]               strtab_log2size,
    input  logic                     recinvsid,        // CR2.RECINVSID
    input  logic                     smmuen,
    input  logic                     evtqen,

    // stall model
    output logic                     stalled,          // holding a stalled transaction
    output logic                     sev_valid,        // stall record to the event queue
    input  logic                     sev_ready,
    output smmu_pkg::evt_t           sev,
    input  logic                     resume_valid,     // CMD_RESUME executed
    input  logic [31:0]              resume_sid,
    input  logic [15:0]              resume_stag,
    input  logic [1:0]               resume_resp,      // 0 terminate, 1 retry, 2 abort
    input  logic                     stall_kill,       // a stall record was dropped
    input  logic [15:0]              stall_kill_stag,

    input  logic                     job_valid,
    output logic                     job_ready,
    input  smmu_pkg::job_t           job,

    output logic                     res_valid,
    input  logic                     res_ready,
    output smmu_pkg::res_t           res,

    // config cache fill
    output logic                     cf_valid,
    input  logic                     cf_ready,
    output logic [31:0]              cf_sid,
    output logic                     cf_ssv,
    output logic [19:0]              cf_ssid,
    output smmu_pkg::cfg_t           cf_cfg,

    // IOTLB fill
    output logic                     tf_valid,
    input  logic                     tf_ready,
    output logic [15:0]              tf_asid,
    output logic [smmu_pkg::VAW-1:12] tf_va,
    output logic [smmu_pkg::PAW-1:12] tf_pa,
    output logic [1:0]               tf_size,
    output smmu_pkg::perm_t          tf_perm,
    output logic                     tf_glob,          // leaf nG=0 (global)

    // IOTLB lookup once the configuration is known (another walker may have filled it),
    // through the walkers' one shared port. Its grant is a register (smmu_top), so the
    // walker asks one cycle ahead (tl_want: the class of its need next cycle); the
    // result is this walker's only in a cycle with tl_gnt: tl_hit live (the CD's fast
    // path needs only the miss), tlq_* the whole result one cycle later (one register
    // set in smmu_top, shared by the walkers)
    output logic [1:0]               tl_want,
    input  logic                     tl_gnt,
    output logic [15:0]              tl_asid,
    output logic [smmu_pkg::VAW-1:12] tl_va,
    input  logic                     tl_hit,
    input  logic                     tlq_hit,
    input  logic [smmu_pkg::PAW-1:12] tlq_pa,
    input  logic [1:0]               tlq_size,
    input  smmu_pkg::perm_t          tlq_perm,

    // memory reads (routed by smmu_mem_arb)
    output logic                     ar_valid,
    input  logic                     ar_ready,
    output logic [smmu_pkg::PAW-1:0] ar_addr,
    output logic [7:0]               ar_len,
    input  logic                     r_valid,
    input  logic [DATA_WIDTH-1:0]    r_data,
    input  logic [1:0]               r_resp,
    input  logic                     r_last
);
    import smmu_pkg::*;
    localparam int LANES = DATA_WIDTH / 64;
    localparam int LW = (LANES > 1) ? $clog2(LANES) : 1;

    typedef enum logic [3:0] {
        S_IDLE, S_STE, S_L1CD, S_CD, S_CFILL, S_RCHK, S_RANGE, S_PTE, S_TFILL, S_DONE, S_SEVT,
        S_STALL
    } state_t;
    state_t st;

    job_t        j;
    cfg_t        cfg;
    // The result, in three registers so that the deep decisions of the FSM only enable
    // the small fields (timing): r_pa loads in every cycle of the states that can pass
    // (meaningful for R_PASS only), r_fetch is the address of a read that returned an
    // error (the job ends at once) and zero otherwise
    typedef struct packed {
        logic [1:0] kind;
        logic [1:0] size;
        logic [7:0] evt;
        logic [1:0] cls;
        logic       rec, slverr, txn;
        logic [1:0] ssvm;
    } rsm_t;
    rsm_t           r;
    logic [PAW-1:0] r_pa, r_fetch;
    logic [19:0] cd_idx;
    logic [1:0]  lvl;

    // ------------------------------------------------------------ read engine
    logic        rd_busy, rd_done, rd_err, rd_issued;
    logic [PAW-1:0] rd_addr;
    logic [63:0] d0, d1;
    logic        beat;  // which dword the next beat carries
    logic [LW-1:0] lane;
    logic [63:0] rw;    // this beat's dword
    logic        r_end;  // last beat of a read without error
    logic        fast;   // the FSM continues from this last beat itself (no rd_done)

    assign ar_valid = rd_busy && !rd_issued;
    assign ar_addr = {rd_addr[PAW-1:3], 3'b000};
    assign lane = (LANES > 1) ? LW'((rd_addr >> 3) + PAW'(beat)) : '0;
    assign rw = r_data[64*lane +: 64];
    assign r_end = r_valid && r_last && !rd_err && !r_resp[1];

    always_ff @(posedge clk) begin
        if (rst) begin
            rd_issued <= 1'b0;
            beat <= 1'b0;
            rd_done <= 1'b0;
            rd_err <= 1'b0;
        end else begin
            rd_done <= 1'b0;
            if (ar_valid && ar_ready) rd_issued <= 1'b1;
            if (r_valid) begin
                if (beat) d1 <= rw;
                else d0 <= rw;
                beat <= 1'b1;
                if (r_resp[1]) rd_err <= 1'b1;
                if (r_last) begin
                    rd_done <= !fast;
                    rd_issued <= 1'b0;
                    beat <= 1'b0;
                end
            end
            if (rd_done) rd_err <= 1'b0;  // rd_err stays visible in the rd_done cycle
        end
    end
    // a read state whose read has not completed yet (every rd_done leaves the state or
    // starts the next read)
    assign rd_busy = (st == S_STE || st == S_L1CD || st == S_CD || st == S_PTE) && !rd_done;

    // ------------------------------------------------------------ decode helpers
    logic [2:0]  ste_cfg;
    logic [1:0]  ste_fmt, ste_dss;
    logic [4:0]  ste_cdmax;
    logic [PAW-1:0] ste_ctx;
    logic        ste_ctx_big;
    assign ste_cfg = d0[STE0_CFG +: 3];
    // S1Fmt is ignored with a single CD; the reserved 0b11 behaves as linear
    assign ste_fmt = (ste_cdmax == 0 || d0[STE0_S1FMT +: 2] == 2'b11) ? S1FMT_LINEAR
                                                                      : d0[STE0_S1FMT +: 2];
    assign ste_cdmax = d0[STE0_CDMAX +: 5];
    assign ste_ctx = {d0[PAW-1:STE0_CTXPTR], 6'b0};
    assign ste_ctx_big = (({d0[51:STE0_CTXPTR], 6'b0}) >> OAS_BITS) != 0;
    assign ste_dss = d1[STE1_S1DSS +: 2];
    logic [4:0]  split, split_q;   // log2(CDs per leaf table), kept past the STE
    assign split = (ste_fmt == S1FMT_4K_L2) ? 5'd6 : 5'd10;
    logic [19:0] cd_lo;   // CD index inside its leaf table
    assign cd_lo = cd_idx & ~(20'hFFFFF << split_q);

    logic [5:0] cd_t0sz;
    assign cd_t0sz = d0[CD0_T0SZ +: 6];
    logic [2:0] cd_ips;
    assign cd_ips = d0[CD0_IPS +: 3];
    logic ste_stalld;   // STE.S1STALLD of the STE being used
    // an address with bits at or above min(IPS, OAS) set (constant shifts per IPS value)
    function automatic logic above_ips(logic [51:0] a, logic [2:0] ips);
        case (ips)
            3'd0: return (a >> ips_bits(3'd0, OAS_BITS)) != '0;
            3'd1: return (a >> ips_bits(3'd1, OAS_BITS)) != '0;
            3'd2: return (a >> ips_bits(3'd2, OAS_BITS)) != '0;
            3'd3: return (a >> ips_bits(3'd3, OAS_BITS)) != '0;
            3'd4: return (a >> ips_bits(3'd4, OAS_BITS)) != '0;
            default: return (a >> ips_bits(3'd5, OAS_BITS)) != '0;
        endcase
    endfunction
    // C_BAD_CD for CD dwords c0, c1
    function automatic logic cd_bad(logic [63:0] c0, logic [51:CD1_TTB0] ttb0);
        logic [5:0] t0sz;
        t0sz = c0[CD0_T0SZ +: 6];
        return !c0[CD0_V] || !c0[CD0_AA64] || c0[CD0_HA] || c0[CD0_HD] ||
            (c0[CD0_S] && (!STALL || ste_stalld)) ||
            (!c0[CD0_EPD0] && (c0[CD0_ENDI] || c0[CD0_TG0 +: 2] != 2'b00 ||
                               t0sz < 6'(T0SZ_MIN) || t0sz > 6'(T0SZ_MAX) ||
                               above_ips({ttb0, 4'b0}, c0[CD0_IPS +: 3])));
    endfunction
    logic cd_illegal;
    assign cd_illegal = cd_bad(d0, d1[51:CD1_TTB0]);

    // index of the current level's descriptor
    function automatic logic [8:0] lvl_idx(logic [VAW-1:12] va, logic [1:0] l);
        case (l)
            2'd0: return va[47:39];
            2'd1: return va[38:30];
            2'd2: return va[29:21];
            default: return va[20:12];
        endcase
    endfunction
    function automatic logic [1:0] start_lvl(logic [5:0] t0sz);
        if (t0sz <= 6'd24) return 2'd0;
        if (t0sz <= 6'd33) return 2'd1;
        return 2'd2;
    endfunction
    // Address of the start-level descriptor. The start table is aligned to its own size,
    // 8 << (IA - level shift) = 2^(K - T0SZ) bytes with K = 28, 37, 46 for start level
    // 0, 1, 2 (4 to 12 address bits), so TTB0 bits [11:4] below that size are cleared
    // (constant compares of T0SZ) and the index, smaller than the table for an in-range
    // VA, is ORed in.
    function automatic logic [11:4] start_keep(logic [5:0] t0sz);
        logic [11:4] k;
        k = '1;
        for (int b = 4; b < 12; b++)
            case (start_lvl(t0sz))
                2'd0: if (t0sz < 6'(28 - b)) k[b] = 1'b0;
                2'd1: if (t0sz < 6'(37 - b)) k[b] = 1'b0;
                default: if (t0sz < 6'(46 - b)) k[b] = 1'b0;
            endcase
        return k;
    endfunction
    function automatic logic [PAW-1:0] start_addr(logic [PAW-1:4] ttb0, logic [5:0] t0sz,
                                                 logic [VAW-1:12] va);
        return {ttb0[PAW-1:12], ttb0[11:4] & start_keep(t0sz), 4'b0} |
               (PAW'(lvl_idx(va, start_lvl(t0sz))) << 3);
    endfunction
    // VA bits at/above 64-T0SZ all zero, from the job's VA width (va_room = 64 - number
    // of significant VA bits, computed when the job is taken)
    logic [6:0] va_room;
    function automatic logic [6:0] room(logic [VAW-1:0] va);
        logic [6:0] n;
        n = 7'd64;
        for (int i = 0; i < VAW; i++) if (va[i]) n = 7'(63 - i);
        return n;
    endfunction
    function automatic logic in_range(logic [5:0] t0sz);
        return {1'b0, t0sz} <= va_room;
    endfunction
    // S_RANGE's EPD0 / VA range fault, registered from cfg and va_room: S_RANGE is entered
    // from S_CFILL or S_RCHK, one cycle after cfg's last change (timing: a compare less
    // in front of the decision)
    logic range_bad;
    always_ff @(posedge clk) range_bad <= cfg.epd0 || !in_range(cfg.t0sz);

    logic [PAW-1:0] pte_oa;
    logic [1:0]     leaf_sz;
    logic [PAW-1:0] leaf_mask;
    perm_t          leaf_perm;
    logic           t_ro, t_nouser, t_pxn, t_uxn;   // APTable/XNTable seen so far
    assign leaf_sz = (lvl == 2'd3) ? SZ_4K : (lvl == 2'd2) ? SZ_2M : SZ_1G;
    assign leaf_mask = size_mask(leaf_sz);
    assign pte_oa = {d0[PAW-1:12], 12'b0};
    assign leaf_perm = '{ro: d0[PTE_AP2] || t_ro, user: d0[PTE_AP1] && !t_nouser,
                         pxn: d0[PTE_PXN] || t_pxn, uxn: d0[PTE_UXN] || t_uxn};

    // fault outcome: configuration faults carry no transaction fields
    function automatic rsm_t fault(logic [7:0] id, logic [1:0] ssvm);
        rsm_t x;
        x = '0;
        x.kind = R_FAULT;
        x.evt = id;
        x.cls = CLASS_CD;
        x.rec = 1'b1;
        x.slverr = 1'b1;
        x.ssvm = ssvm;
        return x;
    endfunction
    // translation-related faults follow CD.R (record) and CD.A (abort vs RAZ/WI)
    function automatic rsm_t xfault(logic [7:0] id, logic rec, logic abt);
        rsm_t x;
        x = '0;
        x.kind = R_FAULT;
        x.evt = id;
        x.cls = CLASS_IN;
        x.rec = rec;
        x.slverr = abt;
        x.txn = 1'b1;
        return x;
    endfunction

    // registers used by the result logic below, declared ahead of it
    logic cf_pend;   // configuration fill of the fast CD path not yet accepted
    logic ste_ssid_big;   // the job's SSID beyond the STE's S1CDMax (registered path)
    logic resume_q, kill_q;
    logic [1:0] resume_resp_q;

    assign job_ready = (st == S_IDLE);
    assign res_valid = (st == S_DONE) && !cf_pend;   // every fill of a job precedes its result
    // table reads made for this job (transaction trace: walk_depth)
    logic [2:0] nrd;
    always_ff @(posedge clk) begin
        if (rst || st == S_IDLE) nrd <= '0;
        else if (r_valid && r_last) nrd <= nrd + 3'd1;
    end
    // STE.S1DSS path of this job (trace only): from the cached config on a hit
    logic [1:0] dss_q;
    always_comb begin
        res = '0;
        res.kind = r.kind;
        res.pa = r_pa;
        res.size = r.size;
        res.evt = r.evt;
        res.cls = r.cls;
        res.fetch = r_fetch;
        res.rec = r.rec;
        res.slverr = r.slverr;
        res.txn = r.txn;
        res.ssvm = r.ssvm;
        res.depth = nrd;
        res.dss = dss_q;
    end
    always_ff @(posedge clk) begin
        // the output address of each passing outcome, loaded whatever the decision
        case (st)
            S_CFILL: r_pa <= PAW'(j.va);                                        // bypass
            S_RANGE: r_pa <= {tlq_pa, j.va[11:0]};                              // IOTLB hit
            S_TFILL: r_pa <= (pte_oa & ~leaf_mask) | (PAW'(j.va) & leaf_mask);  // leaf
            default: ;
        endcase
        if (st == S_IDLE || st == S_STALL) r_fetch <= '0;
        else if (rd_done && rd_err) r_fetch <= rd_addr;   // F_STE/CD_FETCH, F_WALK_EABT
    end
    assign cf_valid = (st == S_CFILL) || cf_pend;
    assign cf_sid = j.sid;
    assign cf_ssv = j.ssv;
    assign cf_ssid = j.ssid;
    always_comb begin
        cf_cfg = cfg;
        cf_cfg.dss = dss_q;
    end
    // IOTLB lookups: while the CD arrives, with its ASID (dword 0) for the decision at its
    // last beat; otherwise registered (tlq_*) for S_RANGE, looked up in the cycle before it
    // (the job's own configuration in S_RCHK, the fetched one in S_CFILL), so that the
    // lookup and the decision on it are in different cycles. The port is shared, so a
    // lookup counts only when granted: without the grant the CD's last beat takes the
    // registered path, and S_CFILL / S_RCHK wait in S_RCHK. The grant is registered
    // (the key's select is a flip-flop, not logic in front of the compare), so tl_want
    // says what the walker may need in the next cycle, by class (smmu_top grants the
    // highest class, then the lowest index):
    //  3: a CD whose first beat arrives now or has arrived (its last beat may be next);
    //  2: S_CFILL / S_RCHK (they stay until granted);
    //  1: idle (a job with a cached configuration goes to S_RCHK: granted ahead, it
    //     spends one cycle there, else two).
    always_comb begin
        tl_want = 2'd0;
        if (st == S_CD && (beat || r_valid)) tl_want = 2'd3;
        else if (st == S_CFILL || st == S_RCHK) tl_want = 2'd2;
        else if (st == S_IDLE) tl_want = 2'd1;
    end
    assign tl_asid = (st == S_CD) ? d0[CD0_ASID +: 16] : cfg.asid;
    assign tl_va = j.va[VAW-1:12];
    assign tf_valid = (st == S_TFILL);
    assign tf_asid = cfg.asid;
    assign tf_va = j.va[VAW-1:12];
    assign tf_pa = pte_oa[PAW-1:12] & ~leaf_mask[PAW-1:12];
    assign tf_size = leaf_sz;
    assign tf_perm = leaf_perm;
    assign tf_glob = !d0[PTE_NG];

    // CD fetch once the STE is known: its address, length, CD index (always ste_cdi, the
    // index of the fast path) and split were loaded at the STE's last beat
    task automatic fetch_cd();
        st <= (ste_fmt != S1FMT_LINEAR) ? S_L1CD : S_CD;
    endtask

    // the result register r is loaded by its own block below, on the state alone
    task automatic finish();
        st <= S_DONE;
    endtask
    function automatic rsm_t pass(logic [1:0] size);
        rsm_t x;
        x = '0;
        x.kind = R_PASS;
        x.size = size;
        return x;
    endfunction
    function automatic rsm_t abort(logic slverr);
        rsm_t x;
        x = '0;
        x.kind = R_ABORT;
        x.slverr = slverr;
        return x;
    endfunction

    // a translation-related fault: stall (CD.S=1) or finish per CD.R / CD.A
    // (the stall record's event ID is r.evt: the result block loads the same fault)
    task automatic tfault();
        if (STALL && cfg.stall) st <= S_SEVT;
        else finish();
    endtask

    // terminated stalled transaction: never recorded again
    task automatic stall_end();
        finish();
    endtask

    // The result register, loaded in every cycle of a state that can end the job (or at
    // its read's rd_done) with the outcome that the FSM's decision below gives if it
    // ends the job there: its enables depend on the state alone, not on the decision
    // (timing). A state that goes on instead leaves a value that a later state replaces.
    rsm_t ste_r;   // the STE checks' fault (the chain of S_STE below)
    always_comb begin
        ste_r = fault(EVT_C_BAD_STE, SSVM_TXN);
        if (rd_err) ste_r = fault(EVT_F_STE_FETCH, SSVM_TXN);
        else if (!d0[STE0_V]) ste_r = fault(EVT_C_BAD_STE, SSVM_TXN);
        else if ((ste_cfg & 3'b100) == STE_CFG_ABORT) ;
        else if (ste_cfg != STE_CFG_BYPASS && ste_cfg != STE_CFG_S1 || d1[STE1_STRW +: 2] != 2'b00)
            ste_r = fault(EVT_C_BAD_STE, SSVM_TXN);
        else if (ste_cfg == STE_CFG_BYPASS) ste_r = fault(EVT_C_BAD_SUBSTREAMID, SSVM_SSID);
        else if (int'(ste_cdmax) > SSID_BITS || (d1[STE1_S1STALLD] && !STALL) || ste_ctx_big)
            ste_r = fault(EVT_C_BAD_STE, SSVM_TXN);
        else if (ste_cdmax == 0 || (j.ssv && ste_ssid_big))
            ste_r = fault(EVT_C_BAD_SUBSTREAMID, SSVM_SSID);
        else ste_r = fault(EVT_F_STREAM_DISABLED, SSVM_NONE);
    end
    logic [7:0] pte_fid;   // the descriptor's fault (the chain of S_PTE below)
    always_comb begin
        if (!d0[PTE_VALID] || (lvl == 2'd0 && !d0[PTE_TYPE]) || (lvl == 2'd3 && !d0[PTE_TYPE]))
            pte_fid = EVT_F_TRANSLATION;
        else if (lvl != 2'd3 && d0[PTE_TYPE]) pte_fid = EVT_F_ADDR_SIZE;
        else if (above_ips({4'b0, pte_oa & ~leaf_mask}, cfg.ips)) pte_fid = EVT_F_ADDR_SIZE;
        else pte_fid = EVT_F_ACCESS;
    end
    always_ff @(posedge clk) begin
        case (st)
            S_IDLE: begin
                r <= fault(EVT_C_BAD_STREAMID, SSVM_TXN);
                r.rec <= recinvsid;
            end
            S_STE: if (rd_done) r <= ste_r;
            S_L1CD: if (rd_done) r <= rd_err ? fault(EVT_F_CD_FETCH, SSVM_TXN)
                                             : fault(EVT_C_BAD_SUBSTREAMID, SSVM_SSID);
            S_CD: if (rd_done) r <= rd_err ? fault(EVT_F_CD_FETCH, SSVM_TXN)
                                           : fault(EVT_C_BAD_CD, SSVM_TXN);
            S_CFILL: r <= (cfg.mode == CFG_ABORT) ? abort(1'b1)
                        : ((64'(j.va) >> OAS_BITS) != 0) ? xfault(EVT_F_ADDR_SIZE, 1'b1, 1'b1)
                        : pass(SZ_NONE);
            S_RANGE: r <= range_bad ? xfault(EVT_F_TRANSLATION, cfg.rec, cfg.abt)
                        : !tlq_hit || perm_fault(tlq_perm, j.rnw, j.priv, j.instr, cfg.pan, cfg.wxn)
                        ? xfault(EVT_F_PERMISSION, cfg.rec, cfg.abt) : pass(tlq_size);
            S_PTE: if (rd_done) begin
                if (rd_err) begin
                    r <= fault(EVT_F_WALK_EABT, SSVM_TXN);
                    r.cls <= CLASS_TT;
                    r.txn <= 1'b1;
                end else r <= xfault(pte_fid, cfg.rec, cfg.abt);
            end
            S_TFILL: r <= perm_fault(leaf_perm, j.rnw, j.priv, j.instr, cfg.pan, cfg.wxn)
                        ? xfault(EVT_F_PERMISSION, cfg.rec, cfg.abt) : pass(leaf_sz);
            S_STALL: r <= abort(kill_q || !smmuen || !evtqen || resume_resp_q == 2'd2);
            default: ;
        endcase
    end

    // CMD_RESUME and a dropped stall record act one cycle after their pulse, from
    // registers (timing: the 32-bit StreamID compare); `stalled` drops in that cycle, as
    // early as the state did before, so a CMD_SYNC never counts a resumed walker as stalled
    always_ff @(posedge clk) begin
        if (rst) begin
            resume_q <= 1'b0;
            kill_q <= 1'b0;
        end else begin
            resume_q <= resume_valid && st == S_STALL && resume_sid == j.sid &&
                        resume_stag == 16'(IDX);
            kill_q <= stall_kill && stall_kill_stag == 16'(IDX);
        end
        resume_resp_q <= resume_resp;
    end
    assign stalled = st == S_STALL && !resume_q && !kill_q;
    assign sev_valid = st == S_SEVT;
    assign sev = '{id: r.evt, ssv: j.ssv, ssid: j.ssid, sid: j.sid, pnu: j.priv,
                   ind: j.instr, rnw: j.rnw, cls: CLASS_IN, addr: j.va, fetch: '0,
                   stall: 1'b1, stag: 16'(IDX)};

    // ------------------------------------------------------------ decisions at the last beat
    // The successful continuations, decided at a read's last beat from the beat itself
    // (rw) and, for the 2-dword STE and CD, what was registered at the first beat. Each
    // mirrors the registered path below exactly; whatever they do not cover falls back to
    // it (rd_done). For timing, the next read's address (and what the registered path
    // recomputes anyway) is loaded at every error-free last beat; only the state, level,
    // table attributes and pending fill depend on the decision.
    logic ste_go, cd_go, tab_go, leaf_go;
    logic ste0_ok, cd0_ok;          // first-dword checks of the STE / CD being read
    logic [11:4] sa_keep;           // TTB0 bits kept by the start table's alignment
    logic [1:0]  sa_lvl;            // start level
    logic [8:0]  sa_idx;            // start-level index
    logic [PAW-1:0] rw_oa, nxt_addr;
    logic [19:0] ste_cdi;           // CD index the STE leads to
    assign rw_oa = {rw[PAW-1:12], 12'b0};
    assign ste_cdi = (j.ssv && ste_cdmax != 0) ? j.ssid : 20'd0;

    // first dword of an STE: stage 1 with a CD to fetch, as far as dword 0 tells
    function automatic logic ste_ok(logic [63:0] x);
        logic [4:0] cdmax;
        cdmax = x[STE0_CDMAX +: 5];
        return x[STE0_V] && x[STE0_CFG +: 3] == STE_CFG_S1 && int'(cdmax) <= SSID_BITS &&
               (({x[51:STE0_CTXPTR], 6'b0}) >> OAS_BITS) == 0 &&
               (cdmax == 0 ? !j.ssv : (!j.ssv || (j.ssid >> cdmax) == 0));
    endfunction
    // first dword of a CD: legal and the VA in range, as far as dword 0 tells
    function automatic logic cd_ok(logic [63:0] x);
        logic [5:0] t0sz;
        t0sz = x[CD0_T0SZ +: 6];
        return x[CD0_V] && x[CD0_AA64] && !x[CD0_HA] && !x[CD0_HD] &&
               !(x[CD0_S] && (!STALL || ste_stalld)) && !x[CD0_EPD0] && !x[CD0_ENDI] &&
               x[CD0_TG0 +: 2] == 2'b00 && t0sz >= 6'(T0SZ_MIN) && t0sz <= 6'(T0SZ_MAX) &&
               in_range(t0sz);
    endfunction
    // offset of the first CD read from S1ContextPtr, from STE dword 0 alone (registered at
    // the first beat so that the second only adds it: timing)
    function automatic logic [PAW-1:0] cd_off(logic [4:0] cdmax, logic [1:0] s1fmt);
        logic [1:0] fmt;
        logic [19:0] cdi;
        fmt = (cdmax == 0 || s1fmt == 2'b11) ? S1FMT_LINEAR : s1fmt;
        cdi = (j.ssv && cdmax != 0) ? j.ssid : 20'd0;
        if (fmt == S1FMT_LINEAR) return PAW'(cdi) << 6;
        else if (fmt == S1FMT_4K_L2) return PAW'(cdi >> 6) << 3;
        else return PAW'(cdi >> 10) << 3;
    endfunction
    logic [PAW-1:0] ste_off;
    always_ff @(posedge clk)
        if (r_valid && !beat) begin
            ste_ssid_big <= (j.ssid >> rw[STE0_CDMAX +: 5]) != 0;
            ste_off <= cd_off(rw[STE0_CDMAX +: 5], rw[STE0_S1FMT +: 2]);
            ste0_ok <= ste_ok(rw);
            cd0_ok <= cd_ok(rw);
            sa_lvl <= start_lvl(rw[CD0_T0SZ +: 6]);
            sa_idx <= lvl_idx(j.va[VAW-1:12], start_lvl(rw[CD0_T0SZ +: 6]));
            sa_keep <= start_keep(rw[CD0_T0SZ +: 6]);
        end

    always_comb begin
        // STE (rw = dword 1)
        ste_go = ste0_ok && rw[STE1_STRW +: 2] == 2'b00 && !(rw[STE1_S1STALLD] && !STALL);
        if (ste_cdmax != 0 && j.ssv)
            ste_go = ste_go && !(rw[STE1_S1DSS +: 2] == S1DSS_SSID0 && j.ssid == 0);
        else if (ste_cdmax != 0)
            ste_go = ste_go && rw[STE1_S1DSS +: 2] == S1DSS_SSID0;
        // CD (rw = dword 1): TTB0 within the IPS, no IOTLB entry (looked up with d0's ASID)
        cd_go = cd0_ok && !above_ips({rw[51:CD1_TTB0], 4'b0}, cd_ips) && tl_gnt && !tl_hit;
        // descriptor: a table descriptor within the output size
        tab_go = lvl != 2'd3 && rw[PTE_VALID] && rw[PTE_TYPE] &&
                 !above_ips({4'b0, rw_oa}, cfg.ips);
        // descriptor: a leaf without translation, address size or access flag fault
        leaf_go = rw[PTE_VALID] && (lvl == 2'd3 ? rw[PTE_TYPE] : (lvl != 2'd0 && !rw[PTE_TYPE])) &&
                  !above_ips({4'b0, rw_oa & ~leaf_mask}, cfg.ips) && (rw[PTE_AF] || cfg.affd);
        // the next read if the decision goes on
        case (st)
            S_STE: nxt_addr = ste_ctx + ste_off;
            S_CD: nxt_addr = {rw[PAW-1:12], rw[11:4] & sa_keep, 4'b0} | (PAW'(sa_idx) << 3);
            default: nxt_addr = rw_oa | (PAW'(lvl_idx(j.va[VAW-1:12], lvl + 2'd1)) << 3);
        endcase
    end
    assign fast = r_end && ((st == S_STE && beat && ste_go) || (st == S_CD && beat && cd_go) ||
                            (st == S_PTE && (tab_go || leaf_go)));

    // cfg is all zeros from the job's start (or a retry) up to here: only the mode is set
    // (fewer writers of cfg's other fields: timing)
    task automatic set_mode(logic [1:0] m);
        cfg.mode <= m;
        st <= S_CFILL;
    endtask

    always_ff @(posedge clk) begin
        if (rst) begin
            st <= S_IDLE;
            ar_len <= '0;
            cf_pend <= 1'b0;
        end else begin
            if (cf_ready) cf_pend <= 1'b0;
            if (r_end) begin
                // loaded at every error-free last beat (the registered path reloads them)
                rd_addr <= nxt_addr;
                ar_len <= (st == S_STE && ste_fmt == S1FMT_LINEAR) ? 8'd1 : 8'd0;
                if (st == S_STE) begin
                    ste_stalld <= rw[STE1_S1STALLD];
                    dss_q <= (!j.ssv && ste_cdmax != 0) ? DSS_SSID0 : DSS_NONE;
                    cd_idx <= ste_cdi;
                    split_q <= split;
                end
                if (st == S_CD) begin
                    cfg.mode <= CFG_S1;
                    cfg.asid <= d0[CD0_ASID +: 16];
                    cfg.ttb0 <= rw[PAW-1:CD1_TTB0];
                    cfg.t0sz <= cd_t0sz;
                    cfg.epd0 <= d0[CD0_EPD0];
                    cfg.ips <= cd_ips;
                    cfg.affd <= d0[CD0_AFFD];
                    cfg.wxn <= d0[CD0_WXN];
                    cfg.pan <= d0[CD0_PAN];
                    cfg.rec <= d0[CD0_R];
                    cfg.abt <= d0[CD0_A];
                    cfg.stall <= d0[CD0_S];
                end
            end
            if (fast) begin
                // the read's last beat continues the job (see "decisions at the last beat")
                case (st)
                    S_STE: st <= (ste_fmt != S1FMT_LINEAR) ? S_L1CD : S_CD;
                    S_CD: begin
                        cf_pend <= 1'b1;
                        t_ro <= 1'b0;
                        t_nouser <= 1'b0;
                        t_pxn <= 1'b0;
                        t_uxn <= 1'b0;
                        lvl <= sa_lvl;
                        st <= S_PTE;
                    end
                    default: if (tab_go) begin     // S_PTE
                        lvl <= lvl + 2'd1;
                        t_ro <= t_ro || rw[PTE_APT_RO];
                        t_nouser <= t_nouser || rw[PTE_APT_NOUSER];
                        t_pxn <= t_pxn || rw[PTE_PXNTABLE];
                        t_uxn <= t_uxn || rw[PTE_UXNTABLE];
                    end else st <= S_TFILL;        // leaf_go
                endcase
            end
            // Read addresses that the last beat does not provide, loaded on the state alone
            // (whatever the decision: no read is made unless the decision enters a read
            // state). The STE (S_IDLE, retry in S_STALL), the leaf CD after an L1CD, the
            // start-level descriptor (S_RANGE).
            case (st)
                S_IDLE: begin
                    rd_addr <= strtab_base + (PAW'(job.sid) << 6);
                    ar_len <= 8'd1;
                end
                S_STALL: begin
                    rd_addr <= strtab_base + (PAW'(j.sid) << 6);
                    ar_len <= 8'd1;
                end
                S_L1CD: if (rd_done) begin
                    rd_addr <= {d0[PAW-1:L1CD_L2PTR], 12'b0} + (PAW'(cd_lo) << 6);
                    ar_len <= 8'd1;
                end
                S_RANGE: begin
                    rd_addr <= start_addr(cfg.ttb0, cfg.t0sz, j.va[VAW-1:12]);
                    ar_len <= 8'd0;
                    lvl <= start_lvl(cfg.t0sz);
                end
                default: ;
            endcase
            // the registered path (a last beat that continued the job raised no rd_done,
            // and no other state sees a last beat)
            case (st)
                S_IDLE: if (job_valid) begin
                    j <= job;
                    va_room <= room(job.va);
                    cfg <= job.cfg_hit ? job.cfg : '0;
                    dss_q <= job.cfg_hit ? job.cfg.dss : DSS_NONE;
                    if (job.cfg_hit) st <= S_RCHK;
                    else if ((job.sid >> strtab_log2size) != 0) begin
                        finish();
                    end
                    else st <= S_STE;
                end

                // STE checks in the order of the golden model (sw/pasidsim/smmu_model.py)
                S_STE: if (rd_done) begin
                    // (r: ste_r, the fault of the same chain, in the result block)
                    ste_stalld <= d1[STE1_S1STALLD];
                    dss_q <= DSS_NONE;
                    if (rd_err) finish();
                    else if (!d0[STE0_V]) finish();
                    else if ((ste_cfg & 3'b100) == STE_CFG_ABORT) set_mode(CFG_ABORT);  // 0b0xx
                    else if (ste_cfg != STE_CFG_BYPASS && ste_cfg != STE_CFG_S1 ||
                             d1[STE1_STRW +: 2] != 2'b00)               // stage 2, not EL1
                        finish();
                    else if (ste_cfg == STE_CFG_BYPASS) begin
                        if (j.ssv) finish();
                        else set_mode(CFG_BYPASS);
                    end else if (int'(ste_cdmax) > SSID_BITS || (d1[STE1_S1STALLD] && !STALL) ||
                                 ste_ctx_big)
                        finish();
                    else if (ste_cdmax == 0) begin
                        if (j.ssv) finish();
                        else fetch_cd();
                    end else if (j.ssv) begin
                        if (ste_ssid_big)
                            finish();
                        else if (ste_dss == S1DSS_SSID0 && j.ssid == 0)
                            finish();
                        else fetch_cd();
                    end else if (ste_dss == S1DSS_BYPASS) begin
                        set_mode(CFG_BYPASS);
                        dss_q <= DSS_BYPASS;
                    end else if (ste_dss == S1DSS_SSID0) begin
                        fetch_cd();
                        dss_q <= DSS_SSID0;
                    end else if (ste_dss == S1DSS_TERMINATE || ste_dss == 2'b11) begin // as 0b00
                        finish();
                        dss_q <= DSS_TERMINATE;
                    end
                end

                S_L1CD: if (rd_done) begin
                    if (rd_err) finish();
                    else if (!d0[L1CD_V] || (({d0[51:L1CD_L2PTR], 12'b0}) >> OAS_BITS) != 0)
                        finish();
                    else st <= S_CD;
                end

                S_CD: if (rd_done) begin
                    if (rd_err) finish();
                    else if (cd_illegal) finish();
                    else st <= S_CFILL;   // cfg was loaded at the CD's last beat
                end

                S_CFILL: if (cf_ready) begin
                    if (cfg.mode == CFG_BYPASS && (64'(j.va) >> OAS_BITS) != 0)
                        finish();
                    else if (cfg.mode == CFG_BYPASS) finish();
                    else if (cfg.mode == CFG_ABORT) finish();
                    else if (tl_gnt) st <= S_RANGE;
                    else st <= S_RCHK;    // the lookup waits for the shared port
                end

                S_RANGE: begin
                    t_ro <= 1'b0;
                    t_nouser <= 1'b0;
                    t_pxn <= 1'b0;
                    t_uxn <= 1'b0;
                    if (range_bad)
                        tfault();
                    else if (tlq_hit) begin
                        if (perm_fault(tlq_perm, j.rnw, j.priv, j.instr, cfg.pan, cfg.wxn))
                            tfault();
                        else finish();
                    end else st <= S_PTE;
                end

                S_PTE: if (rd_done) begin
                    if (rd_err) begin
                        finish();
                    end else if (!d0[PTE_VALID] || (lvl == 2'd0 && !d0[PTE_TYPE]) ||
                                 (lvl == 2'd3 && !d0[PTE_TYPE]))
                        tfault();
                    else if (lvl != 2'd3 && d0[PTE_TYPE]) begin
                        // table descriptor: next level
                        if (above_ips({4'b0, pte_oa}, cfg.ips))
                            tfault();
                        else begin
                            lvl <= lvl + 2'd1;
                            t_ro <= t_ro || d0[PTE_APT_RO];
                            t_nouser <= t_nouser || d0[PTE_APT_NOUSER];
                            t_pxn <= t_pxn || d0[PTE_PXNTABLE];
                            t_uxn <= t_uxn || d0[PTE_UXNTABLE];
                            // rd_addr was loaded at the last beat (error-free)
                        end
                    end else if (above_ips({4'b0, pte_oa & ~leaf_mask}, cfg.ips))
                        tfault();
                    else if (!d0[PTE_AF] && !cfg.affd)
                        tfault();
                    else st <= S_TFILL;
                end

                S_TFILL: if (tf_ready) begin
                    if (perm_fault(leaf_perm, j.rnw, j.priv, j.instr, cfg.pan, cfg.wxn))
                        tfault();
                    else finish();
                end

                S_RCHK: if (tl_gnt) st <= S_RANGE;   // range_bad and tlq_* from cfg
                S_DONE: if (res_ready) st <= S_IDLE;
                S_SEVT: if (sev_ready) st <= S_STALL;
                S_STALL: begin
                    if (kill_q || !smmuen || !evtqen)
                        stall_end();
                    else if (resume_q) begin
                        if (resume_resp_q == 2'd1) begin  // retry: translate again from the STE
                            cfg <= '0;
                            st <= S_STE;
                        end
                        else stall_end();
                    end
                end
                default: st <= S_IDLE;
            endcase
        end
    end

    wire unused_ok = &{1'b0, d0, d1, r_resp[0], j, cd_idx};
endmodule
