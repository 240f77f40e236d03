// smmu_utlb: a channel's micro-TLB, a few finished decisions in front of the IOTLB.
// An entry is a key (StreamID, SSV, SSID, 4 KB VA page, the access kind bits that the
// permission check reads) and what the full lookup decided for it: a pass to this
// output page. So a hit needs only a compare of the key, a select of the page, no
// configuration, ASID or permission logic: the short path that keeps an IOTLB hit at one
// added cycle (smmu_xlate, docs/smmu.md "Micro-TLB") while the full lookup behind it may
// take more stages.
// Only the full lookup's own hits fill it (smmu_xlate), never a walk's result, and any
// invalidation command or SMMUEN flush empties it (clr): entries are never newer than
// the IOTLB and configuration cache they come from, and invalidation needs no compare.
//  - lk_oh: the key's match, one-hot (a fill that duplicates a valid key is dropped).
//  - sel_oh -> sel_data: the caller registers lk_oh and selects in the next cycle.
//  - ent_chg: entries emptied or overwritten at the coming edge, so that a registered
//    match to them is dropped before it selects (as the caches' ent_chg).
//  - fill: registered here, written in the next cycle to the FIFO victim unless a valid
//    entry has its key or clr arrives in either cycle.
module smmu_utlb #(
    parameter int ENTRIES = 4,
    parameter int KW      = 8,    // key bits
    parameter int DW      = 8     // data bits
) (
    input  logic                           clk,
    input  logic                           rst,
    input  logic                           clr,

    input  logic [KW-1:0]                  lk_key,
    output logic [ENTRIES-1:0]             lk_oh,
    input  logic [ENTRIES-1:0]             sel_oh,
    output logic [DW-1:0]                  sel_data,
    output logic [ENTRIES-1:0]             ent_chg,

    input  logic                           fill_valid,
    input  logic [KW-1:0]                  fill_key,
    input  logic [DW-1:0]                  fill_data
);
    localparam int IW = (ENTRIES > 1) ? $clog2(ENTRIES) : 1;

    logic [ENTRIES-1:0]         v;
    logic [ENTRIES-1:0][KW-1:0] t_key;
    logic [ENTRIES-1:0][DW-1:0] t_data;
    logic [IW-1:0]              victim;

    always_comb
        for (int e = 0; e < ENTRIES; e++) lk_oh[e] = v[e] && t_key[e] == lk_key;

    always_comb begin
        sel_data = '0;
        for (int e = 0; e < ENTRIES; e++) sel_data = sel_data | (t_data[e] & {DW{sel_oh[e]}});
    end

    logic          f_v, f_dup;
    logic [KW-1:0] f_key;
    logic [DW-1:0] f_data;
    always_ff @(posedge clk) begin
        f_v <= !rst && !clr && fill_valid;
        f_key <= fill_key;
        f_data <= fill_data;
    end
    always_comb begin
        f_dup = 1'b0;
        for (int e = 0; e < ENTRIES; e++) if (v[e] && t_key[e] == f_key) f_dup = 1'b1;
    end
    wire f_we = f_v && !f_dup && !clr;

    // the victim counts as changed by any registered fill, also a dropped one (keeps the
    // duplicate compare off this path; a registered match to it just becomes a miss)
    always_comb
        for (int e = 0; e < ENTRIES; e++) ent_chg[e] = clr || (f_v && int'(victim) == e);

    always_ff @(posedge clk) begin
        if (rst || clr) v <= '0;
        else if (f_we) v[victim] <= 1'b1;
        if (rst) victim <= '0;
        else if (f_we) victim <= (int'(victim) == ENTRIES - 1) ? '0 : victim + IW'(1);
        if (f_we) begin
            t_key[victim] <= f_key;
            t_data[victim] <= f_data;
        end
    end
endmodule
