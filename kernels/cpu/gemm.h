// Single-precision GEMM on row-major matrices: our packed, cache-blocked
// kernel (sgemm_packed.h, compiled with -march=native) for products, Eigen
// for matrix-vector shapes. Multi-threaded by splitting C into column (or
// row) blocks of whole micro-kernel tiles, one serial GEMM per thread.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace ptscope::kernels {

// A stored matrix: element (r, c) of op(M) is p[r * ld + c], or p[c * ld + r]
// when trans (M is stored transposed, i.e. column-major).
struct MatRef {
  const float* p = nullptr;
  int64_t ld = 0;
  bool trans = false;
};

// The matrix with `rows` x `cols` and the given element strides as a MatRef,
// or nullopt when neither stride is 1 (the caller copies it first).
std::optional<MatRef> as_matrix(const float* p, int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride);

// C[m, n] = alpha * A[m, k] · B[k, n] + beta * C with C row-major (row stride
// ldc). beta == 0 never reads C. Splits over the thread pool when large and
// not already inside a parallel region.
void sgemm(int64_t m, int64_t n, int64_t k, float alpha, MatRef a, MatRef b, float beta, float* c, int64_t ldc);

// `count` independent GEMMs of the same shape at the given element offsets
// from a.p, b.p and c. Parallel over the batch when it has enough items,
// otherwise one parallel GEMM after another.
// Which implementation sgemm uses: automatic (packed for products, Eigen
// for matrix-vector shapes), or one of them always (tests, benchmarks).
enum class GemmBackend { automatic, eigen, packed };
void set_gemm_backend(GemmBackend b);

void sgemm_batched(int64_t count, int64_t m, int64_t n, int64_t k, float alpha, MatRef a,
                   const std::vector<int64_t>& a_offsets, MatRef b, const std::vector<int64_t>& b_offsets, float beta,
                   float* c, int64_t ldc, const std::vector<int64_t>& c_offsets);

}  // namespace ptscope::kernels
