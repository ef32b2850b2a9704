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

#if PTSCOPE_HAVE_X86_PATHS
namespace {
// The AVX-512 loops, compiled for AVX-512 whatever the file's flags (core/isa.h).
PTSCOPE_TARGET_AVX512_BEGIN
namespace avx512 {

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

// Fake-quantization error in units of the grid step: with t = w/s,
// w − s·round(t) = s·(t − round(t)), and VREDUCEPS returns t − round_even(t)
// exactly in one instruction. The grid's s² is applied once per run (per
// group for int4-g128), in double. No clamp is needed: every scale is its
// own granule's absmax/qmax, so |t| <= qmax·(1 + 2^-24)² < qmax + 0.5 and
// round(t) never leaves [−qmax, qmax].
//
// Error bound (why float is enough for the 0.01 dB contract): t carries two
// float roundings (of 1/s and of w·(1/s)), |Δt| <= 2·2^-24·|t| <= 2^-23·127.5
// ≈ 1.5e-5 grid steps, so each (t − round t)² moves by <= 2·0.5·1.5e-5 =
// 1.5e-5 against a mean of 1/12 (uniform rounding error): <= 1.8e-4
// relative. The squares are summed in float per lane over at most 256
// values per run (runs are <= 4096 elements) and then in double: <= 256·2^-24
// ≈ 1.5e-5 relative. Together < 2e-4 relative error energy = 9e-4 dB. (A
// tensor lying exactly on the grid has a true error near 0, where any
// float evaluation — this one and the portable one alike — is not exact.)
inline __m512 add_frac_sq(__m512 acc, __m512 v, __m512 inv) {
  const __m512 f = _mm512_reduce_ps(_mm512_mul_ps(v, inv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  return _mm512_fmadd_ps(f, f, acc);
}

inline double sum_lanes(__m512 v) {
  const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
  const __m512d hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
  return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}

inline int count(__mmask16 m) { return __builtin_popcount(unsigned(m)); }

// float → bfloat16 → float, round half to even, on the bit pattern.
inline __m512 bf16_round_trip(__m512 v) {
  const __m512i b = _mm512_castps_si512(v);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
  const __m512i r = _mm512_add_epi32(_mm512_add_epi32(b, _mm512_set1_epi32(0x7fff)), lsb);
  return _mm512_castsi512_ps(_mm512_and_si512(r, _mm512_set1_epi32(int32_t(0xffff0000u))));
}

struct Accumulators {
  __m512 q8t = _mm512_setzero_ps(), q4t = _mm512_setzero_ps(), q8c = _mm512_setzero_ps(),
         q4c = _mm512_setzero_ps();
  __m512 eh = _mm512_setzero_ps(), eb = _mm512_setzero_ps();
  __m512d e_lo[3] = {_mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd()};
  __m512d e_hi[3] = {_mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd()};
  int64_t below[3] = {0, 0, 0}, near = 0, over = 0, flush = 0;
  // Written out so that it is defined in the AVX-512 region: an implicit
  // constructor would be baseline code, unable to inline the intrinsics.
  Accumulators() {}
};

template <bool kChannel, bool kPrune>
void run_vectors(const float* x, int64_t n, const FusedConsts& c, double s8c, double s4c, uint64_t* hist,
                 FusedOut& out, std::vector<double> collect[3]) {
  float inv8t = 0, inv4t = 0, inv8c = 0, inv4c = 0;  // all checked by the caller
  float_inverse(c.scale8, inv8t);
  float_inverse(c.scale4, inv4t);
  float_inverse(s8c, inv8c);
  float_inverse(s4c, inv4c);
  const __m512 i8t = _mm512_set1_ps(inv8t), i4t = _mm512_set1_ps(inv4t);
  const __m512 i8c = _mm512_set1_ps(inv8c), i4c = _mm512_set1_ps(inv4c);
  const __m512 hlo = _mm512_set1_ps(c.hist_lo), hscale = _mm512_set1_ps(c.hist_scale);
  const __m512 hlast = _mm512_set1_ps(c.hist_last), m0 = _mm512_set1_ps(c.margin),
               m1 = _mm512_set1_ps(1.0f - c.margin);
  const __m512 k0 = _mm512_set1_ps(c.ksig[0]), k1 = _mm512_set1_ps(c.ksig[1]), k2 = _mm512_set1_ps(c.ksig[2]);
  const __m512 nr = _mm512_set1_ps(c.near);
  const __m512 pl[3] = {_mm512_set1_ps(c.prune_lo[0]), _mm512_set1_ps(c.prune_lo[1]), _mm512_set1_ps(c.prune_lo[2])};
  const __m512 ph[3] = {_mm512_set1_ps(c.prune_hi[0]), _mm512_set1_ps(c.prune_hi[1]), _mm512_set1_ps(c.prune_hi[2])};
  const __m512 inf = _mm512_set1_ps(INFINITY);
  const int bins = c.hist_bins;
  const float* edge = c.hist_edge;
  alignas(64) int32_t bin_of[16];
  Accumulators acc;
  double group_error = 0;
  alignas(64) float picked[16];

  for (int64_t g = 0; g < n; g += 128) {
    const int64_t len = std::min<int64_t>(128, n - g);
    const int64_t nvec = len / 16;
    const float* xg = x + g;
    // int4 per group of 128: the group's absmax first.
    __m512 mx = _mm512_setzero_ps();
    for (int64_t k = 0; k < nvec; ++k) mx = _mm512_max_ps(mx, _mm512_abs_ps(_mm512_loadu_ps(xg + 16 * k)));
    float amax = _mm512_reduce_max_ps(mx);
    for (int64_t i = nvec * 16; i < len; ++i) amax = std::max(amax, std::fabs(xg[i]));
    const double gscale = double(amax) / 7.0;
    float ginv = 0;
    const bool group_vec = float_inverse(gscale, ginv);
    const __m512 ig = _mm512_set1_ps(ginv);
    __m512 qg = _mm512_setzero_ps();

    for (int64_t k = 0; k < nvec; ++k) {
      const int64_t i = g + 16 * k;
      const __m512 v = _mm512_loadu_ps(x + i);
      const __m512 a = _mm512_abs_ps(v);
      // Histogram: the bin from the float position; numpy's rule on the edges
      // for positions too close to a bin edge to trust (rare). The scalar
      // increments run here, between the vector work, rather than in a loop
      // of their own afterwards: the load/store ports are idle in this loop.
      {
        const __m512 f = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_sub_ps(v, hlo), hscale),
                                                     _mm512_setzero_ps()), hlast);
        const __m512i bin = _mm512_cvttps_epi32(f);
        const __m512 frac = _mm512_sub_ps(f, _mm512_cvtepi32_ps(bin));
        __mmask16 unsure = _mm512_cmp_ps_mask(frac, m0, _CMP_LT_OQ) | _mm512_cmp_ps_mask(frac, m1, _CMP_GT_OQ);
        if (!c.hist_fast) unsure = 0xffff;
        _mm512_store_si512(bin_of, bin);
        if (unsure) {
          alignas(64) float val[16];
          _mm512_store_ps(val, v);
          for (unsigned m = unsure; m; m &= m - 1) {
            const int j = __builtin_ctz(m);
            bin_of[j] = refine_bin(val[j], bin_of[j], edge, bins);
          }
        }
        for (int j = 0; j < 16; ++j) ++hist[size_t(j % kHistWays) * size_t(bins) + size_t(bin_of[j])];
      }
      // Fake quantization, five grids.
      acc.q8t = add_frac_sq(acc.q8t, v, i8t);
      acc.q4t = add_frac_sq(acc.q4t, v, i4t);
      if constexpr (kChannel) {
        acc.q8c = add_frac_sq(acc.q8c, v, i8c);
        acc.q4c = add_frac_sq(acc.q4c, v, i4c);
      }
      qg = add_frac_sq(qg, v, ig);
      // fp16 (F16C, round to nearest even, overflow to inf) and bf16 round trips;
      // w − ŵ is exact in float (ŵ is within a factor 2 of w, or inf/0).
      const __m512 h = _mm512_cvtph_ps(_mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
      const __m512 dh = _mm512_sub_ps(v, h);
      acc.eh = _mm512_fmadd_ps(dh, dh, acc.eh);
      const __m512 db = _mm512_sub_ps(v, bf16_round_trip(v));
      acc.eb = _mm512_fmadd_ps(db, db, acc.eb);
      if (c.count_overflow) acc.over += count(_mm512_cmp_ps_mask(_mm512_abs_ps(h), inf, _CMP_EQ_OQ));
      if (c.count_flush)
        acc.flush += count(_mm512_cmp_ps_mask(h, _mm512_setzero_ps(), _CMP_EQ_OQ) &
                           _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ));
      // k·σ and near-zero counts.
      acc.below[0] += count(_mm512_cmp_ps_mask(a, k0, _CMP_LT_OQ));
      acc.below[1] += count(_mm512_cmp_ps_mask(a, k1, _CMP_LT_OQ));
      acc.below[2] += count(_mm512_cmp_ps_mask(a, k2, _CMP_LT_OQ));
      acc.near += count(_mm512_cmp_ps_mask(a, nr, _CMP_LE_OQ));
      // Pruning: energy below each boundary key (double), magnitudes inside it.
      if constexpr (kPrune) {
        const __m512d al = _mm512_cvtps_pd(_mm512_castps512_ps256(a));
        const __m512d ah = _mm512_cvtps_pd(_mm512_extractf32x8_ps(a, 1));
        const __m512d wl = _mm512_mul_pd(al, al), wh = _mm512_mul_pd(ah, ah);
        __mmask16 hit[3];
        __mmask16 any = 0;
        for (int j = 0; j < 3; ++j) {
          const __mmask16 below = _mm512_cmp_ps_mask(a, pl[j], _CMP_LT_OQ);
          acc.e_lo[j] = _mm512_mask_add_pd(acc.e_lo[j], __mmask8(below), acc.e_lo[j], wl);
          acc.e_hi[j] = _mm512_mask_add_pd(acc.e_hi[j], __mmask8(below >> 8), acc.e_hi[j], wh);
          hit[j] = _mm512_mask_cmp_ps_mask(__mmask16(~below), a, ph[j], _CMP_LT_OQ);
          any |= hit[j];
        }
        if (any) {  // boundary keys hold well under 1% of the weights
          for (int j = 0; j < 3; ++j) {
            if (!hit[j]) continue;
            _mm512_store_ps(picked, _mm512_maskz_compress_ps(hit[j], a));
            collect[j].insert(collect[j].end(), picked, picked + count(hit[j]));
          }
        }
      }
    }
    if (group_vec) {
      group_error += gscale * gscale * sum_lanes(qg);
    } else {
      for (int64_t i = 0; i < nvec * 16; ++i) {
        const double e = double(xg[i]) - fake_quant(double(xg[i]), gscale, 4);
        group_error += e * e;
      }
    }

    // The last < 16 values of the run: the scalar double reference.
    for (int64_t i = g + nvec * 16; i < g + len; ++i) {
      const float v = x[i];
      const double w = double(v), a = std::fabs(w);
      ++hist[size_t(i % kHistWays) * size_t(bins) + size_t(numpy_bin(v, c.hist_lo, c.hist_scale, edge, bins))];
      auto err = [&](double scale, int bits) {
        const double e = w - fake_quant(w, scale, bits);
        return e * e;
      };
      out.fq.int8_tensor += err(c.scale8, 8);
      out.fq.int4_tensor += err(c.scale4, 4);
      if constexpr (kChannel) {
        out.fq.int8_channel += err(s8c, 8);
        out.fq.int4_channel += err(s4c, 4);
      }
      group_error += err(gscale, 4);
      const double h = round_trip_fp16(w), b = round_trip_bf16(w);
      out.rt.fp16_error += (w - h) * (w - h);
      out.rt.bf16_error += (w - b) * (w - b);
      out.rt.fp16_overflow += std::isinf(h);
      out.rt.fp16_flush += (h == 0) && w != 0;
      for (int j = 0; j < 3; ++j) out.below[j] += std::fabs(v) < c.ksig[j];
      out.near += std::fabs(v) <= c.near;
      if constexpr (kPrune) {
        for (int j = 0; j < 3; ++j) {
          if (std::fabs(v) < c.prune_lo[j]) out.e_below[j] += a * a;
          else if (std::fabs(v) < c.prune_hi[j]) collect[j].push_back(a);
        }
      }
    }
  }

  out.fq.int8_tensor += c.scale8 * c.scale8 * sum_lanes(acc.q8t);
  out.fq.int4_tensor += c.scale4 * c.scale4 * sum_lanes(acc.q4t);
  out.fq.int4_group += group_error;
  out.rt.fp16_error += sum_lanes(acc.eh);
  out.rt.bf16_error += sum_lanes(acc.eb);
  out.rt.fp16_overflow += acc.over;
  out.rt.fp16_flush += acc.flush;
  for (int j = 0; j < 3; ++j) out.below[j] += acc.below[j];
  out.near += acc.near;
  if constexpr (kPrune)
    for (int j = 0; j < 3; ++j) out.e_below[j] += _mm512_reduce_add_pd(_mm512_add_pd(acc.e_lo[j], acc.e_hi[j]));
  if constexpr (kChannel) {
    out.fq.int8_channel += s8c * s8c * sum_lanes(acc.q8c);
    out.fq.int4_channel += s4c * s4c * sum_lanes(acc.q4c);
  }
}

}  // namespace avx512
PTSCOPE_TARGET_END
}  // namespace
#endif

bool fused_pass2_run(const float* x, int64_t n, const FusedConsts& c, bool channel, double scale8_channel,
                     double scale4_channel, uint64_t* hist, FusedOut& out, std::vector<double> collect[3]) {
#if PTSCOPE_HAVE_X86_PATHS
  using namespace avx512;
  if (!fused_pass2_available()) return false;
  float inv8t, inv4t, inv8c = 0, inv4c = 0;
  if (!float_inverse(c.scale8, inv8t) || !float_inverse(c.scale4, inv4t)) return false;
  if (channel && (!float_inverse(scale8_channel, inv8c) || !float_inverse(scale4_channel, inv4c))) return false;
  if (channel) {
    if (c.prune) run_vectors<true, true>(x, n, c, scale8_channel, scale4_channel, hist, out, collect);
    else run_vectors<true, false>(x, n, c, scale8_channel, scale4_channel, hist, out, collect);
  } else {
    if (c.prune) run_vectors<false, true>(x, n, c, 0, 0, hist, out, collect);
    else run_vectors<false, false>(x, n, c, 0, 0, hist, out, collect);
  }
  return true;
#else
  (void)x, (void)n, (void)c, (void)channel, (void)scale8_channel, (void)scale4_channel, (void)hist, (void)out,
      (void)collect;
  return false;
#endif
}

bool fused_pass2_available() { return active_isa() == Isa::avx512; }

}  // namespace ptscope::stats
