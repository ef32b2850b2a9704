// Helpers shared by the kernel families.
#pragma once
#include <cstdint>

#include "kernels/cpu/cpu_tensor.h"

namespace ptscope::kernels {

// A contiguous float32 version of t (t itself when it already is one).
inline CpuTensor dense_f32(const CpuTensor& t, TensorBuffer& storage) {
  return to_dtype(t, DType::float32, storage, /*need_contiguous=*/true);
}

// A preallocated output, checked to be contiguous float32.
float* dense_out(const CpuTensor& out);

// Writes `v` (shape [n], or anything that broadcasts to [rows, n]) into every
// row of the contiguous [rows, n] matrix out.
void broadcast_rows(const CpuTensor& v, float* out, int64_t rows, int64_t n);

// Vectorised transcendental functions over contiguous arrays (Eigen's packet
// math, in vec_math.cpp). In-place use (x == y) is allowed.
void vexp(const float* x, float* y, int64_t n);
void vtanh(const float* x, float* y, int64_t n);
void verf(const float* x, float* y, int64_t n);
void vlog(const float* x, float* y, int64_t n);
void vsigmoid(const float* x, float* y, int64_t n);
float vsum(const float* x, int64_t n);
float vmax(const float* x, int64_t n);  // -inf for n == 0; NaN inputs are not propagated
float vdot(const float* a, const float* b, int64_t n);

// Softmax over contiguous rows of length n: y = exp(x - max) / sum; rows whose
// inputs are all -inf give NaN (as torch), or 0 when zero_masked_rows.
void softmax_row(const float* x, float* y, int64_t n, bool zero_masked_rows = false);
void log_softmax_row(const float* x, float* y, int64_t n);

// Layer normalisation of contiguous rows of length n with optional affine
// weight/bias (nullptr for none). mean/rstd (may be nullptr) receive the statistics.
void layer_norm_rows(const float* x, float* y, int64_t rows, int64_t n, const float* weight, const float* bias,
                     float eps, float* mean = nullptr, float* rstd = nullptr);

// Activation functions applied to contiguous arrays (multi-threaded when large).
void gelu_inplace(float* x, int64_t n, bool tanh_approx);
void relu_inplace(float* x, int64_t n);

}  // namespace ptscope::kernels
