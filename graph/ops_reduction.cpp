// Reductions (sum, mean, amax, max.dim, std/var, norms, any/all), sorting
// (topk, sort, argsort) and scans (cumsum). One extended FLOP per input
// element (one add or compare each); std/var take 4 (mean, subtract, square, add).
#include <cmath>

#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

const auto Rd = OpCategory::reduction;

// Reduces `dims` (all dims when empty or absent); keepdim leaves size-1 dims.
Shape reduce_shape(const Shape& s, const std::optional<std::vector<int64_t>>& dims, bool keepdim) {
  const int64_t r = int64_t(s.size());
  std::vector<bool> reduced(s.size(), !dims || dims->empty());
  std::vector<bool> seen(std::max<size_t>(s.size(), 1), false);
  if (dims)
    for (int64_t d : *dims) {
      const size_t w = size_t(wrap_dim(d, r));
      if (seen[w]) fail("dim " + std::to_string(w) + " appears multiple times in the list of dims");
      seen[w] = true;
      if (r > 0) reduced[w] = true;
    }
  Shape out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!reduced[i]) out.push_back(s[i]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

// The input's shape reduced over `dims` (all of them when none), keepdim read at `keepdim_pos`.
Shape reduced(const Args& a, const std::optional<std::vector<int64_t>>& dims, size_t keepdim_pos) {
  return reduce_shape(tensor(a, 0).shape, dims, bool_arg(a, keepdim_pos));
}

// The same over the one dim at `dim_pos`.
Shape reduced_dim(const Args& a, size_t dim_pos, size_t keepdim_pos) {
  return reduce_shape(tensor(a, 0).shape, std::vector<int64_t>{int_arg(a, dim_pos)}, bool_arg(a, keepdim_pos));
}

// sum/prod/cumsum: integers (and bool) accumulate in int64 unless a dtype is given.
DType accumulate_dtype(const Args& a, size_t dtype_pos) {
  const DType d = tensor(a, 0).dtype;
  if (!is_none(a, dtype_pos)) return dtype_code(int_arg(a, dtype_pos));
  return is_integral(d, true) ? DType::int64 : d;
}

DType mean_dtype(const Args& a, size_t dtype_pos) {
  const DType d = dtype_or(a, dtype_pos, tensor(a, 0).dtype);
  if (!is_floating(d) && !is_complex(d))
    fail("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: " +
         std::string(dtype_name(d)));
  return d;
}

// Statistics and norms of integer input are computed in the default float.
DType float_result(DType d) { return is_floating(d) || is_complex(d) ? d : DType::float32; }

// any/all return bool except for uint8 input, which stays uint8.
DType logical_result(DType d) { return d == DType::uint8 ? DType::uint8 : DType::bool_; }

// Sorting: ~log2(n) comparisons per element along the sorted dim.
OpCost sort_cost(const Args& a, const Outs& o, size_t dim_pos) {
  OpCost c = default_bytes(a, o);
  const TensorMeta& x = tensor(a, 0);
  const int64_t n = x.shape.empty() ? 1 : x.shape[size_t(wrap_dim(int_arg(a, dim_pos), int64_t(x.shape.size())))];
  c.extended_flops = double(x.numel()) * std::max(1.0, std::ceil(std::log2(double(std::max<int64_t>(n, 1)))));
  return c;
}

Outs values_indices(Shape s, DType d) { return {meta(s, d), meta(std::move(s), DType::int64)}; }

}  // namespace

void register_reduction_ops(OpRegistry& r) {
  def(r, "aten::sum(Tensor self, *, ScalarType? dtype=None) -> Tensor", Rd,
      [](const Args& a) { return one({}, accumulate_dtype(a, 1)); }, per_in(1));
  def(r, "aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", Rd,
      [](const Args& a) { return one(reduced(a, opt_ints(a, 1), 2), accumulate_dtype(a, 3)); },
      per_in(1));
  def(r, "aten::mean(Tensor self, *, ScalarType? dtype=None) -> Tensor", Rd,
      [](const Args& a) { return one({}, mean_dtype(a, 1)); }, per_in(1));
  def(r, "aten::mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", Rd,
      [](const Args& a) { return one(reduced(a, opt_ints(a, 1), 2), mean_dtype(a, 3)); },
      per_in(1));
  def(r, "aten::prod(Tensor self, *, ScalarType? dtype=None) -> Tensor", Rd,
      [](const Args& a) { return one({}, accumulate_dtype(a, 1)); }, per_in(1));
  def(r, "aten::prod.dim_int(Tensor self, int dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor", Rd,
      [](const Args& a) { return one(reduced_dim(a, 1, 2), accumulate_dtype(a, 3)); },
      per_in(1));
  for (const char* s : {"aten::amax(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor",
                        "aten::amin(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor"})
    def(r, s, Rd,
        [](const Args& a) { return one(reduced(a, ints(a, 1), 2), tensor(a, 0).dtype); },
        per_in(1));
  for (const char* s : {"aten::max(Tensor self) -> Tensor", "aten::min(Tensor self) -> Tensor"})
    def(r, s, Rd, [](const Args& a) { return one({}, tensor(a, 0).dtype); }, per_in(1));
  for (const char* s : {"aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
                        "aten::min.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)"})
    def(r, s, Rd,
        [](const Args& a) { return values_indices(reduced_dim(a, 1, 2), tensor(a, 0).dtype); },
        per_in(1));
  // max(a, b) / min(a, b) of two tensors are elementwise.
  for (const char* s : {"aten::max.other(Tensor self, Tensor other) -> Tensor",
                        "aten::min.other(Tensor self, Tensor other) -> Tensor"})
    def(r, s, OpCategory::elementwise,
        [](const Args& a) {
          return one(broadcast(tensor(a, 0).shape, tensor(a, 1).shape), promote(tensor(a, 0).dtype, tensor(a, 1).dtype));
        },
        per_out(1));
  for (const char* s : {"aten::argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
                        "aten::argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor"})
    def(r, s, Rd,
        [](const Args& a) {
          const TensorMeta& x = tensor(a, 0);
          std::optional<std::vector<int64_t>> dims;
          if (auto d = opt_int(a, 1)) dims = std::vector<int64_t>{*d};
          return one(reduce_shape(x.shape, dims, bool_arg(a, 2)), DType::int64);
        },
        per_in(1));
  // any/all.
  for (const char* s : {"aten::all(Tensor self) -> Tensor", "aten::any(Tensor self) -> Tensor"})
    def(r, s, Rd, [](const Args& a) { return one({}, logical_result(tensor(a, 0).dtype)); }, per_in(1));
  for (const char* s : {"aten::all.dim(Tensor self, int dim, bool keepdim=False) -> Tensor",
                        "aten::any.dim(Tensor self, int dim, bool keepdim=False) -> Tensor"})
    def(r, s, Rd,
        [](const Args& a) { return one(reduced_dim(a, 1, 2), logical_result(tensor(a, 0).dtype)); },
        per_in(1));
  for (const char* s : {"aten::all.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor",
                        "aten::any.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor"})
    def(r, s, Rd,
        [](const Args& a) { return one(reduced(a, opt_ints(a, 1), 2), logical_result(tensor(a, 0).dtype)); },
        per_in(1));
  def(r, "aten::count_nonzero(Tensor self, int? dim=None) -> Tensor", Rd,
      [](const Args& a) {
        std::optional<std::vector<int64_t>> dims;
        if (auto d = opt_int(a, 1)) dims = std::vector<int64_t>{*d};
        return one(reduce_shape(tensor(a, 0).shape, dims, false), DType::int64);
      },
      per_in(1));
  def(r, "aten::count_nonzero.dim_IntList(Tensor self, int[] dim) -> Tensor", Rd,
      [](const Args& a) { return one(reduce_shape(tensor(a, 0).shape, ints(a, 1), false), DType::int64); },
      per_in(1));
  // Variance and standard deviation (and their _mean pairs), each in ATen's
  // three overloads: (self, unbiased), .dim and .correction.
  struct Overload { const char* params; int dims_pos; int keepdim_pos; };
  for (const std::string op : {"std", "var", "std_mean", "var_mean"}) {
    const bool pair = op.ends_with("_mean");
    for (const Overload& o : {
             Overload{"(Tensor self, bool unbiased=True)", -1, -1},
             Overload{".dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False)", 1, 3},
             Overload{".correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False)", 1, 3},
         }) {
      const int dp = o.dims_pos, kp = o.keepdim_pos;
      def(r, "aten::" + op + o.params + (pair ? " -> (Tensor, Tensor)" : " -> Tensor"), Rd,
          [dp, kp, pair](const Args& a) {
            const TensorMeta& x = tensor(a, 0);
            Shape s = dp < 0 ? Shape{} : reduce_shape(x.shape, opt_ints(a, size_t(dp)), bool_arg(a, size_t(kp)));
            const DType d = float_result(x.dtype);
            if (!is_floating(x.dtype) && !is_complex(x.dtype))
              fail("std and var only support floating point and complex dtypes, got " + std::string(dtype_name(x.dtype)));
            return pair ? Outs{meta(s, d), meta(s, x.dtype)} : one(s, d);
          },
          per_in(4));
    }
  }
  def(r, "aten::logsumexp(Tensor self, int[1] dim, bool keepdim=False) -> Tensor", Rd,
      [](const Args& a) { return one(reduced(a, ints(a, 1), 2), float_result(tensor(a, 0).dtype)); },
      per_in(4));  // max, subtract, exp, add
  // Norms: one multiply-add per element (|x|^p then a sum).
  def(r, "aten::norm.Scalar(Tensor self, Scalar p=2) -> Tensor", Rd,
      [](const Args& a) { return one({}, float_result(tensor(a, 0).dtype)); }, per_in(2));
  def(r, "aten::norm.ScalarOpt_dim(Tensor self, Scalar? p, int[1] dim, bool keepdim=False) -> Tensor", Rd,
      [](const Args& a) { return one(reduced(a, ints(a, 2), 3), float_result(tensor(a, 0).dtype)); },
      per_in(2));
  def(r, "aten::frobenius_norm.dim(Tensor self, int[1] dim, bool keepdim=False) -> Tensor", Rd,
      [](const Args& a) { return one(reduced(a, ints(a, 1), 2), float_result(tensor(a, 0).dtype)); },
      per_in(2));
  def(r, "aten::linalg_vector_norm(Tensor self, Scalar ord=2, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
      Rd,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        if (!is_floating(x.dtype) && !is_complex(x.dtype))
          fail("linalg.vector_norm: expected a floating point or complex tensor as input, got " +
               std::string(dtype_name(x.dtype)));
        return one(reduced(a, opt_ints(a, 2), 3), dtype_or(a, 4, float_result(x.dtype)));
      },
      per_in(2));
  // Sorting.
  def(r, "aten::topk(Tensor self, SymInt k, int dim=-1, bool largest=True, bool sorted=True) -> (Tensor values, Tensor indices)",
      Rd,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        const int64_t k = int_arg(a, 1);
        Shape s = x.shape;
        const int64_t have = s.empty() ? 1 : s[size_t(wrap_dim(int_arg(a, 2), int64_t(s.size())))];
        if (k < 0 || k > have) fail("selected index k out of range: k=" + std::to_string(k) + " for size " + std::to_string(have));
        if (!s.empty()) s[size_t(wrap_dim(int_arg(a, 2), int64_t(s.size())))] = k;
        return values_indices(s, x.dtype);
      },
      [](const Args& a, const Outs& o) { return sort_cost(a, o, 2); });
  def(r, "aten::sort(Tensor self, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)", Rd,
      [](const Args& a) {
        wrap_dim(int_arg(a, 1), int64_t(tensor(a, 0).shape.size()));
        return values_indices(tensor(a, 0).shape, tensor(a, 0).dtype);
      },
      [](const Args& a, const Outs& o) { return sort_cost(a, o, 1); });
  def(r, "aten::sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)",
      Rd,
      [](const Args& a) {
        wrap_dim(int_arg(a, 2), int64_t(tensor(a, 0).shape.size()));
        return values_indices(tensor(a, 0).shape, tensor(a, 0).dtype);
      },
      [](const Args& a, const Outs& o) { return sort_cost(a, o, 2); });
  def(r, "aten::argsort(Tensor self, int dim=-1, bool descending=False) -> Tensor", Rd,
      [](const Args& a) {
        wrap_dim(int_arg(a, 1), int64_t(tensor(a, 0).shape.size()));
        return one(tensor(a, 0).shape, DType::int64);
      },
      [](const Args& a, const Outs& o) { return sort_cost(a, o, 1); });
  def(r, "aten::cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor", Rd,
      [](const Args& a) {
        wrap_dim(int_arg(a, 1), int64_t(tensor(a, 0).shape.size()));
        return one(tensor(a, 0).shape, accumulate_dtype(a, 2));
      },
      per_in(1));
}

}  // namespace ptscope::graph::rules
