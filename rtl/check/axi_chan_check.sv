// Simulation-only checker for one AXI / AXI-Lite channel: the handshake rules every
// channel shares (AMBA AXI A3.2.1). Fires $error naming the interface, channel and rule;
// with --assert that stops the simulation and fails the cocotb test.
//   VALID_HELD      once VALID is high it stays high until the READY handshake
//   PAYLOAD_STABLE  the payload does not change while VALID && !READY
//   VALID_KNOWN     VALID is never X after reset (vacuous on 2-state Verilator; kept for
//                   4-state simulators)
module axi_chan_check #(
    parameter string IF_NAME = "axi",   // interface named in messages, e.g. "smmu_top.s_axi"
    parameter string CH      = "AW",    // channel: AW W B AR R
    parameter int    W       = 1        // payload bits
) (
    input  logic         clk,
    input  logic         rst,
    input  logic         valid,
    input  logic         ready,
    input  logic [W-1:0] payload
);
`ifndef SYNTHESIS
    logic armed;   // checks start at the first reset
    axi_check_arm u_arm (.clk, .rst, .armed);

    logic         waiting;    // VALID && !READY at the previous edge
    logic [W-1:0] payload_q;  // payload at the previous edge

    always_ff @(posedge clk) begin
        waiting   <= armed && !rst && valid && !ready;
        payload_q <= payload;
    end

    always_ff @(posedge clk) begin
        if (armed && !rst) begin
            assert (!$isunknown(valid))
                else $error("AXI checker %s %s: %sVALID is X after reset (rule VALID_KNOWN)",
                            IF_NAME, CH, CH);
            if (waiting) begin
                assert (valid)
                    else $error("AXI checker %s %s: %sVALID dropped before %sREADY (rule VALID_HELD)",
                                IF_NAME, CH, CH, CH);
                assert (!valid || payload == payload_q)
                    else $error("AXI checker %s %s: payload changed while %sVALID && !%sREADY: %0h -> %0h (rule PAYLOAD_STABLE)",
                                IF_NAME, CH, CH, CH, payload_q, payload);
            end
        end
    end
`endif
endmodule
