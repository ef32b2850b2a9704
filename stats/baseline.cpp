#include "stats/baseline.h"

#include <atomic>
#include <chrono>
#include <cstring>

#include "stats/parallel.h"

namespace ptscope {

ReadBaseline read_baseline(const std::vector<const Tensor*>& tensors, unsigned threads) {
  struct Piece {
    const uint8_t* p;
    uint64_t n;
  };
  constexpr uint64_t kPiece = 4 << 20;
  std::vector<Piece> pieces;
  ReadBaseline r;
  for (const Tensor* t : tensors) {
    const uint8_t* p = t->data();
    if (!p || t->numel() == 0 || !t->is_contiguous()) continue;
    const uint64_t n = t->nbytes();
    r.bytes += n;
    for (uint64_t o = 0; o < n; o += kPiece) pieces.push_back({p + o, std::min(kPiece, n - o)});
  }
  std::atomic<uint64_t> sum{0};
  const auto t0 = std::chrono::steady_clock::now();
  stats::parallel_for(pieces.size(), stats::resolve_threads(threads), [&](size_t i, unsigned) {
    const Piece& pc = pieces[i];
    uint64_t acc[8] = {};
    uint64_t k = 0;
    for (; k + 64 <= pc.n; k += 64)
      for (int j = 0; j < 8; ++j) {
        uint64_t w;
        std::memcpy(&w, pc.p + k + 8 * j, 8);
        acc[j] += w;
      }
    uint64_t s = 0;
    for (; k < pc.n; ++k) s += pc.p[k];
    for (uint64_t a : acc) s += a;
    sum += s;
  });
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.checksum = sum;
  return r;
}

}  // namespace ptscope
