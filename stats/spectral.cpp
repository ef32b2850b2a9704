#include "stats/spectral.h"

// GCC 12 flags its own AVX-512 intrinsics (`__m256d __Y = __Y;` in
// avx512fintrin.h) as maybe-uninitialized once Eigen's packet code is inlined
// here; the warning is a known false positive, so it is silenced for this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <Eigen/Dense>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "stats/element_reader.h"
#include "stats/parallel.h"

namespace ptscope {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using stats::ElementReader;
using stats::Lane;

// The weight as rows of a [rows, cols] matrix, decoded one row segment at a time.
struct RowSource {
  const ElementReader& reader;
  int64_t rows, cols;

  // Row r, columns [c0, c0 + n), as doubles into out.
  void read(int64_t r, int64_t c0, int64_t n, double* out, std::vector<float>& fbuf) const {
    const int64_t first = r * cols + c0;
    if (reader.lane() == Lane::f32) {
      fbuf.resize(size_t(n));
      const float* p = reader.read(first, n, fbuf.data());
      for (int64_t i = 0; i < n; ++i) out[i] = double(p[i]);
    } else {
      const double* p = reader.read(first, n, out);
      if (p != out) std::copy(p, p + n, out);
    }
  }
};

double exact_svd(const RowSource& src) {
  MatrixXd a(src.rows, src.cols);
  std::vector<double> row(size_t(src.cols));
  std::vector<float> fbuf;
  for (int64_t r = 0; r < src.rows; ++r) {
    src.read(r, 0, src.cols, row.data(), fbuf);
    for (int64_t c = 0; c < src.cols; ++c) a(r, c) = row[size_t(c)];
  }
  Eigen::BDCSVD<MatrixXd> svd(a);  // singular values only
  return svd.singularValues().size() ? svd.singularValues()(0) : 0.0;
}

// σ_max² = λ_max of the smaller Gram matrix, accumulated by blocks so the
// matrix is never materialised whole.
double exact_gram(const RowSource& src) {
  const bool wide = src.rows <= src.cols;  // W·Wᵀ (rows × rows) else Wᵀ·W (cols × cols)
  const int64_t dim = wide ? src.rows : src.cols;
  MatrixXd g = MatrixXd::Zero(dim, dim);
  std::vector<float> fbuf;
  std::vector<double> seg;
  if (wide) {
    const int64_t width = 2048;
    MatrixXd block(src.rows, width);
    for (int64_t c0 = 0; c0 < src.cols; c0 += width) {
      const int64_t w = std::min(width, src.cols - c0);
      seg.resize(size_t(w));
      for (int64_t r = 0; r < src.rows; ++r) {
        src.read(r, c0, w, seg.data(), fbuf);
        for (int64_t c = 0; c < w; ++c) block(r, c) = seg[size_t(c)];
      }
      g.selfadjointView<Eigen::Lower>().rankUpdate(block.leftCols(w));
    }
  } else {
    const int64_t height = std::max<int64_t>(1, (1 << 21) / src.cols);
    MatrixXd block(src.cols, height);  // rows stored as columns
    for (int64_t r0 = 0; r0 < src.rows; r0 += height) {
      const int64_t h = std::min(height, src.rows - r0);
      for (int64_t r = 0; r < h; ++r) src.read(r0 + r, 0, src.cols, block.col(r).data(), fbuf);
      g.selfadjointView<Eigen::Lower>().rankUpdate(block.leftCols(h));
    }
  }
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(g, Eigen::EigenvaluesOnly);  // reads the lower triangle
  return std::sqrt(std::max(0.0, es.eigenvalues().maxCoeff()));
}

// Deterministic start vector: splitmix64 → uniform [-1, 1).
VectorXd start_vector(int64_t n) {
  VectorXd v(n);
  uint64_t state = 0x9e3779b97f4a7c15ull;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    v(i) = double(z >> 11) * 0x1p-52 - 1.0;
  }
  return v.normalized();
}

// y = Wᵀ(W·v) in one pass over the rows: each row's dot product, then the
// row scaled into y while it is still in cache.
class GramOperator {
 public:
  GramOperator(const RowSource& src, unsigned threads) : src_(src), threads_(std::max(1u, threads)) {
    // A fixed number of row ranges, whatever the thread count: each has its
    // own partial y, summed in range order, so the result does not depend on
    // scheduling, and the final sum stays small (kRanges vectors).
    constexpr int64_t kRanges = 16;
    const int64_t parts = std::min<int64_t>(kRanges, src.rows);
    for (int64_t p = 0; p < parts; ++p) ranges_.push_back({src.rows * p / parts, src.rows * (p + 1) / parts});
    partial_.assign(ranges_.size(), VectorXd());
  }

  void apply(const VectorXd& v, VectorXd& y, double* frobenius_sq) {
    std::vector<double> sq(ranges_.size(), 0.0);
    stats::parallel_for(ranges_.size(), threads_, [&](size_t k, unsigned) {
      VectorXd& acc = partial_[k];
      acc.setZero(src_.cols);
      thread_local std::vector<float> fbuf;
      thread_local std::vector<double> dbuf;
      for (int64_t r = ranges_[k].first; r < ranges_[k].second; ++r) {
        if (src_.reader.lane() == Lane::f32) {
          fbuf.resize(size_t(src_.cols));
          const float* w = src_.reader.read(r * src_.cols, src_.cols, fbuf.data());
          sq[k] += row_update(w, v.data(), acc.data(), src_.cols, frobenius_sq != nullptr);
        } else {
          dbuf.resize(size_t(src_.cols));
          const double* w = src_.reader.read(r * src_.cols, src_.cols, dbuf.data());
          sq[k] += row_update(w, v.data(), acc.data(), src_.cols, frobenius_sq != nullptr);
        }
      }
    });
    // Fixed summation order: the result does not depend on the thread count.
    y.setZero(src_.cols);
    for (const auto& p : partial_) y += p;
    if (frobenius_sq) {
      *frobenius_sq = 0;
      for (double s : sq) *frobenius_sq += s;
    }
  }

 private:
  template <class T> static double row_update(const T* w, const double* v, double* y, int64_t n, bool want_sq) {
    constexpr int L = 8;
    double acc[L] = {}, sq[L] = {};
    int64_t i = 0;
    for (; i + L <= n; i += L)
      for (int j = 0; j < L; ++j) acc[j] += double(w[i + j]) * v[i + j];
    double t = 0;
    for (; i < n; ++i) t += double(w[i]) * v[i];
    for (int j = 0; j < L; ++j) t += acc[j];
    for (int64_t c = 0; c < n; ++c) y[c] += t * double(w[c]);
    if (!want_sq) return 0;
    for (i = 0; i + L <= n; i += L)
      for (int j = 0; j < L; ++j) sq[j] += double(w[i + j]) * double(w[i + j]);
    double s = 0;
    for (; i < n; ++i) s += double(w[i]) * double(w[i]);
    for (int j = 0; j < L; ++j) s += sq[j];
    return s;
  }

  const RowSource& src_;
  unsigned threads_;
  std::vector<std::pair<int64_t, int64_t>> ranges_;
  std::vector<VectorXd> partial_;
};

// Lanczos on Wᵀ·W with full reorthogonalisation. Stops when the Ritz
// residual bound |β_k·s_k| of the largest Ritz value θ is <= tol·θ
// (θ = σ², so σ's relative error is below tol/2).
void lanczos(const RowSource& src, const SpectralOptions& o, SpectralStats& out, double* frobenius_sq) {
  GramOperator op(src, o.threads);
  const int64_t n = src.cols;
  const int max_steps = int(std::min<int64_t>(o.max_iter, n));
  std::vector<VectorXd> q;
  q.push_back(start_vector(n));
  std::vector<double> alpha, beta;
  VectorXd w;
  double theta = 0, prev_theta = -1, residual = INFINITY;
  for (int k = 0; k < max_steps; ++k) {
    op.apply(q[size_t(k)], w, k == 0 ? frobenius_sq : nullptr);
    const double a = q[size_t(k)].dot(w);
    alpha.push_back(a);
    w -= a * q[size_t(k)];
    if (k > 0) w -= beta.back() * q[size_t(k) - 1];
    for (int pass = 0; pass < 2; ++pass)  // twice is enough (Kahan–Parlett)
      for (const auto& qi : q) w -= qi.dot(w) * qi;
    const double b = w.norm();
    out.iterations = k + 1;

    VectorXd diag = Eigen::Map<VectorXd>(alpha.data(), k + 1);
    VectorXd sub = Eigen::Map<VectorXd>(beta.data(), k);
    Eigen::SelfAdjointEigenSolver<MatrixXd> es;
    es.computeFromTridiagonal(diag, sub, Eigen::EigenvaluesOnly);
    theta = es.eigenvalues()(k);
    const bool settled = std::fabs(theta - prev_theta) <= o.tol * std::fabs(theta) * 0.1;
    prev_theta = theta;
    const bool breakdown = b <= 1e-13 * std::max(std::fabs(theta), 1e-300);
    if (settled || breakdown || k + 1 == max_steps) {
      // Eigenvectors only when a stop is plausible: they cost O(k³).
      es.computeFromTridiagonal(diag, sub, Eigen::ComputeEigenvectors);
      theta = es.eigenvalues()(k);
      residual = std::fabs(b * es.eigenvectors()(k, k));
      if (breakdown || residual <= o.tol * theta) {
        out.converged = true;
        break;
      }
    }
    if (breakdown) break;
    beta.push_back(b);
    q.push_back(w / b);
  }
  out.sigma_max = std::sqrt(std::max(0.0, theta));
  out.rel_residual = theta > 0 ? residual / theta : 0.0;
}

}  // namespace

SpectralStats spectral_norm(const Tensor& t, const SpectralOptions& o, double frobenius_sq) {
  SpectralStats out;
  if (t.shape.size() < 2 || t.numel() == 0) return out;
  ElementReader reader(t);
  RowSource src{reader, t.shape[0], t.numel() / t.shape[0]};
  out.rows = src.rows;
  out.cols = src.cols;
  double frob = frobenius_sq;
  if (src.rows * src.cols <= o.svd_max_elements) {
    out.method = "svd";
    out.sigma_max = exact_svd(src);
  } else if (std::min(src.rows, src.cols) <= o.exact_max_dim) {
    out.method = "gram-eigen";
    out.sigma_max = exact_gram(src);
  } else {
    out.method = "lanczos";
    lanczos(src, o, out, frobenius_sq < 0 ? &frob : nullptr);
  }
  if (out.method != "lanczos") {
    out.converged = true;
    out.rel_residual = 0;
  }
  if (frob < 0) {  // standalone call on an exact path: one more read
    frob = 0;
    std::vector<double> row(size_t(src.cols));
    std::vector<float> fbuf;
    for (int64_t r = 0; r < src.rows; ++r) {
      src.read(r, 0, src.cols, row.data(), fbuf);
      for (double v : row) frob += v * v;
    }
  }
  out.stable_rank = out.sigma_max > 0 ? frob / (out.sigma_max * out.sigma_max) : std::nan("");
  return out;
}

}  // namespace ptscope
