// smmu_xlate: translation pipeline of one address channel (AR or AW).
//
// A front stage with a micro-TLB, then the full lookup in two stages:
//  0. front (the cycle a request arrives): the micro-TLB (smmu_utlb) compares its key;
//     the request and that one-hot match are registered (the "front register", f_*). A
//     micro-TLB hit leaves from there in the next cycle (one added cycle, one request
//     per cycle: the hit target, with little logic per stage); anything else moves on.
//  1. match: the config cache and the IOTLB compare their keys side by side on the
//     front register's request (the IOTLB selects the ASID with the cache's one-hot
//     match, see smmu_iotlb); the request, both one-hot matches, the VA range check and
//     the burst's mapping-crossing bits are registered (the "match register", m_*).
//  2. decide (the next cycle): the caches select the matched entries' contents (one-hot
//     AND-OR), the decision is made and drives the output (o_*) combinationally, straight
//     to smmu_rd_path / smmu_wr_path and the memory port (neither registers it): an
//     IOTLB hit reaches the memory port two cycles after its device handshake. A pass
//     decided there fills the micro-TLB; any invalidation empties it (ut_clr).
// A hit (or a decision that needs no walk: SMMUEN=0, bypass, abort, out-of-range VA,
// permission fault) leaves through the output; a miss goes to a free slot whose walker
// resolves it while later requests keep flowing (hit-under-miss). The match register holds
// while its request cannot leave (output busy, no free slot, same-ID order), and s_ready
// only says whether it is free or leaving: it depends on the registered request's decision,
// not on the arriving request's lookup.
// Entries written or invalidated while a request sits in the front or match register are
// dropped from its match at that edge (ent_chg of the micro-TLB and the caches), so a
// stale match never selects the new contents: the request becomes a miss and goes on to
// the full lookup, or to a walker.
// The output is the single point where hits and completed misses merge (completed misses
// first, then parks, then the match register, then the front register's micro-TLB hit),
// so keeping same-ID requests in order only needs the match register to wait while a slot
// holds its ID (IN_ORDER=1: while any slot is busy, used by the write channel, whose W
// beats carry no ID), and a micro-TLB hit to wait for that and for the match register.
// A burst whose bytes leave the mapping of its first byte is turned into F_TRANSLATION.
// PARK_BEATS > 0 (write channel, stall model): a slot whose walker holds a stalled burst
// of at most PARK_BEATS beats is "parked" while fewer than PARK_SLOTS are: a park
// decision (o_park) goes through the output so that smmu_wr_path absorbs its W
// beats into a stall buffer slot, and from then on the slot no longer holds later
// requests of other IDs in order; its final result leaves later with o_replay=1 (W beats
// from the buffer). Parked slots are resumed independently, in any order.
module smmu_xlate #(
    parameter int  ID_WIDTH   = 4,
    parameter int  SID_BITS   = 8,
    parameter int  USER_WIDTH = 1 + 20 + SID_BITS,
    parameter int  ADDR_WIDTH = 48,
    parameter int  OAS_BITS   = 48,
    parameter int  NSLOT      = 2,
    parameter bit  IN_ORDER   = 1'b0,
    parameter bit  IS_READ    = 1'b1,
    parameter int  PARK_BEATS = 0,
    parameter int  PARK_SLOTS = 1,    // bursts parked at once (stall buffer slots)
    parameter int  NCFG       = 8,    // config cache entries
    parameter int  NTLB       = 16,   // IOTLB entries
    parameter int  NUTLB      = 4     // micro-TLB entries (smmu_utlb)
) (
    input  logic                    clk,
    input  logic                    rst,
    input  logic                    smmuen,
    input  logic                    gbpa_abort,
    input  logic                    ut_clr,     // any invalidation: empty the micro-TLB

    // device address channel
    input  logic                    s_valid,
    output logic                    s_ready,
    input  logic [ID_WIDTH-1:0]     s_id,
    input  logic [ADDR_WIDTH-1:0]   s_addr,
    input  logic [7:0]              s_len,
    input  logic [2:0]              s_size,
    input  logic [1:0]              s_burst,
    input  logic                    s_lock,
    input  logic [3:0]              s_cache,
    input  logic [2:0]              s_prot,
    input  logic [USER_WIDTH-1:0]   s_user,
    // requests accepted and still in the front or match register (0-2): nothing is
    // decided for them yet and every cache entry they matched is re-checked until they
    // leave (see the top)
    output logic [1:0]              s_held,

    // cache lookups, stage 1: the front register's request's match
    output logic [31:0]             cl_sid,
    output logic                    cl_ssv,
    output logic [19:0]             cl_ssid,
    input  logic [NCFG-1:0]         cl_oh,      // config cache match (one-hot)
    input  logic                    cl_va_ok,   // VA inside the matched CD's input range
    input  logic [NCFG-1:0]         cl_chg,     // entries changed at the coming edge
    output logic [smmu_pkg::VAW-1:12] tl_va,
    input  logic [NTLB-1:0]         tl_oh,      // IOTLB match (one-hot)
    input  logic [NTLB-1:0]         tl_chg,
    // stage 2: the registered match's entries
    output logic [NCFG-1:0]         cl_sel,
    input  smmu_pkg::cfg_t          cl_cfg,
    output logic [NTLB-1:0]         tl_sel,
    input  logic [smmu_pkg::PAW-1:12] tl_pa,    // the mapping's base
    input  logic [1:0]              tl_size,
    input  smmu_pkg::perm_t         tl_perm,

    // walkers, one per slot
    output logic [NSLOT-1:0]        wj_valid,
    input  logic [NSLOT-1:0]        wj_ready,
    output smmu_pkg::job_t [NSLOT-1:0] wj_job,
    input  logic [NSLOT-1:0]        wr_valid,
    output logic [NSLOT-1:0]        wr_ready,
    input  smmu_pkg::res_t [NSLOT-1:0] wr_res,
    input  logic [NSLOT-1:0]        wr_stalled,  // the slot's walker holds a stalled job

    // translated / decided request
    output logic                    o_valid,
    input  logic                    o_ready,
    output logic [ID_WIDTH-1:0]     o_id,
    output logic [smmu_pkg::PAW-1:0] o_addr,
    output logic [7:0]              o_len,
    output logic [2:0]              o_size,
    output logic [1:0]              o_burst,
    output logic                    o_lock,
    output logic [3:0]              o_cache,
    output logic [2:0]              o_prot,
    output logic [1:0]              o_kind,     // smmu_pkg::R_*
    output logic                    o_slverr,   // terminated: SLVERR (else RAZ/WI, OKAY)
    output logic                    o_rec,      // R_FAULT: write the event record
    output smmu_pkg::evt_t          o_evt,
    output logic                    o_park,     // a stalled burst: park its W beats
    output logic                    o_replay    // the final result of a parked burst
);
    import smmu_pkg::*;
    localparam int SW = (NSLOT > 1) ? $clog2(NSLOT) : 1;

    // a parked request (also the shape of the incoming one)
    typedef struct packed {
        logic [ID_WIDTH-1:0] id;
        logic [VAW-1:0]      va;
        ax_attr_t            ax;
        logic [31:0]         sid;
        logic                ssv;
        logic [19:0]         ssid;
    } req_t;

    req_t in;
    assign in = '{id: s_id, va: VAW'(s_addr),
                  ax: '{len: s_len, size: s_size, burst: s_burst, lock: s_lock, cache: s_cache,
                        prot: s_prot},
                  sid: 32'(s_user[SID_BITS-1:0]), ssv: s_user[SID_BITS + 20],
                  ssid: s_user[SID_BITS + 20] ? s_user[SID_BITS +: 20] : 20'd0};

    // burst bounds: the last byte of an INCR burst must stay inside the first byte's
    // mapping. Which mapping sizes (bit SZ_*) the burst leaves depends on the request
    // alone: computed in stage 1, only a select waits for the IOTLB's size in stage 2.
    function automatic logic [3:0] crossing(logic [VAW-1:0] va, logic [7:0] len,
                                           logic [2:0] size, logic [1:0] burst);
        logic [VAW-1:0] first;
        logic [VAW-1:12] x;   // page bits that differ between the first and the last byte
        first = va & ~((VAW'(1) << size) - VAW'(1));
        x = first[VAW-1:12] ^
            (VAW-12)'((first + ((VAW'(len) + VAW'(1)) << size) - VAW'(1)) >> 12);
        if (burst != 2'b01) return '0;
        return {1'b0, x[VAW-1:30] != '0, x[VAW-1:21] != '0, x[VAW-1:12] != '0};
    endfunction
    function automatic logic leaves(logic [3:0] xs, logic [1:0] kind, logic [1:0] msize);
        return kind == R_PASS && msize != SZ_NONE && xs[msize];
    endfunction

    // ------------------------------------------------------------ stage 0: front
    // The arriving request is compared with the micro-TLB and registered in the front
    // register (f_*) with its match. A micro-TLB hit leaves from there in the next cycle
    // (one added cycle); anything else moves on to the match register when it is free.
    localparam int UKW = SID_BITS + 1 + 20 + (VAW - 12) + 2;
    localparam int UDW = (PAW - 12) + 2 + 2;   // output page, mapping size, dss (trace)
    // everything of a request that a stage-1 pass decision reads, besides the tables
    function automatic logic [UKW-1:0] ukey(logic [SID_BITS-1:0] sid, logic ssv,
                                            logic [19:0] ssid, logic [VAW-1:12] page,
                                            logic priv, logic instr);
        return {sid, ssv, ssid, page, priv, IS_READ && instr};
    endfunction

    logic             f_valid;
    req_t             f;
    logic [NUTLB-1:0] f_uoh;      // its micro-TLB match, less entries changed since
    logic [3:0]       f_xs;       // crossing()
    logic             f_en, f_gabt, f_big;
    logic [NSLOT-1:0] f_same;     // sreq[k].id == f.id, registered
    logic [NUTLB-1:0] u_oh, u_chg;
    logic [UDW-1:0]   u_data;
    logic             u_fill;
    logic [UKW-1:0]   u_key_in, u_key_m;
    logic [UDW-1:0]   u_fill_data;
    assign u_key_in = ukey(in.sid[SID_BITS-1:0], in.ssv, in.ssid, in.va[VAW-1:12], in.ax.prot[0],
                         in.ax.prot[2]);
    smmu_utlb #(.ENTRIES(NUTLB), .KW(UKW), .DW(UDW)) u_utlb (
        .clk, .rst, .clr(ut_clr), .lk_key(u_key_in), .lk_oh(u_oh), .sel_oh(f_uoh),
        .sel_data(u_data), .ent_chg(u_chg), .fill_valid(u_fill), .fill_key(u_key_m),
        .fill_data(u_fill_data)
    );
    // A hit may leave while SMMUEN was set at its arrival and the burst stays in its
    // 4 KB page (entries are kept per 4 KB page whatever the mapping's size).
    wire f_uhit = f_en && f_uoh != '0 && !f_xs[SZ_4K];

    // ------------------------------------------------------------ stage 1: match
    assign cl_sid = f.sid;
    assign cl_ssv = f.ssv;
    assign cl_ssid = f.ssid;
    assign tl_va = f.va[VAW-1:12];

    logic            m_valid;
    req_t            m;          // the registered request
    logic [NCFG-1:0] m_coh;      // its config cache match, less entries changed since
    logic [NTLB-1:0] m_toh;      // its IOTLB match, likewise
    logic            m_va_ok, m_big;
    logic [3:0]      m_xs;       // crossing()
    logic            m_en, m_gabt;   // SMMUEN, GBPA.ABORT when it arrived
    assign s_held = 2'(f_valid) + 2'(m_valid);

    // ------------------------------------------------------------ stage 2: decide
    assign cl_sel = m_coh;
    assign tl_sel = m_toh;
    wire m_chit = m_coh != '0;
    wire m_thit = m_toh != '0;

    function automatic res_t xfault(logic [7:0] id, logic rec, logic abt);
        res_t x;
        x = '0;
        x.kind = R_FAULT;
        x.evt = id;
        x.cls = CLASS_IN;
        x.rec = rec;
        x.slverr = abt;
        x.txn = 1'b1;
        return x;
    endfunction
    // VA page bits below an IOTLB entry's size (the PA shares them)
    function automatic logic [PAW-1:12] low_pages(logic [1:0] sz);
        case (sz)
            SZ_2M: return (PAW-12)'(9'h1FF);
            SZ_1G: return (PAW-12)'(18'h3FFFF);
            default: return '0;
        endcase
    endfunction

    res_t hres;   // outcome when no walk is needed
    logic miss;
    always_comb begin
        hres = '0;
        miss = 1'b0;
        if (!m_en) begin
            hres.kind = (m_gabt || m_big) ? R_ABORT : R_PASS;
            hres.slverr = 1'b1;
            hres.pa = PAW'(m.va);
            hres.size = SZ_NONE;
        end else if (!m_chit) miss = 1'b1;
        else if (cl_cfg.mode == CFG_BYPASS && m_big) begin
            hres = xfault(EVT_F_ADDR_SIZE, 1'b1, 1'b1);
        end else if (cl_cfg.mode == CFG_BYPASS) begin
            hres.kind = R_PASS;
            hres.pa = PAW'(m.va);
            hres.size = SZ_NONE;
        end else if (cl_cfg.mode == CFG_ABORT) begin
            hres.kind = R_ABORT;
            hres.slverr = 1'b1;
        // a fault of a stalling CD (CD.S=1) goes to a walker, which stalls it
        end else if (cl_cfg.epd0 || !m_va_ok) begin
            if (cl_cfg.stall) miss = 1'b1;
            else hres = xfault(EVT_F_TRANSLATION, cl_cfg.rec, cl_cfg.abt);
        end else if (!m_thit) miss = 1'b1;
        else if (perm_fault(tl_perm, IS_READ, m.ax.prot[0], IS_READ && m.ax.prot[2], cl_cfg.pan,
                            cl_cfg.wxn)) begin
            if (cl_cfg.stall) miss = 1'b1;
            else hres = xfault(EVT_F_PERMISSION, cl_cfg.rec, cl_cfg.abt);
        end
        else begin
            hres.kind = R_PASS;
            hres.pa = {tl_pa | (PAW-12)'(m.va[VAW-1:12]) & low_pages(tl_size), m.va[11:0]};
            hres.size = tl_size;
        end
        if (m_en && m_chit) hres.dss = cl_cfg.dss;
    end

    // ------------------------------------------------------------ slots
    logic [NSLOT-1:0] busy, pend;   // pend: job not yet taken by the walker
    logic [NSLOT-1:0] parked;       // stalled burst whose park decision has gone out
    req_t [NSLOT-1:0] sreq;
    job_t [NSLOT-1:0] sjob;
    logic [NSLOT-1:0][3:0] sxs;     // crossing() of sreq, from the match register

    logic             blocked, free_v, done_v, park_v, park_cv, park_q;
    logic [SW-1:0]    free_i, done_i, park_i, park_ci;
    int               n_parked;
    logic [NSLOT-1:0] same_id;      // sreq[k].id == m.id, registered
    logic             m_free;       // the match register is empty or its request leaves
    always_ff @(posedge clk)
        for (int k = 0; k < NSLOT; k++) begin
            logic [ID_WIDTH-1:0] nid;   // the slot's ID after this edge (a free slot follows m)
            nid = busy[k] ? sreq[k].id : m.id;
            same_id[k] <= m_free ? f.id == nid : m.id == nid;
            f_same[k] <= s_ready ? in.id == nid : f.id == nid;
        end
    always_comb begin
        n_parked = 0;
        for (int k = 0; k < NSLOT; k++) n_parked = n_parked + int'(parked[k]);
    end
    always_comb begin
        blocked = 1'b0;
        free_v = 1'b0;
        free_i = '0;
        done_v = 1'b0;
        done_i = '0;
        park_cv = 1'b0;
        park_ci = '0;
        for (int k = NSLOT - 1; k >= 0; k--) begin
            // the registered request waits behind a slot of its ID (a parked burst only
            // keeps the AXI same-ID order)
            if (busy[k] && ((IN_ORDER && !parked[k]) || same_id[k])) blocked = 1'b1;
            if (!busy[k]) begin free_v = 1'b1; free_i = SW'(k); end
            if (wr_valid[k]) begin done_v = 1'b1; done_i = SW'(k); end
            // PARK_SLOTS buffer slots: a stall beyond them is not parked (its park
            // decision would hold the output that the parked bursts' replays need)
            if (PARK_BEATS > 0 && busy[k] && !pend[k] && !parked[k] && wr_stalled[k] &&
                n_parked < PARK_SLOTS && int'(sreq[k].ax.len) < PARK_BEATS) begin
                park_cv = 1'b1;
                park_ci = SW'(k);
            end
        end
    end
    // The park candidate is registered (the stall comes from the walker's state, and its
    // select would run on through the output into smmu_wr_path), then checked again
    // against what may have changed since: a park taken or a slot freed in between, a
    // walker resumed.
    always_ff @(posedge clk) begin
        park_q <= !rst && park_cv;
        park_i <= park_ci;
    end
    assign park_v = PARK_BEATS > 0 && park_q && busy[park_i] && !pend[park_i] &&
                    !parked[park_i] && wr_stalled[park_i] && n_parked < PARK_SLOTS;


    // ------------------------------------------------------------ output
    // The output is combinational from the match register (or a slot), so that a hit
    // reaches the memory port one cycle after its device handshake. What is offered and not
    // taken moves into a hold register and is offered from there until taken (AXI: valid
    // and payload stay stable); the sources only wait while it is full, so none of them
    // waits for o_ready (the memory port's ready does not reach s_ready).
    typedef struct packed {
        logic [ID_WIDTH-1:0] id;
        logic [PAW-1:0]      addr;
        ax_attr_t            ax;
        logic [1:0]          kind;
        logic                slverr, rec;
        evt_t                evt;
        logic                park, replay;
    } out_t;
    out_t c, h;         // offered by the sources / held
    logic c_valid, h_valid;

    // a completed miss, then a park, take the output before the match register, and the
    // match register before the front one's micro-TLB hit (which also waits while the
    // match register or a slot holds an older request it must not pass: same ID, or any
    // unparked one with IN_ORDER)
    wire m_go = m_valid && !blocked;
    wire u_go = f_valid && f_uhit && !m_valid &&
                (busy & (f_same | (IN_ORDER ? ~parked : '0))) == '0;
    wire take_done = done_v && !h_valid;
    wire take_park = park_v && !done_v && !h_valid;
    wire take_hit  = m_go && !miss && !done_v && !park_v && !h_valid;
    wire take_miss = m_go && miss && free_v;
    wire take_uhit = u_go && !done_v && !park_v && !h_valid;
    assign m_free = !m_valid || take_hit || take_miss;
    assign s_ready = !f_valid || take_uhit || (!f_uhit && m_free);
    always_comb begin
        wr_ready = '0;
        if (take_done) wr_ready[done_i] = 1'b1;
    end
    // A stage-1 pass that the full lookup decided from its caches fills the micro-TLB
    // (a walk's result does not: the caches' own fill decides whether it is still
    // current, see smmu_top).
    assign u_fill = take_hit && hres.kind == R_PASS && hres.size != SZ_NONE &&
                    !leaves(m_xs, hres.kind, hres.size);
    assign u_key_m = ukey(m.sid[SID_BITS-1:0], m.ssv, m.ssid, m.va[VAW-1:12], m.ax.prot[0],
                        m.ax.prot[2]);
    assign u_fill_data = {hres.pa[PAW-1:12], hres.size, hres.dss};

    // A miss is offered to its slot's walker in the cycle it is decided (the job straight
    // from the match register), so the walk starts as early as with a single-stage
    // lookup; a job the walker does not take at once waits in the slot (pend).
    job_t mjob;
    assign mjob = '{sid: m.sid, ssv: m.ssv, ssid: m.ssid, va: m.va, rnw: IS_READ,
                    priv: m.ax.prot[0], instr: IS_READ && m.ax.prot[2], cfg_hit: m_chit, cfg: cl_cfg};
    always_comb
        for (int k = 0; k < NSLOT; k++) begin
            wj_valid[k] = pend[k] || (take_miss && free_i == SW'(k));
            wj_job[k] = busy[k] ? sjob[k] : mjob;
        end

`ifndef SYNTHESIS
    // transaction trace: the request on the output (see the end of the module)
    typedef struct packed {
        logic [31:0]    sid;
        logic [19:0]    ssid;
        logic           ssv;
        logic [VAW-1:0] va;
        logic [2:0]     depth;
        logic [1:0]     msize, dss;
        logic           hit;
        longint unsigned t;
    } tr_t;
    tr_t tc, th, tr;
    longint unsigned f_t, m_t;           // device handshake of the front / match register's request
    longint unsigned slot_t [NSLOT];
`endif

    // a micro-TLB hit: a pass to the entry's page
    res_t ures;
    always_comb begin
        ures = '0;
        ures.kind = R_PASS;
        {ures.pa[PAW-1:12], ures.size, ures.dss} = u_data;
        ures.pa[11:0] = f.va[11:0];
    end

    // offered: a completed miss, else the match register's decision, else the front
    // register's micro-TLB hit (a park only replaces the ID: smmu_wr_path looks at nothing
    // else of a park)
    always_comb begin
        req_t q;
        res_t x;
        logic [3:0] xs;
        logic lv, txn;
        if (done_v) begin
            q = sreq[done_i];
            x = wr_res[done_i];
            xs = sxs[done_i];
        end else if (m_valid) begin
            q = m;
            x = hres;
            xs = m_xs;
        end else begin
            q = f;
            x = ures;
            xs = f_xs;
        end
`ifndef SYNTHESIS
        tc = '{sid: q.sid, ssid: q.ssid, ssv: q.ssv, va: q.va, depth: x.depth,
               msize: x.size, dss: x.dss, hit: !done_v,
               t: done_v ? slot_t[done_i] : m_valid ? m_t : f_t};
`endif
        lv = leaves(xs, x.kind, x.size);
        c_valid = done_v || park_v || (m_go && !miss) || u_go;
        c.park = !done_v && park_v;
        c.replay = done_v && parked[done_i];
        c.id = (!done_v && park_v) ? sreq[park_i].id : q.id;
        c.addr = (x.kind == R_PASS && !lv) ? x.pa : PAW'(q.va);
        c.ax = q.ax;
        c.kind = lv ? R_FAULT : x.kind;
        c.slverr = lv ? 1'b1 : x.slverr;
        c.rec = lv ? 1'b1 : x.rec;
        txn = lv || x.txn;
        c.evt = '{id: lv ? EVT_F_TRANSLATION : x.evt,
                  ssv: q.ssv && (lv || x.ssvm == SSVM_TXN),
                  ssid: (lv || x.ssvm != SSVM_NONE) ? q.ssid : 20'd0, sid: q.sid,
                  pnu: txn && q.ax.prot[0], ind: txn && IS_READ && q.ax.prot[2],
                  rnw: txn && IS_READ, cls: lv ? CLASS_IN : x.cls,
                  addr: txn ? q.va : '0, fetch: lv ? '0 : x.fetch, stall: 1'b0, stag: '0};
    end

    out_t o;
    assign o = h_valid ? h : c;
    assign o_valid = h_valid || c_valid;
    assign o_id = o.id;
    assign o_addr = o.addr;
    assign o_len = o.ax.len;
    assign o_size = o.ax.size;
    assign o_burst = o.ax.burst;
    assign o_lock = o.ax.lock;
    assign o_cache = o.ax.cache;
    assign o_prot = o.ax.prot;
    assign o_kind = o.kind;
    assign o_slverr = o.slverr;
    assign o_rec = o.rec;
    assign o_evt = o.evt;
    assign o_park = o.park;
    assign o_replay = o.replay;
`ifndef SYNTHESIS
    assign tr = h_valid ? th : tc;
`endif

    always_ff @(posedge clk) begin
        if (rst) h_valid <= 1'b0;
        else h_valid <= o_valid && !o_ready;
        if (!h_valid) begin
            h <= c;
`ifndef SYNTHESIS
            th <= tc;
`endif
        end
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            f_valid <= 1'b0;
            m_valid <= 1'b0;
            busy <= '0;
            pend <= '0;
            parked <= '0;
        end else begin
            if (s_ready) f_valid <= s_valid;
            if (m_free) m_valid <= f_valid && !f_uhit;
            if (take_done) begin
                busy[done_i] <= 1'b0;
                parked[done_i] <= 1'b0;
            end
            if (take_park) parked[park_i] <= 1'b1;
            for (int k = 0; k < NSLOT; k++)
                if (wj_valid[k] && wj_ready[k]) pend[k] <= 1'b0;
            if (take_miss) begin
                busy[free_i] <= 1'b1;
                if (!wj_ready[free_i]) pend[free_i] <= 1'b1;
            end
        end
        // The front and match registers' data load whenever they are free (s_valid says
        // nothing about it), so their enables do not wait for the arriving request.
        // Entries changed at this edge leave the matches, whether loaded or held.
        if (s_ready) begin
            f <= in;
            f_en <= smmuen;
            f_gabt <= gbpa_abort;
            f_big <= (64'(in.va) >> OAS_BITS) != 0;   // untranslated address beyond the OAS
            f_xs <= crossing(in.va, in.ax.len, in.ax.size, in.ax.burst);
        end
        f_uoh <= (s_ready ? u_oh : f_uoh) & ~u_chg;
        if (m_free) begin
            m <= f;
            m_va_ok <= cl_va_ok;
            m_en <= f_en;
            m_gabt <= f_gabt;
            m_big <= f_big;
            m_xs <= f_xs;
        end
        m_coh <= (m_free ? cl_oh : m_coh) & ~cl_chg;
        m_toh <= (m_free ? tl_oh : m_toh) & ~tl_chg;
        // a free slot follows the match register, so that taking a miss only sets busy
        for (int k = 0; k < NSLOT; k++)
            if (!busy[k]) begin
                sreq[k] <= m;
                sjob[k] <= mjob;
                sxs[k] <= m_xs;
            end
    end

`ifndef SYNTHESIS
    // ------------------------------------------------------------ transaction trace
    // +trace=<prefix> -> <prefix>.<instance>.jsonl: one "xlate" record per decided request
    // at the output handshake (docs/debugging.md "From the HDL"); t is the device-port
    // address handshake. fault: the event name, or SLVERR / RAZ_WI for a silent abort.
    int trace_fd = 0;
    initial begin : trace_open
        string prefix;
        if ($value$plusargs("trace=%s", prefix))
            trace_fd = $fopen($sformatf("%s.%m.jsonl", prefix), "w");
    end
    final if (trace_fd != 0) $fclose(trace_fd);
    // optional fields: page (leaf mapping size of a stage-1 translation), s1dss
    function automatic string tr_extra(logic [1:0] kind, logic [1:0] msize, logic [1:0] dss);
        string s, n;     // (string variables: a ?: of literals pads them to one width)
        s = "";
        if (kind == R_PASS && msize != SZ_NONE) begin
            case (msize)
                SZ_4K: n = "4K";
                SZ_2M: n = "2M";
                default: n = "1G";
            endcase
            s = $sformatf(",\"page\":\"%s\"", n);
        end
        if (dss != DSS_NONE) begin
            case (dss)
                DSS_BYPASS: n = "bypass";
                DSS_SSID0: n = "ssid0";
                default: n = "terminate";
            endcase
            s = {s, $sformatf(",\"s1dss\":\"%s\"", n)};
        end
        return s;
    endfunction
    always_ff @(posedge clk) begin
        if (s_valid && s_ready) f_t <= $time;
        if (m_free) m_t <= f_t;
        if (take_miss) slot_t[free_i] <= m_t;
        if (trace_fd != 0 && !rst && o_valid && o_ready && !o_park)
            $fwrite(trace_fd, "{\"kind\":\"xlate\",\"t\":%0d,\"sid\":%0d,\"ssid\":%0d,\"ssv\":%0d,\"va\":%0d,\"rnw\":%0d,\"pa\":%s,\"fault\":%s,\"hit\":%s,\"walk_depth\":%0d,\"id\":%0d,\"len\":%0d,\"size\":%0d%s,\"src\":\"rtl\"}\n",
                    tr.t, tr.sid, tr.ssid, tr.ssv, tr.va, IS_READ,
                    o_kind == R_PASS ? $sformatf("%0d", o_addr) : "null",
                    o_kind == R_PASS ? "null" :
                    o_kind == R_FAULT ? $sformatf("\"%s\"", evt_name(o_evt.id)) :
                    o_slverr ? "\"SLVERR\"" : "\"RAZ_WI\"",
                    tr.hit ? "true" : "false", tr.depth, o_id, o_len, o_size,
                    {o_kind == R_PASS ? $sformatf(",\"t_out\":%0d", $time) : "",
                     tr_extra(o_kind, tr.msize, tr.dss)});
    end
`endif
endmodule
