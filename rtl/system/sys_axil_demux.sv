// sys_axil_demux: one AXI4-Lite slave port to NDEV register windows of 2**AW bytes each,
// port k at k * 2**AW (address bits [AW +: SW] choose the port). Each direction holds one
// transaction: AW and W are registered, then passed to the chosen port. A port index
// >= NDEV (a hole in the window) answers DECERR on its own (reads return 0): a bad address
// never hangs the bus and never reaches a block.
module sys_axil_demux #(
    parameter int NDEV = 2,
    parameter int AW   = 12,                               // bits of each window
    parameter int SW   = (NDEV > 1) ? $clog2(NDEV) : 1     // port-select bits
) (
    input  logic                  clk,
    input  logic                  rst,
    input  logic [AW+SW-1:0]      s_axil_awaddr,
    input  logic [2:0]            s_axil_awprot,
    input  logic                  s_axil_awvalid,
    output logic                  s_axil_awready,
    input  logic [31:0]           s_axil_wdata,
    input  logic [3:0]            s_axil_wstrb,
    input  logic                  s_axil_wvalid,
    output logic                  s_axil_wready,
    output logic [1:0]            s_axil_bresp,
    output logic                  s_axil_bvalid,
    input  logic                  s_axil_bready,
    input  logic [AW+SW-1:0]      s_axil_araddr,
    input  logic [2:0]            s_axil_arprot,
    input  logic                  s_axil_arvalid,
    output logic                  s_axil_arready,
    output logic [31:0]           s_axil_rdata,
    output logic [1:0]            s_axil_rresp,
    output logic                  s_axil_rvalid,
    input  logic                  s_axil_rready,
    // ports, flattened: port k's field is [k*W +: W]
    output logic [NDEV*AW-1:0]    m_axil_awaddr,
    output logic [NDEV*3-1:0]     m_axil_awprot,
    output logic [NDEV-1:0]       m_axil_awvalid,
    input  logic [NDEV-1:0]       m_axil_awready,
    output logic [NDEV*32-1:0]    m_axil_wdata,
    output logic [NDEV*4-1:0]     m_axil_wstrb,
    output logic [NDEV-1:0]       m_axil_wvalid,
    input  logic [NDEV-1:0]       m_axil_wready,
    input  logic [NDEV*2-1:0]     m_axil_bresp,
    input  logic [NDEV-1:0]       m_axil_bvalid,
    output logic [NDEV-1:0]       m_axil_bready,
    output logic [NDEV*AW-1:0]    m_axil_araddr,
    output logic [NDEV*3-1:0]     m_axil_arprot,
    output logic [NDEV-1:0]       m_axil_arvalid,
    input  logic [NDEV-1:0]       m_axil_arready,
    input  logic [NDEV*32-1:0]    m_axil_rdata,
    input  logic [NDEV*2-1:0]     m_axil_rresp,
    input  logic [NDEV-1:0]       m_axil_rvalid,
    output logic [NDEV-1:0]       m_axil_rready
);
    localparam logic [1:0] DECERR = 2'b11;

    // ---------------------------------------------------------------- write
    logic          aw_full, w_full, aw_sent, w_sent;
    logic [AW-1:0] aw_addr;
    logic [2:0]    aw_prot;
    logic [SW-1:0] aw_sel;
    logic [31:0]   w_data;
    logic [3:0]    w_strb;
    wire wr_bad = int'(aw_sel) >= NDEV;
    wire wr_go  = aw_full && w_full && !s_axil_bvalid;

    assign s_axil_awready = !aw_full;
    assign s_axil_wready  = !w_full;
    for (genvar k = 0; k < NDEV; k++) begin : g_wr
        assign m_axil_awaddr[k*AW +: AW] = aw_addr;
        assign m_axil_awprot[k*3 +: 3]   = aw_prot;
        assign m_axil_wdata[k*32 +: 32]  = w_data;
        assign m_axil_wstrb[k*4 +: 4]    = w_strb;
        assign m_axil_awvalid[k] = wr_go && !aw_sent && aw_sel == SW'(k);
        assign m_axil_wvalid[k]  = wr_go && !w_sent && aw_sel == SW'(k);
        assign m_axil_bready[k]  = wr_go && aw_sent && w_sent && aw_sel == SW'(k);
    end
    wire aw_take = |(m_axil_awvalid & m_axil_awready);
    wire w_take  = |(m_axil_wvalid & m_axil_wready);
    wire b_take  = |(m_axil_bvalid & m_axil_bready);

    always_ff @(posedge clk) begin
        if (rst) begin
            aw_full <= 1'b0;
            w_full <= 1'b0;
            aw_sent <= 1'b0;
            w_sent <= 1'b0;
            aw_addr <= '0;
            aw_prot <= '0;
            aw_sel <= '0;
            w_data <= '0;
            w_strb <= '0;
            s_axil_bvalid <= 1'b0;
            s_axil_bresp <= 2'b00;
        end else begin
            if (s_axil_awvalid && s_axil_awready) begin
                aw_full <= 1'b1;
                {aw_sel, aw_addr} <= s_axil_awaddr;
                aw_prot <= s_axil_awprot;
            end
            if (s_axil_wvalid && s_axil_wready) begin
                w_full <= 1'b1;
                w_data <= s_axil_wdata;
                w_strb <= s_axil_wstrb;
            end
            if (aw_take) aw_sent <= 1'b1;
            if (w_take) w_sent <= 1'b1;
            if ((wr_go && wr_bad) || b_take) begin
                s_axil_bvalid <= 1'b1;
                s_axil_bresp <= wr_bad ? DECERR : m_axil_bresp[aw_sel*2 +: 2];
                aw_full <= 1'b0;
                w_full <= 1'b0;
                aw_sent <= 1'b0;
                w_sent <= 1'b0;
            end
            if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
        end
    end

    // ---------------------------------------------------------------- read
    logic          ar_full, ar_sent;
    logic [AW-1:0] ar_addr;
    logic [2:0]    ar_prot;
    logic [SW-1:0] ar_sel;
    wire rd_bad = int'(ar_sel) >= NDEV;
    wire rd_go  = ar_full && !s_axil_rvalid;

    assign s_axil_arready = !ar_full;
    for (genvar k = 0; k < NDEV; k++) begin : g_rd
        assign m_axil_araddr[k*AW +: AW] = ar_addr;
        assign m_axil_arprot[k*3 +: 3]   = ar_prot;
        assign m_axil_arvalid[k] = rd_go && !ar_sent && ar_sel == SW'(k);
        assign m_axil_rready[k]  = rd_go && ar_sent && ar_sel == SW'(k);
    end
    wire ar_take = |(m_axil_arvalid & m_axil_arready);
    wire r_take  = |(m_axil_rvalid & m_axil_rready);

    always_ff @(posedge clk) begin
        if (rst) begin
            ar_full <= 1'b0;
            ar_sent <= 1'b0;
            ar_addr <= '0;
            ar_prot <= '0;
            ar_sel <= '0;
            s_axil_rvalid <= 1'b0;
            s_axil_rdata <= '0;
            s_axil_rresp <= 2'b00;
        end else begin
            if (s_axil_arvalid && s_axil_arready) begin
                ar_full <= 1'b1;
                {ar_sel, ar_addr} <= s_axil_araddr;
                ar_prot <= s_axil_arprot;
            end
            if (ar_take) ar_sent <= 1'b1;
            if ((rd_go && rd_bad) || r_take) begin
                s_axil_rvalid <= 1'b1;
                s_axil_rdata <= rd_bad ? 32'd0 : m_axil_rdata[ar_sel*32 +: 32];
                s_axil_rresp <= rd_bad ? DECERR : m_axil_rresp[ar_sel*2 +: 2];
                ar_full <= 1'b0;
                ar_sent <= 1'b0;
            end
            if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;
        end
    end
endmodule
