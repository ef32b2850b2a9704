// Matrix products: mm, addmm, bmm, baddbmm, matmul (numpy broadcasting and
// 1-D promotion), linear, dot, mv, outer, einsum. Operands with a unit
// stride on either matrix dim go to sgemm as they are (transposed views cost
// nothing); others are copied contiguous first.
#include <algorithm>
#include <map>
#include <string>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {
namespace {

// Matrix view of the last two dims of t (any leading dims are indexed by the caller's offsets).
struct Operand {
  CpuTensor t;          // possibly a contiguous copy
  TensorBuffer storage;
  MatRef m;
};

Operand matrix_operand(const CpuTensor& in) {
  Operand o;
  TensorBuffer conv;
  o.t = to_dtype(in, DType::float32, conv);
  if (!conv.empty()) o.storage = conv;
  const int64_t r = o.t.size(-2), c = o.t.size(-1);
  auto m = as_matrix(o.t.f32(), r, c, o.t.stride(-2), o.t.stride(-1));
  if (!m) {
    o.t = contiguous(o.t, o.storage);
    m = as_matrix(o.t.f32(), r, c, o.t.stride(-2), o.t.stride(-1));
  }
  o.m = *m;
  return o;
}

// out (contiguous [batch..., m, n]) = alpha * a @ b + beta * out for 3-D or
// broadcast batches: a [..., m, k], b [..., k, n] already at least 2-D.
void batched_matmul(const CpuTensor& a_in, const CpuTensor& b_in, float* out, const Shape& batch, float alpha,
                    float beta) {
  Operand a = matrix_operand(a_in), b = matrix_operand(b_in);
  const int64_t m = a.t.size(-2), k = a.t.size(-1), n = b.t.size(-1);
  if (b.t.size(-2) != k)
    kernel_fail("matmul: shapes " + shape_string(a_in.shape) + " and " + shape_string(b_in.shape) + " cannot be multiplied");
  // Batch offsets of each operand under broadcasting (stride 0 on broadcast dims).
  const Shape a_batch(a.t.shape.begin(), a.t.shape.end() - 2), b_batch(b.t.shape.begin(), b.t.shape.end() - 2);
  const CpuTensor a_idx = broadcast_to(a.t.view(a_batch, Shape(a.t.strides.begin(), a.t.strides.end() - 2)), batch);
  const CpuTensor b_idx = broadcast_to(b.t.view(b_batch, Shape(b.t.strides.begin(), b.t.strides.end() - 2)), batch);
  const int64_t count = shape_numel(batch);
  std::vector<int64_t> ao(static_cast<size_t>(count)), bo(static_cast<size_t>(count)), co(static_cast<size_t>(count));
  std::vector<int64_t> idx(batch.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < batch.size(); ++d) {
      oa += idx[d] * a_idx.strides[d];
      ob += idx[d] * b_idx.strides[d];
    }
    ao[size_t(i)] = oa;
    bo[size_t(i)] = ob;
    co[size_t(i)] = i * m * n;
    for (size_t d = batch.size(); d-- > 0;)
      if (++idx[d] < batch[d]) break;
      else idx[d] = 0;
  }
  sgemm_batched(count, m, n, k, alpha, a.m, ao, b.m, bo, beta, out, n, co);
}

// The rows of t ([..., k]) as one [rows, k] matrix when its leading dims fold
// into a single stride (true for contiguous tensors and most views).
std::optional<MatRef> folded_rows(const CpuTensor& t, int64_t& rows) {
  rows = 1;
  const int64_t k = t.size(-1);
  if (t.stride(-1) != 1 && k != 1) return std::nullopt;
  int64_t row_stride = -1, expected = -1;
  for (int64_t d = t.dim() - 2; d >= 0; --d) {
    const int64_t size = t.shape[size_t(d)], st = t.strides[size_t(d)];
    rows *= size;
    if (size == 1) continue;
    if (row_stride < 0) {
      row_stride = st;
      expected = st * size;
    } else {
      if (st != expected) return std::nullopt;
      expected = st * size;
    }
  }
  if (row_stride < 0) row_stride = k;
  if (row_stride < k && rows > 1) return std::nullopt;
  return MatRef{t.f32(), row_stride, false};
}

void linear_kernel(KernelCall& c) {
  TensorBuffer xs, ws, bs;
  const CpuTensor x = to_dtype(c.tensor(0), DType::float32, xs);
  const CpuTensor w = to_dtype(c.tensor(1), DType::float32, ws);
  const CpuTensor* bias = c.opt_tensor(2);
  const CpuTensor& out = c.out();
  const int64_t k = x.size(-1);
  const int64_t n = w.dim() == 1 ? 1 : w.size(0);
  if (w.size(-1) != k) kernel_fail("linear: input " + shape_string(x.shape) + " and weight " + shape_string(w.shape) + " do not fit");
  int64_t rows = 0;
  TensorBuffer xc;
  std::optional<MatRef> a = folded_rows(x, rows);
  if (!a) {
    const CpuTensor xx = contiguous(x, xc);
    a = folded_rows(xx, rows);
  }
  auto wm = as_matrix(w.f32(), n, k, w.dim() == 1 ? k : w.stride(0), w.stride(-1));
  TensorBuffer wc;
  if (!wm) {
    const CpuTensor ww = contiguous(w, wc);
    wm = as_matrix(ww.f32(), n, k, ww.stride(0), ww.stride(-1));
  }
  // op(B) is weightᵀ: flip the stored orientation.
  MatRef b = *wm;
  b.trans = !b.trans;
  float* o = out.f32();
  float beta = 0;
  if (bias) {
    broadcast_rows(*bias, o, rows, n);
    beta = 1;
  }
  sgemm(rows, n, k, 1.f, *a, b, beta, o, n);
}

void mm_kernel(KernelCall& c) {
  const CpuTensor &a = c.tensor(0), &b = c.tensor(1);
  if (a.dim() != 2 || b.dim() != 2) kernel_fail("mm: expected 2-D tensors, got " + shape_string(a.shape) + " and " + shape_string(b.shape));
  batched_matmul(a, b, c.out().f32(), {}, 1.f, 0.f);
}

// beta * self + alpha * (a @ b) with self broadcast to the output.
void addmm_like(KernelCall& c, const CpuTensor& out, bool batched) {
  const CpuTensor& self = c.tensor(0);
  const float beta = float(c.float_arg(3)), alpha = float(c.float_arg(4));
  const CpuTensor &a = c.tensor(1), &b = c.tensor(2);
  if (beta != 0) convert(self, out);
  const Shape batch = batched ? Shape{a.size(0)} : Shape{};
  if (out.is_contiguous()) {
    batched_matmul(a, b, out.f32(), batch, alpha, beta);
    return;
  }
  // In-place on a strided self: compute contiguous, copy back.
  TensorBuffer tmp(out.shape, DType::float32);
  if (beta != 0) convert(out, tmp.tensor());
  batched_matmul(a, b, tmp.tensor().f32(), batch, alpha, beta);
  convert(tmp.tensor(), out);
}

void matmul_kernel(KernelCall& c) {
  const CpuTensor &a0 = c.tensor(0), &b0 = c.tensor(1);
  const CpuTensor& out = c.out();
  if (a0.dim() == 0 || b0.dim() == 0) kernel_fail("matmul: both arguments need at least 1 dimension");
  // 1-D operands become [1, k] / [k, 1]; the output shape (from the shape
  // rule) already drops those dims, and its memory layout is the same.
  const CpuTensor a = a0.dim() == 1 ? a0.view({1, a0.shape[0]}, {0, a0.strides[0]}) : a0;
  const CpuTensor b = b0.dim() == 1 ? b0.view({b0.shape[0], 1}, {b0.strides[0], 0}) : b0;
  const Shape ab(a.shape.begin(), a.shape.end() - 2), bb(b.shape.begin(), b.shape.end() - 2);
  // [..., m, k] @ [k, n]: fold a's batch into the rows, one GEMM.
  if (b.dim() == 2 && a.dim() > 2) {
    int64_t rows = 0;
    TensorBuffer as, ac, bs;
    const CpuTensor af = to_dtype(a, DType::float32, as);
    std::optional<MatRef> am = folded_rows(af, rows);
    if (!am) am = folded_rows(contiguous(af, ac), rows);
    Operand bm = matrix_operand(b);
    const int64_t k = a.size(-1), n = b.size(-1);
    if (bm.t.size(0) != k) kernel_fail("matmul: shapes " + shape_string(a0.shape) + " and " + shape_string(b0.shape) + " cannot be multiplied");
    sgemm(rows, n, k, 1.f, *am, bm.m, 0.f, out.f32(), n);
    return;
  }
  batched_matmul(a, b, out.f32(), broadcast_shapes(ab, bb), 1.f, 0.f);
}

// ---- einsum -----------------------------------------------------------------
// Operands are contracted pairwise, left to right: each pair becomes one
// batched GEMM [batch, left, contracted] x [batch, contracted, right] after
// summing out labels nobody needs later. Repeated labels in one operand take
// its diagonal; "..." covers the leading dims, broadcast across operands.

struct Labeled {
  CpuTensor t;
  std::string labels;  // one char per dim
};

// Sums t over the dims whose label is not in `keep` (contiguous result).
Labeled sum_out(const Labeled& x, const std::string& keep, std::vector<TensorBuffer>& pool) {
  std::string kept, gone;
  Shape perm_shape, perm_strides;
  int64_t rows = 1, n = 1;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t d = 0; d < x.labels.size(); ++d) {
      const bool k = keep.find(x.labels[d]) != std::string::npos;
      if (k != (pass == 0)) continue;
      (k ? kept : gone) += x.labels[d];
      perm_shape.push_back(x.t.shape[d]);
      perm_strides.push_back(x.t.strides[d]);
      (k ? rows : n) *= x.t.shape[d];
    }
  if (gone.empty()) return x;
  pool.emplace_back();
  const CpuTensor src = contiguous(x.t.view(perm_shape, perm_strides), pool.back());
  Shape out_shape(perm_shape.begin(), perm_shape.begin() + int64_t(kept.size()));
  pool.emplace_back(out_shape, DType::float32);
  float* o = pool.back().tensor().f32();
  for (int64_t r = 0; r < rows; ++r) {
    double acc = 0;
    for (int64_t i = 0; i < n; ++i) acc += src.f32()[r * n + i];
    o[r] = float(acc);
  }
  return {pool.back().tensor(), kept};
}

Labeled permute_to(const Labeled& x, const std::string& order) {
  Shape s, st;
  for (char l : order) {
    const size_t d = x.labels.find(l);
    s.push_back(x.t.shape[d]);
    st.push_back(x.t.strides[d]);
  }
  return {x.t.view(s, st), order};
}

Labeled contract(const Labeled& a0, const Labeled& b0, const std::string& needed, std::vector<TensorBuffer>& pool) {
  auto in = [](const std::string& s, char c) { return s.find(c) != std::string::npos; };
  const Labeled a = sum_out(a0, b0.labels + needed, pool), b = sum_out(b0, a.labels + needed, pool);
  std::string batch, con, left, right;
  for (char l : a.labels) (in(b.labels, l) ? (in(needed, l) ? batch : con) : left) += l;
  for (char l : b.labels)
    if (!in(a.labels, l)) right += l;
  auto size_of = [&](const std::string& ls) {
    int64_t n = 1;
    for (char l : ls) n *= in(a.labels, l) ? a.t.shape[a.labels.find(l)] : b.t.shape[b.labels.find(l)];
    return n;
  };
  const int64_t nb = size_of(batch), nl = size_of(left), nc = size_of(con), nr = size_of(right);
  pool.emplace_back();
  const CpuTensor am = contiguous(permute_to(a, batch + left + con).t, pool.back());
  pool.emplace_back();
  const CpuTensor bm = contiguous(permute_to(b, batch + con + right).t, pool.back());
  Shape out_shape;
  for (char l : batch + left + right) out_shape.push_back(in(a.labels, l) ? a.t.shape[a.labels.find(l)] : b.t.shape[b.labels.find(l)]);
  pool.emplace_back(out_shape, DType::float32);
  const CpuTensor out = pool.back().tensor();
  batched_matmul(am.view({nb, nl, nc}, {nl * nc, nc, 1}), bm.view({nb, nc, nr}, {nc * nr, nr, 1}), out.f32(), {nb}, 1.f, 0.f);
  return {out, batch + left + right};
}

void einsum_kernel(KernelCall& c) {
  std::string eq;
  for (char ch : c.str_arg(0))
    if (ch != ' ') eq += ch;
  const std::vector<CpuTensor>& ts = c.tensors(1);
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t s = 0;;) {
    const size_t e = lhs.find(',', s);
    terms.push_back(lhs.substr(s, e == std::string::npos ? std::string::npos : e - s));
    if (e == std::string::npos) break;
    s = e + 1;
  }
  if (terms.size() != ts.size()) kernel_fail("einsum: " + std::to_string(terms.size()) + " terms for " + std::to_string(ts.size()) + " operands");
  // "..." becomes labels '0'.. right-aligned across operands (broadcast dims).
  int64_t ell = 0;
  for (size_t i = 0; i < terms.size(); ++i)
    if (terms[i].find("...") != std::string::npos) ell = std::max<int64_t>(ell, ts[i].dim() - int64_t(terms[i].size() - 3));
  std::string ell_labels;
  for (int64_t i = 0; i < ell; ++i) ell_labels += char('0' + i);
  std::vector<TensorBuffer> pool;
  std::vector<Labeled> ops;
  std::map<char, int64_t> sizes;
  std::map<char, int> uses;  // per label, over all terms (before diagonals fold)
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string t = terms[i];
    if (const size_t p = t.find("..."); p != std::string::npos) {
      const int64_t k = ts[i].dim() - int64_t(t.size() - 3);
      t = t.substr(0, p) + ell_labels.substr(size_t(ell - k)) + t.substr(p + 3);
    }
    if (int64_t(t.size()) != ts[i].dim()) kernel_fail("einsum: term '" + terms[i] + "' does not match a " + std::to_string(ts[i].dim()) + "-d operand");
    pool.emplace_back();
    CpuTensor x = to_dtype(ts[i], DType::float32, pool.back());
    // Repeated labels: fold onto the diagonal.
    std::string labels;
    Shape s, st;
    for (size_t d = 0; d < t.size(); ++d) {
      ++uses[t[d]];
      const size_t at = labels.find(t[d]);
      if (at != std::string::npos) {
        st[at] += x.strides[d];
        continue;
      }
      labels += t[d];
      s.push_back(x.shape[d]);
      st.push_back(x.strides[d]);
    }
    for (size_t d = 0; d < labels.size(); ++d)
      if (s[d] != 1) sizes[labels[d]] = s[d];
    ops.push_back({x.view(s, st), labels});
  }
  // Output labels: explicit, or every label used once, in order (after the "..." dims).
  std::string out_labels;
  if (arrow != std::string::npos) {
    out_labels = eq.substr(arrow + 2);
    if (const size_t p = out_labels.find("..."); p != std::string::npos) out_labels.replace(p, 3, ell_labels);
  } else {
    out_labels = ell_labels;
    for (const auto& [l, n] : uses)
      if (n == 1 && !(l >= '0' && l <= '9')) out_labels += l;
  }
  for (auto& o : ops) {  // broadcast size-1 dims to the label's size
    Shape s = o.t.shape, st = o.t.strides;
    for (size_t d = 0; d < s.size(); ++d)
      if (s[d] == 1 && sizes.count(o.labels[d])) s[d] = sizes[o.labels[d]], st[d] = 0;
    o.t = o.t.view(s, st);
  }
  Labeled acc = ops[0];
  for (size_t i = 1; i < ops.size(); ++i) {
    std::string needed = out_labels;
    for (size_t j = i + 1; j < ops.size(); ++j) needed += ops[j].labels;
    acc = contract(acc, ops[i], needed, pool);
  }
  acc = sum_out(acc, out_labels, pool);
  convert(permute_to(acc, out_labels).t, c.out());
}

}  // namespace

void register_gemm_kernels(KernelTable& t) {
  add_kernel(t, "aten::einsum", einsum_kernel);
  add_kernel(t, "aten::dot", [](KernelCall& c) {
    const CpuTensor &a = c.tensor(0), &b = c.tensor(1);
    batched_matmul(a.view({1, a.numel()}, {0, a.strides.at(0)}), b.view({b.numel(), 1}, {b.strides.at(0), 0}), c.out().f32(), {}, 1.f, 0.f);
  });
  add_kernel(t, "aten::mv", [](KernelCall& c) {
    const CpuTensor &a = c.tensor(0), &v = c.tensor(1);
    batched_matmul(a, v.view({v.numel(), 1}, {v.strides.at(0), 0}), c.out().f32(), {}, 1.f, 0.f);
  });
  add_kernel(t, "aten::outer", [](KernelCall& c) {
    const CpuTensor &a = c.tensor(0), &b = c.tensor(1);
    batched_matmul(a.view({a.numel(), 1}, {a.strides.at(0), 0}), b.view({1, b.numel()}, {0, b.strides.at(0)}), c.out().f32(), {}, 1.f, 0.f);
  });
  add_kernel(t, "aten::linear", linear_kernel);
  add_kernel(t, "aten::mm", mm_kernel);
  add_kernel(t, "aten::matmul", matmul_kernel);
  add_kernel(t, "aten::addmm", [](KernelCall& c) { addmm_like(c, c.out(), false); });
  add_kernel(t, "aten::addmm_", [](KernelCall& c) {
    c.set_output(0, c.tensor(0));
    addmm_like(c, c.out(), false);
  }, OutputMode::by_kernel);
  add_kernel(t, "aten::bmm", [](KernelCall& c) {
    const CpuTensor &a = c.tensor(0), &b = c.tensor(1);
    if (a.dim() != 3 || b.dim() != 3 || a.size(0) != b.size(0))
      kernel_fail("bmm: expected 3-D tensors with equal batch, got " + shape_string(a.shape) + " and " + shape_string(b.shape));
    batched_matmul(a, b, c.out().f32(), {a.size(0)}, 1.f, 0.f);
  });
  add_kernel(t, "aten::baddbmm", [](KernelCall& c) { addmm_like(c, c.out(), true); });
}

}  // namespace ptscope::kernels
