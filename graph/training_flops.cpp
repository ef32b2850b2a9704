#include "graph/training_flops.h"

#include <algorithm>
#include <map>

#include "core/trainable.h"

namespace ptscope::graph {

OptimizerStepFlops optimizer_step_flops(int64_t trainable_elements) {
  const double n = double(trainable_elements);
  return {2 * n, 4 * n, 13 * n, 14 * n};
}

TrainingFlops training_flops(const Model& model, const Graph& graph) {
  TrainingFlops t;
  t.forward = graph.totals().flops;
  t.backward = graph.backward_totals();
  for (const Node& n : graph.nodes) t.backward_nodes += n.requires_grad;
  t.trainable_elements = trainable_split(model).trainable;
  t.step = optimizer_step_flops(t.trainable_elements);
  return t;
}

std::vector<OpTotals> op_totals(const Graph& graph) {
  std::map<std::string, OpTotals> by_op;
  for (const Node& n : graph.nodes) {
    OpTotals& t = by_op[n.op];
    t.op = n.op;
    ++t.count;
    t.cost.flops += n.cost.flops;
    t.cost.macs += n.cost.macs;
    t.cost.extended_flops += n.cost.extended_flops;
    t.cost.bytes_read += n.cost.bytes_read;
    t.cost.bytes_written += n.cost.bytes_written;
    t.backward.input_grad += n.backward.input_grad;
    t.backward.weight_grad += n.backward.weight_grad;
    // Views and shape ops compute nothing: they never lack a rule.
    const bool computes = n.def && !n.def->is_view && n.def->category != OpCategory::shape;
    t.has_flop_rule = !computes || n.def->has_flop_rule;
  }
  std::vector<OpTotals> rows;
  for (auto& [_, t] : by_op) rows.push_back(std::move(t));
  std::stable_sort(rows.begin(), rows.end(), [](const OpTotals& a, const OpTotals& b) {
    const double fa = a.cost.flops + a.cost.extended_flops, fb = b.cost.flops + b.cost.extended_flops;
    if (fa != fb) return fa > fb;
    return a.count > b.count;
  });
  return rows;
}

std::vector<std::string> uncounted_ops(const std::vector<OpTotals>& totals) {
  std::vector<std::string> names;
  for (const auto& t : totals)
    if (!t.has_flop_rule) names.push_back(t.op);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ptscope::graph
