// sgemm edge cases against a double-precision triple loop: ragged M/N/K
// around the micro-kernel tile and the cache blocks, every transpose
// combination, padded leading dimensions (elements outside C must stay
// untouched), K = 0 and 1, alpha and beta, matrix-vector shapes, both
// implementations (packed, Eigen), the threaded split and every ISA path
// this CPU runs (the packed micro-kernel's tile differs per path).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "isa_paths.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/sgemm_packed.h"

using namespace ptscope::kernels;

namespace {

struct Case {
  int64_t m, n, k;
  bool ta, tb;
  float alpha, beta;
  int64_t pad = 0;  // extra elements per stored row of A, B and C
};

// Deterministic values in [-1, 1) from an index.
float value(uint64_t i) {
  i = (i ^ (i >> 31)) * 0x9E3779B97F4A7C15ull;
  return float((i >> 40) % 2048) / 1024.f - 1.f;
}

// Stores op(M) (rows x cols) with the given transpose and padding.
std::vector<float> stored(int64_t rows, int64_t cols, bool trans, int64_t pad, uint64_t seed, int64_t& ld) {
  const int64_t outer = trans ? cols : rows, inner = trans ? rows : cols;
  ld = inner + pad;
  std::vector<float> v(size_t(outer * ld));
  for (size_t i = 0; i < v.size(); ++i) v[i] = value(seed * 1000003 + i);
  return v;
}

float at(const std::vector<float>& v, int64_t ld, bool trans, int64_t r, int64_t c) {
  return v[size_t(trans ? c * ld + r : r * ld + c)];
}

// Runs one case and returns the largest error relative to the result's scale.
double check(const Case& t) {
  int64_t lda, ldb;
  const auto a = stored(t.m, t.k, t.ta, t.pad, 1, lda), b = stored(t.k, t.n, t.tb, t.pad, 2, ldb);
  const int64_t ldc = t.n + t.pad;
  std::vector<float> c(size_t(t.m * ldc));
  for (size_t i = 0; i < c.size(); ++i) c[i] = value(3000017 + i);
  const std::vector<float> c0 = c;
  sgemm(t.m, t.n, t.k, t.alpha, MatRef{a.data(), lda, t.ta}, MatRef{b.data(), ldb, t.tb}, t.beta, c.data(), ldc);
  double worst = 0;
  for (int64_t i = 0; i < t.m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const size_t idx = size_t(i * ldc + j);
      if (j >= t.n) {  // padding: never written
        if (c[idx] != c0[idx]) return 1e9;
        continue;
      }
      double ref = 0;
      for (int64_t p = 0; p < t.k; ++p) ref += double(at(a, lda, t.ta, i, p)) * double(at(b, ldb, t.tb, p, j));
      ref = double(t.alpha) * ref + (t.beta == 0 ? 0.0 : double(t.beta) * double(c0[idx]));
      worst = std::max(worst, std::abs(double(c[idx]) - ref) / double(1 + t.k));  // float rounding grows with k
    }
  return worst;
}

std::vector<Case> edge_cases() {
  const int64_t mr = sgemm_packed_mr(), nr = sgemm_packed_nr();
  std::vector<Case> cases;
  // Ragged sizes around one tile, every transpose pair, padded rows.
  for (int64_t m : {int64_t(1), int64_t(2), mr - 1, mr + 1, 2 * mr + 3})
    for (int64_t n : {int64_t(1), int64_t(3), nr - 1, nr + 5})
      for (int tr = 0; tr < 4; ++tr) cases.push_back({m, n, 7, bool(tr & 1), bool(tr & 2), 1.f, 0.f, tr});
  // K = 1 and K past one cache slice (several slices, a ragged tail).
  for (int64_t k : {1, 9, 300, 517})
    for (int tr = 0; tr < 4; ++tr) cases.push_back({mr + 2, nr + 3, k, bool(tr & 1), bool(tr & 2), 1.f, 0.f, 1});
  // alpha and beta: accumulate, scale, overwrite (stale C must not leak in).
  for (float beta : {0.f, 1.f, 0.5f, -2.f}) cases.push_back({13, 37, 20, false, true, 0.75f, beta, 2});
  cases.push_back({5, 6, 0, false, false, 1.f, 0.5f, 0});  // K = 0: C = beta * C
  cases.push_back({5, 6, 0, false, false, 1.f, 0.f, 1});
  cases.push_back({5, 6, 4, false, false, 0.f, 2.f, 0});  // alpha = 0
  // Ragged N with a wide M: computed as Cᵀ with transposed tile stores.
  cases.push_back({4 * nr, 49, 40, false, false, 1.f, 1.f, 3});
  cases.push_back({4 * nr, 17, 40, true, true, 1.f, 0.f, 0});
  // N past one column block (512) and a second K slice.
  cases.push_back({3, 1100, 260, false, true, 1.f, 1.f, 0});
  return cases;
}

struct BackendGuard {
  explicit BackendGuard(GemmBackend b) { set_gemm_backend(b); }
  ~BackendGuard() { set_gemm_backend(GemmBackend::automatic); }
};

}  // namespace

TEST_CASE("sgemm matches a double-precision reference on edge cases", "[kernels][gemm]") {
  const auto backend = GENERATE(GemmBackend::automatic, GemmBackend::packed, GemmBackend::eigen);
  const int threads = GENERATE(1, 3);
  const ptscope::Isa isa = GENERATE(from_range(ptscope::test::isa_paths()));
  ptscope::test::IsaScope isa_scope(isa);
  BackendGuard guard(backend);
  set_num_threads(threads);
  force_parallel_for_testing(threads > 1);
  for (const Case& t : edge_cases()) {
    INFO("m=" << t.m << " n=" << t.n << " k=" << t.k << " ta=" << t.ta << " tb=" << t.tb << " alpha=" << t.alpha
              << " beta=" << t.beta << " pad=" << t.pad << " backend=" << int(backend) << " threads=" << threads << " isa=" << ptscope::isa_name(isa));
    CHECK(check(t) < 1e-6);
  }
  force_parallel_for_testing(false);
  set_num_threads(1);
}

TEST_CASE("sgemm_batched runs each item at its offsets", "[kernels][gemm]") {
  // Three 9x35x11 products with B transposed, packed back to back.
  const int64_t m = 9, n = 35, k = 11, count = 3;
  std::vector<float> a(size_t(count * m * k)), b(size_t(count * n * k)), c(size_t(count * m * n), 7.f);
  for (size_t i = 0; i < a.size(); ++i) a[i] = value(i);
  for (size_t i = 0; i < b.size(); ++i) b[i] = value(5000011 + i);
  std::vector<int64_t> ao, bo, co;
  for (int64_t i = 0; i < count; ++i) ao.push_back(i * m * k), bo.push_back(i * n * k), co.push_back(i * m * n);
  sgemm_batched(count, m, n, k, 1.f, MatRef{a.data(), k, false}, ao, MatRef{b.data(), k, true}, bo, 0.f, c.data(), n,
                co);
  for (int64_t t = 0; t < count; ++t)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double ref = 0;
        for (int64_t p = 0; p < k; ++p) ref += double(a[size_t(ao[t] + i * k + p)]) * double(b[size_t(bo[t] + j * k + p)]);
        CHECK(std::abs(c[size_t(co[t] + i * n + j)] - ref) < 1e-4);
      }
}
