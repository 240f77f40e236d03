// axil_split: one AXI4-Lite slave port to two master ports, chosen by one address bit.
// One transaction per direction in flight keeps it small; register traffic is sparse.
// Addresses are passed on unchanged below SEL_BIT (each block sees its own offsets).
module axil_split #(
    parameter int ADDR_WIDTH = 18,
    parameter int SEL_BIT    = 17,   // address bit choosing port 1 (set) or port 0 (clear)
    parameter int A0_WIDTH   = 17,   // address bits passed to port 0
    parameter int A1_WIDTH   = 12    // address bits passed to port 1
) (
    input  logic                  clk,
    input  logic                  rst,
    input  logic [ADDR_WIDTH-1:0] s_axil_awaddr,
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
    input  logic [ADDR_WIDTH-1:0] s_axil_araddr,
    input  logic [2:0]            s_axil_arprot,
    input  logic                  s_axil_arvalid,
    output logic                  s_axil_arready,
    output logic [31:0]           s_axil_rdata,
    output logic [1:0]            s_axil_rresp,
    output logic                  s_axil_rvalid,
    input  logic                  s_axil_rready,
    // port 0
    output logic [A0_WIDTH-1:0]   m0_axil_awaddr,
    output logic [2:0]            m0_axil_awprot,
    output logic                  m0_axil_awvalid,
    input  logic                  m0_axil_awready,
    output logic [31:0]           m0_axil_wdata,
    output logic [3:0]            m0_axil_wstrb,
    output logic                  m0_axil_wvalid,
    input  logic                  m0_axil_wready,
    input  logic [1:0]            m0_axil_bresp,
    input  logic                  m0_axil_bvalid,
    output logic                  m0_axil_bready,
    output logic [A0_WIDTH-1:0]   m0_axil_araddr,
    output logic [2:0]            m0_axil_arprot,
    output logic                  m0_axil_arvalid,
    input  logic                  m0_axil_arready,
    input  logic [31:0]           m0_axil_rdata,
    input  logic [1:0]            m0_axil_rresp,
    input  logic                  m0_axil_rvalid,
    output logic                  m0_axil_rready,
    // port 1
    output logic [A1_WIDTH-1:0]   m1_axil_awaddr,
    output logic [2:0]            m1_axil_awprot,
    output logic                  m1_axil_awvalid,
    input  logic                  m1_axil_awready,
    output logic [31:0]           m1_axil_wdata,
    output logic [3:0]            m1_axil_wstrb,
    output logic                  m1_axil_wvalid,
    input  logic                  m1_axil_wready,
    input  logic [1:0]            m1_axil_bresp,
    input  logic                  m1_axil_bvalid,
    output logic                  m1_axil_bready,
    output logic [A1_WIDTH-1:0]   m1_axil_araddr,
    output logic [2:0]            m1_axil_arprot,
    output logic                  m1_axil_arvalid,
    input  logic                  m1_axil_arready,
    input  logic [31:0]           m1_axil_rdata,
    input  logic [1:0]            m1_axil_rresp,
    input  logic                  m1_axil_rvalid,
    output logic                  m1_axil_rready
);
    // ---------------- write: hold AW until routed; W follows the chosen port
    logic wr_busy, wr_sel, aw_sent, w_sent;
    wire  aw_sel = s_axil_awaddr[SEL_BIT];

    assign m0_axil_awaddr = s_axil_awaddr[A0_WIDTH-1:0];
    assign m1_axil_awaddr = s_axil_awaddr[A1_WIDTH-1:0];
    assign m0_axil_awprot = s_axil_awprot;
    assign m1_axil_awprot = s_axil_awprot;
    assign m0_axil_wdata = s_axil_wdata;
    assign m1_axil_wdata = s_axil_wdata;
    assign m0_axil_wstrb = s_axil_wstrb;
    assign m1_axil_wstrb = s_axil_wstrb;

    // A write is routed once AW is seen; AW and W each pass exactly once.
    wire route_w = wr_busy ? wr_sel : aw_sel;
    wire wr_live = wr_busy || s_axil_awvalid;
    assign m0_axil_awvalid = s_axil_awvalid && !aw_sent && !route_w && !s_axil_bvalid;
    assign m1_axil_awvalid = s_axil_awvalid && !aw_sent &&  route_w && !s_axil_bvalid;
    assign s_axil_awready  = !aw_sent && !s_axil_bvalid && (route_w ? m1_axil_awready : m0_axil_awready);
    assign m0_axil_wvalid  = s_axil_wvalid && wr_live && !w_sent && !route_w && !s_axil_bvalid;
    assign m1_axil_wvalid  = s_axil_wvalid && wr_live && !w_sent &&  route_w && !s_axil_bvalid;
    assign s_axil_wready   = wr_live && !w_sent && !s_axil_bvalid &&
                             (route_w ? m1_axil_wready : m0_axil_wready);
    assign m0_axil_bready  = !s_axil_bvalid && wr_busy && !wr_sel;
    assign m1_axil_bready  = !s_axil_bvalid && wr_busy &&  wr_sel;

    always_ff @(posedge clk) begin
        if (rst) begin
            wr_busy <= 1'b0;
            wr_sel <= 1'b0;
            aw_sent <= 1'b0;
            w_sent <= 1'b0;
            s_axil_bvalid <= 1'b0;
            s_axil_bresp <= 2'b00;
        end else begin
            if (s_axil_awvalid && s_axil_awready) begin
                aw_sent <= 1'b1;
                wr_busy <= 1'b1;
                wr_sel <= aw_sel;
            end
            if (s_axil_wvalid && s_axil_wready) w_sent <= 1'b1;
            if ((m0_axil_bvalid && m0_axil_bready) || (m1_axil_bvalid && m1_axil_bready)) begin
                s_axil_bvalid <= 1'b1;
                s_axil_bresp <= wr_sel ? m1_axil_bresp : m0_axil_bresp;
                wr_busy <= 1'b0;
                aw_sent <= 1'b0;
                w_sent <= 1'b0;
            end
            if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
        end
    end

    // ---------------- read
    logic rd_busy, rd_sel;
    wire  ar_sel = s_axil_araddr[SEL_BIT];
    assign m0_axil_araddr = s_axil_araddr[A0_WIDTH-1:0];
    assign m1_axil_araddr = s_axil_araddr[A1_WIDTH-1:0];
    assign m0_axil_arprot = s_axil_arprot;
    assign m1_axil_arprot = s_axil_arprot;
    assign m0_axil_arvalid = s_axil_arvalid && !rd_busy && !s_axil_rvalid && !ar_sel;
    assign m1_axil_arvalid = s_axil_arvalid && !rd_busy && !s_axil_rvalid &&  ar_sel;
    assign s_axil_arready = !rd_busy && !s_axil_rvalid && (ar_sel ? m1_axil_arready : m0_axil_arready);
    assign m0_axil_rready = rd_busy && !rd_sel && !s_axil_rvalid;
    assign m1_axil_rready = rd_busy &&  rd_sel && !s_axil_rvalid;

    always_ff @(posedge clk) begin
        if (rst) begin
            rd_busy <= 1'b0;
            rd_sel <= 1'b0;
            s_axil_rvalid <= 1'b0;
            s_axil_rdata <= '0;
            s_axil_rresp <= 2'b00;
        end else begin
            if (s_axil_arvalid && s_axil_arready) begin
                rd_busy <= 1'b1;
                rd_sel <= ar_sel;
            end
            if ((m0_axil_rvalid && m0_axil_rready) || (m1_axil_rvalid && m1_axil_rready)) begin
                s_axil_rvalid <= 1'b1;
                s_axil_rdata <= rd_sel ? m1_axil_rdata : m0_axil_rdata;
                s_axil_rresp <= rd_sel ? m1_axil_rresp : m0_axil_rresp;
                rd_busy <= 1'b0;
            end
            if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;
        end
    end

    // address bits between the port widths and SEL_BIT are not decoded: aliases
    wire unused_ok = &{1'b0, s_axil_awaddr, s_axil_araddr};
endmodule
