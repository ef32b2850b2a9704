// `ptscope analyze`: every analysis of one file gathered into one JSON
// document (schema "ptscope.analysis/1", docs/analysis-schema.md), and the
// text and Markdown reports written from it. The HTML viewer
// (report/html_report.h) renders the same document.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "graph/input_inference.h"

namespace ptscope {

constexpr const char* kAnalysisSchema = "ptscope.analysis/1";

// Batch and sequence values to sweep (report/sweep.h); empty: that axis is not swept.
struct SweepRequest {
  std::vector<int64_t> batch, seq;
  bool measure = false;  // time each point with the executor
};

struct AnalysisOptions {
  graph::GraphOptions graph;  // inputs, --batch, --seq, method
  bool inference = false;     // run the executor: latency, per-node times
  bool profile = false;       // inference + measured machine peaks for the roofline
  std::string device = "cpu";
  int runs = 10, warmup = 2;  // executor repetitions
  int histogram_bins = 32;
  unsigned threads = 0;       // statistics threads (0: all)
  bool spectral = false;      // WeightWatcher-style heavy-tail metrics per layer (`heavy_tail`), warnings as recommendations
  std::optional<SweepRequest> sweep;
  // Roofline ceilings given by the user (e.g. a target device's); otherwise
  // estimated from the CPU, or measured with `profile`.
  std::optional<double> peak_gflops, peak_bandwidth_gbs;
  // Called as work starts: (what, step, steps). Reports draw a progress bar from it.
  std::function<void(std::string_view what, int step, int steps)> progress;
};

// Loads and analyses. Throws ptscope::Error when the file cannot be read at
// all; sections that cannot be computed (the graph of a state_dict, an op the
// executor lacks) are marked unavailable with the reason instead.
nlohmann::json build_analysis(const std::string& path, const AnalysisOptions& options = {});
nlohmann::json build_analysis(const Model& model, const AnalysisOptions& options = {});

// The expert's report (console and comprehensive_model_analysis.txt).
std::string render_analysis_text(const nlohmann::json& analysis);
// The same for pull requests: headings and pipe tables, no volatile numbers
// unless they were asked for (inference, system).
std::string render_analysis_markdown(const nlohmann::json& analysis);

// Replaces run-dependent values (system metrics, timings, measured peaks,
// paths' directories) by fixed placeholders, for golden tests and diffs.
nlohmann::json normalize_volatile(nlohmann::json analysis);

}  // namespace ptscope
