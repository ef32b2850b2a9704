// The typed Analysis (pipeline/analysis.h) written as the ptscope.analysis/1
// document (docs/analysis-schema.md). Writes only: every number was computed
// by the pipeline.
#include "report/analysis.h"

#include <variant>

#include "stats/heavy_tail_report.h"
#include "stats/stats_json.h"
#include "report/sweep.h"

namespace ptscope {

using nlohmann::json;
using namespace graph;

namespace {

json shape_dtype(const TensorInfo& t) { return {{"shape", t.shape}, {"dtype", std::string(dtype_name(t.dtype))}}; }

json unavailable(const std::string& reason) { return {{"available", false}, {"reason", reason}}; }

json file_json(const FileSection& f) {
  return {{"path", f.path},
          {"kind", file_kind_name(f.kind)},
          {"format_version", f.format_version ? json(*f.format_version) : json(nullptr)},
          {"bytes", f.bytes}};
}

json graph_json(const GraphSection& g) {
  json j = {{"available", g.available}, {"method", g.method}};
  if (g.available) j["notes"] = g.notes;
  else j["reason"] = g.reason;
  return j;
}

json summary_json(const Summary& s, bool has_graph) {
  json j = {{"params", s.params},
            {"trainable_params", s.trainable_params},
            {"non_trainable_params", s.non_trainable_params},
            {"buffers", s.buffers},
            {"buffer_tensors", s.buffer_tensors},
            {"weight_bytes", s.weight_bytes},
            {"file_tensor_bytes", s.file_tensor_bytes}};
  const OpCost& c = s.cost;
  if (has_graph)
    j.update(json{{"flops", c.flops}, {"macs", c.macs}, {"extended_flops", c.extended_flops},
                  {"bytes_read", c.bytes_read}, {"bytes_written", c.bytes_written}, {"nodes", s.nodes}});
  else
    for (const char* k : {"flops", "macs", "extended_flops", "bytes_read", "bytes_written", "nodes"}) j[k] = 0;
  json ins = json::array(), outs = json::array();
  for (const TensorInfo& t : s.inputs) {
    json i = shape_dtype(t);
    if (!t.name.empty()) i["name"] = t.name;
    ins.push_back(std::move(i));
  }
  for (const TensorInfo& t : s.outputs) outs.push_back(shape_dtype(t));
  j["inputs"] = std::move(ins);
  j["outputs"] = std::move(outs);
  return j;
}

// Each tensor in the analysis: a part of its `ptscope stats --json` record
// (stats/stats_json.h), under the same names, with the histogram's range as min/max.
json tensor_summary_json(const TensorStats& t) {
  const json full = tensor_stats_json(t);
  json j;
  for (const char* k : {"name", "role", "dtype", "shape", "numel", "bytes", "computed"}) j[k] = full[k];
  if (!t.computed) return j;
  for (const char* k : {"mean", "std", "min", "max", "sparsity", "sqnr_int8_channel_db", "sqnr_int4_group_db",
                        "recommended_format"})
    j[k] = full[k];
  const json& h = full["histogram"];
  j["histogram"] = {{"min", h["lo"]}, {"max", h["hi"]}, {"counts", h["counts"]}};
  return j;
}

json parameters_json(const ParametersSection& s) {
  json full = model_stats_json(s.stats, s.options);
  json p = full["summary"];
  p["tensor_count"] = p["tensors"];  // "tensors" is the per-tensor list below
  p["most_sensitive"] = full["most_sensitive"];
  p["most_prunable"] = full["most_prunable"];
  json tensors = json::array();
  for (const TensorStats& t : s.stats.tensors) tensors.push_back(tensor_summary_json(t));
  p["tensors"] = std::move(tensors);
  return p;
}

json architecture_json(const Architecture& a, bool with_evidence) {
  json j = {{"kind", a.kind}, {"reason", a.reason}};
  if (with_evidence) j["evidence"] = a.evidence;
  return j;
}

// Without a graph every graph-derived number is written as the integer 0.
json modules_json(const std::vector<ModuleRow>& rows, bool has_graph) {
  json a = json::array();
  for (const ModuleRow& r : rows) {
    const ModuleTotals& t = r.totals;
    json j = {{"path", t.path}, {"class", t.class_name}, {"depth", t.depth},          {"params", t.params},
              {"buffers", t.buffers}, {"bytes", r.weight_bytes}, {"activation_bytes", r.activation_bytes}};
    if (has_graph) {
      j["nodes"] = t.nodes;
      j["flops"] = t.cost.flops;
      j["macs"] = t.cost.macs;
      j["extended_flops"] = t.cost.extended_flops;
      j["output_shapes"] = t.output_shapes;
      j["calls"] = t.calls;
    } else {
      for (const char* k : {"nodes", "flops", "macs", "extended_flops", "calls"}) j[k] = 0;
      j["output_shapes"] = json::array();
    }
    if (r.time_us) j["time_us"] = *r.time_us;
    a.push_back(std::move(j));
  }
  return a;
}

json categories_json(const std::vector<CategoryTotals>& categories) {
  json a = json::array();
  for (const CategoryTotals& c : categories)
    a.push_back({{"category", op_category_name(c.category)},
                 {"nodes", c.nodes},
                 {"flops", c.cost.flops},
                 {"macs", c.cost.macs},
                 {"extended_flops", c.cost.extended_flops},
                 {"bytes", c.cost.bytes_read + c.cost.bytes_written}});
  return a;
}

// A node input for the graph view: its shape and dtype, and where it comes from (`from`: the
// producing node's index; otherwise `kind` "input" / "parameter" / "constant" and its `name`).
json edge_source_json(const EdgeSource& e) {
  json j = shape_dtype(e.tensor);
  j["value"] = e.value;
  if (e.from >= 0) {
    j["from"] = e.from;
  } else {
    j["kind"] = e.kind == Value::Kind::input ? "input" : e.kind == Value::Kind::parameter ? "parameter" : "constant";
    if (!e.tensor.name.empty()) j["name"] = e.tensor.name;
  }
  return j;
}

json nodes_json(const std::vector<NodeRow>& rows) {
  json a = json::array();
  for (const NodeRow& n : rows) {
    json ins = json::array(), outs = json::array();
    for (const EdgeSource& e : n.inputs) ins.push_back(edge_source_json(e));
    for (const TensorInfo& t : n.outputs) outs.push_back(shape_dtype(t));
    json args = json::object();
    for (const auto& [name, text] : n.args) args[name] = text;
    json j = {{"index", n.index},
              {"op", n.op},
              {"scope", n.scope},
              {"scope_class", n.scope_class},
              {"category", op_category_name(n.category)},
              {"inputs", ins},
              {"outputs", outs},
              {"params", n.params},
              {"flops", n.cost.flops},
              {"macs", n.cost.macs},
              {"extended_flops", n.cost.extended_flops},
              {"bytes_read", n.cost.bytes_read},
              {"bytes_written", n.cost.bytes_written},
              {"intensity", n.intensity},
              {"live_bytes", n.live_bytes},
              {"view", n.view},
              {"source", n.source},
              {"args", std::move(args)}};
    if (n.time_us) j["time_us"] = *n.time_us;
    a.push_back(std::move(j));
  }
  return a;
}

json memory_json(const MemorySection& m) {
  if (!m.available) {
    json j = unavailable(m.reason);
    j.update(json{{"weights_bytes", m.weights_bytes}, {"activation_peak_bytes", 0}, {"peak_bytes", m.peak_bytes},
                  {"timeline", json::array()}, {"per_layer", json::array()}});
    return j;
  }
  json timeline = json::array();
  for (size_t i = 0; i < m.timeline.size(); ++i) timeline.push_back({{"node", i}, {"live_bytes", m.timeline[i]}});
  json per_layer = json::array();
  for (const LayerMemory& l : m.per_layer)
    per_layer.push_back({{"scope", l.scope}, {"class", l.class_name}, {"weight_bytes", l.weight_bytes},
                         {"activation_bytes", l.activation_bytes}, {"bytes", l.weight_bytes + l.activation_bytes}});
  return {{"available", true},
          {"weights_bytes", m.weights_bytes},
          {"resident_bytes", m.resident_bytes},
          {"activation_peak_bytes", m.activation_peak_bytes},
          {"peak_bytes", m.peak_bytes},
          {"peak_node", m.peak_node},
          {"input_bytes", m.input_bytes},
          {"output_bytes", m.output_bytes},
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

json fusions_json(const std::vector<FusionRow>& rows) {
  json a = json::array();
  for (const FusionRow& r : rows) {
    const Fusion& f = r.fusion;
    a.push_back({{"pattern", f.pattern}, {"nodes", f.nodes}, {"ops", r.ops}, {"projections", f.projections},
                 {"scope", f.scope}, {"saved_bytes", f.saved_bytes}});
  }
  return a;
}

json inference_json(const InferenceSection& s) {
  if (!s.executor_ran) return unavailable(*s.unavailable);
  json j = {{"device", s.device}};
  if (s.unavailable) {
    j["available"] = false;
    j["reason"] = *s.unavailable;
    return j;
  }
  const kernels::ProfileResult& r = s.result;
  j["available"] = true;
  j["description"] = r.device_description;
  j["threads"] = r.threads;
  j["runs"] = r.repeat;
  j["warmup"] = r.warmup;
  j["latency_us"] = {{"median", r.latency_ms_median * 1e3}, {"iqr", r.latency_ms_iqr * 1e3}};
  j["node_sum_us"] = r.node_sum_ms * 1e3;
  j["throughput_per_s"] = s.throughput_per_s;
  auto groups = [](const std::vector<kernels::GroupTotal>& v, const char* key) {
    json a = json::array();
    for (const auto& t : v) a.push_back({{key, t.name}, {"nodes", t.nodes}, {"time_us", t.time_us}, {"share", t.share}});
    return a;
  };
  j["by_category"] = groups(r.by_category, "category");
  j["by_scope"] = groups(r.by_scope, "scope");
  j["peak_bytes_allocated"] = r.peak_bytes_allocated;
  j["data_dependent"] = r.data_dependent;
  j["notes"] = r.notes;
  j["inputs"] = r.inputs;
  return j;
}

json roofline_json(const Roofline& r) {
  json j = {{"device", r.device},
            {"peak_gflops", r.peaks.gflops},
            {"peak_bandwidth_gbs", r.peaks.bandwidth_gbs},
            {"ridge_point", r.ridge_point},
            {"source", r.peaks.source},
            {"estimate_model", r.peaks.model}};
  if (r.note) j["note"] = *r.note;
  json nodes = json::array();
  for (const RooflineNode& n : r.nodes) {
    json nj = {{"index", n.index},
               {"op", n.op},
               {"scope", n.scope},
               {"intensity", n.intensity},
               {"flops", n.flops},
               {"bound", n.memory_bound ? "memory" : "compute"},
               {"attainable_gflops", n.attainable_gflops}};
    if (n.gflops) nj["gflops"] = *n.gflops;
    nodes.push_back(std::move(nj));
  }
  j["nodes"] = std::move(nodes);
  return j;
}

// Each kind of evidence under the names docs/analysis-schema.md gives its numbers.
struct EvidenceJson {
  json operator()(const FusionEvidence& e) const {
    return {{"pattern", e.pattern}, {"count", e.count}, {"saved_bytes", e.saved_bytes},
            {"total_bytes_moved", e.total_bytes_moved}, {"examples", e.examples}};
  }
  json operator()(const MemoryBoundEvidence& e) const {
    json largest = json::array();
    for (const MemoryBoundNode& n : e.largest)
      largest.push_back({{"index", n.index}, {"op", n.op}, {"scope", n.scope}, {"intensity", n.intensity}, {"bytes", n.bytes}});
    json j = {{"ridge_point", e.ridge_point}, {"memory_bound_nodes", e.memory_bound_nodes},
              {"compute_nodes", e.compute_nodes}, {"bytes", e.bytes}, {"bytes_share", e.bytes_share},
              {"largest", std::move(largest)}};
    if (e.time_share) j["time_share"] = *e.time_share;
    return j;
  }
  json operator()(const ChannelsLastEvidence& e) const {
    return {{"conv2d", e.conv2d}, {"depthwise", e.depthwise}, {"conv_flops", e.conv_flops}, {"flops", e.flops}};
  }
  json operator()(const LayoutCopyEvidence& e) const {
    return {{"copies", e.copies}, {"bytes", e.bytes}, {"total_bytes_moved", e.total_bytes_moved}};
  }
  json operator()(const ChannelAlignmentEvidence& e) const {
    json examples = json::array();
    for (const MisalignedLayer& l : e.examples)
      examples.push_back({{"scope", l.scope}, {"weight", l.weight}, {"shape", l.shape}});
    return {{"layers", e.layers}, {"weighted_layers", e.weighted_layers}, {"examples", std::move(examples)}};
  }
  json operator()(const TrainingMemoryEvidence& e) const {
    return {{"adam_peak", e.adam_peak}, {"sgd_momentum_peak", e.sgd_momentum_peak}, {"sgd_peak", e.sgd_peak},
            {"saved_activation_bytes", e.saved_activation_bytes}};
  }
  json operator()(const TensorsEvidence& e) const {
    json tensors = json::array();
    for (const TensorEvidence& t : e.tensors) {
      json j = {{"name", t.name}};
      if (t.computed) {
        j["numel"] = t.numel;
        j["sparsity"] = stats_number(t.sparsity);
        j["sqnr_int8_channel_db"] = stats_number(t.sqnr_int8_channel_db);
        j["sqnr_int4_group_db"] = stats_number(t.sqnr_int4_group_db);
        j["dead_channels"] = t.dead_channels;
      }
      tensors.push_back(std::move(j));
    }
    return {{"tensors", std::move(tensors)}};
  }
  json operator()(const HeavyTailEvidence& e) const {
    json layers = json::array();
    for (const HeavyTailLayerEvidence& l : e.layers)
      layers.push_back({{"name", l.name}, {"alpha", l.alpha}, {"D", stats_number(l.D)}});
    return {{"layers", std::move(layers)}};
  }
};

json recommendations_json(const std::vector<AnalysisRecommendation>& recs) {
  json a = json::array();
  for (const AnalysisRecommendation& r : recs)
    a.push_back({{"kind", r.kind}, {"target", r.target}, {"message", r.message},
                 {"evidence", std::visit(EvidenceJson{}, r.evidence)}});
  return a;
}

json system_json(const RunReport& r) {
  json gpu = {{"available", r.gpu.available}};
  if (!r.gpu.available) gpu["reason"] = r.gpu.reason;
  json devices = json::array();
  for (const GpuDevice& d : r.gpu.devices)
    devices.push_back({{"name", d.name},
                       {"utilisation_percent", d.utilisation_percent},
                       {"memory_used_bytes", d.memory_used_bytes},
                       {"memory_total_bytes", d.memory_total_bytes},
                       {"temperature_c", d.temperature_c},
                       {"power_w", d.power_w}});
  gpu["devices"] = std::move(devices);
  json energy = {{"source", r.energy.source}, {"joules", r.energy.joules}, {"watts", r.energy.watts}};
  if (r.energy.source == "estimate") energy["model"] = r.energy.model;
  return {{"cpu",
           {{"model", r.cpu.model},
            {"cores", r.cpu.cores},
            {"threads", r.cpu.threads},
            {"frequency_mhz", r.cpu.frequency_mhz},
            {"utilisation_percent", r.utilisation_percent},
            {"process_utilisation_percent", r.process_utilisation_percent}}},
          {"memory", {{"total_bytes", r.memory_total_bytes}, {"peak_rss_bytes", r.peak_rss_bytes}}},
          {"io", {{"read_bytes", r.read_bytes}, {"rchar", r.rchar}}},
          {"wall_seconds", r.wall_seconds},
          {"cpu_seconds", r.cpu_seconds},
          {"gpu", std::move(gpu)},
          {"energy", std::move(energy)}};
}

}  // namespace

json analysis_json(const Analysis& a) {
  const bool has_graph = a.graph.available;
  json j;
  j["schema"] = kAnalysisSchema;
  j["generated_by"] = std::string("ptscope ") + PTSCOPE_VERSION;
  j["file"] = file_json(a.file);
  j["graph"] = graph_json(a.graph);
  j["parameters"] = parameters_json(a.parameters);
  if (a.heavy_tail) j["heavy_tail"] = heavy_tail_json(*a.heavy_tail);
  j["architecture"] = architecture_json(a.architecture, a.architecture_has_evidence);
  j["modules"] = modules_json(a.modules, has_graph);
  j["categories"] = categories_json(a.categories);
  j["nodes"] = nodes_json(a.nodes);
  j["memory"] = memory_json(a.memory);
  j["summary"] = summary_json(a.summary, has_graph);
  j["training_memory"] = training_section(a.training_memory);
  j["training_flops"] = a.training_flops ? training_flops_section(*a.training_flops)
                                         : unavailable("training FLOPs need the graph: " + a.graph.reason);
  j["fusions"] = fusions_json(a.fusions);
  if (a.inference) j["inference"] = inference_json(*a.inference);
  j["roofline"] = roofline_json(a.roofline);
  j["recommendations"] = recommendations_json(a.recommendations);
  if (a.sweep) j["sweep"] = sweep_json(*a.sweep);
  else if (a.sweep_unavailable) j["sweep"] = unavailable(*a.sweep_unavailable);
  j["system"] = system_json(a.system);
  return j;
}

json build_analysis(const std::string& path, const AnalysisOptions& options) {
  return analysis_json(run_analysis(path, options));
}

json build_analysis(const Model& model, const AnalysisOptions& options) {
  return analysis_json(run_analysis(model, options));
}

}  // namespace ptscope
