// The analysis report's pictures: each function draws one part of the typed
// Analysis (pipeline/analysis.h) as one self-contained SVG document. Sections
// the analysis lacks (no graph, no sweep, no tensors) give a labelled "no
// data" panel, never an exception, so an empty Analysis renders.
#pragma once
#include <string>
#include <vector>

#include "pipeline/analysis.h"

namespace ptscope::plots {

std::string layer_distribution(const Analysis& analysis);   // leaf modules per class (bar)
std::string flop_distribution(const Analysis& analysis);    // FLOPs per op category (donut)
std::string flops_per_layer(const Analysis& analysis);      // the costliest layers (bar)
std::string memory_per_layer_bar(const Analysis& analysis); // weights + activations per layer
std::string memory_per_layer_pie(const Analysis& analysis); // share of memory per layer
std::string memory_timeline(const Analysis& analysis);      // live activations per node, peak marked
std::string training_memory(const Analysis& analysis);      // stacked, forward/backward boundary marked
std::string roofline(const Analysis& analysis);             // log-log, ceilings, ridge, nodes
std::string batch_curve(const Analysis& analysis);          // sweep over batch size with the fit
std::string sequence_curve(const Analysis& analysis);       // sweep over sequence length with the fit
std::string batch_sequence_heatmap(const Analysis& analysis);
std::string params_vs_memory(const Analysis& analysis);     // per layer, log-log scatter
std::string weight_histograms(const Analysis& analysis);    // the largest weight tensors

struct Plot {
  std::string id;       // file stem for --plots DIR, e.g. "roofline"
  std::string title;
  std::string section;  // the HTML report's tab: overview, compute, memory, training, roofline, sweep, parameters
  std::string svg;
};

// Every plot above, in display order.
std::vector<Plot> all_plots(const Analysis& analysis);

}  // namespace ptscope::plots
