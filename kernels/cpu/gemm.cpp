// Every kernel that multiplies matrices calls sgemm. Products with two or
// more rows and columns run through our packed GEMM (sgemm_packed.cpp);
// matrix-vector shapes through Eigen, the only translation unit that
// instantiates Eigen's products (they are slow to compile).
#include "kernels/cpu/gemm.h"

#include <algorithm>
#include <atomic>
#include <mutex>

// GCC 12 flags its own AVX-512 intrinsics (`__m512 __Y = __Y;` in
// _mm512_undefined_ps) as maybe-uninitialized once Eigen inlines them; the
// state must be set before the intrinsics headers are first included.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>

#include "kernels/cpu/parallel.h"
#include "kernels/cpu/sgemm_packed.h"

namespace ptscope::kernels {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;
using MutMap = Eigen::Map<RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;

// Multiply-adds per thread below which another thread does not pay for its
// wake-up (~10 us at ~50 GFLOP/s is ~250k MACs).
constexpr double kMinMacsPerThread = 256.0 * 1024;

// Eigen computes its cache-blocking sizes lazily in static state; set them
// up once before several threads run products at the same time.
void init_eigen() {
  static std::once_flag once;
  std::call_once(once, [] { Eigen::initParallel(); });
}

// The matrix as stored (the transpose of op(M) when trans).
ConstMap stored(const MatRef& m, int64_t rows, int64_t cols) {
  return m.trans ? ConstMap(m.p, cols, rows, Eigen::OuterStride<>(m.ld))
                 : ConstMap(m.p, rows, cols, Eigen::OuterStride<>(m.ld));
}

// C += alpha * A * B for Eigen expressions of op(A), op(B). Matrix-vector
// shapes go through blocks with a static row/column count so Eigen picks its
// GEMV kernels.
template <class A, class B>
void accumulate(MutMap& C, float alpha, const A& a, const B& b) {
  if (C.rows() == 1) C.row(0).noalias() += alpha * (a.row(0) * b);
  else if (C.cols() == 1) C.col(0).noalias() += alpha * (a * b.col(0));
  else C.noalias() += alpha * (a * b);
}

MatRef offset_rows(const MatRef& m, int64_t r) {  // rows r.. of op(M)
  MatRef o = m;
  o.p += m.trans ? r : r * m.ld;
  return o;
}

MatRef offset_cols(const MatRef& m, int64_t c) {  // cols c.. of op(M)
  MatRef o = m;
  o.p += m.trans ? c * m.ld : c;
  return o;
}

std::atomic<GemmBackend> g_backend{GemmBackend::automatic};

bool use_packed(int64_t m, int64_t n) {
  const GemmBackend b = g_backend.load(std::memory_order_relaxed);
  if (b != GemmBackend::automatic) return b == GemmBackend::packed;
  return m >= 2 && n >= 2;  // Eigen's GEMV kernels win on single rows / columns
}

// One Eigen product, single-threaded.
void gemm_eigen(int64_t m, int64_t n, int64_t k, float alpha, const MatRef& a, const MatRef& b, float beta, float* c,
                 int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  MutMap C(c, m, n, Eigen::OuterStride<>(ldc));
  if (beta == 0) C.setZero();
  else if (beta != 1) C *= beta;
  if (k <= 0 || alpha == 0) return;
  const ConstMap A = stored(a, m, k), B = stored(b, k, n);
  if (!a.trans && !b.trans) accumulate(C, alpha, A, B);
  else if (!a.trans) accumulate(C, alpha, A, B.transpose());
  else if (!b.trans) accumulate(C, alpha, A.transpose(), B);
  else accumulate(C, alpha, A.transpose(), B.transpose());
}

// One product on the calling thread.
void gemm_serial(int64_t m, int64_t n, int64_t k, float alpha, const MatRef& a, const MatRef& b, float beta, float* c,
                 int64_t ldc) {
  if (use_packed(m, n)) sgemm_packed_serial(m, n, k, alpha, a, b, beta, c, ldc);
  else gemm_eigen(m, n, k, alpha, a, b, beta, c, ldc);
}

}  // namespace

void set_gemm_backend(GemmBackend b) { g_backend.store(b); }

std::optional<MatRef> as_matrix(const float* p, int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  if (col_stride == 1 || cols == 1) return MatRef{p, rows == 1 ? std::max<int64_t>(cols, 1) : row_stride, false};
  if (row_stride == 1 || rows == 1) return MatRef{p, cols == 1 ? std::max<int64_t>(rows, 1) : col_stride, true};
  return std::nullopt;
}

void sgemm(int64_t m, int64_t n, int64_t k, float alpha, MatRef a, MatRef b, float beta, float* c, int64_t ldc) {
  init_eigen();
  const int t = threads_for(double(m) * double(n) * double(k), kMinMacsPerThread);
  if (t <= 1) return gemm_serial(m, n, k, alpha, a, b, beta, c, ldc);
  // Split the larger side of C on whole micro-kernel tiles, so that only
  // the last block has a ragged edge.
  const int64_t nr = sgemm_packed_nr(), mr = sgemm_packed_mr();
  if (n >= m || m < 2 * t) {
    const int64_t block = std::max<int64_t>(nr, ((n + t - 1) / t + nr - 1) / nr * nr);
    const int64_t blocks = (n + block - 1) / block;
    parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) {
        const int64_t c0 = i * block, cn = std::min(block, n - c0);
        gemm_serial(m, cn, k, alpha, a, offset_cols(b, c0), beta, c + c0, ldc);
      }
    });
  } else {
    const int64_t block = ((m + t - 1) / t + mr - 1) / mr * mr;
    parallel_for(t, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) {
        const int64_t r0 = i * block, rn = std::min(block, m - r0);
        if (rn > 0) gemm_serial(rn, n, k, alpha, offset_rows(a, r0), b, beta, c + r0 * ldc, ldc);
      }
    });
  }
}

void sgemm_batched(int64_t count, int64_t m, int64_t n, int64_t k, float alpha, MatRef a,
                   const std::vector<int64_t>& a_offsets, MatRef b, const std::vector<int64_t>& b_offsets, float beta,
                   float* c, int64_t ldc, const std::vector<int64_t>& c_offsets) {
  init_eigen();
  auto one = [&](int64_t i, bool parallel) {
    MatRef ai = a, bi = b;
    ai.p += a_offsets[size_t(i)];
    bi.p += b_offsets[size_t(i)];
    if (parallel) sgemm(m, n, k, alpha, ai, bi, beta, c + c_offsets[size_t(i)], ldc);
    else gemm_serial(m, n, k, alpha, ai, bi, beta, c + c_offsets[size_t(i)], ldc);
  };
  const double macs = double(m) * double(n) * double(k);
  const int t = threads_for(double(count) * macs, kMinMacsPerThread);
  if (t > 1 && count >= t) {
    parallel_for(count, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) one(i, false);
    });
  } else {
    for (int64_t i = 0; i < count; ++i) one(i, true);
  }
}

}  // namespace ptscope::kernels
