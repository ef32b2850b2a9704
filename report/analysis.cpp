// Gathers the analyses of one file into the ptscope.analysis/1 document.
#include "report/analysis.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "core/trainable.h"
#include "core/weights.h"
#include "graph/fusion.h"
#include "graph/graph_analysis.h"
#include "graph/memory_plan.h"
#include "graph/training_flops.h"
#include "graph/training_memory.h"
#include "report/analysis_sections.h"
#include "report/sweep.h"
#include "stats/heavy_tail.h"
#include "stats/heavy_tail_report.h"
#include "stats/model_stats.h"
#include "stats/stats_json.h"
#include "stats/system_metrics.h"

namespace ptscope {

using nlohmann::json;
using namespace graph;

namespace {

json shape_dtype(const TensorMeta& m) { return {{"shape", m.shape}, {"dtype", std::string(dtype_name(m.dtype))}}; }

// A node input for the graph view: its shape and dtype, and where it comes from (`from`: the
// producing node's index; otherwise `kind` "input" / "parameter" / "constant" and its `name`).
json graph_edge_source(const Graph& g, int id) {
  const Value& v = g.values[size_t(id)];
  json j = shape_dtype(v.meta);
  j["value"] = id;
  if (v.producer >= 0) {
    j["from"] = v.producer;
  } else {
    j["kind"] = v.kind == Value::Kind::input ? "input" : v.kind == Value::Kind::parameter ? "parameter" : "constant";
    if (!v.name.empty()) j["name"] = v.name;
  }
  return j;
}

// Bytes of the new tensors a node writes (views and in-place results share their base's buffer).
std::vector<uint64_t> new_output_bytes(const Graph& g) {
  std::vector<uint64_t> out(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.def && (n.def->is_view || n.def->is_inplace)) continue;
    for (int o : n.outputs) out[i] += g.values[size_t(o)].meta.nbytes();
  }
  return out;
}

// Parameter and buffer bytes credited to their module and every enclosing one
// (core/weights.h decides what is a weight; a tied tensor is credited once).
std::unordered_map<std::string, uint64_t> module_weight_bytes(const Model& m) {
  std::unordered_map<std::string, uint64_t> by;
  const auto roles = weight_roles(m);
  const auto ties = tied_to(m);
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const NamedTensor& nt = m.tensors[i];
    if (roles[i] == WeightRole::none || ties[i] >= 0) continue;
    std::string owner = nt.name;
    do {
      const size_t dot = owner.rfind('.');
      owner = dot == std::string::npos ? "" : owner.substr(0, dot);
      by[owner] += nt.tensor->nbytes();
    } while (!owner.empty());
  }
  return by;
}

uint64_t model_weight_bytes(const Model& m) { return weight_totals(m).weight_bytes(); }

void progress(const AnalysisOptions& o, std::string_view what, int step, int steps) {
  if (o.progress) o.progress(what, step, steps);
}

json file_section(const Model& m) {
  return {{"path", m.path},
          {"kind", file_kind_name(m.kind)},
          {"format_version", m.format_version ? json(*m.format_version) : json(nullptr)},
          {"bytes", m.file_size}};
}

json parameters_section(const Model& m, const AnalysisOptions& o, ModelStats* out_stats) {
  ModelStatsOptions so;
  so.stats.bins = o.histogram_bins;
  so.stats.threads = o.threads;
  so.stats.spectral = false;     // the analysis does not report spectral norms; they cost a read
  so.stats.compression = false;  // likewise zlib/zstd ratios (`ptscope stats` has both)
  so.top_k = 10;
  ModelStats ms = compute_model_stats(m, so);
  json full = model_stats_json(ms, so);
  json p = full["summary"];
  p["tensor_count"] = p["tensors"];  // "tensors" is the per-tensor list below
  p["most_sensitive"] = full["most_sensitive"];
  p["most_prunable"] = full["most_prunable"];
  json tensors = json::array();
  for (const TensorStats& t : ms.tensors) {
    json tj = {{"name", t.name},   {"role", t.role},     {"dtype", t.dtype},
               {"shape", t.shape}, {"numel", t.numel},   {"bytes", t.bytes},
               {"computed", t.computed}};
    if (t.computed) {
      tj["mean"] = stats_number(t.mean);
      tj["std"] = stats_number(t.std);
      tj["min"] = stats_number(t.min);
      tj["max"] = stats_number(t.max);
      tj["sparsity"] = stats_number(t.sparsity);
      tj["sqnr_int8_channel_db"] = stats_number(t.quant.sqnr_int8_channel_db);
      tj["sqnr_int4_group_db"] = stats_number(t.quant.sqnr_int4_group_db);
      tj["recommended_format"] = t.quant.recommended_format;
      tj["histogram"] = {{"min", stats_number(t.histogram.lo)},
                         {"max", stats_number(t.histogram.hi)},
                         {"counts", t.histogram.counts}};
    }
    tensors.push_back(std::move(tj));
  }
  p["tensors"] = std::move(tensors);
  if (out_stats) *out_stats = std::move(ms);
  return p;
}

json modules_section(const Model& m, const Graph& g, const std::vector<ModuleCall>& calls,
                     const std::vector<uint64_t>& new_bytes) {
  const auto totals = module_totals(m, g, calls);
  const auto weight_bytes = module_weight_bytes(m);
  std::unordered_map<std::string, uint64_t> act;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    std::string scope = g.nodes[i].scope;
    while (true) {
      act[scope] += new_bytes[i];
      if (scope.empty()) break;
      const size_t dot = scope.rfind('.');
      scope = dot == std::string::npos ? "" : scope.substr(0, dot);
    }
  }
  json a = json::array();
  for (const ModuleTotals& t : totals) {
    auto wb = weight_bytes.find(t.path);
    auto ab = act.find(t.path);
    a.push_back({{"path", t.path},
                 {"class", t.class_name},
                 {"depth", t.depth},
                 {"params", t.params},
                 {"buffers", t.buffers},
                 {"bytes", wb == weight_bytes.end() ? 0 : wb->second},
                 {"nodes", t.nodes},
                 {"flops", t.cost.flops},
                 {"macs", t.cost.macs},
                 {"extended_flops", t.cost.extended_flops},
                 {"output_shapes", t.output_shapes},
                 {"calls", t.calls},
                 {"activation_bytes", ab == act.end() ? 0 : ab->second}});
  }
  return a;
}

// Modules from the tensor table alone (state_dicts, or when the graph failed).
json modules_without_graph(const Model& m) {
  json a = json::array();
  if (m.root) {
    const auto weight_bytes = module_weight_bytes(m);
    Graph empty;
    for (const ModuleTotals& t : module_totals(m, empty, {})) {
      auto wb = weight_bytes.find(t.path);
      a.push_back({{"path", t.path},
                   {"class", t.class_name},
                   {"depth", t.depth},
                   {"params", t.params},
                   {"buffers", t.buffers},
                   {"bytes", wb == weight_bytes.end() ? 0 : wb->second},
                   {"nodes", 0},
                   {"flops", 0},
                   {"macs", 0},
                   {"extended_flops", 0},
                   {"output_shapes", json::array()},
                   {"calls", 0},
                   {"activation_bytes", 0}});
    }
  }
  return a;
}

json categories_section(const Graph& g) {
  json a = json::array();
  for (const CategoryTotals& c : category_distribution(g))
    a.push_back({{"category", op_category_name(c.category)},
                 {"nodes", c.nodes},
                 {"flops", c.cost.flops},
                 {"macs", c.cost.macs},
                 {"extended_flops", c.cost.extended_flops},
                 {"bytes", c.cost.bytes_read + c.cost.bytes_written}});
  return a;
}

double intensity_of(const OpCost& c) {
  const double bytes = double(c.bytes_read + c.bytes_written);
  return bytes > 0 ? (c.flops + c.extended_flops) / bytes : 0.0;
}

json nodes_section(const Model& m, const Graph& g, const MemoryPlan& plan) {
  const auto params = node_params(m, g);
  json a = json::array();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    json ins = json::array(), outs = json::array();
    for (int id : n.inputs) ins.push_back(graph_edge_source(g, id));
    for (int id : n.outputs) outs.push_back(shape_dtype(g.values[size_t(id)].meta));
    json args = json::object();
    for (const auto& [name, v] : n.attrs) args[name] = arg_to_string(v);
    a.push_back({{"index", i},
                 {"op", n.op},
                 {"scope", n.scope},
                 {"scope_class", n.scope_class},
                 {"category", op_category_name(n.category)},
                 {"inputs", ins},
                 {"outputs", outs},
                 {"params", params[i]},
                 {"flops", n.cost.flops},
                 {"macs", n.cost.macs},
                 {"extended_flops", n.cost.extended_flops},
                 {"bytes_read", n.cost.bytes_read},
                 {"bytes_written", n.cost.bytes_written},
                 {"intensity", intensity_of(n.cost)},
                 {"live_bytes", i < plan.live_during.size() ? plan.live_during[i] : 0},
                 {"view", n.def && n.def->is_view},
                 {"source", n.source},
                 {"args", std::move(args)}});
  }
  return a;
}

json memory_section(const Model& m, const Graph& g, const MemoryPlan& plan, const std::vector<uint64_t>& new_bytes) {
  const uint64_t weights = model_weight_bytes(m);
  const uint64_t act_peak = plan.peak_bytes - plan.resident_bytes;
  uint64_t in_bytes = 0, out_bytes = 0;
  for (int v : g.inputs) in_bytes += g.values[size_t(v)].meta.nbytes();
  for (int v : g.outputs) out_bytes += g.values[size_t(v)].meta.nbytes();
  json timeline = json::array();
  for (size_t i = 0; i < plan.live_during.size(); ++i) timeline.push_back({{"node", i}, {"live_bytes", plan.live_during[i]}});
  // Per layer: the module scopes ops ran in, first appearance order.
  std::vector<std::string> order;
  std::unordered_map<std::string, std::pair<uint64_t, std::string>> act;  // scope → (bytes, class)
  std::unordered_map<std::string, std::unordered_set<int>> params;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    auto [it, fresh] = act.try_emplace(n.scope, 0, n.scope_class);
    if (fresh) order.push_back(n.scope);
    it->second.first += new_bytes[i];
    for (int id : n.inputs) {
      const Value& v = g.values[size_t(id)];
      if (v.kind == Value::Kind::parameter) params[n.scope].insert(id);
    }
  }
  json per_layer = json::array();
  for (const auto& scope : order) {
    uint64_t wb = 0;
    for (int id : params[scope]) wb += g.values[size_t(id)].meta.nbytes();
    const auto& [ab, cls] = act[scope];
    per_layer.push_back(
        {{"scope", scope}, {"class", cls}, {"weight_bytes", wb}, {"activation_bytes", ab}, {"bytes", wb + ab}});
  }
  return {{"available", true},
          {"weights_bytes", weights},
          {"resident_bytes", plan.resident_bytes},
          {"activation_peak_bytes", act_peak},
          {"peak_bytes", weights + act_peak},
          {"peak_node", plan.peak_node},
          {"input_bytes", in_bytes},
          {"output_bytes", out_bytes},
          {"timeline", timeline},
          {"per_layer", per_layer}};
}

json optimizer_json(const OptimizerMemory& o) {
  return {{"weights", o.weights},
          {"gradients", o.gradients},
          {"optimizer_state", o.optimizer_state},
          {"activations", o.activations},
          {"peak", o.peak}};
}

// Training FLOPs: forward, backward (input / weight gradients) and an optimizer step.
json training_flops_section(const TrainingFlops& t) {
  return {{"forward_flops", t.forward},
          {"backward_flops", t.backward.total()},
          {"backward_input_grad_flops", t.backward.input_grad},
          {"backward_weight_grad_flops", t.backward.weight_grad},
          {"backward_nodes", t.backward_nodes},
          {"trainable_params", t.trainable_elements},
          {"optimizer_step_flops",
           {{"sgd", t.step.sgd}, {"sgd_momentum", t.step.sgd_momentum}, {"adam", t.step.adam},
            {"adamw", t.step.adamw}}},
          {"training_step_flops_adam", t.total(t.step.adam)}};
}

json training_section(const TrainingMemory& t) {
  json timeline = json::array();
  for (const TrainingPoint& p : t.timeline)
    timeline.push_back({{"step", p.step},
                        {"phase", p.backward ? "backward" : "forward"},
                        {"node", p.node},
                        {"weights", t.weight_bytes},
                        {"gradients", p.gradients},
                        {"optimizer_state", t.adam.optimizer_state},
                        {"activations", p.activations}});
  return {{"dtype_bytes", t.dtype_bytes},
          {"parameters_trainable", t.trainable_params},
          {"trainable_bytes", t.trainable_bytes},
          {"saved_activation_bytes", t.saved_activation_bytes},
          {"optimizers",
           {{"sgd", optimizer_json(t.sgd)},
            {"sgd_momentum", optimizer_json(t.sgd_momentum)},
            {"adam", optimizer_json(t.adam)}}},
          {"timeline", timeline},
          {"boundary", t.boundary}};
}

json unavailable(const std::string& reason) { return {{"available", false}, {"reason", reason}}; }

}  // namespace

namespace {
json analyse(const Model& m, const AnalysisOptions& options, RunMonitor& monitor);
}  // namespace

json build_analysis(const std::string& path, const AnalysisOptions& options) {
  RunMonitor monitor;  // from before the file is read, so that its bytes count
  monitor.start();
  progress(options, "reading the file", 0, 1);
  auto model = load_model(path);
  return analyse(*model, options, monitor);
}

json build_analysis(const Model& m, const AnalysisOptions& options) {
  RunMonitor monitor;
  monitor.start();
  return analyse(m, options, monitor);
}

namespace {

json analyse(const Model& m, const AnalysisOptions& options, RunMonitor& monitor) {
  const int steps = 6 + (options.inference || options.profile ? 1 : 0) + (options.sweep ? 1 : 0);
  int step = 0;
  json a;
  a["schema"] = kAnalysisSchema;
  a["generated_by"] = std::string("ptscope ") + PTSCOPE_VERSION;
  a["file"] = file_section(m);

  progress(options, "running the graph on shapes", ++step, steps);
  std::optional<Graph> g;
  std::vector<ModuleCall> calls;
  std::string graph_error;
  // Lite-interpreter archives (.ptl) carry code/ too when torch wrote it (1.13 still does); the
  // interpreter says so clearly when a file has none. .pt2 programs carry their aten graph.
  if (m.kind != FileKind::torchscript && m.kind != FileKind::legacy_torchscript &&
      m.kind != FileKind::torchscript_mobile && !m.exported) {
    graph_error = std::string("no TorchScript code in a ") + file_kind_name(m.kind) +
                  " file: the graph, FLOPs and activation memory need a torch.jit.save archive";
  } else {
    try {
      g = build_graph(m, options.graph, &calls);
    } catch (const Error& e) {
      graph_error = e.what();
    }
  }
  json graph_j = {{"available", g.has_value()}, {"method", options.graph.method}};
  if (g) graph_j["notes"] = g->notes;
  else graph_j["reason"] = graph_error;
  a["graph"] = graph_j;

  json summary;
  const WeightTotals weights = weight_totals(m);
  summary["params"] = weights.parameter_elements;
  const ParameterSplit split = trainable_split(m);
  summary["trainable_params"] = split.trainable;
  summary["non_trainable_params"] = split.frozen;
  summary["buffers"] = weights.buffer_elements;
  summary["buffer_tensors"] = weights.buffer_tensors;
  summary["weight_bytes"] = weights.weight_bytes();
  summary["file_tensor_bytes"] = m.tensor_bytes();

  progress(options, "weight statistics", ++step, steps);
  ModelStats ms;
  a["parameters"] = parameters_section(m, options, &ms);
  if (options.spectral) {
    HeavyTailOptions h;
    h.threads = options.threads;
    a["heavy_tail"] = heavy_tail_json(heavy_tail_analysis(m, h));
  }

  progress(options, "memory plan and training memory", ++step, steps);
  std::vector<Fusion> fusions;
  if (g) {
    const OpCost total = g->totals();
    summary["flops"] = total.flops;
    summary["macs"] = total.macs;
    summary["extended_flops"] = total.extended_flops;
    summary["bytes_read"] = total.bytes_read;
    summary["bytes_written"] = total.bytes_written;
    summary["nodes"] = g->nodes.size();
    json ins = json::array(), outs = json::array();
    for (int v : g->inputs) {
      json j = shape_dtype(g->values[size_t(v)].meta);
      if (!g->values[size_t(v)].name.empty()) j["name"] = g->values[size_t(v)].name;
      ins.push_back(j);
    }
    for (int v : g->outputs) outs.push_back(shape_dtype(g->values[size_t(v)].meta));
    summary["inputs"] = ins;
    summary["outputs"] = outs;
    const Architecture arch = classify_architecture(m, *g);
    a["architecture"] = {{"kind", arch.kind}, {"reason", arch.reason}, {"evidence", arch.evidence}};
    const MemoryPlan plan = plan_memory(*g);
    const auto new_bytes = new_output_bytes(*g);
    a["modules"] = modules_section(m, *g, calls, new_bytes);
    a["categories"] = categories_section(*g);
    a["nodes"] = nodes_section(m, *g, plan);
    a["memory"] = memory_section(m, *g, plan, new_bytes);
    fusions = find_fusions(*g);
  } else {
    for (const char* k : {"flops", "macs", "extended_flops", "bytes_read", "bytes_written", "nodes"}) summary[k] = 0;
    summary["inputs"] = json::array();
    summary["outputs"] = json::array();
    a["architecture"] = {{"kind", "unknown"}, {"reason", "no graph: " + graph_error}};
    a["modules"] = modules_without_graph(m);
    a["categories"] = json::array();
    a["nodes"] = json::array();
    json mem = unavailable("activation memory needs the graph: " + graph_error);
    mem["weights_bytes"] = model_weight_bytes(m);
    mem["activation_peak_bytes"] = 0;
    mem["peak_bytes"] = model_weight_bytes(m);
    mem["timeline"] = json::array();
    mem["per_layer"] = json::array();
    a["memory"] = mem;
  }
  a["summary"] = summary;
  a["training_memory"] = training_section(estimate_training_memory(m, g ? &*g : nullptr));
  if (g) a["training_flops"] = training_flops_section(training_flops(m, *g));
  else a["training_flops"] = unavailable("training FLOPs need the graph: " + graph_error);
  a["fusions"] = fusions_json(fusions, g ? &*g : nullptr);

  if (options.inference || options.profile) {
    progress(options, "running the model (" + options.device + ")", ++step, steps);
    a["inference"] = g ? run_inference_section(m, *g, options, a) : unavailable("no graph: " + graph_error);
  }
  progress(options, "roofline", ++step, steps);
  a["roofline"] = roofline_section(a, options);
  progress(options, "recommendations", ++step, steps);
  a["recommendations"] = recommendations_section(a, ms, g ? &*g : nullptr, fusions);
  if (options.sweep) {
    progress(options, "sweep", ++step, steps);
    a["sweep"] = g ? sweep_json(run_sweep(m, options.graph, *options.sweep, options.device))
                   : unavailable("no graph: " + graph_error);
  }
  monitor.stop();
  a["system"] = monitor.report();
  progress(options, "done", steps, steps);
  return a;
}

}  // namespace

}  // namespace ptscope
