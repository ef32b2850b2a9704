// Transcendentals over float arrays through Eigen's vectorised packet math
// (AVX-512/AVX2 under -march=native): polynomial exp/log, rational tanh and
// erf, all within a few ulp, which keeps GELU, SiLU, softmax and friends
// far inside the 1e-4 parity budget while running at vector speed.
// GCC 12 flags its own AVX-512 intrinsics (`__m512 __Y = __Y;` in
// _mm512_undefined_ps) as maybe-uninitialized once Eigen inlines them; the
// state must be set before the intrinsics headers are first included.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>
#include <limits>

#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {
namespace {

using Arr = Eigen::Map<Eigen::ArrayXf>;
using ConstArr = Eigen::Map<const Eigen::ArrayXf>;

}  // namespace

void vexp(const float* x, float* y, int64_t n) { Arr(y, n) = ConstArr(x, n).exp(); }
void vtanh(const float* x, float* y, int64_t n) { Arr(y, n) = ConstArr(x, n).tanh(); }
void verf(const float* x, float* y, int64_t n) { Arr(y, n) = ConstArr(x, n).erf(); }
void vlog(const float* x, float* y, int64_t n) { Arr(y, n) = ConstArr(x, n).log(); }
void vsigmoid(const float* x, float* y, int64_t n) { Arr(y, n) = ConstArr(x, n).logistic(); }

// Reductions: GCC does not vectorise float sums without -ffast-math, Eigen's
// redux does (several partial sums in vector registers).
float vsum(const float* x, int64_t n) { return n ? ConstArr(x, n).sum() : 0.f; }
float vmax(const float* x, int64_t n) {
  return n ? ConstArr(x, n).maxCoeff() : -std::numeric_limits<float>::infinity();
}
float vdot(const float* a, const float* b, int64_t n) {
  return n ? (ConstArr(a, n) * ConstArr(b, n)).sum() : 0.f;
}

}  // namespace ptscope::kernels
