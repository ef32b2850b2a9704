#include "stats/heavy_tail_report.h"

#include <cstdio>

#include "stats/stats_json.h"

namespace ptscope {

std::string render_heavy_tail_text(const HeavyTailReport& r) {
  std::string out = "\nHeavy-tailed spectral analysis (WeightWatcher 0.7 conventions, " +
                    std::to_string(r.layers.size()) + " layers)\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-44s %-9s %6s %6s %4s %7s %8s %6s %9s %8s %9s %9s %8s %8s %6s  %s\n", "layer",
                "type", "N", "M", "rf", "alpha", "alpha_w", "D", "xmin", "log_norm", "log_spec", "stable_r", "pl_spikes",
                "mp_soft", "spikes", "warning");
  out += line;
  for (const auto& l : r.layers) {
    std::string name = l.name.size() > 44 ? "…" + l.name.substr(l.name.size() - 42) : l.name;
    std::snprintf(line, sizeof line,
                  "%-44s %-9s %6lld %6lld %4lld %7.3f %8.3f %6.3f %9.4g %8.3f %9.3f %9.3f %8lld %8.3f %6lld  %s\n",
                  name.c_str(), l.type.c_str(), (long long)l.n, (long long)l.m, (long long)l.rf, l.alpha,
                  l.alpha_weighted, l.D, l.xmin, l.log_norm, l.log_spectral_norm, l.stable_rank,
                  (long long)l.num_pl_spikes, l.mp_softrank, (long long)l.num_spikes, l.warning.c_str());
    out += line;
  }
  int over = 0, under = 0;
  double alpha_sum = 0;
  int fitted = 0;
  for (const auto& l : r.layers) {
    over += l.warning == "over-trained";
    under += l.warning == "under-trained";
    if (l.alpha > 0) {
      alpha_sum += l.alpha;
      ++fitted;
    }
  }
  if (fitted) {
    std::snprintf(line, sizeof line, "mean alpha %.3f over %d fitted layers; %d over-trained (alpha < 2), %d "
                  "under-trained (alpha > 6)\n", alpha_sum / fitted, fitted, over, under);
    out += line;
  }
  for (const auto& [name, why] : r.skipped) out += "  skipped " + name + ": " + why + "\n";
  return out;
}

nlohmann::json heavy_tail_json(const HeavyTailReport& r) {
  nlohmann::json j;
  j["conventions"] = "weightwatcher-0.7";
  j["seconds"] = r.seconds;
  j["layers"] = nlohmann::json::array();
  for (const auto& l : r.layers) {
    j["layers"].push_back({{"name", l.name},
                           {"type", l.type},
                           {"N", l.n},
                           {"M", l.m},
                           {"rf", l.rf},
                           {"num_evals", l.num_evals},
                           {"alpha", stats_number(l.alpha)},
                           {"alpha_weighted", stats_number(l.alpha_weighted)},
                           {"D", stats_number(l.D)},
                           {"xmin", stats_number(l.xmin)},
                           {"num_pl_spikes", l.num_pl_spikes},
                           {"log_norm", stats_number(l.log_norm)},
                           {"log_spectral_norm", stats_number(l.log_spectral_norm)},
                           {"stable_rank", stats_number(l.stable_rank)},
                           {"lambda_max", stats_number(l.lambda_max)},
                           {"sv_max", stats_number(l.sv_max)},
                           {"sigma_mp", stats_number(l.sigma_mp)},
                           {"mp_softrank", stats_number(l.mp_softrank)},
                           {"num_spikes", l.num_spikes},
                           {"warning", l.warning}});
  }
  j["skipped"] = nlohmann::json::array();
  for (const auto& [name, why] : r.skipped) j["skipped"].push_back({{"name", name}, {"reason", why}});
  return j;
}

}  // namespace ptscope
