// Matrix products through cuBLAS: mm, addmm, bmm, baddbmm, linear and the
// matmul cases with at least two dims on both sides. Row-major products are
// computed as their column-major transposes (C^T = B^T A^T), so transposed
// operands (weights of linear, k^T in attention) are read in place with
// op = T; only operands no BLAS layout describes are copied first. fp32
// without TF32 unless PTSCOPE_CUDA_TF32=1 (cuda_context.cpp).
#include <climits>

#include "kernels/cuda/cuda_context.h"
#include "kernels/cuda/cuda_gemm.h"

namespace ptscope::kernels::cuda {
namespace {

// How cuBLAS reads a matrix: row-major (ld = row stride) or column-major (ld = column stride).
struct BlasMat {
  const float* p = nullptr;
  bool col_major = false;
  int64_t ld = 0, batch_stride = 0;
};

// Describes m (rows × cols, strides rs/cs, batch stride bs) for cuBLAS; false when no layout fits.
bool blas_layout(const MatRef& m, BlasMat& out) {
  out.p = m.p;
  out.batch_stride = m.bs;
  const int64_t rs = m.rows == 1 ? std::max<int64_t>(m.cols, 1) : m.rs;
  const int64_t cs = m.cols == 1 ? std::max<int64_t>(m.rows, 1) : m.cs;
  if (cs == 1 && rs >= std::max<int64_t>(m.cols, 1)) {
    out.col_major = false;
    out.ld = rs;
    return true;
  }
  if (rs == 1 && cs >= std::max<int64_t>(m.rows, 1)) {
    out.col_major = true;
    out.ld = cs;
    return true;
  }
  return false;
}

// A dense copy of a batch of matrices when cuBLAS cannot read them as they are.
MatRef densify(CudaContext& ctx, const MatRef& m, int64_t batch, Scratch& scratch) {
  CpuTensor src;
  src.data = const_cast<float*>(m.p);
  src.dtype = DType::float32;
  src.shape = {batch, m.rows, m.cols};
  src.strides = {m.bs, m.rs, m.cs};
  const CpuTensor dst = scratch.tensor(src.shape, DType::float32);
  device_copy(ctx, src, dst);
  return MatRef{dst.f32(), m.rows, m.cols, m.cols, 1, m.rows * m.cols};
}

bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

}  // namespace

bool gemm(CudaContext& ctx, const std::string& what, MatRef a, MatRef b, float* c, int64_t batch, float alpha,
          float beta) {
  const int64_t M = a.rows, K = a.cols, N = b.cols;
  if (b.rows != K) kernel_fail(what + ": inner dimensions differ (" + std::to_string(K) + " vs " + std::to_string(b.rows) + ")");
  if (!fits_int(M) || !fits_int(N) || !fits_int(K) || !fits_int(batch)) return false;
  if (M == 0 || N == 0 || batch == 0) return true;
  Scratch scratch(ctx);
  if (K == 0) {
    // An empty sum: C = beta * C.
    CpuTensor ct;
    ct.data = c;
    ct.dtype = DType::float32;
    ct.shape = {batch * M * N};
    ct.strides = {1};
    if (beta == 0.f) device_fill(ctx, ct, 0);
    else device_map(ctx, MapOp::mul, {MapSrc{&ct, 0}, MapSrc{nullptr, beta}}, ct);
    return true;
  }
  // A batch read twice (stride 0) is materialised: strided-batched GEMM wants real strides.
  if (batch > 1 && a.bs == 0) a = densify(ctx, a, batch, scratch);
  if (batch > 1 && b.bs == 0) b = densify(ctx, b, batch, scratch);
  BlasMat A, B;
  if (!blas_layout(a, A)) blas_layout(a = densify(ctx, a, batch, scratch), A);
  if (!blas_layout(b, B)) blas_layout(b = densify(ctx, b, batch, scratch), B);
  if (!fits_int(A.ld) || !fits_int(B.ld)) return false;
  // Column-major view: C^T (N × M) = B^T (N × K) · A^T (K × M).
  const cublasOperation_t op_b = B.col_major ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = A.col_major ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (batch == 1) {
    cublas_check(cublasSgemm(ctx.cublas, op_b, op_a, int(N), int(M), int(K), &alpha, B.p, int(B.ld), A.p, int(A.ld),
                             &beta, c, int(N)),
                 what + " (cublasSgemm " + std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N) + ")");
  } else {
    cublas_check(cublasSgemmStridedBatched(ctx.cublas, op_b, op_a, int(N), int(M), int(K), &alpha, B.p, int(B.ld),
                                           B.batch_stride, A.p, int(A.ld), A.batch_stride, &beta, c, int(N), M * N,
                                           int(batch)),
                 what + " (cublasSgemmStridedBatched)");
  }
  return true;
}

MatRef mat_of(const CpuTensor& t) {
  if (t.dim() == 2) return MatRef{t.f32(), t.shape[0], t.shape[1], t.strides[0], t.strides[1], 0};
  if (t.dim() == 3) return MatRef{t.f32(), t.shape[1], t.shape[2], t.strides[1], t.strides[2], t.strides[0]};
  kernel_fail("matrix operand of rank " + std::to_string(t.dim()));
}

MatRef transposed(const MatRef& m) { return MatRef{m.p, m.cols, m.rows, m.cs, m.rs, m.bs}; }

// The rows of t's leading dims (all but the last) as one matrix, when their strides allow it.
std::optional<MatRef> rows_of(const CpuTensor& t) {
  const int64_t K = t.shape.back();
  const int64_t cs = t.strides.back();
  int64_t rows = 1, rs = 0;
  bool first = true;
  for (int64_t d = t.dim() - 2; d >= 0; --d) {
    const int64_t n = t.shape[size_t(d)], s = t.strides[size_t(d)];
    if (n == 1) continue;
    if (first) {
      rs = s;
      first = false;
    } else if (s != rs * rows) {
      return std::nullopt;
    }
    rows *= n;
  }
  if (first) rs = std::max<int64_t>(K, 1);
  return MatRef{t.f32(), rows, K, rs, cs, 0};
}

MatRef batched_mat(CudaContext& ctx, const CpuTensor& t, const Shape& batch_shape, Scratch& scratch) {
  Shape shape = batch_shape;
  shape.push_back(t.shape[size_t(t.dim() - 2)]);
  shape.push_back(t.shape.back());
  CpuTensor e = broadcast_to(t, shape);
  // One batch stride for all batch dims, else a dense copy.
  int64_t bs = 0, n = 1;
  bool ok = true, first = true;
  for (int64_t d = int64_t(batch_shape.size()) - 1; d >= 0; --d) {
    const int64_t sz = batch_shape[size_t(d)], st = e.strides[size_t(d)];
    if (sz == 1) continue;
    if (first) {
      bs = st;
      first = false;
    } else if (st != bs * n) {
      ok = false;
    }
    n *= sz;
  }
  if (!ok) {
    const CpuTensor d = scratch.tensor(shape, DType::float32);
    device_copy(ctx, e, d);
    e = d;
    bs = shape[shape.size() - 2] * shape.back();
  }
  const size_t r = shape.size() - 2;
  return MatRef{e.f32(), shape[r], shape[r + 1], e.strides[r], e.strides[r + 1], bs};
}

namespace {

// C (contiguous out) = beta * broadcast(bias) before the product adds alpha * A·B.
float init_with(CudaContext& ctx, const CpuTensor* bias, const CpuTensor& out, float beta) {
  if (!bias || beta == 0.f) return 0.f;
  device_copy(ctx, *bias, out);
  return beta;
}

bool linear(CudaContext& ctx, KernelCall& c) {
  if (!all_f32(c)) return false;
  const CpuTensor& x = c.tensor(0);
  const CpuTensor& w = c.tensor(1);
  const CpuTensor& out = c.out();
  if (x.dim() < 1 || w.dim() != 2) return false;
  Scratch scratch(ctx);
  const CpuTensor xin = x.dim() == 1 ? x.view({1, x.shape[0]}, {x.shape[0] * x.strides[0], x.strides[0]}) : x;
  std::optional<MatRef> a = rows_of(xin);
  if (!a) a = rows_of(dense_f32(ctx, xin, scratch));  // rows that no single stride describes
  const float beta = init_with(ctx, c.opt_tensor(2), out, 1.f);
  return gemm(ctx, "aten::linear", *a, transposed(mat_of(w)), out.f32(), 1, 1.f, beta);
}

bool matmul(CudaContext& ctx, KernelCall& c) {
  if (!all_f32(c)) return false;
  const CpuTensor& x = c.tensor(0);
  const CpuTensor& y = c.tensor(1);
  const CpuTensor& out = c.out();
  if (x.dim() < 2 || y.dim() < 2) return false;  // vector cases: the host kernel
  if (y.dim() == 2) {
    // [*, M, K] @ [K, N]: one GEMM over all rows when they line up.
    if (auto a = rows_of(x)) return gemm(ctx, "aten::matmul", *a, mat_of(y), out.f32(), 1, 1.f, 0.f);
  }
  // Batched: broadcast the batch dims, then one strided-batched GEMM.
  const Shape xb(x.shape.begin(), x.shape.end() - 2), yb(y.shape.begin(), y.shape.end() - 2);
  const Shape batch_shape = broadcast_shapes(xb, yb);
  const int64_t batch = shape_numel(batch_shape);
  Scratch scratch(ctx);
  return gemm(ctx, "aten::matmul", batched_mat(ctx, x, batch_shape, scratch), batched_mat(ctx, y, batch_shape, scratch),
              out.f32(), batch, 1.f, 0.f);
}

}  // namespace

void register_cuda_gemm(CudaKernelTable& t) {
  t.emplace_back("aten::mm", [](CudaContext& ctx, KernelCall& c) {
    if (!all_f32(c) || c.tensor(0).dim() != 2 || c.tensor(1).dim() != 2) return false;
    return gemm(ctx, "aten::mm", mat_of(c.tensor(0)), mat_of(c.tensor(1)), c.out().f32(), 1, 1.f, 0.f);
  });
  t.emplace_back("aten::bmm", [](CudaContext& ctx, KernelCall& c) {
    if (!all_f32(c) || c.tensor(0).dim() != 3 || c.tensor(1).dim() != 3) return false;
    return gemm(ctx, "aten::bmm", mat_of(c.tensor(0)), mat_of(c.tensor(1)), c.out().f32(), c.tensor(0).shape[0], 1.f, 0.f);
  });
  t.emplace_back("aten::addmm", [](CudaContext& ctx, KernelCall& c) {
    if (!all_f32(c) || c.tensor(1).dim() != 2 || c.tensor(2).dim() != 2) return false;
    const float beta = init_with(ctx, &c.tensor(0), c.out(), float(c.float_arg(3)));
    return gemm(ctx, "aten::addmm", mat_of(c.tensor(1)), mat_of(c.tensor(2)), c.out().f32(), 1, float(c.float_arg(4)), beta);
  });
  t.emplace_back("aten::baddbmm", [](CudaContext& ctx, KernelCall& c) {
    if (!all_f32(c) || c.tensor(1).dim() != 3 || c.tensor(2).dim() != 3) return false;
    const float beta = init_with(ctx, &c.tensor(0), c.out(), float(c.float_arg(3)));
    return gemm(ctx, "aten::baddbmm", mat_of(c.tensor(1)), mat_of(c.tensor(2)), c.out().f32(), c.tensor(1).shape[0],
                float(c.float_arg(4)), beta);
  });
  t.emplace_back("aten::linear", linear);
  t.emplace_back("aten::matmul", matmul);
}

}  // namespace ptscope::kernels::cuda
