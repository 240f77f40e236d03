// smmu_sbuf_ram: the stall buffer's storage, a simple dual-port RAM with one write port
// and a registered read port (no reset, no byte enables), the shape Yosys maps onto block
// RAM (ECP5 DP16KD, Xilinx RAMB). Reading an address in the cycle it is written is not
// used (smmu_wr_path only reads beats written in earlier cycles).
module smmu_sbuf_ram #(
    parameter int DEPTH = 256,
    parameter int WIDTH = 72,
    localparam int AW = DEPTH > 1 ? $clog2(DEPTH) : 1
) (
    input  logic             clk,
    input  logic             we,
    input  logic [AW-1:0]    waddr,
    input  logic [WIDTH-1:0] wdata,
    input  logic             re,
    input  logic [AW-1:0]    raddr,
    output logic [WIDTH-1:0] rdata
);
    logic [WIDTH-1:0] mem [DEPTH];

    always_ff @(posedge clk) begin
        if (we) mem[waddr] <= wdata;
        if (re) rdata <= mem[raddr];
    end
endmodule
