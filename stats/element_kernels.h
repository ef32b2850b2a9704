// The portable element kernels of the statistics passes (internal to
// stats/, used by tensor_stats.cpp): pass 1's moments, pass 2's histogram,
// threshold counts and pruning boundaries, written as plain loops the
// compiler vectorises, for the lanes and chunks the fused AVX-512/AVX2 loops
// (pass1_fused.cpp, pass2_fused.cpp) do not take; and the magnitude keys and
// threshold roundings both passes agree on.
#pragma once
#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "stats/pass2_fused.h"
#include "stats/simd.h"

namespace ptscope::stats::passes {

constexpr int64_t kChunk = 4096;             // decoded elements per step
constexpr int64_t kGroup = 128;              // int4 group size
constexpr int64_t kSmallPrune = 1 << 16;     // up to this many elements pruning sorts all magnitudes
constexpr uint32_t kKeyShift = 16;           // magnitude key: float bits of |w| >> 16
constexpr uint32_t kKeys = 1u << 15;         //   = 8 exponent + 7 mantissa bits (bfloat16, truncated)
constexpr uint32_t kNoKey = 0xffffffffu;
constexpr size_t kHistWays = stats::kHistWays;  // interleaved histogram tables per worker
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Monotone in |w|, so counting keys locates magnitude quantiles to 1/128 octave.
inline uint32_t mag_key(float w) { return (std::bit_cast<uint32_t>(w) & 0x7fffffffu) >> kKeyShift; }
inline uint32_t mag_key(double w) {
  // Rounded toward zero, so key(w) < k exactly when |w| < key_floor(k) also in double.
  const double a = std::min(std::fabs(w), double(FLT_MAX));
  float f = float(a);
  if (double(f) > a) f = std::nextafter(f, 0.0f);
  return std::bit_cast<uint32_t>(f) >> kKeyShift;
}
// Smallest magnitude with key k (k = kKeys... gives +inf).
inline float key_floor(uint32_t k) { return std::bit_cast<float>(std::min(k, 0x7f800000u >> kKeyShift) << kKeyShift); }

// Thresholds moved to the element type without changing any comparison:
// for float w, w < t ⟺ w < ceil_f(t) and w <= t ⟺ w <= floor_f(t).
template <class T> T ceil_to(double t) {
  if constexpr (sizeof(T) == 8) {
    return t;
  } else {
    float f = float(t);
    if (double(f) < t) f = std::nextafter(f, INFINITY);
    return f;
  }
}
template <class T> T floor_to(double t) {
  if constexpr (sizeof(T) == 8) {
    return t;
  } else {
    float f = float(t);
    if (double(f) > t) f = std::nextafter(f, -INFINITY);
    return f;
  }
}

// ---- pass 1: moments -------------------------------------------------------

struct Moments {
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;  // Σ(w − K)^p, K = the tensor's shift
  double l1 = 0, sq = 0;                  // Σ|w|, Σw²
  double mn = kInf, mx = -kInf;
  int64_t count = 0, zeros = 0, nan = 0, pinf = 0, ninf = 0;

  void add(const Moments& o) {
    s1 += o.s1; s2 += o.s2; s3 += o.s3; s4 += o.s4; l1 += o.l1; sq += o.sq;
    mn = std::min(mn, o.mn); mx = std::max(mx, o.mx);
    count += o.count; zeros += o.zeros; nan += o.nan; pinf += o.pinf; ninf += o.ninf;
  }
};

// One sweep, eight independent double lanes (vectorised without reassociation).
// Returns false when a non-finite value made the sums unusable.
template <class T> bool moments_fast(const T* x, int64_t n, double K, Moments& m) {
  constexpr int L = 8;
  double a1[L] = {}, a2[L] = {}, a3[L] = {}, a4[L] = {}, ab[L] = {}, sq[L] = {};
  T mn[L], mx[L];
  int64_t z[L] = {};
  for (int j = 0; j < L; ++j) mn[j] = T(INFINITY), mx[j] = T(-INFINITY);
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    for (int j = 0; j < L; ++j) {
      const T v = x[i + j];
      const double w = double(v), d = w - K, d2 = d * d;
      a1[j] += d;
      a2[j] += d2;
      a3[j] += d2 * d;
      a4[j] += d2 * d2;
      ab[j] += std::fabs(w);
      sq[j] += w * w;
      mn[j] = v < mn[j] ? v : mn[j];
      mx[j] = v > mx[j] ? v : mx[j];
      z[j] += v == T(0);
    }
  }
  for (int j = 0; i < n; ++i, ++j) {  // tail, spread over the lanes
    const T v = x[i];
    const double w = double(v), d = w - K, d2 = d * d;
    a1[j] += d; a2[j] += d2; a3[j] += d2 * d; a4[j] += d2 * d2; ab[j] += std::fabs(w); sq[j] += w * w;
    mn[j] = v < mn[j] ? v : mn[j];
    mx[j] = v > mx[j] ? v : mx[j];
    z[j] += v == T(0);
  }
  Moments r;
  for (int j = 0; j < L; ++j) {
    r.s1 += a1[j]; r.s2 += a2[j]; r.s3 += a3[j]; r.s4 += a4[j]; r.l1 += ab[j]; r.sq += sq[j];
    r.mn = std::min(r.mn, double(mn[j]));
    r.mx = std::max(r.mx, double(mx[j]));
    r.zeros += z[j];
  }
  r.count = n;
  if (!std::isfinite(r.s1) || !std::isfinite(r.sq)) return false;
  m.add(r);
  return true;
}

// The slow path for chunks holding NaN/inf: classify each element.
template <class T> void moments_careful(const T* x, int64_t n, double K, Moments& m) {
  for (int64_t i = 0; i < n; ++i) {
    const double w = double(x[i]);
    if (std::isnan(w)) { ++m.nan; continue; }
    if (std::isinf(w)) { ++(w > 0 ? m.pinf : m.ninf); continue; }
    const double d = w - K, d2 = d * d;
    m.s1 += d; m.s2 += d2; m.s3 += d2 * d; m.s4 += d2 * d2; m.l1 += std::fabs(w); m.sq += w * w;
    m.mn = std::min(m.mn, w);
    m.mx = std::max(m.mx, w);
    m.zeros += w == 0;
    ++m.count;
  }
}

// ---- pass 2 kernels ----------------------------------------------------------

template <class T> struct HistKernel {
  int bins = 1;
  T lo = 0, scale = 0;  // approximate position (x − lo)·scale, in bins
  std::vector<T> edge;  // edge[i] = smallest T >= numpy's edge i, so comparisons are exact
  // The vector path trusts the approximate position when it is at least
  // `margin` away from an integer (a bound on its rounding error and on the
  // edges' own rounding); the rest, and the double lane, go through index().
  T margin = 0;
  bool fast = false;

  int index(T v) const { return stats::numpy_bin(v, lo, scale, edge.data(), bins); }

  // counts holds kHistWays tables of `bins`, element i counting in table
  // i % kHistWays: the central bins of a bell curve take several % of the
  // values each, and with few tables their increments wait on each other's
  // stores (vgg16: 25% of the passes' profile with two tables, 13% with eight).
  void add(const T* x, int64_t n, uint64_t* counts, int32_t* idx) const {
    int64_t i = 0;
    if constexpr (sizeof(T) == 4) {
      using namespace stats::simd;
      if (fast) {
        const f32x16 vlo = splat(lo), vscale = splat(scale), vlast = splat(float(bins - 1));
        const f32x16 m0 = splat(margin), m1 = splat(1.0f - margin);
        for (; i + 16 <= n; i += 16) {
          const f32x16 v = load(x + i);
          const f32x16 f = min(max((v - vlo) * vscale, f32x16{}), vlast);
          i32x16 k = __builtin_convertvector(f, i32x16);
          const f32x16 frac = f - __builtin_convertvector(k, f32x16);
          const i32x16 unsure = (frac < m0) | (frac > m1);
          k |= unsure;  // -1 marks "decide exactly"
          std::memcpy(idx + i, &k, sizeof k);
        }
      }
    }
    for (; i < n; ++i) idx[i] = -1;
    count(x, n, counts, idx);
  }

  // Adds the bins in idx (-1: apply the exact rule here) to counts.
  void count(const T* x, int64_t n, uint64_t* counts, const int32_t* idx) const {
    auto bump = [&](int64_t i, size_t way) {
      const int k = idx[i] >= 0 ? idx[i] : index(x[i]);
      ++counts[way * size_t(bins) + size_t(k)];
    };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      static_assert(kHistWays == 8);
      bump(i, 0), bump(i + 1, 1), bump(i + 2, 2), bump(i + 3, 3);
      bump(i + 4, 4), bump(i + 5, 5), bump(i + 6, 6), bump(i + 7, 7);
    }
    for (size_t w = 0; i < n; ++i, ++w) bump(i, w);
  }
};

template <class T> void count_thresholds(const T* x, int64_t n, const T ksig[3], T near, int64_t below[3],
                                         int64_t& near_count) {
  int64_t b0 = 0, b1 = 0, b2 = 0, nz = 0;
  int64_t i = 0;
  if constexpr (sizeof(T) == 4) {
    using namespace stats::simd;
    // Comparison masks are -1 where true: subtracting them counts (n <= 4096 per call).
    const f32x16 k0 = splat(ksig[0]), k1 = splat(ksig[1]), k2 = splat(ksig[2]), nv = splat(near);
    i32x16 c0{}, c1{}, c2{}, cn{};
    for (; i + 16 <= n; i += 16) {
      const f32x16 a = abs(load(x + i));
      c0 -= a < k0;
      c1 -= a < k1;
      c2 -= a < k2;
      cn -= a <= nv;
    }
    for (int l = 0; l < 16; ++l) b0 += c0[l], b1 += c1[l], b2 += c2[l], nz += cn[l];
  }
  for (; i < n; ++i) {
    const T a = std::fabs(x[i]);
    b0 += a < ksig[0];
    b1 += a < ksig[1];
    b2 += a < ksig[2];
    nz += a <= near;
  }
  below[0] += b0; below[1] += b1; below[2] += b2;
  near_count += nz;
}

// Energy of the weights below each boundary magnitude, and the magnitudes in
// each boundary key's range [lo, hi) (sorted out exactly at the end).
template <class T> void prune_boundaries(const T* x, int64_t n, const T lo[3], const T hi[3], double e_below[3],
                                         std::vector<double> collect[3]) {
  auto scalar = [&](int64_t from, int64_t to) {
    for (int64_t t = from; t < to; ++t) {
      const T a = std::fabs(x[t]);
      const double w2 = double(a) * double(a);
      for (int j = 0; j < 3; ++j) {
        if (a < lo[j]) e_below[j] += w2;
        else if (a < hi[j]) collect[j].push_back(double(a));
      }
    }
  };
  int64_t i = 0;
  if constexpr (sizeof(T) == 4) {
    using namespace stats::simd;
    const f32x16 l0 = splat(lo[0]), l1 = splat(lo[1]), l2 = splat(lo[2]);
    const f32x16 h0 = splat(hi[0]), h1 = splat(hi[1]), h2 = splat(hi[2]);
    const f64x8 d0 = splat(double(lo[0])), d1 = splat(double(lo[1])), d2 = splat(double(lo[2]));
    f64x8 e0{}, e1{}, e2{};
    for (; i + 16 <= n; i += 16) {
      const f32x16 a = abs(load(x + i));
      const f64x8 al = low_half(a), ah = high_half(a);
      const f64x8 wl = al * al, wh = ah * ah;
      e0 += select(al < d0, wl) + select(ah < d0, wh);
      e1 += select(al < d1, wl) + select(ah < d1, wh);
      e2 += select(al < d2, wl) + select(ah < d2, wh);
      // Boundary keys hold well under 1% of the weights: look closer only on a
      // hit, and append without branching on each value (they are random).
      const i32x16 hit[3] = {(a >= l0) & (a < h0), (a >= l1) & (a < h1), (a >= l2) & (a < h2)};
      if (!any(hit[0] | hit[1] | hit[2])) continue;
      for (int j = 0; j < 3; ++j) {
        if (!any(hit[j])) continue;
        std::vector<double>& c = collect[j];
        const size_t old = c.size();
        c.resize(old + 16);
        size_t m = old;
        for (int t = 0; t < 16; ++t) {
          c[m] = double(a[t]);
          m += hit[j][t] != 0;
        }
        c.resize(m);
      }
    }
    e_below[0] += sum(e0);
    e_below[1] += sum(e1);
    e_below[2] += sum(e2);
  }
  scalar(i, n);
}

}  // namespace ptscope::stats::passes
