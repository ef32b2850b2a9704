#include "report/graph_report.h"

#include <cstdio>

#include "core/trainable.h"
#include "core/weights.h"
#include "graph/graph_analysis.h"
#include "graph/training_flops.h"
#include "graph/training_memory.h"
#include "report/format.h"

namespace ptscope {

using namespace graph;

namespace {

std::string shapes_of(const Graph& g, const std::vector<int>& ids) {
  std::string s;
  for (int id : ids) s += (s.empty() ? "" : " ") + format_shape(g.values[size_t(id)].meta.shape);
  return s;
}

std::string intensity(const OpCost& c) {
  const double bytes = double(c.bytes_read + c.bytes_written);
  if (bytes <= 0) return "-";
  return fmt("%.1f", (c.flops + c.extended_flops) / bytes);
}


const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::input: return "input";
    case Value::Kind::parameter: return "parameter";
    case Value::Kind::constant: return "constant";
    case Value::Kind::intermediate: return "intermediate";
  }
  return "intermediate";
}

nlohmann::json arg_json(const ArgValue& v) {
  return std::visit(
      [](const auto& x) -> nlohmann::json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, NoneArg>) return nullptr;
        else if constexpr (std::is_same_v<T, TensorMeta> || std::is_same_v<T, std::vector<TensorMeta>>)
          return arg_to_string(x);
        else return x;
      },
      v);
}

nlohmann::json value_json(const Graph& g, int id) {
  const Value& v = g.values[size_t(id)];
  nlohmann::json j;
  j["value"] = id;
  j["shape"] = v.meta.shape;
  j["dtype"] = std::string(dtype_name(v.meta.dtype));
  j["kind"] = kind_name(v.kind);
  if (!v.name.empty()) j["name"] = v.name;
  if (v.view_of >= 0) j["view_of"] = v.view_of;
  if (v.producer >= 0) j["producer"] = v.producer;  // the node that wrote it: the graph's edges
  return j;
}

nlohmann::json cost_json(const OpCost& c) {
  return {{"flops", c.flops},
          {"macs", c.macs},
          {"extended_flops", c.extended_flops},
          {"bytes_read", c.bytes_read},
          {"bytes_written", c.bytes_written}};
}

std::string parameters_line(const Model& m) {
  const ParameterSplit split = trainable_split(m);
  return "  parameters      " + format_count(double(weight_totals(m).parameter_elements)) + "  (trainable " +
         format_count(double(split.trainable)) + ", non-trainable " + format_count(double(split.frozen)) + ")\n";
}

// Forward, backward (input / weight gradients) and one optimizer step.
std::string training_lines(const TrainingFlops& t) {
  std::string out;
  out += "  backward FLOPs  " + format_count(t.backward.total()) + "  (input gradients " +
         format_count(t.backward.input_grad) + ", weight gradients " + format_count(t.backward.weight_grad) +
         "; FlopCounterMode convention)\n";
  out += "  optimizer step  SGD " + format_count(t.step.sgd) + ", momentum " + format_count(t.step.sgd_momentum) +
         ", Adam " + format_count(t.step.adam) + ", AdamW " + format_count(t.step.adamw) +
         " (elementwise, per trainable element)\n";
  out += "  training step   " + format_count(t.total(t.step.adam)) +
         " FLOPs (forward + backward + Adam step)\n";
  return out;
}

nlohmann::json backward_json(const BackwardFlops& b) {
  return {{"input_grad_flops", b.input_grad}, {"weight_grad_flops", b.weight_grad}, {"flops", b.total()}};
}

}  // namespace

std::string render_op_table(const Graph& g) {
  const auto rows = op_totals(g);
  TextTable table({"op", "count", "FLOPs", "MACs", "ext. FLOPs", "bytes", "backward FLOPs"},
                  {false, true, true, true, true, true, true});
  for (const auto& r : rows)
    table.add_row({r.op + (r.has_flop_rule ? "" : " *"), std::to_string(r.count), format_count_or_dash(r.cost.flops),
                   format_count_or_dash(r.cost.macs), format_count_or_dash(r.cost.extended_flops),
                   format_bytes(r.cost.bytes_read + r.cost.bytes_written), format_count_or_dash(r.backward.total())});
  std::string out = "\nBy op (" + std::to_string(rows.size()) + " ops, " + std::to_string(g.nodes.size()) +
                    " nodes)\n" + table.render(64);
  const auto uncounted = uncounted_ops(rows);
  if (uncounted.empty()) {
    out += "Every op that computes has a FLOP rule.\n";
  } else {
    out += "* no FLOP rule (bytes only): ";
    for (size_t k = 0; k < uncounted.size(); ++k) out += (k ? ", " : "") + uncounted[k];
    out += "\n";
  }
  return out;
}

std::string render_graph_text(const GraphReport& r, const GraphTextOptions& options) {
  const Graph& g = *r.graph;
  const Model& m = *r.model;
  static const std::vector<ModuleCall> kNoCalls;
  const auto& calls = r.calls ? *r.calls : kNoCalls;
  std::string out;
  out += m.path + ": " + r.method + "() with ";
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    const Value& v = g.values[size_t(g.inputs[k])];
    out += (k ? ", " : "") + v.name + " " + format_shape(v.meta.shape) + " " + std::string(dtype_name(v.meta.dtype));
  }
  if (g.inputs.empty()) out += "no tensor inputs";
  out += "\n";
  for (const auto& n : g.notes) out += "  note: " + n + "\n";

  if (options.by_op) {
    out += render_op_table(g);
    const OpCost total = g.totals();
    out += "\nTotals\n" + parameters_line(m);
    out += "  FLOPs           " + format_count(total.flops) + "  (" + std::to_string(int64_t(total.flops)) + ")\n";
    out += training_lines(training_flops(m, g));
    return out;
  }

  // Layer by layer.
  TextTable layers({"#", "scope", "op", "output shape", "params", "MACs", "FLOPs", "bytes", "FLOP/B"},
                   {true, false, false, false, true, true, true, true, true});
  size_t shown = 0, hidden_views = 0;
  const std::vector<int64_t> params = node_params(m, g);
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& n = g.nodes[k];
    const bool is_view = n.is_view;
    if (!options.show_views && is_view) {
      ++hidden_views;
      continue;
    }
    if (options.max_layer_rows && shown >= options.max_layer_rows) continue;
    ++shown;
    std::string scope = n.scope.empty() ? "(root)" : n.scope;
    layers.add_row({std::to_string(k), scope, n.op, shapes_of(g, n.outputs), format_count_or_dash(double(params[k])),
                    format_count_or_dash(n.cost.macs), format_count_or_dash(n.cost.flops + n.cost.extended_flops),
                    format_bytes(n.cost.bytes_read + n.cost.bytes_written), intensity(n.cost)});
  }
  out += "\nLayers (" + std::to_string(g.nodes.size()) + " ops)\n" + layers.render(48);
  if (options.max_layer_rows && shown >= options.max_layer_rows && g.nodes.size() > shown + hidden_views)
    out += "  ... " + std::to_string(g.nodes.size() - shown - hidden_views) + " more (use --all)\n";

  // Module tree with totals.
  TextTable tree({"module", "class", "output shape", "params", "MACs", "FLOPs", "bytes"},
                 {false, false, false, true, true, true, true});
  for (const auto& t : module_totals(m, g, calls)) {
    std::string name = std::string(size_t(t.depth) * 2, ' ') + (t.path.empty() ? "(root)" : t.path.substr(t.path.rfind('.') + 1));
    std::string shape = t.output_shapes.empty() ? (t.calls ? "-" : "(not called)") : format_shape(t.output_shapes.back());
    if (t.output_shapes.size() > 1) shape += " x" + std::to_string(t.output_shapes.size());
    tree.add_row({name, t.class_name, shape, format_count_or_dash(double(t.params)), format_count_or_dash(t.cost.macs),
                  format_count_or_dash(t.cost.flops + t.cost.extended_flops),
                  format_bytes(t.cost.bytes_read + t.cost.bytes_written)});
  }
  out += "\nModules\n" + tree.render(48);

  // Totals.
  const OpCost total = g.totals();
  out += "\nTotals\n";
  out += parameters_line(m);
  out += "  MACs            " + format_count(total.macs) + "  (" + std::to_string(int64_t(total.macs)) + ")\n";
  out += "  FLOPs           " + format_count(total.flops) + "  (conv/matmul/attention, FlopCounterMode convention)\n";
  out += "  extended FLOPs  " + format_count(total.extended_flops) + "  (elementwise, norms, softmax, pooling)\n";
  out += "  bytes read      " + format_bytes(total.bytes_read) + "\n";
  out += "  bytes written   " + format_bytes(total.bytes_written) + "\n";
  out += "  arithmetic intensity " + intensity(total) + " FLOP/byte\n";
  out += training_lines(training_flops(m, g));

  // Distribution by category.
  const auto cats = category_distribution(g);
  const double all_flops = total.flops + total.extended_flops;
  TextTable dist({"category", "layers", "% layers", "FLOPs", "% FLOPs"}, {false, true, true, true, true});
  for (const auto& c : cats) {
    const double f = c.cost.flops + c.cost.extended_flops;
    const std::string lp = format_percent(c.nodes, double(g.nodes.size()), "0.0%");
    const std::string fp = format_percent(f, all_flops, "0.0%");
    dist.add_row({op_category_name(c.category), std::to_string(c.nodes), lp, format_count_or_dash(f), fp});
  }
  out += "\nBy category\n" + dist.render();

  const Architecture a = classify_architecture(m, g);
  out += "\nArchitecture: " + a.kind + " (" + a.reason + ")\n";
  for (const auto& e : a.evidence) out += "  - " + e + "\n";
  return out;
}

nlohmann::json graph_json(const GraphReport& r) {
  const Graph& g = *r.graph;
  const Model& m = *r.model;
  static const std::vector<ModuleCall> kNoCalls;
  const auto& calls = r.calls ? *r.calls : kNoCalls;
  nlohmann::json j;
  j["schema"] = kGraphSchema;
  j["file"] = m.path;
  j["method"] = r.method;
  j["inputs"] = nlohmann::json::array();
  for (int id : g.inputs) j["inputs"].push_back(value_json(g, id));
  j["outputs"] = nlohmann::json::array();
  for (int id : g.outputs) j["outputs"].push_back(value_json(g, id));
  j["notes"] = g.notes;
  j["nodes"] = nlohmann::json::array();
  const std::vector<int64_t> params = node_params(m, g);
  const TrainingMemory memory = estimate_training_memory(m, &g);
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& n = g.nodes[k];
    nlohmann::json node;
    node["op"] = n.op;
    node["scope"] = n.scope;
    node["scope_class"] = n.scope_class;
    node["source"] = n.source;
    node["category"] = op_category_name(n.category);
    node["is_view"] = n.is_view;
    node["inputs"] = nlohmann::json::array();
    for (int id : n.inputs) node["inputs"].push_back(value_json(g, id));
    node["outputs"] = nlohmann::json::array();
    for (int id : n.outputs) node["outputs"].push_back(value_json(g, id));
    nlohmann::json attrs = nlohmann::json::object();
    for (const auto& [name, v] : n.attrs) attrs[name] = arg_json(v);
    node["attrs"] = attrs;
    node["params"] = params[k];
    node["flops"] = n.cost.flops;
    node["macs"] = n.cost.macs;
    node["extended_flops"] = n.cost.extended_flops;
    node["bytes_read"] = n.cost.bytes_read;
    node["bytes_written"] = n.cost.bytes_written;
    node["requires_grad"] = n.requires_grad;
    node["backward"] = backward_json(n.backward);
    node["saved_for_backward_bytes"] = memory.saved_by_node[k];
    j["nodes"].push_back(std::move(node));
  }
  j["modules"] = nlohmann::json::array();
  for (const auto& t : module_totals(m, g, calls)) {
    nlohmann::json mod = cost_json(t.cost);
    mod["path"] = t.path;
    mod["class"] = t.class_name;
    mod["depth"] = t.depth;
    mod["params"] = t.params;
    mod["buffers"] = t.buffers;
    mod["nodes"] = t.nodes;
    mod["calls"] = t.calls;
    mod["output_shapes"] = t.output_shapes;
    j["modules"].push_back(std::move(mod));
  }
  j["categories"] = nlohmann::json::array();
  for (const auto& c : category_distribution(g)) {
    nlohmann::json cj = cost_json(c.cost);
    cj["category"] = op_category_name(c.category);
    cj["nodes"] = c.nodes;
    j["categories"].push_back(std::move(cj));
  }
  const Architecture a = classify_architecture(m, g);
  j["architecture"] = {{"kind", a.kind}, {"reason", a.reason}, {"evidence", a.evidence}};
  const auto ops = op_totals(g);
  j["by_op"] = nlohmann::json::array();
  for (const auto& r : ops) {
    nlohmann::json oj = cost_json(r.cost);
    oj["op"] = r.op;
    oj["count"] = r.count;
    oj["has_flop_rule"] = r.has_flop_rule;
    oj["backward"] = backward_json(r.backward);
    j["by_op"].push_back(std::move(oj));
  }
  j["uncounted_ops"] = uncounted_ops(ops);
  nlohmann::json totals = cost_json(g.totals());
  const ParameterSplit split = trainable_split(m);
  totals["params"] = weight_totals(m).parameter_elements;
  totals["trainable_params"] = split.trainable;
  totals["non_trainable_params"] = split.frozen;
  totals["nodes"] = g.nodes.size();
  j["totals"] = totals;
  const TrainingFlops t = training_flops(m, g);
  j["training"] = {{"forward_flops", t.forward},
                   {"backward", backward_json(t.backward)},
                   {"backward_nodes", t.backward_nodes},
                   {"saved_activation_bytes", memory.saved_activation_bytes},
                   {"trainable_params", t.trainable_elements},
                   {"optimizer_step_flops",
                    {{"sgd", t.step.sgd}, {"sgd_momentum", t.step.sgd_momentum}, {"adam", t.step.adam},
                     {"adamw", t.step.adamw}}}};
  return j;
}

}  // namespace ptscope
