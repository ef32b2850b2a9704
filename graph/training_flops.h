// What one training step computes, from one forward graph: the forward, the
// backward (each node's input- and weight-gradient FLOPs, FlopCounterMode's
// rules from the op registry) and an optimizer step; and per-op totals of
// the forward (fvcore's by_operator()) with the ops no FLOP rule covers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model.h"
#include "graph/graph.h"

namespace ptscope::graph {

// Elementwise FLOPs per trainable element of one optimizer step, as torch's
// single-tensor/foreach implementations compute it (docs/flops.md): SGD
// `p -= lr·g` (2); momentum `buf = μ·buf + g; p -= lr·buf` (4); Adam lerp of
// exp_avg (3), exp_avg_sq·β2 + (1-β2)·g² (4), sqrt/bias-correction/+eps (3),
// addcdiv (3) = 13; AdamW adds the decoupled decay p·(1 - lr·wd) (14).
struct OptimizerStepFlops {
  double sgd = 0, sgd_momentum = 0, adam = 0, adamw = 0;
};
OptimizerStepFlops optimizer_step_flops(int64_t trainable_elements);

struct TrainingFlops {
  double forward = 0;          // FlopCounterMode convention (matmul/conv/attention)
  BackwardFlops backward;      // the same convention, autograd's gradients only
  int64_t trainable_elements = 0;
  OptimizerStepFlops step;     // extended FLOPs (FlopCounterMode counts none for a step)
  int backward_nodes = 0;      // nodes autograd records (some input requires grad)
  double total(double step_flops) const { return forward + backward.total() + step_flops; }
};
TrainingFlops training_flops(const Model& model, const Graph& graph);

// One row per aten op (overload included) of the forward graph, most FLOPs first.
struct OpTotals {
  std::string op;  // "aten::conv2d", "aten::add.Tensor"
  int count = 0;
  OpCost cost;
  BackwardFlops backward;
  bool has_flop_rule = true;  // false: its declaration counts bytes only
};
std::vector<OpTotals> op_totals(const Graph& graph);

// Ops of the graph whose declaration has no FLOP rule, by name, excluding
// views and shape ops (they compute nothing): fvcore's unsupported_ops().
std::vector<std::string> uncounted_ops(const std::vector<OpTotals>& totals);

}  // namespace ptscope::graph
