#include "stats/quant_sensitivity.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "stats/quant_kernels.h"
#include "stats/simd.h"

namespace ptscope {
namespace {

// float → IEEE half → float, round half to even, overflow to ±inf (what
// torch's float→half conversion does). Branch-free so the loops vectorise.
inline float rt_half(float x) {
  const uint32_t b = std::bit_cast<uint32_t>(x);
  const uint32_t sign = b & 0x80000000u, a = b & 0x7fffffffu;
  // Half normals keep 10 of float's 23 mantissa bits: round the 13 dropped ones.
  float normal = std::bit_cast<float>((a + 0x0fffu + ((a >> 13) & 1u)) & ~0x1fffu);
  normal = normal > 65504.0f ? INFINITY : normal;
  // Below 2^-14 half is fixed-point with step 2^-24; both scalings are exact.
  const float af = std::bit_cast<float>(a);
  const float sub = std::nearbyint(af * 0x1p24f) * 0x1p-24f;
  const float m = af < 0x1p-14f ? sub : normal;
  return std::bit_cast<float>(std::bit_cast<uint32_t>(m) | sign);
}

// float → bfloat16 → float, round half to even (c10::BFloat16's rounding).
inline float rt_bf16(float x) {
  const uint32_t b = std::bit_cast<uint32_t>(x);
  return std::bit_cast<float>((b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u);
}

template <class T> double fq_error_lanes(const T* x, int64_t n, T s, T inv, T qmin, T qmax) {
  // Independent lane accumulators: the compiler vectorises this without
  // reassociating (chunks are <= 4096 elements, so float sums stay accurate).
  constexpr int L = 64 / sizeof(T);
  T acc[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    for (int j = 0; j < L; ++j) {
      T q = std::nearbyint(x[i + j] * inv);
      q = q < qmin ? qmin : q;
      q = q > qmax ? qmax : q;
      const T e = x[i + j] - q * s;
      acc[j] += e * e;
    }
  }
  double total = 0;
  for (; i < n; ++i) {
    T q = std::nearbyint(x[i] * inv);
    q = std::min(std::max(q, qmin), qmax);
    const double e = double(x[i]) - double(q * s);
    total += e * e;
  }
  for (int j = 0; j < L; ++j) total += double(acc[j]);
  return total;
}

// The scalar double reference, for tails and for granules of denormal-sized
// weights whose scale has no float inverse.
template <class T> double fq_error_reference(const T* x, int64_t n, double scale, int bits) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double e = double(x[i]) - fake_quant(double(x[i]), scale, bits);
    total += e * e;
  }
  return total;
}

template <class T> double fq_error_impl(const T* x, int64_t n, double scale, int bits) {
  if (scale == 0 || n == 0) return 0;
  const double qmax = double((1 << (bits - 1)) - 1), qmin = -qmax - 1;
  const double inv = 1.0 / scale;
  if constexpr (sizeof(T) == 4) {
    if (inv > double(FLT_MAX) || scale < double(FLT_MIN)) return fq_error_reference(x, n, scale, bits);
  }
  return fq_error_lanes<T>(x, n, T(scale), T(inv), T(qmin), T(qmax));
}

template <class T> double fq_error_groups_impl(const T* x, int64_t n, int64_t group, int bits) {
  const double qmax = double((1 << (bits - 1)) - 1);
  double total = 0;
  for (int64_t g = 0; g < n; g += group) {
    const int64_t len = std::min(group, n - g);
    T amax = 0;
    for (int64_t i = 0; i < len; ++i) {
      const T a = std::fabs(x[g + i]);
      amax = a > amax ? a : amax;
    }
    total += fq_error_impl(x + g, len, double(amax) / qmax, bits);
  }
  return total;
}

template <class T> void round_trip_impl(const T* x, int64_t n, stats::RoundTripAcc& acc) {
  constexpr int L = 16;
  float eh[L] = {}, eb[L] = {};
  int32_t over[L] = {}, flush[L] = {};
  double eh_d = 0, eb_d = 0;
  int64_t i = 0;
  if constexpr (sizeof(T) == 4) {
    for (; i + L <= n; i += L) {
      for (int j = 0; j < L; ++j) {
        const float v = x[i + j];
        const float h = rt_half(v), b = rt_bf16(v);
        const float dh = v - h, db = v - b;  // exact: h and b are within a factor 2 of v
        eh[j] += dh * dh;
        eb[j] += db * db;
        over[j] += std::fabs(h) == INFINITY;
        flush[j] += (h == 0.0f) & (v != 0.0f);
      }
    }
  }
  for (; i < n; ++i) {
    const double v = double(x[i]);
    const float h = rt_half(float(x[i])), b = rt_bf16(float(x[i]));
    const double dh = v - double(h), db = v - double(b);
    eh_d += dh * dh;
    eb_d += db * db;
    acc.fp16_overflow += std::isinf(h);
    acc.fp16_flush += (h == 0.0f) && v != 0.0;
  }
  for (int j = 0; j < L; ++j) {
    eh_d += double(eh[j]);
    eb_d += double(eb[j]);
    acc.fp16_overflow += over[j];
    acc.fp16_flush += flush[j];
  }
  acc.fp16_error += eh_d;
  acc.bf16_error += eb_d;
}

// A scale as the float vector loop uses it; ok = false sends the run to the
// double fallback (scales whose inverse overflows float).
struct VecScale {
  float s = 0, inv = 0;
  bool ok = true;
};
VecScale vec_scale(double scale) {
  if (scale == 0) return {0, 0, true};  // absmax 0: q = 0, exact
  const double inv = 1.0 / scale;
  if (inv > double(FLT_MAX) || scale < double(FLT_MIN)) return {0, 0, false};
  return {float(scale), float(inv), true};
}

inline stats::simd::f32x16 sq_error(stats::simd::f32x16 v, VecScale s, float qmin, float qmax) {
  using namespace stats::simd;
  f32x16 q = round_even(v * s.inv);
  q = min(max(q, splat(qmin)), splat(qmax));
  const f32x16 e = v - q * s.s;
  return e * e;
}

void fq_run_float(const float* x, int64_t n, const stats::RunScales& sc, stats::RunErrors& out) {
  using namespace stats::simd;
  const VecScale t8 = vec_scale(sc.int8_tensor), t4 = vec_scale(sc.int4_tensor);
  const VecScale c8 = vec_scale(sc.channel ? sc.int8_channel : 0), c4 = vec_scale(sc.channel ? sc.int4_channel : 0);
  const int64_t nv = n / 16 * 16;
  f32x16 a8t{}, a4t{}, a8c{}, a4c{};
  for (int64_t i = 0; i < nv; i += 16) {
    const f32x16 v = load(x + i);
    a8t += sq_error(v, t8, -128, 127);
    a4t += sq_error(v, t4, -8, 7);
    if (sc.channel) {
      a8c += sq_error(v, c8, -128, 127);
      a4c += sq_error(v, c4, -8, 7);
    }
  }
  auto finish = [&](const VecScale& vs, f32x16 acc, double scale, int bits) {
    if (!vs.ok) return fq_error_reference(x, n, scale, bits);
    return sum(acc) + fq_error_reference(x + nv, n - nv, scale, bits);  // + the last < 16
  };
  out.int8_tensor += finish(t8, a8t, sc.int8_tensor, 8);
  out.int4_tensor += finish(t4, a4t, sc.int4_tensor, 4);
  if (sc.channel) {
    out.int8_channel += finish(c8, a8c, sc.int8_channel, 8);
    out.int4_channel += finish(c4, a4c, sc.int4_channel, 4);
  }
  // Groups of 128 = eight vectors: absmax, then the error with that scale.
  f32x16 ag{};
  int64_t g = 0;
  for (; g + 128 <= n; g += 128) {
    f32x16 m{};
    for (int k = 0; k < 8; ++k) m = max(m, abs(load(x + g + 16 * k)));
    const double scale = double(hmax(m)) / 7.0;
    const VecScale vs = vec_scale(scale);
    if (!vs.ok) {
      out.int4_group += fq_error_reference(x + g, 128, scale, 4);
      continue;
    }
    for (int k = 0; k < 8; ++k) ag += sq_error(load(x + g + 16 * k), vs, -8, 7);
  }
  out.int4_group += sum(ag) + fq_error_groups_impl(x + g, n - g, 128, 4);
}

}  // namespace

namespace stats {
void fq_run(const float* x, int64_t n, const RunScales& sc, RunErrors& out) { fq_run_float(x, n, sc, out); }
void fq_run(const double* x, int64_t n, const RunScales& sc, RunErrors& out) {
  out.int8_tensor += fq_error_impl(x, n, sc.int8_tensor, 8);
  out.int4_tensor += fq_error_impl(x, n, sc.int4_tensor, 4);
  if (sc.channel) {
    out.int8_channel += fq_error_impl(x, n, sc.int8_channel, 8);
    out.int4_channel += fq_error_impl(x, n, sc.int4_channel, 4);
  }
  out.int4_group += fq_error_groups_impl(x, n, 128, 4);
}

void round_trip_errors(const float* x, int64_t n, RoundTripAcc& acc) { round_trip_impl(x, n, acc); }
void round_trip_errors(const double* x, int64_t n, RoundTripAcc& acc) { round_trip_impl(x, n, acc); }
}  // namespace stats

double fake_quant(double w, double scale, int bits) {
  if (scale == 0) return 0;
  const double qmax = double((1 << (bits - 1)) - 1);
  const double q = std::clamp(std::nearbyint(w / scale), -qmax - 1, qmax);
  return q * scale;
}

double round_trip_fp16(double w) { return double(rt_half(float(w))); }
double round_trip_bf16(double w) { return double(rt_bf16(float(w))); }

double sqnr_db(double signal_energy, double error_energy) {
  if (std::isnan(signal_energy) || std::isnan(error_energy)) return std::nan("");
  if (error_energy == 0) return INFINITY;
  return 10.0 * std::log10(signal_energy / error_energy);
}

void recommend_precision(QuantStats& q, int ndim, int64_t numel, int source_bits, const QuantRule& rule) {
  char buf[256];
  auto sixteen = [&](const std::string& why) {
    // fp16 unless it overflows or loses more than bf16 does.
    const bool fp16 = q.fp16_overflow == 0 && !(q.sqnr_bf16_db > q.sqnr_fp16_db);
    q.recommended_bits = 16;
    q.recommended_format = fp16 ? "fp16" : "bf16";
    std::snprintf(buf, sizeof buf, "; %s (fp16 SQNR %.1f dB, %lld overflow, bf16 SQNR %.1f dB)",
                  fp16 ? "fp16" : "bf16", q.sqnr_fp16_db, static_cast<long long>(q.fp16_overflow), q.sqnr_bf16_db);
    q.recommendation_reason = why + buf;
  };
  if (source_bits <= 8) {
    q.recommended_bits = source_bits;
    q.recommended_format = "keep";
    q.recommendation_reason = "already stored in " + std::to_string(source_bits) + " bits";
  } else if (ndim < 2 || numel < rule.min_numel) {
    std::snprintf(buf, sizeof buf, "1-D or fewer than %lld elements: keep 16-bit", static_cast<long long>(rule.min_numel));
    sixteen(buf);
  } else if (q.sqnr_int4_group_db >= rule.int4_min_sqnr_db) {
    q.recommended_bits = 4;
    q.recommended_format = "int4-g128";
    std::snprintf(buf, sizeof buf, "int4 per-group-128 SQNR %.1f dB >= %.1f dB", q.sqnr_int4_group_db, rule.int4_min_sqnr_db);
    q.recommendation_reason = buf;
  } else if (q.sqnr_int8_channel_db >= rule.int8_min_sqnr_db) {
    q.recommended_bits = 8;
    q.recommended_format = "int8-channel";
    std::snprintf(buf, sizeof buf, "int4-g128 SQNR %.1f dB < %.1f dB; int8 per-channel SQNR %.1f dB >= %.1f dB",
                  q.sqnr_int4_group_db, rule.int4_min_sqnr_db, q.sqnr_int8_channel_db, rule.int8_min_sqnr_db);
    q.recommendation_reason = buf;
  } else {
    std::snprintf(buf, sizeof buf, "int8 per-channel SQNR %.1f dB < %.1f dB", q.sqnr_int8_channel_db,
                  rule.int8_min_sqnr_db);
    sixteen(buf);
  }
}

}  // namespace ptscope
