// Sixteen-float / eight-double vectors (GCC/Clang vector extensions) for the
// hot loops where the auto-vectoriser gives up: masked sums, fused
// fake-quantization, histogram indices. Internal to stats/. A 64-byte vector
// is one AVX-512 register, or split by the compiler on narrower targets.
#pragma once
#include <cstdint>
#include <cstring>

// In the portable build these vectors are wider than the baseline's
// registers; GCC then notes that passing them by value has another ABI than
// under AVX-512. They never cross a library boundary (every user is compiled
// with the same flags), so the note is silenced for this header's users.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace ptscope::stats::simd {

using f32x16 = float __attribute__((vector_size(64)));
using i32x16 = int32_t __attribute__((vector_size(64)));
using f32x8 = float __attribute__((vector_size(32)));
using i32x8 = int32_t __attribute__((vector_size(32)));
using f64x8 = double __attribute__((vector_size(64)));
using i64x8 = int64_t __attribute__((vector_size(64)));

inline f32x16 load(const float* p) {
  f32x16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline f32x16 splat(float x) { return f32x16{} + x; }
inline f64x8 splat(double x) { return f64x8{} + x; }
inline f32x16 abs(f32x16 v) { return reinterpret_cast<f32x16>(reinterpret_cast<i32x16>(v) & 0x7fffffff); }
inline f32x16 min(f32x16 a, f32x16 b) { return a < b ? a : b; }
inline f32x8 max8(f32x8 a, f32x8 b) { return a > b ? a : b; }
inline f32x16 max(f32x16 a, f32x16 b) { return a > b ? a : b; }
inline f32x16 select(i32x16 mask, f32x16 a) {  // mask ? a : 0
  return reinterpret_cast<f32x16>(reinterpret_cast<i32x16>(a) & mask);
}
inline f64x8 select(i64x8 mask, f64x8 a) { return reinterpret_cast<f64x8>(reinterpret_cast<i64x8>(a) & mask); }

// Round half to even for |v| < 2^22: adding and removing 1.5·2^23 leaves the
// rounding to the FPU's default mode (needs strict IEEE semantics, i.e. no
// -ffast-math, which this project never uses).
inline f32x16 round_even(f32x16 v) {
  const f32x16 magic = splat(12582912.0f);
  return (v + magic) - magic;
}

inline f64x8 low_half(f32x16 v) {
  return __builtin_convertvector(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7), f64x8);
}
inline f64x8 high_half(f32x16 v) {
  return __builtin_convertvector(__builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15), f64x8);
}

inline double sum(f64x8 v) {
  double s = 0;
  for (int i = 0; i < 8; ++i) s += v[i];
  return s;
}
inline double sum(f32x16 v) {
  double s = 0;
  for (int i = 0; i < 16; ++i) s += double(v[i]);
  return s;
}
// Horizontal reductions by halving, so they stay in vector registers.
inline float hmax(f32x16 v) {
  const f32x8 a = max8(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7),
                       __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15));
  float m = a[0];
  for (int i = 1; i < 8; ++i) m = a[i] > m ? a[i] : m;
  return m;
}
inline bool any(i32x16 m) {
  const i32x8 a = __builtin_shufflevector(m, m, 0, 1, 2, 3, 4, 5, 6, 7) |
                  __builtin_shufflevector(m, m, 8, 9, 10, 11, 12, 13, 14, 15);
  using i64x4 = int64_t __attribute__((vector_size(32)));
  const i64x4 b = reinterpret_cast<i64x4>(a);
  return ((b[0] | b[1]) | (b[2] | b[3])) != 0;
}

}  // namespace ptscope::stats::simd
