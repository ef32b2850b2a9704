// Elementwise ops with broadcasting: arithmetic (alpha, Scalar and in-place
// forms), division with rounding modes, pow, comparisons into bool, logical
// and bitwise ops, unary math, where / clamp / masked_fill / addcmul / lerp,
// fill_ / zero_ / copy_. The output dtype comes from the shape rule
// (torch.result_type); operands are converted to the matching compute type
// (float32, int64 or bool) before the loop.
#include "kernels/cpu/elementwise.h"

#include <algorithm>
#include <limits>

#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {

namespace {
bool floating_dtype(DType d) {
  return d == DType::float32 || d == DType::float64 || d == DType::float16 || d == DType::bfloat16;
}
}  // namespace

bool Src::is_floating() const { return tensor ? floating_dtype(tensor->dtype) : scalar_is_float; }

Src Src::of(const KernelCall& c, size_t i) {
  if (i < c.args.size()) {
    const KernelArg& a = c.args[i];
    if (auto* t = std::get_if<CpuTensor>(&a); t && t->defined()) return Src{t, 0, false};
    if (auto* d = std::get_if<double>(&a)) return Src{nullptr, *d, true};
    if (auto* v = std::get_if<int64_t>(&a)) return Src{nullptr, double(*v), false};
    if (auto* b = std::get_if<bool>(&a)) return Src{nullptr, double(*b), false};
  }
  kernel_fail("elementwise: argument " + std::to_string(i) + " is neither a tensor nor a scalar");
}

DType compute_dtype_for(DType out) {
  if (out == DType::bool_) return DType::bool_;
  return floating_dtype(out) ? DType::float32 : DType::int64;
}

CpuTensor typed_input(const Src& src, DType t, const Shape& shape, std::vector<TensorBuffer>& keep) {
  keep.reserve(keep.size() + 1);
  if (src.tensor) {
    CpuTensor x = *src.tensor;
    if (x.dtype != t) {
      keep.emplace_back(x.shape, t);
      convert(x, keep.back().tensor());
      x = keep.back().tensor();
    }
    return broadcast_to(x, shape);
  }
  keep.emplace_back(Shape{}, t);
  const CpuTensor& s = keep.back().tensor();
  switch (t) {
    case DType::float32: *s.ptr<float>() = float(src.scalar); break;
    case DType::int64: *s.ptr<int64_t>() = int64_t(src.scalar); break;
    case DType::bool_: *s.ptr<bool>() = src.scalar != 0; break;
    default: kernel_unsupported("scalar operand of dtype " + std::string(dtype_name(t)));
  }
  return broadcast_to(s, shape);
}

namespace {

enum class Kind {
  arith,     // compute and output in the output's type
  compare,   // compute in the operands' common type, output bool
  floating,  // compute in float32 (true division, atan2 ...)
  logical,   // operands as bool
};

template <Kind K>
DType compute_type(const CpuTensor& out, const Src& a, const Src& b) {
  if constexpr (K == Kind::arith) return compute_dtype_for(out.dtype);
  if constexpr (K == Kind::floating) return DType::float32;
  if constexpr (K == Kind::logical) return DType::bool_;
  if (a.is_floating() || b.is_floating()) return DType::float32;
  const bool a_bool = a.tensor ? a.tensor->dtype == DType::bool_ : false;
  const bool b_bool = b.tensor ? b.tensor->dtype == DType::bool_ : false;
  return a_bool && b_bool ? DType::bool_ : DType::int64;
}

// out = f(a, b); make(call, Tag<T>) builds the functor for compute type T.
template <Kind K, class Make>
void binary(const KernelCall& c, const CpuTensor& out, const Src& a, const Src& b, Make make) {
  std::vector<TensorBuffer> keep;
  const DType t = compute_type<K>(out, a, b);
  const CpuTensor x = typed_input(a, t, out.shape, keep), y = typed_input(b, t, out.shape, keep);
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto f = make(c, tag);
    if constexpr (K == Kind::compare) {
      with_output(out, DType::bool_, [&](const CpuTensor& o) { map2<bool, T, T>(o, x, y, [&](T p, T q) { return bool(f(p, q)); }); });
    } else {
      with_output(out, t, [&](const CpuTensor& o) { map2<T, T, T>(o, x, y, [&](T p, T q) { return cast_value<T>(f(p, q)); }); });
    }
  };
  if constexpr (K == Kind::floating) run(Tag<float>{});
  else if constexpr (K == Kind::logical) run(Tag<bool>{});
  else dispatch_compute(t, run);
}

// Registers name (out-of-place) for operands at positions a, b.
template <Kind K, class Make>
void reg_binary(KernelTable& t, const std::string& name, Make make, size_t a = 0, size_t b = 1) {
  add_kernel(t, name, [make, a, b](KernelCall& c) { binary<K>(c, c.out(), Src::of(c, a), Src::of(c, b), make); });
}

// The in-place form: the output is self (argument 0).
template <Kind K, class Make>
void reg_binary_(KernelTable& t, const std::string& name, Make make) {
  add_kernel(t, name, [make](KernelCall& c) {
    c.set_output(0, c.tensor(0));
    binary<K>(c, c.out(), Src::of(c, 0), Src::of(c, 1), make);
  }, OutputMode::by_kernel);
}

template <class T>
T floor_div(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    // ATen's div_floor_floating: exact via fmod, then round the quotient.
    if (b == 0) return a / b;
    const T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
    if (div == 0) return std::copysign(T(0), a / b);
    T fl = std::floor(div);
    if (div - fl > T(0.5)) fl += 1;
    return fl;
  } else if constexpr (std::is_same_v<T, bool>) {
    return a;
  } else {
    if (b == 0) kernel_fail("ZeroDivisionError: integer division by zero");
    const T q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  }
}

template <class T>
T trunc_div(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return std::trunc(a / b);
  else if constexpr (std::is_same_v<T, bool>) return a;
  else {
    if (b == 0) kernel_fail("ZeroDivisionError: integer division by zero");
    return a / b;
  }
}

template <class T>
T py_remainder(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else if constexpr (std::is_same_v<T, bool>) {
    return false;
  } else {
    if (b == 0) kernel_fail("ZeroDivisionError: integer modulo by zero");
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}

template <class T>
T c_fmod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return std::fmod(a, b);
  else if constexpr (std::is_same_v<T, bool>) return false;
  else {
    if (b == 0) kernel_fail("ZeroDivisionError: integer modulo by zero");
    return a % b;
  }
}

template <class T>
T power(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(a, b);
  } else if constexpr (std::is_same_v<T, bool>) {
    return a || !b;
  } else {
    if (b < 0) {
      if (a == 1) return 1;
      if (a == -1) return (b & 1) ? -1 : 1;
      kernel_fail("Integers to negative integer powers are not allowed.");
    }
    T r = 1;
    for (T e = b, base = a; e; e >>= 1, base *= base)
      if (e & 1) r *= base;
    return r;
  }
}

// NaN-propagating max/min (torch.maximum / torch.minimum).
template <class T>
T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return (a > b || a != a) ? a : b;
  else return a > b ? a : b;
}
template <class T>
T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return (a < b || a != a) ? a : b;
  else return a < b ? a : b;
}

// Bitwise ops exist for integers and bool only.
enum class Bit { and_, or_, xor_ };
template <Bit B, class T>
T bitwise(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    kernel_fail("bitwise ops are only defined for integer and bool tensors");
  } else {
    if constexpr (B == Bit::and_) return T(a & b);
    if constexpr (B == Bit::or_) return T(a | b);
    return T(a ^ b);
  }
}

template <class T>
T abs_of(T a) {
  if constexpr (std::is_same_v<T, bool>) return a;
  else return a < T(0) ? T(-a) : a;
}

template <class T>
T sign_of(T a) {
  if constexpr (std::is_same_v<T, bool>) return a;
  else return T((T(0) < a) - (a < T(0)));
}

#define MAKE(expr)                                                   \
  [](const KernelCall& c, auto tag) {                                \
    using T = typename decltype(tag)::type;                          \
    (void)c;                                                         \
    return [=](T a, T b) { return expr; };                           \
  }
// Same with an alpha read from argument 2 (add, sub, rsub).
#define MAKE_ALPHA(expr)                                             \
  [](const KernelCall& c, auto tag) {                                \
    using T = typename decltype(tag)::type;                          \
    const T alpha = cast_value<T>(c.float_arg(2));                   \
    return [=](T a, T b) { return expr; };                           \
  }

// div with rounding_mode (argument 2): None is true division (float), else trunc/floor in the output's type.
void div_mode(KernelCall& c, const CpuTensor& out) {
  const Src a = Src::of(c, 0), b = Src::of(c, 1);
  const std::string mode = c.num_args() > 2 && !c.is_none(2) ? c.str_arg(2) : "";
  if (mode.empty()) binary<Kind::floating>(c, out, a, b, MAKE(a / b));
  else if (mode == "trunc") binary<Kind::arith>(c, out, a, b, MAKE(trunc_div(a, b)));
  else if (mode == "floor") binary<Kind::arith>(c, out, a, b, MAKE(floor_div(a, b)));
  else kernel_fail("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '" + mode + "'");
}

// ---- unary ---------------------------------------------------------------

// out = f(x) with x converted to `t` (float32 for math, the output type for neg/abs/...).
template <class F>
void unary_typed(const CpuTensor& out, const Src& x, DType t, F f) {
  std::vector<TensorBuffer> keep;
  const CpuTensor in = typed_input(x, t, out.shape, keep);
  dispatch_compute(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    with_output(out, t, [&](const CpuTensor& o) { map1<T, T>(o, in, [&](T v) { return cast_value<T>(f(v)); }); });
  });
}

using VecFn = void (*)(const float*, float*, int64_t);

// Float math: vector routine over contiguous data, scalar f otherwise.
template <class F>
void unary_float(const CpuTensor& out, const CpuTensor& x, F f, VecFn vec) {
  if (vec && out.dtype == DType::float32 && out.is_contiguous() && x.dtype == DType::float32 && x.is_contiguous() &&
      x.shape == out.shape) {
    const float* xp = x.f32();
    float* yp = out.f32();
    parallel_rows(out.numel(), 1, [&](int64_t b, int64_t e) { vec(xp + b, yp + b, e - b); });
    return;
  }
  std::vector<TensorBuffer> keep;
  const CpuTensor in = typed_input(Src{&x, 0, false}, DType::float32, out.shape, keep);
  with_output(out, DType::float32, [&](const CpuTensor& o) { map1<float, float>(o, in, f); });
}

void reg_float_unary(KernelTable& t, const std::string& name, float (*f)(float), VecFn vec = nullptr,
                     bool inplace = false) {
  add_kernel(t, name, [f, vec, inplace](KernelCall& c) {
    if (inplace) c.set_output(0, c.tensor(0));
    unary_float(c.out(), c.tensor(0), f, vec);
  }, inplace ? OutputMode::by_kernel : OutputMode::preallocated);
}

float f_exp(float x) { return std::exp(x); }
float f_expm1(float x) { return std::expm1(x); }
float f_log(float x) { return std::log(x); }
float f_log1p(float x) { return std::log1p(x); }
float f_log2(float x) { return std::log2(x); }
float f_sqrt(float x) { return std::sqrt(x); }
float f_rsqrt(float x) { return 1.f / std::sqrt(x); }
float f_sin(float x) { return std::sin(x); }
float f_cos(float x) { return std::cos(x); }
float f_erf(float x) { return std::erf(x); }
float f_reciprocal(float x) { return 1.f / x; }

// Same-dtype unary ops (ints stay ints).
template <class Make>
void reg_same_unary(KernelTable& t, const std::string& name, Make make, bool inplace = false) {
  add_kernel(t, name, [make, inplace](KernelCall& c) {
    if (inplace) c.set_output(0, c.tensor(0));
    const CpuTensor& out = c.out();
    dispatch_compute(compute_dtype_for(out.dtype), [&](auto tag) {
      unary_typed(out, Src::of(c, 0), compute_dtype_for(out.dtype), make(c, tag));
    });
  }, inplace ? OutputMode::by_kernel : OutputMode::preallocated);
}

#define MAKE1(expr)                                                  \
  [](const KernelCall& c, auto tag) {                                \
    using T = typename decltype(tag)::type;                          \
    (void)c;                                                         \
    return [=](T a) { return expr; };                                \
  }

template <class T>
T rounded(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::nearbyint(v);  // half to even
  else return v;
}

// Predicates on float input into bool output (isnan, isinf).
template <class P>
void reg_predicate(KernelTable& t, const std::string& name, P pred) {
  add_kernel(t, name, [pred](KernelCall& c) {
    const CpuTensor& out = c.out();
    const CpuTensor& x = c.tensor(0);
    if (!floating_dtype(x.dtype)) {
      fill(out, 0);  // integers are never nan or inf
      return;
    }
    std::vector<TensorBuffer> keep;
    const CpuTensor in = typed_input(Src{&x, 0, false}, DType::float32, out.shape, keep);
    with_output(out, DType::bool_, [&](const CpuTensor& o) { map1<bool, float>(o, in, pred); });
  });
}

// ---- ternary ---------------------------------------------------------------

// out = f(a, b, c) with all three in the output's compute type.
template <class Make>
void ternary(const KernelCall& call, const CpuTensor& out, const Src& a, const Src& b, const Src& c, DType t, Make make) {
  std::vector<TensorBuffer> keep;
  const CpuTensor x = typed_input(a, t, out.shape, keep), y = typed_input(b, t, out.shape, keep),
                  z = typed_input(c, t, out.shape, keep);
  dispatch_compute(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto f = make(call, tag);
    with_output(out, t, [&](const CpuTensor& o) { map3<T, T, T, T>(o, x, y, z, [&](T p, T q, T r) { return cast_value<T>(f(p, q, r)); }); });
  });
}

// cond ? a : b with cond converted to bool.
void select(const CpuTensor& out, const Src& cond, const Src& a, const Src& b) {
  std::vector<TensorBuffer> keep;
  const DType t = compute_dtype_for(out.dtype);
  const CpuTensor m = typed_input(cond, DType::bool_, out.shape, keep);
  const CpuTensor x = typed_input(a, t, out.shape, keep), y = typed_input(b, t, out.shape, keep);
  dispatch_compute(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    with_output(out, t, [&](const CpuTensor& o) { map3<T, bool, T, T>(o, m, x, y, [](bool p, T q, T r) { return p ? q : r; }); });
  });
}

// Bounds for clamp: a missing bound is the type's infinity.
Src bound(const KernelCall& c, size_t i, bool upper) {
  if (c.is_none(i)) return Src::value(upper ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity());
  return Src::of(c, i);
}

void clamp(const KernelCall& c, const CpuTensor& out, const Src& lo, const Src& hi) {
  const DType t = compute_dtype_for(out.dtype);
  // Integer tensors: infinite bounds saturate to the int64 range.
  auto fix = [&](Src s) {
    if (!s.tensor && t == DType::int64 && std::isinf(s.scalar))
      s.scalar = s.scalar > 0 ? 9.2233720368547748e18 : -9.2233720368547758e18;
    return s;
  };
  ternary(c, out, Src::of(c, 0), fix(lo), fix(hi), t, [](const KernelCall&, auto tag) {
    using T = typename decltype(tag)::type;
    return [](T x, T l, T h) {
      if constexpr (std::is_floating_point_v<T>) {
        if (x != x) return x;
        if (l != l) return l;
        if (h != h) return h;
      }
      return std::min(std::max(x, l), h);
    };
  });
}

void masked_fill(KernelCall& c, const CpuTensor& out) {
  select(out, Src::of(c, 1), Src::of(c, 2), Src::of(c, 0));
}

template <class F>
void reg_inplace_or_not(KernelTable& t, const std::string& name, F body) {
  const bool inplace = name.find("_.") != std::string::npos || name.back() == '_';
  add_kernel(t, name, [body, inplace](KernelCall& c) {
    if (inplace) c.set_output(0, c.tensor(0));
    body(c, c.out());
  }, inplace ? OutputMode::by_kernel : OutputMode::preallocated);
}

}  // namespace

void register_elementwise_kernels(KernelTable& t) {
  // Arithmetic.
  for (const char* n : {"aten::add.Tensor", "aten::add.Scalar"}) reg_binary<Kind::arith>(t, n, MAKE_ALPHA(a + alpha * b));
  for (const char* n : {"aten::add_.Tensor", "aten::add_.Scalar"}) reg_binary_<Kind::arith>(t, n, MAKE_ALPHA(a + alpha * b));
  for (const char* n : {"aten::sub.Tensor", "aten::sub.Scalar"}) reg_binary<Kind::arith>(t, n, MAKE_ALPHA(a - alpha * b));
  for (const char* n : {"aten::sub_.Tensor", "aten::sub_.Scalar"}) reg_binary_<Kind::arith>(t, n, MAKE_ALPHA(a - alpha * b));
  for (const char* n : {"aten::rsub.Tensor", "aten::rsub.Scalar"}) reg_binary<Kind::arith>(t, n, MAKE_ALPHA(b - alpha * a));
  for (const char* n : {"aten::mul.Tensor", "aten::mul.Scalar"}) reg_binary<Kind::arith>(t, n, MAKE(a * b));
  for (const char* n : {"aten::mul_.Tensor", "aten::mul_.Scalar"}) reg_binary_<Kind::arith>(t, n, MAKE(a * b));
  for (const char* n : {"aten::div.Tensor", "aten::div.Scalar"}) reg_binary<Kind::floating>(t, n, MAKE(a / b));
  for (const char* n : {"aten::div_.Tensor", "aten::div_.Scalar"}) reg_binary_<Kind::floating>(t, n, MAKE(a / b));
  for (const char* n : {"aten::div.Tensor_mode", "aten::div.Scalar_mode", "aten::div_.Tensor_mode", "aten::div_.Scalar_mode"})
    reg_inplace_or_not(t, n, div_mode);
  for (const char* n : {"aten::floor_divide", "aten::floor_divide.Scalar"}) reg_binary<Kind::arith>(t, n, MAKE(floor_div(a, b)));
  for (const char* n : {"aten::remainder.Tensor", "aten::remainder.Scalar", "aten::remainder.Scalar_Tensor"})
    reg_binary<Kind::arith>(t, n, MAKE(py_remainder(a, b)));
  for (const char* n : {"aten::fmod.Tensor", "aten::fmod.Scalar"}) reg_binary<Kind::arith>(t, n, MAKE(c_fmod(a, b)));
  for (const char* n : {"aten::pow.Tensor_Tensor", "aten::pow.Tensor_Scalar", "aten::pow.Scalar"})
    reg_binary<Kind::arith>(t, n, MAKE(power(a, b)));
  for (const char* n : {"aten::pow_.Tensor", "aten::pow_.Scalar"}) reg_binary_<Kind::arith>(t, n, MAKE(power(a, b)));
  for (const char* n : {"aten::maximum", "aten::max.other"}) reg_binary<Kind::arith>(t, n, MAKE(nan_max(a, b)));
  for (const char* n : {"aten::minimum", "aten::min.other"}) reg_binary<Kind::arith>(t, n, MAKE(nan_min(a, b)));
  reg_binary<Kind::floating>(t, "aten::atan2", MAKE(std::atan2(a, b)));
  reg_binary<Kind::floating>(t, "aten::hypot", MAKE(std::hypot(a, b)));

  // Comparisons.
  for (const char* s : {".Tensor", ".Scalar"}) {
    const std::string sfx = s;
    reg_binary<Kind::compare>(t, "aten::eq" + sfx, MAKE(a == b));
    reg_binary<Kind::compare>(t, "aten::ne" + sfx, MAKE(a != b));
    reg_binary<Kind::compare>(t, "aten::lt" + sfx, MAKE(a < b));
    reg_binary<Kind::compare>(t, "aten::le" + sfx, MAKE(a <= b));
    reg_binary<Kind::compare>(t, "aten::gt" + sfx, MAKE(a > b));
    reg_binary<Kind::compare>(t, "aten::ge" + sfx, MAKE(a >= b));
  }

  // Logical and bitwise.
  reg_binary<Kind::logical>(t, "aten::logical_and", MAKE(a && b));
  reg_binary<Kind::logical>(t, "aten::logical_or", MAKE(a || b));
  reg_binary<Kind::logical>(t, "aten::logical_xor", MAKE(a != b));
  for (const char* n : {"aten::bitwise_and.Tensor", "aten::bitwise_and.Scalar", "aten::__and__.Tensor", "aten::__and__.Scalar"})
    reg_binary<Kind::arith>(t, n, MAKE(bitwise<Bit::and_>(a, b)));
  for (const char* n : {"aten::bitwise_or.Tensor", "aten::bitwise_or.Scalar", "aten::__or__.Tensor", "aten::__or__.Scalar"})
    reg_binary<Kind::arith>(t, n, MAKE(bitwise<Bit::or_>(a, b)));
  for (const char* n : {"aten::__xor__.Tensor", "aten::__xor__.Scalar"}) reg_binary<Kind::arith>(t, n, MAKE(bitwise<Bit::xor_>(a, b)));
  for (const char* n : {"aten::__iand__.Tensor", "aten::__iand__.Scalar"}) reg_binary_<Kind::arith>(t, n, MAKE(bitwise<Bit::and_>(a, b)));
  for (const char* n : {"aten::__ior__.Tensor", "aten::__ior__.Scalar"}) reg_binary_<Kind::arith>(t, n, MAKE(bitwise<Bit::or_>(a, b)));
  add_kernel(t, "aten::logical_not", [](KernelCall& c) {
    unary_typed(c.out(), Src::of(c, 0), DType::bool_, [](bool v) { return !v; });
  });
  reg_same_unary(t, "aten::bitwise_not", [](const KernelCall&, auto tag) {
    using T = typename decltype(tag)::type;
    return [](T a) {
      if constexpr (std::is_same_v<T, bool>) return !a;
      else if constexpr (std::is_integral_v<T>) return T(~a);
      else { kernel_fail("bitwise_not is only defined for integer and bool tensors"); return a; }
    };
  });

  // Unary math into float.
  reg_float_unary(t, "aten::exp", f_exp, vexp);
  reg_float_unary(t, "aten::exp_", f_exp, vexp, true);
  reg_float_unary(t, "aten::expm1", f_expm1);
  reg_float_unary(t, "aten::log", f_log, vlog);
  reg_float_unary(t, "aten::log1p", f_log1p);
  reg_float_unary(t, "aten::log2", f_log2);
  reg_float_unary(t, "aten::sqrt", f_sqrt);
  reg_float_unary(t, "aten::rsqrt", f_rsqrt);
  reg_float_unary(t, "aten::sin", f_sin);
  reg_float_unary(t, "aten::cos", f_cos);
  reg_float_unary(t, "aten::erf", f_erf, verf);
  reg_float_unary(t, "aten::reciprocal", f_reciprocal);

  // Unary ops that keep the dtype.
  reg_same_unary(t, "aten::neg", MAKE1(T(-a)));
  reg_same_unary(t, "aten::neg_", MAKE1(T(-a)), true);
  reg_same_unary(t, "aten::abs", MAKE1(abs_of(a)));
  reg_same_unary(t, "aten::sign", MAKE1(sign_of(a)));
  reg_same_unary(t, "aten::square", MAKE1(T(a * a)));
  reg_same_unary(t, "aten::floor", MAKE1(std::is_floating_point_v<T> ? T(std::floor(a)) : a));
  reg_same_unary(t, "aten::ceil", MAKE1(std::is_floating_point_v<T> ? T(std::ceil(a)) : a));
  reg_same_unary(t, "aten::trunc", MAKE1(std::is_floating_point_v<T> ? T(std::trunc(a)) : a));
  reg_same_unary(t, "aten::round", MAKE1(rounded(a)));
  reg_same_unary(t, "aten::round.decimals", [](const KernelCall& c, auto tag) {
    using T = typename decltype(tag)::type;
    const int64_t d = c.int_arg(1);
    const T scale = T(std::pow(10.0, double(std::abs(d))));
    return [=](T a) {
      if constexpr (std::is_floating_point_v<T>) return d >= 0 ? std::nearbyint(a * scale) / scale : std::nearbyint(a / scale) * scale;
      else return a;
    };
  });
  reg_predicate(t, "aten::isnan", [](float v) { return v != v; });
  reg_predicate(t, "aten::isinf", [](float v) { return std::isinf(v); });
  add_kernel(t, "aten::nan_to_num", [](KernelCall& c) {
    const float nan = float(c.opt_float(1).value_or(0.0));
    const float pinf = float(c.opt_float(2).value_or(std::numeric_limits<float>::max()));
    const float ninf = float(c.opt_float(3).value_or(std::numeric_limits<float>::lowest()));
    unary_float(c.out(), c.tensor(0), [=](float v) { return v != v ? nan : v == INFINITY ? pinf : v == -INFINITY ? ninf : v; }, nullptr);
  });

  // Selection, clamping, fused arithmetic.
  for (const char* n : {"aten::where.self", "aten::where.ScalarOther", "aten::where.ScalarSelf", "aten::where.Scalar"})
    add_kernel(t, n, [](KernelCall& c) { select(c.out(), Src::of(c, 0), Src::of(c, 1), Src::of(c, 2)); });
  for (const char* n : {"aten::clamp", "aten::clamp.Tensor", "aten::clamp_", "aten::clamp_.Tensor"})
    reg_inplace_or_not(t, n, [](KernelCall& c, const CpuTensor& out) { clamp(c, out, bound(c, 1, false), bound(c, 2, true)); });
  for (const char* n : {"aten::clamp_min", "aten::clamp_min.Tensor", "aten::clamp_min_", "aten::clamp_min_.Tensor"})
    reg_inplace_or_not(t, n, [](KernelCall& c, const CpuTensor& out) { clamp(c, out, Src::of(c, 1), Src::value(INFINITY)); });
  for (const char* n : {"aten::clamp_max", "aten::clamp_max.Tensor", "aten::clamp_max_", "aten::clamp_max_.Tensor"})
    reg_inplace_or_not(t, n, [](KernelCall& c, const CpuTensor& out) { clamp(c, out, Src::value(-INFINITY), Src::of(c, 1)); });
  for (const char* n : {"aten::masked_fill.Scalar", "aten::masked_fill.Tensor", "aten::masked_fill_.Scalar", "aten::masked_fill_.Tensor"})
    reg_inplace_or_not(t, n, masked_fill);
  add_kernel(t, "aten::addcmul", [](KernelCall& c) {
    ternary(c, c.out(), Src::of(c, 0), Src::of(c, 1), Src::of(c, 2), compute_dtype_for(c.out().dtype), [](const KernelCall& k, auto tag) {
      using T = typename decltype(tag)::type;
      const T v = cast_value<T>(k.float_arg(3));
      return [=](T s, T a, T b) { return s + v * a * b; };
    });
  });
  add_kernel(t, "aten::addcdiv", [](KernelCall& c) {
    ternary(c, c.out(), Src::of(c, 0), Src::of(c, 1), Src::of(c, 2), DType::float32, [](const KernelCall& k, auto tag) {
      using T = typename decltype(tag)::type;
      const T v = cast_value<T>(k.float_arg(3));
      return [=](T s, T a, T b) { return s + v * a / b; };
    });
  });
  for (const char* n : {"aten::lerp.Scalar", "aten::lerp.Tensor"})
    add_kernel(t, n, [](KernelCall& c) {
      ternary(c, c.out(), Src::of(c, 0), Src::of(c, 1), Src::of(c, 2), DType::float32, [](const KernelCall&, auto tag) {
        using T = typename decltype(tag)::type;
        // ATen's two-sided form keeps lerp exact at both ends.
        return [](T s, T e, T w) { return std::abs(w) < T(0.5) ? s + w * (e - s) : e - (e - s) * (T(1) - w); };
      });
    });

  // Writes into self.
  add_kernel(t, "aten::fill_.Scalar", [](KernelCall& c) {
    c.set_output(0, c.tensor(0));
    fill(c.out(), c.float_arg(1));
  }, OutputMode::by_kernel);
  add_kernel(t, "aten::fill_.Tensor", [](KernelCall& c) {
    c.set_output(0, c.tensor(0));
    const CpuTensor& v = c.tensor(1);
    if (v.numel() != 1) kernel_fail("fill_ only supports 0-dimension value tensor");
    fill(c.out(), load_as_double(v, 0));
  }, OutputMode::by_kernel);
  add_kernel(t, "aten::zero_", [](KernelCall& c) {
    c.set_output(0, c.tensor(0));
    fill(c.out(), 0);
  }, OutputMode::by_kernel);
  add_kernel(t, "aten::copy_", [](KernelCall& c) {
    c.set_output(0, c.tensor(0));
    // Copy through a temporary when src overlaps self (e.g. x.copy_(x.flip(0))).
    const CpuTensor& src = c.tensor(1);
    if (src.data == c.out().data && src.strides != c.out().strides) {
      TensorBuffer tmp(src.shape, src.dtype);
      convert(src, tmp.tensor());
      convert(tmp.tensor(), c.out());
    } else {
      convert(src, c.out());
    }
  }, OutputMode::by_kernel);
}

}  // namespace ptscope::kernels
