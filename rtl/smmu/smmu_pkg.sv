// smmu_pkg: SMMUv3 field positions, event IDs and the records passed between the
// translation blocks. Positions mirror sw/pasidsim/smmuv3.py (the Python source of
// truth); change both together.
package smmu_pkg;
    localparam int VAW = 48;  // input address bits carried internally
    localparam int PAW = 48;  // output address bits carried internally (OAS_BITS <= PAW)

    // ---------------------------------------------------------------- event IDs
    localparam logic [7:0] EVT_C_BAD_STREAMID    = 8'h02;
    localparam logic [7:0] EVT_F_STE_FETCH       = 8'h03;
    localparam logic [7:0] EVT_C_BAD_STE         = 8'h04;
    localparam logic [7:0] EVT_F_STREAM_DISABLED = 8'h06;
    localparam logic [7:0] EVT_C_BAD_SUBSTREAMID = 8'h08;
    localparam logic [7:0] EVT_F_CD_FETCH        = 8'h09;
    localparam logic [7:0] EVT_C_BAD_CD          = 8'h0A;
    localparam logic [7:0] EVT_F_WALK_EABT       = 8'h0B;
    localparam logic [7:0] EVT_F_TRANSLATION     = 8'h10;
    localparam logic [7:0] EVT_F_ADDR_SIZE       = 8'h11;
    localparam logic [7:0] EVT_F_ACCESS          = 8'h12;
    localparam logic [7:0] EVT_F_PERMISSION      = 8'h13;

    localparam logic [1:0] CLASS_CD = 2'd0, CLASS_TT = 2'd1, CLASS_IN = 2'd2;

    // ---------------------------------------------------------------- commands (16 bytes)
    localparam logic [7:0] CMD_PREFETCH_CONFIG = 8'h01, CMD_CFGI_STE = 8'h03,
                           CMD_CFGI_ALL = 8'h04 /* CFGI_STE_RANGE */, CMD_CFGI_CD = 8'h05,
                           CMD_CFGI_CD_ALL = 8'h06, CMD_TLBI_NH_ALL = 8'h10,
                           CMD_TLBI_NH_ASID = 8'h11, CMD_TLBI_NH_VA = 8'h12,
                           CMD_TLBI_NSNH_ALL = 8'h30, CMD_RESUME = 8'h44, CMD_SYNC = 8'h46;
    // dword 0: opcode [7:0], SSV [11], SSID [31:12], SID [63:32]; NUM [16:12],
    // SCALE [24:20], ASID [63:48]; RESUME/SYNC: RESP/CS [13:12], MSIDATA [63:32].
    // dword 1: Leaf [0], Range [4:0], TTL [9:8], TG [11:10], VA [63:12], STAG [15:0],
    // MSIADDR [51:2].
    localparam int CMD0_SSID = 12, CMD0_SID = 32, CMD0_NUM = 12, CMD0_SCALE = 20,
                   CMD0_ASID = 48, CMD0_CS = 12, CMD0_MSIDATA = 32;
    localparam int CMD1_RANGE = 0, CMD1_TG = 10, CMD1_VA = 12, CMD1_MSIADDR = 2;
    localparam logic [1:0] SYNC_CS_IRQ = 2'd1;   // 0b00 NONE, 0b10 SEV (as NONE), 0b11 ILL
    localparam logic [6:0] CERROR_NONE = 7'd0, CERROR_ILL = 7'd1, CERROR_ABT = 7'd2;

    // ---------------------------------------------------------------- STE (dwords 0, 1)
    localparam int STE0_V = 0, STE0_CFG = 1, STE0_S1FMT = 4, STE0_CTXPTR = 6, STE0_CDMAX = 59;
    localparam int STE1_S1DSS = 0, STE1_S1STALLD = 27, STE1_STRW = 30;
    localparam logic [2:0] STE_CFG_ABORT = 3'b000, STE_CFG_BYPASS = 3'b100, STE_CFG_S1 = 3'b101;
    localparam logic [1:0] S1FMT_LINEAR = 2'b00, S1FMT_4K_L2 = 2'b01;  // else 64K leaves
    localparam logic [1:0] S1DSS_TERMINATE = 2'b00, S1DSS_BYPASS = 2'b01, S1DSS_SSID0 = 2'b10;
    // CDs per leaf table: 2^6 (S1FMT_4K_L2) or 2^10 (S1FMT_64K_L2, Linux's choice)

    // ---------------------------------------------------------------- CD (dwords 0, 1)
    localparam int CD0_T0SZ = 0, CD0_TG0 = 6, CD0_EPD0 = 14, CD0_ENDI = 15, CD0_V = 31,
                   CD0_IPS = 32, CD0_AFFD = 35, CD0_WXN = 36, CD0_PAN = 40, CD0_AA64 = 41,
                   CD0_HD = 42, CD0_HA = 43, CD0_S = 44, CD0_R = 45, CD0_A = 46, CD0_ASID = 48;
    localparam int CD1_TTB0 = 4;  // TTB0 = PA[51:4]
    localparam int L1CD_V = 0, L1CD_L2PTR = 12;
    localparam int T0SZ_MIN = 16, T0SZ_MAX = 39;

    // ---------------------------------------------------------------- stage-1 descriptors
    localparam int PTE_VALID = 0, PTE_TYPE = 1, PTE_AP1 = 6, PTE_AP2 = 7, PTE_AF = 10, PTE_NG = 11,
                   PTE_PXN = 53, PTE_UXN = 54,
                   PTE_PXNTABLE = 59, PTE_UXNTABLE = 60, PTE_APT_NOUSER = 61, PTE_APT_RO = 62;

    // mapping sizes (TLB entries and burst bounds)
    localparam logic [1:0] SZ_4K = 2'd0, SZ_2M = 2'd1, SZ_1G = 2'd2, SZ_NONE = 2'd3;

    // AXI4 address-channel attributes a translation passes through unchanged
    typedef struct packed {
        logic [7:0] len;
        logic [2:0] size;
        logic [1:0] burst;
        logic       lock;
        logic [3:0] cache;
        logic [2:0] prot;
    } ax_attr_t;

    // ---------------------------------------------------------------- resolved configuration
    // What the config cache holds for (StreamID, SSV, SubstreamID).
    localparam logic [1:0] CFG_BYPASS = 2'd0, CFG_ABORT = 2'd1, CFG_S1 = 2'd2;
    typedef struct packed {
        logic [1:0]      mode;
        logic [15:0]     asid;
        logic [PAW-1:4]  ttb0;
        logic [5:0]      t0sz;
        logic            epd0;
        logic [2:0]      ips;
        logic            affd;     // CD.AFFD: no access flag faults
        logic            wxn;
        logic            pan;
        logic            rec;      // CD.R: record faults
        logic            abt;      // CD.A: abort (SLVERR) rather than RAZ/WI
        logic            stall;    // CD.S: translation-related faults stall
        logic [1:0]      dss;      // DSS_*: STE.S1DSS path of an SSID-less transaction
    } cfg_t;
    // STE.S1DSS path taken by a transaction without SSID on a stream with substreams
    // (STE.S1CDMax != 0). Only the transaction trace reads it: synthesis prunes it.
    localparam logic [1:0] DSS_NONE = 2'd0, DSS_BYPASS = 2'd1, DSS_SSID0 = 2'd2,
                           DSS_TERMINATE = 2'd3;

    // Leaf permissions kept with a translation, with the table (APTable/XNTable)
    // restrictions of the walk already folded in.
    typedef struct packed {
        logic ro;    // AP[2] | APTable[1]
        logic user;  // AP[1] & !APTable[0]
        logic pxn;   // PXN | PXNTable
        logic uxn;   // UXN | UXNTable
    } perm_t;

    // Outcome of translating one transaction.
    localparam logic [1:0] R_PASS = 2'd0, R_FAULT = 2'd1, R_ABORT = 2'd2;
    typedef struct packed {
        logic [1:0]     kind;       // R_PASS / R_FAULT (event) / R_ABORT (silent)
        logic [PAW-1:0] pa;         // R_PASS: output address of the first byte
        logic [1:0]     size;       // R_PASS: mapping size bounding the burst (SZ_*)
        logic [7:0]     evt;        // R_FAULT: event ID
        logic [1:0]     cls;        // R_FAULT: CLASS
        logic [PAW-1:0] fetch;      // R_FAULT: fetch address (F_*_FETCH, F_WALK_EABT)
        logic           rec;        // R_FAULT: write an event record
        logic           slverr;     // R_FAULT/R_ABORT: SLVERR (1) or RAZ/WI with OKAY (0)
        logic           txn;        // record carries RnW/PnU/InD/InputAddr
        logic [1:0]     ssvm;       // record's SSV/SSID: SSVM_*
        logic [2:0]     depth;      // table reads made (STE, L1CD, CD, descriptors)
        logic [1:0]     dss;        // DSS_* (transaction trace)
    } res_t;
    localparam logic [1:0] SSVM_TXN = 2'd0,   // SSV and SSID of the transaction
                           SSVM_NONE = 2'd1,  // neither (F_STREAM_DISABLED)
                           SSVM_SSID = 2'd2;  // SSID, SSV=0 (C_BAD_SUBSTREAMID)

    // Event record contents (the 32-byte SMMUv3 layout is built by smmu_evtq).
    typedef struct packed {
        logic [7:0]     id;
        logic           ssv;
        logic [19:0]    ssid;
        logic [31:0]    sid;
        logic           pnu;
        logic           ind;
        logic           rnw;
        logic [1:0]     cls;
        logic [VAW-1:0] addr;
        logic [PAW-1:0] fetch;
        logic           stall;      // Stall=1: the transaction waits for CMD_RESUME
        logic [15:0]    stag;
    } evt_t;

    // A translation job for a walker.
    typedef struct packed {
        logic [31:0]    sid;
        logic           ssv;
        logic [19:0]    ssid;
        logic [VAW-1:0] va;
        logic           rnw;
        logic           priv;
        logic           instr;
        logic           cfg_hit;   // cfg below is valid: skip the STE/CD fetch
        cfg_t           cfg;
    } job_t;

    // Bits of the input region for a T0SZ (IA = 64 - T0SZ).
    function automatic logic va_in_range(logic [VAW-1:0] va, logic [5:0] t0sz);
        logic [VAW-1:0] lim;
        lim = (VAW'(1) << (7'd64 - {1'b0, t0sz})) - VAW'(1);
        return (va & ~lim) == '0;
    endfunction

    // Effective output size: min(CD.IPS, OAS).
    function automatic int ips_bits(logic [2:0] ips, int oas);
        int b;
        case (ips)
            3'd0: b = 32; 3'd1: b = 36; 3'd2: b = 40; 3'd3: b = 42; 3'd4: b = 44;
            default: b = 48;
        endcase
        return (b < oas) ? b : oas;
    endfunction

    function automatic logic pa_too_big(logic [PAW-1:0] pa, logic [2:0] ips, int oas);
        logic [PAW-1:0] lim;
        lim = (PAW'(1) << ips_bits(ips, oas)) - PAW'(1);
        return (pa & ~lim) != '0;
    endfunction

    // VMSAv8-64 stage-1 EL1&0 permission check (CD.PAN, CD.WXN honoured).
    function automatic logic perm_fault(perm_t p, logic rnw, logic priv, logic instr,
                                        logic pan, logic wxn);
        logic uw, rd, wr, ex;
        uw = p.user && !p.ro;
        if (priv) begin
            rd = !(pan && p.user);
            wr = rd && !p.ro;
            ex = !(p.pxn || uw || (wxn && !p.ro));
        end else begin
            rd = p.user;
            wr = p.user && !p.ro;
            ex = !(p.uxn || (wxn && uw));
        end
        return !(instr ? ex : rnw ? rd : wr);
    endfunction

    function automatic logic [PAW-1:0] size_mask(logic [1:0] sz);
        case (sz)
            SZ_4K: return PAW'(48'hFFF);
            SZ_2M: return PAW'(48'h1F_FFFF);
            SZ_1G: return PAW'(48'h3FFF_FFFF);
            default: return '1;
        endcase
    endfunction
`ifndef SYNTHESIS
    // event names for the transaction trace (as pasidsim.smmuv3.EVENT_NAMES)
    function automatic string evt_name(logic [7:0] id);
        case (id)
            EVT_C_BAD_STREAMID: return "C_BAD_STREAMID";
            EVT_F_STE_FETCH: return "F_STE_FETCH";
            EVT_C_BAD_STE: return "C_BAD_STE";
            EVT_F_STREAM_DISABLED: return "F_STREAM_DISABLED";
            EVT_C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
            EVT_F_CD_FETCH: return "F_CD_FETCH";
            EVT_C_BAD_CD: return "C_BAD_CD";
            EVT_F_WALK_EABT: return "F_WALK_EABT";
            EVT_F_TRANSLATION: return "F_TRANSLATION";
            EVT_F_ADDR_SIZE: return "F_ADDR_SIZE";
            EVT_F_ACCESS: return "F_ACCESS";
            EVT_F_PERMISSION: return "F_PERMISSION";
            default: return $sformatf("EVT_0x%02x", id);
        endcase
    endfunction
`endif
endpackage
