// Statistics over a whole model: every tensor, totals, parameter-weighted
// averages, the most quantization-sensitive and most prunable layers, and
// recommendations with the rule and the numbers behind each.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/model.h"
#include "stats/tensor_stats.h"

namespace ptscope {

struct ModelStatsOptions {
  StatsOptions stats;
  std::string filter;  // ECMAScript regex searched in tensor names; "" = all
  int top_k = 10;
};

struct RankedTensor {
  std::string name;
  double score = 0;    // the ranking key (see docs/stats.md)
  std::string detail;  // the numbers behind it, human-readable
};

struct Recommendation {
  std::string kind;  // "quantize", "keep-16bit", "prune-unstructured", "prune-structured", "compress", "non-finite"
  std::string text;  // one sentence with the rule and the numbers
  std::vector<std::string> tensors;
};

struct ModelSummary {
  int64_t tensors = 0;         // tensors considered (after --filter)
  int64_t weight_tensors = 0;  // floating or quantized, with statistics
  int64_t skipped = 0;         // no statistics (see skipped_reason)
  int64_t numel = 0;           // elements of the weight tensors
  uint64_t bytes = 0;          // bytes of all considered tensors
  uint64_t weight_bytes = 0;
  int64_t zeros = 0, near_zero = 0, nan = 0, inf = 0;
  double sparsity = 0;         // zeros / numel over the weights
  int64_t channels = 0, dead_channels = 0, near_dead_channels = 0;
  // numel-weighted means over the weight tensors where the metric is finite.
  std::vector<std::pair<std::string, double>> weighted;
  uint64_t recommended_bytes = 0;  // weight bytes after the recommended formats (scales included)
  double zlib_ratio = 0, zstd_ratio = 0;  // weight bytes / estimated compressed bytes
};

struct ModelStats {
  std::string path;
  std::vector<TensorStats> tensors;  // model order
  ModelSummary summary;
  std::vector<RankedTensor> most_sensitive;
  std::vector<RankedTensor> most_prunable;
  std::vector<Recommendation> recommendations;
  StatsTimings timings;
  // Tensors that are another's storage region (core/weights.h): not computed
  // twice, (name, the tensor it is tied to).
  std::vector<std::pair<std::string, std::string>> tied;
};

ModelStats compute_model_stats(const Model& model, const ModelStatsOptions& options);

// Summary, rankings and recommendations from already computed tensor stats.
void summarize(ModelStats& stats, const ModelStatsOptions& options);

}  // namespace ptscope
