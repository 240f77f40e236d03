// smmu_evtq: event queue writer. Takes event records from the two channels (port 0
// first) into a small FIFO and writes each one as a 32-byte SMMUv3 record at
// EVENTQ_BASE + index*32, one write in flight, then advances EVENTQ_PROD (index + wrap
// bit at LOG2SIZE) once the write response is OKAY.
//  - EVTQEN=0: the record is discarded.
//  - queue full (PROD and CONS index equal, wrap bits differ): the record is dropped and
//    OVFLG toggled if it equals CONS.OVACKFLG (first loss since software acknowledged).
//  - write error response: GERROR.EVTQ_ABT_ERR is toggled (smmu_top: if not already
//    active) and the record is lost; PROD does not advance. While EVTQ_ABT_ERR is active
//    records are discarded as with EVTQEN=0 (SMMUv3 7.5: delivery stops on an abort).
// So the device port never waits on a full or disabled queue for longer than a FIFO slot.
// Port 2 takes stall records (Stall=1, STAG) from the walkers; one that is not written
// is reported on stall_kill so that its transaction is terminated instead of lost.
module smmu_evtq #(
    parameter int DATA_WIDTH = 64,
    parameter int DEPTH      = 4
) (
    input  logic                     clk,
    input  logic                     rst,

    input  logic [2:0]               e_valid,        // 0 reads, 1 writes, 2 stall records
    output logic [2:0]               e_ready,
    input  smmu_pkg::evt_t [2:0]     e_evt,
    // a stall record that was not written (queue full or disabled, write error): its
    // transaction must be terminated, it can never be resumed
    output logic                     stall_kill,
    output logic [15:0]              stall_kill_stag,

    input  logic                     evtqen,
    input  logic [smmu_pkg::PAW-1:0] evtq_base,
    input  logic [4:0]               evtq_log2size,
    input  logic [31:0]              evtq_prod,
    input  logic [31:0]              evtq_cons,
    output logic                     evtq_prod_we,
    output logic [31:0]              evtq_prod_wdata,
    input  logic                     gerror_evtq_abt,   // GERROR.EVTQ_ABT_ERR active
    output logic                     gerror_toggle_abt,

    output logic                     aw_valid,
    input  logic                     aw_ready,
    output logic [smmu_pkg::PAW-1:0] aw_addr,
    output logic [7:0]               aw_len,
    output logic [2:0]               aw_size,
    output logic                     w_valid,
    input  logic                     w_ready,
    output logic [DATA_WIDTH-1:0]    w_data,
    output logic                     w_last,
    input  logic                     b_valid,
    input  logic [1:0]               b_resp,
    output logic                     idle            // no record waiting or being written
);
    import smmu_pkg::*;
    localparam int DPB = DATA_WIDTH / 64;        // dwords per beat
    localparam int NBEATS = 4 / DPB;
    localparam int AW_ = $clog2(DEPTH);

    // ------------------------------------------------------------ FIFO
    evt_t q [DEPTH];   // unpacked: LUT RAM on the FPGA (a write enable per 4 bits, not per bit)
    logic [AW_:0] wp, rp;
    logic full, empty, push, pop;
    evt_t push_evt;
    assign full = (wp[AW_-1:0] == rp[AW_-1:0]) && (wp[AW_] != rp[AW_]);
    assign empty = (wp == rp);
    // The sources take turns, one per cycle (turn is a register): a source's ready does not
    // depend on the others' valid, which the channels decide late in the cycle. A record
    // waits at most two cycles for its turn; events are rare and the FIFO drains slower.
    logic [1:0] turn;
    always_ff @(posedge clk) turn <= (rst || turn == 2'd2) ? 2'd0 : turn + 2'd1;
    always_comb
        for (int k = 0; k < 3; k++) e_ready[k] = !full && int'(turn) == k;
    always_comb begin
        case (turn)
            2'd0: begin push = e_valid[0]; push_evt = e_evt[0]; end
            2'd1: begin push = e_valid[1]; push_evt = e_evt[1]; end
            default: begin push = e_valid[2]; push_evt = e_evt[2]; end
        endcase
        push = push && !full;
    end

    // ------------------------------------------------------------ record
    evt_t e;
    assign e = q[rp[AW_-1:0]];
    logic [3:0][63:0] rec;
    assign rec[0] = {e.sid, e.ssid, e.ssv, 3'b000, e.id};
    assign rec[1] = {22'b0, e.cls, 4'b0, e.rnw, e.ind, e.pnu, 1'b0, e.stall, 15'b0, e.stag};
    assign rec[2] = 64'(e.addr);
    assign rec[3] = 64'({e.fetch[PAW-1:3], 3'b000});

    // ------------------------------------------------------------ queue pointers
    logic [19:0] wmask, imask, prod_p, cons_p, prod_inc;
    logic q_full;
    // registered: LOG2SIZE is static while the queue is in use, and the masks would
    // otherwise start every pointer compare and address in the whole SMMU
    always_ff @(posedge clk) begin
        wmask <= (20'd2 << evtq_log2size) - 20'd1;   // index + wrap
        imask <= (20'd1 << evtq_log2size) - 20'd1;   // index
    end
    assign prod_p = evtq_prod[19:0] & wmask;
    assign cons_p = evtq_cons[19:0] & wmask;
    assign q_full = (prod_p & imask) == (cons_p & imask) && prod_p != cons_p;
    assign prod_inc = (prod_p + 20'd1) & wmask;

    typedef enum logic [1:0] { S_IDLE, S_WRITE, S_RESP } state_t;
    state_t st;
    logic aw_done, w_done;
    logic [$clog2(NBEATS+1)-1:0] beat;

    assign aw_valid = (st == S_WRITE) && !aw_done;
    assign aw_addr = evtq_base + (PAW'(prod_p & imask) << 5);
    assign aw_len = 8'(NBEATS - 1);
    assign aw_size = 3'($clog2(DATA_WIDTH / 8));
    assign w_valid = (st == S_WRITE) && !w_done;
    assign w_last = (int'(beat) == NBEATS - 1);
    always_comb
        for (int i = 0; i < DPB; i++) w_data[64*i +: 64] = rec[int'(beat) * DPB + i];

    assign idle = empty && st == S_IDLE;

    wire deliver = evtqen && !gerror_evtq_abt && !gerror_toggle_abt;  // toggle: active next cycle
    wire drop = st == S_IDLE && !empty && (!deliver || q_full);
    assign pop = drop || (st == S_RESP && b_valid);
    assign stall_kill = e.stall && (drop || (st == S_RESP && b_valid && b_resp[1]));
    assign stall_kill_stag = e.stag;

    always_ff @(posedge clk) begin
        if (rst) begin
            wp <= '0;
            rp <= '0;
            st <= S_IDLE;
            aw_done <= 1'b0;
            w_done <= 1'b0;
            beat <= '0;
            evtq_prod_we <= 1'b0;
            gerror_toggle_abt <= 1'b0;
        end else begin
            evtq_prod_we <= 1'b0;
            gerror_toggle_abt <= 1'b0;
            if (push) wp <= wp + 1'b1;
            if (pop) rp <= rp + 1'b1;
            case (st)
                S_IDLE: if (!empty && deliver) begin
                    if (q_full) begin
                        if (evtq_prod[31] == evtq_cons[31]) begin
                            evtq_prod_we <= 1'b1;
                            evtq_prod_wdata <= {~evtq_prod[31], evtq_prod[30:0]};
                        end
                    end else begin
                        st <= S_WRITE;
                        aw_done <= 1'b0;
                        w_done <= 1'b0;
                        beat <= '0;
                    end
                end
                S_WRITE: begin
                    if (aw_valid && aw_ready) aw_done <= 1'b1;
                    if (w_valid && w_ready) begin
                        beat <= beat + 1'b1;
                        if (w_last) w_done <= 1'b1;
                    end
                    if ((aw_done || aw_ready) && (w_done || (w_valid && w_ready && w_last)))
                        st <= S_RESP;
                end
                S_RESP: if (b_valid) begin
                    st <= S_IDLE;
                    if (b_resp[1]) gerror_toggle_abt <= 1'b1;
                    else begin
                        evtq_prod_we <= 1'b1;
                        evtq_prod_wdata <= {evtq_prod[31], 11'b0, prod_inc};
                    end
                end
                default: st <= S_IDLE;
            endcase
        end
    end

    // The free slot at wp is written whenever the FIFO is not full, whether or not a
    // record is offered: its enable then depends on registers only, not on e_valid (timing)
    always_ff @(posedge clk)
        if (!full) q[wp[AW_-1:0]] <= push_evt;

    wire unused_ok = &{1'b0, evtq_cons[30:20], b_resp[0]};

`ifndef SYNTHESIS
    // ------------------------------------------------------------ transaction trace
    // +trace=<prefix> -> <prefix>.<instance>.jsonl: one "event" record per record written
    // to the queue (write response OKAY), docs/debugging.md "From the HDL".
    int trace_fd = 0;
    initial begin : trace_open
        string prefix;
        if ($value$plusargs("trace=%s", prefix))
            trace_fd = $fopen($sformatf("%s.%m.jsonl", prefix), "w");
    end
    final if (trace_fd != 0) $fclose(trace_fd);
    always_ff @(posedge clk)
        if (trace_fd != 0 && !rst && st == S_RESP && b_valid && !b_resp[1])
            $fwrite(trace_fd, "{\"kind\":\"event\",\"t\":%0d,\"event_id\":%0d,\"name\":\"%s\",\"sid\":%0d,\"ssid\":%0d,\"ssv\":%0d,\"addr\":%0d,\"rnw\":%0d,\"stall\":%0d,\"stag\":%0d,\"index\":%0d,\"src\":\"rtl\"}\n",
                    $time, e.id, evt_name(e.id), e.sid, e.ssid, e.ssv, e.addr, e.rnw,
                    e.stall, e.stag, prod_p & imask);
`endif
endmodule
