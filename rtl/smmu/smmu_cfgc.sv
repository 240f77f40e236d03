// smmu_cfgc: configuration cache. Fully associative; each entry holds the resolved
// STE+CD outcome (smmu_pkg::cfg_t) for one (StreamID, SSV, SubstreamID). Faulting
// configurations are never cached. One fill per cycle (lowest port wins, the others
// retry); FIFO replacement; a fill whose key is already present is dropped, so concurrent
// walkers of the same key leave one entry. Keys are therefore unique and a lookup matches
// at most one entry.
// A lookup is split in two (smmu_xlate registers between them, see there):
//  - match: lk_oh, the one-hot key match (with every entry's ASID in ent_asid, so that the
//    IOTLB selects by ASID in the same cycle), and lk_va_ok (VA inside the matched CD's
//    T0SZ input range, computed per entry beside the key compare);
//  - select: sel_cfg, the one-hot AND-OR select of the entries in sel_oh (a registered
//    lk_oh). ent_chg marks the entries written or invalidated at the coming clock edge,
//    so that a registered match to them is dropped (it becomes a miss) before it is used.
// Invalidation inputs, driven by the command queue (smmu_cmdq):
//   inv_all                       CFGI_ALL with Range=31, SMMUEN 0->1
//   inv_sid (+ inv_sid_mask)      CFGI_STE, CFGI_CD_ALL (mask all ones), CFGI_STE_RANGE
//                                 (mask clears the Range+1 low bits)
//   inv_sid_ssid                  CFGI_CD: the entry (SID, SSV=1, SSID), and for SSID 0
//                                 also (SID, SSV=0), whose traffic resolves to CD 0
module smmu_cfgc #(
    parameter int ENTRIES = 8,
    parameter int NPORT   = 2,
    parameter int NFILL   = 2
) (
    input  logic                    clk,
    input  logic                    rst,

    input  logic [NPORT-1:0][31:0]  lk_sid,
    input  logic [NPORT-1:0]        lk_ssv,
    input  logic [NPORT-1:0][19:0]  lk_ssid,
    output logic [NPORT-1:0][ENTRIES-1:0] lk_oh,
    input  logic [NPORT-1:0][smmu_pkg::VAW-1:12] lk_va,
    output logic [NPORT-1:0]        lk_va_ok,
    output logic [ENTRIES-1:0][15:0] ent_asid,
    input  logic [NPORT-1:0][ENTRIES-1:0] sel_oh,
    output smmu_pkg::cfg_t [NPORT-1:0] sel_cfg,
    output logic [ENTRIES-1:0]      ent_chg,

    input  logic [NFILL-1:0]        fill_valid,
    output logic [NFILL-1:0]        fill_ready,
    input  logic [NFILL-1:0][31:0]  fill_sid,
    input  logic [NFILL-1:0]        fill_ssv,
    input  logic [NFILL-1:0][19:0]  fill_ssid,
    input  smmu_pkg::cfg_t [NFILL-1:0] fill_cfg,

    input  logic                    inv_all,
    input  logic                    inv_sid,        // entries whose SID matches under the mask
    input  logic                    inv_sid_ssid,   // (inv_sid_v, SSV=1, inv_ssid_v) [+ SSV=0]
    input  logic [31:0]             inv_sid_v,
    input  logic [31:0]             inv_sid_mask,
    input  logic [19:0]             inv_ssid_v
);
    import smmu_pkg::*;
    localparam int IW = (ENTRIES > 1) ? $clog2(ENTRIES) : 1;

    logic [ENTRIES-1:0]       v;
    logic [ENTRIES-1:0][31:0] t_sid;
    logic [ENTRIES-1:0]       t_ssv;
    logic [ENTRIES-1:0][19:0] t_ssid;
    cfg_t [ENTRIES-1:0]       d;
    logic [IW-1:0]            victim;

    function automatic logic match(int e, logic [31:0] sid, logic ssv, logic [19:0] ssid);
        return v[e] && t_sid[e] == sid && t_ssv[e] == ssv && (!ssv || t_ssid[e] == ssid);
    endfunction

    // hi[e]: VA page bits at or above the input size 2^(64-T0SZ) of entry e, computed once
    // at fill. Cached CDs have T0SZ 16..39 (the walker faults others), so the range ends
    // above bit 12 and at most at bit 48.
    logic [ENTRIES-1:0][VAW-1:12] hi;

    always_comb begin
        for (int e = 0; e < ENTRIES; e++) ent_asid[e] = d[e].asid;
        for (int p = 0; p < NPORT; p++) begin
            logic ok;
            sel_cfg[p] = '0;
            ok = 1'b0;
            for (int e = 0; e < ENTRIES; e++) begin
                lk_oh[p][e] = match(e, lk_sid[p], lk_ssv[p], lk_ssid[p]);
                sel_cfg[p] = sel_cfg[p] | (d[e] & {$bits(cfg_t){sel_oh[p][e]}});
                ok = ok | (lk_oh[p][e] && (lk_va[p] & hi[e]) == '0);
            end
            lk_va_ok[p] = ok;
        end
    end

    // one fill per cycle, lowest index first. The chosen fill is registered (f_*) and
    // written from there in the next cycle (see smmu_iotlb: the same reasons), dropped
    // when any invalidation arrives in its cycle or when its key is already present.
    logic fill_sel_v;
    localparam int FW = (NFILL > 1) ? $clog2(NFILL) : 1;   // fill port index
    logic [FW-1:0] fill_sel;
    logic fill_dup;
    always_comb begin
        fill_sel_v = 1'b0;
        fill_sel = '0;
        fill_ready = '0;
        for (int f = NFILL - 1; f >= 0; f--)
            if (fill_valid[f]) begin
                fill_sel_v = 1'b1;
                fill_sel = FW'(f);
            end
        if (fill_sel_v) fill_ready[fill_sel] = 1'b1;
    end
    logic        f_v, f_ssv;
    logic [31:0] f_sid;
    logic [19:0] f_ssid;
    cfg_t        f_cfg;
    always_ff @(posedge clk) begin
        f_v <= !rst && fill_sel_v;
        f_sid <= fill_sid[fill_sel];
        f_ssv <= fill_ssv[fill_sel];
        f_ssid <= fill_ssv[fill_sel] ? fill_ssid[fill_sel] : 20'd0;
        f_cfg <= fill_cfg[fill_sel];
    end
    always_comb begin
        fill_dup = inv_all || inv_sid || inv_sid_ssid;
        for (int e = 0; e < ENTRIES; e++)
            if (match(e, f_sid, f_ssv, f_ssid)) fill_dup = 1'b1;
    end

    // entries invalidated at the coming edge
    logic [ENTRIES-1:0] inv_hit;
    always_comb
        for (int e = 0; e < ENTRIES; e++)
            inv_hit[e] = inv_all || (inv_sid && ((t_sid[e] ^ inv_sid_v) & inv_sid_mask) == '0) ||
                         (inv_sid_ssid && t_sid[e] == inv_sid_v &&
                          (t_ssv[e] ? t_ssid[e] == inv_ssid_v : inv_ssid_v == '0));
    // the victim counts as changed by any fill, also a dropped duplicate (spares the
    // duplicate compare on this path; a registered match to it just becomes a miss)
    always_comb
        for (int e = 0; e < ENTRIES; e++)
            ent_chg[e] = inv_hit[e] || (f_v && int'(victim) == e);

    always_ff @(posedge clk) begin
        if (rst) begin
            v <= '0;
            victim <= '0;
        end else begin
            if (f_v && !fill_dup) begin
                v[victim] <= 1'b1;
                t_sid[victim] <= f_sid;
                t_ssv[victim] <= f_ssv;
                t_ssid[victim] <= f_ssid;
                d[victim] <= f_cfg;
                hi[victim] <= ~((VAW-12)'((VAW'(1) << (7'd64 - 7'(f_cfg.t0sz))) - VAW'(1) >> 12));
                victim <= (int'(victim) == ENTRIES - 1) ? '0 : victim + IW'(1);
            end
            // invalidation wins over a same-cycle fill of the same entry
            for (int e = 0; e < ENTRIES; e++)
                if (inv_hit[e]) v[e] <= 1'b0;
        end
    end
endmodule
