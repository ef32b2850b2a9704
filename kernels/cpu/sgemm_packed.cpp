// Packed SGEMM. Loop nest (Goto / BLIS): for each NC-column block of C and
// KC-deep slice of K, B's KC x NC block is packed into NR-wide panels that
// stay in L2 (512 KB); then for each MR-row strip of A, the strip is packed
// into a KC x MR panel (L1) and the micro-kernel sweeps it across every B
// panel. The micro-kernel keeps an MR x NR tile of C in vector registers and
// does one broadcast of A and NR/lanes vector loads of B per FMA row.
// Eigen's product packs the whole left-hand block at once for large shapes
// (4.8 MB for BERT's 768x3072 weights) and then streams it from DRAM; the
// fixed L2-sized blocks here are what keep large products compute-bound.
#include "kernels/cpu/sgemm_packed.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define PTSCOPE_GEMM_X86 1
#endif

namespace ptscope::kernels {
namespace {

#if defined(__AVX512F__)
constexpr int64_t MR = 12, NR = 32;  // 24 zmm accumulators + 2 B vectors + 1 broadcast
constexpr const char* kIsa = "avx512";
#elif defined(PTSCOPE_GEMM_X86)
constexpr int64_t MR = 6, NR = 16;  // 12 ymm accumulators + 2 B vectors + 1 broadcast
constexpr const char* kIsa = "avx2";
#else
constexpr int64_t MR = 4, NR = 16;
constexpr const char* kIsa = "generic";
#endif
constexpr int64_t KC = 256;  // K slice: an A panel (12 KB) stays in L1
constexpr int64_t NC = 512;  // B block KC x NC = 512 KB: half of a 1 MB L2

// Per-thread, 64-byte aligned packing buffers, grown on demand.
struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(p); }
  float* get(size_t want) {
    if (want > n) {
      std::free(p);
      p = static_cast<float*>(std::aligned_alloc(64, (want * sizeof(float) + 63) / 64 * 64));
      if (!p) throw std::bad_alloc();
      n = want;
    }
    return p;
  }
};
thread_local Scratch t_bpack, t_apack;

// ---- micro-kernels: C[R, NR] (=|+=) Apanel[kc][MR] · Bpanel[kc][NR] --------

#if defined(__AVX512F__)
template <int R>
void micro(int64_t kc, const float* __restrict a, const float* __restrict b, float* c, int64_t ldc, bool accumulate) {
  __m512 c0[R], c1[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; ++p, a += MR, b += NR) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[r]);
      c0[r] = _mm512_fmadd_ps(av, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(av, b1, c1[r]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    float* cr = c + r * ldc;
    if (accumulate) {
      c0[r] = _mm512_add_ps(c0[r], _mm512_loadu_ps(cr));
      c1[r] = _mm512_add_ps(c1[r], _mm512_loadu_ps(cr + 16));
    }
    _mm512_storeu_ps(cr, c0[r]);
    _mm512_storeu_ps(cr + 16, c1[r]);
  }
}
#elif defined(PTSCOPE_GEMM_X86)
template <int R>
void micro(int64_t kc, const float* __restrict a, const float* __restrict b, float* c, int64_t ldc, bool accumulate) {
  __m256 c0[R], c1[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p, a += MR, b += NR) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + r);
      c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
      c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    float* cr = c + r * ldc;
    if (accumulate) {
      c0[r] = _mm256_add_ps(c0[r], _mm256_loadu_ps(cr));
      c1[r] = _mm256_add_ps(c1[r], _mm256_loadu_ps(cr + 8));
    }
    _mm256_storeu_ps(cr, c0[r]);
    _mm256_storeu_ps(cr + 8, c1[r]);
  }
}
#else
template <int R>
void micro(int64_t kc, const float* __restrict a, const float* __restrict b, float* c, int64_t ldc, bool accumulate) {
  float acc[R][NR] = {};
  for (int64_t p = 0; p < kc; ++p, a += MR, b += NR)
    for (int r = 0; r < R; ++r)
      for (int64_t j = 0; j < NR; ++j) acc[r][j] += a[r] * b[j];
  for (int r = 0; r < R; ++r)
    for (int64_t j = 0; j < NR; ++j) c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r][j] : acc[r][j];
}
#endif

using MicroFn = void (*)(int64_t, const float*, const float*, float*, int64_t, bool);
template <size_t... I>
constexpr std::array<MicroFn, sizeof...(I)> micro_table(std::index_sequence<I...>) {
  return {&micro<int(I) + 1>...};
}
constexpr auto kMicro = micro_table(std::make_index_sequence<size_t(MR)>{});  // kMicro[rows - 1]

// One tile of C: `rows` x `cols`, element (r, j) at c[r * ldc + j], or at
// c[j * ldc + r] when c_trans. Ragged and transposed tiles go through a
// scratch tile.
void tile(int64_t rows, int64_t cols, int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc,
          bool accumulate, bool c_trans) {
  if (cols == NR && !c_trans) return kMicro[size_t(rows - 1)](kc, ap, bp, c, ldc, accumulate);
  alignas(64) float tmp[MR * NR];
  kMicro[size_t(rows - 1)](kc, ap, bp, tmp, NR, false);
  const int64_t rs = c_trans ? 1 : ldc, cs = c_trans ? ldc : 1;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) {
      float& dst = c[r * rs + j * cs];
      dst = accumulate ? dst + tmp[r * NR + j] : tmp[r * NR + j];
    }
}

// ---- packing ---------------------------------------------------------------

// Copies `lanes` (<= 8) rows of an 8-column strip, transposed and scaled:
// dst[j * stride + i] = scale * rows[i][j]. Rows past `lanes` are read from
// rows[0] (valid memory) and dropped.
void transpose8(const float* const* rows, int lanes, float scale, float* dst, int64_t stride) {
#ifdef PTSCOPE_GEMM_X86
  __m256 r[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(rows[i < lanes ? i : 0]);
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  // s_q: columns q (low lane) and q + 4 (high lane) of rows 0-3 / 4-7.
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  __m256 col[8] = {_mm256_permute2f128_ps(s0, s4, 0x20), _mm256_permute2f128_ps(s1, s5, 0x20),
                   _mm256_permute2f128_ps(s2, s6, 0x20), _mm256_permute2f128_ps(s3, s7, 0x20),
                   _mm256_permute2f128_ps(s0, s4, 0x31), _mm256_permute2f128_ps(s1, s5, 0x31),
                   _mm256_permute2f128_ps(s2, s6, 0x31), _mm256_permute2f128_ps(s3, s7, 0x31)};
  const __m256 sv = _mm256_set1_ps(scale);
  for (int j = 0; j < 8; ++j) {
    const __m256 v = scale == 1.f ? col[j] : _mm256_mul_ps(col[j], sv);
    float* d = dst + j * stride;
    if (lanes == 8) {
      _mm256_storeu_ps(d, v);
    } else if (lanes == 4) {
      _mm_storeu_ps(d, _mm256_castps256_ps128(v));
    } else {
      alignas(32) float tmp[8];
      _mm256_store_ps(tmp, v);
      std::memcpy(d, tmp, size_t(lanes) * sizeof(float));
    }
  }
#else
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < lanes; ++i) dst[j * stride + i] = scale * rows[i][j];
#endif
}

// dst[p * width + i] = scale * src_rows[i][p] for i < count, p < kc: a
// transposing copy from `count` rows that are contiguous along p.
void pack_transposed(const float* const* src_rows, int64_t count, int64_t kc, float scale, float* dst, int64_t width) {
  for (int64_t i0 = 0; i0 < count; i0 += 8) {
    const int lanes = int(std::min<int64_t>(8, count - i0));
    const float* rows[8];
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      for (int i = 0; i < lanes; ++i) rows[i] = src_rows[i0 + i] + p;
      transpose8(rows, lanes, scale, dst + p * width + i0, width);
    }
    for (; p < kc; ++p)
      for (int i = 0; i < lanes; ++i) dst[p * width + i0 + i] = scale * src_rows[i0 + i][p];
  }
}

// A strip: rows [i0, i0 + rows) x K slice [p0, p0 + kc) of op(A), times
// alpha, as ap[p * MR + r].
void pack_a(const MatRef& a, int64_t i0, int64_t rows, int64_t p0, int64_t kc, float alpha, float* ap) {
  if (a.trans) {  // op(A)(i, p) = a.p[p * ld + i]: each p is a contiguous run of rows
    for (int64_t p = 0; p < kc; ++p) {
      const float* src = a.p + (p0 + p) * a.ld + i0;
      float* d = ap + p * MR;
      for (int64_t r = 0; r < rows; ++r) d[r] = alpha * src[r];
    }
    return;
  }
  const float* src[MR];
  for (int64_t r = 0; r < rows; ++r) src[r] = a.p + (i0 + r) * a.ld + p0;
  pack_transposed(src, rows, kc, alpha, ap, MR);
}

// B panel: K slice [p0, p0 + kc) x columns [j0, j0 + cols) of op(B) as
// bp[p * NR + j], zero past cols.
void pack_b(const MatRef& b, int64_t p0, int64_t kc, int64_t j0, int64_t cols, float* bp) {
  if (!b.trans) {  // rows of op(B) are contiguous
    for (int64_t p = 0; p < kc; ++p) {
      float* d = bp + p * NR;
      const float* src = b.p + (p0 + p) * b.ld + j0;
      if (cols == NR) {
        std::memcpy(d, src, NR * sizeof(float));  // fixed size: inlined vector moves
        continue;
      }
      std::memcpy(d, src, size_t(cols) * sizeof(float));
      std::memset(d + cols, 0, size_t(NR - cols) * sizeof(float));
    }
    return;
  }
  if (cols < NR) std::memset(bp, 0, size_t(kc * NR) * sizeof(float));
  const float* src[NR];
  for (int64_t j = 0; j < cols; ++j) src[j] = b.p + (j0 + j) * b.ld + p0;
  pack_transposed(src, cols, kc, 1.f, bp, NR);
}

// Software prefetch of the rows [r0, r1) of a stored block (`len` floats
// from each row start): each row of a block is a short run at a large
// stride, too short for the hardware stream prefetchers to pick up.
// locality 3 = into L1 (needed next), 2 = L2 (needed in a while).
template <int Locality>
void prefetch_rows(const float* base, int64_t ld, int64_t r0, int64_t r1, int64_t len) {
#if defined(__GNUC__)
  for (int64_t r = r0; r < r1; ++r) {
    const char* row = reinterpret_cast<const char*>(base + r * ld);
    for (int64_t off = 0; off < len * int64_t(sizeof(float)); off += 64) __builtin_prefetch(row + off, 0, Locality);
  }
#else
  (void)base, (void)ld, (void)r0, (void)r1, (void)len;
#endif
}

// The stored layout of op(M)'s block rows [r0, r0 + rows) x cols [c0, c0 + cols):
// `count` runs of `len` floats from `base` at stride ld.
struct Runs {
  const float* base = nullptr;
  int64_t ld = 0, count = 0, len = 0;
};
Runs runs_of(const MatRef& m, int64_t r0, int64_t rows, int64_t c0, int64_t cols) {
  if (m.trans) return {m.p + c0 * m.ld + r0, m.ld, cols, rows};
  return {m.p + r0 * m.ld + c0, m.ld, rows, cols};
}

void scale_c(int64_t m, int64_t n, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0) std::fill(row, row + n, 0.f);
    else
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
  }
}

// Columns the micro-kernel computes for n real ones, over n (>= 1).
double column_waste(int64_t n) { return double((n + NR - 1) / NR * NR) / double(n); }

// The blocked loop nest; C (m x n) is stored transposed when c_trans.
void gemm_blocked(int64_t m, int64_t n, int64_t k, float alpha, const MatRef& a, const MatRef& b, float beta, float* c,
                  int64_t ldc, bool c_trans) {
  // Even K slices (no short tail slice), rounded up to whole 8-wide transposes.
  const int64_t slices = (k + KC - 1) / KC;
  const int64_t kc_step = ((k + slices - 1) / slices + 7) / 8 * 8;
  float* bp = t_bpack.get(size_t(kc_step * NC));
  float* ap = t_apack.get(size_t(kc_step * MR));
  const int64_t strips = (m + MR - 1) / MR;
  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = std::min(NC, n - jc);
    for (int64_t pc = 0; pc < k; pc += kc_step) {
      const int64_t kc = std::min(kc_step, k - pc);
      for (int64_t jr = 0; jr < nc; jr += NR) pack_b(b, pc, kc, jc + jr, std::min(NR, nc - jr), bp + jr * kc);
      const bool accumulate = beta != 0 || pc > 0;
      // The next B block, fetched into L2 a slice per A strip while this one computes.
      const int64_t next_pc = pc + kc < k ? pc + kc : 0, next_jc = pc + kc < k ? jc : jc + nc;
      Runs next_b;
      if (next_jc < n)
        next_b = runs_of(b, next_pc, std::min(kc_step, k - next_pc), next_jc, std::min(NC, n - next_jc));
      const int64_t b_runs_per_strip = (next_b.count + strips - 1) / strips;
      for (int64_t ir = 0, strip = 0; ir < m; ir += MR, ++strip) {
        const int64_t rows = std::min(MR, m - ir);
        if (ir + 2 * MR < m) {  // the A strip after next, into L1
          const Runs ra = runs_of(a, ir + 2 * MR, std::min(MR, m - ir - 2 * MR), pc, kc);
          prefetch_rows<3>(ra.base, ra.ld, 0, ra.count, ra.len);
        }
        const int64_t b0 = std::min(next_b.count, strip * b_runs_per_strip);
        prefetch_rows<2>(next_b.base, next_b.ld, b0, std::min(next_b.count, b0 + b_runs_per_strip), next_b.len);
        pack_a(a, ir, rows, pc, kc, alpha, ap);
        for (int64_t jr = 0; jr < nc; jr += NR)
          tile(rows, std::min(NR, nc - jr), kc, ap, bp + jr * kc,
               c_trans ? c + (jc + jr) * ldc + ir : c + ir * ldc + jc + jr, ldc, accumulate, c_trans);
      }
    }
  }
}

}  // namespace

void sgemm_packed_serial(int64_t m, int64_t n, int64_t k, float alpha, const MatRef& a, const MatRef& b, float beta,
                         float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    if (beta != 1) scale_c(m, n, beta, c, ldc);
    return;
  }
  if (beta != 0 && beta != 1) scale_c(m, n, beta, c, ldc);
  // Rows cost nothing extra at any count (one kernel per row count), columns
  // round up to NR: when n is ragged (7x7 = 49 output pixels) and m is not,
  // compute Cᵀ = op(B)ᵀ · op(A)ᵀ instead, storing its tiles transposed
  // (about 5% extra per tile, hence the margin).
  if (column_waste(n) > 1.1 * column_waste(m))
    return gemm_blocked(n, m, k, alpha, MatRef{b.p, b.ld, !b.trans}, MatRef{a.p, a.ld, !a.trans}, beta, c, ldc, true);
  gemm_blocked(m, n, k, alpha, a, b, beta, c, ldc, false);
}

int64_t sgemm_packed_mr() { return MR; }
int64_t sgemm_packed_nr() { return NR; }
const char* sgemm_packed_isa() { return kIsa; }

}  // namespace ptscope::kernels
