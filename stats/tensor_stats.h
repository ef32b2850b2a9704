// Per-tensor statistics over the real weights, read straight from the mapped
// file. Every definition is in docs/stats.md; the short version:
// - all value statistics are over the finite elements (NaN/±inf are counted,
//   then left out), accumulated in double whatever the stored dtype;
// - two passes over the bytes: pass 1 = moments, norms, extremes, zeros,
//   non-finite counts, per-channel sums and the magnitude key table; pass 2
//   (needs pass 1's range) = histogram, fake quantization, pruning counts.
//   Spectral norms and compressibility read the bytes again on their own.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "stats/compressibility.h"
#include "stats/hardware.h"
#include "stats/pruning.h"
#include "stats/quant_sensitivity.h"
#include "stats/spectral.h"

namespace ptscope {

struct StatsOptions {
  int bins = 64;                 // histogram bins over [min, max]
  unsigned threads = 0;          // 0: one per hardware thread
  bool spectral = true;
  bool compression = true;
  bool keep_channel_norms = false;
  int64_t block_elements = 1 << 20;  // unit of parallel work within a tensor
  SpectralOptions spectral_options;
  CompressOptions compress_options;
  QuantRule quant_rule;
  // Half-width of the sampled brackets around the pruning quantiles, in
  // standard errors; a quantile outside its bracket costs one more read.
  // Negative: brackets that miss (tests of that path).
  double prune_bracket_se = 5;
};

struct Histogram {
  // numpy.histogram(w, bins, range=(min, max)): equal bins, edges
  // lo + i·(hi − lo)/bins, every bin half-open except the last; a constant
  // tensor gets [v − 0.5, v + 0.5] as numpy does.
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  std::vector<int64_t> counts;
  double entropy_bits = std::numeric_limits<double>::quiet_NaN();  // −Σ p log2 p over the bins
};

struct TensorStats {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  std::string name;  // filled by the model-level driver
  std::string role;
  std::string dtype;
  std::vector<int64_t> shape;
  int64_t numel = 0;
  uint64_t bytes = 0;
  bool floating = false;       // floating or quantized: a weight for the model summary
  bool computed = false;       // false: see skipped_reason
  std::string skipped_reason;

  int64_t count = 0;           // finite elements, the n of everything below
  int64_t nan_count = 0, posinf_count = 0, neginf_count = 0;
  int64_t zeros = 0;           // exact zeros (±0)
  int64_t near_zero = 0;       // |w| <= 1e-6·absmax (so exact zeros always count)
  double sparsity = nan;       // zeros / numel
  double near_zero_fraction = nan;  // near_zero / count
  double mean = nan;
  double std = nan;            // population: sqrt(Σ(w−mean)²/n)
  double std_unbiased = nan;   // sqrt(Σ(w−mean)²/(n−1)), torch.std's default
  double min = nan, max = nan, absmax = nan;
  double l1 = nan, l2 = nan, linf = nan, rms = nan;
  double skewness = nan;       // m3 / m2^1.5
  double kurtosis = nan;       // excess: m4 / m2² − 3
  Histogram histogram;
  SpectralStats spectral;
  QuantStats quant;
  PruneStats prune;
  CompressStats compress;
  HardwareStats hardware;
  int passes = 0;              // full reads of the bytes: 2 (1 with no finite value, 3 when a pruning bracket missed)
};

// Wall time per phase of a batch, seconds.
struct StatsTimings {
  double pass1 = 0, pass2 = 0, spectral = 0, compression = 0, total = 0;
  uint64_t bytes = 0;  // bytes of the tensors that were read
};

TensorStats compute_tensor_stats(const Tensor& t, const StatsOptions& options = {});

// Many tensors at once: the blocks of all tensors share the worker threads.
std::vector<TensorStats> compute_tensor_stats_batch(const std::vector<const Tensor*>& tensors,
                                                    const StatsOptions& options,
                                                    StatsTimings* timings = nullptr);

}  // namespace ptscope
