// See stats/spectral.cpp: GCC 12's AVX-512 headers trip -Wmaybe-uninitialized
// once Eigen's packet code is inlined (a known false positive). Before the
// first include: the warning is placed in those headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "stats/spectral_eigen.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "stats/parallel.h"

namespace ptscope::stats {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Diagonal blocks of the lower-triangle products are computed whole up to
// this size (their upper halves are scratch: 1/8 more arithmetic at 768).
constexpr Index kLeaf = 128;
// Columns reduced per panel before the trailing update (LAPACK's default nb).
constexpr Index kPanel = 32;
// Below this size, a parallel update costs more in thread start-up than it saves.
constexpr Index kParallelRows = 384;

// A block of the lower triangle: rows [row, row + rows), columns [col, col + cols).
struct Tile {
  Index row, col, rows, cols;
};

// The lower triangle of an n × n matrix cut recursively: the rectangle below
// the diagonal halves as one block, then each half's own triangle. Fewer,
// larger products than column strips, so Eigen packs each operand less often.
void cut_lower(Index first, Index n, std::vector<Tile>& out) {
  if (n <= kLeaf) {
    out.push_back({first, first, n, n});
    return;
  }
  const Index half = n / 2;
  out.push_back({first + half, first, n - half, half});
  cut_lower(first, half, out);
  cut_lower(first + half, n - half, out);
}

// Lower triangle of dst += alpha·L·Rᵀ (L, R: dst.rows() × k), tiles spread
// over `threads` workers (the rectangles are disjoint, so no locking).
template <class Dst, class Left, class Right>
void lower_product_update(Dst dst, double alpha, const Left& left, const Right& right, unsigned threads) {
  std::vector<Tile> tiles;
  cut_lower(0, dst.rows(), tiles);  // the largest first, as parallel_for wants it
  parallel_for(tiles.size(), dst.rows() >= kParallelRows ? threads : 1, [&](size_t i, unsigned) {
    const Tile& t = tiles[i];
    dst.block(t.row, t.col, t.rows, t.cols).noalias() +=
        alpha * left.middleRows(t.row, t.rows) * right.middleRows(t.col, t.cols).transpose();
  });
}

// y = A·v for the symmetric k × k matrix A whose lower triangle is stored
// column-major at a (leading dimension ld). This product is half the
// arithmetic of the reduction and the part that stays at level 2, so it
// reads each stored element once for both of its uses (y_i += a_ij·v_j and
// y_j += a_ij·v_i), four columns at a time, in strips of 8 rows (fixed-size
// Eigen arrays: one or two vector registers, whatever the instruction set).
void symmetric_product(const double* a, Index ld, Index k, const double* v, double* y) {
  using Strip = Eigen::Array<double, 8, 1>;
  using ConstStrip = Eigen::Map<const Strip>;
  std::fill(y, y + k, 0.0);
  Index j = 0;
  for (; j + 4 <= k; j += 4) {
    const double* c0 = a + j * ld;
    const double* c1 = c0 + ld;
    const double* c2 = c1 + ld;
    const double* c3 = c2 + ld;
    const double v0 = v[j], v1 = v[j + 1], v2 = v[j + 2], v3 = v[j + 3];
    // The 4 × 4 diagonal block.
    y[j] += c0[j] * v0 + c0[j + 1] * v1 + c0[j + 2] * v2 + c0[j + 3] * v3;
    y[j + 1] += c0[j + 1] * v0 + c1[j + 1] * v1 + c1[j + 2] * v2 + c1[j + 3] * v3;
    y[j + 2] += c0[j + 2] * v0 + c1[j + 2] * v1 + c2[j + 2] * v2 + c2[j + 3] * v3;
    y[j + 3] += c0[j + 3] * v0 + c1[j + 3] * v1 + c2[j + 3] * v2 + c3[j + 3] * v3;
    // Two strips per step, each with its own dot accumulators, so that the
    // accumulations do not wait on one another.
    Strip d0 = Strip::Zero(), d1 = Strip::Zero(), d2 = Strip::Zero(), d3 = Strip::Zero();
    Strip e0 = Strip::Zero(), e1 = Strip::Zero(), e2 = Strip::Zero(), e3 = Strip::Zero();
    Index i = j + 4;
    for (; i + 16 <= k; i += 16) {
      const Strip a0 = ConstStrip(c0 + i), a1 = ConstStrip(c1 + i), a2 = ConstStrip(c2 + i), a3 = ConstStrip(c3 + i);
      const Strip b0 = ConstStrip(c0 + i + 8), b1 = ConstStrip(c1 + i + 8), b2 = ConstStrip(c2 + i + 8),
                  b3 = ConstStrip(c3 + i + 8);
      const Strip va = ConstStrip(v + i), vb = ConstStrip(v + i + 8);
      Eigen::Map<Strip>(y + i) += a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3;
      Eigen::Map<Strip>(y + i + 8) += b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3;
      d0 += a0 * va;
      d1 += a1 * va;
      d2 += a2 * va;
      d3 += a3 * va;
      e0 += b0 * vb;
      e1 += b1 * vb;
      e2 += b2 * vb;
      e3 += b3 * vb;
    }
    double t0 = (d0 + e0).sum(), t1 = (d1 + e1).sum(), t2 = (d2 + e2).sum(), t3 = (d3 + e3).sum();
    for (; i < k; ++i) {
      y[i] += c0[i] * v0 + c1[i] * v1 + c2[i] * v2 + c3[i] * v3;
      t0 += c0[i] * v[i];
      t1 += c1[i] * v[i];
      t2 += c2[i] * v[i];
      t3 += c3[i] * v[i];
    }
    y[j] += t0;
    y[j + 1] += t1;
    y[j + 2] += t2;
    y[j + 3] += t3;
  }
  for (; j < k; ++j) {  // the last k mod 4 columns
    const double* col = a + j * ld;
    double dot = 0;
    y[j] += col[j] * v[j];
    for (Index i = j + 1; i < k; ++i) {
      y[i] += col[i] * v[j];
      dot += col[i] * v[i];
    }
    y[j] += dot;
  }
}

// One panel of the blocked reduction (LAPACK dlatrd, lower): reduces the
// first nb columns of the symmetric p (lower triangle), leaving the
// Householder vectors below the subdiagonal (with their leading 1 on it)
// and in w the matrix W with which the trailing part is updated as
// A22 -= V·Wᵀ + W·Vᵀ. The trailing part itself is read, never written:
// each column's symmetric product uses it as it was before the panel and
// corrects for the panel's earlier reflectors through V and W.
template <class Panel>
void reduce_panel(Panel p, Index nb, Eigen::Ref<MatrixXd> w, Eigen::Ref<VectorXd> diag, Eigen::Ref<VectorXd> sub) {
  const Index m = p.rows();
  VectorXd tmp(nb);
  for (Index i = 0; i < nb; ++i) {
    if (i > 0) {  // bring column i up to date with the reflectors 0..i-1
      p.col(i).tail(m - i).noalias() -= p.block(i, 0, m - i, i) * w.row(i).head(i).transpose();
      p.col(i).tail(m - i).noalias() -= w.block(i, 0, m - i, i) * p.row(i).head(i).transpose();
    }
    diag(i) = p(i, i);
    if (i + 1 >= m) break;
    const Index k = m - i - 1;
    auto v = p.col(i).tail(k);
    double tau, beta;
    v.makeHouseholderInPlace(tau, beta);  // v = [1, essential], H = I − τ·v·vᵀ
    sub(i) = beta;
    v(0) = 1;
    auto wi = w.col(i).tail(k);
    symmetric_product(&p(i + 1, i + 1), p.outerStride(), k, v.data(), wi.data());
    if (i > 0) {
      tmp.head(i).noalias() = w.block(i + 1, 0, k, i).transpose() * v;
      wi.noalias() -= p.block(i + 1, 0, k, i) * tmp.head(i);
      tmp.head(i).noalias() = p.block(i + 1, 0, k, i).transpose() * v;
      wi.noalias() -= w.block(i + 1, 0, k, i) * tmp.head(i);
    }
    wi *= tau;
    wi += (-0.5 * tau * wi.dot(v)) * v;
  }
}

// 2×2 symmetric [[a, b], [b, c]]: its eigenvalues, the larger in magnitude
// from the half-sum and the other from the determinant (no cancellation).
void eigenvalues_2x2(double a, double b, double c, double& rt1, double& rt2) {
  const double sum = a + c, rt = std::hypot(a - c, 2 * b);
  if (sum == 0) {
    rt1 = 0.5 * rt;
    rt2 = -0.5 * rt;
    return;
  }
  rt1 = sum > 0 ? 0.5 * (sum + rt) : 0.5 * (sum - rt);
  rt2 = (a / rt1) * c - (b / rt1) * b;
}

// Root-free QL (LAPACK dsterf's Pal–Walker–Kahan variant) on the unreduced
// block [l, last] of d and the squared off-diagonals e2: chases the bulge
// upwards and deflates at the top. False when it did not converge.
bool ql_block(Eigen::Ref<VectorXd> d, Eigen::Ref<VectorXd> e2, Index l, Index last) {
  constexpr double eps2 = std::numeric_limits<double>::epsilon() * std::numeric_limits<double>::epsilon();
  constexpr double tiny = std::numeric_limits<double>::min();
  int budget = 30 * int(last - l + 1);
  while (l <= last) {
    Index m = l;
    for (; m < last; ++m) {
      const double scale = std::abs(d(m)) + std::abs(d(m + 1));
      if (e2(m) <= eps2 * scale * scale || e2(m) <= tiny) {
        e2(m) = 0;
        break;
      }
    }
    if (m == l) {  // d(l) has converged
      ++l;
      continue;
    }
    if (m == l + 1) {
      double rt1, rt2;
      eigenvalues_2x2(d(l), std::sqrt(e2(l)), d(l + 1), rt1, rt2);
      d(l) = rt1;
      d(l + 1) = rt2;
      e2(l) = 0;
      l += 2;
      continue;
    }
    if (--budget < 0) return false;
    // Shift: the eigenvalue of the top 2×2 block nearer d(l) (Wilkinson's).
    const double rte = std::sqrt(e2(l));
    double sigma = (d(l + 1) - d(l)) / (2 * rte);
    sigma = d(l) - rte / (sigma + std::copysign(std::hypot(sigma, 1.0), sigma));
    double c = 1, s = 0, gamma = d(m) - sigma, p = gamma * gamma;
    // The step is one long chain of dependent operations; p = γ²/c is taken
    // as γ²·(r/p), whose division runs beside c = p/r instead of after γ.
    for (Index i = m - 1; i >= l; --i) {
      const double bb = e2(i), r = p + bb;
      if (i != m - 1) e2(i + 1) = s * r;
      const double old_c = c, old_gamma = gamma, alpha = d(i), r_over_p = r / p;
      const bool p_zero = p == 0;
      c = p / r;
      s = bb / r;
      gamma = c * (alpha - sigma) - s * old_gamma;
      d(i + 1) = old_gamma + (alpha - gamma);
      p = p_zero ? old_c * bb : gamma * gamma * r_over_p;
    }
    e2(l) = s * p;
    d(l) = sigma + gamma;
  }
  return true;
}

// x·2^-exponent for every x, exactly (up to underflow): one multiplication
// when the factor is a normal double, ldexp per element otherwise.
template <class Vector>
void scale_down(Vector&& v, int exponent) {
  if (exponent > -1000) v *= std::ldexp(1.0, -exponent);
  else v = v.unaryExpr([&](double x) { return std::ldexp(x, -exponent); });
}

}  // namespace

void gram_lower(const double* a, int64_t rows, int64_t cols, bool transposed, std::vector<double>& g,
                unsigned threads) {
  const Eigen::Map<const MatrixXd> m(a, rows, cols);
  const Index dim = transposed ? cols : rows;
  g.assign(size_t(dim * dim), 0.0);
  Eigen::Map<MatrixXd> out(g.data(), dim, dim);
  if (transposed) lower_product_update(out.block(0, 0, dim, dim), 1.0, m.transpose(), m.transpose(), threads);
  else lower_product_update(out.block(0, 0, dim, dim), 1.0, m, m, threads);
}

void tridiagonalize(double* data, int64_t n, std::vector<double>& diagonal, std::vector<double>& subdiagonal,
                    unsigned threads) {
  diagonal.assign(size_t(n), 0.0);
  subdiagonal.assign(size_t(std::max<int64_t>(n - 1, 0)), 0.0);
  if (n == 0) return;
  Eigen::Map<MatrixXd> a(data, n, n);
  Eigen::Map<VectorXd> d(diagonal.data(), n);
  MatrixXd w(n, kPanel), left, right;
  VectorXd sub(kPanel);
  for (Index j = 0; j < n; j += kPanel) {
    const Index m = n - j, nb = std::min(kPanel, m);
    reduce_panel(a.block(j, j, m, m), nb, w.topRows(m), d.segment(j, nb), sub.head(nb));
    for (Index i = 0; i < nb && j + i < n - 1; ++i) subdiagonal[size_t(j + i)] = sub(i);
    if (nb == m) break;
    // A22 -= V·Wᵀ + W·Vᵀ = [V W]·[W V]ᵀ: one product of inner size 2·nb.
    const Index rest = m - nb;
    left.resize(rest, 2 * nb);
    right.resize(rest, 2 * nb);
    left << a.block(j + nb, j, rest, nb), w.block(nb, 0, rest, nb);
    right << w.block(nb, 0, rest, nb), a.block(j + nb, j, rest, nb);
    lower_product_update(a.block(j + nb, j + nb, rest, rest), -1.0, left, right, threads);
  }
}

std::vector<double> tridiagonal_eigenvalues(std::vector<double> diagonal, std::vector<double> subdiagonal) {
  const Index n = Index(diagonal.size());
  if (n <= 1) return diagonal;
  Eigen::Map<VectorXd> d(diagonal.data(), n);
  const Eigen::Map<const VectorXd> e(subdiagonal.data(), n - 1);
  // Scale by a power of two (exactly) so that the squares below can neither
  // overflow nor underflow for any finite input.
  const double norm = std::max(d.cwiseAbs().maxCoeff(), e.cwiseAbs().maxCoeff());
  if (norm == 0) return diagonal;
  const int exponent = std::ilogb(norm);
  const VectorXd d_in = d, e_in = e;
  scale_down(d, exponent);
  VectorXd e2 = e;
  scale_down(e2, exponent);
  e2 = e2.cwiseAbs2();
  constexpr double eps = std::numeric_limits<double>::epsilon();
  for (Index start = 0; start < n;) {
    Index last = start;  // the unreduced block [start, last]
    while (last < n - 1 && e2(last) > eps * eps * (std::abs(d(last)) + std::abs(d(last + 1))) *
                                          (std::abs(d(last)) + std::abs(d(last + 1))))
      ++last;
    if (last < n - 1) e2(last) = 0;
    if (last > start) {
      // QL deflates at the top: it converges fastest when the block's
      // smaller end is there, so a block graded the other way is reversed.
      if (std::abs(d(last)) < std::abs(d(start))) {
        d.segment(start, last - start + 1).reverseInPlace();
        e2.segment(start, last - start).reverseInPlace();
      }
      if (!ql_block(d, e2, start, last)) {
        // Not converged in 30 sweeps per eigenvalue (never seen): Eigen's
        // implicit QR with Wilkinson shifts on the original matrix.
        Eigen::SelfAdjointEigenSolver<MatrixXd> solver;
        solver.computeFromTridiagonal(d_in, e_in, Eigen::EigenvaluesOnly);
        return std::vector<double>(solver.eigenvalues().data(), solver.eigenvalues().data() + n);
      }
    }
    start = last + 1;
  }
  std::sort(diagonal.begin(), diagonal.end());
  for (double& x : diagonal) x = std::ldexp(x, exponent);  // n values: not worth a faster form
  return diagonal;
}

std::vector<double> symmetric_eigenvalues(double* data, int64_t n, unsigned threads) {
  // Scaled by a power of two (exactly) to entries of magnitude ~1, as Eigen's
  // solver does: the Householder vectors' squared norms then neither overflow
  // nor underflow (an underflow would pass a column for already reduced).
  Eigen::Map<MatrixXd> a(data, n, n);
  double norm = 0;
  for (Index j = 0; j < n; ++j) norm = std::max(norm, a.col(j).tail(n - j).cwiseAbs().maxCoeff());
  if (norm == 0) return std::vector<double>(size_t(n), 0.0);
  const int exponent = std::ilogb(norm);
  for (Index j = 0; j < n; ++j) scale_down(a.col(j).tail(n - j), exponent);
  std::vector<double> d, e;
  tridiagonalize(data, n, d, e, threads);
  std::vector<double> ev = tridiagonal_eigenvalues(std::move(d), std::move(e));
  for (double& x : ev) x = std::ldexp(x, exponent);
  return ev;
}

}  // namespace ptscope::stats
