#include "kernels/cpu/scratch.h"

#include <atomic>

namespace ptscope::kernels {

namespace {
std::atomic<uint64_t> g_live{0};
std::atomic<uint64_t> g_peak{0};
}  // namespace

void scratch_reset() { g_peak.store(g_live.load(std::memory_order_relaxed), std::memory_order_relaxed); }

uint64_t scratch_peak_bytes() { return g_peak.load(std::memory_order_relaxed); }

void scratch_acquire(uint64_t bytes) {
  const uint64_t now = g_live.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  uint64_t peak = g_peak.load(std::memory_order_relaxed);
  while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

void scratch_release(uint64_t bytes) { g_live.fetch_sub(bytes, std::memory_order_relaxed); }

}  // namespace ptscope::kernels
