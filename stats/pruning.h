// Pruning potential of a tensor: magnitude thresholds, the energy that
// unstructured magnitude pruning keeps, and output channels that carry
// (almost) nothing.
#pragma once
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace ptscope {

inline constexpr std::array<double, 3> kSigmaMultiples{0.5, 1.0, 2.0};
inline constexpr std::array<double, 3> kPruneSparsities{0.5, 0.7, 0.9};

struct PruneStats {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  // Fraction of finite weights with |w| < k·σ (σ = population std), k in kSigmaMultiples.
  std::array<double, 3> below_k_sigma{nan, nan, nan};
  // Σ_{kept} w² / Σ w² after zeroing the round(s·n) smallest |w| (ties: any), s in kPruneSparsities.
  std::array<double, 3> energy_kept{nan, nan, nan};
  // The largest pruned |w| at each sparsity (0 when nothing is pruned).
  std::array<double, 3> magnitude_threshold{nan, nan, nan};
  // Output channels = rows of [out, -1] (ndim >= 2 only; 0 otherwise).
  int64_t channels = 0;
  int64_t dead_channels = 0;       // L2 norm exactly 0
  int64_t near_dead_channels = 0;  // 0 < L2 <= 1% of the median channel L2
  double channel_l2_min = nan, channel_l2_median = nan, channel_l2_max = nan, channel_l2_mean = nan;
  std::vector<double> channel_l2;  // per channel, only when StatsOptions::keep_channel_norms
};

// Channel part from per-row sums of squares.
void channel_stats(PruneStats& p, const std::vector<double>& row_sq, bool keep_norms);

// Energy kept when pruning the k smallest of `magnitudes` (exact, for small
// tensors and tests): returns {energy_kept, threshold}.
std::array<double, 2> energy_kept_exact(std::vector<double> magnitudes, int64_t k, double total_energy);

}  // namespace ptscope
