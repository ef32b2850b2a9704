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

}  // namespace ptscope::graph
