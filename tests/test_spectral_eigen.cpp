// The heavy-tail analysis's symmetric eigensolver (stats/spectral_eigen):
// blocked tridiagonalisation + root-free QL, against an independent reference
// (cyclic Jacobi in long double) and against matrices whose eigenvalues are
// known exactly, on sizes around the panel and tile boundaries, with one and
// two threads, and on ill-conditioned, graded, split and extreme-scale input.
// (The reference is not Eigen's solver: Eigen objects compiled here, without
// the library's -march flags, must not meet the library's.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "stats/spectral_eigen.h"

using namespace ptscope;

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// Column-major n × n, both triangles filled.
struct Matrix {
  int64_t n = 0;
  std::vector<double> a;
  explicit Matrix(int64_t size) : n(size), a(size_t(size * size), 0.0) {}
  double& operator()(int64_t i, int64_t j) { return a[size_t(j * n + i)]; }
  double operator()(int64_t i, int64_t j) const { return a[size_t(j * n + i)]; }
};

Matrix random_symmetric(int64_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Matrix m(n);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = j; i < n; ++i) m(i, j) = m(j, i) = normal(rng);
  return m;
}

// Cyclic Jacobi in long double: slow, simple, and accurate to far below the
// bounds checked here, so a reference independent of the code under test.
std::vector<double> jacobi_eigenvalues(const Matrix& m) {
  const int64_t n = m.n;
  std::vector<long double> a(m.a.begin(), m.a.end());
  auto at = [&](int64_t i, int64_t j) -> long double& { return a[size_t(j * n + i)]; };
  for (int sweep = 0; sweep < 60; ++sweep) {
    long double off = 0, total = 0;
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < n; ++i) (i == j ? total : off) += at(i, j) * at(i, j);
    if (off <= 1e-34L * (total + off)) break;  // off-diagonal below 1e-17·‖A‖
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        if (at(p, q) == 0) continue;
        const long double theta = (at(q, q) - at(p, p)) / (2 * at(p, q));
        const long double t = (theta >= 0 ? 1 : -1) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const long double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // columns p, q
          const long double x = at(k, p), y = at(k, q);
          at(k, p) = c * x - s * y;
          at(k, q) = s * x + c * y;
        }
        for (int64_t k = 0; k < n; ++k) {  // rows p, q
          const long double x = at(p, k), y = at(q, k);
          at(p, k) = c * x - s * y;
          at(q, k) = s * x + c * y;
        }
      }
  }
  std::vector<double> ev(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ev[size_t(i)] = double(at(i, i));
  std::sort(ev.begin(), ev.end());
  return ev;
}

// H·diag(λ)·H for a product H of random reflectors: a dense matrix whose
// eigenvalues are λ (the long-double arithmetic keeps them far inside the bounds).
Matrix with_spectrum(const std::vector<double>& lambda, std::mt19937_64& rng) {
  const int64_t n = int64_t(lambda.size());
  std::vector<long double> a(size_t(n * n), 0.0L);
  for (int64_t i = 0; i < n; ++i) a[size_t(i * n + i)] = lambda[size_t(i)];
  std::normal_distribution<double> normal;
  for (int r = 0; r < 6; ++r) {
    std::vector<long double> u(static_cast<size_t>(n));
    long double norm2 = 0;
    for (auto& x : u) norm2 += (x = normal(rng)) * x;
    // A ← (I − 2uuᵀ/uᵀu)·A·(I − 2uuᵀ/uᵀu), on columns then rows.
    for (int pass = 0; pass < 2; ++pass)
      for (int64_t k = 0; k < n; ++k) {
        long double dot = 0;
        for (int64_t i = 0; i < n; ++i) dot += u[size_t(i)] * (pass ? a[size_t(i * n + k)] : a[size_t(k * n + i)]);
        const long double f = 2 * dot / norm2;
        for (int64_t i = 0; i < n; ++i) (pass ? a[size_t(i * n + k)] : a[size_t(k * n + i)]) -= f * u[size_t(i)];
      }
  }
  Matrix m(n);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = j; i < n; ++i) m(i, j) = m(j, i) = double((a[size_t(j * n + i)] + a[size_t(i * n + j)]) / 2);
  return m;
}

std::vector<double> sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<double> ours(const Matrix& m, unsigned threads = 1) {
  Matrix work = m;
  for (int64_t j = 0; j < m.n; ++j)  // the solver reads the lower triangle only
    for (int64_t i = 0; i < j; ++i) work(i, j) = std::nan("");
  return stats::symmetric_eigenvalues(work.a.data(), m.n, threads);
}

// A backward-stable solver moves every eigenvalue by at most a modest
// multiple of ε·‖A‖₂; 8·n·ε·‖A‖ is loose for that and tight for any mistake.
void check_eigenvalues(const Matrix& m, const std::vector<double>& reference, unsigned threads = 1) {
  const std::vector<double> ev = ours(m, threads);
  REQUIRE(ev.size() == reference.size());
  double norm = 0;
  for (double x : reference) norm = std::max(norm, std::abs(x));
  const double bound = 8 * double(std::max<int64_t>(m.n, 1)) * kEps * norm;
  double worst = 0;
  for (size_t i = 0; i < ev.size(); ++i) {
    if (i > 0) REQUIRE(ev[i - 1] <= ev[i]);  // ascending
    worst = std::max(worst, std::abs(ev[i] - reference[i]));
  }
  INFO("n " << m.n << ", threads " << threads << ": worst " << worst << ", bound " << bound);
  CHECK(worst <= bound);
}

}  // namespace

TEST_CASE("symmetric eigenvalues match a long-double Jacobi on random matrices", "[spectral][eigen]") {
  std::mt19937_64 rng(21);
  // Around the 32-column panel and the 128-row leaf of the products.
  for (const int64_t n : {1, 2, 3, 4, 5, 7, 31, 32, 33, 64, 65, 129}) {
    const Matrix m = random_symmetric(n, rng);
    check_eigenvalues(m, jacobi_eigenvalues(m));
  }
}

TEST_CASE("symmetric eigenvalues with two threads: same numbers, known spectrum", "[spectral][eigen]") {
  // 420 rows: the trailing updates and Gram tiles run on two workers. The
  // tiles are disjoint and computed the same way whoever runs them, so the
  // result does not depend on the thread count at all.
  std::mt19937_64 rng(3);
  std::vector<double> lambda(420);
  for (size_t i = 0; i < lambda.size(); ++i) lambda[i] = std::pow(10.0, -8.0 * double(i) / 419) * (i % 3 ? 1 : -1);
  const Matrix m = with_spectrum(lambda, rng);
  check_eigenvalues(m, sorted(lambda), 1);
  CHECK(ours(m, 1) == ours(m, 2));
}

TEST_CASE("symmetric eigenvalues of ill-conditioned and structured matrices", "[spectral][eigen]") {
  std::mt19937_64 rng(5);
  SECTION("spectrum from 1 down to 1e-16, geometric") {
    std::vector<double> lambda(80);
    for (int i = 0; i < 80; ++i) lambda[size_t(i)] = std::pow(10.0, -16.0 * i / 79);
    check_eigenvalues(with_spectrum(lambda, rng), sorted(lambda));
  }
  SECTION("rank-deficient Gram-like matrix: zeros, a 30-fold eigenvalue, a tight cluster") {
    std::vector<double> lambda(70, 0.0);
    for (int i = 0; i < 30; ++i) lambda[size_t(i)] = 3.0;
    for (int i = 30; i < 40; ++i) lambda[size_t(i)] = 3.0 + 1e-10 * i;
    check_eigenvalues(with_spectrum(lambda, rng), sorted(lambda));
  }
  SECTION("second-difference matrix: 2 − 2·cos(kπ/(n+1))") {
    for (const int n : {10, 100}) {
      Matrix m(n);
      std::vector<double> exact(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) {
        m(i, i) = 2;
        if (i + 1 < n) m(i + 1, i) = m(i, i + 1) = -1;
        exact[size_t(i)] = 2 - 2 * std::cos(M_PI * (i + 1) / (n + 1));
      }
      check_eigenvalues(m, sorted(exact));
    }
  }
  SECTION("graded: entries from 1 down to 1e-12, either way round") {
    Matrix m = random_symmetric(60, rng);
    for (int i = 0; i < 60; ++i)
      for (int j = 0; j < 60; ++j) m(i, j) *= std::pow(10.0, -0.1 * (i + j));
    const std::vector<double> reference = jacobi_eigenvalues(m);
    check_eigenvalues(m, reference);
    Matrix reversed(60);
    for (int i = 0; i < 60; ++i)
      for (int j = 0; j < 60; ++j) reversed(i, j) = m(59 - i, 59 - j);
    check_eigenvalues(reversed, reference);
  }
  SECTION("splits: block-diagonal, diagonal, zero") {
    Matrix m(40);
    const Matrix top = random_symmetric(15, rng), bottom = random_symmetric(25, rng);
    for (int j = 0; j < 15; ++j)
      for (int i = 0; i < 15; ++i) m(i, j) = top(i, j);
    for (int j = 0; j < 25; ++j)
      for (int i = 0; i < 25; ++i) m(15 + i, 15 + j) = bottom(i, j);
    check_eigenvalues(m, jacobi_eigenvalues(m));
    const std::vector<double> diagonal = {4, -1, 0, 7, 7, 2.5, -3, 1e-300, 9};
    Matrix d(9);
    for (int i = 0; i < 9; ++i) d(i, i) = diagonal[size_t(i)];
    check_eigenvalues(d, sorted(diagonal));
    check_eigenvalues(Matrix(6), std::vector<double>(6, 0.0));
  }
  SECTION("extreme scales: squares of the entries would overflow or underflow") {
    const Matrix m = random_symmetric(40, rng);
    const std::vector<double> reference = jacobi_eigenvalues(m);
    for (const double scale : {0x1p+660, 0x1p-660}) {  // exact powers of two
      Matrix scaled = m;
      for (double& x : scaled.a) x *= scale;
      std::vector<double> expected = reference;
      for (double& x : expected) x *= scale;
      check_eigenvalues(scaled, expected);
    }
  }
}

TEST_CASE("Gram products fill the lower triangle of A·Aᵀ and Aᵀ·A", "[spectral][eigen]") {
  std::mt19937_64 rng(9);
  std::normal_distribution<double> normal;
  for (const auto& [rows, cols] : {std::pair<int64_t, int64_t>{3, 5}, {130, 70}, {400, 450}}) {
    std::vector<double> a(size_t(rows * cols));
    for (double& x : a) x = normal(rng);
    auto at = [&](int64_t i, int64_t j) { return a[size_t(j * rows + i)]; };
    for (const bool transposed : {false, true}) {
      const int64_t dim = transposed ? cols : rows, inner = transposed ? rows : cols;
      std::vector<double> one, two;
      stats::gram_lower(a.data(), rows, cols, transposed, one, 1);
      stats::gram_lower(a.data(), rows, cols, transposed, two, 2);  // the same tiles, on two workers
      REQUIRE(one.size() == size_t(dim * dim));
      double worst = 0, scale = 0;
      CHECK(one == two);
      for (int64_t j = 0; j < dim; ++j)
        for (int64_t i = j; i < dim; ++i) {
          long double exact = 0;
          for (int64_t k = 0; k < inner; ++k)
            exact += transposed ? (long double)at(k, i) * at(k, j) : (long double)at(i, k) * at(j, k);
          worst = std::max(worst, double(std::fabs(one[size_t(j * dim + i)] - exact)));
          scale = std::max(scale, double(std::fabs(exact)));
        }
      INFO(rows << " × " << cols << (transposed ? " Aᵀ·A" : " A·Aᵀ"));
      CHECK(worst <= double(inner) * kEps * scale);
    }
  }
}

TEST_CASE("tridiagonal eigenvalues: empty, single, 2×2", "[spectral][eigen]") {
  CHECK(stats::tridiagonal_eigenvalues({}, {}).empty());
  CHECK(stats::tridiagonal_eigenvalues({-2.5}, {}) == std::vector<double>{-2.5});
  // [[2, 1], [1, 2]]: 1 and 3.
  const std::vector<double> ev = stats::tridiagonal_eigenvalues({2, 2}, {1});
  REQUIRE(ev.size() == 2);
  CHECK(ev[0] == Approx(1.0).epsilon(1e-15));
  CHECK(ev[1] == Approx(3.0).epsilon(1e-15));
}
