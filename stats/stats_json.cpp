#include "stats/stats_json.h"

#include <cmath>
#include <cstdio>

#include "core/format.h"

namespace ptscope {
namespace {

using nlohmann::json;

std::string key_of(double v) { return fmt("%g", v); }

}  // namespace

json stats_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

json tensor_stats_json(const TensorStats& t) {
  auto num = stats_number;
  json j;
  j["name"] = t.name;
  j["role"] = t.role;
  j["dtype"] = t.dtype;
  j["shape"] = t.shape;
  j["numel"] = t.numel;
  j["bytes"] = t.bytes;
  j["computed"] = t.computed;
  if (!t.computed) {
    j["skipped_reason"] = t.skipped_reason;
    return j;
  }
  j["passes"] = t.passes;
  j["count"] = t.count;
  j["nan"] = t.nan_count;
  j["posinf"] = t.posinf_count;
  j["neginf"] = t.neginf_count;
  j["zeros"] = t.zeros;
  j["sparsity"] = num(t.sparsity);
  j["near_zero"] = t.near_zero;
  j["near_zero_fraction"] = num(t.near_zero_fraction);
  j["mean"] = num(t.mean);
  j["std"] = num(t.std);
  j["std_unbiased"] = num(t.std_unbiased);
  j["min"] = num(t.min);
  j["max"] = num(t.max);
  j["absmax"] = num(t.absmax);
  j["l1"] = num(t.l1);
  j["l2"] = num(t.l2);
  j["linf"] = num(t.linf);
  j["rms"] = num(t.rms);
  j["skewness"] = num(t.skewness);
  j["kurtosis"] = num(t.kurtosis);
  j["spectral_norm"] = num(t.spectral.sigma_max);
  j["stable_rank"] = num(t.spectral.stable_rank);
  j["spectral_method"] = t.spectral.method;
  j["entropy_bits"] = num(t.histogram.entropy_bits);
  const QuantStats& q = t.quant;
  j["sqnr_int8_tensor_db"] = num(q.sqnr_int8_tensor_db);
  j["sqnr_int8_channel_db"] = num(q.sqnr_int8_channel_db);
  j["sqnr_int4_tensor_db"] = num(q.sqnr_int4_tensor_db);
  j["sqnr_int4_channel_db"] = num(q.sqnr_int4_channel_db);
  j["sqnr_int4_group_db"] = num(q.sqnr_int4_group_db);
  j["sqnr_fp16_db"] = num(q.sqnr_fp16_db);
  j["sqnr_bf16_db"] = num(q.sqnr_bf16_db);
  j["fp16_overflow"] = q.fp16_overflow;
  j["fp16_flush_to_zero"] = q.fp16_flush_to_zero;
  j["outlier_ratio"] = num(q.outlier_ratio);
  j["recommended_bits"] = q.recommended_bits;
  j["recommended_format"] = q.recommended_format;
  j["recommendation_reason"] = q.recommendation_reason;
  j["histogram"] = {{"bins", t.histogram.counts.size()},
                    {"lo", num(t.histogram.lo)},
                    {"hi", num(t.histogram.hi)},
                    {"counts", t.histogram.counts},
                    {"entropy_bits", num(t.histogram.entropy_bits)}};
  const SpectralStats& s = t.spectral;
  j["spectral"] = {{"method", s.method},     {"rows", s.rows},
                   {"cols", s.cols},         {"sigma_max", num(s.sigma_max)},
                   {"stable_rank", num(s.stable_rank)}, {"iterations", s.iterations},
                   {"converged", s.converged}, {"rel_residual", num(s.rel_residual)}};
  const PruneStats& p = t.prune;
  json below, kept, thr;
  for (size_t k = 0; k < 3; ++k) {
    below[key_of(kSigmaMultiples[k])] = num(p.below_k_sigma[k]);
    kept[key_of(kPruneSparsities[k] * 100)] = num(p.energy_kept[k]);
    thr[key_of(kPruneSparsities[k] * 100)] = num(p.magnitude_threshold[k]);
  }
  j["prune"] = {{"below_k_sigma", below},
                {"energy_kept", kept},
                {"magnitude_threshold", thr},
                {"channels", p.channels},
                {"dead_channels", p.dead_channels},
                {"near_dead_channels", p.near_dead_channels},
                {"channel_l2", {{"min", num(p.channel_l2_min)},
                                {"median", num(p.channel_l2_median)},
                                {"max", num(p.channel_l2_max)},
                                {"mean", num(p.channel_l2_mean)}}}};
  if (!p.channel_l2.empty()) j["prune"]["channel_l2_norms"] = p.channel_l2;
  const CompressStats& c = t.compress;
  j["compress"] = {{"sampled_bytes", c.sampled_bytes},         {"total_bytes", c.total_bytes},
                   {"byte_entropy_bits", num(c.byte_entropy_bits)}, {"entropy_ratio", num(c.entropy_ratio)},
                   {"zlib_ratio", num(c.zlib_ratio)},            {"zstd_ratio", num(c.zstd_ratio)}};
  const HardwareStats& h = t.hardware;
  j["hardware"] = {{"contiguous", h.contiguous},   {"data_offset", h.data_offset},
                   {"offset_source", h.offset_source}, {"aligned_64", h.aligned_64},
                   {"aligned_page", h.aligned_page}, {"fits_in", h.fits_in}};
  return j;
}

json model_stats_json(const ModelStats& ms, const ModelStatsOptions& o) {
  json j;
  j["schema"] = "ptscope.stats/1";
  j["file"] = ms.path;
  j["options"] = {{"bins", o.stats.bins},
                  {"top", o.top_k},
                  {"filter", o.filter},
                  {"spectral", o.stats.spectral},
                  {"compression", o.stats.compression},
                  {"compress_sample_bytes", o.stats.compress_options.sample_bytes},
                  {"spectral_tol", o.stats.spectral_options.tol}};
  const MachineInfo& m = machine_info();
  json caches = json::array();
  for (const auto& c : m.caches) caches.push_back({{"level", c.level}, {"type", c.type}, {"bytes", c.bytes}});
  j["machine"] = {{"caches", caches}, {"source", m.source}, {"page_size", m.page_size},
                  {"hardware_threads", m.hardware_threads}};
  json tensors = json::array();
  for (const auto& t : ms.tensors) tensors.push_back(tensor_stats_json(t));
  j["tensors"] = std::move(tensors);
  nlohmann::json tied = nlohmann::json::array();
  for (const auto& [name, target] : ms.tied) tied.push_back({{"name", name}, {"tied_to", target}});
  j["tied"] = std::move(tied);
  const ModelSummary& s = ms.summary;
  json weighted = json::object();
  for (const auto& [key, v] : s.weighted) weighted[key] = stats_number(v);
  j["summary"] = {{"tensors", s.tensors},
                  {"weight_tensors", s.weight_tensors},
                  {"skipped", s.skipped},
                  {"numel", s.numel},
                  {"bytes", s.bytes},
                  {"weight_bytes", s.weight_bytes},
                  {"zeros", s.zeros},
                  {"near_zero", s.near_zero},
                  {"nan", s.nan},
                  {"inf", s.inf},
                  {"sparsity", stats_number(s.sparsity)},
                  {"channels", s.channels},
                  {"dead_channels", s.dead_channels},
                  {"near_dead_channels", s.near_dead_channels},
                  {"weighted_mean", weighted},
                  {"recommended_bytes", s.recommended_bytes},
                  {"zlib_ratio", stats_number(s.zlib_ratio)},
                  {"zstd_ratio", stats_number(s.zstd_ratio)}};
  auto ranked = [](const std::vector<RankedTensor>& v) {
    json a = json::array();
    for (const auto& r : v) a.push_back({{"name", r.name}, {"score", stats_number(r.score)}, {"detail", r.detail}});
    return a;
  };
  j["most_sensitive"] = ranked(ms.most_sensitive);
  j["most_prunable"] = ranked(ms.most_prunable);
  json recs = json::array();
  for (const auto& r : ms.recommendations)
    recs.push_back({{"kind", r.kind}, {"text", r.text}, {"tensors", r.tensors}});
  j["recommendations"] = recs;
  const StatsTimings& t = ms.timings;
  j["timings"] = {{"pass1_s", t.pass1},         {"pass2_s", t.pass2}, {"spectral_s", t.spectral},
                  {"compression_s", t.compression}, {"total_s", t.total}, {"bytes", t.bytes}};
  return j;
}

}  // namespace ptscope
