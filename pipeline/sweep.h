// `ptscope sweep`: how FLOPs, memory (and measured latency) grow with batch
// size and sequence length. Each point is a fresh shape-only graph with the
// planned activation peak (graph/memory_plan.h); each metric is fitted along
// each swept axis with least-squares lines and parabolas (stats/fit.h).
// report/sweep.h writes the result as JSON and text.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "graph/input_inference.h"
#include "stats/fit.h"

namespace ptscope {

// Batch and sequence values to sweep; empty: that axis is not swept.
struct SweepRequest {
  std::vector<int64_t> batch, seq;
  bool measure = false;  // time each point with the executor
};

struct SweepPoint {
  int64_t batch = 0, seq = 0;  // 0: axis not swept (the model's default)
  double flops = 0, macs = 0;
  uint64_t weights_bytes = 0, activation_peak_bytes = 0, memory_bytes = 0;
  std::optional<double> latency_us;  // --measure
  std::string error;                 // the graph could not be built at this point
};

struct SweepFit {
  std::string metric;    // "flops", "memory_bytes", "activation_peak_bytes", "latency_us"
  std::string variable;  // "batch" or "seq"
  int64_t fixed_batch = 0, fixed_seq = 0;  // the other axis' value along this fit (0: not swept)
  PolyFit linear, quadratic;
  std::string best;      // "linear" or "quadratic" (quadratic when it raises R² by more than 1e-4)
  std::string dominant;  // of the best fit at the largest x: "quadratic in seq", "linear in batch", "constant"
};

struct SweepResult {
  std::vector<int64_t> batch, seq;
  std::vector<SweepPoint> points;  // batch outer, seq inner
  std::vector<SweepFit> fits;
  std::string device;
};

using SweepProgress = std::function<void(std::string_view what, int step, int steps)>;

SweepResult run_sweep(const Model& model, const graph::GraphOptions& base, const SweepRequest& request,
                      const std::string& device = "cpu", const SweepProgress& progress = {});
// Fits every metric along every axis with at least two points (exposed for tests).
std::vector<SweepFit> fit_sweep(const SweepResult& r);

}  // namespace ptscope
