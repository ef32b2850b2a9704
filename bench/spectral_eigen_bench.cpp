// Per-matrix cost of the heavy-tail ESD: Eigen's full product + SelfAdjointEigenSolver (what
// stats/heavy_tail.cpp used before) against stats/spectral_eigen (lower-triangle Gram product,
// blocked tridiagonalisation, root-free QL), on the shapes of a ViT-B layer: a 768 × k weight
// (k = 768: attention out_proj; k = 3072: the MLP), random N(0, 0.02) values rounded to float
// like a float32 checkpoint. One thread, thread CPU time, median of 7 rounds, both paths in the
// same round; also the largest eigenvalue difference relative to λ_max. Built outside CMake,
// with the library's flags so that both sides use the same Eigen code paths:
//
//   g++ -O3 -march=native -DNDEBUG -std=c++20 -I/usr/include/eigen3 -I. bench/spectral_eigen_bench.cpp \
//       stats/spectral_eigen.cpp stats/parallel.cpp -o /tmp/spectral_eigen_bench -lpthread
#include <Eigen/Dense>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

#include "stats/spectral_eigen.h"

namespace {

double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2] * 1e3;
}

}  // namespace

int main() {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal(0, 0.02);
  for (const int k : {768, 3072}) {
    const int n = 768;
    Eigen::MatrixXd a(n, k);
    for (int j = 0; j < k; ++j)
      for (int i = 0; i < n; ++i) a(i, j) = float(normal(rng));
    std::vector<double> eigen_gram, eigen_solve, ours_gram, ours_solve;
    double worst = 0;
    for (int round = 0; round < 7; ++round) {
      double t = thread_seconds();
      const Eigen::MatrixXd g = a * a.transpose();
      eigen_gram.push_back(thread_seconds() - t);
      t = thread_seconds();
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(g, Eigen::EigenvaluesOnly);
      eigen_solve.push_back(thread_seconds() - t);
      std::vector<double> lower;
      t = thread_seconds();
      ptscope::stats::gram_lower(a.data(), n, k, false, lower, 1);
      ours_gram.push_back(thread_seconds() - t);
      t = thread_seconds();
      const std::vector<double> ev = ptscope::stats::symmetric_eigenvalues(lower.data(), n, 1);
      ours_solve.push_back(thread_seconds() - t);
      const double lambda_max = solver.eigenvalues()(n - 1);
      for (int i = 0; i < n; ++i) worst = std::max(worst, std::abs(ev[size_t(i)] - solver.eigenvalues()(i)) / lambda_max);
    }
    std::printf("768 x %d: Gram %.1f ms (Eigen, full) -> %.1f ms (lower); eigenvalues %.1f ms (Eigen) -> %.1f ms; "
                "max |difference| / lambda_max %.1e\n",
                k, median_ms(eigen_gram), median_ms(ours_gram), median_ms(eigen_solve), median_ms(ours_solve), worst);
  }
}
