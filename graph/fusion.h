// Fusion opportunities found by matching op patterns in the graph: what a
// compiler (TensorRT, torch.compile, ONNX Runtime) would merge into one
// kernel, and the intermediate tensor traffic that saves.
//   conv+bn(+relu)     convolution whose only consumer is batch_norm (folded
//                      into the conv's weights at inference), then relu
//                      ("conv+bn+activation" for other activations)
//   conv+relu          convolution directly followed by relu (or "conv+activation")
//   linear+activation  dense layer (linear/addmm/matmul with a weight) then an activation
//   attention          activation×activation matmul → [scale, mask] → softmax →
//                      [dropout] → matmul: one fused attention kernel
// A chain's inner tensors must have no consumer outside the chain (an
// in-place activation may follow, as it rewrites the same buffer).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace ptscope::graph {

struct Fusion {
  std::string pattern;     // "conv+bn+relu", "conv+bn+activation", "conv+bn", "conv+relu",
                           // "conv+activation", "linear+activation", "attention"
  std::vector<int> nodes;  // node indices, in execution order
  std::string scope;       // module of the first node
  uint64_t saved_bytes = 0;  // inner results: written once and read once each, avoided by fusing
  // attention: the dense layers producing q, k and v (reached backwards
  // through views, copies and scaling), which a fused kernel takes as inputs.
  std::vector<int> projections;
};

// Every match, in node order; a node belongs to at most one match.
std::vector<Fusion> find_fusions(const Graph& g);

// Node-level predicates the patterns use (exposed for tests and reports).
// A pointwise activation (relu, gelu, silu, hardtanh, sigmoid, tanh, ...), as its op declaration says.
bool is_activation_op(const Node& n);
bool is_dense_op(const Graph& g, const Node& n);  // linear, addmm, or matmul/mm with a parameter operand

}  // namespace ptscope::graph
