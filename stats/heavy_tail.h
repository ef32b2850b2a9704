// Heavy-tailed self-regularisation metrics per layer, with WeightWatcher
// 0.7.x's conventions (analyze() defaults), so that its users get the same
// numbers: which layers are analysed, how conv kernels become matrices, the
// empirical spectral density (ESD) of each layer, its power-law fit and the
// norm metrics. docs/stats.md lists each convention and where it comes from.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model.h"

namespace ptscope {

struct HeavyTailOptions {
  unsigned threads = 0;          // 0: every hardware thread
  int64_t min_evals = 8;         // WeightWatcher's min_evals: skip layers with fewer eigenvalues
  int64_t max_evals = 15000;     // ... and with more
  int64_t max_n = 50000;         // ... and with a larger matrix dimension N
};

struct HeavyTailLayer {
  std::string name;      // module path ("layer1.0.conv1"), or the tensor name without ".weight"
  std::string type;      // "dense", "conv1d", "conv2d", "embedding"
  int64_t n = 0, m = 0;  // matrix dims, N >= M
  int64_t rf = 1;        // receptive field: matrices per layer (kh·kw for conv2d)
  int64_t num_evals = 0;
  // Power-law fit of the ESD's tail (WeightWatcher's WWFit): -1 when the fit failed
  // (no eigenvalue above 1e-5, e.g. an all-zero layer).
  double alpha = -1, xmin = -1, D = -1;
  int64_t num_pl_spikes = -1;  // eigenvalues >= xmin
  double alpha_weighted = 0;   // alpha · log10(λ_max)
  double log_norm = 0;         // log10(Σλ), the squared Frobenius norm (as scaled)
  double log_spectral_norm = 0;  // log10(λ_max)
  double stable_rank = 0;      // Σλ / λ_max
  double lambda_max = 0, sv_max = 0;
  std::string warning;         // "over-trained" (alpha < 2), "under-trained" (alpha > 6) or ""
  // Marchenko–Pastur fit of the ESD rescaled to mean 1 (WeightWatcher's mp_fit):
  // -1 when it cannot run (an all-zero layer).
  double sigma_mp = -1;        // the fitted bulk scale
  double mp_softrank = -1;     // bulk edge λ+ / λ_max
  int64_t num_spikes = -1;     // eigenvalues above λ+ + √(Tracy–Widom width)
};

struct HeavyTailReport {
  std::vector<HeavyTailLayer> layers;  // module order
  std::vector<std::pair<std::string, std::string>> skipped;  // layer → reason
  double seconds = 0;
};

HeavyTailReport heavy_tail_analysis(const Model& model, const HeavyTailOptions& options = {});

// WeightWatcher's power-law fit on positive eigenvalues (any order): for every
// candidate xmin (each value but the largest) the MLE alpha = 1 + n / Σ log(x/xmin)
// over the tail and the KS distance D; the xmin with the smallest D wins. Fewer
// than 20 values: the small-N variant (bias-corrected alpha, tails of at least
// 8, objective D − 0.868/√n).
struct PowerLawFit {
  bool ok = false;
  double alpha = -1, xmin = -1, D = -1;
};
PowerLawFit fit_power_law(std::vector<double> values);

}  // namespace ptscope
