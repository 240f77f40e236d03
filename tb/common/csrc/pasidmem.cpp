// pasidmem: the simulated physical RAM, shared zero-copy between the HDL and Python.
//
// Linked into the Verilator model (rtl/sim/axi_dpi_ram.sv calls the DPI-C functions
// below once per data beat) and opened with ctypes by the cocotb test running in the
// same process, which gets a pointer to the very same bytes. Memory is one anonymous
// MAP_NORESERVE mapping: untouched pages cost nothing, so a large size is cheap.
// Error ranges make chosen addresses answer SLVERR (bus-error injection).
// An optional access log (off by default; pm_log_enable) records every byte range the HDL
// reads or writes, consecutive lanes of one kind merged into one entry, for the isolation
// scoreboard (tb/common/scoreboard.py): no Python runs per beat, the log is read after.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <vector>

namespace {
uint8_t *g_mem = nullptr;
uint64_t g_size = 0;
struct Range { uint64_t lo, hi; int mask; };  // [lo, hi), mask: 1 read, 2 write
std::vector<Range> g_err;
uint64_t g_beats_rd = 0, g_beats_wr = 0;
struct LogEntry { uint64_t addr, len, write; };  // write: 0 read, 1 write
std::vector<LogEntry> g_log;
int g_log_mask = 0;          // 1: log reads, 2: log writes
uint64_t g_log_limit = 1u << 24;  // entries; past it only g_log_dropped counts
uint64_t g_log_dropped = 0;

// Merge with the previous entry when this range continues it (a burst's next lane).
void log_access(uint64_t addr, uint64_t len, int write) {
    if (!(g_log_mask & (write ? 2 : 1)) || len == 0) return;
    if (!g_log.empty()) {
        LogEntry &e = g_log.back();
        if (e.write == uint64_t(write) && e.addr + e.len == addr) { e.len += len; return; }
    }
    if (g_log.size() >= g_log_limit) { ++g_log_dropped; return; }
    g_log.push_back({addr, len, uint64_t(write)});
}

void ensure() {
    if (g_mem) return;
    const char *env = std::getenv("PASIDSIM_MEM_BYTES");
    g_size = env ? std::strtoull(env, nullptr, 0) : (1ull << 32);
    void *p = mmap(nullptr, g_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) std::abort();
    g_mem = static_cast<uint8_t *>(p);
}
}  // namespace

extern "C" {
// ---- Python (ctypes) side
uint64_t pm_base() { ensure(); return reinterpret_cast<uint64_t>(g_mem); }
uint64_t pm_size() { ensure(); return g_size; }
void pm_add_error(uint64_t lo, uint64_t hi, int mask) { g_err.push_back({lo, hi, mask}); }
void pm_clear_errors() { g_err.clear(); }
uint64_t pm_beats(int write) { return write ? g_beats_wr : g_beats_rd; }
void pm_clear() { ensure(); madvise(g_mem, g_size, MADV_DONTNEED); }
// access log: mask 1 = reads, 2 = writes, 0 = off (the log is kept until pm_log_clear)
void pm_log_enable(int mask) { g_log_mask = mask; }
void pm_log_clear() { g_log.clear(); g_log_dropped = 0; }
uint64_t pm_log_count() { return g_log.size(); }
uint64_t pm_log_dropped() { return g_log_dropped; }
void pm_log_set_limit(uint64_t n) { g_log_limit = n; }
// copy up to n entries from index first into out[3*i .. 3*i+2] = addr, len, write
uint64_t pm_log_copy(uint64_t first, uint64_t n, uint64_t *out) {
    uint64_t k = 0;
    for (uint64_t i = first; i < g_log.size() && k < n; ++i, ++k) {
        out[3 * k] = g_log[i].addr;
        out[3 * k + 1] = g_log[i].len;
        out[3 * k + 2] = g_log[i].write;
    }
    return k;
}

// ---- HDL (DPI-C) side: one call per 64-bit lane of a beat
int pm_error(uint64_t addr, int write) {
    ensure();
    if (addr >= g_size || g_size - addr < 8) return 1;
    for (const Range &r : g_err)
        if (addr < r.hi && addr + 8 > r.lo && (r.mask & (write ? 2 : 1))) return 1;
    return 0;
}
uint64_t pm_read64(uint64_t addr) {
    ensure();
    ++g_beats_rd;
    if (addr >= g_size || g_size - addr < 8) return 0;
    log_access(addr, 8, 0);
    uint64_t v;
    std::memcpy(&v, g_mem + addr, 8);
    return v;
}
void pm_write64(uint64_t addr, uint64_t data, int strb) {
    ensure();
    ++g_beats_wr;
    if (addr >= g_size || g_size - addr < 8) return;
    if (g_log_mask & 2 && strb & 0xff) {  // the strobed span (holes inside count as written)
        int lo = __builtin_ctz(strb & 0xff), hi = 31 - __builtin_clz(strb & 0xff);
        log_access(addr + lo, hi - lo + 1, 1);
    }
    if (strb == 0xff) { std::memcpy(g_mem + addr, &data, 8); return; }
    for (int i = 0; i < 8; ++i)
        if (strb & (1 << i)) g_mem[addr + i] = static_cast<uint8_t>(data >> (8 * i));
}
}
