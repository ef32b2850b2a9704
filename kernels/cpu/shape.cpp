// Shape ops. Views (view/reshape when the strides allow it, permute,
// transpose, select, slice, expand, squeeze, split, ...) return tensors that
// alias their input: no bytes move. reshape/contiguous/to copy only when
// they must. Copying ops: cat, stack, flip, roll, repeat, tile, pad,
// pixel/channel shuffle, tril/triu, repeat_interleave, clone, and the
// factories (zeros, ones, full, arange, ...).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/shape.h"
#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {
namespace {

// Strides that make `shape` a view of t's memory (same element order), or
// nullopt when t's layout cannot be regrouped that way (core/shape.h).
std::optional<Shape> view_strides(const CpuTensor& t, const Shape& shape) {
  if (t.numel() == 0 || t.dim() == 0) return contiguous_strides(shape);
  return ptscope::view_strides(t.shape, t.strides, shape);
}

// Resolves one -1 in a requested shape against numel.
Shape infer_shape(const Shape& requested, int64_t numel) {
  ResolvedShape r = resolve_view_shape(requested, numel);
  if (r.problem == ResolvedShape::Problem::two_inferred) kernel_fail("only one dimension can be inferred");
  if (r.problem != ResolvedShape::Problem::none)
    kernel_fail("shape " + shape_string(r.shape) + " is invalid for input of size " + std::to_string(numel));
  return std::move(r.shape);
}

// Output 0 = t reshaped: a view when possible, else a contiguous copy.
void reshape_to(KernelCall& c, const CpuTensor& t, const Shape& requested) {
  const Shape shape = infer_shape(requested, t.numel());
  if (auto st = view_strides(t, shape)) {
    c.set_output(0, t.view(shape, *st));
    return;
  }
  const CpuTensor out = c.allocate_output(0, shape, t.dtype);
  convert(t.view(t.shape, t.strides), out.view(t.shape, contiguous_strides(t.shape)));
}

CpuTensor permuted(const CpuTensor& t, const std::vector<int64_t>& perm) {
  if (int64_t(perm.size()) != t.dim()) kernel_fail("permute: got " + std::to_string(perm.size()) + " dims for a " + std::to_string(t.dim()) + "-d tensor");
  Shape s, st;
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    const int64_t d = wrap_dim(p, t.dim());
    if (seen[size_t(d)]) kernel_fail("permute: repeated dim");
    seen[size_t(d)] = true;
    s.push_back(t.shape[size_t(d)]);
    st.push_back(t.strides[size_t(d)]);
  }
  return t.view(s, st);
}

CpuTensor transposed(const CpuTensor& t, int64_t a, int64_t b) {
  if (t.dim() < 2 && a == b) return t;
  std::vector<int64_t> perm(size_t(t.dim()));
  std::iota(perm.begin(), perm.end(), 0);
  if (t.dim() > 0) std::swap(perm[size_t(wrap_dim(a, t.dim()))], perm[size_t(wrap_dim(b, t.dim()))]);
  return permuted(t, perm);
}

// Reverses all dims (t / numpy_T / mT handle their own ranks).
CpuTensor reversed_dims(const CpuTensor& t) {
  std::vector<int64_t> perm(size_t(t.dim()));
  std::iota(perm.rbegin(), perm.rend(), 0);
  return permuted(t, perm);
}

CpuTensor narrowed(const CpuTensor& t, int64_t dim, int64_t start, int64_t length, int64_t step = 1) {
  Shape s = t.shape, st = t.strides;
  s[size_t(dim)] = length;
  st[size_t(dim)] *= step;
  return t.view(s, st, length > 0 ? start * t.strides[size_t(dim)] : 0);
}

CpuTensor unsqueezed(const CpuTensor& t, int64_t dim) {
  const int64_t d = wrap_dim(dim, t.dim() + 1);
  Shape s = t.shape, st = t.strides;
  const int64_t stride = d < t.dim() ? t.shape[size_t(d)] * t.strides[size_t(d)] : 1;
  s.insert(s.begin() + d, 1);
  st.insert(st.begin() + d, stride);
  return t.view(s, st);
}

CpuTensor squeezed(const CpuTensor& t, const std::vector<bool>& drop) {
  Shape s, st;
  for (size_t d = 0; d < t.shape.size(); ++d)
    if (!(drop[d] && t.shape[d] == 1)) s.push_back(t.shape[d]), st.push_back(t.strides[d]);
  return t.view(s, st);
}

CpuTensor expanded(const CpuTensor& t, const std::vector<int64_t>& size) {
  if (size.size() < t.shape.size()) kernel_fail("expand: the number of sizes must be at least the tensor's rank");
  const size_t lead = size.size() - t.shape.size();
  Shape s(size.size()), st(size.size(), 0);
  for (size_t i = 0; i < size.size(); ++i) {
    if (i < lead) {
      if (size[i] < 0) kernel_fail("expand: -1 is not allowed for a new leading dim");
      s[i] = size[i];
      continue;
    }
    const int64_t have = t.shape[i - lead];
    const int64_t want = size[i] == -1 ? have : size[i];
    if (have != want && have != 1) kernel_fail("expand: size " + shape_string(size) + " does not fit " + shape_string(t.shape));
    s[i] = want;
    st[i] = have == want ? t.strides[i - lead] : 0;
  }
  return t.view(s, st);
}

// Pieces of `sizes` along dim, appended as outputs.
void split_outputs(KernelCall& c, const CpuTensor& t, int64_t dim, const std::vector<int64_t>& sizes) {
  int64_t start = 0;
  c.outputs.clear();
  for (size_t i = 0; i < sizes.size(); ++i) {
    c.set_output(i, narrowed(t, dim, start, sizes[i]));
    start += sizes[i];
  }
  if (start != t.shape[size_t(dim)]) kernel_fail("split: sizes " + shape_string(sizes) + " do not sum to " + std::to_string(t.shape[size_t(dim)]));
}

std::vector<int64_t> equal_splits(int64_t n, int64_t split) {
  if (split <= 0 && n > 0) kernel_fail("split: split_size must be positive");
  std::vector<int64_t> sizes;
  for (int64_t s = 0; s < n; s += split) sizes.push_back(std::min(split, n - s));
  if (sizes.empty()) sizes.push_back(0);
  return sizes;
}

// Output 0 = t converted to dtype, aliasing t when nothing changes (and copy=False).
void to_dtype_op(KernelCall& c, std::optional<DType> dtype, bool copy) {
  const CpuTensor& t = c.tensor(0);
  const DType d = dtype.value_or(t.dtype);
  if (d == t.dtype && !copy) {
    c.set_output(0, t);
    return;
  }
  convert(t, c.allocate_output(0, t.shape, d));
}

std::optional<DType> dtype_arg(const KernelCall& c, size_t i) {
  if (c.is_none(i)) return std::nullopt;
  const int64_t code = c.int_arg(i);
  if (!is_valid_dtype(int(code))) kernel_fail("invalid ScalarType " + std::to_string(code));
  return DType(code);
}

void cat_into(const std::vector<CpuTensor>& ts, int64_t dim_arg, const CpuTensor& out) {
  const int64_t dim = wrap_dim(dim_arg, out.dim());
  int64_t at = 0;
  for (const CpuTensor& t : ts) {
    if (t.dim() == 1 && t.shape[0] == 0 && out.dim() != 1) continue;  // legacy: empty 1-D tensors are skipped
    const int64_t n = t.shape[size_t(dim)];
    convert(t, narrowed(out, dim, at, n));
    at += n;
  }
  if (at != out.shape[size_t(dim)]) kernel_fail("cat: inputs do not fill the output along dim " + std::to_string(dim));
}

// Padding: output index → source index per padded dim (-1 = fill value).
int64_t pad_source(int64_t o, int64_t before, int64_t n, const std::string& mode) {
  int64_t i = o - before;
  if (i >= 0 && i < n) return i;
  if (mode == "constant") return -1;
  if (mode == "replicate") return std::clamp<int64_t>(i, 0, n - 1);
  if (mode == "circular") return ((i % n) + n) % n;
  // reflect: mirror without repeating the edge
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

void pad_kernel(const CpuTensor& x, const std::vector<int64_t>& pad, const std::string& mode, double value,
                const CpuTensor& out) {
  const size_t k = pad.size() / 2;  // padded trailing dims, last dim first in `pad`
  if (pad.size() % 2 || k > x.shape.size()) kernel_fail("pad: padding length must be even and at most 2 * rank");
  const size_t rank = x.shape.size();
  if (rank == 0) return convert(x, out);
  std::vector<std::vector<int64_t>> maps(rank);
  for (size_t d = 0; d < rank; ++d) {
    maps[d].resize(size_t(out.shape[d]));
    const bool padded = d >= rank - k;
    const int64_t before = padded ? pad[2 * (rank - 1 - d)] : 0;
    for (int64_t o = 0; o < out.shape[d]; ++o) maps[d][size_t(o)] = padded ? pad_source(o, before, x.shape[d], mode) : o;
  }
  visit_dtype(out.dtype, [&](auto z) {
    using T = decltype(z);
    TensorBuffer xs;
    const CpuTensor xt = to_dtype(x, out.dtype, xs);
    const T fillv = cast_value<T>(value);
    const T* src = xt.ptr<T>();
    T* dst = out.ptr<T>();
    const int64_t inner = out.shape.back();
    const int64_t rows = inner ? out.numel() / inner : 0;
    parallel_rows(rows, inner, [&](int64_t b, int64_t e) {
      std::vector<int64_t> idx(rank, 0);
      for (int64_t r = b; r < e; ++r) {
        int64_t rem = r, so = 0, oo = 0;
        bool hole = false;
        for (size_t d = rank - 1; d-- > 0;) {
          idx[d] = rem % out.shape[d];
          rem /= out.shape[d];
          const int64_t s = maps[d][size_t(idx[d])];
          if (s < 0) hole = true;
          so += s * xt.strides[d];
          oo += idx[d] * out.strides[d];
        }
        const std::vector<int64_t>& last = maps[rank - 1];
        for (int64_t j = 0; j < inner; ++j) {
          const int64_t s = last[size_t(j)];
          dst[oo + j * out.strides[rank - 1]] = hole || s < 0 ? fillv : src[so + s * xt.strides[rank - 1]];
        }
      }
    });
  });
}

void fill_out(KernelCall& c, double v) { fill(c.out(), v); }

// arange values computed in double, as ATen's accumulate type for float.
// The element count (from end) is already the output's size.
void arange_kernel(KernelCall& c, double start, double step) {
  const CpuTensor& out = c.out();
  if (step == 0) kernel_fail("arange: step must be nonzero");
  TensorBuffer tmp(out.shape, DType::float64);
  double* p = tmp.tensor().ptr<double>();
  for (int64_t i = 0; i < out.numel(); ++i) p[i] = start + double(i) * step;
  convert(tmp.tensor(), out);
}

void tri_kernel(KernelCall& c, bool lower) {
  const CpuTensor& x = c.tensor(0);
  const int64_t diag = c.int_arg(1);
  const CpuTensor& out = c.out();
  convert(x, out);
  const int64_t r = x.size(-2), cols = x.size(-1), mats = r * cols != 0 ? x.numel() / (r * cols) : 0;
  visit_dtype(out.dtype, [&](auto z) {
    using T = decltype(z);
    T* p = out.ptr<T>();
    for (int64_t m = 0; m < mats; ++m)
      for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          const bool keep = lower ? j - i <= diag : j - i >= diag;
          if (!keep) p[(m * r + i) * cols + j] = cast_value<T>(0);
        }
  });
}


// Reshapes and permutations: views of the same storage.
void register_reshape_kernels(KernelTable& t) {
  const OutputMode V = OutputMode::by_kernel;
  // Reshapes.
  for (const char* n : {"aten::view", "aten::reshape", "aten::_unsafe_view"})
    add_kernel(t, n, [](KernelCall& c) { reshape_to(c, c.tensor(0), c.ints(1)); }, V);
  for (const char* n : {"aten::view_as", "aten::reshape_as"})
    add_kernel(t, n, [](KernelCall& c) { reshape_to(c, c.tensor(0), c.tensor(1).shape); }, V);
  add_kernel(t, "aten::_reshape_alias", [](KernelCall& c) { c.set_output(0, c.tensor(0).view(c.ints(1), c.ints(2))); }, V);
  add_kernel(t, "aten::flatten.using_ints", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    if (x.dim() == 0) return reshape_to(c, x, {1});
    const int64_t s = wrap_dim(c.int_arg(1), x.dim()), e = wrap_dim(c.int_arg(2), x.dim());
    Shape shape(x.shape.begin(), x.shape.begin() + s);
    shape.push_back(std::accumulate(x.shape.begin() + s, x.shape.begin() + e + 1, int64_t(1), std::multiplies<>()));
    shape.insert(shape.end(), x.shape.begin() + e + 1, x.shape.end());
    reshape_to(c, x, shape);
  }, V);
  add_kernel(t, "aten::unflatten.int", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t d = wrap_dim(c.int_arg(1), x.dim());
    const Shape sizes = infer_shape(c.ints(2), x.shape[size_t(d)]);
    Shape shape(x.shape.begin(), x.shape.begin() + d);
    shape.insert(shape.end(), sizes.begin(), sizes.end());
    shape.insert(shape.end(), x.shape.begin() + d + 1, x.shape.end());
    reshape_to(c, x, shape);
  }, V);
  add_kernel(t, "aten::view.dtype", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const DType d = *dtype_arg(c, 1);
    if (ptscope::itemsize(d) != x.itemsize()) kernel_unsupported("view(dtype) between dtypes of different sizes");
    CpuTensor v = x;
    v.dtype = d;
    c.set_output(0, v);
  }, V);

  // Permutations.
  add_kernel(t, "aten::permute", [](KernelCall& c) { c.set_output(0, permuted(c.tensor(0), c.ints(1))); }, V);
  for (const char* n : {"aten::transpose.int", "aten::swapaxes", "aten::transpose_"})
    add_kernel(t, n, [](KernelCall& c) { c.set_output(0, transposed(c.tensor(0), c.int_arg(1), c.int_arg(2))); }, V);
  add_kernel(t, "aten::t", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    if (x.dim() > 2) kernel_fail("t() expects a tensor with <= 2 dimensions");
    c.set_output(0, reversed_dims(x));
  }, V);
  add_kernel(t, "aten::numpy_T", [](KernelCall& c) { c.set_output(0, reversed_dims(c.tensor(0))); }, V);
  add_kernel(t, "aten::mT", [](KernelCall& c) { c.set_output(0, transposed(c.tensor(0), -2, -1)); }, V);
  for (const char* n : {"aten::movedim.int", "aten::movedim.intlist"})
    add_kernel(t, n, [](KernelCall& c) {
      const CpuTensor& x = c.tensor(0);
      std::vector<int64_t> src = c.ints(1), dst = c.ints(2);
      std::vector<int64_t> perm(size_t(x.dim()), -1);
      std::vector<bool> used(size_t(x.dim()), false);
      for (size_t i = 0; i < src.size(); ++i) {
        perm[size_t(wrap_dim(dst[i], x.dim()))] = wrap_dim(src[i], x.dim());
        used[size_t(wrap_dim(src[i], x.dim()))] = true;
      }
      int64_t next = 0;
      for (auto& p : perm) {
        if (p >= 0) continue;
        while (used[size_t(next)]) ++next;
        p = next++;
      }
      c.set_output(0, permuted(x, perm));
    }, V);
}

// Slices, size-1 dims, expansion and lists of views (split, chunk, unbind ...).
void register_slicing_kernels(KernelTable& t) {
  const OutputMode V = OutputMode::by_kernel;
  // Slicing.
  add_kernel(t, "aten::select.int", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t d = wrap_dim(c.int_arg(1), x.dim());
    int64_t i = c.int_arg(2);
    const int64_t n = x.shape[size_t(d)];
    if (i < -n || i >= n) kernel_fail("select: index " + std::to_string(i) + " out of range for size " + std::to_string(n));
    if (i < 0) i += n;
    Shape s = x.shape, st = x.strides;
    s.erase(s.begin() + d);
    st.erase(st.begin() + d);
    c.set_output(0, x.view(s, st, i * x.strides[size_t(d)]));
  }, V);
  add_kernel(t, "aten::slice.Tensor", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t d = wrap_dim(c.int_arg(1), x.dim());
    const int64_t n = x.shape[size_t(d)], step = c.int_arg(4);
    if (step <= 0) kernel_fail("slice step must be positive");
    auto clampi = [n](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n); };
    const int64_t start = clampi(c.opt_int(2).value_or(0));
    const int64_t end = std::max(start, clampi(c.opt_int(3).value_or(n)));
    c.set_output(0, narrowed(x, d, start, (end - start + step - 1) / step, step));
  }, V);
  add_kernel(t, "aten::narrow", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t d = wrap_dim(c.int_arg(1), x.dim());
    int64_t start = c.int_arg(2);
    const int64_t len = c.int_arg(3), n = x.shape[size_t(d)];
    if (start < 0) start += n;
    if (start < 0 || len < 0 || start + len > n) kernel_fail("narrow: start/length out of range");
    c.set_output(0, narrowed(x, d, start, len));
  }, V);
  add_kernel(t, "aten::diagonal", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t off = c.int_arg(1), d1 = wrap_dim(c.int_arg(2), x.dim()), d2 = wrap_dim(c.int_arg(3), x.dim());
    const int64_t n1 = x.shape[size_t(d1)], n2 = x.shape[size_t(d2)];
    const int64_t len = std::max<int64_t>(0, off >= 0 ? std::min(n1, n2 - off) : std::min(n1 + off, n2));
    const int64_t start = len == 0 ? 0 : off >= 0 ? off * x.strides[size_t(d2)] : -off * x.strides[size_t(d1)];
    Shape s, st;
    for (int64_t d = 0; d < x.dim(); ++d)
      if (d != d1 && d != d2) s.push_back(x.shape[size_t(d)]), st.push_back(x.strides[size_t(d)]);
    s.push_back(len);
    st.push_back(x.strides[size_t(d1)] + x.strides[size_t(d2)]);
    c.set_output(0, x.view(s, st, start));
  }, V);
  add_kernel(t, "aten::unfold", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t d = wrap_dim(c.int_arg(1), x.dim()), size = c.int_arg(2), step = c.int_arg(3);
    Shape s = x.shape, st = x.strides;
    const int64_t n = x.dim() ? x.shape[size_t(d)] : 1, stride = x.dim() ? x.strides[size_t(d)] : 1;
    if (size > n || step <= 0) kernel_fail("unfold: size/step out of range");
    if (x.dim()) {
      s[size_t(d)] = (n - size) / step + 1;
      st[size_t(d)] = stride * step;
    }
    s.push_back(size);
    st.push_back(stride);
    c.set_output(0, x.view(s, st));
  }, V);

  // Dims of size 1.
  for (const char* n : {"aten::unsqueeze", "aten::unsqueeze_"})
    add_kernel(t, n, [](KernelCall& c) { c.set_output(0, unsqueezed(c.tensor(0), c.int_arg(1))); }, V);
  for (const char* n : {"aten::squeeze", "aten::squeeze_"})
    add_kernel(t, n, [](KernelCall& c) { c.set_output(0, squeezed(c.tensor(0), std::vector<bool>(size_t(c.tensor(0).dim()), true))); }, V);
  for (const char* n : {"aten::squeeze.dim", "aten::squeeze_.dim", "aten::squeeze.dims"})
    add_kernel(t, n, [](KernelCall& c) {
      const CpuTensor& x = c.tensor(0);
      std::vector<bool> drop(size_t(x.dim()), false);
      for (int64_t d : c.ints(1))
        if (x.dim()) drop[size_t(wrap_dim(d, x.dim()))] = true;
      c.set_output(0, squeezed(x, drop));
    }, V);
  add_kernel(t, "aten::expand", [](KernelCall& c) { c.set_output(0, expanded(c.tensor(0), c.ints(1))); }, V);
  add_kernel(t, "aten::expand_as", [](KernelCall& c) { c.set_output(0, expanded(c.tensor(0), c.tensor(1).shape)); }, V);

  // Lists of views.
  for (const char* n : {"aten::split.Tensor", "aten::unsafe_split.Tensor"})
    add_kernel(t, n, [](KernelCall& c) {
      const CpuTensor& x = c.tensor(0);
      const int64_t d = wrap_dim(c.int_arg(2), x.dim());
      split_outputs(c, x, d, equal_splits(x.shape[size_t(d)], c.int_arg(1)));
    }, V);
  for (const char* n : {"aten::split", "aten::split.sizes", "aten::split_with_sizes"})
    add_kernel(t, n, [](KernelCall& c) {
      const CpuTensor& x = c.tensor(0);
      split_outputs(c, x, wrap_dim(c.int_arg(2), x.dim()), c.ints(1));
    }, V);
  for (const char* n : {"aten::chunk", "aten::unsafe_chunk"})
    add_kernel(t, n, [](KernelCall& c) {
      const CpuTensor& x = c.tensor(0);
      const int64_t d = wrap_dim(c.int_arg(2), x.dim()), chunks = c.int_arg(1), size = x.shape[size_t(d)];
      if (chunks <= 0) kernel_fail("chunk expects `chunks` to be greater than 0");
      split_outputs(c, x, d, equal_splits(size, std::max<int64_t>(1, (size + chunks - 1) / chunks)));
    }, V);
  add_kernel(t, "aten::tensor_split.sections", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t d = wrap_dim(c.int_arg(2), x.dim()), sections = c.int_arg(1), n = x.shape[size_t(d)];
    if (sections <= 0) kernel_fail("tensor_split: number of sections must be greater than 0");
    std::vector<int64_t> sizes;
    for (int64_t i = 0; i < sections; ++i) sizes.push_back(n / sections + (i < n % sections ? 1 : 0));
    split_outputs(c, x, d, sizes);
  }, V);
  add_kernel(t, "aten::tensor_split.indices", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t d = wrap_dim(c.int_arg(2), x.dim()), n = x.shape[size_t(d)];
    std::vector<int64_t> sizes;
    int64_t prev = 0;
    for (int64_t i : c.ints(1)) {
      const int64_t at = std::clamp<int64_t>(i < 0 ? i + n : i, prev, n);
      sizes.push_back(at - prev);
      prev = at;
    }
    sizes.push_back(n - prev);
    split_outputs(c, x, d, sizes);
  }, V);
  add_kernel(t, "aten::unbind.int", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t d = wrap_dim(c.int_arg(1), x.dim());
    c.outputs.clear();
    Shape s = x.shape, st = x.strides;
    s.erase(s.begin() + d);
    st.erase(st.begin() + d);
    for (int64_t i = 0; i < x.shape[size_t(d)]; ++i) c.set_output(size_t(i), x.view(s, st, i * x.strides[size_t(d)]));
  }, V);
}

// Aliases and dtype conversions: a view when nothing changes, a copy otherwise.
void register_alias_kernels(KernelTable& t) {
  const OutputMode V = OutputMode::by_kernel;
  // Aliases and conversions.
  for (const char* n : {"aten::alias", "aten::detach", "aten::lift_fresh"})
    add_kernel(t, n, [](KernelCall& c) { c.set_output(0, c.tensor(0)); }, V);
  add_kernel(t, "aten::contiguous", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    if (x.is_contiguous()) c.set_output(0, x);
    else convert(x, c.allocate_output(0, x.shape, x.dtype));
  }, V);
  add_kernel(t, "aten::clone", [](KernelCall& c) { convert(c.tensor(0), c.out()); });
  add_kernel(t, "aten::to.dtype", [](KernelCall& c) { to_dtype_op(c, dtype_arg(c, 1), c.bool_arg(3)); }, V);
  add_kernel(t, "aten::to.device", [](KernelCall& c) { to_dtype_op(c, dtype_arg(c, 2), c.bool_arg(4)); }, V);
  add_kernel(t, "aten::to.dtype_layout", [](KernelCall& c) { to_dtype_op(c, dtype_arg(c, 1), c.bool_arg(6)); }, V);
  add_kernel(t, "aten::to.other", [](KernelCall& c) { to_dtype_op(c, c.tensor(1).dtype, c.bool_arg(3)); }, V);
  add_kernel(t, "aten::to.prim_Device", [](KernelCall& c) { to_dtype_op(c, dtype_arg(c, 2), c.bool_arg(4)); }, V);
  add_kernel(t, "aten::to.prim_dtype", [](KernelCall& c) { to_dtype_op(c, dtype_arg(c, 1), c.bool_arg(3)); }, V);
  add_kernel(t, "aten::to.prim_other", [](KernelCall& c) { to_dtype_op(c, std::nullopt, c.bool_arg(2)); }, V);
  add_kernel(t, "aten::type_as", [](KernelCall& c) { to_dtype_op(c, c.tensor(1).dtype, false); }, V);
}

// Copies into the preallocated output: cat/stack, flip/roll/repeat, padding,
// pixel and channel shuffles, tril/triu.
void register_copy_kernels(KernelTable& t) {
  // Copies.
  for (const char* n : {"aten::cat", "aten::concat", "aten::concatenate"})
    add_kernel(t, n, [](KernelCall& c) { cat_into(c.tensors(0), c.int_arg(1), c.out()); });
  add_kernel(t, "aten::stack", [](KernelCall& c) {
    const auto& ts = c.tensors(0);
    const CpuTensor& out = c.out();
    const int64_t d = wrap_dim(c.int_arg(1), out.dim());
    std::vector<CpuTensor> parts;
    for (const CpuTensor& x : ts) parts.push_back(unsqueezed(x, d));
    cat_into(parts, d, out);
  });
  add_kernel(t, "aten::flip", [](KernelCall& c) {
    CpuTensor x = c.tensor(0);
    int64_t offset = 0;
    for (int64_t d : c.ints(1)) {
      const size_t k = size_t(wrap_dim(d, x.dim()));
      if (x.shape[k] > 0) offset += (x.shape[k] - 1) * x.strides[k];
      x.strides[k] = -x.strides[k];  // a negative stride only lives inside this copy
    }
    convert(x.view(x.shape, x.strides, offset), c.out());
  });
  add_kernel(t, "aten::roll", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const CpuTensor& out = c.out();
    std::vector<int64_t> shifts = c.ints(1), dims = c.ints(2);
    if (dims.empty()) {
      // Roll the flattened tensor.
      TensorBuffer flat(x.shape, x.dtype);
      convert(x, flat.tensor());
      const int64_t n = x.numel();
      const int64_t s = n ? ((shifts.at(0) % n) + n) % n : 0;
      const CpuTensor f = flat.tensor().view({n}, {1}), o = out.view({n}, {1});
      convert(narrowed(f, 0, n - s, s), narrowed(o, 0, 0, s));
      convert(narrowed(f, 0, 0, n - s), narrowed(o, 0, s, n - s));
      return;
    }
    if (shifts.size() != dims.size()) kernel_fail("roll: shifts and dims must have the same length");
    TensorBuffer a(x.shape, x.dtype), b(x.shape, x.dtype);
    convert(x, a.tensor());
    for (size_t i = 0; i < dims.size(); ++i) {
      const int64_t d = wrap_dim(dims[i], x.dim()), n = x.shape[size_t(d)];
      const int64_t s = n ? ((shifts[i] % n) + n) % n : 0;
      const CpuTensor& src = a.tensor();
      const CpuTensor& dst = i + 1 == dims.size() ? out : b.tensor();
      convert(narrowed(src, d, n - s, s), narrowed(dst, d, 0, s));
      convert(narrowed(src, d, 0, n - s), narrowed(dst, d, s, n - s));
      std::swap(a, b);
    }
  });
  for (const char* n : {"aten::repeat", "aten::tile"})
    add_kernel(t, n, [](KernelCall& c) {
      CpuTensor x = c.tensor(0);
      std::vector<int64_t> reps = c.ints(1);
      while (int64_t(reps.size()) < x.dim()) reps.insert(reps.begin(), 1);  // tile pads the repeats
      while (x.dim() < int64_t(reps.size())) x = unsqueezed(x, 0);
      // out viewed as [r0, s0, r1, s1, ...] receives x broadcast along the r dims.
      const CpuTensor& out = c.out();
      Shape os, ost, xs, xst;
      for (size_t d = 0; d < reps.size(); ++d) {
        os.push_back(reps[d]);
        os.push_back(x.shape[d]);
        ost.push_back(x.shape[d] * out.strides[d]);
        ost.push_back(out.strides[d]);
        xs.push_back(reps[d]);
        xs.push_back(x.shape[d]);
        xst.push_back(0);
        xst.push_back(x.strides[d]);
      }
      convert(x.view(xs, xst), out.view(os, ost));
    });
  add_kernel(t, "aten::repeat_interleave.self_int", [](KernelCall& c) {
    CpuTensor x = c.tensor(0);
    const int64_t reps = c.int_arg(1);
    const std::optional<int64_t> dim = c.opt_int(2);
    TensorBuffer flat;
    if (!dim) x = contiguous(x, flat).view({x.numel()}, {1});  // dim=None repeats the flattened input
    const int64_t d = dim ? wrap_dim(*dim, x.dim()) : 0;
    const CpuTensor& out = c.out();
    Shape xs = x.shape, xst = x.strides, os = x.shape, ost = out.strides;
    xs.insert(xs.begin() + d + 1, reps);
    xst.insert(xst.begin() + d + 1, 0);
    os.insert(os.begin() + d + 1, reps);
    ost[size_t(d)] = out.strides[size_t(d)] * reps;
    ost.insert(ost.begin() + d + 1, out.strides[size_t(d)]);
    convert(x.view(xs, xst), out.view(os, ost));
  });
  add_kernel(t, "aten::constant_pad_nd", [](KernelCall& c) { pad_kernel(c.tensor(0), c.ints(1), "constant", c.float_arg(2), c.out()); });
  add_kernel(t, "aten::pad", [](KernelCall& c) {
    const std::string mode = c.str_arg(2);
    if (mode != "constant" && mode != "reflect" && mode != "replicate" && mode != "circular")
      kernel_fail("pad: unknown mode '" + mode + "'");
    pad_kernel(c.tensor(0), c.ints(1), mode, c.opt_float(3).value_or(0.0), c.out());
  });
  for (const char* n : {"aten::reflection_pad1d", "aten::reflection_pad2d", "aten::reflection_pad3d"})
    add_kernel(t, n, [](KernelCall& c) { pad_kernel(c.tensor(0), c.ints(1), "reflect", 0, c.out()); });
  for (const char* n : {"aten::replication_pad1d", "aten::replication_pad2d", "aten::replication_pad3d"})
    add_kernel(t, n, [](KernelCall& c) { pad_kernel(c.tensor(0), c.ints(1), "replicate", 0, c.out()); });
  add_kernel(t, "aten::pixel_shuffle", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t r = c.int_arg(1);
    const int64_t ch = x.size(-3) / (r * r), h = x.size(-2), w = x.size(-1);
    const int64_t lead = x.numel() / (x.size(-3) * h * w);
    // [lead, ch, r, r, h, w] → [lead, ch, h, r, w, r]
    TensorBuffer keep;
    const CpuTensor xv = contiguous(x, keep).view({lead, ch, r, r, h, w}, contiguous_strides({lead, ch, r, r, h, w}));
    convert(permuted(xv, {0, 1, 4, 2, 5, 3}), c.out().view({lead, ch, h, r, w, r}, contiguous_strides({lead, ch, h, r, w, r})));
  });
  add_kernel(t, "aten::pixel_unshuffle", [](KernelCall& c) {
    TensorBuffer keep;
    const CpuTensor x = contiguous(c.tensor(0), keep);
    const int64_t r = c.int_arg(1), ch = x.size(-3), h = x.size(-2) / r, w = x.size(-1) / r;
    const int64_t lead = x.numel() / (ch * h * r * w * r);
    // [lead, ch, h, r, w, r] → [lead, ch, r, r, h, w]
    const CpuTensor xv = x.view({lead, ch, h, r, w, r}, contiguous_strides({lead, ch, h, r, w, r}));
    convert(permuted(xv, {0, 1, 3, 5, 2, 4}), c.out().view({lead, ch, r, r, h, w}, contiguous_strides({lead, ch, r, r, h, w})));
  });
  for (const char* n : {"aten::channel_shuffle", "aten::native_channel_shuffle"})
    add_kernel(t, n, [](KernelCall& c) {
      TensorBuffer keep;
      const CpuTensor x = contiguous(c.tensor(0), keep);
      const int64_t g = c.int_arg(1), b = x.shape[0], ch = x.shape[1], inner = x.numel() / (b * ch);
      if (g <= 0 || ch % g) kernel_fail("channel_shuffle: channels must divide into groups");
      const CpuTensor xv = x.view({b, g, ch / g, inner}, contiguous_strides({b, g, ch / g, inner}));
      convert(permuted(xv, {0, 2, 1, 3}), c.out().view({b, ch / g, g, inner}, contiguous_strides({b, ch / g, g, inner})));
    });
  add_kernel(t, "aten::tril", [](KernelCall& c) { tri_kernel(c, true); });
  add_kernel(t, "aten::triu", [](KernelCall& c) { tri_kernel(c, false); });
}

// Factories: zeros, ones, full, arange, linspace.
void register_factory_kernels(KernelTable& t) {
  // Factories (outputs preallocated with the rule's shape and dtype).
  for (const char* n : {"aten::zeros", "aten::zeros_like", "aten::new_zeros", "aten::empty.memory_format", "aten::empty_like", "aten::new_empty"})
    add_kernel(t, n, [](KernelCall& c) { fill_out(c, 0); });
  for (const char* n : {"aten::ones", "aten::ones_like", "aten::new_ones"}) add_kernel(t, n, [](KernelCall& c) { fill_out(c, 1); });
  add_kernel(t, "aten::full", [](KernelCall& c) { fill_out(c, c.float_arg(1)); });
  add_kernel(t, "aten::full_like", [](KernelCall& c) { fill_out(c, c.float_arg(1)); });
  add_kernel(t, "aten::new_full", [](KernelCall& c) { fill_out(c, c.float_arg(2)); });
  add_kernel(t, "aten::scalar_tensor", [](KernelCall& c) { fill_out(c, c.float_arg(0)); });
  for (const char* n : {"aten::tensor.bool", "aten::tensor.float", "aten::tensor.int"})
    add_kernel(t, n, [](KernelCall& c) { fill_out(c, c.float_arg(0)); });
  add_kernel(t, "aten::arange", [](KernelCall& c) { arange_kernel(c, 0, 1); });
  add_kernel(t, "aten::arange.start", [](KernelCall& c) { arange_kernel(c, c.float_arg(0), 1); });
  add_kernel(t, "aten::arange.start_step", [](KernelCall& c) { arange_kernel(c, c.float_arg(0), c.float_arg(2)); });
  add_kernel(t, "aten::linspace", [](KernelCall& c) {
    const double a = c.float_arg(0), b = c.float_arg(1);
    const int64_t steps = c.int_arg(2);
    const CpuTensor& out = c.out();
    TensorBuffer tmp(out.shape, DType::float64);
    double* p = tmp.tensor().ptr<double>();
    const double step = steps > 1 ? (b - a) / double(steps - 1) : 0;
    // Both halves count from their own end, as ATen does, so the endpoints are exact.
    for (int64_t i = 0; i < steps; ++i) p[i] = i < steps / 2 ? a + step * double(i) : b - step * double(steps - 1 - i);
    convert(tmp.tensor(), out);
  });
}

}  // namespace

void register_shape_kernels(KernelTable& t) {
  register_reshape_kernels(t);
  register_slicing_kernels(t);
  register_alias_kernels(t);
  register_copy_kernels(t);
  register_factory_kernels(t);
}

}  // namespace ptscope::kernels
