// Packed SGEMM. Loop nest (Goto / BLIS): for each NC-column block of C and
// KC-deep slice of K, B's KC x NC block is packed into NR-wide panels that
// stay in L2 (512 KB); then for each MR-row strip of A, the strip is packed
// into a KC x MR panel (L1) and the micro-kernel sweeps it across every B
// panel. The micro-kernel keeps an MR x NR tile of C in vector registers and
// does one broadcast of A and NR/lanes vector loads of B per FMA row.
// Eigen's product packs the whole left-hand block at once for large shapes
// (4.8 MB for BERT's 768x3072 weights) and then streams it from DRAM; the
// fixed L2-sized blocks here are what keep large products compute-bound.
//
// One binary carries three copies of the kernels (sgemm_packed_isa.inc):
// AVX-512 12x32, AVX2+FMA 6x16 and a portable 4x16 loop, each compiled in
// its own target region; active_isa() picks one per call (core/isa.h).
#include "kernels/cpu/sgemm_packed.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "core/isa.h"

#if PTSCOPE_HAVE_X86_PATHS
#include <immintrin.h>
#endif

namespace ptscope::kernels {
namespace {

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

#define PTSCOPE_ISA_BODY "kernels/cpu/sgemm_packed_isa.inc"
#include "core/isa_paths.inc"

struct PackedPath {
  int64_t mr, nr;
  decltype(&generic::run) run;
};

// Indexed by Isa (generic, avx2, avx512).
constexpr PackedPath kPackedPaths[] = {{generic::MR, generic::NR, &generic::run},
                                       {avx2::MR, avx2::NR, &avx2::run},
                                       {avx512::MR, avx512::NR, &avx512::run}};

const PackedPath& packed_path() { return kPackedPaths[int(active_isa())]; }

}  // namespace

void sgemm_packed_serial(int64_t m, int64_t n, int64_t k, float alpha, const MatRef& a, const MatRef& b, float beta,
                         float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    if (beta != 1) scale_c(m, n, beta, c, ldc);
    return;
  }
  if (beta != 0 && beta != 1) scale_c(m, n, beta, c, ldc);
  packed_path().run(m, n, k, alpha, a, b, beta, c, ldc);
}

int64_t sgemm_packed_mr() { return packed_path().mr; }
int64_t sgemm_packed_nr() { return packed_path().nr; }
const char* sgemm_packed_isa() { return isa_name(active_isa()); }

}  // namespace ptscope::kernels
