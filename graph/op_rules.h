// Shared helpers for the op declarations in graph/ops_*.cpp: typed access to
// bound arguments, broadcasting and dtype promotion, and cost shorthands.
// Rules throw through fail(); def() prefixes the op name to the message.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "graph/op_registry.h"

namespace ptscope::graph::rules {

using Args = std::vector<ArgValue>;
using Shape = std::vector<int64_t>;
using Outs = std::vector<TensorMeta>;
using ShapeFn = std::function<Outs(const Args&)>;
using CostFn = std::function<OpCost(const Args&, const Outs&)>;
using NeedsGrad = std::vector<char>;  // by bound argument index
using BackwardFn = std::function<BackwardCost(const Args&, const Outs&, const NeedsGrad&)>;
using SavesFn = std::function<SavedTensors(const Args&, const Outs&, const NeedsGrad&)>;

// Declares an op. Errors thrown by the rules get the op name as prefix; a
// null cost becomes default_bytes (or zero for views, which move nothing).
OpDef& def(OpRegistry& r, std::string_view schema, OpCategory category, ShapeFn shape, CostFn cost = nullptr);
// The same, flagged as a view of its first tensor input (bytes 0).
OpDef& view(OpRegistry& r, std::string_view schema, OpCategory category, ShapeFn shape);
// The same, flagged in-place on its first input (reads it and writes it once).
OpDef& inplace(OpRegistry& r, std::string_view schema, OpCategory category, ShapeFn shape, CostFn cost = nullptr);

[[noreturn]] void fail(const std::string& message);  // Error(corrupt, message)
std::string shape_str(const Shape& s);

// Argument access by schema position (binding has already checked the types).
const TensorMeta& tensor(const Args& a, size_t i);
const TensorMeta* opt_tensor(const Args& a, size_t i);  // nullptr for None
const std::vector<TensorMeta>& tensors(const Args& a, size_t i);
bool is_none(const Args& a, size_t i);
int64_t int_arg(const Args& a, size_t i);
std::optional<int64_t> opt_int(const Args& a, size_t i);
double float_arg(const Args& a, size_t i);  // also accepts int and bool
bool bool_arg(const Args& a, size_t i);
std::vector<int64_t> ints(const Args& a, size_t i);  // int[]; a bare int becomes {n}
std::optional<std::vector<int64_t>> opt_ints(const Args& a, size_t i);
std::string str_arg(const Args& a, size_t i);
// The same accessors as members, for the binders of graph/conv_args.h and
// graph/pool_args.h that also read kernels::KernelCall.
struct ArgReader {
  const Args& a;
  int64_t int_arg(size_t i) const { return rules::int_arg(a, i); }
  bool bool_arg(size_t i) const { return rules::bool_arg(a, i); }
  std::vector<int64_t> ints(size_t i) const { return rules::ints(a, i); }
  std::string str_arg(size_t i) const { return rules::str_arg(a, i); }
  bool is_none(size_t i) const { return rules::is_none(a, i); }
  size_t num_args() const { return a.size(); }
};

// Dims and shapes.
int64_t wrap_dim(int64_t dim, int64_t rank);  // negative dims count from the end; rank 0 acts as 1
Shape broadcast(const Shape& a, const Shape& b);
int64_t numel(const Shape& s);
TensorMeta meta(Shape shape, DType dtype);
Outs one(Shape shape, DType dtype);

// Dtypes.
DType promote(DType a, DType b);  // torch.promote_types
// torch.result_type over tensor and scalar arguments at the given positions
// (dimensioned tensors > zero-dim tensors > Python scalars, by category).
DType result_type(const Args& a, const std::vector<size_t>& positions);  // None entries are skipped
DType dtype_code(int64_t code);  // ScalarType int → DType, Error(corrupt) when invalid
DType dtype_or(const Args& a, size_t i, DType fallback);  // ScalarType? argument
bool is_floating(DType d);
bool is_complex(DType d);
bool is_integral(DType d, bool include_bool);

// Costs: default_bytes plus extended FLOPs (docs/flops.md) per output or input element.
CostFn per_out(double flops_per_element);
CostFn per_in(double flops_per_element);

// Backward shorthands: every listed argument's gradient costs as much as the
// forward's FLOPs (products: dA = dC·Bᵀ and dB = Aᵀ·dC are products of the
// same size), counted only for the arguments that need one.
BackwardFn grads_like_forward(CostFn forward, std::vector<size_t> positions);
BackwardCost grads_of(const NeedsGrad& needs, const std::vector<std::pair<size_t, double>>& per_arg);

// Saved-tensor shorthands (OpDef::saves).
SavesFn saves_nothing();                       // add, cat, copies, views, reductions to sizes
SavesFn saves_args(std::vector<size_t> args);  // e.g. conv: its input
SavesFn saves_outputs();                       // e.g. relu, sigmoid, softmax: the result
// Products and binary ops: argument a when b needs a gradient, b when a does.
SavesFn saves_other_operand(size_t a, size_t b);
// An in-place op whose backward reads its input: autograd keeps a copy of it.
SavesFn saves_input_copy();

// Shape rules shared by many ops.
Outs same_as_first(const Args& a);  // output = first arg's shape and dtype

// One registration function per category (ops_<category>.cpp).
void register_conv_ops(OpRegistry& r);
void register_matmul_ops(OpRegistry& r);
void register_attention_ops(OpRegistry& r);
void register_norm_ops(OpRegistry& r);
void register_activation_ops(OpRegistry& r);
void register_pooling_ops(OpRegistry& r);
void register_elementwise_ops(OpRegistry& r);
void register_reduction_ops(OpRegistry& r);
void register_shape_ops(OpRegistry& r);
void register_embedding_ops(OpRegistry& r);
void register_other_ops(OpRegistry& r);
void register_recurrent_ops(OpRegistry& r);

}  // namespace ptscope::graph::rules
