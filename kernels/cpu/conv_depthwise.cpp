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

#define PTSCOPE_ISA_BODY "kernels/cpu/conv_depthwise_isa.inc"
#include "core/isa_paths.inc"

}  // namespace

bool conv_depthwise(const float* x, const float* w, const float* bias, float* y, const DepthwiseShape& s) {
  constexpr decltype(&generic::run) kRun[] = {&generic::run, &avx2::run, &avx512::run};  // indexed by Isa
  return kRun[int(active_isa())](x, w, bias, y, s);
}

}  // namespace ptscope::kernels
