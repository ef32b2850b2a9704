#include "stats/pass2_fused.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "stats/quant_sensitivity.h"

#include "core/isa.h"

#if PTSCOPE_HAVE_X86_PATHS
// GCC 12 reports its own _mm512_undefined_* placeholders as maybe-uninitialized (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#endif

namespace ptscope::stats {

namespace {

#if PTSCOPE_HAVE_X86_PATHS
// The float inverse of a grid's scale; false when it has none. Scale 0 (an
// all-zero granule) gives inverse 0: every value maps to 0, error 0, exact.
bool float_inverse(double scale, float& inv) {
  if (scale == 0) {
    inv = 0;
    return true;
  }
  const double r = 1.0 / scale;
  if (r > double(FLT_MAX) || scale < double(FLT_MIN)) return false;
  inv = float(r);
  return true;
}
#endif

// The vector loops once per path (AVX-512, AVX2; none on the generic path),
// each compiled for its path whatever the file's flags (core/isa.h).
#define PTSCOPE_ISA_BODY "stats/pass2_fused_isa.inc"
#include "core/isa_paths.inc"

}  // namespace

bool fused_pass2_run(const float* x, int64_t n, const FusedConsts& c, bool channel, double scale8_channel,
                     double scale4_channel, uint64_t* hist, FusedOut& out, std::vector<double> collect[3]) {
#if PTSCOPE_HAVE_X86_PATHS
  if (!fused_pass2_available()) return false;
  float inv8t, inv4t, inv8c = 0, inv4c = 0;
  if (!float_inverse(c.scale8, inv8t) || !float_inverse(c.scale4, inv4t)) return false;
  if (channel && (!float_inverse(scale8_channel, inv8c) || !float_inverse(scale4_channel, inv4c))) return false;
  if (active_isa() == Isa::avx512) avx512::run(x, n, c, channel, scale8_channel, scale4_channel, hist, out, collect);
  else avx2::run(x, n, c, channel, scale8_channel, scale4_channel, hist, out, collect);
  return true;
#else
  (void)x, (void)n, (void)c, (void)channel, (void)scale8_channel, (void)scale4_channel, (void)hist, (void)out,
      (void)collect;
  return false;
#endif
}

bool fused_pass2_available() { return PTSCOPE_HAVE_X86_PATHS && active_isa() != Isa::generic; }

}  // namespace ptscope::stats
