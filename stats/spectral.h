// Largest singular value of a weight seen as a matrix [out, -1], the reshape
// torch.nn.utils.spectral_norm uses (dim 0 to the front, the rest flattened).
#pragma once
#include <cstdint>
#include <limits>
#include <string>

#include "core/tensor.h"

namespace ptscope {

struct SpectralOptions {
  int64_t svd_max_elements = 1 << 16;  // full SVD (Eigen BDCSVD) up to this many elements
  int64_t exact_max_dim = 256;         // Gram matrix + dense eigensolver when min(rows, cols) <= this
  double tol = 1e-6;                   // Lanczos: stop when the Ritz residual <= tol * sigma^2
  int max_iter = 400;                  // Lanczos steps before giving up (converged = false)
  unsigned threads = 1;                // workers for the matrix-vector products of one matrix
};

struct SpectralStats {
  // "svd": all singular values by Eigen BDCSVD; "gram-eigen": eigenvalues of the
  // smaller Gram matrix W·Wᵀ or Wᵀ·W (exact up to rounding); "lanczos": Lanczos
  // on Wᵀ·W with full reorthogonalisation; "none": not a matrix (ndim < 2), empty,
  // non-finite values, or disabled.
  std::string method = "none";
  int64_t rows = 0, cols = 0;
  double sigma_max = std::numeric_limits<double>::quiet_NaN();
  double stable_rank = std::numeric_limits<double>::quiet_NaN();  // ‖W‖_F² / σ_max²
  int iterations = 0;       // Lanczos steps (matrix passes); 0 for the exact methods
  bool converged = false;   // true for the exact methods
  double rel_residual = std::numeric_limits<double>::quiet_NaN();  // Lanczos: residual / σ_max²
};

// Rows = shape[0], cols = numel / rows. Requires ndim >= 2 and finite values
// (callers check); frobenius_sq (Σw²) gives the stable rank when >= 0.
SpectralStats spectral_norm(const Tensor& t, const SpectralOptions& options, double frobenius_sq = -1);

}  // namespace ptscope
