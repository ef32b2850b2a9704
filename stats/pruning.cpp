#include "stats/pruning.h"

#include <algorithm>
#include <cmath>

namespace ptscope {

void channel_stats(PruneStats& p, const std::vector<double>& row_sq, bool keep_norms) {
  p.channels = int64_t(row_sq.size());
  p.dead_channels = p.near_dead_channels = 0;
  if (row_sq.empty()) return;
  std::vector<double> l2(row_sq.size());
  for (size_t i = 0; i < l2.size(); ++i) l2[i] = std::sqrt(row_sq[i]);
  std::vector<double> sorted = l2;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  p.channel_l2_min = sorted.front();
  p.channel_l2_max = sorted.back();
  p.channel_l2_median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  double sum = 0;
  for (double v : sorted) sum += v;
  p.channel_l2_mean = sum / double(n);
  const double near = 0.01 * p.channel_l2_median;
  for (double v : l2) {
    if (v == 0) ++p.dead_channels;
    else if (v <= near) ++p.near_dead_channels;
  }
  if (keep_norms) p.channel_l2 = std::move(l2);
}

std::array<double, 2> energy_kept_exact(std::vector<double> magnitudes, int64_t k, double total_energy) {
  k = std::clamp<int64_t>(k, 0, int64_t(magnitudes.size()));
  if (k == 0) return {total_energy > 0 ? 1.0 : std::nan(""), 0.0};
  std::nth_element(magnitudes.begin(), magnitudes.begin() + (k - 1), magnitudes.end());
  const double threshold = magnitudes[size_t(k - 1)];
  double pruned = 0;
  for (int64_t i = 0; i < k; ++i) pruned += magnitudes[size_t(i)] * magnitudes[size_t(i)];
  const double kept = total_energy > 0 ? (total_energy - pruned) / total_energy : std::nan("");
  return {kept, threshold};
}

}  // namespace ptscope
