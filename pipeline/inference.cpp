// The "inference" section: the model run on the executor by the one path
// `ptscope profile` takes (kernels/profile.h: the shape-only graph, or a run
// on real data when control flow depends on tensor values), its timings
// merged into the analysis' nodes and modules.
#include <algorithm>
#include <unordered_map>

#include "core/error.h"
#include "kernels/profile.h"
#include "pipeline/sections.h"

namespace ptscope {

InferenceSection inference_section(const Model& model, const graph::Graph* g, const AnalysisOptions& options, Analysis& a) {
  const GraphSection& graph = a.graph;
  std::vector<NodeRow>& nodes = a.nodes;
  std::vector<ModuleRow>& modules = a.modules;
  InferenceSection s;
  s.device = options.device;
  // Without a graph the executor has nothing to run, unless the graph failed only because control
  // flow depends on tensor values: then profile() records the branch a run on real data takes.
  if (!graph.available && !graph.data_dependent) {
    s.unavailable = "no graph: " + graph.reason;
    return s;
  }
  kernels::ProfileOptions po;
  po.device = options.device;
  po.warmup = options.warmup;
  po.repeat = options.runs;
  po.graph = options.graph;
  s.executor_ran = true;
  try {
    s.result = kernels::profile(model, po, g);
  } catch (const Error& e) {
    s.unavailable = e.what();
    return s;
  }
  const kernels::ProfileResult& r = s.result;
  int64_t batch = 1;
  if (!a.summary.inputs.empty() && !a.summary.inputs[0].shape.empty())
    batch = std::max<int64_t>(1, a.summary.inputs[0].shape[0]);
  s.throughput_per_s = r.latency_ms_median > 0 ? double(batch) / (r.latency_ms_median * 1e-3) : 0.0;

  // Per node, then summed per module (a node counts for its scope and every enclosing module).
  // The executor ran the same graph the nodes come from (the same model and graph options);
  // after a run on real data there are no shape-only nodes to merge into, but the modules are the file's.
  std::unordered_map<std::string, double> by_module;
  for (const auto& np : r.nodes) {
    if (np.index >= 0 && size_t(np.index) < nodes.size()) nodes[size_t(np.index)].time_us = np.time_us_median;
    add_to_scopes(by_module, np.scope, np.time_us_median);
  }
  for (ModuleRow& m : modules) {
    auto it = by_module.find(m.totals.path);
    m.time_us = it == by_module.end() ? 0.0 : it->second;
  }
  return s;
}

}  // namespace ptscope
