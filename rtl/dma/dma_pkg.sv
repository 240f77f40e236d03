// Shared constants of the PASID-tagging DMA accelerator. The descriptor and
// completion-record layouts are defined once in sw/pasidsim/dma_desc.py and
// documented in docs/dma.md; the offsets below must match them.
package dma_pkg;
  // opcodes (descriptor byte 0)
  // 0 NOP and 1 DRAIN move no data
  localparam logic [7:0] OP_MEMMOVE = 8'd2, OP_FILL = 8'd3,
                         OP_COMPARE = 8'd4;
  // flags (descriptor byte 1)
  localparam int FL_COMP = 0, FL_IRQ = 1, FL_BOF = 2;
  localparam logic [7:0] FLAGS_VALID = 8'h07;
  // completion status (record byte 0)
  localparam logic [7:0] ST_SUCCESS = 8'd1, ST_PAGE_FAULT = 8'd2, ST_BUS_ERROR = 8'd3,
                         ST_INV_OPCODE = 8'd4, ST_INV_FLAGS = 8'd5, ST_INV_LENGTH = 8'd6,
                         ST_INV_ADDR = 8'd7, ST_OVERLAP = 8'd8;
  // queue error codes (QERR)
  localparam logic [7:0] QE_NONE = 8'd0, QE_DESC_FETCH = 8'd1, QE_COMP_WRITE = 8'd2,
                         QE_BUS_ERROR = 8'd3, QE_INV_DESC = 8'd4;
  // chunk results from the write engine
  localparam logic [1:0] CR_OK = 2'd0, CR_FAULT = 2'd1, CR_BUS = 2'd2, CR_SKIP = 2'd3;

  localparam int VA_BITS = 48;
  localparam int MAX_LEN_LOG2 = 20;  // largest legal length is 2**20 bytes

  // AXI IDs of the three request streams (the interconnect may reorder between them)
  localparam int ID_CTRL = 0, ID_RD = 1, ID_CMP = 2;

  // One chunk of a data descriptor: never crosses a 4 KiB page of src (if used) or dst.
  typedef struct packed {
    logic        has_src;   // MEMMOVE, COMPARE: the source is read
    logic        is_fill;
    logic        is_cmp;
    logic [20:0] off;       // offset of the chunk in the descriptor
    logic [47:0] src;       // VA of the chunk's first source byte
    logic [47:0] dst;       // VA of the chunk's first destination byte
    logic [12:0] len;       // 1..4096
    logic [9:0]  sbeats;    // bus beats covering [src, src+len) (computed once, by dma_ctrl)
    logic [9:0]  dbeats;    // bus beats covering [dst, dst+len)
  } chunk_t;
  // (the FILL pattern is the descriptor's, wired from dma_ctrl: it cannot change while
  // a chunk of the descriptor is in flight)

  // Outcome of a chunk's source reads (read engine -> write engine, in chunk order).
  typedef struct packed {
    logic skipped;  // no reads issued (no source, or the descriptor was aborted)
    logic bus;      // some beat returned DECERR
    logic fault;    // some beat returned SLVERR
  } rd_status_t;

  // Outcome of a chunk (write engine -> descriptor engine, in chunk order).
  typedef struct packed {
    logic [1:0]  code;      // CR_*
    logic        is_write;  // the failing access was a write
    logic        on_dst;    // the failing access was to the destination
    logic        mismatch;  // COMPARE found a difference at mism_off
    logic [12:0] mism_off;
    logic [20:0] off;
    logic [12:0] len;
  } chunk_res_t;
endpackage
