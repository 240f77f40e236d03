// smmu_xlate: translation pipeline of one address channel (AR or AW).
//
// A request is looked up in the config cache and IOTLB in the cycle it arrives (side by
// side: the IOTLB selects the ASID with the cache's one-hot match, see smmu_iotlb). A hit
// (or a decision that needs no walk: SMMUEN=0, bypass, abort, out-of-range VA,
// permission fault) is registered into the output stage: one cycle of latency and one
// request per cycle. A miss is parked in a free slot whose walker resolves it while
// later requests keep flowing (hit-under-miss). The output register is the single point
// where hits and completed misses merge, so keeping same-ID requests in order only needs
// a new request to wait while a slot holds its ID (IN_ORDER=1: while any slot is busy,
// used by the write channel, whose W beats carry no ID).
// A burst whose bytes leave the mapping of its first byte is turned into F_TRANSLATION.
// PARK_BEATS > 0 (write channel, stall model): a slot whose walker holds a stalled burst
// of at most PARK_BEATS beats is "parked" while fewer than PARK_SLOTS are: a park
// decision (o_park) goes through the output stage so that smmu_wr_path absorbs its W
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
    parameter int  PARK_SLOTS = 1     // bursts parked at once (stall buffer slots)
) (
    input  logic                    clk,
    input  logic                    rst,
    input  logic                    smmuen,
    input  logic                    gbpa_abort,

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

    // cache lookups
    output logic [31:0]             cl_sid,
    output logic                    cl_ssv,
    output logic [19:0]             cl_ssid,
    input  logic                    cl_hit,
    input  smmu_pkg::cfg_t          cl_cfg,
    input  logic                    cl_va_ok,   // VA inside the matched CD's input range
    output logic [smmu_pkg::VAW-1:12] tl_va,
    input  logic                    tl_hit,
    input  logic [smmu_pkg::PAW-1:12] tl_pa,
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
        logic [7:0]          len;
        logic [2:0]          size;
        logic [1:0]          burst;
        logic                lock;
        logic [3:0]          cache;
        logic [2:0]          prot;
        logic [31:0]         sid;
        logic                ssv;
        logic [19:0]         ssid;
    } req_t;

    req_t in;
    assign in = '{id: s_id, va: VAW'(s_addr), len: s_len, size: s_size, burst: s_burst,
                  lock: s_lock, cache: s_cache, prot: s_prot,
                  sid: 32'(s_user[SID_BITS-1:0]), ssv: s_user[SID_BITS + 20],
                  ssid: s_user[SID_BITS + 20] ? s_user[SID_BITS +: 20] : 20'd0};

    // ------------------------------------------------------------ hit path
    assign cl_sid = in.sid;
    assign cl_ssv = in.ssv;
    assign cl_ssid = in.ssid;
    assign tl_va = in.va[VAW-1:12];

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

    res_t hres;   // outcome when no walk is needed
    logic miss;
    wire  big = (in.va >> OAS_BITS) != '0;   // untranslated address beyond the OAS
    always_comb begin
        hres = '0;
        miss = 1'b0;
        if (!smmuen) begin
            hres.kind = (gbpa_abort || big) ? R_ABORT : R_PASS;
            hres.slverr = 1'b1;
            hres.pa = PAW'(in.va);
            hres.size = SZ_NONE;
        end else if (!cl_hit) miss = 1'b1;
        else if (cl_cfg.mode == CFG_BYPASS && big) begin
            hres = xfault(EVT_F_ADDR_SIZE, 1'b1, 1'b1);
        end else if (cl_cfg.mode == CFG_BYPASS) begin
            hres.kind = R_PASS;
            hres.pa = PAW'(in.va);
            hres.size = SZ_NONE;
        end else if (cl_cfg.mode == CFG_ABORT) begin
            hres.kind = R_ABORT;
            hres.slverr = 1'b1;
        // a fault of a stalling CD (CD.S=1) goes to a walker, which stalls it
        end else if (cl_cfg.epd0 || !cl_va_ok) begin
            if (cl_cfg.stall) miss = 1'b1;
            else hres = xfault(EVT_F_TRANSLATION, cl_cfg.rec, cl_cfg.abt);
        end else if (!tl_hit) miss = 1'b1;
        else if (perm_fault(tl_perm, IS_READ, in.prot[0], IS_READ && in.prot[2], cl_cfg.pan,
                            cl_cfg.wxn)) begin
            if (cl_cfg.stall) miss = 1'b1;
            else hres = xfault(EVT_F_PERMISSION, cl_cfg.rec, cl_cfg.abt);
        end
        else begin
            hres.kind = R_PASS;
            hres.pa = {tl_pa, in.va[11:0]};
            hres.size = tl_size;
        end
        if (smmuen && cl_hit) hres.dss = cl_cfg.dss;
    end

    // ------------------------------------------------------------ slots
    logic [NSLOT-1:0] busy, pend;   // pend: job not yet taken by the walker
    logic [NSLOT-1:0] parked;       // stalled burst whose park decision has gone out
    req_t [NSLOT-1:0] sreq;
    job_t [NSLOT-1:0] sjob;

    logic             blocked, free_v, done_v, park_v;
    logic [SW-1:0]    free_i, done_i, park_i;
    int               n_parked;
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
        park_v = 1'b0;
        park_i = '0;
        for (int k = NSLOT - 1; k >= 0; k--) begin
            // a parked burst only keeps the AXI same-ID order
            if (busy[k] && ((IN_ORDER && !parked[k]) || sreq[k].id == in.id)) blocked = 1'b1;
            if (!busy[k]) begin free_v = 1'b1; free_i = SW'(k); end
            if (wr_valid[k]) begin done_v = 1'b1; done_i = SW'(k); end
            // PARK_SLOTS buffer slots: a stall beyond them is not parked (its park
            // decision would hold the output stage that the parked bursts' replays need)
            if (PARK_BEATS > 0 && busy[k] && !pend[k] && !parked[k] && wr_stalled[k] &&
                n_parked < PARK_SLOTS && int'(sreq[k].len) < PARK_BEATS) begin
                park_v = 1'b1;
                park_i = SW'(k);
            end
        end
    end

    assign wj_valid = pend;
    assign wj_job = sjob;

    // ------------------------------------------------------------ output stage
    logic out_free;
    assign out_free = !o_valid || o_ready;

    // a completed miss, then a park, take the output stage before new hits
    assign s_ready = !blocked && (miss ? free_v : (out_free && !done_v && !park_v));
    wire take_hit  = s_valid && s_ready && !miss;
    wire take_miss = s_valid && s_ready && miss;
    wire take_done = done_v && out_free;
    wire take_park = park_v && out_free && !done_v;
    always_comb begin
        wr_ready = '0;
        if (take_done) wr_ready[done_i] = 1'b1;
    end

    // burst bounds: the last byte of an INCR burst must stay inside the first byte's
    // mapping. Which mapping sizes (bit SZ_*) the burst leaves depends on the request
    // alone, so the adder runs beside the lookup and only a select waits for its size.
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

`ifndef SYNTHESIS
    // transaction trace: the request in the output stage (see the end of the module)
    logic [31:0]    tr_sid;
    logic [19:0]    tr_ssid;
    logic           tr_ssv;
    logic [VAW-1:0] tr_va;
    logic [2:0]     tr_depth;
    logic [1:0]     tr_msize, tr_dss;
`endif

    // the output stage's data (o_valid, o_park, o_replay are set by the caller)
    task automatic load(req_t q, res_t x);
        logic lv, txn;
`ifndef SYNTHESIS
        tr_sid <= q.sid;
        tr_ssid <= q.ssid;
        tr_ssv <= q.ssv;
        tr_va <= q.va;
        tr_depth <= x.depth;
        tr_msize <= x.size;
        tr_dss <= x.dss;
`endif
        lv = leaves(crossing(q.va, q.len, q.size, q.burst), x.kind, x.size);
        o_id <= q.id;
        o_addr <= (x.kind == R_PASS && !lv) ? x.pa : PAW'(q.va);
        o_len <= q.len;
        o_size <= q.size;
        o_burst <= q.burst;
        o_lock <= q.lock;
        o_cache <= q.cache;
        o_prot <= q.prot;
        o_kind <= lv ? R_FAULT : x.kind;
        o_slverr <= lv ? 1'b1 : x.slverr;
        o_rec <= lv ? 1'b1 : x.rec;
        txn = lv || x.txn;
        o_evt <= '{id: lv ? EVT_F_TRANSLATION : x.evt,
                   ssv: q.ssv && (lv || x.ssvm == SSVM_TXN),
                   ssid: (lv || x.ssvm != SSVM_NONE) ? q.ssid : 20'd0, sid: q.sid,
                   pnu: txn && q.prot[0], ind: txn && IS_READ && q.prot[2],
                   rnw: txn && IS_READ, cls: lv ? CLASS_IN : x.cls,
                   addr: txn ? q.va : '0, fetch: lv ? '0 : x.fetch, stall: 1'b0, stag: '0};
    endtask

    always_ff @(posedge clk) begin
        if (rst) begin
            o_valid <= 1'b0;
            o_park <= 1'b0;
            o_replay <= 1'b0;
            busy <= '0;
            pend <= '0;
            parked <= '0;
        end else begin
            // The data registers load whenever the stage is free, whether or not a request
            // is taken (o_valid says which), so their enable does not wait for the lookup.
            if (out_free) begin
                o_valid <= done_v || park_v || take_hit;
                o_park <= !done_v && park_v;
                o_replay <= done_v && parked[done_i];
                if (done_v) load(sreq[done_i], wr_res[done_i]);
                else if (park_v) o_id <= sreq[park_i].id;
                else load(in, hres);
            end
            if (take_done) begin
                busy[done_i] <= 1'b0;
                parked[done_i] <= 1'b0;
            end
            if (take_park) parked[park_i] <= 1'b1;
            for (int k = 0; k < NSLOT; k++)
                if (pend[k] && wj_ready[k]) pend[k] <= 1'b0;
            if (take_miss) begin
                busy[free_i] <= 1'b1;
                pend[free_i] <= 1'b1;
            end
        end
        // a free slot follows the input, so that taking a miss only sets busy
        for (int k = 0; k < NSLOT; k++)
            if (!busy[k]) begin
                sreq[k] <= in;
                sjob[k] <= '{sid: in.sid, ssv: in.ssv, ssid: in.ssid, va: in.va,
                             rnw: IS_READ, priv: in.prot[0], instr: IS_READ && in.prot[2],
                             cfg_hit: cl_hit, cfg: cl_cfg};
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
    longint unsigned slot_t [NSLOT];
    longint unsigned tr_t;
    logic   tr_hit;
    always_ff @(posedge clk) begin
        if (take_miss) slot_t[free_i] <= $time;
        if (take_done) begin
            tr_t <= slot_t[done_i];
            tr_hit <= 1'b0;
        end else if (take_hit) begin
            tr_t <= $time;
            tr_hit <= 1'b1;
        end
        if (trace_fd != 0 && !rst && o_valid && o_ready && !o_park)
            $fwrite(trace_fd, "{\"kind\":\"xlate\",\"t\":%0d,\"sid\":%0d,\"ssid\":%0d,\"ssv\":%0d,\"va\":%0d,\"rnw\":%0d,\"pa\":%s,\"fault\":%s,\"hit\":%s,\"walk_depth\":%0d,\"id\":%0d,\"len\":%0d,\"size\":%0d%s,\"src\":\"rtl\"}\n",
                    tr_t, tr_sid, tr_ssid, tr_ssv, tr_va, IS_READ,
                    o_kind == R_PASS ? $sformatf("%0d", o_addr) : "null",
                    o_kind == R_PASS ? "null" :
                    o_kind == R_FAULT ? $sformatf("\"%s\"", evt_name(o_evt.id)) :
                    o_slverr ? "\"SLVERR\"" : "\"RAZ_WI\"",
                    tr_hit ? "true" : "false", tr_depth, o_id, o_len, o_size,
                    {o_kind == R_PASS ? $sformatf(",\"t_out\":%0d", $time) : "",
                     tr_extra(o_kind, tr_msize, tr_dss)});
    end
`endif
endmodule
