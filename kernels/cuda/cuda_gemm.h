// The GEMM helper shared by the matrix-product ops and attention.
#pragma once
#include <optional>
#include <string>

#include "kernels/cuda/cuda_context.h"

namespace ptscope::kernels::cuda {

// A batch of row-major-indexed float32 matrices: element (i, j) of batch b at
// p[b*bs + i*rs + j*cs].
struct MatRef {
  const float* p = nullptr;
  int64_t rows = 0, cols = 0, rs = 0, cs = 0, bs = 0;
};

// C[b] = alpha * A[b]·B[b] + beta * C[b] with C dense [batch, M, N]. False
// when the sizes exceed cuBLAS's int arguments (the host kernel runs instead).
bool gemm(CudaContext& ctx, const std::string& what, MatRef a, MatRef b, float* c, int64_t batch, float alpha, float beta);

MatRef mat_of(const CpuTensor& t);  // rank 2 or 3 (batch first)
MatRef transposed(const MatRef& m);
// All leading dims of t as the rows of one matrix, when a single row stride describes them.
std::optional<MatRef> rows_of(const CpuTensor& t);
// t broadcast to batch_shape + its last two dims, with one batch stride (a dense copy in scratch when needed).
MatRef batched_mat(CudaContext& ctx, const CpuTensor& t, const Shape& batch_shape, Scratch& scratch);

}  // namespace ptscope::kernels::cuda
