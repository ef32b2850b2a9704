#include "stats/stats_report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/format.h"

namespace ptscope {
namespace {

std::string f(const char* format, double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt(format, v);
}


// Long names keep their informative tail.
std::string fit(const std::string& s, size_t width) {
  if (s.size() <= width) return s;
  return std::string(1, '~').append(s, s.size() - (width - 1), std::string::npos);
}

std::string pad(const std::string& s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

double weighted(const ModelSummary& s, const std::string& key) {
  for (const auto& [k, v] : s.weighted)
    if (k == key) return v;
  return std::nan("");
}

}  // namespace

std::string render_stats_text(const ModelStats& ms, const ModelStatsOptions& o, const StatsTextOptions& text) {
  std::ostringstream out;
  size_t name_w = 6;
  for (const auto& t : ms.tensors) name_w = std::max(name_w, std::min<size_t>(t.name.size(), 44));
  out << pad("tensor", name_w) << "  " << pad("dtype", 9) << pad("shape", 16) << pad("mean", 11, true)
      << pad("std", 10, true) << pad("absmax", 10, true) << pad("zero%", 7, true) << pad("sigma_max", 11, true)
      << pad("(method)", 12, true) << pad("H bits", 7, true) << pad("int8c", 7, true) << pad("int4g", 7, true)
      << pad("E@70%", 7, true) << "  rec\n";
  size_t rows = 0;
  for (const auto& t : ms.tensors) {
    if (text.max_rows && rows++ >= text.max_rows) {
      out << "... " << ms.tensors.size() - text.max_rows << " more tensors (use --all)\n";
      break;
    }
    out << pad(fit(t.name, name_w), name_w) << "  " << pad(t.dtype, 9) << pad(format_shape_dims(t.shape, "scalar"), 16);
    if (!t.computed) {
      out << "  skipped: " << t.skipped_reason << "\n";
      continue;
    }
    out << pad(f("%.3e", t.mean), 11, true) << pad(f("%.3e", t.std), 10, true) << pad(f("%.3e", t.absmax), 10, true)
        << pad(f("%.2f", 100 * t.sparsity), 7, true) << pad(f("%.4g", t.spectral.sigma_max), 11, true)
        << pad(t.spectral.method == "none" ? std::string() : std::string(1, '(').append(t.spectral.method).append(")"), 12, true)
        << pad(f("%.2f", t.histogram.entropy_bits), 7, true) << pad(f("%.1f", t.quant.sqnr_int8_channel_db), 7, true)
        << pad(f("%.1f", t.quant.sqnr_int4_group_db), 7, true) << pad(f("%.1f", 100 * t.prune.energy_kept[1]), 7, true)
        << "  " << t.quant.recommended_format;
    if (t.nan_count + t.posinf_count + t.neginf_count > 0)
      out << "  [" << t.nan_count << " NaN, " << t.posinf_count + t.neginf_count << " inf]";
    out << "\n";
  }
  out << "\nColumns: std is the population std; sigma_max of the [out, -1] reshape; H = histogram entropy over "
      << o.stats.bins << " bins; int8c/int4g = SQNR dB of int8 per-channel / int4 per-group-128 fake quantization; "
      << "E@70% = L2 energy kept after zeroing the 70% smallest |w|.\n";

  const ModelSummary& s = ms.summary;
  out << "\nSummary\n";
  out << "  tensors " << s.tensors << " (" << s.weight_tensors << " weights, " << s.skipped << " skipped), "
      << s.numel << " weight elements, " << f("%.2f", double(s.weight_bytes) / 1e6) << " MB of weights ("
      << f("%.2f", double(s.bytes) / 1e6) << " MB in all)\n";
  for (const auto& [name, target] : ms.tied) out << "  tied " << name << " → " << target << " (same storage: counted once)\n";
  out << "  exact zeros " << s.zeros << " (" << f("%.3f", 100 * s.sparsity) << "%), near-zero " << s.near_zero
      << ", NaN " << s.nan << ", inf " << s.inf << ", channels " << s.channels << " (" << s.dead_channels << " dead, "
      << s.near_dead_channels << " near-dead)\n";
  out << "  parameter-weighted: std " << f("%.4g", weighted(s, "std")) << ", kurtosis " << f("%.3f", weighted(s, "kurtosis"))
      << ", entropy " << f("%.3f", weighted(s, "entropy_bits")) << " bits, max/rms " << f("%.2f", weighted(s, "outlier_ratio"))
      << "\n  SQNR dB: int8 tensor " << f("%.2f", weighted(s, "sqnr_int8_tensor_db")) << ", int8 channel "
      << f("%.2f", weighted(s, "sqnr_int8_channel_db")) << ", int4 tensor " << f("%.2f", weighted(s, "sqnr_int4_tensor_db"))
      << ", int4 channel " << f("%.2f", weighted(s, "sqnr_int4_channel_db")) << ", int4 g128 "
      << f("%.2f", weighted(s, "sqnr_int4_group_db")) << ", fp16 " << f("%.2f", weighted(s, "sqnr_fp16_db")) << ", bf16 "
      << f("%.2f", weighted(s, "sqnr_bf16_db")) << "\n  energy kept at 50/70/90% sparsity: "
      << f("%.2f", 100 * weighted(s, "energy_kept_50")) << "% / " << f("%.2f", 100 * weighted(s, "energy_kept_70"))
      << "% / " << f("%.2f", 100 * weighted(s, "energy_kept_90")) << "%; stable rank " << f("%.2f", weighted(s, "stable_rank"))
      << "\n";
  const StatsTimings& tm = ms.timings;
  out << "  time " << f("%.3f", tm.total) << " s (passes " << f("%.3f", tm.pass1 + tm.pass2) << " s = "
      << f("%.2f", tm.pass1 + tm.pass2 > 0 ? double(tm.bytes) / (tm.pass1 + tm.pass2) / 1e9 : 0) << " GB/s, spectral "
      << f("%.3f", tm.spectral) << " s, compression " << f("%.3f", tm.compression) << " s)\n";

  out << "\nMost quantization-sensitive layers (lowest int4-g128 SQNR)\n";
  for (const auto& r : ms.most_sensitive) out << "  " << r.name << ": " << r.detail << "\n";
  out << "\nMost prunable layers (most energy kept at 70% sparsity)\n";
  for (const auto& r : ms.most_prunable) out << "  " << r.name << ": " << r.detail << "\n";
  out << "\nRecommendations\n";
  for (const auto& r : ms.recommendations) out << "  [" << r.kind << "] " << r.text << "\n";
  return out.str();
}

}  // namespace ptscope
