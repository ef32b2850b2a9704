// The "inference" section: the executor's timings (kernels/profile.h) on the
// graph the analysis was built from, merged into nodes and modules.
#include <unordered_map>

#include "core/error.h"
#include "kernels/executor.h"
#include "kernels/graph_runner.h"
#include "kernels/profile.h"
#include "report/analysis_sections.h"

namespace ptscope {

using nlohmann::json;

json run_inference_section(const Model& model, const graph::Graph& g, const AnalysisOptions& options,
                           json& analysis) {
  (void)model;
  json s = {{"device", options.device}};
  kernels::ProfileOptions po;
  po.device = options.device;
  po.warmup = options.warmup;
  po.repeat = options.runs;
  po.graph = options.graph;
  kernels::ProfileResult r;
  try {
    r = kernels::profile_graph(g, po);
  } catch (const Error& e) {
    s["available"] = false;
    s["reason"] = e.what();
    return s;
  }
  s["available"] = true;
  s["description"] = r.device_description;
  s["threads"] = r.threads;
  s["runs"] = r.repeat;
  s["warmup"] = r.warmup;
  s["latency_us"] = {{"median", r.latency_ms_median * 1e3}, {"iqr", r.latency_ms_iqr * 1e3}};
  s["node_sum_us"] = r.node_sum_ms * 1e3;
  int64_t batch = 1;
  if (!g.inputs.empty() && !g.values[size_t(g.inputs[0])].meta.shape.empty())
    batch = std::max<int64_t>(1, g.values[size_t(g.inputs[0])].meta.shape[0]);
  s["throughput_per_s"] = r.latency_ms_median > 0 ? double(batch) / (r.latency_ms_median * 1e-3) : 0.0;
  auto groups = [](const std::vector<kernels::GroupTotal>& v, const char* key) {
    json a = json::array();
    for (const auto& t : v) a.push_back({{key, t.name}, {"nodes", t.nodes}, {"time_us", t.time_us}, {"share", t.share}});
    return a;
  };
  s["by_category"] = groups(r.by_category, "category");
  s["by_scope"] = groups(r.by_scope, "scope");
  s["peak_bytes_allocated"] = r.peak_bytes_allocated;
  s["data_dependent"] = r.data_dependent;
  s["notes"] = r.notes;
  s["inputs"] = r.inputs;

  // Per node, then summed per module (a node counts for its scope and every enclosing module).
  std::unordered_map<std::string, double> by_module;
  json& nodes = analysis["nodes"];
  for (const auto& np : r.nodes) {
    if (np.index < 0 || size_t(np.index) >= nodes.size()) continue;
    nodes[size_t(np.index)]["time_us"] = np.time_us_median;
    std::string scope = np.scope;
    while (true) {
      by_module[scope] += np.time_us_median;
      if (scope.empty()) break;
      const size_t dot = scope.rfind('.');
      scope = dot == std::string::npos ? "" : scope.substr(0, dot);
    }
  }
  for (auto& m : analysis["modules"]) {
    auto it = by_module.find(m["path"].get<std::string>());
    m["time_us"] = it == by_module.end() ? 0.0 : it->second;
  }
  return s;
}

}  // namespace ptscope
