// Reductions over any set of dims (keepdim only changes the output's shape,
// not its memory order): sum, mean, prod, amax/amin, max/min (with
// indices), argmax/argmin, var/std (+ _mean), all/any, logsumexp, norms,
// count_nonzero, and cumsum. The input is viewed with the reduced dims last
// and made contiguous (a no-op for the common trailing-dim reductions), so
// every output element reduces one contiguous row.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {
namespace {

// The input as [rows, n]: kept dims first (their order), reduced dims last.
struct Rows {
  TensorBuffer conv, perm;
  CpuTensor t;
  int64_t rows = 1, n = 1;
};

bool is_float(DType d) { return d == DType::float32 || d == DType::float64 || d == DType::float16 || d == DType::bfloat16; }

// Reduced dims from an int[]? argument (None or [] = all dims).
std::vector<bool> reduced_dims(const CpuTensor& x, const std::optional<std::vector<int64_t>>& dims) {
  std::vector<bool> r(size_t(x.dim()), !dims || dims->empty());
  if (dims)
    for (int64_t d : *dims) r[size_t(wrap_dim(d, x.dim()))] = x.dim() > 0;
  return r;
}

std::optional<std::vector<int64_t>> opt_dims(const KernelCall& c, size_t i) {
  if (c.is_none(i)) return std::nullopt;
  return c.ints(i);
}

void make_rows(Rows& r, const CpuTensor& x, const std::vector<bool>& reduce, DType t) {
  const CpuTensor xt = to_dtype(x, t, r.conv);
  Shape shape, strides;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t d = 0; d < xt.shape.size(); ++d)
      if (reduce[d] == (pass == 1)) {
        shape.push_back(xt.shape[d]);
        strides.push_back(xt.strides[d]);
        (pass ? r.n : r.rows) *= xt.shape[d];
      }
  r.t = contiguous(xt.view(shape, strides), r.perm);
}

// Writes per-row results (double or int64) into out, converting to its dtype.
template <class V>
void store(const std::vector<V>& v, const CpuTensor& out) {
  CpuTensor src;
  src.data = const_cast<V*>(v.data());
  src.shape = out.shape;
  src.strides = contiguous_strides(out.shape);
  src.dtype = std::is_same_v<V, double> ? DType::float64 : DType::int64;
  if (int64_t(v.size()) != out.numel()) kernel_fail("reduction: output has " + std::to_string(out.numel()) + " elements, expected " + std::to_string(v.size()));
  convert(src, out);
}

// Runs f(row, n) -> V for every row of x reduced over `reduce`, into out.
template <class T, class V, class F>
void reduce_rows(const CpuTensor& x, const std::vector<bool>& reduce, DType t, const CpuTensor& out, F f) {
  Rows r;
  make_rows(r, x, reduce, t);
  std::vector<V> res(static_cast<size_t>(r.rows));
  const T* base = r.t.ptr<T>();
  parallel_rows(r.rows, r.n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) res[size_t(i)] = f(base + i * r.n, r.n);
  });
  store(res, out);
}

double sum_f(const float* p, int64_t n) {
  // Blocks through the vector sum, accumulated in double across blocks.
  double s = 0;
  for (int64_t i = 0; i < n; i += 4096) s += vsum(p + i, std::min<int64_t>(4096, n - i));
  return s;
}

// Sum-like reductions: float data in double, integer data in int64.
template <class FF, class FI>
void reduce_numeric(const CpuTensor& x, const std::vector<bool>& reduce, const CpuTensor& out, FF ff, FI fi) {
  if (is_float(out.dtype) || is_float(x.dtype)) reduce_rows<float, double>(x, reduce, DType::float32, out, ff);
  else reduce_rows<int64_t, int64_t>(x, reduce, DType::int64, out, fi);
}

void sum_kernel(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out) {
  reduce_numeric(x, red, out, sum_f, [](const int64_t* p, int64_t n) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; ++i) s += p[i];
    return s;
  });
}

void prod_kernel(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out) {
  reduce_numeric(x, red, out, [](const float* p, int64_t n) {
    double s = 1;
    for (int64_t i = 0; i < n; ++i) s *= p[i];
    return s;
  }, [](const int64_t* p, int64_t n) {
    int64_t s = 1;
    for (int64_t i = 0; i < n; ++i) s *= p[i];
    return s;
  });
}

void mean_kernel(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out) {
  reduce_rows<float, double>(x, red, DType::float32, out, [](const float* p, int64_t n) {
    return n ? sum_f(p, n) / double(n) : std::numeric_limits<double>::quiet_NaN();
  });
}

// max/min value and the first index reaching it; NaN wins (first NaN).
template <bool Max, class T>
std::pair<T, int64_t> extreme(const T* p, int64_t n) {
  if (n == 0) kernel_fail("max()/min(): cannot reduce an empty tensor");
  T best = p[0];
  int64_t at = 0;
  for (int64_t i = 1; i < n; ++i) {
    if constexpr (std::is_floating_point_v<T>)
      if (best != best) break;
    const T v = p[i];
    bool better = Max ? v > best : v < best;
    if constexpr (std::is_floating_point_v<T>) better = better || v != v;
    if (better) best = v, at = i;
  }
  return {best, at};
}

template <bool Max>
void extreme_values(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out) {
  reduce_numeric(x, red, out, [](const float* p, int64_t n) { return double(extreme<Max>(p, n).first); },
                 [](const int64_t* p, int64_t n) { return extreme<Max>(p, n).first; });
}

template <bool Max>
void extreme_indices(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out) {
  if (is_float(x.dtype))
    reduce_rows<float, int64_t>(x, red, DType::float32, out, [](const float* p, int64_t n) { return extreme<Max>(p, n).second; });
  else
    reduce_rows<int64_t, int64_t>(x, red, DType::int64, out, [](const int64_t* p, int64_t n) { return extreme<Max>(p, n).second; });
}

double variance(const float* p, int64_t n, double correction) {
  const double mu = n ? sum_f(p, n) / double(n) : 0;
  double ss = 0;
  for (int64_t i = 0; i < n; ++i) ss += (p[i] - mu) * (p[i] - mu);
  return ss / std::max(0.0, double(n) - correction);
}

// var/std families: outputs (var or std[, mean]).
void var_kernel(KernelCall& c, bool take_sqrt, bool with_mean, int form) {
  const CpuTensor& x = c.tensor(0);
  std::optional<std::vector<int64_t>> dims;
  double correction = 1;
  if (form == 0) {  // (self, unbiased)
    correction = c.bool_arg(1) ? 1 : 0;
  } else if (form == 1) {  // .dim(self, dim?, unbiased, keepdim)
    dims = opt_dims(c, 1);
    correction = c.bool_arg(2) ? 1 : 0;
  } else {  // .correction(self, dim?, *, correction?, keepdim)
    dims = opt_dims(c, 1);
    correction = c.opt_float(2).value_or(1.0);
  }
  const std::vector<bool> red = reduced_dims(x, dims);
  reduce_rows<float, double>(x, red, DType::float32, c.out(0), [=](const float* p, int64_t n) {
    const double v = variance(p, n, correction);
    return take_sqrt ? std::sqrt(v) : v;
  });
  if (with_mean) mean_kernel(x, red, c.out(1));
}

template <bool Any>
void any_all(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out) {
  reduce_rows<bool, int64_t>(x, red, DType::bool_, out, [](const bool* p, int64_t n) -> int64_t {
    for (int64_t i = 0; i < n; ++i)
      if (p[i] == Any) return Any;
    return !Any;
  });
}

void norm_kernel(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out, double p) {
  reduce_rows<float, double>(x, red, DType::float32, out, [p](const float* v, int64_t n) {
    if (p == 2) {
      double s = 0;
      for (int64_t i = 0; i < n; ++i) s += double(v[i]) * v[i];
      return std::sqrt(s);
    }
    if (std::isinf(p)) {
      double m = p > 0 ? 0 : std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < n; ++i) m = p > 0 ? std::max(m, double(std::fabs(v[i]))) : std::min(m, double(std::fabs(v[i])));
      return m;
    }
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += p == 0 ? double(v[i] != 0) : std::pow(std::fabs(double(v[i])), p);
    return p == 0 || p == 1 ? s : std::pow(s, 1.0 / p);
  });
}

void logsumexp_kernel(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out) {
  reduce_rows<float, double>(x, red, DType::float32, out, [](const float* p, int64_t n) {
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < n; ++i) m = std::max(m, double(p[i]));
    if (std::isinf(m)) return m;
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += std::exp(double(p[i]) - m);
    return m + std::log(s);
  });
}

void count_nonzero_kernel(const CpuTensor& x, const std::vector<bool>& red, const CpuTensor& out) {
  reduce_rows<bool, int64_t>(x, red, DType::bool_, out, [](const bool* p, int64_t n) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; ++i) s += p[i];
    return s;
  });
}

// Inclusive prefix sum along dim.
void cumsum_kernel(KernelCall& c) {
  const CpuTensor& x = c.tensor(0);
  const CpuTensor& out = c.out();
  const int64_t dim = wrap_dim(c.int_arg(1), x.dim());
  std::vector<bool> red(size_t(x.dim()), false);
  if (x.dim()) red[size_t(dim)] = true;
  const bool fl = is_float(out.dtype);
  Rows r;
  make_rows(r, x, red, fl ? DType::float32 : DType::int64);
  TensorBuffer res(r.t.shape, r.t.dtype);
  visit_dtype(r.t.dtype, [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, int64_t>) {
      const T* src = r.t.ptr<T>();
      T* dst = res.tensor().ptr<T>();
      parallel_rows(r.rows, r.n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          std::conditional_t<std::is_same_v<T, float>, double, int64_t> acc = 0;
          for (int64_t k = 0; k < r.n; ++k) dst[i * r.n + k] = T(acc += src[i * r.n + k]);
        }
      });
    }
  });
  // Back to the original dim order through the same permutation on out.
  Shape shape, strides;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t d = 0; d < out.shape.size(); ++d)
      if (red[d] == (pass == 1)) shape.push_back(out.shape[d]), strides.push_back(out.strides[d]);
  convert(res.tensor(), out.view(shape, strides));
}

std::vector<bool> one_dim(const CpuTensor& x, int64_t d) {
  std::vector<bool> r(size_t(x.dim()), false);
  if (x.dim()) r[size_t(wrap_dim(d, x.dim()))] = true;
  return r;
}

std::vector<bool> all_dims(const CpuTensor& x) { return std::vector<bool>(size_t(x.dim()), true); }

}  // namespace

void register_reduction_kernels(KernelTable& t) {
  add_kernel(t, "aten::sum", [](KernelCall& c) { sum_kernel(c.tensor(0), all_dims(c.tensor(0)), c.out()); });
  add_kernel(t, "aten::sum.dim_IntList", [](KernelCall& c) { sum_kernel(c.tensor(0), reduced_dims(c.tensor(0), opt_dims(c, 1)), c.out()); });
  add_kernel(t, "aten::mean", [](KernelCall& c) { mean_kernel(c.tensor(0), all_dims(c.tensor(0)), c.out()); });
  add_kernel(t, "aten::mean.dim", [](KernelCall& c) { mean_kernel(c.tensor(0), reduced_dims(c.tensor(0), opt_dims(c, 1)), c.out()); });
  add_kernel(t, "aten::prod", [](KernelCall& c) { prod_kernel(c.tensor(0), all_dims(c.tensor(0)), c.out()); });
  add_kernel(t, "aten::prod.dim_int", [](KernelCall& c) { prod_kernel(c.tensor(0), one_dim(c.tensor(0), c.int_arg(1)), c.out()); });
  add_kernel(t, "aten::amax", [](KernelCall& c) { extreme_values<true>(c.tensor(0), reduced_dims(c.tensor(0), c.ints(1)), c.out()); });
  add_kernel(t, "aten::amin", [](KernelCall& c) { extreme_values<false>(c.tensor(0), reduced_dims(c.tensor(0), c.ints(1)), c.out()); });
  add_kernel(t, "aten::max", [](KernelCall& c) { extreme_values<true>(c.tensor(0), all_dims(c.tensor(0)), c.out()); });
  add_kernel(t, "aten::min", [](KernelCall& c) { extreme_values<false>(c.tensor(0), all_dims(c.tensor(0)), c.out()); });
  add_kernel(t, "aten::max.dim", [](KernelCall& c) {
    const auto red = one_dim(c.tensor(0), c.int_arg(1));
    extreme_values<true>(c.tensor(0), red, c.out(0));
    extreme_indices<true>(c.tensor(0), red, c.out(1));
  });
  add_kernel(t, "aten::min.dim", [](KernelCall& c) {
    const auto red = one_dim(c.tensor(0), c.int_arg(1));
    extreme_values<false>(c.tensor(0), red, c.out(0));
    extreme_indices<false>(c.tensor(0), red, c.out(1));
  });
  add_kernel(t, "aten::argmax", [](KernelCall& c) {
    const auto d = c.opt_int(1);
    extreme_indices<true>(c.tensor(0), d ? one_dim(c.tensor(0), *d) : all_dims(c.tensor(0)), c.out());
  });
  add_kernel(t, "aten::argmin", [](KernelCall& c) {
    const auto d = c.opt_int(1);
    extreme_indices<false>(c.tensor(0), d ? one_dim(c.tensor(0), *d) : all_dims(c.tensor(0)), c.out());
  });
  // var, std and their _mean pairs, each as (self, unbiased), .dim and .correction (var_kernel's form 0, 1, 2).
  for (const std::string op : {"var", "std", "var_mean", "std_mean"}) {
    const bool take_sqrt = op.starts_with("std"), with_mean = op.ends_with("_mean");
    const char* const overloads[] = {"", ".dim", ".correction"};
    for (int form = 0; form < 3; ++form)
      add_kernel(t, "aten::" + op + overloads[form],
                 [=](KernelCall& c) { var_kernel(c, take_sqrt, with_mean, form); });
  }
  add_kernel(t, "aten::all", [](KernelCall& c) { any_all<false>(c.tensor(0), all_dims(c.tensor(0)), c.out()); });
  add_kernel(t, "aten::all.dim", [](KernelCall& c) { any_all<false>(c.tensor(0), one_dim(c.tensor(0), c.int_arg(1)), c.out()); });
  add_kernel(t, "aten::all.dims", [](KernelCall& c) { any_all<false>(c.tensor(0), reduced_dims(c.tensor(0), opt_dims(c, 1)), c.out()); });
  add_kernel(t, "aten::any", [](KernelCall& c) { any_all<true>(c.tensor(0), all_dims(c.tensor(0)), c.out()); });
  add_kernel(t, "aten::any.dim", [](KernelCall& c) { any_all<true>(c.tensor(0), one_dim(c.tensor(0), c.int_arg(1)), c.out()); });
  add_kernel(t, "aten::any.dims", [](KernelCall& c) { any_all<true>(c.tensor(0), reduced_dims(c.tensor(0), opt_dims(c, 1)), c.out()); });
  add_kernel(t, "aten::logsumexp", [](KernelCall& c) { logsumexp_kernel(c.tensor(0), reduced_dims(c.tensor(0), c.ints(1)), c.out()); });
  add_kernel(t, "aten::norm.Scalar", [](KernelCall& c) { norm_kernel(c.tensor(0), all_dims(c.tensor(0)), c.out(), c.float_arg(1)); });
  add_kernel(t, "aten::norm.ScalarOpt_dim", [](KernelCall& c) {
    norm_kernel(c.tensor(0), reduced_dims(c.tensor(0), c.ints(2)), c.out(), c.opt_float(1).value_or(2.0));
  });
  add_kernel(t, "aten::linalg_vector_norm", [](KernelCall& c) {
    norm_kernel(c.tensor(0), reduced_dims(c.tensor(0), opt_dims(c, 2)), c.out(), c.float_arg(1));
  });
  add_kernel(t, "aten::frobenius_norm.dim", [](KernelCall& c) { norm_kernel(c.tensor(0), reduced_dims(c.tensor(0), c.ints(1)), c.out(), 2.0); });
  add_kernel(t, "aten::count_nonzero", [](KernelCall& c) {
    const auto d = c.opt_int(1);
    count_nonzero_kernel(c.tensor(0), d ? one_dim(c.tensor(0), *d) : all_dims(c.tensor(0)), c.out());
  });
  add_kernel(t, "aten::count_nonzero.dim_IntList", [](KernelCall& c) {
    count_nonzero_kernel(c.tensor(0), reduced_dims(c.tensor(0), c.ints(1)), c.out());
  });
  add_kernel(t, "aten::cumsum", cumsum_kernel);
}

}  // namespace ptscope::kernels
