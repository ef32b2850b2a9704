// Depthwise convolution, one channel plane at a time. The plane is copied
// once, zero-padded, into a per-thread buffer; at stride 2 its columns are
// split into even and odd phases so that every tap reads contiguous floats.
// A tile of kRows output rows x up to kMaxVecs 16-float vectors keeps its
// accumulators in registers, and each padded input row is loaded once per
// column tap and used for every output row of the tile it touches (up to k
// of them), instead of once per (tap, output row): a third to a half of the
// loads of a tap-by-tap loop, with the kernel size and stride as template
// constants so that the row bookkeeping folds away.
#include "kernels/cpu/conv_depthwise.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/cpu_tensor.h"
#include "kernels/cpu/scratch.h"

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace ptscope::kernels {
namespace {

typedef float V16 __attribute__((vector_size(64)));
typedef int I16 __attribute__((vector_size(64)));
#ifdef __AVX512F__
constexpr int kRows = 4, kMaxVecs = 4;  // 16 accumulators + 4 inputs of 32 zmm
#else
constexpr int kRows = 2, kMaxVecs = 2;  // a V16 is two ymm registers
#endif

// By reference: returning a 64-byte vector is an ABI change without AVX-512.
inline void load(V16& v, const float* p) { std::memcpy(&v, p, sizeof v); }

// 16 columns (an input or an accumulator). GCC lowers a 64-byte generic
// vector on AVX2 through the stack (every weight broadcast and most
// accumulators spilled), so AVX2 keeps two ymm halves; with AVX-512 (one
// zmm) and without AVX2 the generic vector measured as fast as intrinsics.
#if defined(__AVX2__) && defined(__FMA__) && !defined(__AVX512F__)
struct Vec16 {
  __m256 lo, hi;
};
inline Vec16 vec16_set1(float b) { return {_mm256_set1_ps(b), _mm256_set1_ps(b)}; }
inline Vec16 vec16_load(const float* p) { return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
inline void vec16_fma(Vec16& acc, const Vec16& x, float w) {
  const __m256 wv = _mm256_set1_ps(w);
  acc.lo = _mm256_fmadd_ps(x.lo, wv, acc.lo);
  acc.hi = _mm256_fmadd_ps(x.hi, wv, acc.hi);
}
inline void vec16_store(float* p, const Vec16& a) {
  _mm256_storeu_ps(p, a.lo);
  _mm256_storeu_ps(p + 8, a.hi);
}
#else
struct Vec16 {
  V16 v;
};
inline Vec16 vec16_set1(float b) { return {V16{} + b}; }
inline Vec16 vec16_load(const float* p) {
  Vec16 r;
  load(r.v, p);
  return r;
}
inline void vec16_fma(Vec16& acc, const Vec16& x, float w) { acc.v += x.v * w; }
inline void vec16_store(float* p, const Vec16& a) { std::memcpy(p, &a.v, sizeof a.v); }
#endif

// The padded copy of one plane: phase ph, padded row r at (ph * hp + r) * wpp.
struct Padded {
  int64_t st = 1, hp = 0, wpp = 0;
  int64_t floats() const { return st * hp * wpp; }
};

Padded padded_geometry(const DepthwiseShape& s) {
  Padded p;
  p.st = s.stride;
  const int64_t rows = (s.oh + kRows - 1) / kRows * kRows, cols = (s.ow + 15) / 16 * 16;
  p.hp = (rows - 1) * s.stride + s.k;
  p.wpp = ((cols - 1) * s.stride + s.k + s.stride - 1) / s.stride;
  p.wpp = (p.wpp + 15) / 16 * 16;  // whole vectors per phase row
  return p;
}

// Padded row of `full` floats: zeros around input columns [0, w) at pad_left.
void padded_row(const float* src, int64_t w, int64_t pad_left, int64_t full, float* dst) {
  const int64_t lo = std::clamp<int64_t>(pad_left, 0, full), hi = std::clamp<int64_t>(pad_left + w, 0, full);
  std::fill(dst, dst + lo, 0.f);
  if (hi > lo) std::memcpy(dst + lo, src + (lo - pad_left), size_t(hi - lo) * sizeof(float));
  std::fill(dst + std::max(lo, hi), dst + full, 0.f);
}

// One input row, zero-padded by pad_left, split into its even and odd
// padded columns (wpp of each, a multiple of 16). Straight from the input: going through a
// padded copy stalls on store forwarding.
void deinterleave_row(const float* src, int64_t w, int64_t pad_left, int64_t wpp, float* even, float* odd) {
  for (int64_t j = 0; j < wpp; j += 16) {
    const int64_t first = 2 * j - pad_left;  // input column of padded column 2j
    V16 a, b;
    if (first >= 0 && first + 32 <= w) {
      load(a, src + first);
      load(b, src + first + 16);
    } else {
#ifdef __AVX512F__
      // An edge: masked loads read only the columns inside the row.
      auto lanes = [&](int64_t from) {
        const int64_t lo = std::clamp<int64_t>(-from, 0, 16), hi = std::clamp<int64_t>(w - from, 0, 16);
        return __mmask16(hi > lo ? ((1u << hi) - 1) & ~((1u << lo) - 1) : 0);
      };
      a = V16(_mm512_maskz_loadu_ps(lanes(first), src + first));
      b = V16(_mm512_maskz_loadu_ps(lanes(first + 16), src + first + 16));
#else
      float edge[32] = {};
      const int64_t lo = std::max<int64_t>(first, 0), hi = std::min<int64_t>(first + 32, w);
      for (int64_t q = lo; q < hi; ++q) edge[q - first] = src[q];
      load(a, edge);
      load(b, edge + 16);
#endif
    }
#if defined(__AVX2__) && !defined(__AVX512F__)
    // GCC lowers the 16-lane shuffle below through memory on AVX2: the same
    // split per 8 columns with in-lane shuffles and one cross-lane permute.
    alignas(32) float in[32];
    std::memcpy(in, &a, sizeof a);
    std::memcpy(in + 16, &b, sizeof b);
    for (int h = 0; h < 2; ++h) {
      const __m256 x0 = _mm256_load_ps(in + 16 * h), x1 = _mm256_load_ps(in + 16 * h + 8);
      const __m256 e = _mm256_shuffle_ps(x0, x1, _MM_SHUFFLE(2, 0, 2, 0));
      const __m256 o = _mm256_shuffle_ps(x0, x1, _MM_SHUFFLE(3, 1, 3, 1));
      constexpr int kOrder = _MM_SHUFFLE(3, 1, 2, 0);  // 64-bit pairs back into column order
      _mm256_storeu_ps(even + j + 8 * h, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), kOrder)));
      _mm256_storeu_ps(odd + j + 8 * h, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), kOrder)));
    }
#else
    const I16 ev = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};
    const V16 e = __builtin_shuffle(a, b, ev), o = __builtin_shuffle(a, b, ev + 1);
    std::memcpy(even + j, &e, sizeof e);
    std::memcpy(odd + j, &o, sizeof o);
#endif
  }
}

void pad_channel(const float* xc, const DepthwiseShape& s, const Padded& p, float* dst) {
  const int64_t full = p.wpp * p.st;
  for (int64_t r = 0; r < p.hp; ++r) {
    const int64_t ih = r - s.pad_top;
    if (p.st == 1) {
      float* d = dst + r * p.wpp;
      if (ih < 0 || ih >= s.h) std::fill(d, d + p.wpp, 0.f);
      else padded_row(xc + ih * s.w, s.w, s.pad_left, full, d);
      continue;
    }
    float* even = dst + r * p.wpp;
    float* odd = dst + (p.hp + r) * p.wpp;
    if (ih < 0 || ih >= s.h) {
      std::fill(even, even + p.wpp, 0.f);
      std::fill(odd, odd + p.wpp, 0.f);
      continue;
    }
    deinterleave_row(xc + ih * s.w, s.w, s.pad_left, p.wpp, even, odd);
  }
}

// Output rows [r0, r0 + kRows) x vectors [c0, c0 + 16 * NV) of one plane.
template <int K, int ST, int NV>
void tile(const float* plane, const Padded& p, const float* wk, float bias, float* y, int64_t oh, int64_t ow,
          int64_t r0, int64_t c0) {
  Vec16 acc[kRows][NV];
#pragma GCC unroll 8
  for (int rr = 0; rr < kRows; ++rr)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[rr][v] = vec16_set1(bias);
  const float* base = plane + r0 * ST * p.wpp + c0;
#pragma GCC unroll 16
  for (int pr = 0; pr < (kRows - 1) * ST + K; ++pr) {
#pragma GCC unroll 8
    for (int kj = 0; kj < K; ++kj) {
      const float* src = base + ((kj % ST) * p.hp + pr) * p.wpp + kj / ST;
      Vec16 xv[NV];  // loaded once, used for every output row this input row feeds
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) xv[v] = vec16_load(src + 16 * v);
#pragma GCC unroll 8
      for (int rr = 0; rr < kRows; ++rr) {
        const int ki = pr - rr * ST;  // a constant once the loops are unrolled
        if (ki < 0 || ki >= K) continue;
        const float wv = wk[ki * K + kj];
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) vec16_fma(acc[rr][v], xv[v], wv);
      }
    }
  }
  const int64_t rows = std::min<int64_t>(kRows, oh - r0);
  for (int64_t rr = 0; rr < rows; ++rr)
    for (int v = 0; v < NV; ++v) {
      const int64_t col = c0 + 16 * v, n = std::min<int64_t>(16, ow - col);
      float* dst = y + (r0 + rr) * ow + col;
      if (n == 16) {
        vec16_store(dst, acc[rr][v]);
      } else if (n > 0) {
        float lanes[16];
        vec16_store(lanes, acc[rr][v]);
        std::memcpy(dst, lanes, size_t(n) * sizeof(float));
      }
    }
}

template <int K, int ST>
void channel(const float* plane, const Padded& p, const float* wk, float bias, float* y, int64_t oh, int64_t ow) {
  const int64_t vecs = (ow + 15) / 16;
  for (int64_t r0 = 0; r0 < oh; r0 += kRows)
    for (int64_t v0 = 0; v0 < vecs; v0 += kMaxVecs) {
      const int64_t c0 = v0 * 16;
      switch (std::min<int64_t>(kMaxVecs, vecs - v0)) {
        case 1: tile<K, ST, 1>(plane, p, wk, bias, y, oh, ow, r0, c0); break;
        case 2: tile<K, ST, 2>(plane, p, wk, bias, y, oh, ow, r0, c0); break;
#ifdef __AVX512F__
        case 3: tile<K, ST, 3>(plane, p, wk, bias, y, oh, ow, r0, c0); break;
        case 4: tile<K, ST, 4>(plane, p, wk, bias, y, oh, ow, r0, c0); break;
#endif
        default: break;
      }
    }
}

using ChannelFn = void (*)(const float*, const Padded&, const float*, float, float*, int64_t, int64_t);

ChannelFn channel_fn(int64_t k, int64_t st) {
  if (st == 1) return k == 3 ? channel<3, 1> : k == 5 ? channel<5, 1> : k == 7 ? channel<7, 1> : nullptr;
  if (st == 2) return k == 3 ? channel<3, 2> : k == 5 ? channel<5, 2> : k == 7 ? channel<7, 2> : nullptr;
  return nullptr;
}

}  // namespace

bool conv_depthwise(const float* x, const float* w, const float* bias, float* y, const DepthwiseShape& s) {
  const ChannelFn fn = channel_fn(s.k, s.stride);
  if (!fn || s.oh <= 0 || s.ow <= 0) return false;
  const Padded p = padded_geometry(s);
  const int64_t plane_in = s.h * s.w, plane_out = s.oh * s.ow;
  parallel_rows(s.n * s.c, plane_out * s.k * s.k, [&](int64_t b, int64_t e) {
    ScratchFloats pad(size_t(p.floats()));
    for (int64_t item = b; item < e; ++item) {
      const int64_t ch = item % s.c;
      pad_channel(x + item * plane_in, s, p, pad.data());
      fn(pad.data(), p, w + ch * s.k * s.k, bias ? bias[ch] : 0.f, y + item * plane_out, s.oh, s.ow);
    }
  });
  return true;
}

}  // namespace ptscope::kernels
