// Launch geometry of the .cu kernels: blocks of kThreads threads and a grid
// for grid-stride loops, capped so that a huge tensor loops rather than
// launching more blocks than the device takes.
#pragma once
#include <cstdint>

namespace ptscope::kernels::cuda {

constexpr int kThreads = 256;

// Blocks for n elements at per_thread elements a thread (at least 1).
inline unsigned grid_for(int64_t n, int per_thread = 1) {
  int64_t blocks = (n + int64_t(kThreads) * per_thread - 1) / (int64_t(kThreads) * per_thread);
  if (blocks > 65535LL * 16) blocks = 65535LL * 16;  // grid-stride loops cover the rest
  return unsigned(blocks < 1 ? 1 : blocks);
}

}  // namespace ptscope::kernels::cuda
