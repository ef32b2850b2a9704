#include "stats/model_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <regex>

#include "core/error.h"
#include "core/format.h"
#include "core/weights.h"

namespace ptscope {
namespace {

bool is_layer(const TensorStats& t) { return t.computed && t.floating && t.shape.size() >= 2 && t.count > 0; }

// Bytes a tensor takes in its recommended format: 4-bit values plus one fp16
// scale per group of 128; 8-bit values plus one fp32 scale per channel.
uint64_t recommended_bytes(const TensorStats& t) {
  const std::string& f = t.quant.recommended_format;
  const int64_t rows = t.shape.size() >= 2 ? t.shape[0] : 1;
  const int64_t cols = rows > 0 ? t.numel / rows : 0;
  if (f == "int4-g128") return uint64_t((t.numel + 1) / 2 + rows * ((cols + 127) / 128) * 2);
  if (f == "int8-channel") return uint64_t(t.numel + rows * 4);
  if (f == "fp16" || f == "bf16") return uint64_t(t.numel) * 2;
  return t.bytes;
}

std::string join_names(const std::vector<std::string>& names, size_t limit) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < limit; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > limit) s += ", … (" + std::to_string(names.size() - limit) + " more)";
  return s;
}

// Totals over all tensors, and count-weighted means of the per-tensor
// statistics over the floating ones.
void sum_totals(ModelStats& ms) {
  ModelSummary& s = ms.summary;
  s = ModelSummary{};
  std::vector<std::pair<std::string, double>> sums;
  std::map<std::string, double> weight_of;
  auto acc = [&](const std::string& key, double value, double weight) {
    if (!std::isfinite(value)) return;
    auto it = std::find_if(sums.begin(), sums.end(), [&](const auto& p) { return p.first == key; });
    if (it == sums.end()) {
      sums.emplace_back(key, 0.0);
      it = sums.end() - 1;
    }
    it->second += value * weight;
    weight_of[key] += weight;
  };
  double zlib_bytes = 0, zstd_bytes = 0;
  for (const TensorStats& t : ms.tensors) {
    ++s.tensors;
    s.bytes += t.bytes;
    if (!t.computed) {
      ++s.skipped;
      continue;
    }
    if (!t.floating) {
      continue;
    }
    ++s.weight_tensors;
    s.numel += t.numel;
    s.weight_bytes += t.bytes;
    s.zeros += t.zeros;
    s.near_zero += t.near_zero;
    s.nan += t.nan_count;
    s.inf += t.posinf_count + t.neginf_count;
    s.channels += t.prune.channels;
    s.dead_channels += t.prune.dead_channels;
    s.near_dead_channels += t.prune.near_dead_channels;
    s.recommended_bytes += t.count > 0 ? recommended_bytes(t) : t.bytes;
    zlib_bytes += double(t.bytes) / (std::isfinite(t.compress.zlib_ratio) ? t.compress.zlib_ratio : 1.0);
    zstd_bytes += double(t.bytes) / (std::isfinite(t.compress.zstd_ratio) ? t.compress.zstd_ratio : 1.0);
    const double w = double(t.count);
    const QuantStats& q = t.quant;
    const PruneStats& p = t.prune;
    acc("std", t.std, w);
    acc("skewness", t.skewness, w);
    acc("kurtosis", t.kurtosis, w);
    acc("near_zero_fraction", t.near_zero_fraction, w);
    acc("entropy_bits", t.histogram.entropy_bits, w);
    acc("outlier_ratio", q.outlier_ratio, w);
    acc("sqnr_int8_tensor_db", q.sqnr_int8_tensor_db, w);
    acc("sqnr_int8_channel_db", q.sqnr_int8_channel_db, w);
    acc("sqnr_int4_tensor_db", q.sqnr_int4_tensor_db, w);
    acc("sqnr_int4_channel_db", q.sqnr_int4_channel_db, w);
    acc("sqnr_int4_group_db", q.sqnr_int4_group_db, w);
    acc("sqnr_fp16_db", q.sqnr_fp16_db, w);
    acc("sqnr_bf16_db", q.sqnr_bf16_db, w);
    for (size_t k = 0; k < 3; ++k) {
      acc("below_" + fmt("%g", kSigmaMultiples[k]) + "_sigma", p.below_k_sigma[k], w);
      acc("energy_kept_" + fmt("%.0f", kPruneSparsities[k] * 100), p.energy_kept[k], w);
    }
    acc("stable_rank", t.spectral.stable_rank, w);
    acc("byte_entropy_bits", t.compress.byte_entropy_bits, double(t.bytes));
  }
  for (auto& [key, total] : sums) s.weighted.emplace_back(key, total / weight_of[key]);
  s.sparsity = s.numel > 0 ? double(s.zeros) / double(s.numel) : 0;
  s.zlib_ratio = zlib_bytes > 0 ? double(s.weight_bytes) / zlib_bytes : 0;
  s.zstd_ratio = zstd_bytes > 0 ? double(s.weight_bytes) / zstd_bytes : 0;
}

// The layers (weights with ndim >= 2), and those of them that hold some
// non-zero weight.
struct Layers {
  std::vector<const TensorStats*> all, nonzero;
};

// Rankings over the layers (weights with ndim >= 2) that hold some non-zero
// weight: an all-zero tensor quantizes exactly (SQNR inf) and has no energy to
// keep (NaN), so it is neither sensitive nor a pruning result; keeping NaN out
// also keeps the sorts' ordering strict. (Its dead channels still count below.)
Layers find_layers(const ModelStats& ms) {
  Layers out;
  std::vector<const TensorStats*>& layers = out.all;
  std::vector<const TensorStats*>& nonzero_layers = out.nonzero;
  for (const TensorStats& t : ms.tensors)
    if (is_layer(t)) {
      layers.push_back(&t);
      if (t.l2 > 0 && std::isfinite(t.l2)) nonzero_layers.push_back(&t);
    }
  return out;
}

// The `k` layers most sensitive to int4 quantization, and the `k` most prunable.
void rank_layers(ModelStats& ms, const std::vector<const TensorStats*>& nonzero_layers, size_t k) {
  std::vector<const TensorStats*> sensitive;
  for (const TensorStats* t : nonzero_layers)
    if (!std::isnan(t->quant.sqnr_int4_group_db)) sensitive.push_back(t);
  std::stable_sort(sensitive.begin(), sensitive.end(), [](const TensorStats* a, const TensorStats* b) {
    return a->quant.sqnr_int4_group_db < b->quant.sqnr_int4_group_db;
  });
  ms.most_sensitive.clear();
  for (size_t i = 0; i < sensitive.size() && i < k; ++i) {
    const TensorStats& t = *sensitive[i];
    ms.most_sensitive.push_back({t.name, t.quant.sqnr_int4_group_db,
                                 fmt("int4-g128 %.1f dB, int8-channel %.1f dB, kurtosis %.2f, max/rms %.1f",
                                     t.quant.sqnr_int4_group_db, t.quant.sqnr_int8_channel_db, t.kurtosis,
                                     t.quant.outlier_ratio)});
  }
  std::vector<const TensorStats*> prunable;
  for (const TensorStats* t : nonzero_layers)
    if (!std::isnan(t->prune.energy_kept[1])) prunable.push_back(t);
  std::stable_sort(prunable.begin(), prunable.end(), [](const TensorStats* a, const TensorStats* b) {
    return a->prune.energy_kept[1] > b->prune.energy_kept[1];
  });
  ms.most_prunable.clear();
  for (size_t i = 0; i < prunable.size() && i < k; ++i) {
    const TensorStats& t = *prunable[i];
    ms.most_prunable.push_back(
        {t.name, t.prune.energy_kept[1],
         fmt("70%% sparsity keeps %.1f%% of the energy (50%%: %.1f%%), %.0f dead + %.0f near-dead channels",
             100 * t.prune.energy_kept[1], 100 * t.prune.energy_kept[0], double(t.prune.dead_channels),
             double(t.prune.near_dead_channels))});
  }
}

// Which format the weights go to (or that they are already compact), and the
// layers that must stay 16-bit.
void recommend_quantization(ModelStats& ms, const ModelStatsOptions& options, size_t k) {
  const ModelSummary& s = ms.summary;
  auto& recs = ms.recommendations;
  const QuantRule& rule = options.stats.quant_rule;
  std::map<std::string, std::pair<int64_t, int64_t>> by_format;  // format → (tensors, elements)
  std::vector<std::string> keep16;
  for (const TensorStats& t : ms.tensors) {
    if (!t.computed || !t.floating || t.count == 0) continue;
    auto& f = by_format[t.quant.recommended_format];
    ++f.first;
    f.second += t.numel;
    if (is_layer(t) && t.numel >= rule.min_numel && t.quant.recommended_bits == 16) keep16.push_back(t.name);
  }
  // What the weights already are: int8/quantized or 16-bit tensors gain nothing from the
  // same advice again (an int8 model is not told to go to fp16).
  std::map<std::string, std::pair<int64_t, int64_t>> already;  // dtype → (tensors, elements)
  int64_t compact_elements = 0, weight_elements = 0;
  for (const TensorStats& t : ms.tensors) {
    if (!t.computed || !t.floating || t.count == 0) continue;
    weight_elements += t.numel;
    if (t.dtype == "float32" || t.dtype == "float64") continue;
    auto& a = already[t.dtype];
    ++a.first;
    a.second += t.numel;
    compact_elements += t.numel;
  }
  const bool mostly_compact = weight_elements > 0 && compact_elements * 2 >= weight_elements;
  if (s.weight_tensors > 0 && mostly_compact) {
    std::string text = "The weights are already compact:";
    for (const auto& [dtype, a] : already)
      text += " " + dtype + ": " + std::to_string(a.first) + " tensors, " + std::to_string(a.second) + " elements;";
    text += fmt(" %.1f%% of the weight elements.", 100.0 * double(compact_elements) / double(weight_elements));
    const int64_t rest = weight_elements - compact_elements;
    if (rest > 0)
      text += " The remaining " + std::to_string(rest) +
              " float elements (scales, biases, small tensors) are too few to matter; no further quantization is "
              "recommended.";
    recs.push_back({"quantize", text, {}});
  } else if (s.weight_tensors > 0) {
    std::string text = "Rule: int4 per-group-128 where its SQNR >= " + fmt("%.1f", rule.int4_min_sqnr_db) +
                       " dB, else int8 per-channel where its SQNR >= " + fmt("%.1f", rule.int8_min_sqnr_db) +
                       " dB, else 16-bit; 1-D tensors and tensors under " + std::to_string(rule.min_numel) +
                       " elements stay 16-bit.";
    for (const auto& [format, f] : by_format)
      text += " " + format + ": " + std::to_string(f.first) + " tensors, " + std::to_string(f.second) + " elements;";
    text += fmt(" weights go from %.1f MB to %.1f MB (%.2fx).", double(s.weight_bytes) / 1e6,
                double(s.recommended_bytes) / 1e6,
                s.recommended_bytes ? double(s.weight_bytes) / double(s.recommended_bytes) : 0.0);
    recs.push_back({"quantize", text, {}});
  }
  if (!keep16.empty()) {
    std::string text = std::to_string(keep16.size()) +
                       " layer(s) lose too much in int4-g128 and int8 per-channel; keep them in 16-bit: ";
    std::vector<std::string> shown;
    for (const auto& name : keep16) {
      const auto it = std::find_if(ms.tensors.begin(), ms.tensors.end(), [&](const TensorStats& t) { return t.name == name; });
      shown.push_back(name + fmt(" (int8-channel %.1f dB)", it->quant.sqnr_int8_channel_db));
    }
    recs.push_back({"keep-16bit", text + join_names(shown, k) + ".", keep16});
  }
}

// Layers already pruned, how far magnitude pruning goes in the others, and the
// channels structured pruning can remove.
void recommend_pruning(ModelStats& ms, const Layers& found, size_t k) {
  const std::vector<const TensorStats*>& layers = found.all;
  const std::vector<const TensorStats*>& nonzero_layers = found.nonzero;
  auto& recs = ms.recommendations;
  // Unstructured: the highest sparsity that keeps >= 95% of a layer's energy. A layer that is
  // already that sparse (pruned before saving) is reported as pruned, not told to prune again.
  std::vector<std::string> pruned;
  for (const TensorStats* t : nonzero_layers)  // an all-zero layer is dead, not pruned
    if (t->sparsity >= kPruneSparsities[0] - 0.005) pruned.push_back(t->name);
  if (!pruned.empty())
    recs.push_back({"pruned",
                    fmt("%.0f layer(s) are already at least %.0f%% zeros (pruned): ", double(pruned.size()),
                        100 * kPruneSparsities[0]) +
                        join_names(pruned, k) + "; store them sparse (CSR or 2:4) to save memory and time.",
                    pruned});
  for (int level = 2; level >= 0; --level) {
    std::vector<std::string> names;
    int64_t elements = 0;
    for (const TensorStats* t : layers) {
      if (t->sparsity >= kPruneSparsities[size_t(level)] - 0.005) continue;  // already this sparse
      const auto& e = t->prune.energy_kept;
      const bool here = e[size_t(level)] >= 0.95 && (level == 2 || e[size_t(level) + 1] < 0.95);
      if (here) names.push_back(t->name), elements += t->numel;
    }
    if (names.empty()) continue;
    recs.push_back({"prune-unstructured",
                    fmt("%.0f%% magnitude pruning keeps >= 95%% of the L2 energy in %.0f layer(s) (%.0f elements): ",
                        100 * kPruneSparsities[size_t(level)], double(names.size()), double(elements)) +
                        join_names(names, k) + ".",
                    names});
  }
  std::vector<std::string> structured;
  int64_t dead = 0, near = 0;
  for (const TensorStats* t : layers)
    if (t->prune.dead_channels + t->prune.near_dead_channels > 0) {
      structured.push_back(t->name);
      dead += t->prune.dead_channels;
      near += t->prune.near_dead_channels;
    }
  if (!structured.empty())
    recs.push_back({"prune-structured",
                    fmt("%.0f dead (all-zero) and %.0f near-dead (L2 <= 1%% of the median channel) output channels in %.0f "
                        "layer(s) can be removed: ",
                        double(dead), double(near), double(structured.size())) +
                        join_names(structured, k) + ".",
                    structured});
}

// Lossless compression, and the tensors holding NaN or infinite values.
void recommend_lossless_and_report_non_finite(ModelStats& ms, const ModelStatsOptions& options, size_t k) {
  const ModelSummary& s = ms.summary;
  auto& recs = ms.recommendations;
  if (s.weight_bytes > 0 && s.zstd_ratio > 0)
    recs.push_back({"compress",
                    fmt("Lossless: zstd -3 shrinks the weight bytes %.3fx and zlib -6 %.3fx (measured on up to %.0f MiB "
                        "per tensor); byte entropy averages %.2f bits/byte.",
                        s.zstd_ratio, s.zlib_ratio, double(options.stats.compress_options.sample_bytes) / 1048576.0,
                        [&] {
                          for (const auto& [key, v] : s.weighted)
                            if (key == "byte_entropy_bits") return v;
                          return 0.0;
                        }()),
                    {}});
  std::vector<std::string> bad;
  for (const TensorStats& t : ms.tensors)
    if (t.nan_count + t.posinf_count + t.neginf_count > 0) bad.push_back(t.name);
  if (!bad.empty())
    recs.push_back({"non-finite",
                    fmt("%.0f NaN and %.0f infinite values in %.0f tensor(s); statistics leave them out: ", double(s.nan),
                        double(s.inf), double(bad.size())) +
                        join_names(bad, k) + ".",
                    bad});
}

}  // namespace

void summarize(ModelStats& ms, const ModelStatsOptions& options) {
  sum_totals(ms);
  const Layers layers = find_layers(ms);
  const size_t k = size_t(std::max(0, options.top_k));
  rank_layers(ms, layers.nonzero, k);
  ms.recommendations.clear();
  recommend_quantization(ms, options, k);
  recommend_pruning(ms, layers, k);
  recommend_lossless_and_report_non_finite(ms, options, k);
}

ModelStats compute_model_stats(const Model& model, const ModelStatsOptions& options) {
  std::regex filter;
  if (!options.filter.empty()) {
    try {
      filter = std::regex(options.filter, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw Error(ErrorCode::usage, "invalid --filter regex '" + options.filter + "': " + e.what());
    }
  }
  ModelStats ms;
  ms.path = model.path;
  std::vector<const Tensor*> tensors;
  std::vector<const NamedTensor*> named;
  std::vector<WeightRole> roles;
  const auto weight_role = weight_roles(model);
  const auto ties = tied_to(model);
  for (size_t i = 0; i < model.tensors.size(); ++i) {
    const NamedTensor& nt = model.tensors[i];
    if (!nt.tensor) continue;
    if (!options.filter.empty() && !std::regex_search(nt.name, filter)) continue;
    if (ties[i] >= 0) {  // the same bytes as an earlier tensor: its statistics are that one's
      ms.tied.emplace_back(nt.name, model.tensors[size_t(ties[i])].name);
      continue;
    }
    tensors.push_back(nt.tensor.get());
    named.push_back(&nt);
    roles.push_back(weight_role[i]);
  }
  ms.tensors = compute_tensor_stats_batch(tensors, options.stats, &ms.timings);
  for (size_t i = 0; i < named.size(); ++i) {
    ms.tensors[i].name = named[i]->name;
    // The role every command uses (a plain state_dict's tensors get one too).
    ms.tensors[i].role = roles[i] == WeightRole::parameter ? "parameter"
                         : roles[i] == WeightRole::buffer  ? "buffer"
                                                           : tensor_role_name(named[i]->role);
  }
  summarize(ms, options);
  return ms;
}

}  // namespace ptscope
