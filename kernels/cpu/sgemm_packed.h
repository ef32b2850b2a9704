// Our own single-precision GEMM: Goto-style cache blocking with packed
// panels and a register-blocked FMA micro-kernel (AVX-512 12x32, AVX2 6x16,
// or a portable 4x16 loop, chosen at run time: core/isa.h).
// Eigen keeps the matrix-vector shapes; gemm.cpp decides and threads.
#pragma once
#include <cstdint>

#include "kernels/cpu/gemm.h"

namespace ptscope::kernels {

// C[m, n] = alpha * op(A) · op(B) + beta * C on the calling thread.
// beta == 0 never reads C.
void sgemm_packed_serial(int64_t m, int64_t n, int64_t k, float alpha, const MatRef& a, const MatRef& b, float beta,
                         float* c, int64_t ldc);

// The micro-kernel's tile: threads split C on multiples of these.
int64_t sgemm_packed_mr();
int64_t sgemm_packed_nr();

// "avx512", "avx2" or "generic": which micro-kernel runs (active_isa()).
const char* sgemm_packed_isa();

}  // namespace ptscope::kernels
