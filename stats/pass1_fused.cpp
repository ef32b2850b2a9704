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

#if PTSCOPE_HAVE_X86_PATHS
// The AVX-512 loop, compiled for AVX-512 whatever the file's flags (core/isa.h).
PTSCOPE_TARGET_AVX512_BEGIN
namespace avx512 {
inline int64_t lane_total(__m512i counts) { return _mm512_reduce_add_epi32(counts); }

// kKeys: also the bracket keys. Counts are kept per lane in vectors (masked
// adds) rather than popcounts, which would cost three scalar instructions each.
template <bool kKeys>
bool run(const float* x, int64_t n, double K, FusedMoments& m, uint64_t* keys, const KeyBrackets& br) {
  const int64_t nv = n / 16 * 16;
  const __m512d k = _mm512_set1_pd(K);
  const __m512 big = _mm512_set1_ps(FLT_MAX);
  const __m512i one = _mm512_set1_epi32(1);
  __m512d s1[2], s2[2], s3[2], s4[2], l1[2], sq[2];  // [low, high] 8 of each 16
  for (int h = 0; h < 2; ++h) {
    s1[h] = s2[h] = s3[h] = s4[h] = l1[h] = sq[h] = _mm512_setzero_pd();
  }
  __m512 mn = _mm512_set1_ps(INFINITY), mx = _mm512_set1_ps(-INFINITY);
  __mmask16 bad = 0;
  __m512i zeros = _mm512_setzero_si512(), tiny = zeros, below[3] = {zeros, zeros, zeros};
  __m512i lo[3], width[3];
  for (int j = 0; j < 3; ++j) lo[j] = _mm512_set1_epi32(int32_t(br.lo[j])), width[j] = _mm512_set1_epi32(int32_t(br.width[j]));
  const __m512i tiny_key = _mm512_set1_epi32(int32_t(br.tiny));
  alignas(64) uint32_t key[4096 + 16];
  int64_t picked = 0;  // keys inside a bracket, packed at the front of key[]
  for (int64_t i = 0; i < nv; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __m512 a = _mm512_abs_ps(v);
    bad |= _mm512_cmp_ps_mask(a, big, _CMP_NLE_UQ);  // inf or NaN
    mn = _mm512_min_ps(mn, v);
    mx = _mm512_max_ps(mx, v);
    zeros = _mm512_mask_add_epi32(zeros, _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_EQ_OQ), zeros, one);
    if constexpr (kKeys) {
      const __m512i kv = _mm512_srli_epi32(_mm512_castps_si512(a), 16);
      __mmask16 in = 0;
      for (int j = 0; j < 3; ++j) {
        in |= _mm512_cmple_epu32_mask(_mm512_sub_epi32(kv, lo[j]), width[j]);
        below[j] = _mm512_mask_add_epi32(below[j], _mm512_cmplt_epu32_mask(kv, lo[j]), below[j], one);
      }
      tiny = _mm512_mask_add_epi32(tiny, _mm512_cmple_epu32_mask(kv, tiny_key), tiny, one);
      _mm512_storeu_si512(key + picked, _mm512_maskz_compress_epi32(in, kv));
      picked += __builtin_popcount(unsigned(in));
    }
    const __m512d w[2] = {_mm512_cvtps_pd(_mm512_castps512_ps256(v)), _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1))};
    for (int h = 0; h < 2; ++h) {
      const __m512d d = _mm512_sub_pd(w[h], k), d2 = _mm512_mul_pd(d, d);
      s1[h] = _mm512_add_pd(s1[h], d);
      s2[h] = _mm512_add_pd(s2[h], d2);
      s3[h] = _mm512_fmadd_pd(d2, d, s3[h]);
      s4[h] = _mm512_fmadd_pd(d2, d2, s4[h]);
      l1[h] = _mm512_add_pd(l1[h], _mm512_abs_pd(w[h]));
      sq[h] = _mm512_fmadd_pd(w[h], w[h], sq[h]);
    }
  }
  if (bad) return false;
  FusedMoments r;
  auto total = [](const __m512d p[2]) { return _mm512_reduce_add_pd(_mm512_add_pd(p[0], p[1])); };
  r.s1 = total(s1), r.s2 = total(s2), r.s3 = total(s3), r.s4 = total(s4), r.l1 = total(l1), r.sq = total(sq);
  float lo_v = _mm512_reduce_min_ps(mn), hi_v = _mm512_reduce_max_ps(mx);
  r.zeros = lane_total(zeros);
  if constexpr (kKeys) {
    for (int j = 0; j < 3; ++j) r.below[j] = lane_total(below[j]);
    r.tiny = lane_total(tiny);
  }
  for (int64_t i = nv; i < n; ++i) {  // the last < 16
    const float v = x[i];
    if (!std::isfinite(v)) return false;
    const double w = double(v), d = w - K, d2 = d * d;
    r.s1 += d, r.s2 += d2, r.s3 += d2 * d, r.s4 += d2 * d2, r.l1 += std::fabs(w), r.sq += w * w;
    lo_v = std::min(lo_v, v), hi_v = std::max(hi_v, v);
    r.zeros += v == 0.0f;
    if constexpr (kKeys) {
      const uint32_t kv = (std::bit_cast<uint32_t>(v) & 0x7fffffffu) >> 16;
      if (br.tally(kv, r.below, r.tiny)) key[picked++] = kv;
    }
  }
  r.mn = lo_v, r.mx = hi_v;
  m = r;
  if constexpr (kKeys)
    for (int64_t i = 0; i < picked; ++i) ++keys[key[i]];
  return true;
}
}  // namespace avx512
PTSCOPE_TARGET_END
#endif

}  // namespace

bool fused_pass1_run(const float* x, int64_t n, double K, FusedMoments& m, uint64_t* keys,
                     const KeyBrackets& brackets) {
#if PTSCOPE_HAVE_X86_PATHS
  if (fused_pass1_available())
    return keys ? avx512::run<true>(x, n, K, m, keys, brackets) : avx512::run<false>(x, n, K, m, keys, brackets);
#endif
  (void)x, (void)n, (void)K, (void)m, (void)keys, (void)brackets;
  return false;
}

bool fused_pass1_available() { return active_isa() == Isa::avx512; }

}  // namespace ptscope::stats
