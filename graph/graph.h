// The flat op graph recovered for one concrete input: values with shapes and
// dtypes, and nodes in execution order with module scope, source line and cost.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/op_registry.h"
#include "graph/values.h"

namespace ptscope {
struct Tensor;
}

namespace ptscope::graph {

struct Value {
  int id = -1;
  TensorMeta meta;
  int producer = -1;          // node index, -1 for graph inputs, parameters and constants
  int view_of = -1;           // value id of the base when this value is a view
  enum class Kind : uint8_t { input, parameter, constant, intermediate } kind = Kind::intermediate;
  std::string name;           // input name or parameter's dotted name
  // Data for executors: parameters and file constants point at the file's
  // tensor; constants the code builds (torch.tensor([..]), sizes) carry their elements.
  std::shared_ptr<const Tensor> tensor;
  std::optional<std::vector<double>> elements;
};

// One node's backward FLOPs (FlopCounterMode's rules, op_registry.h), split
// the way autograd runs them: gradients of parameters (or views of them) and
// gradients of everything else (activations flowing back to earlier nodes).
struct BackwardFlops {
  double input_grad = 0;
  double weight_grad = 0;
  double total() const { return input_grad + weight_grad; }
};

struct Node {
  const OpDef* def = nullptr;
  std::string op;                     // full name, "aten::conv2d" / "aten::add.Tensor"
  std::vector<int> inputs;            // tensor value ids in schema order (lists flattened)
  std::vector<int> outputs;           // tensor value ids
  std::vector<std::pair<std::string, ArgValue>> attrs;  // non-tensor bound arguments by schema name
  std::vector<ArgValue> args;         // every bound argument in schema order (tensors carry value ids), for executors
  std::string scope;                  // module path: "layer1.0.conv1" ("" for the root)
  std::string scope_class;            // class of that module: "Conv2d"
  std::string source;                 // "code/__torch__/torch/nn/modules/conv.py:23"
  OpCategory category = OpCategory::other;
  // The output aliases the first tensor input: a view op (OpDef::is_view) that
  // did not copy (OpDef::copies: a reshape of a tensor its strides cannot view).
  bool is_view = false;
  OpCost cost;
  bool requires_grad = false;  // some tensor input requires grad: autograd records this node
  BackwardFlops backward;
  std::vector<int> saved;       // value ids autograd keeps for this node's backward (OpDef::saves)
  uint64_t saved_extra_bytes = 0;  // saved tensors that are not graph values
};

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> inputs;   // value ids
  std::vector<int> outputs;  // value ids (tensors among the forward's results)
  std::vector<std::string> notes;  // what was inferred (input shapes, ...)

  int add_value(TensorMeta meta, Value::Kind kind, std::string name = "", int producer = -1);
  OpCost totals() const;
  BackwardFlops backward_totals() const;
  // True when `id` is a parameter or a view of one (t(), expand, slicing).
  bool is_parameter_view(int id) const;
};

}  // namespace ptscope::graph
