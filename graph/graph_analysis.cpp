#include "graph/graph_analysis.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace ptscope::graph {
namespace {

void add(OpCost& t, const OpCost& c) {
  t.flops += c.flops;
  t.macs += c.macs;
  t.extended_flops += c.extended_flops;
  t.bytes_read += c.bytes_read;
  t.bytes_written += c.bytes_written;
}

bool contains_any(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s.find(w) != std::string::npos) return true;
  return false;
}

std::string percent(double part, double whole) {
  if (whole <= 0) return "0%";
  return std::to_string(int(100 * part / whole + 0.5)) + "%";
}

}  // namespace

std::vector<int64_t> node_params(const Model& model, const Graph& graph) {
  std::unordered_set<std::string> params;
  for (const auto& t : model.tensors)
    if (t.is_parameter()) params.insert(t.name);
  std::vector<int64_t> out;
  out.reserve(graph.nodes.size());
  for (const Node& node : graph.nodes) {
    int64_t n = 0;
    std::unordered_set<int> seen;
    for (int id : node.inputs) {
      if (id < 0 || size_t(id) >= graph.values.size() || !seen.insert(id).second) continue;
      const Value& v = graph.values[size_t(id)];
      if (v.kind == Value::Kind::parameter && params.count(v.name)) n += v.meta.numel();
    }
    out.push_back(n);
  }
  return out;
}

std::vector<ModuleTotals> module_totals(const Model& model, const Graph& graph, const std::vector<ModuleCall>& calls) {
  std::vector<ModuleTotals> out;
  if (!model.root) return out;
  // Pre-order walk of the module tree.
  std::vector<std::pair<const ModuleNode*, int>> stack{{model.root.get(), 0}};
  std::unordered_map<std::string, size_t> index;
  while (!stack.empty()) {
    auto [n, depth] = stack.back();
    stack.pop_back();
    ModuleTotals t;
    t.path = n->path;
    t.class_name = n->short_class_name();
    t.depth = depth;
    index.emplace(t.path, out.size());
    out.push_back(std::move(t));
    for (auto it = n->children.rbegin(); it != n->children.rend(); ++it) stack.push_back({it->get(), depth + 1});
  }
  // Parameters and buffers from the tensor table, credited to every enclosing module.
  for (const auto& nt : model.tensors) {
    if (!nt.tensor || !(nt.is_parameter() || nt.is_buffer())) continue;
    std::string owner = nt.name;
    while (true) {
      size_t dot = owner.rfind('.');
      owner = dot == std::string::npos ? "" : owner.substr(0, dot);
      auto it = index.find(owner);
      if (it != index.end()) (nt.is_parameter() ? out[it->second].params : out[it->second].buffers) += nt.tensor->numel();
      if (owner.empty()) break;
    }
  }
  // Node costs, credited to the node's scope and every enclosing module.
  for (const Node& node : graph.nodes) {
    std::string scope = node.scope;
    while (true) {
      auto it = index.find(scope);
      if (it != index.end()) {
        add(out[it->second].cost, node.cost);
        ++out[it->second].nodes;
      }
      if (scope.empty()) break;
      size_t dot = scope.rfind('.');
      scope = dot == std::string::npos ? "" : scope.substr(0, dot);
    }
  }
  for (const ModuleCall& c : calls) {
    auto it = index.find(c.path);
    if (it == index.end()) continue;
    ModuleTotals& t = out[it->second];
    ++t.calls;
    if (!c.outputs.empty()) t.output_shapes.push_back(graph.values[size_t(c.outputs[0])].meta.shape);
  }
  return out;
}

std::vector<CategoryTotals> category_distribution(const Graph& graph) {
  std::map<OpCategory, CategoryTotals> by;
  for (const Node& n : graph.nodes) {
    CategoryTotals& t = by[n.category];
    t.category = n.category;
    ++t.nodes;
    add(t.cost, n.cost);
  }
  std::vector<CategoryTotals> out;
  for (auto& [c, t] : by) out.push_back(t);
  std::stable_sort(out.begin(), out.end(), [](const CategoryTotals& a, const CategoryTotals& b) {
    double fa = a.cost.flops + a.cost.extended_flops, fb = b.cost.flops + b.cost.extended_flops;
    return fa != fb ? fa > fb : a.nodes > b.nodes;
  });
  return out;
}

Architecture classify_architecture(const Model& model, const Graph& graph) {
  double conv = 0, dense = 0, attention = 0, rnn = 0, total = 0;
  int attention_matmuls = 0, softmaxes = 0, causal_masks = 0, conv_nodes = 0;
  auto is_activation = [&](int id) {
    const Value& v = graph.values[size_t(id)];
    return v.kind == Value::Kind::intermediate || v.kind == Value::Kind::input;
  };
  for (const Node& n : graph.nodes) {
    const double macs = n.cost.macs;
    total += macs;
    const std::string& op = n.op;
    if (contains_any(op, {"lstm", "gru", "rnn_tanh", "rnn_relu"})) {
      rnn += macs;
      continue;
    }
    switch (n.category) {
      case OpCategory::conv:
        conv += macs;
        ++conv_nodes;
        break;
      case OpCategory::attention:
        attention += macs;
        ++attention_matmuls;
        break;
      case OpCategory::matmul: {
        // Activation × activation products (QKᵀ, AV) are attention; weights make a dense layer.
        bool both = n.inputs.size() >= 2 && is_activation(n.inputs[0]) && is_activation(n.inputs[1]);
        if (both && op.find("linear") == std::string::npos && op.find("addmm") == std::string::npos) {
          attention += macs;
          ++attention_matmuls;
        } else {
          dense += macs;
        }
        break;
      }
      default: break;
    }
    if (contains_any(op, {"softmax"})) ++softmaxes;
    if (contains_any(op, {"aten::triu", "aten::tril"})) ++causal_masks;
  }
  // Class names carry intent the op mix cannot show (encoder vs decoder).
  bool has_encoder = false, has_decoder = false, has_attention_module = false;
  std::vector<const ModuleNode*> stack;
  if (model.root) stack.push_back(model.root.get());
  while (!stack.empty()) {
    const ModuleNode* n = stack.back();
    stack.pop_back();
    const std::string cls = n->short_class_name();
    has_encoder = has_encoder || contains_any(cls, {"Encoder"});
    has_decoder = has_decoder || contains_any(cls, {"Decoder", "GPT", "Causal"});
    has_attention_module = has_attention_module || contains_any(cls, {"Attention", "Transformer"});
    for (const auto& c : n->children) stack.push_back(c.get());
  }
  const bool transformer = (attention_matmuls >= 2 && softmaxes > 0) || has_attention_module;
  Architecture a;
  if (total <= 0 && graph.nodes.empty()) return {"other", "no ops ran"};
  if (rnn > 0 && rnn >= 0.3 * total) {
    a.kind = "RNN";
    a.reason = "recurrent ops (LSTM/GRU/RNN) do " + percent(rnn, total) + " of the MACs";
  } else if (transformer) {
    const bool hybrid = conv >= 0.2 * total;
    if (hybrid) {
      a.kind = "hybrid (CNN + transformer)";
      a.reason = "convolutions do " + percent(conv, total) + " of the MACs and attention layers are present";
    } else if (has_encoder && has_decoder) {
      a.kind = "transformer encoder-decoder";
      a.reason = "attention with both encoder and decoder modules";
    } else if (has_decoder || causal_masks > 0) {
      a.kind = "transformer decoder";
      a.reason = causal_masks > 0 ? "attention with a causal (triangular) mask" : "attention in decoder modules";
    } else {
      a.kind = "transformer encoder";
      a.reason = std::to_string(attention_matmuls) + " attention products and " + std::to_string(softmaxes) +
                 " softmaxes; dense layers do " + percent(dense, total) + " of the MACs";
    }
  } else if (conv > 0 && conv >= 0.5 * total) {
    a.kind = "CNN";
    a.reason = std::to_string(conv_nodes) + " convolutions do " + percent(conv, total) + " of the MACs";
  } else if (dense > 0 && dense >= 0.5 * total) {
    a.kind = "MLP";
    a.reason = "dense layers do " + percent(dense, total) + " of the MACs";
  } else {
    a.kind = "other";
    a.reason = "no dominant layer type (conv " + percent(conv, total) + ", dense " + percent(dense, total) + ")";
  }
  return a;
}

}  // namespace ptscope::graph
