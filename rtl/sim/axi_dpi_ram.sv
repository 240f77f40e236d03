// axi_dpi_ram: simulation-only AXI4 slave memory whose bytes live in a C++ buffer
// (tb/common/csrc/pasidmem.cpp) that Python reads and writes zero-copy. The HDL side
// runs at full Verilator speed: no Python per beat.
//  - READ_LATENCY cycles from AR acceptance to the first R beat; reads pipeline
//    (RD_DEPTH outstanding), one beat per cycle, in order.
//  - Writes: AW and W are decoupled; B after the last W beat, in order.
//  - INCR and FIXED bursts (WRAP is treated as INCR: no master here issues WRAP).
//  - Addresses outside the buffer, or inside an injected error range, answer SLVERR;
//    an erroring write changes no byte of its burst from that beat on.
module axi_dpi_ram #(
    parameter int DATA_WIDTH   = 64,
    parameter int ADDR_WIDTH   = 48,
    parameter int ID_WIDTH     = 8,
    parameter int READ_LATENCY = 8,
    parameter int RD_DEPTH     = 8,
    parameter int STRB_WIDTH   = DATA_WIDTH / 8
) (
    input  logic                  clk,
    input  logic                  rst,
    input  logic [ID_WIDTH-1:0]   s_axi_awid,
    input  logic [ADDR_WIDTH-1:0] s_axi_awaddr,
    input  logic [7:0]            s_axi_awlen,
    input  logic [2:0]            s_axi_awsize,
    input  logic [1:0]            s_axi_awburst,
    input  logic                  s_axi_awvalid,
    output logic                  s_axi_awready,
    input  logic [DATA_WIDTH-1:0] s_axi_wdata,
    input  logic [STRB_WIDTH-1:0] s_axi_wstrb,
    input  logic                  s_axi_wlast,
    input  logic                  s_axi_wvalid,
    output logic                  s_axi_wready,
    output logic [ID_WIDTH-1:0]   s_axi_bid,
    output logic [1:0]            s_axi_bresp,
    output logic                  s_axi_bvalid,
    input  logic                  s_axi_bready,
    input  logic [ID_WIDTH-1:0]   s_axi_arid,
    input  logic [ADDR_WIDTH-1:0] s_axi_araddr,
    input  logic [7:0]            s_axi_arlen,
    input  logic [2:0]            s_axi_arsize,
    input  logic [1:0]            s_axi_arburst,
    input  logic                  s_axi_arvalid,
    output logic                  s_axi_arready,
    output logic [ID_WIDTH-1:0]   s_axi_rid,
    output logic [DATA_WIDTH-1:0] s_axi_rdata,
    output logic [1:0]            s_axi_rresp,
    output logic                  s_axi_rlast,
    output logic                  s_axi_rvalid,
    input  logic                  s_axi_rready
);
    import "DPI-C" function longint unsigned pm_read64(input longint unsigned addr);
    import "DPI-C" function void pm_write64(input longint unsigned addr,
                                            input longint unsigned data, input int strb);
    import "DPI-C" function int pm_error(input longint unsigned addr, input int write);

    localparam int LANES = DATA_WIDTH / 64;
    localparam int BYTES = DATA_WIDTH / 8;

    function automatic logic [63:0] next_addr(logic [63:0] a, logic [2:0] size, logic [1:0] burst);
        if (burst == 2'b00) return a;  // FIXED
        return (a & ~((64'd1 << size) - 64'd1)) + (64'd1 << size);
    endfunction

    // ------------------------------------------------------------------ reads
    typedef struct packed {
        logic [ID_WIDTH-1:0] id;
        logic [63:0]         addr;
        logic [7:0]          len;
        logic [2:0]          size;
        logic [1:0]          burst;
        logic [31:0]         ready_at;  // cycle count when the first beat may go
    } rd_req_t;

    rd_req_t rq [RD_DEPTH];
    logic [$clog2(RD_DEPTH):0] rq_wr, rq_rd;
    logic [31:0] now;
    logic [7:0]  rbeat;
    logic [63:0] raddr;
    wire  rq_empty = rq_wr == rq_rd;
    wire  rq_full  = (rq_wr - rq_rd) == RD_DEPTH[$clog2(RD_DEPTH):0];
    rd_req_t head;
    assign head = rq[rq_rd[$clog2(RD_DEPTH)-1:0]];
    wire  head_due = !rq_empty && ($signed(now - head.ready_at) >= 0);

    assign s_axi_arready = !rq_full;

    always_ff @(posedge clk) begin
        if (rst) begin
            rq_wr <= '0;
            rq_rd <= '0;
            now <= '0;
            rbeat <= '0;
            s_axi_rvalid <= 1'b0;
            s_axi_rlast <= 1'b0;
            s_axi_rid <= '0;
            s_axi_rdata <= '0;
            s_axi_rresp <= 2'b00;
            raddr <= '0;
        end else begin
            now <= now + 32'd1;
            if (s_axi_arvalid && s_axi_arready) begin
                rq[rq_wr[$clog2(RD_DEPTH)-1:0]] <= '{s_axi_arid, 64'(s_axi_araddr), s_axi_arlen,
                    s_axi_arsize, s_axi_arburst, now + 32'(READ_LATENCY)};
                rq_wr <= rq_wr + 1'b1;
            end
            if (!s_axi_rvalid || s_axi_rready) begin
                s_axi_rvalid <= 1'b0;
                if (head_due) begin
                    logic [63:0] a;
                    logic        err;
                    a = (rbeat == 0) ? head.addr : raddr;
                    err = 1'b0;
                    for (int l = 0; l < LANES; l++) begin
                        logic [63:0] la;
                        la = (a & ~64'(BYTES - 1)) + 64'(8 * l);
                        if (pm_error(la, 0) != 0) err = 1'b1;
                        s_axi_rdata[l*64 +: 64] <= pm_read64(la);
                    end
                    s_axi_rvalid <= 1'b1;
                    s_axi_rid <= head.id;
                    s_axi_rresp <= err ? 2'b10 : 2'b00;
                    s_axi_rlast <= rbeat == head.len;
                    raddr <= next_addr(a, head.size, head.burst);
                    if (rbeat == head.len) begin
                        rbeat <= '0;
                        rq_rd <= rq_rd + 1'b1;
                    end else begin
                        rbeat <= rbeat + 8'd1;
                    end
                end
            end
        end
    end

    // ------------------------------------------------------------------ writes
    logic                aw_busy, w_err;
    logic [ID_WIDTH-1:0] w_id;
    logic [63:0]         waddr;
    logic [2:0]          w_size;
    logic [1:0]          w_burst;
    logic [7:0]          w_len, w_cnt;   // checks WLAST against AWLEN

    assign s_axi_awready = !aw_busy;
    assign s_axi_wready  = aw_busy && !s_axi_bvalid;

    always_ff @(posedge clk) begin
        if (rst) begin
            aw_busy <= 1'b0;
            w_err <= 1'b0;
            w_id <= '0;
            waddr <= '0;
            w_size <= '0;
            w_burst <= '0;
            w_len <= '0;
            w_cnt <= '0;
            s_axi_bvalid <= 1'b0;
            s_axi_bid <= '0;
            s_axi_bresp <= 2'b00;
        end else begin
            if (s_axi_bvalid && s_axi_bready) begin
                s_axi_bvalid <= 1'b0;
                aw_busy <= 1'b0;
            end
            if (s_axi_awvalid && s_axi_awready) begin
                aw_busy <= 1'b1;
                w_id <= s_axi_awid;
                waddr <= 64'(s_axi_awaddr);
                w_size <= s_axi_awsize;
                w_burst <= s_axi_awburst;
                w_len <= s_axi_awlen;
                w_cnt <= '0;
                w_err <= 1'b0;
            end
            if (s_axi_wvalid && s_axi_wready) begin
                logic err;
                err = w_err;
                for (int l = 0; l < LANES; l++)
                    if (pm_error((waddr & ~64'(BYTES - 1)) + 64'(8 * l), 1) != 0) err = 1'b1;
                if (!err)
                    for (int l = 0; l < LANES; l++)
                        pm_write64((waddr & ~64'(BYTES - 1)) + 64'(8 * l), s_axi_wdata[l*64 +: 64],
                                   32'(s_axi_wstrb[l*8 +: 8]));
                w_err <= err;
                waddr <= next_addr(waddr, w_size, w_burst);
                w_cnt <= w_cnt + 8'd1;
                assert (s_axi_wlast == (w_cnt == w_len))
                    else $error("axi_dpi_ram: WLAST on beat %0d of a %0d-beat burst", w_cnt, w_len + 1);
                if (s_axi_wlast) begin
                    s_axi_bvalid <= 1'b1;
                    s_axi_bid <= w_id;
                    s_axi_bresp <= err ? 2'b10 : 2'b00;
                end
            end
        end
    end
endmodule
