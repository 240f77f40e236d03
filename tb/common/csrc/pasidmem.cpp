// pasidmem: the simulated physical RAM, shared zero-copy between the HDL and Python.
//
// Linked into the Verilator model (rtl/sim/axi_dpi_ram.sv calls the DPI-C functions
// below once per data beat) and opened with ctypes by the cocotb test running in the
// same process, which gets a pointer to the very same bytes. Memory is one anonymous
// MAP_NORESERVE mapping: untouched pages cost nothing, so a large size is cheap.
// Error ranges make chosen addresses answer SLVERR (bus-error injection).
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
    uint64_t v;
    std::memcpy(&v, g_mem + addr, 8);
    return v;
}
void pm_write64(uint64_t addr, uint64_t data, int strb) {
    ensure();
    ++g_beats_wr;
    if (addr >= g_size || g_size - addr < 8) return;
    if (strb == 0xff) { std::memcpy(g_mem + addr, &data, 8); return; }
    for (int i = 0; i < 8; ++i)
        if (strb & (1 << i)) g_mem[addr + i] = static_cast<uint8_t>(data >> (8 * i));
}
}
