#include "stats/heavy_tail.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "core/error.h"
#include "stats/element_reader.h"
#include "stats/parallel.h"
#include "stats/spectral_eigen.h"

namespace ptscope {
namespace {

constexpr double kEvalsThresh = 1e-5;      // WeightWatcher's EVALS_THRESH: eigenvalues fitted are above it
constexpr double kOverTrained = 2.0;       // OVER_TRAINED_THRESH
constexpr double kUnderTrained = 6.0;      // UNDER_TRAINED_THRESH
constexpr size_t kSmallN = 20;             // WW_powerlaw.SMALL_N_CUTOFF
constexpr size_t kSmallNMinTail = 8;       // fit_powerlaw_smallN's k_min

// WeightWatcher types a PyTorch layer by substrings of its lower-cased class
// (str(type(layer)).lower()), in this order; "norm" layers are not analysed.
std::string layer_type(const std::string& qualified_class) {
  std::string s = qualified_class;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (s.find("linear") != std::string::npos) return "dense";
  if (s.find("conv1d") != std::string::npos) return "conv1d";
  if (s.find("conv2d") != std::string::npos) return "conv2d";
  if (s.find("embedding") != std::string::npos) return "embedding";
  return "";
}

struct Candidate {
  std::string name, type;
  const Tensor* weight = nullptr;
};

void collect(const ModuleNode& node, const std::map<std::string, const Tensor*>& by_name,
             std::vector<Candidate>& out) {
  const std::string type = layer_type(node.class_name);
  if (!type.empty()) {
    auto it = by_name.find(node.path.empty() ? "weight" : node.path + ".weight");
    if (it != by_name.end()) out.push_back({node.path, type, it->second});
  }
  for (const auto& c : node.children) collect(*c, by_name, out);
}

// A layer to analyse: its weight and how it becomes WeightWatcher's Wmats.
struct Layer {
  HeavyTailLayer out;
  const Tensor* weight = nullptr;
  std::vector<int64_t> shape;
  int64_t matrices = 0;
  double scale = 1;  // WeightWatcher scales conv2d matrices by sqrt(conv2d_count / 2), conv2d_count = 1 when pooled

  // Multiply-adds of the Gram products and of the eigensolves: the order in
  // which layers are handed out, and whether one is worth all the threads.
  double work() const {
    const double m = double(out.m), n = double(out.n);
    return double(matrices) * (n * m * m / 2 + 4 * m * m * m / 3);
  }
};

// Per-worker scratch, reused from one layer to the next: a ViT-B layer is
// 19 MB in double, and fresh pages for every layer cost more than the copy.
struct Workspace {
  std::vector<double> values;  // the weight in double, row-major
  std::vector<double> taps;    // conv2d: the weight regrouped by kernel tap, [kh·kw][out][in]
  std::vector<double> gram;    // the Gram matrix, column-major
};

// Decodes the layer's weight into ws.values; false when a value is not finite.
bool decode(const Layer& l, Workspace& ws) {
  stats::ElementReader reader(*l.weight);
  ws.values.resize(size_t(reader.numel()));
  const int64_t chunk = 1 << 16;
  bool finite = true;
  for (int64_t first = 0; first < reader.numel(); first += chunk) {
    const int64_t n = std::min(chunk, reader.numel() - first);
    double* dst = ws.values.data() + first;
    const double* p = reader.read(first, n, dst);
    if (p != dst) std::copy(p, p + n, dst);
    for (int64_t i = 0; i < n; ++i) finite &= std::isfinite(dst[i]);
  }
  return finite;
}

// Squared singular values of every matrix of the layer, scaled, unsorted:
// the eigenvalues of each matrix's smaller Gram matrix.
std::vector<double> layer_eigenvalues(const Layer& l, Workspace& ws, unsigned threads) {
  // Row-major [rows, cols] data is the column-major cols × rows matrix Wᵀ.
  int64_t rows = l.shape[0], cols = int64_t(ws.values.size()) / std::max<int64_t>(rows, 1);
  const double* data = ws.values.data();
  if (l.out.type == "conv2d") {
    // One [out, in] slice per kernel tap (WeightWatcher's PyTorch layers are
    // "channels last" in its words, whichever way the shape looks): regroup
    // [out, in, kh, kw] as [kh·kw][out][in] so that each slice is contiguous.
    const int64_t o = l.shape[0], in = l.shape[1], rf = l.shape[2] * l.shape[3];
    ws.taps.resize(ws.values.size());
    for (int64_t i = 0; i < o * in; ++i)
      for (int64_t t = 0; t < rf; ++t) ws.taps[size_t(t * o * in + i)] = ws.values[size_t(i * rf + t)];
    rows = o;
    cols = in;
    data = ws.taps.data();
  }
  // rows <= cols: W·Wᵀ = (Wᵀ)ᵀ·Wᵀ; else Wᵀ·W = Wᵀ·(Wᵀ)ᵀ.
  const bool wide = rows <= cols;
  const int64_t dim = wide ? rows : cols;
  // With threads to spare (a layer analysed alone) and several matrices, one
  // matrix per worker; otherwise the threads go inside each matrix's products.
  const unsigned across = l.matrices > 1 ? unsigned(std::min<int64_t>(threads, l.matrices)) : 1;
  std::vector<std::vector<double>> evals(size_t(l.matrices));
  std::vector<std::vector<double>> grams(across);
  grams[0].swap(ws.gram);
  stats::parallel_for(size_t(l.matrices), across, [&](size_t k, unsigned worker) {
    std::vector<double>& gram = grams[worker];
    stats::gram_lower(data + int64_t(k) * rows * cols, cols, rows, wide, gram, across > 1 ? 1 : threads);
    evals[k] = stats::symmetric_eigenvalues(gram.data(), dim, across > 1 ? 1 : threads);
  });
  grams[0].swap(ws.gram);
  std::vector<double> all;
  all.reserve(size_t(l.matrices * dim));
  for (const auto& ev : evals)  // in matrix order, whichever worker took it
    for (double e : ev) all.push_back(std::max(0.0, e) * l.scale * l.scale);
  return all;
}

// WeightWatcher's mp_fit (RMT_Util.fit_density_with_range): the ESD rescaled
// to mean 1, its density estimated by a linear-kernel KDE (bandwidth 0.1) on
// 1000 points of [0, max + 0.5], and σ chosen to minimise the squared residual
// against the Marchenko–Pastur density (the quarter circle on √λ when N = M):
// scipy's brute grid over [0.05, 2)·σ0 in steps of 0.01·σ0, σ0 = √(λ_max / (1 + 1/√Q)²),
// finished by Nelder–Mead (scipy.optimize.fmin's defaults).
struct MpFit {
  double sigma = -1, softrank = -1;
  int64_t spikes = -1;
};

MpFit fit_marchenko_pastur(const std::vector<double>& sorted_evals, double n_dim, double m_dim) {
  MpFit r;
  const double total = std::accumulate(sorted_evals.begin(), sorted_evals.end(), 0.0);
  if (sorted_evals.empty() || !(total > 0) || !(m_dim > 0)) return r;
  const double q = n_dim / m_dim;
  const double scale = double(sorted_evals.size()) / total;  // Wscale²
  std::vector<double> ev(sorted_evals.size());
  for (size_t i = 0; i < ev.size(); ++i) ev[i] = sorted_evals[i] * scale;
  const double lambda_max = ev.back();
  const bool quarter_circle = q == 1.0;
  std::vector<double> fit = ev;
  if (quarter_circle)
    for (double& v : fit) v = std::sqrt(v);
  // The KDE does not depend on σ: evaluate it once.
  constexpr double kBandwidth = 0.1, kThresh = 0.01;
  constexpr int kGrid = 1000;
  const double top = *std::max_element(fit.begin(), fit.end()) + 0.5;
  std::vector<double> xs, ys;
  double peak_x = 0, peak_y = -1;
  for (int i = 0; i < kGrid; ++i) {
    const double x = top * double(i) / double(kGrid - 1);
    // Σ max(0, 1 − |x − λ|/h) over the λ within h of x (fit is sorted).
    double sum = 0;
    for (auto it = std::lower_bound(fit.begin(), fit.end(), x - kBandwidth); it != fit.end() && *it < x + kBandwidth; ++it)
      sum += std::max(0.0, 1 - std::abs(x - *it) / kBandwidth);
    const double y = sum / (double(fit.size()) * kBandwidth);
    if (y > peak_y) {
      peak_y = y;
      peak_x = x;
    }
    if (y > kThresh) {
      xs.push_back(x);
      ys.push_back(y);
    }
  }
  const double xs_max = xs.empty() ? 0 : xs.back();
  auto residual = [&](double sigma) {
    double sum = 0;
    if (quarter_circle) {
      for (size_t i = 0; i < xs.size(); ++i) {
        double v = (1 / (M_PI * sigma * sigma)) * std::sqrt(4 - xs[i] * xs[i]);
        if (!std::isfinite(v)) v = std::isnan(v) ? 0 : (v > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max());
        sum += (v - ys[i]) * (v - ys[i]);
      }
      return sum;
    }
    const double y = 1 / q;
    const double b = std::pow(sigma * (1 + std::sqrt(1 / q)), 2), a = std::pow(sigma * (1 - std::sqrt(1 / q)), 2);
    if (b < peak_x || b > xs_max || a > peak_x) return 1000.0 * 1000.0 * double(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) {
      double v = (1 / (2 * M_PI * sigma * sigma * xs[i] * y)) * std::sqrt((b - xs[i]) * (xs[i] - a));
      if (!std::isfinite(v)) v = std::isnan(v) ? 0 : (v > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max());
      sum += (v - ys[i]) * (v - ys[i]);
    }
    return sum;
  };
  const double sigma0 = std::sqrt(lambda_max / std::pow(1 + 1 / std::sqrt(q), 2));
  // np.mgrid[slice(lo, hi, step)]: lo + k·step for k < ceil((hi − lo) / step).
  const double lo = 0.05 * sigma0, hi = 2.0 * sigma0, step = 0.01 * sigma0;
  const int64_t points = int64_t(std::ceil((hi - lo) / step));
  double best = lo, best_f = std::numeric_limits<double>::infinity();
  for (int64_t k = 0; k < points; ++k) {
    const double s = lo + double(k) * step;
    const double f = residual(s);
    if (f < best_f) {
      best_f = f;
      best = s;
    }
  }
  // scipy.optimize.fmin in one dimension: simplex {x0, 1.05·x0}, reflection 1,
  // expansion 2, contraction 0.5, shrink 0.5, xatol = fatol = 1e-4, 200 iterations.
  double sim[2] = {best, best != 0 ? 1.05 * best : 0.00025};
  double fs[2] = {residual(sim[0]), residual(sim[1])};
  auto order = [&] {
    if (fs[1] < fs[0]) {
      std::swap(sim[0], sim[1]);
      std::swap(fs[0], fs[1]);
    }
  };
  order();
  int calls = 2;
  for (int iter = 1; calls < 200 && iter < 200; ++iter) {
    if (std::abs(sim[1] - sim[0]) <= 1e-4 && std::abs(fs[0] - fs[1]) <= 1e-4) break;
    const double xbar = sim[0];
    const double xr = 2 * xbar - sim[1];
    const double fxr = residual(xr);
    ++calls;
    bool shrink = false;
    if (fxr < fs[0]) {
      const double xe = 3 * xbar - 2 * sim[1];
      const double fxe = residual(xe);
      ++calls;
      if (fxe < fxr) {
        sim[1] = xe;
        fs[1] = fxe;
      } else {
        sim[1] = xr;
        fs[1] = fxr;
      }
    } else if (fxr < fs[1]) {  // with one point, fsim[-2] is fsim[0]: this branch is the contraction outside
      const double xc = 1.5 * xbar - 0.5 * sim[1];
      const double fxc = residual(xc);
      ++calls;
      if (fxc <= fxr) {
        sim[1] = xc;
        fs[1] = fxc;
      } else {
        shrink = true;
      }
    } else {
      const double xcc = 0.5 * xbar + 0.5 * sim[1];
      const double fxcc = residual(xcc);
      ++calls;
      if (fxcc < fs[1]) {
        sim[1] = xcc;
        fs[1] = fxcc;
      } else {
        shrink = true;
      }
    }
    if (shrink) {
      sim[1] = sim[0] + 0.5 * (sim[1] - sim[0]);
      fs[1] = residual(sim[1]);
      ++calls;
    }
    order();
  }
  r.sigma = sim[0];
  const double bulk_max = std::pow(r.sigma * (1 + 1 / std::sqrt(q)), 2);
  const double tw = 1 / std::sqrt(q) * std::pow(bulk_max, 2.0 / 3) * std::pow(m_dim, -2.0 / 3);
  const double edge = bulk_max + std::sqrt(tw);
  r.spikes = int64_t(ev.end() - std::upper_bound(ev.begin(), ev.end(), edge));
  r.softrank = bulk_max / lambda_max;
  return r;
}

void fill_metrics(HeavyTailLayer& h, std::vector<double> evals) {
  std::sort(evals.begin(), evals.end());
  h.num_evals = int64_t(evals.size());
  const double norm = std::accumulate(evals.begin(), evals.end(), 0.0);
  h.lambda_max = evals.empty() ? 0 : evals.back();
  h.sv_max = std::sqrt(h.lambda_max);
  std::vector<double> positive;
  for (double e : evals)
    if (e > kEvalsThresh) positive.push_back(e);
  const PowerLawFit fit = fit_power_law(positive);
  if (fit.ok) {
    h.alpha = fit.alpha;
    h.xmin = fit.xmin;
    h.D = fit.D;
    h.num_pl_spikes = int64_t(evals.end() - std::lower_bound(evals.begin(), evals.end(), fit.xmin));
  }
  h.log_norm = std::log10(norm);
  h.log_spectral_norm = std::log10(h.lambda_max);
  h.alpha_weighted = h.alpha * h.log_spectral_norm;
  h.stable_rank = norm / h.lambda_max;
  h.warning = h.alpha < kOverTrained ? "over-trained" : h.alpha > kUnderTrained ? "under-trained" : "";
  const MpFit mp = fit_marchenko_pastur(evals, double(h.n), double(h.m));
  h.sigma_mp = mp.sigma;
  h.mp_softrank = mp.softrank;
  h.num_spikes = mp.spikes;
}

}  // namespace

PowerLawFit fit_power_law(std::vector<double> data) {
  PowerLawFit fit;
  std::sort(data.begin(), data.end());
  const size_t n_all = data.size();
  if (n_all < 2) return fit;  // no candidate xmin
  std::vector<double> logs(n_all), tail_log_sum(n_all + 1, 0.0);
  for (size_t i = 0; i < n_all; ++i) logs[i] = std::log(data[i]);
  for (size_t i = n_all; i-- > 0;) tail_log_sum[i] = tail_log_sum[i + 1] + logs[i];
  // KS distance between the tail's empirical CDF and the fitted power law's.
  auto ks = [&](size_t i, double alpha) {
    const double n = double(n_all - i);
    double d = 0;
    for (size_t k = i; k < n_all; ++k) {
      const double model = 1 - std::exp((1 - alpha) * (logs[k] - logs[i]));
      d = std::max(d, std::abs(model - double(k - i) / n));
    }
    return d;
  };
  std::vector<double> alphas(n_all - 1, 0.0), ds(n_all - 1, 1.0);
  if (n_all >= kSmallN) {
    for (size_t i = 0; i + 1 < n_all; ++i) {
      const double n = double(n_all - i);
      alphas[i] = 1 + n / (tail_log_sum[i] - n * logs[i]);
      if (alphas[i] > 1) ds[i] = ks(i, alphas[i]);
    }
  } else {
    bool any = false;  // fit_powerlaw_smallN scores tails by D − 0.868/√n ...
    for (size_t i = 0; i + 1 < n_all; ++i) {
      if (n_all - i < kSmallNMinTail) continue;
      const double n = double(n_all - i);
      const double s = tail_log_sum[i] - n * logs[i];
      if (s <= 1e-12) continue;
      alphas[i] = 1 + (n - 1) / s;  // bias-corrected MLE
      if (alphas[i] <= 1) continue;
      ds[i] = ks(i, alphas[i]);
      any = true;
    }
    if (!any) {  // no admissible tail: the whole sample
      const double n = double(n_all);
      const double s = tail_log_sum[0] - n * logs[0];
      if (s > 1e-12) {
        alphas[0] = 1 + (n - 1) / s;
        ds[0] = ks(0, alphas[0]);
      }
    }
  }
  // ... but WWFit's constructor then takes the first smallest D over all
  // candidates, whichever fit ran (the small-N objective only matters through
  // the candidates it filled in).
  const size_t best = size_t(std::min_element(ds.begin(), ds.end()) - ds.begin());
  if (std::isnan(alphas[best])) return fit;
  fit.ok = true;
  fit.alpha = alphas[best];
  fit.xmin = data[best];
  fit.D = ds[best];
  return fit;
}

HeavyTailReport heavy_tail_analysis(const Model& model, const HeavyTailOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  HeavyTailReport report;
  std::map<std::string, const Tensor*> by_name;
  for (const auto& t : model.tensors)
    if (t.tensor) by_name.emplace(t.name, t.tensor.get());
  std::vector<Candidate> candidates;
  if (model.root) {
    collect(*model.root, by_name, candidates);
  } else {  // a state_dict: WeightWatcher's PyStateDict typing by rank
    for (const auto& t : model.tensors) {
      if (!t.tensor || t.name.size() < 6 || t.name.compare(t.name.size() - 6, 6, "weight") != 0) continue;
      const size_t rank = t.tensor->shape.size();
      std::string name = t.name.substr(0, t.name.size() - 6);
      if (!name.empty() && name.back() == '.') name.pop_back();
      if (rank == 2) candidates.push_back({name, "dense", t.tensor.get()});
      else if (rank == 4) candidates.push_back({name, "conv2d", t.tensor.get()});
    }
  }

  std::vector<Layer> layers;
  for (const auto& c : candidates) {
    const Tensor& w = *c.weight;
    const auto skip = [&](const std::string& why) { report.skipped.emplace_back(c.name, why); };
    if (std::string why = stats::unsupported_reason(w); !why.empty()) {
      skip(why);
      continue;
    }
    Layer l;
    l.weight = &w;
    l.out.name = c.name;
    l.out.type = c.type;
    l.shape = w.shape;
    const auto& s = w.shape;
    if (c.type == "conv2d") {
      if (s.size() != 4) {
        skip("conv2d weight is not 4-D");
        continue;
      }
      // N >= M when the channels outnumber the kernel dims; otherwise WeightWatcher's
      // "flip first to last" path leaves N = out, M = in as they are.
      const bool sorted = s[0] + s[1] >= s[2] + s[3];
      l.out.n = sorted ? std::max(s[0], s[1]) : s[0];
      l.out.m = sorted ? std::min(s[0], s[1]) : s[1];
      l.out.rf = s[2] * s[3];
      l.matrices = l.out.rf;
      l.scale = std::sqrt(0.5);
    } else {
      if (s.size() != 2) {
        skip(c.type + " weight is " + std::to_string(s.size()) + "-D (only matrices are analysed)");
        continue;
      }
      l.out.n = std::max(s[0], s[1]);
      l.out.m = std::min(s[0], s[1]);
      l.matrices = 1;
    }
    const int64_t evals = l.out.m * l.out.rf;  // what WeightWatcher checks against min/max_evals
    if (l.out.m == 0 || l.out.n == 0) {
      skip("empty weight");
      continue;
    }
    if (evals < options.min_evals) {
      skip(std::to_string(evals) + " eigenvalues < min_evals " + std::to_string(options.min_evals));
      continue;
    }
    if (evals > options.max_evals) {
      skip(std::to_string(evals) + " eigenvalues > max_evals " + std::to_string(options.max_evals));
      continue;
    }
    if (l.out.n > options.max_n) {
      skip("N = " + std::to_string(l.out.n) + " > max_N " + std::to_string(options.max_n));
      continue;
    }
    l.out.num_evals = std::min(s[0], s[1]) * l.out.rf;
    layers.push_back(std::move(l));  // its weight is decoded below, in parallel
  }

  // One work item per layer, largest first (dynamic scheduling): decode the
  // weight into the worker's scratch, take its matrices' eigenvalues, fit.
  // Memory stays at `threads` layers whatever the model's size. A layer too
  // large for the others to balance (a model of few layers, or one dominant
  // layer) runs alone first, with the threads inside its Gram products and
  // tridiagonal reduction instead.
  const unsigned threads = stats::resolve_threads(options.threads);
  std::vector<size_t> order(layers.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return layers[a].work() > layers[b].work(); });
  std::vector<std::string> bad(layers.size());
  std::vector<Workspace> workspaces(threads);
  auto analyse = [&](size_t i, Workspace& ws, unsigned inner_threads) {
    Layer& l = layers[i];
    if (!decode(l, ws)) bad[i] = "non-finite values";
    else fill_metrics(l.out, layer_eigenvalues(l, ws, inner_threads));
  };
  double rest = 0;
  for (const Layer& l : layers) rest += l.work();
  size_t alone = 0;
  for (; alone < order.size() && threads > 1; ++alone) {
    const double w = layers[order[alone]].work();
    rest -= w;
    if (w * double(threads - 1) <= rest) break;  // the rest keeps the other workers busy meanwhile
    analyse(order[alone], workspaces[0], threads);
  }
  stats::parallel_for(order.size() - alone, threads, [&](size_t item, unsigned worker) {
    analyse(order[alone + item], workspaces[worker], 1);
  });
  workspaces.clear();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!bad[i].empty()) report.skipped.emplace_back(layers[i].out.name, bad[i]);
    else report.layers.push_back(std::move(layers[i].out));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace ptscope
