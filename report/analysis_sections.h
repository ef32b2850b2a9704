// Sections of the analysis document that need more than one analysis:
// fusions, roofline, recommendations, executor timings. Internal to
// report/analysis*.cpp and report/sweep.cpp.
#pragma once
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "graph/fusion.h"
#include "graph/graph.h"
#include "report/analysis.h"
#include "stats/model_stats.h"

namespace ptscope {

nlohmann::json fusions_json(const std::vector<graph::Fusion>& fusions, const graph::Graph* g);
// Needs "nodes" (and "inference" when timed) already in the document.
nlohmann::json roofline_section(const nlohmann::json& analysis, const AnalysisOptions& options);
// Needs "nodes", "roofline", "summary", "training_memory" already in the document.
nlohmann::json recommendations_section(const nlohmann::json& analysis, const ModelStats& stats,
                                       const graph::Graph* g, const std::vector<graph::Fusion>& fusions);
// Runs the executor (kernels/profile.h) on the graph; adds time_us to the
// document's nodes and modules. Returns the "inference" section.
nlohmann::json run_inference_section(const Model& model, const graph::Graph& g, const AnalysisOptions& options,
                                     nlohmann::json& analysis);

}  // namespace ptscope
