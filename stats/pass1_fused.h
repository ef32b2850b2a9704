// Pass 1 on float32 chunks as one vector loop: the shifted power sums,
// Σ|w|, Σw² (double), min/max, exact zeros, and the magnitude keys of the
// pruning brackets, with every vector of values loaded once. Internal to
// stats/. It runs on the avx512 and avx2 ISA paths (chosen at run time,
// core/isa.h); on the generic path the caller keeps its portable loops.
#pragma once
#include <bit>
#include <cstdint>

namespace ptscope::stats {

// Whether the vector loop runs: the active ISA path is avx512 or avx2 (core/isa.h).
// Otherwise fused_pass1_run returns false and the caller keeps its portable loops.
bool fused_pass1_available();

// Three inclusive ranges of magnitude keys (bits(|w|) >> 16) that bracket the
// pruning quantiles; an empty range has lo = 0xffffffff and width 0
// (finite keys are at most 0x7f7f). Keys up to `tiny` (2^-25's: magnitudes
// that fp16 may flush to zero) are counted too.
struct KeyBrackets {
  uint32_t lo[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
  uint32_t width[3] = {0, 0, 0};  // key k is inside when k − lo <= width (unsigned)
  uint32_t tiny = std::bit_cast<uint32_t>(0x1p-25f) >> 16;

  // One finite magnitude's key, on the scalar paths: counts it below each
  // bracket and up to `tiny`; true when it lies inside a bracket.
  bool tally(uint32_t k, int64_t below[3], int64_t& tiny_count) const {
    bool in = false;
    for (int j = 0; j < 3; ++j) {
      in |= k - lo[j] <= width[j];
      below[j] += k < lo[j];
    }
    tiny_count += k <= tiny;
    return in;
  }
};

struct FusedMoments {
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;  // Σ(w − K)^p
  double l1 = 0, sq = 0;                  // Σ|w|, Σw²
  float mn = 0, mx = 0;
  int64_t zeros = 0;
  int64_t below[3] = {0, 0, 0};  // keys below each bracket
  int64_t tiny = 0;              // keys <= KeyBrackets::tiny
};

// Sums over x[0, n) (n <= 4096). When `keys` is given, adds one to
// keys[bits(|w|) >> 16] for each value whose key lies in a bracket, and
// counts the keys below each bracket and up to `tiny`. Returns false, leaving
// `m` and `keys` untouched, when some value is NaN or infinite (the caller
// then classifies each value on its slow path).
bool fused_pass1_run(const float* x, int64_t n, double K, FusedMoments& m, uint64_t* keys,
                     const KeyBrackets& brackets);

}  // namespace ptscope::stats
