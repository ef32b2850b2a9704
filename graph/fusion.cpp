#include "graph/fusion.h"

#include <algorithm>
#include <unordered_map>

namespace ptscope::graph {
namespace {

std::string base_name(const std::string& op) {  // "aten::relu_.default" → "relu_"
  std::string s = op.substr(op.find("::") == std::string::npos ? 0 : op.find("::") + 2);
  return s.substr(0, s.find('.'));
}

bool is_conv(const Node& n) { return n.category == OpCategory::conv; }
bool is_batch_norm(const Node& n) { return base_name(n.op).find("batch_norm") != std::string::npos; }
bool is_softmax(const Node& n) {
  const std::string b = base_name(n.op);
  return b == "softmax" || b == "_softmax" || b == "log_softmax";
}
bool is_matmul_like(const Node& n) {
  const std::string b = base_name(n.op);
  return b == "matmul" || b == "bmm" || b == "mm" || b == "baddbmm" || b == "einsum";
}
// Ops allowed between the score matmul and the softmax (scale, mask) or after it (dropout, casts).
bool is_score_step(const Node& n) {
  const std::string b = base_name(n.op);
  return b == "div" || b == "div_" || b == "mul" || b == "mul_" || b == "add" || b == "add_" ||
         b == "masked_fill" || b == "masked_fill_" || b == "where" || b == "to" || b == "type_as";
}
bool is_passthrough(const Node& n) {
  const std::string b = base_name(n.op);
  return b == "dropout" || b == "dropout_" || b == "to" || b == "contiguous" || b == "feature_dropout";
}

bool relu_like(const Node& n) {
  const std::string b = base_name(n.op);
  return b == "relu" || b == "relu_";
}

bool is_activation_value(const Graph& g, int id) {
  const auto k = g.values[size_t(id)].kind;
  return k == Value::Kind::intermediate || k == Value::Kind::input;
}

struct Consumers {
  std::unordered_map<int, std::vector<int>> by_value;  // value id → consuming nodes (ascending)
  const std::vector<int>& of(int v) const {
    static const std::vector<int> none;
    auto it = by_value.find(v);
    return it == by_value.end() ? none : it->second;
  }
};

Consumers consumers_of(const Graph& g) {
  Consumers c;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& ins = g.nodes[i].inputs;
    for (size_t k = 0; k < ins.size(); ++k) {
      if (std::find(ins.begin(), ins.begin() + long(k), ins[k]) != ins.begin() + long(k)) continue;  // once per node
      c.by_value[ins[k]].push_back(int(i));
    }
  }
  return c;
}

bool is_graph_output(const Graph& g, int v) { return std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end(); }

// The single node reading a node's first output, or -1 when several do (or none, or it is returned).
int sole_consumer(const Graph& g, const Consumers& c, int node) {
  const Node& n = g.nodes[size_t(node)];
  if (n.outputs.empty() || is_graph_output(g, n.outputs[0])) return -1;
  const auto& users = c.of(n.outputs[0]);
  return users.size() == 1 ? users[0] : -1;
}

// The first reader of a node's output when it is an activation that may
// follow: sole consumer, or in-place (it rewrites the buffer the others then read).
int activation_after(const Graph& g, const Consumers& c, int node) {
  const Node& n = g.nodes[size_t(node)];
  if (n.outputs.empty()) return -1;
  const auto& users = c.of(n.outputs[0]);
  if (users.empty()) return -1;
  const Node& a = g.nodes[size_t(users[0])];
  if (!is_activation_op(a)) return -1;
  const bool inplace = a.def && a.def->is_inplace;
  if (users.size() == 1 && !is_graph_output(g, n.outputs[0])) return users[0];
  return inplace ? users[0] : -1;
}

// The dense layer a value comes from, through views, copies and scaling (-1: none within 8 steps).
int projection_of(const Graph& g, int value) {
  for (int hop = 0; hop < 8; ++hop) {
    const int p = g.values[size_t(value)].producer;
    if (p < 0) return -1;
    const Node& n = g.nodes[size_t(p)];
    if (is_dense_op(g, n)) return p;
    const bool pass = n.category == OpCategory::shape || (n.def && n.def->is_view) || is_passthrough(n) ||
                      is_score_step(n) || base_name(n.op) == "chunk" || base_name(n.op) == "unbind";
    if (!pass || n.inputs.empty()) return -1;
    value = n.inputs[0];
  }
  return -1;
}

uint64_t inner_traffic(const Graph& g, const std::vector<int>& chain) {
  uint64_t bytes = 0;  // every result but the last: one write and one read
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    const Node& n = g.nodes[size_t(chain[i])];
    if (!n.outputs.empty()) bytes += 2 * g.values[size_t(n.outputs[0])].meta.nbytes();
  }
  return bytes;
}

}  // namespace

bool is_activation_op(const Node& n) {
  return n.def && n.def->category == OpCategory::activation && n.def->pointwise;
}

bool is_dense_op(const Graph& g, const Node& n) {
  const std::string b = base_name(n.op);
  if (b == "linear" || b == "addmm") return true;
  if (b != "matmul" && b != "mm") return false;
  for (int id : n.inputs)
    if (g.values[size_t(id)].kind == Value::Kind::parameter) return true;
  return false;
}

std::vector<Fusion> find_fusions(const Graph& g) {
  const Consumers c = consumers_of(g);
  std::vector<char> used(g.nodes.size(), 0);
  std::vector<Fusion> out;
  auto emit = [&](std::string pattern, std::vector<int> chain) {
    for (int i : chain) used[size_t(i)] = 1;
    Fusion f;
    f.pattern = std::move(pattern);
    f.scope = g.nodes[size_t(chain[0])].scope;
    f.saved_bytes = inner_traffic(g, chain);
    f.nodes = std::move(chain);
    out.push_back(std::move(f));
  };
  // Attention first: its matmuls would otherwise not match anything else, but
  // claiming them early keeps the scan simple.
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    if (!is_softmax(g.nodes[s]) || used[s]) continue;
    std::vector<int> chain{int(s)};
    // Backwards from the softmax through scale/mask steps to the score matmul.
    int cur = int(s), score = -1;
    for (int hop = 0; hop < 4 && score < 0; ++hop) {
      const Node& n = g.nodes[size_t(cur)];
      if (n.inputs.empty()) break;
      const int p = g.values[size_t(n.inputs[0])].producer;
      if (p < 0 || used[size_t(p)] || sole_consumer(g, c, p) != cur) break;
      const Node& pn = g.nodes[size_t(p)];
      if (is_matmul_like(pn) && pn.inputs.size() >= 2 && is_activation_value(g, pn.inputs[0]) &&
          is_activation_value(g, pn.inputs[1]))
        score = p;
      else if (!is_score_step(pn))
        break;
      chain.insert(chain.begin(), p);
      cur = p;
    }
    if (score < 0) continue;
    // Forwards from the softmax through dropout to the value matmul.
    int next = int(s), value = -1;
    for (int hop = 0; hop < 3 && value < 0; ++hop) {
      const int u = sole_consumer(g, c, next);
      if (u < 0 || used[size_t(u)]) break;
      const Node& un = g.nodes[size_t(u)];
      if (is_matmul_like(un)) value = u;
      else if (!is_passthrough(un)) break;
      chain.push_back(u);
      next = u;
    }
    if (value < 0) continue;
    emit("attention", chain);
    // q and k feed the score product, v the value product.
    std::vector<int> sources(g.nodes[size_t(score)].inputs.begin(), g.nodes[size_t(score)].inputs.begin() + 2);
    if (g.nodes[size_t(value)].inputs.size() >= 2) sources.push_back(g.nodes[size_t(value)].inputs[1]);
    for (int v : sources) {
      const int p = projection_of(g, v);
      auto& proj = out.back().projections;
      if (p >= 0 && std::find(proj.begin(), proj.end(), p) == proj.end()) proj.push_back(p);
    }
    std::sort(out.back().projections.begin(), out.back().projections.end());
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (used[i]) continue;
    const Node& n = g.nodes[i];
    if (is_conv(n)) {
      const int bn = sole_consumer(g, c, int(i));
      if (bn >= 0 && !used[size_t(bn)] && is_batch_norm(g.nodes[size_t(bn)])) {
        const int act = activation_after(g, c, bn);
        if (act >= 0 && !used[size_t(act)]) emit(relu_like(g.nodes[size_t(act)]) ? "conv+bn+relu" : "conv+bn+activation", {int(i), bn, act});
        else emit("conv+bn", {int(i), bn});
        continue;
      }
      const int act = activation_after(g, c, int(i));
      if (act >= 0 && !used[size_t(act)]) emit(relu_like(g.nodes[size_t(act)]) ? "conv+relu" : "conv+activation", {int(i), act});
    } else if (is_dense_op(g, n)) {
      const int act = activation_after(g, c, int(i));
      if (act >= 0 && !used[size_t(act)]) emit("linear+activation", {int(i), act});
    }
  }
  std::sort(out.begin(), out.end(), [](const Fusion& a, const Fusion& b) { return a.nodes[0] < b.nodes[0]; });
  return out;
}

}  // namespace ptscope::graph
