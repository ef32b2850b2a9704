// Activations, softmax and dropout: all keep the input's shape. Extended
// FLOPs per element are documented in docs/flops.md.
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

// What an activation's backward reads (derivatives.yaml): its result, its
// input, or, in place, a copy of the input autograd keeps before overwriting it.
enum class Keeps { result, input, input_copy };

SavesFn saves_for(Keeps k) {
  switch (k) {
    case Keeps::result: return saves_outputs();
    case Keeps::input: return saves_args({0});
    case Keeps::input_copy: return saves_input_copy();
  }
  return saves_outputs();
}

// Registers `name(...)` and, when given, its in-place twin with the same cost.
void unary(OpRegistry& r, const char* schema, const char* inplace_schema, double per_element, Keeps keeps,
           Keeps inplace_keeps) {
  const auto A = OpCategory::activation;
  OpDef& d = def(r, schema, A, same_as_first, per_out(per_element));
  d.saves = saves_for(keeps);
  d.pointwise = true;
  if (inplace_schema) {
    OpDef& in_place = inplace(r, inplace_schema, A, same_as_first, per_out(per_element));
    in_place.saves = saves_for(inplace_keeps);
    in_place.pointwise = true;
  }
}

// Dropout in training keeps its scaled mask (the input's dtype); outside training it is the identity.
SavedTensors dropout_saves(const Args& a, const Outs& o, const NeedsGrad&) {
  SavedTensors s;
  if (bool_arg(a, 2) && float_arg(a, 1) != 0.0) s.extra_bytes = o[0].nbytes();
  return s;
}

Outs softmax_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  wrap_dim(int_arg(a, 1), int64_t(x.shape.size()));
  return one(x.shape, dtype_or(a, 2, x.dtype));
}

// Dropout outside training returns its input unchanged: no work, no bytes.
OpCost dropout_cost(const Args& a, const Outs& o) {
  if (!bool_arg(a, 2) || float_arg(a, 1) == 0.0) return OpCost{};
  OpCost c = default_bytes(a, o);
  c.extended_flops = 2.0 * double(o[0].numel());  // compare against a random draw, scale
  return c;
}

}  // namespace

void register_activation_ops(OpRegistry& r) {
  const auto A = OpCategory::activation;
  unary(r, "aten::relu(Tensor self) -> Tensor", "aten::relu_(Tensor(a!) self) -> Tensor(a!)", 1, Keeps::result,
        Keeps::result);
  unary(r, "aten::relu6(Tensor self) -> Tensor", "aten::relu6_(Tensor(a!) self) -> Tensor(a!)", 2, Keeps::input,
        Keeps::input_copy);
  unary(r, "aten::hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor",
        "aten::hardtanh_(Tensor(a!) self, Scalar min_val=-1, Scalar max_val=1) -> Tensor(a!)", 2, Keeps::input,
        Keeps::input_copy);
  unary(r, "aten::threshold(Tensor self, Scalar threshold, Scalar value) -> Tensor",
        "aten::threshold_(Tensor(a!) self, Scalar threshold, Scalar value) -> Tensor(a!)", 1, Keeps::input,
        Keeps::input_copy);
  unary(r, "aten::leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
        "aten::leaky_relu_(Tensor(a!) self, Scalar negative_slope=0.01) -> Tensor(a!)", 2, Keeps::input,
        Keeps::result);
  // sigmoid and tanh compute in floating point: integer input gives the default float.
  ShapeFn to_float = [](const Args& a) {
    const TensorMeta& x = tensor(a, 0);
    return one(x.shape, is_integral(x.dtype, true) ? DType::float32 : x.dtype);
  };
  ShapeFn to_float_inplace = [](const Args& a) {
    const TensorMeta& x = tensor(a, 0);
    if (is_integral(x.dtype, true))
      fail("result type Float can't be cast to the desired output type " + std::string(dtype_name(x.dtype)));
    return same_as_first(a);
  };
  for (OpDef* d : {&def(r, "aten::sigmoid(Tensor self) -> Tensor", A, to_float, per_out(4)),
                    &inplace(r, "aten::sigmoid_(Tensor(a!) self) -> Tensor(a!)", A, to_float_inplace, per_out(4)),
                    &def(r, "aten::tanh(Tensor self) -> Tensor", A, to_float, per_out(5)),
                    &inplace(r, "aten::tanh_(Tensor(a!) self) -> Tensor(a!)", A, to_float_inplace, per_out(5))}) {
    d->saves = saves_outputs();
    d->pointwise = true;
  }
  unary(r, "aten::silu(Tensor self) -> Tensor", "aten::silu_(Tensor(a!) self) -> Tensor(a!)", 5, Keeps::input,
        Keeps::input_copy);
  unary(r, "aten::hardsigmoid(Tensor self) -> Tensor", "aten::hardsigmoid_(Tensor(a!) self) -> Tensor(a!)", 3,
        Keeps::input, Keeps::input_copy);
  unary(r, "aten::hardswish(Tensor self) -> Tensor", "aten::hardswish_(Tensor(a!) self) -> Tensor(a!)", 4,
        Keeps::input, Keeps::input_copy);
  unary(r, "aten::mish(Tensor self) -> Tensor", "aten::mish_(Tensor(a!) self) -> Tensor(a!)", 9, Keeps::input,
        Keeps::input_copy);
  unary(r, "aten::elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
        "aten::elu_(Tensor(a!) self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor(a!)", 4,
        Keeps::input, Keeps::result);
  unary(r, "aten::selu(Tensor self) -> Tensor", "aten::selu_(Tensor(a!) self) -> Tensor(a!)", 5, Keeps::input,
        Keeps::result);
  unary(r, "aten::celu(Tensor self, Scalar alpha=1.) -> Tensor", nullptr, 4, Keeps::input, Keeps::input);
  unary(r, "aten::softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> Tensor", nullptr, 3, Keeps::input,
        Keeps::input);
  // log_sigmoid = min(x, 0) - log1p(exp(-|x|)): min, exp, log1p, subtract. ATen has no integer kernel.
  OpDef& log_sigmoid = def(r, "aten::log_sigmoid(Tensor self) -> Tensor", A,
                           [](const Args& a) {
                             const TensorMeta& x = tensor(a, 0);
                             if (!is_floating(x.dtype))
                               fail("not implemented for " + std::string(dtype_name(x.dtype)) + " tensors");
                             return same_as_first(a);
                           },
                           per_out(4));
  log_sigmoid.saves = saves_args({0});
  log_sigmoid.pointwise = true;
  // GELU: erf or tanh form, both about 8 operations per element.
  ShapeFn gelu_rule = [](const Args& a) {
    std::string mode = str_arg(a, 1);
    if (mode != "none" && mode != "tanh") fail("approximate must be 'none' or 'tanh', got '" + mode + "'");
    return same_as_first(a);
  };
  OpDef& gelu = def(r, "aten::gelu(Tensor self, *, str approximate=\"none\") -> Tensor", A, gelu_rule, per_out(8));
  gelu.saves = saves_args({0});
  gelu.pointwise = true;
  OpDef& gelu_ = inplace(r, "aten::gelu_(Tensor(a!) self, *, str approximate=\"none\") -> Tensor(a!)", A, gelu_rule,
                         per_out(8));
  gelu_.saves = saves_input_copy();
  gelu_.pointwise = true;
  def(r, "aten::prelu(Tensor self, Tensor weight) -> Tensor", A,
      [](const Args& a) {
        const TensorMeta &x = tensor(a, 0), &w = tensor(a, 1);
        const int64_t channels = x.shape.size() >= 2 ? x.shape[1] : 1;
        if (w.numel() != 1 && w.numel() != channels)
          fail("weight " + shape_str(w.shape) + " must have 1 or " + std::to_string(channels) + " entries");
        return one(x.shape, x.dtype);
      },
      per_out(2))
      .pointwise = true;
  def(r, "aten::glu(Tensor self, int dim=-1) -> Tensor", A,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        Shape s = x.shape;
        const int64_t d = wrap_dim(int_arg(a, 1), int64_t(s.size()));
        if (s.empty() || s[size_t(d)] % 2)
          fail("halving dim " + std::to_string(d) + " of " + shape_str(s) + " must be even");
        s[size_t(d)] /= 2;
        return one(s, x.dtype);
      },
      per_out(5))  // sigmoid of one half, times the other
      .keeps_shape = false;
  // Softmax: max, subtract, exp, sum, divide ≈ 5 per element; log_softmax the same with a log.
  def(r, "aten::softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor", A, softmax_rule, per_out(5))
      .saves = saves_outputs();
  def(r, "aten::log_softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor", A, softmax_rule, per_out(5))
      .saves = saves_outputs();
  def(r, "aten::_softmax(Tensor self, int dim, bool half_to_float) -> Tensor", A,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        wrap_dim(int_arg(a, 1), int64_t(x.shape.size()));
        return one(x.shape, bool_arg(a, 2) ? DType::float32 : x.dtype);
      },
      per_out(5));
  for (const char* s : {"aten::dropout(Tensor input, float p, bool train) -> Tensor",
                        "aten::feature_dropout(Tensor input, float p, bool train) -> Tensor",
                        "aten::alpha_dropout(Tensor input, float p, bool train) -> Tensor"})
    def(r, s, A, same_as_first, dropout_cost).saves = dropout_saves;
  for (const char* s : {"aten::dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)",
                        "aten::feature_dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)"})
    inplace(r, s, A, same_as_first, dropout_cost).saves = dropout_saves;
}

}  // namespace ptscope::graph::rules
