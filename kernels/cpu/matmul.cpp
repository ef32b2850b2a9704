// Matrix products: mm, addmm, bmm, baddbmm, matmul (numpy broadcasting and
// 1-D promotion), linear. Operands with a unit stride on either matrix dim
// go to sgemm as they are (transposed views cost nothing); others are
// copied contiguous first.
#include <algorithm>

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

}  // namespace

void register_gemm_kernels(KernelTable& t) {
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
