// Helpers shared by the op rules (declared in graph/op_rules.h).
#include <algorithm>

#include "core/format.h"
#include "core/shape.h"
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

template <class T>
const T& get(const Args& a, size_t i, const char* what) {
  if (i >= a.size()) fail("missing argument " + std::to_string(i));
  if (auto* v = std::get_if<T>(&a[i])) return *v;
  fail("argument " + std::to_string(i) + " is " + arg_to_string(a[i]) + ", expected " + what);
}

DType complex_of(DType value_type) {
  if (value_type == DType::float16) return DType::complex32;
  if (value_type == DType::float64) return DType::complex128;
  return DType::complex64;
}

DType complex_value_type(DType c) {
  if (c == DType::complex32) return DType::float16;
  if (c == DType::complex128) return DType::float64;
  return DType::float32;
}

DType promote_skip_undefined(DType a, DType b) {
  if (a == DType::undefined) return b;
  if (b == DType::undefined) return a;
  return promote(a, b);
}

// c10's combine_categories: a lower-priority operand only matters when it
// belongs to a higher category (int tensor * 0.5 → float).
DType combine_categories(DType higher, DType lower) {
  if (is_complex(higher)) return higher;
  if (is_complex(lower)) return is_floating(higher) ? complex_of(higher) : lower;
  if (is_floating(higher)) return higher;
  if (higher == DType::bool_ || is_floating(lower)) return promote_skip_undefined(higher, lower);
  if (higher != DType::undefined) return higher;
  return lower;
}

OpDef& declare(OpRegistry& r, std::string_view schema, OpCategory category, ShapeFn shape) {
  OpDef& d = r.add(schema, category);
  std::string name = d.schema.name;
  d.shape = [name, shape = std::move(shape)](const Args& a) -> Outs {
    try {
      return shape(a);
    } catch (const Error& e) {
      // Name the op in shape errors so a failing graph points at the culprit.
      const bool named = std::string_view(e.what()).substr(0, name.size()) == name;
      if ((e.code() == ErrorCode::corrupt || e.code() == ErrorCode::unsupported) && !named)
        throw Error(e, name + ": " + e.what());
      throw;
    }
  };
  return d;
}

}  // namespace

OpDef& def(OpRegistry& r, std::string_view schema, OpCategory category, ShapeFn shape, CostFn cost) {
  OpDef& d = declare(r, schema, category, std::move(shape));
  d.has_flop_rule = cost != nullptr;
  d.cost = cost ? std::move(cost) : CostFn(default_bytes);
  // Shape ops (copies, concatenation, indexing by position, padding) and
  // reductions to sums or means keep nothing for backward, only sizes; the
  // declarations of those that do (index, gather, max) say so.
  if (category == OpCategory::shape || category == OpCategory::reduction) d.saves = saves_nothing();
  // Normalizations keep their input (and the weights and statistics, which are parameters or small).
  if (category == OpCategory::norm) d.saves = saves_args({0});
  return d;
}

OpDef& view(OpRegistry& r, std::string_view schema, OpCategory category, ShapeFn shape) {
  OpDef& d = declare(r, schema, category, std::move(shape));
  d.is_view = true;
  d.cost = [](const Args&, const Outs&) { return OpCost{}; };
  d.saves = saves_nothing();
  return d;
}

OpDef& inplace(OpRegistry& r, std::string_view schema, OpCategory category, ShapeFn shape, CostFn cost) {
  OpDef& d = def(r, schema, category, std::move(shape), std::move(cost));
  d.is_inplace = true;
  return d;
}

void fail(const std::string& message) { throw Error(ErrorCode::corrupt, message); }

std::string shape_str(const Shape& s) { return format_shape(s); }

const TensorMeta& tensor(const Args& a, size_t i) { return get<TensorMeta>(a, i, "a tensor"); }

const TensorMeta* opt_tensor(const Args& a, size_t i) {
  if (is_none(a, i)) return nullptr;
  const TensorMeta& t = tensor(a, i);
  return t.dtype == DType::undefined ? nullptr : &t;
}

const std::vector<TensorMeta>& tensors(const Args& a, size_t i) {
  return get<std::vector<TensorMeta>>(a, i, "a tensor list");
}

bool is_none(const Args& a, size_t i) { return i >= a.size() || std::holds_alternative<NoneArg>(a[i]); }

int64_t int_arg(const Args& a, size_t i) {
  if (i < a.size())
    if (auto* b = std::get_if<bool>(&a[i])) return *b;
  return get<int64_t>(a, i, "an int");
}

std::optional<int64_t> opt_int(const Args& a, size_t i) {
  if (is_none(a, i)) return std::nullopt;
  return int_arg(a, i);
}

double float_arg(const Args& a, size_t i) {
  if (i < a.size()) {
    if (auto* v = std::get_if<int64_t>(&a[i])) return double(*v);
    if (auto* b = std::get_if<bool>(&a[i])) return *b;
  }
  return get<double>(a, i, "a float");
}

bool bool_arg(const Args& a, size_t i) {
  if (i < a.size())
    if (auto* v = std::get_if<int64_t>(&a[i])) return *v != 0;
  return get<bool>(a, i, "a bool");
}

std::vector<int64_t> ints(const Args& a, size_t i) {
  if (i < a.size())
    if (auto* v = std::get_if<int64_t>(&a[i])) return {*v};
  return get<std::vector<int64_t>>(a, i, "an int list");
}

std::optional<std::vector<int64_t>> opt_ints(const Args& a, size_t i) {
  if (is_none(a, i)) return std::nullopt;
  return ints(a, i);
}

std::string str_arg(const Args& a, size_t i) { return get<std::string>(a, i, "a string"); }

int64_t wrap_dim(int64_t dim, int64_t rank) {
  const auto d = wrapped_dim(dim, rank);
  if (!d) fail("dimension " + std::to_string(dim) + " out of range for a tensor of rank " + std::to_string(rank));
  return *d;
}

Shape broadcast(const Shape& a, const Shape& b) {
  auto out = broadcast_shapes_of(a, b);
  if (!out) fail("shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
  return std::move(*out);
}

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

TensorMeta meta(Shape shape, DType dtype) {
  TensorMeta t;
  t.shape = std::move(shape);
  t.dtype = dtype;
  return t;
}

Outs one(Shape shape, DType dtype) { return {meta(std::move(shape), dtype)}; }

bool is_floating(DType d) { return dtype_info(d).is_floating; }
bool is_complex(DType d) { return dtype_info(d).is_complex; }
bool is_integral(DType d, bool include_bool) {
  if (d == DType::bool_) return include_bool;
  const auto& i = dtype_info(d);
  return d != DType::undefined && !i.is_floating && !i.is_complex && !i.is_quantized;
}

DType promote(DType a, DType b) {
  if (a == b) return a;
  if (a == DType::undefined) return b;
  if (b == DType::undefined) return a;
  if (a == DType::bool_) return b;
  if (b == DType::bool_) return a;
  if (is_complex(a) || is_complex(b)) {
    DType va = is_complex(a) ? complex_value_type(a) : a;
    DType vb = is_complex(b) ? complex_value_type(b) : b;
    DType v = is_floating(va) && is_floating(vb) ? promote(va, vb) : (is_floating(va) ? va : vb);
    return complex_of(v);
  }
  const bool fa = is_floating(a), fb = is_floating(b);
  if (fa != fb) return fa ? a : b;
  const size_t sa = itemsize(a), sb = itemsize(b);
  if (fa) {
    // float16 and bfloat16 share no format; torch meets them at float32.
    if (sa == sb) return DType::float32;
    return sa > sb ? a : b;
  }
  const bool signed_a = dtype_info(a).is_signed, signed_b = dtype_info(b).is_signed;
  if (signed_a == signed_b) return sa >= sb ? a : b;
  // Mixed signedness: uint8 meets int8 at int16; a wider signed type wins.
  DType s = signed_a ? a : b, u = signed_a ? b : a;
  if (itemsize(s) > itemsize(u)) return s;
  if (u == DType::uint8) return DType::int16;
  return DType::int64;
}

DType result_type(const Args& a, const std::vector<size_t>& positions) {
  DType dim_result = DType::undefined, zero_result = DType::undefined, wrapped_result = DType::undefined;
  for (size_t i : positions) {
    if (i >= a.size()) continue;
    const ArgValue& v = a[i];
    if (auto* t = std::get_if<TensorMeta>(&v)) {
      if (t->shape.empty()) zero_result = promote_skip_undefined(zero_result, t->dtype);
      else dim_result = promote_skip_undefined(dim_result, t->dtype);
    } else if (std::holds_alternative<bool>(v)) {
      wrapped_result = promote_skip_undefined(wrapped_result, DType::bool_);
    } else if (std::holds_alternative<int64_t>(v)) {
      wrapped_result = promote_skip_undefined(wrapped_result, DType::int64);
    } else if (std::holds_alternative<double>(v)) {
      // Python floats take the default dtype, not float64.
      wrapped_result = promote_skip_undefined(wrapped_result, DType::float32);
    }
  }
  return combine_categories(dim_result, combine_categories(zero_result, wrapped_result));
}

DType dtype_code(int64_t code) {
  if (!is_valid_dtype(int(code))) fail("invalid dtype code " + std::to_string(code));
  return static_cast<DType>(code);
}

DType dtype_or(const Args& a, size_t i, DType fallback) {
  if (is_none(a, i)) return fallback;
  return dtype_code(int_arg(a, i));
}

BackwardCost grads_of(const NeedsGrad& needs, const std::vector<std::pair<size_t, double>>& per_arg) {
  BackwardCost b;
  b.grads.assign(needs.size(), 0.0);
  for (const auto& [pos, flops] : per_arg)
    if (pos < needs.size() && needs[pos]) b.grads[pos] = flops;
  return b;
}

BackwardFn grads_like_forward(CostFn forward, std::vector<size_t> positions) {
  return [forward = std::move(forward), positions = std::move(positions)](const Args& a, const Outs& o,
                                                                          const NeedsGrad& needs) {
    const double flops = forward(a, o).flops;
    std::vector<std::pair<size_t, double>> per_arg;
    for (size_t p : positions) per_arg.emplace_back(p, flops);
    return grads_of(needs, per_arg);
  };
}

SavesFn saves_nothing() {
  return [](const Args&, const Outs&, const NeedsGrad&) { return SavedTensors{}; };
}

SavesFn saves_args(std::vector<size_t> args) {
  return [args = std::move(args)](const Args&, const Outs&, const NeedsGrad&) { return SavedTensors{args, {}, 0}; };
}

SavesFn saves_outputs() {
  return [](const Args&, const Outs& o, const NeedsGrad&) {
    SavedTensors s;
    for (size_t i = 0; i < o.size(); ++i) s.outputs.push_back(i);
    return s;
  };
}

SavesFn saves_other_operand(size_t a, size_t b) {
  return [a, b](const Args& args, const Outs&, const NeedsGrad& needs) {
    SavedTensors s;
    const auto is_tensor = [&](size_t i) { return i < args.size() && std::holds_alternative<TensorMeta>(args[i]); };
    if (b < needs.size() && needs[b] && is_tensor(a)) s.args.push_back(a);
    if (a < needs.size() && needs[a] && is_tensor(b)) s.args.push_back(b);
    return s;
  };
}

SavesFn saves_input_copy() {
  return [](const Args& a, const Outs&, const NeedsGrad&) {
    SavedTensors s;
    s.extra_bytes = tensor(a, 0).nbytes();
    return s;
  };
}

CostFn per_out(double flops_per_element) {
  return [flops_per_element](const Args& a, const Outs& o) {
    OpCost c = default_bytes(a, o);
    if (!o.empty()) c.extended_flops = flops_per_element * double(o[0].numel());
    return c;
  };
}

CostFn per_in(double flops_per_element) {
  return [flops_per_element](const Args& a, const Outs& o) {
    OpCost c = default_bytes(a, o);
    for (const auto& v : a)
      if (auto* t = std::get_if<TensorMeta>(&v)) {
        c.extended_flops = flops_per_element * double(t->numel());
        break;
      }
    return c;
  };
}

Outs same_as_first(const Args& a) { return {meta(tensor(a, 0).shape, tensor(a, 0).dtype)}; }

}  // namespace ptscope::graph::rules
