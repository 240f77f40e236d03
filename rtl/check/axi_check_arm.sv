// Simulation only: `armed` rises at the first reset and stays. The protocol checkers
// check only while armed: before the first reset (X-randomized state and a possible
// clock edge at time 0 under test_xrand) nothing on the ports is the design's behaviour.
module axi_check_arm (
    input  logic clk,
    input  logic rst,
    output logic armed
);
`ifndef SYNTHESIS
    initial armed = 1'b0;
    always @(posedge clk) if (rst) armed <= 1'b1;
`else
    assign armed = 1'b1;
`endif
endmodule
