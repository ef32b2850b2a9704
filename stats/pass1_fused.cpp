#include "stats/pass1_fused.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>

#include "core/isa.h"

#if PTSCOPE_HAVE_X86_PATHS
// GCC 12 reports its own _mm512_undefined_* placeholders as maybe-uninitialized (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#endif

namespace ptscope::stats {

namespace {
// The vector loop once per path (AVX-512, AVX2; none on the generic path),
// each compiled for its path whatever the file's flags (core/isa.h).
#define PTSCOPE_ISA_BODY "stats/pass1_fused_isa.inc"
#include "core/isa_paths.inc"
}  // namespace

bool fused_pass1_run(const float* x, int64_t n, double K, FusedMoments& m, uint64_t* keys,
                     const KeyBrackets& brackets) {
#if PTSCOPE_HAVE_X86_PATHS
  switch (active_isa()) {
    case Isa::avx512:
      return keys ? avx512::run<true>(x, n, K, m, keys, brackets) : avx512::run<false>(x, n, K, m, keys, brackets);
    case Isa::avx2:
      return keys ? avx2::run<true>(x, n, K, m, keys, brackets) : avx2::run<false>(x, n, K, m, keys, brackets);
    case Isa::generic:
      break;
  }
#endif
  (void)x, (void)n, (void)K, (void)m, (void)keys, (void)brackets;
  return false;
}

bool fused_pass1_available() { return PTSCOPE_HAVE_X86_PATHS && active_isa() != Isa::generic; }

}  // namespace ptscope::stats
