// Indexing: embedding, index_select, advanced indexing (index.Tensor,
// index_put), gather/scatter, index_add/index_fill, sort/argsort/topk and
// one_hot. Index tensors may be int64 or int32; negative indices wrap and
// out-of-range ones are errors, as in torch.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {
namespace {

// Contiguous int64 copy (or view) of an index tensor.
CpuTensor int64_index(const CpuTensor& t, TensorBuffer& keep) {
  if (t.dtype == DType::bool_ || t.dtype == DType::float32 || t.dtype == DType::float64)
    kernel_fail("tensors used as indices must be long or int tensors");
  return to_dtype(t, DType::int64, keep, true);
}

int64_t wrap_index(int64_t i, int64_t n) {
  if (i < -n || i >= n) kernel_fail("index " + std::to_string(i) + " is out of bounds for dimension with size " + std::to_string(n));
  return i < 0 ? i + n : i;
}

// Multi-index of linear position `lin` in `shape`.
void unravel(int64_t lin, const Shape& shape, std::vector<int64_t>& idx) {
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? lin % shape[d] : 0;
    lin = shape[d] ? lin / shape[d] : 0;
  }
}

int64_t offset_of(const std::vector<int64_t>& idx, const Shape& strides) {
  int64_t o = 0;
  for (size_t d = 0; d < idx.size(); ++d) o += idx[d] * strides[d];
  return o;
}

// The (self, int dim, Tensor index, ...) arguments of index_select, gather,
// scatter, index_add and index_fill: dim wrapped, the index read as int64.
struct DimIndexArgs {
  const CpuTensor& self;
  int64_t dim;
  TensorBuffer keep;  // the index converted to int64 when it was not
  CpuTensor index;
  explicit DimIndexArgs(const KernelCall& c)
      : self(c.tensor(0)), dim(wrap_dim(c.int_arg(1), self.dim())), index(int64_index(c.tensor(2), keep)) {}
  // Index element i as a position along `dim` of t (negative ones counted from the end).
  int64_t at(int64_t i, const CpuTensor& t) const { return wrap_index(index.ptr<int64_t>()[i], t.shape[size_t(dim)]); }
};

// The offset in `t` that gather reads and scatter writes for element i of
// the index: its multi-index (left in `ii`) with coordinate `dim` replaced by
// the index value.
int64_t dim_index_offset(const DimIndexArgs& a, int64_t i, const CpuTensor& t, std::vector<int64_t>& ii) {
  unravel(i, a.index.shape, ii);
  int64_t off = 0;
  for (size_t d = 0; d < ii.size(); ++d)
    off += (int64_t(d) == a.dim ? a.at(i, t) : ii[d]) * t.strides[d];
  return off;
}

void embedding_kernel(KernelCall& c) {
  TensorBuffer ws, is;
  const CpuTensor w = c.tensor(0);
  const CpuTensor idx = int64_index(c.tensor(1), is);
  const CpuTensor& out = c.out();
  if (w.dim() != 2) kernel_fail("embedding: weight must be 2-D, got " + shape_string(w.shape));
  const int64_t rows = idx.numel(), v = w.shape[0], d = w.shape[1];
  const int64_t* ip = idx.ptr<int64_t>();
  for (int64_t i = 0; i < rows; ++i)
    if (ip[i] < 0 || ip[i] >= v) kernel_fail("embedding: index " + std::to_string(ip[i]) + " out of range for " + std::to_string(v) + " rows");
  if (w.dtype == out.dtype && w.is_contiguous() && out.is_contiguous()) {
    const size_t row_bytes = size_t(d) * w.itemsize();
    const char* src = static_cast<const char*>(w.data);
    char* dst = static_cast<char*>(out.data);
    parallel_rows(rows, d, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) std::memcpy(dst + size_t(i) * row_bytes, src + size_t(ip[i]) * row_bytes, row_bytes);
    });
    return;
  }
  const CpuTensor o2 = out.view({rows, d}, {d, 1});
  for (int64_t i = 0; i < rows; ++i) convert(w.view({1, d}, {w.strides[0], w.strides[1]}, ip[i] * w.strides[0]), o2.view({1, d}, {d, 1}, i * d));
}

CpuTensor slice_at(const CpuTensor& t, int64_t dim, int64_t i) {
  Shape s = t.shape;
  s[size_t(dim)] = 1;
  return t.view(s, t.strides, i * t.strides[size_t(dim)]);
}

void index_select_kernel(KernelCall& c) {
  const DimIndexArgs di(c);
  const CpuTensor& out = c.out();
  const CpuTensor o = di.self.dim() ? out : out.view({1}, {1});
  const CpuTensor xv = di.self.dim() ? di.self : di.self.view({1}, {1});
  for (int64_t i = 0; i < di.index.numel(); ++i)
    convert(slice_at(xv, di.dim, di.at(i, xv)), slice_at(o, di.dim, i));
}

// Advanced indexing layout shared by index.Tensor and index_put.
struct AdvIndex {
  std::vector<CpuTensor> idx;        // per self dim: broadcast int64 index, or undefined
  std::vector<TensorBuffer> keep;
  Shape bshape;                      // broadcast shape of the index tensors
  std::vector<int64_t> adv, plain;   // indexed dims, other dims (in order)
  bool adjacent = true;
  Shape result;                      // the indexing result's shape
};

AdvIndex plan_index(const CpuTensor& self, const std::vector<CpuTensor>& indices) {
  AdvIndex a;
  if (int64_t(indices.size()) > self.dim()) kernel_fail("too many indices for tensor of dimension " + std::to_string(self.dim()));
  a.idx.resize(size_t(self.dim()));
  a.keep.reserve(indices.size());
  for (size_t d = 0; d < indices.size(); ++d) {
    if (!indices[d].defined()) continue;
    if (indices[d].dtype == DType::bool_ || indices[d].dtype == DType::uint8)
      throw Error(ErrorCode::unsupported, "indexing with a boolean mask has a data-dependent shape",
                  ErrorCondition::data_dependent);
    a.keep.emplace_back();
    a.idx[d] = int64_index(indices[d], a.keep.back());
    a.adv.push_back(int64_t(d));
    a.bshape = a.adv.size() == 1 ? a.idx[d].shape : broadcast_shapes(a.bshape, a.idx[d].shape);
  }
  for (int64_t d = 0; d < self.dim(); ++d)
    if (!a.idx[size_t(d)].defined()) a.plain.push_back(d);
  for (size_t i = 1; i < a.adv.size(); ++i)
    if (a.adv[i] != a.adv[i - 1] + 1) a.adjacent = false;
  for (int64_t d : a.adv) a.idx[size_t(d)] = broadcast_to(a.idx[size_t(d)], a.bshape);
  if (a.adjacent && !a.adv.empty()) {
    for (int64_t d = 0; d < a.adv[0]; ++d) a.result.push_back(self.shape[size_t(d)]);
    a.result.insert(a.result.end(), a.bshape.begin(), a.bshape.end());
    for (int64_t d = a.adv.back() + 1; d < self.dim(); ++d) a.result.push_back(self.shape[size_t(d)]);
  } else {
    a.result = a.bshape;
    for (int64_t d : a.plain) a.result.push_back(self.shape[size_t(d)]);
  }
  return a;
}

// Offset in self of result element `lin`.
int64_t adv_offset(const AdvIndex& a, const CpuTensor& self, int64_t lin, std::vector<int64_t>& ri, std::vector<int64_t>& bi) {
  unravel(lin, a.result, ri);
  const size_t nb = a.bshape.size();
  size_t b0 = 0;  // where the broadcast block sits in the result
  if (a.adjacent && !a.adv.empty()) b0 = size_t(a.adv[0]);
  for (size_t k = 0; k < nb; ++k) bi[k] = ri[b0 + k];
  int64_t off = 0;
  for (int64_t d : a.adv) {
    const CpuTensor& t = a.idx[size_t(d)];
    const int64_t v = t.ptr<int64_t>()[offset_of(bi, t.strides)];
    off += wrap_index(v, self.shape[size_t(d)]) * self.strides[size_t(d)];
  }
  // Plain dims sit before/after the broadcast block (adjacent) or after it.
  size_t j = 0;
  for (int64_t d : a.plain) {
    const bool before = a.adjacent && !a.adv.empty() && d < a.adv[0];
    off += ri[before ? j : j + nb] * self.strides[size_t(d)];
    ++j;
  }
  return off;
}

void index_kernel(KernelCall& c) {
  const CpuTensor& self = c.tensor(0);
  const AdvIndex a = plan_index(self, c.tensors(1));
  const CpuTensor& out = c.out();
  if (shape_numel(a.result) != out.numel()) kernel_fail("index: result shape " + shape_string(a.result) + " does not match the output");
  visit_dtype(self.dtype, [&](auto z) {
    using T = decltype(z);
    TensorBuffer os;
    const CpuTensor o = to_dtype(out, self.dtype, os);
    std::vector<int64_t> ri(a.result.size()), bi(a.bshape.size());
    const T* src = self.ptr<T>();
    T* dst = o.ptr<T>();
    for (int64_t i = 0; i < out.numel(); ++i) {
      unravel(i, out.shape, ri);
      const int64_t oo = offset_of(ri, o.strides);
      dst[oo] = src[adv_offset(a, self, i, ri, bi)];
    }
    if (!os.empty()) convert(o, out);
  });
}

void index_put_kernel(KernelCall& c, bool inplace) {
  const CpuTensor& self = c.tensor(0);
  const CpuTensor out = inplace ? self : c.out();
  if (inplace) c.set_output(0, self);
  else convert(self, out);
  const std::vector<CpuTensor>& indices = c.tensors(1);
  const CpuTensor& values = c.tensor(2);
  const bool accumulate = c.bool_arg(3);
  visit_dtype(out.dtype, [&](auto z) {
    using T = decltype(z);
    TensorBuffer vs;
    const CpuTensor v = to_dtype(values, out.dtype, vs, true);
    T* dst = out.ptr<T>();
    auto put = [&](int64_t off, T val) { dst[off] = accumulate ? cast_value<T>(cast_value<double>(dst[off]) + cast_value<double>(val)) : val; };
    // A single boolean mask over the leading dims: x[mask] = values.
    if (indices.size() == 1 && indices[0].defined() && indices[0].dtype == DType::bool_) {
      const CpuTensor& m = indices[0];
      const int64_t md = m.dim();
      Shape inner_shape(out.shape.begin() + md, out.shape.end()), inner_str(out.strides.begin() + md, out.strides.end());
      const int64_t inner = shape_numel(inner_shape);
      std::vector<int64_t> mi(static_cast<size_t>(md)), ii(inner_shape.size());
      int64_t k = 0;
      for (int64_t i = 0; i < m.numel(); ++i) {
        unravel(i, m.shape, mi);
        if (!m.ptr<bool>()[offset_of(mi, m.strides)]) continue;
        int64_t base = 0;
        for (int64_t d = 0; d < md; ++d) base += mi[size_t(d)] * out.strides[size_t(d)];
        for (int64_t j = 0; j < inner; ++j) {
          unravel(j, inner_shape, ii);
          const int64_t src = v.numel() == 1 ? 0 : v.numel() == inner ? j : k * inner + j;
          put(base + offset_of(ii, inner_str), v.ptr<T>()[src]);
        }
        ++k;
      }
      return;
    }
    const AdvIndex a = plan_index(out, indices);
    const CpuTensor vb = broadcast_to(v, a.result);
    std::vector<int64_t> ri(a.result.size()), bi(a.bshape.size()), vi(a.result.size());
    for (int64_t i = 0; i < shape_numel(a.result); ++i) {
      unravel(i, a.result, vi);
      const T val = vb.ptr<T>()[offset_of(vi, vb.strides)];
      put(adv_offset(a, out, i, ri, bi), val);
    }
  });
}

// gather / scatter over `dim`: element i of index addresses self at index[i] along dim.
void gather_kernel(KernelCall& c) {
  const DimIndexArgs di(c);
  const CpuTensor& out = c.out();
  visit_dtype(out.dtype, [&](auto z) {
    using T = decltype(z);
    TensorBuffer xs;
    const CpuTensor x = to_dtype(di.self, out.dtype, xs);
    std::vector<int64_t> ii(di.index.shape.size());
    for (int64_t i = 0; i < di.index.numel(); ++i) {
      const int64_t off = dim_index_offset(di, i, x, ii);
      out.ptr<T>()[offset_of(ii, out.strides)] = x.ptr<T>()[off];
    }
  });
}

enum class Reduce { none, add, multiply };

void scatter_kernel(KernelCall& c, bool src_is_tensor, Reduce reduce) {
  const DimIndexArgs di(c);
  const CpuTensor& out = c.out();
  convert(di.self, out);
  visit_dtype(out.dtype, [&](auto z) {
    using T = decltype(z);
    TensorBuffer ss;
    const CpuTensor src = src_is_tensor ? to_dtype(c.tensor(3), out.dtype, ss) : CpuTensor{};
    const T value = src_is_tensor ? T{} : cast_value<T>(c.float_arg(3));
    std::vector<int64_t> ii(di.index.shape.size());
    T* o = out.ptr<T>();
    for (int64_t i = 0; i < di.index.numel(); ++i) {
      const int64_t off = dim_index_offset(di, i, out, ii);
      const T v = src_is_tensor ? src.ptr<T>()[offset_of(ii, src.strides)] : value;
      const double cur = cast_value<double>(o[off]), add = cast_value<double>(v);
      o[off] = reduce == Reduce::none ? v : cast_value<T>(reduce == Reduce::add ? cur + add : cur * add);
    }
  });
}

Reduce reduce_mode(const std::string& s) {
  if (s == "add" || s == "sum") return Reduce::add;
  if (s == "multiply" || s == "prod") return Reduce::multiply;
  kernel_unsupported("scatter reduce '" + s + "'");
}

// Sort rows along dim; fills values (optional) and indices (optional), k first per row.
void sort_rows(const CpuTensor& x, int64_t dim, bool descending, int64_t k, const CpuTensor* values, const CpuTensor* indices) {
  const int64_t d = x.dim() ? wrap_dim(dim, x.dim()) : 0;
  std::vector<int64_t> perm(size_t(x.dim()));
  std::iota(perm.begin(), perm.end(), 0);
  if (x.dim()) {
    perm.erase(perm.begin() + d);
    perm.push_back(d);
  }
  auto permute = [&](const CpuTensor& t) {
    Shape s, st;
    for (int64_t p : perm) s.push_back(t.shape[size_t(p)]), st.push_back(t.strides[size_t(p)]);
    return t.view(s, st);
  };
  TensorBuffer xs, ps;
  const CpuTensor xf = to_dtype(x, x.dtype == DType::int64 ? DType::int64 : DType::float32, xs);
  const CpuTensor rows_t = contiguous(permute(xf), ps);
  const int64_t n = x.dim() ? x.shape[size_t(d)] : 1, rows = n ? x.numel() / n : 0;
  Shape res_shape = rows_t.shape;
  if (!res_shape.empty()) res_shape.back() = k;
  TensorBuffer vals(res_shape, rows_t.dtype), inds(res_shape, DType::int64);
  visit_dtype(rows_t.dtype, [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, int64_t>) {
      const T* src = rows_t.ptr<T>();
      // NaN sorts above every number, as in torch.
      auto less = [](T a, T b) {
        if constexpr (std::is_floating_point_v<T>) return (a < b) || (b != b && a == a);
        else return a < b;
      };
      parallel_rows(rows, n * 8, [&](int64_t b, int64_t e) {
        std::vector<int64_t> order(static_cast<size_t>(n));
        for (int64_t r = b; r < e; ++r) {
          const T* row = src + r * n;
          std::iota(order.begin(), order.end(), 0);
          auto cmp = [&](int64_t i, int64_t j) { return descending ? less(row[j], row[i]) : less(row[i], row[j]); };
          if (k < n) std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t i, int64_t j) {
              return cmp(i, j) || (!cmp(j, i) && i < j);
            });
          else std::stable_sort(order.begin(), order.end(), cmp);
          for (int64_t i = 0; i < k; ++i) {
            vals.tensor().template ptr<T>()[r * k + i] = row[order[size_t(i)]];
            inds.tensor().template ptr<int64_t>()[r * k + i] = order[size_t(i)];
          }
        }
      });
    }
  });
  if (values) convert(vals.tensor(), permute(*values));
  if (indices) convert(inds.tensor(), permute(*indices));
}

}  // namespace

void register_index_kernels(KernelTable& t) {
  add_kernel(t, "aten::embedding", embedding_kernel);
  add_kernel(t, "aten::index_select", index_select_kernel);
  for (const char* n : {"aten::index.Tensor", "aten::index.Tensor_hacked_twin"}) add_kernel(t, n, index_kernel);
  add_kernel(t, "aten::index_put", [](KernelCall& c) { index_put_kernel(c, false); });
  add_kernel(t, "aten::index_put_", [](KernelCall& c) { index_put_kernel(c, true); }, OutputMode::by_kernel);
  add_kernel(t, "aten::gather", gather_kernel);
  add_kernel(t, "aten::scatter.src", [](KernelCall& c) { scatter_kernel(c, true, Reduce::none); });
  add_kernel(t, "aten::scatter.value", [](KernelCall& c) { scatter_kernel(c, false, Reduce::none); });
  add_kernel(t, "aten::scatter.reduce", [](KernelCall& c) { scatter_kernel(c, true, reduce_mode(c.str_arg(4))); });
  add_kernel(t, "aten::scatter.value_reduce", [](KernelCall& c) { scatter_kernel(c, false, reduce_mode(c.str_arg(4))); });
  add_kernel(t, "aten::scatter_add", [](KernelCall& c) { scatter_kernel(c, true, Reduce::add); });
  add_kernel(t, "aten::index_add", [](KernelCall& c) {
    const DimIndexArgs di(c);
    const CpuTensor& src = c.tensor(3);
    const double alpha = c.float_arg(4);
    const CpuTensor& out = c.out();
    convert(di.self, out);
    for (int64_t i = 0; i < di.index.numel(); ++i) {
      const CpuTensor o = slice_at(out, di.dim, di.at(i, out));
      const CpuTensor s = slice_at(src, di.dim, i);
      TensorBuffer a(o.shape, DType::float64), b(o.shape, DType::float64);
      convert(o, a.tensor());
      convert(s, b.tensor());
      for (int64_t j = 0; j < a.tensor().numel(); ++j) a.tensor().ptr<double>()[j] += alpha * b.tensor().ptr<double>()[j];
      convert(a.tensor(), o);
    }
  });
  for (const char* n : {"aten::index_fill.int_Scalar", "aten::index_fill.int_Tensor"})
    add_kernel(t, n, [](KernelCall& c) {
      const DimIndexArgs di(c);
      const bool tensor_value = std::holds_alternative<CpuTensor>(c.args.at(3));
      const double v = tensor_value ? load_as_double(c.tensor(3), 0) : c.float_arg(3);
      const CpuTensor& out = c.out();
      convert(di.self, out);
      for (int64_t i = 0; i < di.index.numel(); ++i)
        fill(slice_at(out, di.dim, di.at(i, out)), v);
    });
  add_kernel(t, "aten::sort", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t dim = c.int_arg(1);
    sort_rows(x, dim, c.bool_arg(2), x.dim() ? x.size(dim) : 1, &c.out(0), &c.out(1));
  });
  add_kernel(t, "aten::sort.stable", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t dim = c.int_arg(2);
    sort_rows(x, dim, c.bool_arg(3), x.dim() ? x.size(dim) : 1, &c.out(0), &c.out(1));
  });
  add_kernel(t, "aten::argsort", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    const int64_t dim = c.int_arg(1);
    sort_rows(x, dim, c.bool_arg(2), x.dim() ? x.size(dim) : 1, nullptr, &c.out(0));
  });
  add_kernel(t, "aten::topk", [](KernelCall& c) {
    const CpuTensor& x = c.tensor(0);
    sort_rows(x, c.int_arg(2), c.bool_arg(3), c.int_arg(1), &c.out(0), &c.out(1));
  });
  add_kernel(t, "aten::one_hot", [](KernelCall& c) {
    TensorBuffer is;
    const CpuTensor idx = int64_index(c.tensor(0), is);
    const CpuTensor& out = c.out();
    const int64_t classes = out.shape.back();
    fill(out, 0);
    for (int64_t i = 0; i < idx.numel(); ++i) {
      const int64_t v = idx.ptr<int64_t>()[i];
      if (v < 0 || v >= classes) kernel_fail("one_hot: class values must be in [0, num_classes)");
      std::vector<int64_t> oi(out.shape.size());
      unravel(i * classes + v, out.shape, oi);
      out.ptr<int64_t>()[offset_of(oi, out.strides)] = 1;
    }
  });
}

}  // namespace ptscope::kernels
