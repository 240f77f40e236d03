// replay_main: the "no Python" limit of `make bench` (configuration (c)).
//
// Drives the same Verilator model (built without --vpi/--public-flat-rw) through a plain
// C++ loop: replays the AXI-Lite transactions and backdoor RAM writes that a cocotb run
// recorded (tb/bench/record.py describes replay.txt), runs to the recorded end cycle,
// then checks the CRC-32 of the recorded RAM regions, proving the same workload ran.
// Usage: replay <dir with replay.txt, replay.bin>   Prints one JSON line.
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "verilated.h"
#include "Vtop.h"

extern "C" uint64_t pm_base();
extern "C" uint64_t pm_size();

namespace {
struct Op { char kind; uint64_t cycle, addr, data, len, off; };
struct Hash { uint64_t addr, len; uint32_t crc; };

uint32_t crc32(const uint8_t *p, uint64_t n) {  // zlib's CRC-32 (reflected 0xEDB88320)
    static uint32_t table[256];
    if (!table[1])
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    uint32_t c = 0xFFFFFFFFu;
    for (uint64_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

[[noreturn]] void die(const std::string &msg) {
    std::fprintf(stderr, "replay: %s\n", msg.c_str());
    std::exit(2);
}
}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) die("usage: replay <folder with replay.txt and replay.bin>");
    const std::string dir = argv[1];
    std::ifstream txt(dir + "/replay.txt");
    if (!txt) die("cannot open " + dir + "/replay.txt");
    std::ifstream binf(dir + "/replay.bin", std::ios::binary);
    std::vector<uint8_t> blob((std::istreambuf_iterator<char>(binf)), std::istreambuf_iterator<char>());

    std::deque<Op> bus, mem;
    std::vector<Hash> hashes;
    uint64_t end = 0;
    for (std::string line; std::getline(txt, line);) {
        std::istringstream s(line);
        char k = 0;
        s >> k;
        Op op{k, 0, 0, 0, 0, 0};
        if (k == 'W') s >> std::dec >> op.cycle >> std::hex >> op.addr >> op.data, bus.push_back(op);
        else if (k == 'R') s >> std::dec >> op.cycle >> std::hex >> op.addr, bus.push_back(op);
        else if (k == 'M') s >> std::dec >> op.cycle >> std::hex >> op.addr >> op.len >> op.off, mem.push_back(op);
        else if (k == 'H') { Hash h; s >> std::hex >> h.addr >> h.len >> h.crc; hashes.push_back(h); }
        else if (k == 'E') s >> std::dec >> end;
        else if (k) die("bad line: " + line);
    }
    uint8_t *ram = reinterpret_cast<uint8_t *>(pm_base());
    const uint64_t ram_size = pm_size();

    VerilatedContext ctx;
    ctx.commandArgs(argc, argv);
    Vtop top(&ctx);
    top.clk = 0;
    top.rst = 1;
    top.s_axil_awvalid = top.s_axil_wvalid = top.s_axil_arvalid = 0;
    top.s_axil_bready = top.s_axil_rready = 1;
    top.s_axil_wstrb = 0xF;
    top.s_axil_awprot = top.s_axil_arprot = 0;

    // Iteration k makes rising edge k (edge 0 at time 0, as the cocotb Clock). Python
    // acting after edge c is seen at edge c+1, so an op stamped c is applied in
    // iteration c+1. AXI-Lite master: one transaction at a time, never early.
    bool busy = false, aw_done = false, w_done = false;
    const bool debug = std::getenv("REPLAY_DEBUG") != nullptr;
    char cur = 0;
    uint64_t cycle = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    for (cycle = 0; cycle <= end; ++cycle) {
        if (cycle == 10) top.rst = 0;  // tbutil.start_clock_and_reset: edges 0..9 in reset
        while (!mem.empty() && mem.front().cycle < cycle) {
            const Op &m = mem.front();
            if (m.addr + m.len > ram_size || m.off + m.len > blob.size()) die("memory op out of range");
            std::memcpy(ram + m.addr, blob.data() + m.off, m.len);
            mem.pop_front();
        }
        if (!busy && !bus.empty() && bus.front().cycle < cycle) {
            const Op &b = bus.front();
            cur = b.kind;
            busy = true;
            if (cur == 'W') {
                top.s_axil_awaddr = b.addr; top.s_axil_wdata = b.data;
                top.s_axil_awvalid = 1; top.s_axil_wvalid = 1;
                aw_done = w_done = false;
            } else {
                top.s_axil_araddr = b.addr; top.s_axil_arvalid = 1;
            }
            if (debug) std::fprintf(stderr, "start %c %llu at %llu\n", cur, (unsigned long long)b.cycle, (unsigned long long)cycle);
            bus.pop_front();
        }
        top.clk = 0;
        top.eval();
        // handshakes happen at the coming edge: sample ready/valid before it
        const bool aw_hs = top.s_axil_awvalid && top.s_axil_awready;
        const bool w_hs = top.s_axil_wvalid && top.s_axil_wready;
        const bool b_hs = top.s_axil_bvalid && top.s_axil_bready;
        const bool ar_hs = top.s_axil_arvalid && top.s_axil_arready;
        const bool r_hs = top.s_axil_rvalid && top.s_axil_rready;
        ctx.timeInc(2);
        top.clk = 1;
        top.eval();
        ctx.timeInc(2);
        if (busy && cur == 'W') {
            if (aw_hs) { top.s_axil_awvalid = 0; aw_done = true; }
            if (w_hs) { top.s_axil_wvalid = 0; w_done = true; }
            if (b_hs && aw_done && w_done) busy = false;
        } else if (busy && cur == 'R') {
            if (ar_hs) top.s_axil_arvalid = 0;
            if (r_hs) busy = false;
        }
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    top.final();

    int bad = 0;
    for (const Hash &h : hashes) {
        if (h.addr + h.len > ram_size) die("hash region out of range");
        const uint32_t got = crc32(ram + h.addr, h.len);
        if (got != h.crc) {
            ++bad;
            std::fprintf(stderr, "replay: CRC of [%#llx +%#llx) is %08x, the cocotb run had %08x\n",
                         (unsigned long long)h.addr, (unsigned long long)h.len, got, h.crc);
        }
    }
    std::printf("{\"cycles\": %llu, \"wall_s\": %.6f, \"cpu_s\": %.6f, \"pending_ops\": %zu, "
                "\"hash_mismatches\": %d}\n", (unsigned long long)cycle, wall, cpu, bus.size() + mem.size() + (busy ? 1 : 0), bad);
    return bad ? 1 : 0;
}
