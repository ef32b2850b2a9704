// Depthwise convolution, one channel plane at a time. The plane is copied
// once, zero-padded, into a per-thread buffer; at stride 2 its columns are
// split into even and odd phases so that every tap reads contiguous floats.
// A tile of kRows output rows x up to kMaxVecs 16-float vectors keeps its
// accumulators in registers, and each padded input row is loaded once per
// column tap and used for every output row of the tile it touches (up to k
// of them), instead of once per (tap, output row): a third to a half of the
// loads of a tap-by-tap loop, with the kernel size and stride as template
// constants so that the row bookkeeping folds away. Each ISA path has its
// own copy (conv_depthwise_isa.inc), picked at run time (core/isa.h).
#include "kernels/cpu/conv_depthwise.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/isa.h"
#include "kernels/cpu/cpu_tensor.h"
#include "kernels/cpu/scratch.h"

#if PTSCOPE_HAVE_X86_PATHS
#include <immintrin.h>
#endif

namespace ptscope::kernels {
namespace {

#if PTSCOPE_HAVE_X86_PATHS
PTSCOPE_TARGET_AVX512_BEGIN
namespace avx512 {
#define PTSCOPE_KERNEL_ISA 512
#include "kernels/cpu/conv_depthwise_isa.inc"
#undef PTSCOPE_KERNEL_ISA
}  // namespace avx512
PTSCOPE_TARGET_END

PTSCOPE_TARGET_AVX2_BEGIN
namespace avx2 {
#define PTSCOPE_KERNEL_ISA 256
#include "kernels/cpu/conv_depthwise_isa.inc"
#undef PTSCOPE_KERNEL_ISA
}  // namespace avx2
PTSCOPE_TARGET_END
#endif

namespace generic {
#define PTSCOPE_KERNEL_ISA 0
#include "kernels/cpu/conv_depthwise_isa.inc"
#undef PTSCOPE_KERNEL_ISA
}  // namespace generic

}  // namespace

bool conv_depthwise(const float* x, const float* w, const float* bias, float* y, const DepthwiseShape& s) {
#if PTSCOPE_HAVE_X86_PATHS
  switch (active_isa()) {
    case Isa::avx512: return avx512::run(x, w, bias, y, s);
    case Isa::avx2: return avx2::run(x, w, bias, y, s);
    case Isa::generic: break;
  }
#endif
  return generic::run(x, w, bias, y, s);
}

}  // namespace ptscope::kernels
