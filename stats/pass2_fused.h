// Pass 2 on float32 chunks as one vector loop: every vector of values is
// loaded once and all pass-2 metrics run in registers (histogram positions,
// five fake-quantization grids, fp16/bf16 round trips, the k·σ and near-zero
// counts, the pruning energies and boundary collection). Internal to
// stats/. It runs on the avx512 and avx2 ISA paths (chosen at run time,
// core/isa.h); on the generic path the caller keeps the separate portable loops.
#pragma once
#include <cstdint>
#include <vector>

#include "stats/quant_kernels.h"

namespace ptscope::stats {

// Whether the vector loop runs: the active ISA path is avx512 or avx2 (core/isa.h).
// Otherwise fused_pass2_run returns false and the caller keeps its portable loops.
bool fused_pass2_available();

// numpy.histogram's bin of v: the float position (v − lo)·scale clamped to
// [0, bins − 1] is within one of it, and edge[k] <= v < edge[k + 1] settles
// it (edge[k] = the smallest T >= numpy's edge k; the bounds checks matter
// only for the zeros standing in for non-finite values).
template <class T> int refine_bin(T v, int k, const T* edge, int bins) {
  k -= (k > 0) & (v < edge[k]);
  k += (k < bins - 1) & (v >= edge[k + 1]);
  return k;
}
template <class T> int numpy_bin(T v, T lo, T scale, const T* edge, int bins) {
  const T last = T(bins - 1);
  T f = (v - lo) * scale;
  f = f > T(0) ? f : T(0);
  f = f < last ? f : last;
  return refine_bin(v, int(f), edge, bins);
}

// Per-tensor constants (the float lane's pass-2 parameters).
struct FusedConsts {
  // Histogram: approximate position (x − lo)·scale in bins, trusted when at
  // least `margin` away from an integer; otherwise numpy's rule on the edges
  // (hist_edge[k] = the smallest float >= numpy's edge k, hist_bins + 1 of them).
  bool hist_fast = false;
  float hist_lo = 0, hist_scale = 0, hist_last = 0, margin = 0;
  const float* hist_edge = nullptr;
  int hist_bins = 1;
  double scale8 = 0, scale4 = 0;  // tensor scales, absmax/127 and absmax/7
  float ksig[3] = {0, 0, 0};      // count |w| < ksig[k]
  float near = 0;                 // count |w| <= near
  bool prune = false;             // energy below prune_lo[k], collect [prune_lo, prune_hi)
  float prune_lo[3] = {0, 0, 0}, prune_hi[3] = {0, 0, 0};
  bool count_overflow = false;    // some |w| may round to inf in half
  bool count_flush = false;       // some nonzero |w| may round to 0 in half
};

// Totals of one run (all elements finite).
struct FusedOut {
  RunErrors fq;
  RoundTripAcc rt;
  int64_t below[3] = {0, 0, 0};
  int64_t near = 0;
  double e_below[3] = {0, 0, 0};
};

// Interleaved histogram tables: element i of a run counts in table i % kHistWays
// (hist[way·bins + bin]), so that runs of equal bins do not wait on each
// other's stores.
inline constexpr int kHistWays = 8;

// One run of one output channel starting at a group-of-128 boundary. Adds
// each element's histogram bin to `hist`. Returns false, doing nothing, when
// a scale has no float inverse (denormal ranges); the caller then takes the
// portable path.
bool fused_pass2_run(const float* x, int64_t n, const FusedConsts& c, bool channel, double scale8_channel,
                     double scale4_channel, uint64_t* hist, FusedOut& out, std::vector<double> collect[3]);

}  // namespace ptscope::stats
