// The op registry: each aten op is declared once with its schema, shape rule,
// cost rule (FLOPs/MACs/bytes) and category. The shape-only interpreter binds
// TorchScript calls against the schemas; executors implement kernels keyed by
// the same OpDef. Unknown ops are errors that name the op, never silent zeros.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/values.h"

namespace ptscope::graph {

enum class OpCategory : uint8_t {
  conv, matmul, attention, norm, activation, pooling, elementwise, reduction, shape, embedding, other,
};
const char* op_category_name(OpCategory c);

// One parsed schema argument: `int[2] stride=1`, `Tensor? bias=None`, `*, bool inplace=False`.
struct SchemaArg {
  std::string name;
  std::string type;          // as written: "Tensor", "Tensor?", "int[2]", "Scalar", "ScalarType?", "Tensor[]" ...
  std::optional<std::string> default_value;  // as written, e.g. "1", "None", "[0, 0]", "False"
  bool kwarg_only = false;
  bool is_tensor() const;       // Tensor, Tensor?, Tensor(a), Tensor(a!) ...
  bool is_tensor_list() const;  // Tensor[], Tensor?[]
  bool is_optional() const;     // ends with '?'
};

struct Schema {
  std::string name;      // "aten::conv2d"
  std::string overload;  // "" or "Tensor", "Scalar", "int" ...
  std::vector<SchemaArg> args;
  std::vector<std::string> returns;  // types, e.g. {"Tensor"} or {"Tensor", "Tensor"}
  std::string text;      // the schema string as declared
  std::string full_name() const { return overload.empty() ? name : name + "." + overload; }
};

// Parses "aten::conv2d(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1) -> Tensor".
// Throws ptscope::Error(usage) on malformed schema text.
Schema parse_schema(std::string_view text);

// A schema type without its alias annotations: "Tensor(a!)" → "Tensor", "Tensor(a)[]" → "Tensor[]".
std::string schema_base_type(std::string_view type);

struct OpCost {
  double flops = 0;          // FlopCounterMode convention: 2 per multiply-add, only for the ops it counts
  double macs = 0;           // multiply-accumulates of those ops
  double extended_flops = 0; // elementwise, norms, softmax, pooling: our documented counts (docs/flops.md)
  uint64_t bytes_read = 0;   // each input read once (views move nothing)
  uint64_t bytes_written = 0;
};

// FLOPs of one node's backward, by FlopCounterMode's rules for the ops
// autograd runs there (mm/bmm for products, convolution_backward, the
// attention backward). Only gradients some input needs are counted.
struct BackwardCost {
  double shared = 0;          // spent once whatever gradient is needed (attention recomputes its scores)
  std::vector<double> grads;  // by bound argument index: FLOPs of that argument's gradient (0: none/not needed)
  double total() const;
};

// The tensors autograd keeps for one node's backward (its SavedVariables, as
// derivatives.yaml and the generated code decide them): bound arguments and
// outputs by index, plus the bytes of saved tensors the graph does not show
// (max-pool indices, layer-norm statistics, the copy of `self` an in-place op
// keeps when its backward reads its input).
struct SavedTensors {
  std::vector<size_t> args;     // bound argument indices (a tensor-list argument: every tensor)
  std::vector<size_t> outputs;  // output indices
  uint64_t extra_bytes = 0;
};

struct OpDef {
  Schema schema;
  OpCategory category = OpCategory::other;
  bool is_view = false;     // output aliases the first tensor input (no bytes moved)
  // For a view op that must copy when the input's strides allow no view
  // (reshape, flatten, contiguous): true when this call copied, so its node
  // is no view (Node::is_view). Null: always a view.
  std::function<bool(const std::vector<ArgValue>& args, const std::vector<TensorMeta>& outputs)> copies;
  bool is_inplace = false;  // writes into its first input (`add_`, `relu_`, out= variants)
  // The output has the first tensor input's shape whenever the other tensor
  // arguments broadcast into it, so an input-shape placeholder flows through
  // (graph/input_inference). OpRegistry::add sets it from the category
  // (activation and elementwise ops keep shapes); declarations that differ
  // (glu, outer, copies and casts) set it themselves.
  bool keeps_shape = false;
  // Each output element is a function of the matching input element (and a
  // per-channel weight): an activation a producer can fuse as its epilogue
  // (graph/fusion). Softmax, dropout and glu are activations that are not.
  bool pointwise = false;
  // Output tensors from bound arguments (schema order). Throws ptscope::Error(corrupt)
  // with a message naming the op when the shapes do not fit (e.g. matmul mismatch).
  std::function<std::vector<TensorMeta>(const std::vector<ArgValue>& args)> shape;
  // Cost from bound arguments and computed outputs. Default (null): bytes only.
  std::function<OpCost(const std::vector<ArgValue>& args, const std::vector<TensorMeta>& outputs)> cost;
  // True when the declaration carries a FLOP rule (matmul FLOPs or extended
  // ones); ops with bytes only are what `graph --by-op` lists as uncounted.
  bool has_flop_rule = false;
  // Backward FLOPs from bound arguments, outputs and which bound arguments
  // need a gradient (`needs_grad[i]`: argument i, or any tensor of list
  // argument i, requires grad). Null: the op's backward runs no op that
  // FlopCounterMode counts (elementwise, norms, pooling, views: 0).
  std::function<BackwardCost(const std::vector<ArgValue>& args, const std::vector<TensorMeta>& outputs,
                             const std::vector<char>& needs_grad)>
      backward;
  // What the node keeps for backward when autograd records it, given which
  // bound arguments need a gradient. Null: its outputs (the estimate for ops
  // without a rule; docs/analysis.md).
  std::function<SavedTensors(const std::vector<ArgValue>& args, const std::vector<TensorMeta>& outputs,
                             const std::vector<char>& needs_grad)>
      saves;
};

class OpRegistry {
 public:
  // Registers an op from its schema text; returns the def to fill in.
  OpDef& add(std::string_view schema_text, OpCategory category);
  // All overloads of "aten::add" in registration order (most specific first).
  const std::vector<const OpDef*>& overloads(std::string_view name) const;
  const OpDef* find(std::string_view full_name) const;  // "aten::add.Tensor" or "aten::relu"
  size_t size() const { return defs_.size(); }
  std::vector<std::string> names() const;

  // Binds call arguments to a schema: positional args in order, keywords by
  // name, defaults filled (parsed from the schema's default text). Returns
  // nullopt when the values do not fit the schema's types (for overload
  // resolution); `why` receives the reason.
  static std::optional<std::vector<ArgValue>> bind(const Schema& schema, const std::vector<ArgValue>& positional,
                                                   const std::vector<std::pair<std::string, ArgValue>>& keywords,
                                                   std::string* why = nullptr);
  // Picks the first overload of `name` that binds; throws Error(unsupported)
  // naming the op and listing the schemas tried when none does, or when the op
  // is unknown.
  std::pair<const OpDef*, std::vector<ArgValue>> resolve(
      std::string_view name, const std::vector<ArgValue>& positional,
      const std::vector<std::pair<std::string, ArgValue>>& keywords) const;

 private:
  std::vector<std::unique_ptr<OpDef>> defs_;
  std::map<std::string, std::vector<const OpDef*>, std::less<>> by_name_;
  std::map<std::string, const OpDef*, std::less<>> by_full_name_;
};

// The process-wide registry with every op ptscope knows (built once, thread-safe).
const OpRegistry& op_registry();

// Cost helper for rules: bytes of all tensor args read and outputs written.
OpCost default_bytes(const std::vector<ArgValue>& args, const std::vector<TensorMeta>& outputs);

}  // namespace ptscope::graph
