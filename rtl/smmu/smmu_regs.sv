// SMMU register block: the SMMUv3 programming interface (page 0 + page 1) on AXI4-Lite.
//
// Holds the software-visible state and hands the translation/queue logic plain
// control signals. Field layouts follow SMMUv3; the Python map in
// sw/pasidsim/regs.py is the reference for offsets and fields.
//  - CR0ACK / IRQ_CTRLACK follow CR0 / IRQ_CTRL one cycle later, unless the core
//    holds CR0 off with cr0_busy (it must finish in-flight work before acking).
//  - Base/config registers ignore writes while the unit using them is enabled
//    (a CONSTRAINED UNPREDICTABLE case in the architecture; ignoring is safe).
//  - Queue pointers owned by hardware (CMDQ_CONS, EVENTQ_PROD) take software
//    writes only while that queue is disabled.
//  - Unmapped offsets read zero and ignore writes; every access gets OKAY.
module smmu_regs #(
    parameter int SID_BITS  = 8,
    parameter int SSID_BITS = 8,
    parameter int OAS_BITS  = 48,   // physical address size (IDR5.OAS)
    parameter int CMDQS     = 8,    // max log2 entries of the command queue
    parameter int EVTQS     = 8,    // max log2 entries of the event queue
    parameter int STALL_MAX = 0,    // IDR5.STALL_MAX; 0 => stall model "terminate only"
    parameter bit CD2L      = 1'b1, // two-level CD tables supported
    parameter bit MSI       = 1'b0, // IDR0.MSI
    parameter bit GBPA_ABORT_RESET = 1'b0
) (
    input  logic        clk,
    input  logic        rst,

    // AXI4-Lite slave, 17-bit byte address (128 KiB window), 32-bit data
    input  logic [16:0] s_axil_awaddr,
    input  logic [2:0]  s_axil_awprot,
    input  logic        s_axil_awvalid,
    output logic        s_axil_awready,
    input  logic [31:0] s_axil_wdata,
    input  logic [3:0]  s_axil_wstrb,
    input  logic        s_axil_wvalid,
    output logic        s_axil_wready,
    output logic [1:0]  s_axil_bresp,
    output logic        s_axil_bvalid,
    input  logic        s_axil_bready,
    input  logic [16:0] s_axil_araddr,
    input  logic [2:0]  s_axil_arprot,
    input  logic        s_axil_arvalid,
    output logic        s_axil_arready,
    output logic [31:0] s_axil_rdata,
    output logic [1:0]  s_axil_rresp,
    output logic        s_axil_rvalid,
    input  logic        s_axil_rready,

    // acknowledged enables (CR0ACK) as seen by the core
    output logic        smmuen,
    output logic        evtqen,
    output logic        cmdqen,
    input  logic        cr0_busy,       // hold CR0ACK while the core drains
    output logic        gbpa_abort,
    output logic        recinvsid,      // CR2.RECINVSID (added by issue 3: C_BAD_STREAMID recording)

    output logic [OAS_BITS-1:0] strtab_base,   // byte address, 64-byte aligned
    output logic [5:0]  strtab_log2size,
    output logic [OAS_BITS-1:0] cmdq_base,     // byte address, 32-byte aligned
    output logic [4:0]  cmdq_log2size,
    output logic [19:0] cmdq_prod,
    output logic [31:0] cmdq_cons,
    input  logic        cmdq_cons_we,          // core updates RD / ERR
    input  logic [31:0] cmdq_cons_wdata,
    output logic [OAS_BITS-1:0] evtq_base,
    output logic [4:0]  evtq_log2size,
    output logic [31:0] evtq_cons,
    output logic [31:0] evtq_prod,
    input  logic        evtq_prod_we,          // core updates WR / OVFLG
    input  logic [31:0] evtq_prod_wdata,

    input  logic [8:0]  gerror_toggle,         // pulse: flip these GERROR bits
    output logic [8:0]  gerror_active,         // GERROR ^ GERRORN

    output logic        irq_gerror,            // level
    output logic        irq_evtq               // level: queue not empty
);
    localparam int PAW = OAS_BITS;

    // ------------------------------------------------------------- offsets
    localparam logic [16:0] A_IDR0 = 17'h00, A_IDR1 = 17'h04,
        A_IDR5 = 17'h14, A_IIDR = 17'h18, A_AIDR = 17'h1C,
        A_CR0 = 17'h20, A_CR0ACK = 17'h24, A_CR1 = 17'h28, A_CR2 = 17'h2C,
        A_GBPA = 17'h44,
        A_IRQ_CTRL = 17'h50, A_IRQ_CTRLACK = 17'h54, A_GERROR = 17'h60, A_GERRORN = 17'h64,
        A_STRTAB_BASE = 17'h80, A_STRTAB_BASE_HI = 17'h84, A_STRTAB_BASE_CFG = 17'h88,
        A_CMDQ_BASE = 17'h90, A_CMDQ_BASE_HI = 17'h94, A_CMDQ_PROD = 17'h98, A_CMDQ_CONS = 17'h9C,
        A_EVTQ_BASE = 17'hA0, A_EVTQ_BASE_HI = 17'hA4,
        A_EVTQ_PROD = 17'h100A8, A_EVTQ_CONS = 17'h100AC;

    // ------------------------------------------------------------- ID registers
    function automatic logic [2:0] oas_enc(int bits);
        case (bits)
            32: return 3'd0;  36: return 3'd1;  40: return 3'd2;  42: return 3'd3;
            44: return 3'd4;  48: return 3'd5;  default: return 3'd6;
        endcase
    endfunction

    localparam logic [1:0] STALL_MODEL = (STALL_MAX > 0) ? 2'b00 : 2'b01;
    localparam logic [31:0] IDR0_VAL = {3'b0, 2'b00 /*ST_LEVEL linear*/, 1'b0 /*TERM_MODEL*/,
        STALL_MODEL, 1'b0, 2'b10 /*TTENDIAN LE*/, 1'b0, CD2L, 1'b0 /*VMID16*/, 1'b0,
        1'b0 /*PRI*/, 1'b0, 1'b0 /*SEV*/, MSI, 1'b1 /*ASID16*/, 1'b0, 1'b0 /*ATS*/, 1'b0,
        1'b0, 2'b00 /*HTTU*/, 1'b0 /*BTM*/, 1'b0 /*COHACC*/, 2'b10 /*TTF AArch64*/,
        1'b1 /*S1P*/, 1'b0 /*S2P*/};
    localparam logic [31:0] IDR1_VAL = {6'b0, 5'(CMDQS), 5'(EVTQS), 5'd0 /*PRIQS*/,
        5'(SSID_BITS), 6'(SID_BITS)};
    localparam logic [31:0] IDR5_VAL = {16'(STALL_MAX), 4'b0, 2'b00 /*VAX*/, 3'b0,
        1'b0 /*64K*/, 1'b0 /*16K*/, 1'b1 /*4K*/, 1'b0, oas_enc(OAS_BITS)};
    localparam logic [31:0] IIDR_VAL = 32'h0010_0000;   // ProductID 1, variant/revision 0
    localparam logic [31:0] AIDR_VAL = 32'h0000_0000;   // SMMUv3.0

    // ------------------------------------------------------------- state
    logic [3:0]  cr0_q, cr0ack_q;        // {CMDQEN, EVTQEN, PRIQEN(RES0), SMMUEN}
    logic [11:0] cr1_q;
    logic [2:0]  cr2_q;
    logic [31:0] gbpa_q;
    logic [2:0]  irq_ctrl_q, irq_ctrlack_q;
    logic [8:0]  gerror_q, gerrorn_q;
    logic        strtab_ra_q;
    logic [PAW-1:6] strtab_addr_q;
    logic [5:0]  strtab_log2size_q;
    logic        cmdq_ra_q, evtq_wa_q;
    logic [PAW-1:5] cmdq_addr_q, evtq_addr_q;
    logic [4:0]  cmdq_log2size_q, evtq_log2size_q;
    logic [19:0] cmdq_prod_q;
    logic [31:0] cmdq_cons_q, evtq_prod_q, evtq_cons_q;

    assign smmuen = cr0ack_q[0];
    assign evtqen = cr0ack_q[2];
    assign cmdqen = cr0ack_q[3];
    assign gbpa_abort = gbpa_q[20];
    assign recinvsid = cr2_q[1];   // issue 3
    assign strtab_base = {strtab_addr_q, 6'b0};
    assign strtab_log2size = strtab_log2size_q;
    assign cmdq_base = {cmdq_addr_q, 5'b0};
    assign cmdq_log2size = cmdq_log2size_q;
    assign cmdq_prod = cmdq_prod_q;
    assign cmdq_cons = cmdq_cons_q;
    assign evtq_base = {evtq_addr_q, 5'b0};
    assign evtq_log2size = evtq_log2size_q;
    assign evtq_cons = evtq_cons_q;
    assign evtq_prod = evtq_prod_q;
    assign gerror_active = gerror_q ^ gerrorn_q;

    // Event queue is non-empty when PROD and CONS differ in index or wrap.
    logic [19:0] evtq_ptr_mask;  // index + wrap bit
    assign evtq_ptr_mask = (20'(2) << evtq_log2size_q) - 20'd1;
    assign irq_evtq = irq_ctrlack_q[2] && evtqen &&
        ((evtq_prod_q[19:0] & evtq_ptr_mask) != (evtq_cons_q[19:0] & evtq_ptr_mask));
    assign irq_gerror = irq_ctrlack_q[0] && (gerror_active != '0);

    // ------------------------------------------------------------- AXI-Lite write
    logic        aw_held, w_held;
    logic [16:0] aw_addr;
    logic [31:0] w_data;
    logic [3:0]  w_strb;
    wire         do_write = aw_held && w_held && !s_axil_bvalid;

    assign s_axil_awready = !aw_held;
    assign s_axil_wready  = !w_held;
    assign s_axil_bresp   = 2'b00;

    // byte-enable merge of a 32-bit register
    function automatic logic [31:0] merge(logic [31:0] old, logic [31:0] data, logic [3:0] strb);
        logic [31:0] r;
        for (int i = 0; i < 4; i++) r[i*8 +: 8] = strb[i] ? data[i*8 +: 8] : old[i*8 +: 8];
        return r;
    endfunction

    // low/high 32-bit halves of the 64-bit base registers as software sees them
    logic [63:0] strtab_base_reg, cmdq_base_reg, evtq_base_reg;
    assign strtab_base_reg = {1'b0, strtab_ra_q, 10'b0, {(52-PAW){1'b0}}, strtab_addr_q, 6'b0};
    assign cmdq_base_reg   = {1'b0, cmdq_ra_q, 10'b0, {(52-PAW){1'b0}}, cmdq_addr_q, cmdq_log2size_q};
    assign evtq_base_reg   = {1'b0, evtq_wa_q, 10'b0, {(52-PAW){1'b0}}, evtq_addr_q, evtq_log2size_q};

    function automatic logic [4:0] clamp_qs(logic [4:0] v, int max);
        return (int'(v) > max) ? 5'(max) : v;
    endfunction

    // Current value of the register at a word address (reads).
    logic [31:0] rdata_mux;
    assign rdata_mux = reg_value({s_axil_araddr[16:2], 2'b00});
    // A byte-masked write merges into the target register's own value (not through the
    // read mux of all registers: timing)
    logic [31:0] wv_cr0_q, wv_cr1_q, wv_cr2_q, wv_gbpa_q, wv_irq_ctrl_q, wv_gerrorn_q,
                 wv_stb_lo, wv_stb_hi, wv_stb_cfg, wv_cqb_lo, wv_cqb_hi, wv_cmdq_prod_q,
                 wv_cmdq_cons_q, wv_eqb_lo, wv_eqb_hi, wv_evtq_prod_q, wv_evtq_cons_q;
    assign wv_cr0_q = merge({28'b0, cr0_q}, w_data, w_strb);
    assign wv_cr1_q = merge({20'b0, cr1_q}, w_data, w_strb);
    assign wv_cr2_q = merge({29'b0, cr2_q}, w_data, w_strb);
    assign wv_gbpa_q = merge(gbpa_q, w_data, w_strb);
    assign wv_irq_ctrl_q = merge({29'b0, irq_ctrl_q}, w_data, w_strb);
    assign wv_gerrorn_q = merge({23'b0, gerrorn_q}, w_data, w_strb);
    assign wv_stb_lo = merge(strtab_base_reg[31:0], w_data, w_strb);
    assign wv_stb_hi = merge(strtab_base_reg[63:32], w_data, w_strb);
    assign wv_stb_cfg = merge({26'b0, strtab_log2size_q}, w_data, w_strb);
    assign wv_cqb_lo = merge(cmdq_base_reg[31:0], w_data, w_strb);
    assign wv_cqb_hi = merge(cmdq_base_reg[63:32], w_data, w_strb);
    assign wv_cmdq_prod_q = merge({12'b0, cmdq_prod_q}, w_data, w_strb);
    assign wv_cmdq_cons_q = merge(cmdq_cons_q, w_data, w_strb);
    assign wv_eqb_lo = merge(evtq_base_reg[31:0], w_data, w_strb);
    assign wv_eqb_hi = merge(evtq_base_reg[63:32], w_data, w_strb);
    assign wv_evtq_prod_q = merge(evtq_prod_q, w_data, w_strb);
    assign wv_evtq_cons_q = merge(evtq_cons_q, w_data, w_strb);

    function automatic logic [31:0] reg_value(logic [16:0] a);
        logic [31:0] v;
        case (a)
            A_IDR0: v = IDR0_VAL;
            A_IDR1: v = IDR1_VAL;
            A_IDR5: v = IDR5_VAL;
            A_IIDR: v = IIDR_VAL;
            A_AIDR: v = AIDR_VAL;
            A_CR0: v = {28'b0, cr0_q};
            A_CR0ACK: v = {28'b0, cr0ack_q};
            A_CR1: v = {20'b0, cr1_q};
            A_CR2: v = {29'b0, cr2_q};
            A_GBPA: v = gbpa_q;
            A_IRQ_CTRL: v = {29'b0, irq_ctrl_q};
            A_IRQ_CTRLACK: v = {29'b0, irq_ctrlack_q};
            A_GERROR: v = {23'b0, gerror_q};
            A_GERRORN: v = {23'b0, gerrorn_q};
            A_STRTAB_BASE: v = strtab_base_reg[31:0];
            A_STRTAB_BASE_HI: v = strtab_base_reg[63:32];
            A_STRTAB_BASE_CFG: v = {26'b0, strtab_log2size_q};
            A_CMDQ_BASE: v = cmdq_base_reg[31:0];
            A_CMDQ_BASE_HI: v = cmdq_base_reg[63:32];
            A_CMDQ_PROD: v = {12'b0, cmdq_prod_q};
            A_CMDQ_CONS: v = cmdq_cons_q;
            A_EVTQ_BASE: v = evtq_base_reg[31:0];
            A_EVTQ_BASE_HI: v = evtq_base_reg[63:32];
            A_EVTQ_PROD: v = evtq_prod_q;
            A_EVTQ_CONS: v = evtq_cons_q;
            default: v = 32'b0;  // IDR2-4, STATUSR, AGBPA, reserved, unmapped
        endcase
        return v;
    endfunction

    always_ff @(posedge clk) begin
        if (rst) begin
            aw_held <= 1'b0;
            w_held <= 1'b0;
            s_axil_bvalid <= 1'b0;
            aw_addr <= '0;
            w_data <= '0;
            w_strb <= '0;
            cr0_q <= '0;
            cr0ack_q <= '0;
            cr1_q <= '0;
            cr2_q <= '0;
            gbpa_q <= {11'b0, GBPA_ABORT_RESET, 20'b0};
            irq_ctrl_q <= '0;
            irq_ctrlack_q <= '0;
            gerror_q <= '0;
            gerrorn_q <= '0;
            strtab_ra_q <= 1'b0;
            strtab_addr_q <= '0;
            strtab_log2size_q <= '0;
            cmdq_ra_q <= 1'b0;
            evtq_wa_q <= 1'b0;
            cmdq_addr_q <= '0;
            evtq_addr_q <= '0;
            cmdq_log2size_q <= '0;
            evtq_log2size_q <= '0;
            cmdq_prod_q <= '0;
            cmdq_cons_q <= '0;
            evtq_prod_q <= '0;
            evtq_cons_q <= '0;
        end else begin
            if (s_axil_awvalid && s_axil_awready) begin
                aw_held <= 1'b1;
                aw_addr <= {s_axil_awaddr[16:2], 2'b00};
            end
            if (s_axil_wvalid && s_axil_wready) begin
                w_held <= 1'b1;
                w_data <= s_axil_wdata;
                w_strb <= s_axil_wstrb;
            end
            if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;

            // acknowledge registers follow their controls (CR0 waits for the core)
            if (!cr0_busy) cr0ack_q <= cr0_q;
            irq_ctrlack_q <= irq_ctrl_q;
            gbpa_q[31] <= 1'b0;  // UPDATE completes at once: GBPA is applied combinationally
            gerror_q <= gerror_q ^ gerror_toggle;

            // hardware-owned queue pointers
            if (cmdq_cons_we) cmdq_cons_q <= cmdq_cons_wdata;
            if (evtq_prod_we) evtq_prod_q <= evtq_prod_wdata;

            if (do_write) begin
                aw_held <= 1'b0;
                w_held <= 1'b0;
                s_axil_bvalid <= 1'b1;
                case (aw_addr)
                    A_CR0: cr0_q <= wv_cr0_q[3:0] & 4'b1101;
                    A_CR1: cr1_q <= wv_cr1_q[11:0];
                    A_CR2: cr2_q <= wv_cr2_q[2:0];
                    A_GBPA: gbpa_q <= wv_gbpa_q & 32'h801F_3FFF;
                    A_IRQ_CTRL: irq_ctrl_q <= wv_irq_ctrl_q[2:0] & 3'b101;
                    A_GERRORN: gerrorn_q <= wv_gerrorn_q[8:0] & 9'h1FD;
                    A_STRTAB_BASE: if (!smmuen) begin
                        strtab_addr_q[31:6] <= wv_stb_lo[31:6];
                    end
                    A_STRTAB_BASE_HI: if (!smmuen) begin
                        strtab_addr_q[PAW-1:32] <= wv_stb_hi[PAW-33:0];
                        strtab_ra_q <= wv_stb_hi[30];
                    end
                    A_STRTAB_BASE_CFG: if (!smmuen) begin
                        strtab_log2size_q <= wv_stb_cfg[5:0];
                    end
                    A_CMDQ_BASE: if (!cmdqen) begin
                        cmdq_addr_q[31:5] <= wv_cqb_lo[31:5];
                        cmdq_log2size_q <= clamp_qs(wv_cqb_lo[4:0], CMDQS);
                    end
                    A_CMDQ_BASE_HI: if (!cmdqen) begin
                        cmdq_addr_q[PAW-1:32] <= wv_cqb_hi[PAW-33:0];
                        cmdq_ra_q <= wv_cqb_hi[30];
                    end
                    A_CMDQ_PROD: cmdq_prod_q <= wv_cmdq_prod_q[19:0];
                    A_CMDQ_CONS: if (!cmdqen) begin
                        cmdq_cons_q <= {12'b0, wv_cmdq_cons_q[19:0]};
                    end
                    A_EVTQ_BASE: if (!evtqen) begin
                        evtq_addr_q[31:5] <= wv_eqb_lo[31:5];
                        evtq_log2size_q <= clamp_qs(wv_eqb_lo[4:0], EVTQS);
                    end
                    A_EVTQ_BASE_HI: if (!evtqen) begin
                        evtq_addr_q[PAW-1:32] <= wv_eqb_hi[PAW-33:0];
                        evtq_wa_q <= wv_eqb_hi[30];
                    end
                    A_EVTQ_PROD: if (!evtqen) begin
                        evtq_prod_q <= wv_evtq_prod_q & 32'h800F_FFFF;
                    end
                    A_EVTQ_CONS: evtq_cons_q <= wv_evtq_cons_q & 32'h800F_FFFF;
                    default: ;  // read-only or unmapped: ignored
                endcase
            end
        end
    end

    // ------------------------------------------------------------- AXI-Lite read

    assign s_axil_arready = !s_axil_rvalid;
    assign s_axil_rresp = 2'b00;
    always_ff @(posedge clk) begin
        if (rst) begin
            s_axil_rvalid <= 1'b0;
            s_axil_rdata <= '0;
        end else if (s_axil_arvalid && s_axil_arready) begin
            s_axil_rvalid <= 1'b1;
            s_axil_rdata <= rdata_mux;
        end else if (s_axil_rready) begin
            s_axil_rvalid <= 1'b0;
        end
    end

    // awprot/arprot carry no meaning for this block; the merged words are wider than
    // most registers
    wire unused_ok = &{1'b0, s_axil_awprot, s_axil_arprot, s_axil_awaddr[1:0], s_axil_araddr[1:0],
                       wv_cr0_q, wv_cr1_q, wv_cr2_q, wv_irq_ctrl_q, wv_gerrorn_q, wv_stb_lo,
                       wv_stb_hi, wv_stb_cfg, wv_cqb_lo, wv_cqb_hi, wv_cmdq_prod_q, wv_cmdq_cons_q,
                       wv_eqb_lo, wv_eqb_hi};
endmodule
