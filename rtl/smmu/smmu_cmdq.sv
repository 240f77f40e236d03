// smmu_cmdq: command queue consumer. While CMDQEN=1 and no command-queue error is active,
// reads the 16-byte command at CMDQ_BASE + index*16 (one 2-dword read), executes it and
// advances CMDQ_CONS (index + wrap bit at LOG2SIZE; ERR cleared), one command at a time:
//  - CFGI_* / TLBI_*: a one-cycle pulse on the invalidation outputs (config cache, IOTLB);
//    the caches drop the entries at the next clock edge, and smmu_top also drops fills of
//    walks that were under way (they may have read the old tables).
//  - PREFETCH_CONFIG: a hint, no effect. RESUME: a one-cycle pulse to the walkers
//    (resume_*); a RESUME that matches no stalled transaction has no effect.
//  - CMD_SYNC: holds new device transactions off (sync_hold) until every transaction
//    accepted before it has completed at the device port and the event writer is idle
//    (sync_idle), then signals completion per CS: NONE (CMDQ_CONS moves past it), IRQ (a
//    one-cycle pulse on irq_sync and, with MSI=1 and MSIADDR != 0, a 32-bit write of
//    MSIDATA to MSIADDR; a failed write toggles GERROR.MSI_CMDQ_ABT_ERR), SEV (as NONE).
//  - An unknown opcode or a malformed command (TLBI_NH_VA with NUM/SCALE/TG != 0, since
//    IDR3.RIL=0; CMD_SYNC CS=0b11; RESUME with the reserved response 0b11) stops the
//    queue: CMDQ_CONS keeps pointing at it with ERR=CERROR_ILL and GERROR.CMDQ_ERR
//    toggles. A read error does the same with CERROR_ABT. Consumption resumes once
//    software acknowledges through GERRORN.
// `busy` is high while a command is between fetch and retirement (smmu_regs holds CR0ACK).
module smmu_cmdq #(
    parameter int DATA_WIDTH = 64,
    parameter int OAS_BITS   = 48,
    parameter bit MSI        = 1'b0
) (
    input  logic                     clk,
    input  logic                     rst,

    input  logic                     cmdqen,
    input  logic [smmu_pkg::PAW-1:0] cmdq_base,
    input  logic [4:0]               cmdq_log2size,
    input  logic [19:0]              cmdq_prod,
    input  logic [31:0]              cmdq_cons,
    output logic                     cmdq_cons_we,
    output logic [31:0]              cmdq_cons_wdata,
    input  logic                     err_active,     // GERROR.CMDQ_ERR != GERRORN.CMDQ_ERR
    output logic                     err_toggle,     // pulse: toggle GERROR.CMDQ_ERR
    output logic                     msi_err_toggle, // pulse: toggle GERROR.MSI_CMDQ_ABT_ERR
    output logic                     busy,

    // command reads (a walker-style read port of smmu_mem_arb)
    output logic                     ar_valid,
    input  logic                     ar_ready,
    output logic [smmu_pkg::PAW-1:0] ar_addr,
    output logic [7:0]               ar_len,
    input  logic                     r_valid,
    input  logic [DATA_WIDTH-1:0]    r_data,
    input  logic [1:0]               r_resp,
    input  logic                     r_last,

    // invalidation pulses
    output logic                     inv_cfg_all,
    output logic                     inv_cfg_sid,
    output logic                     inv_cfg_sid_ssid,
    output logic [31:0]              inv_sid,
    output logic [31:0]              inv_sid_mask,
    output logic [19:0]              inv_ssid,
    output logic                     inv_tlb_all,
    output logic                     inv_tlb_asid,
    output logic                     inv_tlb_va,
    output logic [15:0]              inv_asid,
    output logic [smmu_pkg::VAW-1:12] inv_va,

    // CMD_RESUME
    output logic                     resume_valid,
    output logic [31:0]              resume_sid,
    output logic [15:0]              resume_stag,
    output logic [1:0]               resume_resp,

    // CMD_SYNC
    output logic                     sync_hold,      // accept no new device transaction
    input  logic                     sync_idle,      // nothing accepted is outstanding
    output logic                     irq_sync,       // pulse

    // MSI write (one 32-bit write; smmu_top arbitrates it with the event writer)
    output logic                     msi_valid,
    output logic [smmu_pkg::PAW-1:0] msi_addr,
    output logic [31:0]              msi_data,
    input  logic                     msi_done,       // write response
    input  logic                     msi_resp_err
);
    import smmu_pkg::*;
    localparam int LANES = DATA_WIDTH / 64;
    localparam int LW = (LANES > 1) ? $clog2(LANES) : 1;

    typedef enum logic [2:0] { S_IDLE, S_AR, S_R, S_EXEC, S_SYNC, S_MSI, S_NEXT, S_ERR } state_t;
    state_t st;

    logic [63:0] d0, d1;
    logic        beat, rerr;
    logic [6:0]  cerror;

    // ------------------------------------------------------------ queue pointers
    logic [19:0] wmask, imask, cons_p, prod_p;
    // registered: LOG2SIZE is static while the queue is in use, and the masks would
    // otherwise start every pointer compare and address in the whole SMMU
    always_ff @(posedge clk) begin
        wmask <= (20'd2 << cmdq_log2size) - 20'd1;   // index + wrap
        imask <= (20'd1 << cmdq_log2size) - 20'd1;   // index
    end
    assign cons_p = cmdq_cons[19:0] & wmask;
    assign prod_p = cmdq_prod & wmask;
    wire empty = cons_p == prod_p;

    assign busy = st != S_IDLE;
    assign ar_valid = st == S_AR;
    assign ar_addr = cmdq_base + (PAW'(cons_p & imask) << 4);
    assign ar_len = 8'd1;
    wire [LW-1:0] lane = (LANES > 1) ? LW'((ar_addr >> 3) + PAW'(beat)) : '0;

    // ------------------------------------------------------------ decode
    wire [7:0]  op = d0[7:0];
    wire [1:0]  cs = d0[CMD0_CS +: 2];
    wire [1:0]  tg = d1[CMD1_TG +: 2];
    wire        range_all = d1[CMD1_RANGE +: 5] == 5'd31;
    logic legal;
    always_comb begin
        case (op)
            CMD_PREFETCH_CONFIG, CMD_CFGI_STE, CMD_CFGI_ALL, CMD_CFGI_CD, CMD_CFGI_CD_ALL,
            CMD_TLBI_NH_ALL, CMD_TLBI_NH_ASID, CMD_TLBI_NSNH_ALL: legal = 1'b1;
            // IDR3.RIL=0: no range invalidation, so the range fields must be zero
            CMD_TLBI_NH_VA: legal = d0[CMD0_NUM +: 5] == '0 && d0[CMD0_SCALE +: 5] == '0 &&
                                    tg == 2'b00;
            CMD_RESUME: legal = d0[CMD0_CS +: 2] != 2'b11;          // RESP 0b11 reserved
            CMD_SYNC: legal = cs != 2'b11;                          // CS 0b11 reserved
            default: legal = 1'b0;                                  // incl. TLBI_EL2_ALL (HYP=0)
        endcase
    end

    // CFGI_STE_RANGE covers 2^(Range+1) StreamIDs aligned to their size
    function automatic logic [31:0] range_mask(logic [4:0] r);
        return ~((32'd2 << r) - 32'd1);
    endfunction

    wire [31:0] msiaddr_lo = {d1[31:CMD1_MSIADDR], 2'b00};
    wire        msi_wanted = MSI && cs == SYNC_CS_IRQ && {d1[51:32], msiaddr_lo} != '0;

    // ------------------------------------------------------------ retire / error (combinational
    // so that smmu_regs holds the new CMDQ_CONS / GERROR when the FSM is back in S_IDLE)
    logic [19:0] cons_inc;
    assign cons_inc = (cons_p + 20'd1) & wmask;
    assign cmdq_cons_we = st == S_NEXT || st == S_ERR;
    assign cmdq_cons_wdata = (st == S_ERR) ? {1'b0, cerror, 4'b0, cons_p} : {12'b0, cons_inc};
    assign err_toggle = st == S_ERR;

    assign sync_hold = st == S_SYNC;
    assign msi_valid = st == S_MSI;
    assign msi_addr = PAW'({d1[51:32], msiaddr_lo});
    assign msi_data = d0[CMD0_MSIDATA +: 32];

    always_ff @(posedge clk) begin
        if (rst) begin
            st <= S_IDLE;
            beat <= 1'b0;
            rerr <= 1'b0;
            cerror <= CERROR_NONE;
            {inv_cfg_all, inv_cfg_sid, inv_cfg_sid_ssid, inv_tlb_all, inv_tlb_asid, inv_tlb_va}
                <= '0;
            irq_sync <= 1'b0;
            msi_err_toggle <= 1'b0;
            resume_valid <= 1'b0;
        end else begin
            resume_valid <= 1'b0;
            {inv_cfg_all, inv_cfg_sid, inv_cfg_sid_ssid, inv_tlb_all, inv_tlb_asid, inv_tlb_va}
                <= '0;
            irq_sync <= 1'b0;
            msi_err_toggle <= 1'b0;
            case (st)
                S_IDLE: if (cmdqen && !err_active && !empty) begin
                    st <= S_AR;
                    beat <= 1'b0;
                    rerr <= 1'b0;
                end
                S_AR: if (ar_ready) st <= S_R;
                S_R: if (r_valid) begin
                    if (beat) d1 <= r_data[64*lane +: 64];
                    else d0 <= r_data[64*lane +: 64];
                    beat <= 1'b1;
                    if (r_resp[1]) rerr <= 1'b1;
                    if (r_last) st <= S_EXEC;
                end
                S_EXEC: begin
                    inv_sid <= d0[CMD0_SID +: 32];
                    inv_sid_mask <= '1;
                    inv_ssid <= d0[CMD0_SSID +: 20];
                    inv_asid <= d0[CMD0_ASID +: 16];
                    inv_va <= d1[VAW-1:CMD1_VA];
                    resume_sid <= d0[CMD0_SID +: 32];
                    resume_stag <= d1[15:0];
                    resume_resp <= d0[CMD0_CS +: 2];
                    if (rerr) begin
                        cerror <= CERROR_ABT;
                        st <= S_ERR;
                    end else if (!legal) begin
                        cerror <= CERROR_ILL;
                        st <= S_ERR;
                    end else begin
                        st <= S_NEXT;
                        case (op)
                            CMD_CFGI_STE, CMD_CFGI_CD_ALL: inv_cfg_sid <= 1'b1;
                            CMD_CFGI_ALL: begin
                                if (range_all) inv_cfg_all <= 1'b1;
                                else begin
                                    inv_cfg_sid <= 1'b1;
                                    inv_sid_mask <= range_mask(d1[CMD1_RANGE +: 5]);
                                end
                            end
                            CMD_CFGI_CD: inv_cfg_sid_ssid <= 1'b1;
                            CMD_TLBI_NH_ALL, CMD_TLBI_NSNH_ALL: inv_tlb_all <= 1'b1;
                            CMD_TLBI_NH_ASID: inv_tlb_asid <= 1'b1;
                            CMD_TLBI_NH_VA: inv_tlb_va <= 1'b1;
                            CMD_SYNC: st <= S_SYNC;
                            CMD_RESUME: resume_valid <= 1'b1;
                            default: ;   // PREFETCH_CONFIG
                        endcase
                    end
                end
                // the invalidation pulse of a preceding command has taken effect by now
                S_SYNC: if (sync_idle) begin
                    if (cs == SYNC_CS_IRQ) irq_sync <= 1'b1;
                    st <= msi_wanted ? S_MSI : S_NEXT;
                end
                S_MSI: if (msi_done) begin
                    if (msi_resp_err) msi_err_toggle <= 1'b1;
                    st <= S_NEXT;
                end
                S_NEXT, S_ERR: st <= S_IDLE;
                default: st <= S_IDLE;
            endcase
        end
    end

    wire unused_ok = &{1'b0, cmdq_cons[31:20], d0, d1, r_resp[0], OAS_BITS};

`ifndef SYNTHESIS
    // ------------------------------------------------------------ transaction trace
    // +trace=<prefix> -> <prefix>.<instance>.jsonl, one "cmd" record per command taken
    // (docs/debugging.md, "From the HDL").
    function automatic string cmd_name(logic [7:0] o);
        case (o)
            CMD_PREFETCH_CONFIG: return "PREFETCH_CONFIG";
            CMD_CFGI_STE: return "CFGI_STE";
            CMD_CFGI_ALL: return "CFGI_ALL";
            CMD_CFGI_CD: return "CFGI_CD";
            CMD_CFGI_CD_ALL: return "CFGI_CD_ALL";
            CMD_TLBI_NH_ALL: return "TLBI_NH_ALL";
            CMD_TLBI_NH_ASID: return "TLBI_NH_ASID";
            CMD_TLBI_NH_VA: return "TLBI_NH_VA";
            CMD_TLBI_NSNH_ALL: return "TLBI_NSNH_ALL";
            CMD_RESUME: return "RESUME";
            CMD_SYNC: return "SYNC";
            default: return $sformatf("CMD_0x%02x", o);
        endcase
    endfunction
    // the opcode's fields, named as in pasidsim.smmuv3.CMD_LAYOUT
    function automatic string cmd_fields(logic [7:0] o, logic [63:11] w0, logic [63:0] w1);
        case (o)
            CMD_PREFETCH_CONFIG: return $sformatf("{\"ssv\":%0d,\"ssid\":%0d,\"sid\":%0d}",
                                                  w0[11], w0[31:12], w0[63:32]);
            CMD_CFGI_STE: return $sformatf("{\"sid\":%0d,\"leaf\":%0d}", w0[63:32], w1[0]);
            CMD_CFGI_ALL: return $sformatf("{\"sid\":%0d,\"range\":%0d}", w0[63:32], w1[4:0]);
            CMD_CFGI_CD: return $sformatf("{\"ssid\":%0d,\"sid\":%0d,\"leaf\":%0d}",
                                          w0[31:12], w0[63:32], w1[0]);
            CMD_CFGI_CD_ALL: return $sformatf("{\"sid\":%0d}", w0[63:32]);
            CMD_TLBI_NH_ASID: return $sformatf("{\"vmid\":%0d,\"asid\":%0d}", w0[47:32],
                                               w0[63:48]);
            CMD_TLBI_NH_VA: return $sformatf("{\"asid\":%0d,\"leaf\":%0d,\"va\":%0d}",
                                             w0[63:48], w1[0], {w1[63:12], 12'b0});
            CMD_RESUME: return $sformatf("{\"resp\":%0d,\"sid\":%0d,\"stag\":%0d}", w0[13:12],
                                         w0[63:32], w1[15:0]);
            CMD_SYNC: return $sformatf("{\"cs\":%0d,\"msidata\":%0d,\"msiaddr\":%0d}",
                                       w0[13:12], w0[63:32], {w1[51:2], 2'b00});
            default: return "{}";
        endcase
    endfunction
    function automatic string tr_error(logic abt, logic ok);
        string e;        // (a string: a ?: of literals would pad "" to the other's width)
        e = "";
        if (abt) e = ",\"error\":\"ABT\"";
        else if (!ok) e = ",\"error\":\"ILL\"";
        return e;
    endfunction
    int trace_fd = 0;
    initial begin : trace_open
        string prefix;
        if ($value$plusargs("trace=%s", prefix))
            trace_fd = $fopen($sformatf("%s.%m.jsonl", prefix), "w");
    end
    final if (trace_fd != 0) $fclose(trace_fd);
    always_ff @(posedge clk)
        // a command that stops the queue gets a record too, with "error" (CERROR_ILL: ILL,
        // CERROR_ABT: ABT; the opcode of an ABT command is whatever was read)
        if (trace_fd != 0 && !rst && st == S_EXEC)
            $fwrite(trace_fd, "{\"kind\":\"cmd\",\"t\":%0d,\"opcode\":%0d,\"name\":\"%s\",\"fields\":%s,\"index\":%0d%s,\"src\":\"rtl\"}\n",
                    $time, op, cmd_name(op),
                    (rerr || !legal) ? "{}" : cmd_fields(op, d0[63:11], d1), cons_p & imask,
                    tr_error(rerr, legal));
`endif
endmodule
