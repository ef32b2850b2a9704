// The analysis report's pictures: each function turns a `ptscope.analysis/1`
// object (docs/analysis-schema.md) into one self-contained SVG document.
// Missing or malformed sections give a labelled "no data" panel, never an
// exception, so any JSON (even `{}`) renders.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ptscope::plots {

std::string layer_distribution(const nlohmann::json& analysis);   // leaf modules per class (bar)
std::string flop_distribution(const nlohmann::json& analysis);    // FLOPs per op category (donut)
std::string flops_per_layer(const nlohmann::json& analysis);      // the costliest layers (bar)
std::string memory_per_layer_bar(const nlohmann::json& analysis); // weights + activations per layer
std::string memory_per_layer_pie(const nlohmann::json& analysis); // share of memory per layer
std::string memory_timeline(const nlohmann::json& analysis);      // live activations per node, peak marked
std::string training_memory(const nlohmann::json& analysis);      // stacked, forward/backward boundary marked
std::string roofline(const nlohmann::json& analysis);             // log-log, ceilings, ridge, nodes
std::string batch_curve(const nlohmann::json& analysis);          // sweep over batch size with the fit
std::string sequence_curve(const nlohmann::json& analysis);       // sweep over sequence length with the fit
std::string batch_sequence_heatmap(const nlohmann::json& analysis);
std::string params_vs_memory(const nlohmann::json& analysis);     // per layer, log-log scatter
std::string weight_histograms(const nlohmann::json& analysis);    // the largest weight tensors

struct Plot {
  std::string id;       // file stem for --plots DIR, e.g. "roofline"
  std::string title;
  std::string section;  // the HTML report's tab: overview, compute, memory, training, roofline, sweep, parameters
  std::string svg;
};

// Every plot above, in display order.
std::vector<Plot> all_plots(const nlohmann::json& analysis);

}  // namespace ptscope::plots
