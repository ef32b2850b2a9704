// Gathers the analyses of one file into the typed Analysis.
#include "pipeline/analysis.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "core/trainable.h"
#include "core/weights.h"
#include "graph/memory_plan.h"
#include "pipeline/sections.h"

namespace ptscope {

using namespace graph;

namespace {

TensorInfo tensor_info(const Value& v) { return {v.meta.shape, v.meta.dtype, v.name}; }

// A node input for the graph view: its shape and dtype, and where it comes from (`from`: the
// producing node's index; otherwise `kind` "input" / "parameter" / "constant" and its `name`).
EdgeSource graph_edge_source(const Graph& g, int id) {
  const Value& v = g.values[size_t(id)];
  EdgeSource e;
  e.tensor = tensor_info(v);
  e.value = id;
  e.from = v.producer;
  e.kind = v.kind;
  return e;
}

// Bytes of the new tensors a node writes (views and in-place results share their base's buffer).
std::vector<uint64_t> new_output_bytes(const Graph& g) {
  std::vector<uint64_t> out(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.is_view || (n.def && n.def->is_inplace)) continue;
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

// Whether the shape-only run failed because control flow depends on tensor
// values (the executor can still run the model on data: kernels/profile.h).
// The one place the analysis asks; an error code replaces the text match.
bool is_data_dependent_failure(const Error& e) {
  return e.condition() == ErrorCondition::data_dependent;
}

void progress(const AnalysisOptions& o, std::string_view what, int step, int steps) {
  if (o.progress) o.progress(what, step, steps);
}

FileSection file_section(const Model& m) { return {m.path, m.kind, m.format_version, m.file_size}; }

ParametersSection parameters_section(const Model& m, const AnalysisOptions& o) {
  ParametersSection p;
  p.options.stats.bins = o.histogram_bins;
  p.options.stats.threads = o.threads;
  p.options.stats.spectral = false;     // the analysis does not report spectral norms; they cost a read
  p.options.stats.compression = false;  // likewise zlib/zstd ratios (`ptscope stats` has both)
  p.options.top_k = 10;
  p.stats = compute_model_stats(m, p.options);
  return p;
}

std::vector<ModuleRow> modules_section(const Model& m, const Graph& g, const std::vector<ModuleCall>& calls,
                                       const std::vector<uint64_t>& new_bytes) {
  const auto weight_bytes = module_weight_bytes(m);
  std::unordered_map<std::string, uint64_t> act;
  for (size_t i = 0; i < g.nodes.size(); ++i) add_to_scopes(act, g.nodes[i].scope, new_bytes[i]);
  std::vector<ModuleRow> rows;
  for (ModuleTotals& t : module_totals(m, g, calls)) {
    auto wb = weight_bytes.find(t.path);
    auto ab = act.find(t.path);
    rows.push_back({std::move(t), wb == weight_bytes.end() ? 0 : wb->second, ab == act.end() ? 0 : ab->second, {}});
  }
  return rows;
}

// Modules from the tensor table alone (state_dicts, or when the graph failed).
std::vector<ModuleRow> modules_without_graph(const Model& m) {
  std::vector<ModuleRow> rows;
  if (!m.root) return rows;
  const auto weight_bytes = module_weight_bytes(m);
  Graph empty;
  for (ModuleTotals& t : module_totals(m, empty, {})) {
    auto wb = weight_bytes.find(t.path);
    rows.push_back({std::move(t), wb == weight_bytes.end() ? 0 : wb->second, 0, {}});
  }
  return rows;
}

double intensity_of(const OpCost& c) {
  const double bytes = double(c.bytes_read + c.bytes_written);
  return bytes > 0 ? (c.flops + c.extended_flops) / bytes : 0.0;
}

std::vector<NodeRow> nodes_section(const Model& m, const Graph& g, const MemoryPlan& plan) {
  const auto params = node_params(m, g);
  std::vector<NodeRow> rows;
  rows.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    NodeRow r;
    r.index = i;
    r.op = n.op;
    r.scope = n.scope;
    r.scope_class = n.scope_class;
    r.source = n.source;
    r.category = n.category;
    for (int id : n.inputs) r.inputs.push_back(graph_edge_source(g, id));
    for (int id : n.outputs) r.outputs.push_back(tensor_info(g.values[size_t(id)]));
    r.params = params[i];
    r.cost = n.cost;
    r.intensity = intensity_of(n.cost);
    r.live_bytes = i < plan.live_during.size() ? plan.live_during[i] : 0;
    r.view = n.is_view;
    for (const auto& [name, v] : n.attrs) r.args.emplace_back(name, arg_to_string(v));
    rows.push_back(std::move(r));
  }
  return rows;
}

MemorySection memory_section(const Graph& g, const MemoryPlan& plan, const std::vector<uint64_t>& new_bytes,
                             uint64_t weights) {
  MemorySection s;
  s.available = true;
  s.weights_bytes = weights;
  s.resident_bytes = plan.resident_bytes;
  s.activation_peak_bytes = plan.peak_bytes - plan.resident_bytes;
  s.peak_bytes = weights + s.activation_peak_bytes;
  s.peak_node = plan.peak_node;
  for (int v : g.inputs) s.input_bytes += g.values[size_t(v)].meta.nbytes();
  for (int v : g.outputs) s.output_bytes += g.values[size_t(v)].meta.nbytes();
  s.timeline = plan.live_during;
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
  for (const auto& scope : order) {
    uint64_t wb = 0;
    for (int id : params[scope]) wb += g.values[size_t(id)].meta.nbytes();
    const auto& [ab, cls] = act[scope];
    s.per_layer.push_back({scope, cls, wb, ab});
  }
  return s;
}

MemorySection memory_without_graph(uint64_t weights, const std::string& graph_error) {
  MemorySection s;
  s.reason = "activation memory needs the graph: " + graph_error;
  s.weights_bytes = weights;
  s.peak_bytes = weights;
  return s;
}

std::vector<FusionRow> fusion_rows(std::vector<Fusion> fusions, const Graph& g) {
  std::vector<FusionRow> rows;
  for (Fusion& f : fusions) {
    FusionRow r{std::move(f), {}};
    for (int i : r.fusion.nodes) r.ops.push_back(g.nodes[size_t(i)].op);
    rows.push_back(std::move(r));
  }
  return rows;
}

Summary summary_section(const Model& m, const WeightTotals& weights) {
  Summary s;
  s.params = weights.parameter_elements;
  const ParameterSplit split = trainable_split(m);
  s.trainable_params = split.trainable;
  s.non_trainable_params = split.frozen;
  s.buffers = weights.buffer_elements;
  s.buffer_tensors = weights.buffer_tensors;
  s.weight_bytes = weights.weight_bytes();
  s.file_tensor_bytes = m.tensor_bytes();
  return s;
}

// The shape-only graph, or why there is none.
std::optional<Graph> graph_section(const Model& m, const AnalysisOptions& options, std::vector<ModuleCall>& calls,
                                   GraphSection& s) {
  s.method = options.graph.method;
  // Lite-interpreter archives (.ptl) carry code/ too when torch wrote it (1.13 still does); the
  // interpreter says so clearly when a file has none. .pt2 programs carry their aten graph.
  if (m.kind != FileKind::torchscript && m.kind != FileKind::legacy_torchscript &&
      m.kind != FileKind::torchscript_mobile && !m.exported) {
    s.reason = std::string("no TorchScript code in a ") + file_kind_name(m.kind) +
               " file: the graph, FLOPs and activation memory need a torch.jit.save archive";
    return std::nullopt;
  }
  try {
    std::optional<Graph> g = build_graph(m, options.graph, &calls);
    s.available = true;
    s.notes = g->notes;
    return g;
  } catch (const Error& e) {
    s.reason = e.what();
    s.data_dependent = is_data_dependent_failure(e);
    return std::nullopt;
  }
}

Analysis analyse(const Model& m, const AnalysisOptions& options, RunMonitor& monitor) {
  const int steps = 6 + (options.inference || options.profile ? 1 : 0) + (options.sweep ? 1 : 0);
  int step = 0;
  Analysis a;
  a.file = file_section(m);

  progress(options, "running the graph on shapes", ++step, steps);
  std::vector<ModuleCall> calls;
  const std::optional<Graph> g = graph_section(m, options, calls, a.graph);
  const std::string& graph_error = a.graph.reason;

  const WeightTotals weights = weight_totals(m);
  a.summary = summary_section(m, weights);

  progress(options, "weight statistics", ++step, steps);
  a.parameters = parameters_section(m, options);
  if (options.spectral) {
    HeavyTailOptions h;
    h.threads = options.threads;
    a.heavy_tail = heavy_tail_analysis(m, h);
  }

  progress(options, "memory plan and training memory", ++step, steps);
  if (g) {
    a.summary.cost = g->totals();
    a.summary.nodes = g->nodes.size();
    for (int v : g->inputs) a.summary.inputs.push_back(tensor_info(g->values[size_t(v)]));
    for (int v : g->outputs) {
      TensorInfo t = tensor_info(g->values[size_t(v)]);
      t.name.clear();  // outputs are listed by shape and dtype only
      a.summary.outputs.push_back(std::move(t));
    }
    a.architecture = classify_architecture(m, *g);
    a.architecture_has_evidence = true;
    const MemoryPlan plan = plan_memory(*g);
    const auto new_bytes = new_output_bytes(*g);
    a.modules = modules_section(m, *g, calls, new_bytes);
    a.categories = category_distribution(*g);
    a.nodes = nodes_section(m, *g, plan);
    a.memory = memory_section(*g, plan, new_bytes, weights.weight_bytes());
    a.fusions = fusion_rows(find_fusions(*g), *g);
  } else {
    a.architecture = {"unknown", "no graph: " + graph_error, {}};
    a.modules = modules_without_graph(m);
    a.memory = memory_without_graph(weights.weight_bytes(), graph_error);
  }
  a.training_memory = estimate_training_memory(m, g ? &*g : nullptr);
  if (g) a.training_flops = training_flops(m, *g);

  if (options.inference || options.profile) {
    progress(options, "running the model (" + options.device + ")", ++step, steps);
    a.inference = inference_section(m, g ? &*g : nullptr, options, a);
  }
  progress(options, "roofline", ++step, steps);
  a.roofline = roofline_section(a.nodes, options);
  progress(options, "recommendations", ++step, steps);
  a.recommendations = recommendations_section(a, g ? &*g : nullptr);
  if (options.sweep) {
    progress(options, "sweep", ++step, steps);
    if (g) a.sweep = run_sweep(m, options.graph, *options.sweep, options.device);
    else a.sweep_unavailable = "no graph: " + graph_error;
  }
  monitor.stop();
  a.system = monitor.report();
  progress(options, "done", steps, steps);
  return a;
}

}  // namespace

Analysis run_analysis(const std::string& path, const AnalysisOptions& options) {
  RunMonitor monitor;  // from before the file is read, so that its bytes count
  monitor.start();
  progress(options, "reading the file", 0, 1);
  auto model = load_model(path);
  return analyse(*model, options, monitor);
}

Analysis run_analysis(const Model& m, const AnalysisOptions& options) {
  RunMonitor monitor;
  monitor.start();
  return analyse(m, options, monitor);
}

}  // namespace ptscope
