// Sections of the analysis that need more than one analysis: roofline,
// recommendations, the executor run. Internal to pipeline/analysis*.cpp.
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model.h"
#include "graph/graph.h"
#include "pipeline/analysis.h"

namespace ptscope {

// A node's value credited to its module scope and every enclosing module ("" is the root).
template <typename T>
void add_to_scopes(std::unordered_map<std::string, T>& by, std::string scope, T value) {
  while (true) {
    by[scope] += value;
    if (scope.empty()) break;
    const size_t dot = scope.rfind('.');
    scope = dot == std::string::npos ? "" : scope.substr(0, dot);
  }
}

// From the nodes (with their times when inference ran) and the machine's ceilings.
Roofline roofline_section(const std::vector<NodeRow>& nodes, const AnalysisOptions& options);
// Needs every earlier section (nodes, roofline, summary, training memory,
// fusions, parameters, heavy tail) already in `a`.
std::vector<AnalysisRecommendation> recommendations_section(const Analysis& a, const graph::Graph* g);
// Runs the model on the executor by the path `ptscope profile` takes
// (kernels::profile, with its fallback to a run on real data), and adds
// each node's time to a.nodes and, summed, to a.modules. Needs a.graph and a.summary.
// `g`: the graph the analysis built (null when it has none), run as it is rather than built again.
InferenceSection inference_section(const Model& model, const graph::Graph* g, const AnalysisOptions& options, Analysis& a);

}  // namespace ptscope
