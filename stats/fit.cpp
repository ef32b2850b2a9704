#include "stats/fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "core/format.h"

namespace ptscope {
namespace {

std::string term(double c, const std::string& suffix, bool first) {
  std::string s = first ? (c < 0 ? "-" : "") : (c < 0 ? " - " : " + ");
  return s + fmt("%.4g", std::fabs(c)) + suffix;
}

}  // namespace

PolyFit fit_polynomial(const std::vector<double>& x, const std::vector<double>& y, int degree,
                       const std::string& variable) {
  PolyFit fit;
  const size_t n = std::min(x.size(), y.size());
  const int k = degree + 1;
  if (degree < 1 || degree > 2 || std::set<double>(x.begin(), x.begin() + long(n)).size() < size_t(k)) return fit;
  // Scale x to t = x / s so that the normal matrix is well conditioned.
  double s = 0;
  for (size_t i = 0; i < n; ++i) s = std::max(s, std::fabs(x[i]));
  if (s == 0) s = 1;
  long double m[3][4] = {};
  for (size_t i = 0; i < n; ++i) {
    long double p[3] = {1, (long double)(x[i] / s), 0};
    p[2] = p[1] * p[1];
    for (int r = 0; r < k; ++r) {
      for (int c = 0; c < k; ++c) m[r][c] += p[r] * p[c];
      m[r][k] += p[r] * (long double)y[i];
    }
  }
  // Gauss-Jordan with partial pivoting.
  for (int c = 0; c < k; ++c) {
    int piv = c;
    for (int r = c + 1; r < k; ++r)
      if (std::fabs((double)m[r][c]) > std::fabs((double)m[piv][c])) piv = r;
    for (int j = 0; j <= k; ++j) std::swap(m[c][j], m[piv][j]);
    if (m[c][c] == 0) return fit;
    for (int r = 0; r < k; ++r) {
      if (r == c) continue;
      const long double f = m[r][c] / m[c][c];
      for (int j = c; j <= k; ++j) m[r][j] -= f * m[c][j];
    }
  }
  fit.coefficients.resize(size_t(k));
  double scale = 1;
  for (int c = 0; c < k; ++c) {
    fit.coefficients[size_t(c)] = double(m[c][k] / m[c][c]) / scale;
    scale *= s;
  }
  // Round-off left in a term that contributes nothing (an exactly linear
  // metric's x² term) is set to zero so that equations read cleanly.
  double ymax = 0;
  for (size_t i = 0; i < n; ++i) ymax = std::max(ymax, std::fabs(y[i]));
  double xp = 1;
  for (double& c : fit.coefficients) {
    if (std::fabs(c * xp) <= 1e-9 * ymax) c = 0;
    xp *= s;
  }
  double mean = 0;
  for (size_t i = 0; i < n; ++i) mean += y[i];
  mean /= double(n);
  double ss_tot = 0, ss_res = 0;
  for (size_t i = 0; i < n; ++i) {
    double pred = 0, p = 1;
    for (double c : fit.coefficients) {
      pred += c * p;
      p *= x[i];
    }
    ss_res += (y[i] - pred) * (y[i] - pred);
    ss_tot += (y[i] - mean) * (y[i] - mean);
  }
  const double tiny = 1e-20 * std::max(1.0, mean * mean) * double(n);
  fit.r2 = ss_tot <= tiny ? (ss_res <= tiny ? 1.0 : 0.0) : 1.0 - ss_res / ss_tot;
  fit.equation = "y = " + term(fit.coefficients[0], "", true) + term(fit.coefficients[1], "*" + variable, false);
  if (k == 3) fit.equation += term(fit.coefficients[2], "*" + variable + "^2", false);
  fit.ok = true;
  return fit;
}

std::string dominant_term(const PolyFit& q, double x_max, const std::string& variable) {
  if (!q.ok || q.coefficients.empty()) return "constant";
  const double a = std::fabs(q.coefficients[0]);
  const double b = q.coefficients.size() > 1 ? std::fabs(q.coefficients[1] * x_max) : 0;
  const double c = q.coefficients.size() > 2 ? std::fabs(q.coefficients[2] * x_max * x_max) : 0;
  if (c >= b && c >= a && c > 0) return "quadratic in " + variable;
  if (b >= a && b > 0) return "linear in " + variable;
  return "constant";
}

}  // namespace ptscope
