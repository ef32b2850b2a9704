// Elementwise ops: arithmetic, comparisons, logical and bitwise ops, unary
// math, where/clamp/masked_fill. Shapes broadcast; dtypes follow
// torch.result_type. Each op counts one extended FLOP per output element
// unless it fuses several (addcmul, lerp, clamp with both bounds).
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

enum class Result {
  promote,    // torch.result_type of the operands
  subtract,   // promote; bool operands are rejected (use logical_not / ^)
  bitwise,    // promote; integer or bool only
  true_div,   // promote, integers become the default float
  boolean,    // comparisons, logical ops, isnan ...
  to_float,   // unary math on integers gives the default float (exp, sqrt ...)
  same,       // the first operand's dtype (neg, abs, floor ...)
};

Shape shape_of(const Args& a, size_t i) {
  if (auto* t = std::get_if<TensorMeta>(&a[i])) return t->shape;
  return {};  // a Python scalar broadcasts like a 0-d tensor
}

// torch.can_cast: no complex → real, float → integer or anything → bool.
bool can_cast(DType from, DType to) {
  if (is_complex(from) && !is_complex(to)) return false;
  if (is_floating(from) && is_integral(to, true)) return false;
  if (from != DType::bool_ && to == DType::bool_) return false;
  return true;
}

DType result_dtype(const Args& a, const std::vector<size_t>& operands, Result kind) {
  switch (kind) {
    case Result::boolean: return DType::bool_;
    case Result::same: return tensor(a, 0).dtype;
    case Result::promote: return result_type(a, operands);
    case Result::subtract:
      for (size_t i : operands) {
        const bool is_bool = std::holds_alternative<bool>(a[i]) ||
                             (std::holds_alternative<TensorMeta>(a[i]) && tensor(a, i).dtype == DType::bool_);
        if (is_bool) fail("the `-` operator on a bool tensor is not supported (use logical_not or ^)");
      }
      return result_type(a, operands);
    case Result::bitwise: {
      const DType d = result_type(a, operands);
      if (!is_integral(d, true)) fail("bitwise ops are not implemented for " + std::string(dtype_name(d)));
      return d;
    }
    case Result::true_div:
    case Result::to_float: {
      DType d = result_type(a, operands);
      return is_integral(d, true) ? DType::float32 : d;
    }
  }
  return DType::undefined;
}

// Shape rule over the given operand positions; in-place forms keep self's
// shape and dtype, and reject operands that would grow it or need a narrowing cast.
ShapeFn elementwise(std::initializer_list<size_t> operands, Result kind, bool in_place) {
  std::vector<size_t> ops(operands);
  return [ops, kind, in_place](const Args& a) {
    Shape s = shape_of(a, ops[0]);
    for (size_t k = 1; k < ops.size(); ++k)
      if (!is_none(a, ops[k])) s = broadcast(s, shape_of(a, ops[k]));
    const DType d = result_dtype(a, ops, kind);
    if (in_place) {
      const TensorMeta& self = tensor(a, 0);
      if (s != self.shape)
        fail("output with shape " + shape_str(self.shape) + " doesn't match the broadcast shape " + shape_str(s));
      if (kind != Result::boolean && !can_cast(d, self.dtype))
        fail("result type " + std::string(dtype_name(d)) + " can't be cast to the desired output type " +
             std::string(dtype_name(self.dtype)));
      return one(self.shape, self.dtype);
    }
    return one(s, d);
  };
}

bool inplace_name(std::string_view schema) {
  // "aten::add_.Tensor(" / "aten::relu_(" are in-place; dunders like "__and__" are not, "__iand__" is.
  const size_t start = schema.find("::") + 2;
  const size_t end = schema.find_first_of(".(", start);
  std::string_view name = schema.substr(start, end - start);
  if (name.size() > 4 && name.substr(0, 2) == "__")
    return name.substr(0, 3) == "__i" && name != "__is__" && name != "__isnot__";
  return name.back() == '_';
}

// What autograd keeps for the arithmetic ops (derivatives.yaml): products keep
// the other operand (an in-place product, a copy of self when the other
// operand needs a gradient), a quotient its divisor (and its dividend for the
// divisor's gradient), pow and the min/max family their inputs; sums,
// differences, integer and boolean ops keep nothing.
SavesFn arithmetic_saves(std::string_view schema) {
  const std::string_view name = schema.substr(0, schema.find('('));
  if (name == "aten::mul.Tensor") return saves_other_operand(0, 1);
  if (name == "aten::mul_.Tensor")
    return [](const Args& a, const Outs&, const NeedsGrad& needs) {
      SavedTensors s;
      if (needs[0]) s.args.push_back(1);
      if (needs[1]) s.extra_bytes = tensor(a, 0).nbytes();
      return s;
    };
  if (name == "aten::div.Tensor" || name == "aten::div_.Tensor")
    return [in_place = name == "aten::div_.Tensor"](const Args& a, const Outs&, const NeedsGrad& needs) {
      SavedTensors s;
      if (needs[0] || needs[1]) s.args.push_back(1);
      if (needs[1]) {
        if (in_place) s.extra_bytes = tensor(a, 0).nbytes();
        else s.args.push_back(0);
      }
      return s;
    };
  if (name == "aten::pow.Tensor_Scalar" || name == "aten::pow.Tensor_Tensor" || name == "aten::maximum" ||
      name == "aten::minimum")
    return saves_args({0, 1});
  if (name == "aten::pow_.Scalar" || name == "aten::pow_.Tensor") return saves_input_copy();
  if (name == "aten::pow.Scalar") return saves_outputs();
  return saves_nothing();
}

void reg(OpRegistry& r, std::string_view schema, std::initializer_list<size_t> operands, Result kind,
         double per_element = 1, SavesFn saves = nullptr) {
  const bool in_place = inplace_name(schema);
  OpDef& d = in_place ? inplace(r, schema, OpCategory::elementwise, elementwise(operands, kind, true), per_out(per_element))
                      : def(r, schema, OpCategory::elementwise, elementwise(operands, kind, false), per_out(per_element));
  d.saves = saves ? std::move(saves) : arithmetic_saves(schema);
}

}  // namespace

void register_elementwise_ops(OpRegistry& r) {
  using R = Result;
  // Arithmetic: Tensor overloads first so tensors never bind as scalars.
  for (const char* s : {
           "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
           "aten::add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
           "aten::add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
           "aten::add_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)",
           "aten::mul.Tensor(Tensor self, Tensor other) -> Tensor",
           "aten::mul.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::mul_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
           "aten::mul_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
           "aten::floor_divide(Tensor self, Tensor other) -> Tensor",
           "aten::floor_divide.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::remainder.Tensor(Tensor self, Tensor other) -> Tensor",
           "aten::remainder.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::remainder.Scalar_Tensor(Scalar self, Tensor other) -> Tensor",
           "aten::fmod.Tensor(Tensor self, Tensor other) -> Tensor",
           "aten::fmod.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::maximum(Tensor self, Tensor other) -> Tensor",
           "aten::minimum(Tensor self, Tensor other) -> Tensor",
           "aten::pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor",
           "aten::pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor",
           "aten::pow.Scalar(Scalar self, Tensor exponent) -> Tensor",
           "aten::pow_.Tensor(Tensor(a!) self, Tensor exponent) -> Tensor(a!)",
           "aten::pow_.Scalar(Tensor(a!) self, Scalar exponent) -> Tensor(a!)",
       })
    reg(r, s, {0, 1}, R::promote);
  for (const char* s : {
           "aten::sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
           "aten::sub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
           "aten::sub_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
           "aten::sub_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)",
           "aten::rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
           "aten::rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
       })
    reg(r, s, {0, 1}, R::subtract);
  for (const char* s : {
           "aten::bitwise_and.Tensor(Tensor self, Tensor other) -> Tensor",
           "aten::bitwise_and.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::bitwise_or.Tensor(Tensor self, Tensor other) -> Tensor",
           "aten::bitwise_or.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::__and__.Tensor(Tensor self, Tensor other) -> Tensor",
           "aten::__and__.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::__or__.Tensor(Tensor self, Tensor other) -> Tensor",
           "aten::__or__.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::__xor__.Tensor(Tensor self, Tensor other) -> Tensor",
           "aten::__xor__.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::__iand__.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
           "aten::__iand__.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
           "aten::__ior__.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
           "aten::__ior__.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)",
       })
    reg(r, s, {0, 1}, R::bitwise);
  // atan2/hypot compute in floating point.
  reg(r, "aten::atan2(Tensor self, Tensor other) -> Tensor", {0, 1}, R::to_float);
  reg(r, "aten::hypot(Tensor self, Tensor other) -> Tensor", {0, 1}, R::to_float);
  // True division: integer inputs give floats; a rounding mode keeps the promoted type.
  for (const char* s : {"aten::div.Tensor(Tensor self, Tensor other) -> Tensor",
                        "aten::div.Scalar(Tensor self, Scalar other) -> Tensor",
                        "aten::div_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
                        "aten::div_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)"})
    reg(r, s, {0, 1}, R::true_div);
  for (const char* s : {"aten::div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
                        "aten::div.Scalar_mode(Tensor self, Scalar other, *, str? rounding_mode) -> Tensor",
                        "aten::div_.Tensor_mode(Tensor(a!) self, Tensor other, *, str? rounding_mode) -> Tensor(a!)",
                        "aten::div_.Scalar_mode(Tensor(a!) self, Scalar other, *, str? rounding_mode) -> Tensor(a!)"}) {
    const bool in_place = inplace_name(s);
    ShapeFn divide = elementwise({0, 1}, R::true_div, in_place);
    ShapeFn rounded = elementwise({0, 1}, R::promote, in_place);
    ShapeFn rule = [divide, rounded](const Args& a) { return is_none(a, 2) ? divide(a) : rounded(a); };
    OpDef& d = in_place ? inplace(r, s, OpCategory::elementwise, rule, per_out(1))
                        : def(r, s, OpCategory::elementwise, rule, per_out(1));
    d.saves = arithmetic_saves(s);  // integer or floor division: no gradient flows
  }
  for (const char* s : {
           "aten::eq.Tensor(Tensor self, Tensor other) -> Tensor", "aten::eq.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::ne.Tensor(Tensor self, Tensor other) -> Tensor", "aten::ne.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::lt.Tensor(Tensor self, Tensor other) -> Tensor", "aten::lt.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::le.Tensor(Tensor self, Tensor other) -> Tensor", "aten::le.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::gt.Tensor(Tensor self, Tensor other) -> Tensor", "aten::gt.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::ge.Tensor(Tensor self, Tensor other) -> Tensor", "aten::ge.Scalar(Tensor self, Scalar other) -> Tensor",
           "aten::logical_and(Tensor self, Tensor other) -> Tensor",
           "aten::logical_or(Tensor self, Tensor other) -> Tensor",
           "aten::logical_xor(Tensor self, Tensor other) -> Tensor",
       })
    reg(r, s, {0, 1}, R::boolean);
  for (const char* s : {"aten::logical_not(Tensor self) -> Tensor", "aten::isnan(Tensor self) -> Tensor",
                        "aten::isinf(Tensor self) -> Tensor"})
    reg(r, s, {0}, R::boolean);
  for (const char* s : {
           "aten::exp(Tensor self) -> Tensor", "aten::exp_(Tensor(a!) self) -> Tensor(a!)",
           "aten::expm1(Tensor self) -> Tensor", "aten::log(Tensor self) -> Tensor",
           "aten::log1p(Tensor self) -> Tensor", "aten::log2(Tensor self) -> Tensor",
           "aten::sqrt(Tensor self) -> Tensor", "aten::rsqrt(Tensor self) -> Tensor",
           "aten::sin(Tensor self) -> Tensor", "aten::cos(Tensor self) -> Tensor",
           "aten::erf(Tensor self) -> Tensor", "aten::reciprocal(Tensor self) -> Tensor",
       }) {
    // exp, expm1, sqrt, rsqrt and reciprocal differentiate through their result; the rest through their input.
    const std::string_view name = std::string_view(s).substr(0, std::string_view(s).find('('));
    const bool by_result = name == "aten::exp" || name == "aten::exp_" || name == "aten::expm1" ||
                           name == "aten::sqrt" || name == "aten::rsqrt" || name == "aten::reciprocal";
    reg(r, s, {0}, R::to_float, 1, by_result ? saves_outputs() : name == "aten::exp_" ? saves_outputs() : saves_args({0}));
  }
  for (const char* s : {
           "aten::abs(Tensor self) -> Tensor", "aten::sign(Tensor self) -> Tensor",
           "aten::floor(Tensor self) -> Tensor", "aten::ceil(Tensor self) -> Tensor",
           "aten::round(Tensor self) -> Tensor", "aten::round.decimals(Tensor self, *, int decimals) -> Tensor",
           "aten::trunc(Tensor self) -> Tensor",
           "aten::nan_to_num(Tensor self, float? nan=None, float? posinf=None, float? neginf=None) -> Tensor",
       }) {
    const std::string_view name = std::string_view(s).substr(0, std::string_view(s).find('('));
    reg(r, s, {0}, R::same, 1, name == "aten::abs" || name == "aten::nan_to_num" ? saves_args({0}) : saves_nothing());
  }
  reg(r, "aten::neg(Tensor self) -> Tensor", {0}, R::subtract);
  reg(r, "aten::neg_(Tensor(a!) self) -> Tensor(a!)", {0}, R::subtract);
  reg(r, "aten::bitwise_not(Tensor self) -> Tensor", {0}, R::bitwise);
  // square is pow(self, 2): bool promotes to int64 (the exponent is an int).
  def(r, "aten::square(Tensor self) -> Tensor", OpCategory::elementwise,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        return one(x.shape, x.dtype == DType::bool_ ? DType::int64 : x.dtype);
      },
      per_out(1));
  // where: condition broadcasts with both branches; the branches set the dtype.
  for (const char* s : {"aten::where.self(Tensor condition, Tensor self, Tensor other) -> Tensor",
                        "aten::where.ScalarOther(Tensor condition, Tensor self, Scalar other) -> Tensor",
                        "aten::where.ScalarSelf(Tensor condition, Scalar self, Tensor other) -> Tensor",
                        "aten::where.Scalar(Tensor condition, Scalar self, Scalar other) -> Tensor"})
    def(r, s, OpCategory::elementwise,
        [](const Args& a) {
          Shape s = broadcast(broadcast(shape_of(a, 0), shape_of(a, 1)), shape_of(a, 2));
          return one(s, result_type(a, {1, 2}));
        },
        per_out(1))
        .saves = saves_args({0});  // the condition
  // clamp: one comparison per bound.
  CostFn clamp_cost = [](const Args& a, const Outs& o) {
    OpCost c = default_bytes(a, o);
    c.extended_flops = double(o[0].numel()) * double(!is_none(a, 1) + !is_none(a, 2));
    return c;
  };
  for (const char* s : {"aten::clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor",
                        "aten::clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor",
                        "aten::clamp_(Tensor(a!) self, Scalar? min=None, Scalar? max=None) -> Tensor(a!)",
                        "aten::clamp_.Tensor(Tensor(a!) self, Tensor? min=None, Tensor? max=None) -> Tensor(a!)"}) {
    const bool in_place = inplace_name(s);
    ShapeFn inner = elementwise({0, 1, 2}, Result::promote, in_place);
    ShapeFn rule = [inner](const Args& a) {
      if (is_none(a, 1) && is_none(a, 2)) fail("at least one of 'min' or 'max' must not be None");
      return inner(a);
    };
    OpDef& d = in_place ? inplace(r, s, OpCategory::elementwise, rule, clamp_cost)
                        : def(r, s, OpCategory::elementwise, rule, clamp_cost);
    d.saves = in_place ? saves_input_copy() : saves_args({0});
  }
  for (const char* s : {"aten::clamp_min(Tensor self, Scalar min) -> Tensor",
                        "aten::clamp_min.Tensor(Tensor self, Tensor min) -> Tensor",
                        "aten::clamp_min_(Tensor(a!) self, Scalar min) -> Tensor(a!)",
                        "aten::clamp_min_.Tensor(Tensor(a!) self, Tensor min) -> Tensor(a!)",
                        "aten::clamp_max(Tensor self, Scalar max) -> Tensor",
                        "aten::clamp_max.Tensor(Tensor self, Tensor max) -> Tensor",
                        "aten::clamp_max_(Tensor(a!) self, Scalar max) -> Tensor(a!)",
                        "aten::clamp_max_.Tensor(Tensor(a!) self, Tensor max) -> Tensor(a!)"})
    reg(r, s, {0, 1}, R::promote);
  // masked_fill keeps self's dtype; the mask broadcasts against self.
  for (const char* s : {"aten::masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor",
                        "aten::masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor",
                        "aten::masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)",
                        "aten::masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)"}) {
    const bool in_place = inplace_name(s);
    ShapeFn rule = [in_place](const Args& a) {
      const TensorMeta &self = tensor(a, 0), &mask = tensor(a, 1);
      if (mask.dtype != DType::bool_) fail("expected a bool mask, got " + std::string(dtype_name(mask.dtype)));
      if (const TensorMeta* v = std::get_if<TensorMeta>(&a[2]); v && !v->shape.empty())
        fail("value must be a 0-dimensional tensor, got " + shape_str(v->shape));
      Shape s = broadcast(self.shape, mask.shape);
      if (in_place && s != self.shape)
        fail("mask " + shape_str(mask.shape) + " does not broadcast to self " + shape_str(self.shape));
      return one(s, self.dtype);
    };
    OpDef& d = in_place ? inplace(r, s, OpCategory::elementwise, rule, per_out(1))
                        : def(r, s, OpCategory::elementwise, rule, per_out(1));
    d.saves = saves_args({1});  // the mask
  }
  // Fused pairs: a product or quotient plus an add.
  reg(r, "aten::addcmul(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor", {0, 1, 2},
      R::promote, 2);
  reg(r, "aten::addcdiv(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor", {0, 1, 2},
      R::promote, 2);
  reg(r, "aten::lerp.Scalar(Tensor self, Tensor end, Scalar weight) -> Tensor", {0, 1}, R::promote, 2);
  reg(r, "aten::lerp.Tensor(Tensor self, Tensor end, Tensor weight) -> Tensor", {0, 1, 2}, R::promote, 2);
  // Pure data movement: no arithmetic. fill_/zero_ only write.
  CostFn write_only = [](const Args& a, const Outs& o) {
    OpCost c;
    c.bytes_written = o[0].nbytes();
    if (const TensorMeta* v = a.size() > 1 ? std::get_if<TensorMeta>(&a[1]) : nullptr) c.bytes_read = v->nbytes();
    return c;
  };
  CostFn copy_cost = [](const Args& a, const Outs& o) {
    OpCost c;
    c.bytes_read = tensor(a, 1).nbytes();
    c.bytes_written = o[0].nbytes();
    return c;
  };
  ShapeFn copy_rule = [](const Args& a) {
    const TensorMeta &self = tensor(a, 0), &src = tensor(a, 1);
    if (broadcast(self.shape, src.shape) != self.shape)
      fail("source " + shape_str(src.shape) + " does not broadcast to " + shape_str(self.shape));
    return same_as_first(a);
  };
  // Copies and fills keep nothing for backward.
  inplace(r, "aten::copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)", OpCategory::elementwise,
          copy_rule, copy_cost).saves = saves_nothing();
  inplace(r, "aten::fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)", OpCategory::elementwise, same_as_first,
          write_only).saves = saves_nothing();
  inplace(r, "aten::fill_.Tensor(Tensor(a!) self, Tensor value) -> Tensor(a!)", OpCategory::elementwise,
          same_as_first, write_only).saves = saves_nothing();
  inplace(r, "aten::zero_(Tensor(a!) self) -> Tensor(a!)", OpCategory::elementwise, same_as_first, write_only).saves =
      saves_nothing();
}

}  // namespace ptscope::graph::rules
