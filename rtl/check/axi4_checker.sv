// Simulation-only AXI4 protocol checker (attach with `bind`, see checkers_*.sv).
// Channel rules (axi_chan_check) on AW, W, B, AR, R: VALID_HELD, PAYLOAD_STABLE, VALID_KNOWN.
// Burst and ordering rules (W bursts follow AW order; R bursts of one ID follow its AR order):
//   WLAST_BEAT       WLAST on beat AWLEN+1 of the burst, on no other beat
//   B_AFTER_AW_WLAST BVALID only for an ID with an accepted AW, and only after as many WLAST
//                    handshakes as B responses so far plus one (earlier edges)
//   R_AFTER_AR       RVALID only for an ID with a read outstanding (AR at an earlier edge)
//   RLAST_BEAT       RLAST on beat ARLEN+1 of the oldest outstanding read of that ID
//   TRACK_DEPTH      more writes / reads in flight than the checker tracks (raise WR_DEPTH /
//                    RD_DEPTH; a checker limit, not a protocol rule)
module axi4_checker #(
    parameter string IF_NAME = "axi",
    parameter int    ID_W     = 4,
    parameter int    ADDR_W   = 48,
    parameter int    DATA_W   = 64,
    parameter int    USER_W   = 1,     // AxUSER bits (tie to 0 where the port has none)
    parameter int    WR_DEPTH = 64,    // writes tracked between AW and the end of its W burst
    parameter int    RD_DEPTH = 32     // reads outstanding per ID
) (
    input logic                clk,
    input logic                rst,
    input logic [ID_W-1:0]     awid,
    input logic [ADDR_W-1:0]   awaddr,
    input logic [7:0]          awlen,
    input logic [2:0]          awsize,
    input logic [1:0]          awburst,
    input logic                awlock,
    input logic [3:0]          awcache,
    input logic [2:0]          awprot,
    input logic [USER_W-1:0]   awuser,
    input logic                awvalid,
    input logic                awready,
    input logic [DATA_W-1:0]   wdata,
    input logic [DATA_W/8-1:0] wstrb,
    input logic                wlast,
    input logic                wvalid,
    input logic                wready,
    input logic [ID_W-1:0]     bid,
    input logic [1:0]          bresp,
    input logic                bvalid,
    input logic                bready,
    input logic [ID_W-1:0]     arid,
    input logic [ADDR_W-1:0]   araddr,
    input logic [7:0]          arlen,
    input logic [2:0]          arsize,
    input logic [1:0]          arburst,
    input logic                arlock,
    input logic [3:0]          arcache,
    input logic [2:0]          arprot,
    input logic [USER_W-1:0]   aruser,
    input logic                arvalid,
    input logic                arready,
    input logic [ID_W-1:0]     rid,
    input logic [DATA_W-1:0]   rdata,
    input logic [1:0]          rresp,
    input logic                rlast,
    input logic                rvalid,
    input logic                rready
);
`ifndef SYNTHESIS
    localparam int AW_W = ID_W + ADDR_W + 8 + 3 + 2 + 1 + 4 + 3 + USER_W;

    axi_chan_check #(.IF_NAME(IF_NAME), .CH("AW"), .W(AW_W)) u_aw (
        .clk, .rst, .valid(awvalid), .ready(awready),
        .payload({awid, awaddr, awlen, awsize, awburst, awlock, awcache, awprot, awuser}));
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("W"), .W(DATA_W + DATA_W / 8 + 1)) u_w (
        .clk, .rst, .valid(wvalid), .ready(wready), .payload({wdata, wstrb, wlast}));
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("B"), .W(ID_W + 2)) u_b (
        .clk, .rst, .valid(bvalid), .ready(bready), .payload({bid, bresp}));
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("AR"), .W(AW_W)) u_ar (
        .clk, .rst, .valid(arvalid), .ready(arready),
        .payload({arid, araddr, arlen, arsize, arburst, arlock, arcache, arprot, aruser}));
    axi_chan_check #(.IF_NAME(IF_NAME), .CH("R"), .W(ID_W + DATA_W + 2 + 1)) u_r (
        .clk, .rst, .valid(rvalid), .ready(rready), .payload({rid, rdata, rresp, rlast}));

    localparam int NID = 1 << ID_W;
    wire aw_hs = awvalid && awready;
    wire w_hs  = wvalid && wready;
    wire b_hs  = bvalid && bready;
    wire ar_hs = arvalid && arready;
    wire r_hs  = rvalid && rready;

    // ---- writes: the k-th W burst belongs to the k-th AW (AXI4 has no write interleaving)
    int unsigned n_aw, n_wl, n_b;       // AW, WLAST, B handshakes so far
    int unsigned wbeats;                // beats of the W burst in progress
    logic [7:0]  aw_len  [WR_DEPTH];    // AWLEN of AW k, at k % WR_DEPTH
    int unsigned wl_beats[WR_DEPTH];    // beat count of W burst k, at k % WR_DEPTH
    int unsigned aw_of[NID], b_of[NID]; // per ID: AWs accepted, Bs accepted

    // the AW of the W burst in progress, if known (accepted earlier or at this edge)
    wire        w_aw_known = (n_aw > n_wl) || (aw_hs && n_aw == n_wl);
    wire [7:0]  w_aw_len   = (n_aw > n_wl) ? aw_len[n_wl % WR_DEPTH] : awlen;
    wire [31:0] w_beat     = wbeats + 1;

    logic armed;   // checks start at the first reset
    axi_check_arm u_arm (.clk, .rst, .armed);

    always_ff @(posedge clk) begin
        if (rst) begin
            n_aw <= 0; n_wl <= 0; n_b <= 0; wbeats <= 0;
            for (int i = 0; i < NID; i++) begin aw_of[i] <= 0; b_of[i] <= 0; end
        end else begin
            if (aw_hs) begin
                aw_len[n_aw % WR_DEPTH] <= awlen;
                n_aw <= n_aw + 1;
                aw_of[awid] <= aw_of[awid] + 1;
            end
            if (w_hs) begin
                wbeats <= wlast ? 0 : w_beat;
                if (wlast) begin
                    wl_beats[n_wl % WR_DEPTH] <= w_beat;
                    n_wl <= n_wl + 1;
                end
            end
            if (b_hs) begin
                n_b <= n_b + 1;
                b_of[bid] <= b_of[bid] + 1;
            end
        end
    end

    always_ff @(posedge clk) begin
        if (armed && !rst) begin
            if (w_hs && w_aw_known)
                assert (wlast ? w_beat == 32'(w_aw_len) + 1 : w_beat < 32'(w_aw_len) + 1)
                    else $error("AXI checker %s W: WLAST=%0d on beat %0d of a burst with AWLEN=%0d (rule WLAST_BEAT)",
                                IF_NAME, wlast, w_beat, w_aw_len);
            if (aw_hs && n_wl > n_aw)  // its W burst finished before the AW
                assert (wl_beats[n_aw % WR_DEPTH] == 32'(awlen) + 1)
                    else $error("AXI checker %s W: burst of %0d beats (WLAST) for an AW with AWLEN=%0d (rule WLAST_BEAT)",
                                IF_NAME, wl_beats[n_aw % WR_DEPTH], awlen);
            if (bvalid)
                assert (aw_of[bid] > b_of[bid] && n_wl > n_b)
                    else $error("AXI checker %s B: BVALID for ID %0h before its AW and WLAST (%0d AW of that ID, %0d B of that ID; %0d WLAST, %0d B in all) (rule B_AFTER_AW_WLAST)",
                                IF_NAME, bid, aw_of[bid], b_of[bid], n_wl, n_b);
            if (aw_hs || w_hs)
                assert ((n_aw >= n_wl ? n_aw - n_wl : n_wl - n_aw) < WR_DEPTH)
                    else $error("AXI checker %s: more than %0d writes between AW and WLAST (rule TRACK_DEPTH)",
                                IF_NAME, WR_DEPTH);
        end
    end

    // ---- reads: R bursts of one ID return in its AR order
    logic [7:0]  ar_len [NID][RD_DEPTH];  // ARLEN per ID, at (AR count of that ID) % RD_DEPTH
    int unsigned ar_of[NID], rl_of[NID];  // per ID: ARs accepted, RLAST beats accepted
    int unsigned rbeats[NID];             // beats of the R burst in progress per ID
    wire [7:0]   r_len  = ar_len[rid][rl_of[rid] % RD_DEPTH];
    wire [31:0]  r_beat = rbeats[rid] + 1;

    always_ff @(posedge clk) begin
        if (rst) begin
            for (int i = 0; i < NID; i++) begin ar_of[i] <= 0; rl_of[i] <= 0; rbeats[i] <= 0; end
        end else begin
            if (ar_hs) begin
                ar_len[arid][ar_of[arid] % RD_DEPTH] <= arlen;
                ar_of[arid] <= ar_of[arid] + 1;
            end
            if (r_hs) begin
                rbeats[rid] <= rlast ? 0 : r_beat;
                if (rlast) rl_of[rid] <= rl_of[rid] + 1;
            end
        end
    end

    always_ff @(posedge clk) begin
        if (armed && !rst) begin
            if (rvalid)
                assert (ar_of[rid] > rl_of[rid])
                    else $error("AXI checker %s R: RVALID for ID %0h with no read of that ID outstanding (%0d AR, %0d RLAST) (rule R_AFTER_AR)",
                                IF_NAME, rid, ar_of[rid], rl_of[rid]);
            if (r_hs && ar_of[rid] > rl_of[rid])
                assert (rlast ? r_beat == 32'(r_len) + 1 : r_beat < 32'(r_len) + 1)
                    else $error("AXI checker %s R: RLAST=%0d on beat %0d of ID %0h's burst with ARLEN=%0d (rule RLAST_BEAT)",
                                IF_NAME, rlast, r_beat, rid, r_len);
            if (ar_hs)
                assert (ar_of[arid] - rl_of[arid] < RD_DEPTH)
                    else $error("AXI checker %s: more than %0d reads of ID %0h outstanding (rule TRACK_DEPTH)",
                                IF_NAME, RD_DEPTH, arid);
        end
    end
`endif
endmodule
