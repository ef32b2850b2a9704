// Training memory estimate from one forward graph: weights + gradients +
// optimizer state + the activations autograd saves for backward, as a
// timeline over the forward and the backward pass (the classic weights /
// gradients / feature-maps plot). The rules (docs/analysis.md):
//  - weights: floating parameters of the tensor table, numel × itemsize,
//    resident throughout;
//  - gradients: one per trainable parameter (requires_grad as the file records
//    it; every floating tensor of a state_dict, which records no flag), same
//    dtype, allocated when the backward of
//    the first node (in reverse order) that reads the parameter runs; zero
//    during the forward (zero_grad(set_to_none=True), torch ≥ 2.0's default);
//  - optimizer state for the trainable parameters, resident from the first
//    step on: SGD none, SGD with momentum one buffer per parameter, Adam/AdamW
//    two (exp_avg, exp_avg_sq);
//  - saved activations: every tensor a node writes into a buffer of its own
//    (views and in-place results share their base's) plus the graph inputs,
//    kept from the node that produced it until that node's backward ran.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model.h"
#include "graph/graph.h"

namespace ptscope::graph {

struct OptimizerMemory {
  uint64_t weights = 0, gradients = 0, optimizer_state = 0, activations = 0;
  uint64_t peak = 0;  // the timeline's largest total with this optimizer's state
};

struct TrainingPoint {
  int step = 0;
  bool backward = false;
  int node = -1;  // the node just run (forward) or whose backward just ran; -1 for step 0
  uint64_t gradients = 0, activations = 0;
};

struct TrainingMemory {
  int64_t trainable_params = 0;  // elements that require grad
  uint64_t weight_bytes = 0;     // every floating parameter
  uint64_t trainable_bytes = 0;  // those that require grad: gradients, and the unit of optimizer state
  uint64_t saved_activation_bytes = 0;  // at the forward/backward boundary
  uint64_t dtype_bytes = 4;             // bytes per element of the (first) floating parameter
  OptimizerMemory sgd, sgd_momentum, adam;
  std::vector<TrainingPoint> timeline;  // step 0, then each forward node, then each backward node
  std::vector<uint64_t> saved_by_node;  // bytes each node is the first to keep for backward (OpDef::saves)
  int boundary = 0;                     // step of the last forward point
};

// `graph` may be null (state_dicts): activations are then 0 and the timeline
// has only the boundary point.
TrainingMemory estimate_training_memory(const Model& model, const Graph* graph);

}  // namespace ptscope::graph
