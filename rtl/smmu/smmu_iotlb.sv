// smmu_iotlb: stage-1 IOTLB tagged by ASID. Fully associative; each entry maps one 4 KB
// page, 2 MB block or 1 GB block at its own size, so a lookup matches the VA bits above
// the entry's size. Entries are shared by every stream/PASID whose CD carries the same
// ASID and never serve another ASID. Lookups combinational (one per port); one fill per
// cycle (lowest port wins); FIFO replacement.
// Timing (the device channels' hit path):
//  - Ports below NXP do not take an ASID: they take the one-hot configuration cache
//    match (lk_cfg_oh) and compare each entry's ASID with every cache entry's ASID
//    (cfg_asid), a comparison of registers only. So the cache lookup and the VA compare
//    run side by side instead of one after the other. Ports NXP.. take lk_asid (the
//    walkers' port, which smmu_top shares among them: each port costs a compare and a
//    select per entry).
//  - Ports below NXP are also split in two (smmu_xlate registers between them): lk_oh is
//    the match; lk_hit/lk_pa/lk_size/lk_perm select the entries in sel_oh (a registered
//    lk_oh), and lk_pa is then the mapping's base (the caller ORs in the VA bits below
//    the size, it holds the VA). ent_chg marks the entries written or invalidated at the
//    coming clock edge, so that a registered match to them is dropped before it is used.
//    Ports NXP.. select their own match in the same cycle (sel_oh unused).
//  - A fill is dropped when an entry of its ASID already overlaps it (any size), so a
//    lookup matches at most one entry and the outputs are one-hot AND-OR selects
//    instead of priority chains.
// Invalidation inputs, driven by the command queue (smmu_cmdq), with the TLBI semantics
// of the golden model: inv_all (TLBI_NH_ALL, TLBI_NSNH_ALL), inv_asid (TLBI_NH_ASID:
// non-global entries of the ASID), inv_va (TLBI_NH_VA: entries of the ASID, or global
// ones, that map the VA). A global (nG=0) leaf is still looked up under the ASID that
// filled it, which is only stricter than sharing it.
module smmu_iotlb #(
    parameter int ENTRIES = 16,
    parameter int NPORT   = 2,
    parameter int NXP     = 0,     // ports 0..NXP-1 match the ASID through lk_cfg_oh
    parameter int NCFG    = 1,     // configuration cache entries (lk_cfg_oh, cfg_asid)
    parameter int NFILL   = 2
) (
    input  logic                                  clk,
    input  logic                                  rst,

    input  logic [NPORT-1:0][15:0]                lk_asid,   // ports NXP..
    input  logic [NPORT-1:0][NCFG-1:0]            lk_cfg_oh, // ports ..NXP-1
    input  logic [NCFG-1:0][15:0]                 cfg_asid,
    input  logic [NPORT-1:0][smmu_pkg::VAW-1:12]  lk_va,
    output logic [NPORT-1:0][ENTRIES-1:0]         lk_oh,     // the match (one-hot)
    input  logic [NPORT-1:0][ENTRIES-1:0]         sel_oh,    // ports ..NXP-1: what to select
    output logic [ENTRIES-1:0]                    ent_chg,
    output logic [NPORT-1:0]                      lk_hit,
    output logic [NPORT-1:0][smmu_pkg::PAW-1:12]  lk_pa,     // page of the looked-up VA
    output logic [NPORT-1:0][1:0]                 lk_size,
    output smmu_pkg::perm_t [NPORT-1:0]           lk_perm,

    input  logic [NFILL-1:0]                      fill_valid,
    output logic [NFILL-1:0]                      fill_ready,
    input  logic [NFILL-1:0][15:0]                fill_asid,
    input  logic [NFILL-1:0][smmu_pkg::VAW-1:12]  fill_va,
    input  logic [NFILL-1:0][smmu_pkg::PAW-1:12]  fill_pa,   // output base of the mapping
    input  logic [NFILL-1:0][1:0]                 fill_size,
    input  smmu_pkg::perm_t [NFILL-1:0]           fill_perm,
    input  logic [NFILL-1:0]                      fill_glob,  // leaf nG=0

    input  logic                                  inv_all,
    input  logic                                  inv_asid,     // every entry of inv_asid_v
    input  logic                                  inv_va,       // entries of inv_asid_v covering inv_va_v
    input  logic [15:0]                           inv_asid_v,
    input  logic [smmu_pkg::VAW-1:12]             inv_va_v
);
    import smmu_pkg::*;
    localparam int IW = (ENTRIES > 1) ? $clog2(ENTRIES) : 1;

    logic [ENTRIES-1:0]              v;
    logic [ENTRIES-1:0][15:0]        t_asid;
    logic [ENTRIES-1:0][VAW-1:12]    t_va;      // masked to the entry's size
    logic [ENTRIES-1:0][PAW-1:12]    t_pa;      // masked to the entry's size
    logic [ENTRIES-1:0][1:0]         t_size;
    perm_t [ENTRIES-1:0]             t_perm;
    logic [ENTRIES-1:0]              t_glob;
    logic [IW-1:0]                   victim;

    // VA page bits that select within an entry of this size
    function automatic logic [VAW-1:12] low_mask(logic [1:0] sz);
        case (sz)
            SZ_2M: return (VAW-12)'(9'h1FF);
            SZ_1G: return (VAW-12)'(18'h3FFFF);
            default: return '0;
        endcase
    endfunction

    function automatic logic va_match(int e, logic [VAW-1:12] va);
        return ((t_va[e] ^ va) & ~low_mask(t_size[e])) == '0;
    endfunction

    // asid_eq[e][c]: IOTLB entry e and cache entry c carry the same ASID (registers only)
    logic [ENTRIES-1:0][NCFG-1:0] asid_eq;
    always_comb
        for (int e = 0; e < ENTRIES; e++)
            for (int c = 0; c < NCFG; c++) asid_eq[e][c] = t_asid[e] == cfg_asid[c];

    logic [NPORT-1:0][ENTRIES-1:0] hit_oh;   // at most one bit set (fills never overlap)
    always_comb
        for (int p = 0; p < NPORT; p++)
            for (int e = 0; e < ENTRIES; e++)
                hit_oh[p][e] = v[e] && va_match(e, lk_va[p]) &&
                               (p < NXP ? (lk_cfg_oh[p] & asid_eq[e]) != '0
                                        : t_asid[e] == lk_asid[p]);

    assign lk_oh = hit_oh;
    always_comb begin
        for (int p = 0; p < NPORT; p++) begin
            logic [PAW-1:12] pa;
            logic [1:0] sz;
            logic [ENTRIES-1:0] oh;
            oh = p < NXP ? sel_oh[p] : hit_oh[p];
            pa = '0;
            sz = '0;
            lk_perm[p] = '0;
            for (int e = 0; e < ENTRIES; e++) begin
                pa = pa | (t_pa[e] & {(PAW-12){oh[e]}});
                sz = sz | (t_size[e] & {2{oh[e]}});
                lk_perm[p] = lk_perm[p] | (t_perm[e] & {4{oh[e]}});
            end
            lk_hit[p] = oh != '0;
            lk_size[p] = sz;
            lk_pa[p] = p < NXP ? pa : pa | (PAW-12)'(lk_va[p] & low_mask(sz));
        end
    end
    // lk_asid of the NXP ports and lk_cfg_oh of the others are not looked at
    if (NXP > 0) begin : g_nxp
        wire unused_asid = &{1'b0, lk_asid[NXP-1:0]};
    end
    if (NXP < NPORT) begin : g_np
        wire unused_oh = &{1'b0, lk_cfg_oh[NPORT-1:NXP], sel_oh[NPORT-1:NXP]};
    end

    // Fill: the chosen fill port's entry is registered (f_*) and written from there in the
    // next cycle, so the fill ports' select and the overlap compare are not one path from
    // the walkers into every entry. The register is emptied every cycle, so fill_ready
    // only reflects the priority. A registered fill is dropped when any invalidation
    // arrives in its cycle (it may come from the tables being invalidated), and when a
    // valid entry of the same ASID overlaps the mapping at either size (a same-key
    // refill from a concurrent walk, or a stale overlap that only an invalidation can
    // resolve), so lookups stay one-hot.
    logic fill_sel_v, fill_dup;
    localparam int FW = (NFILL > 1) ? $clog2(NFILL) : 1;   // fill port index
    logic [FW-1:0] fill_sel;
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
    logic            f_v, f_glob;
    logic [15:0]     f_asid;
    logic [VAW-1:12] f_va;
    logic [PAW-1:12] f_pa;
    logic [1:0]      f_size;
    perm_t           f_perm;
    always_ff @(posedge clk) begin
        f_v <= !rst && fill_sel_v;
        f_asid <= fill_asid[fill_sel];
        f_va <= fill_va[fill_sel] & ~low_mask(fill_size[fill_sel]);
        f_pa <= fill_pa[fill_sel] & ~(PAW-12)'(low_mask(fill_size[fill_sel]));
        f_size <= fill_size[fill_sel];
        f_perm <= fill_perm[fill_sel];
        f_glob <= fill_glob[fill_sel];
    end
    always_comb begin
        fill_dup = inv_all || inv_asid || inv_va;
        for (int e = 0; e < ENTRIES; e++)
            if (v[e] && t_asid[e] == f_asid &&
                ((t_va[e] ^ f_va) & ~low_mask(t_size[e]) & ~low_mask(f_size)) == '0)
                fill_dup = 1'b1;
    end

    logic [ENTRIES-1:0] inv_hit;   // entries invalidated at the coming edge
    always_comb
        for (int e = 0; e < ENTRIES; e++)
            inv_hit[e] = inv_all || (inv_asid && !t_glob[e] && t_asid[e] == inv_asid_v) ||
                         (inv_va && v[e] && (t_glob[e] || t_asid[e] == inv_asid_v) &&
                          ((t_va[e] ^ inv_va_v) & ~low_mask(t_size[e])) == '0);
    // the victim counts as changed by any fill, also a dropped one (keeps the overlap
    // compare off this path; a registered match to it just becomes a miss)
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
                t_asid[victim] <= f_asid;
                t_va[victim] <= f_va;
                t_pa[victim] <= f_pa;
                t_size[victim] <= f_size;
                t_perm[victim] <= f_perm;
                t_glob[victim] <= f_glob;
                victim <= (int'(victim) == ENTRIES - 1) ? '0 : victim + IW'(1);
            end
            for (int e = 0; e < ENTRIES; e++)
                if (inv_hit[e]) v[e] <= 1'b0;
        end
    end
endmodule
