// smmu_id_cnt: bursts of each AXI ID outstanding in memory, for the channels' ordering
// rules (smmu_rd_path, smmu_wr_path). An issued burst is counted one cycle late and the
// flags are registered, so the decision on the offered request (late in the cycle, see
// smmu_xlate) only selects flags by its ID and never feeds an adder. q_full leaves room
// for the burst in flight; q_idle is qualified with it.
module smmu_id_cnt #(
    parameter int ID_WIDTH = 4,
    parameter int CNT_BITS = 6
) (
    input  logic                clk,
    input  logic                rst,
    input  logic                issue,      // a burst of issue_id goes to memory
    input  logic [ID_WIDTH-1:0] issue_id,
    input  logic                done,       // a burst of done_id has completed
    input  logic [ID_WIDTH-1:0] done_id,
    input  logic [ID_WIDTH-1:0] q_id,       // the ID asked about
    output logic                q_full,     // no room for another burst of q_id
    output logic                q_idle      // no burst of q_id outstanding
);
    localparam int NID = 1 << ID_WIDTH;
    logic [NID-1:0][CNT_BITS-1:0] cnt;
    logic [NID-1:0]               zero, full;
    logic                         fire_q;
    logic [ID_WIDTH-1:0]          fire_id;

    assign q_full = full[q_id];
    assign q_idle = zero[q_id] && !(fire_q && fire_id == q_id);

    always_ff @(posedge clk) begin
        if (rst) begin
            cnt <= '0;
            zero <= '1;
            full <= '0;
            fire_q <= 1'b0;
        end else begin
            for (int i = 0; i < NID; i++) begin
                logic [CNT_BITS-1:0] n;
                n = cnt[i] + CNT_BITS'(fire_q && int'(fire_id) == i)
                           - CNT_BITS'(done && int'(done_id) == i);
                cnt[i] <= n;
                zero[i] <= n == '0;
                full[i] <= n >= '1 - CNT_BITS'(1);
            end
            fire_q <= issue;
        end
        fire_id <= issue_id;
    end
endmodule
