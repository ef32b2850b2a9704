// Least-squares polynomial fits of a metric against one variable (batch
// size, sequence length): y = a + b·x and y = a + b·x + c·x², with R² and
// which term dominates at the largest x.
#pragma once
#include <string>
#include <vector>

namespace ptscope {

struct PolyFit {
  std::vector<double> coefficients;  // a, b[, c]: constant first
  double r2 = 0;                     // 1 − SS_res / SS_tot (1 when y is constant and fitted exactly)
  std::string equation;              // "y = 1.2e+06 + 3.4e+05*x + 2000*x^2" (ASCII, %.4g)
  bool ok = false;                   // false: too few distinct x for the degree
};

// Degree 1 or 2, by the normal equations solved in long double with
// x scaled to [0, 1] (so that x² of sequence lengths stays well conditioned).
PolyFit fit_polynomial(const std::vector<double>& x, const std::vector<double>& y, int degree,
                       const std::string& variable = "x");

// The term of a quadratic fit that contributes most at x = x_max:
// "quadratic in VAR", "linear in VAR" or "constant".
std::string dominant_term(const PolyFit& quadratic, double x_max, const std::string& variable);

}  // namespace ptscope
