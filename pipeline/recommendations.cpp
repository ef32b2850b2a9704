// Roofline and recommendations of the analysis: every recommendation carries
// the numbers it was derived from (docs/analysis.md).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "pipeline/sections.h"
#include "core/format.h"
#include "stats/system_metrics.h"

namespace ptscope {

using namespace graph;

namespace {

std::string pct(double part, double whole) { return format_percent(part, whole, "0%"); }
std::string where(const std::string& scope) { return scope.empty() ? "(root)" : scope; }

AnalysisRecommendation recommendation(std::string kind, std::string target, std::string message,
                                      RecommendationEvidence evidence) {
  return {std::move(kind), std::move(target), std::move(message), std::move(evidence)};
}

using Recommendations = std::vector<AnalysisRecommendation>;

// All bytes the graph moves (read + written), as the evidence reports it.
double total_bytes_moved(const Summary& s) { return double(s.cost.bytes_read) + double(s.cost.bytes_written); }

std::string base_op(const std::string& op) {
  std::string s = op.substr(op.find("::") == std::string::npos ? 0 : op.find("::") + 2);
  return s.substr(0, s.find('.'));
}

void fusion_recommendations(const std::vector<FusionRow>& fusions, const Summary& summary, Recommendations& out) {
  std::map<std::string, std::vector<const Fusion*>> by;
  for (const auto& f : fusions) by[f.fusion.pattern].push_back(&f.fusion);
  const double total_bytes = total_bytes_moved(summary);
  static const std::map<std::string, std::string> how = {
      {"conv+bn+relu", "fold each batch_norm into its convolution's weights and bias and apply the relu in the "
                       "conv's epilogue"},
      {"conv+bn+activation", "fold each batch_norm into its convolution and apply the activation in the conv's "
                             "epilogue"},
      {"conv+bn", "fold each batch_norm into its convolution's weights and bias (exact at inference)"},
      {"conv+relu", "apply the relu in the convolution's epilogue"},
      {"conv+activation", "apply the activation in the convolution's epilogue"},
      {"linear+activation", "apply the activation in the GEMM's epilogue"},
      {"attention", "replace QKᵀ → softmax → ·V by one fused attention kernel "
                    "(F.scaled_dot_product_attention / FlashAttention), which never writes the score matrix"},
  };
  // Largest saving first.
  std::vector<std::pair<std::string, std::vector<const Fusion*>>> order(by.begin(), by.end());
  auto saved_of = [](const std::vector<const Fusion*>& l) {
    uint64_t s = 0;
    for (const Fusion* f : l) s += f->saved_bytes;
    return s;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const auto& x, const auto& y) { return saved_of(x.second) > saved_of(y.second); });
  for (const auto& [pattern, list] : order) {
    uint64_t saved = 0;
    std::vector<std::string> examples;
    for (const Fusion* f : list) {
      saved += f->saved_bytes;
      if (examples.size() < 3) examples.push_back(where(f->scope));
    }
    std::string names;
    for (const auto& e : examples) names += (names.empty() ? "" : ", ") + e;
    const std::string msg = "Fuse " + std::to_string(list.size()) + " " + pattern + " chain" +
                            (list.size() == 1 ? "" : "s") + " (" + names + (list.size() > 3 ? ", ..." : "") +
                            "): " + how.at(pattern) + "; saves " + format_bytes(saved) +
                            " of intermediate traffic per forward (" + pct(double(saved), total_bytes) +
                            " of all bytes moved).";
    out.push_back(recommendation("fuse", list.size() == 1 ? where(list[0]->scope) : "model", msg,
                                 FusionEvidence{pattern, list.size(), saved, total_bytes, std::move(examples)}));
  }
}

void memory_bound_recommendations(const std::vector<NodeRow>& nodes, double ridge, Recommendations& out) {
  struct Row {
    int index;
    std::string op, scope;
    double intensity, bytes, time;
  };
  std::vector<Row> below;
  double all_bytes = 0, below_bytes = 0, all_time = 0, below_time = 0;
  int compute_nodes = 0;
  for (const NodeRow& n : nodes) {
    const double f = n.cost.flops + n.cost.extended_flops;
    const double bytes = double(n.cost.bytes_read) + double(n.cost.bytes_written);
    const double t = n.time_us.value_or(0);
    if (f <= 0 || bytes <= 0) continue;
    ++compute_nodes;
    all_bytes += bytes;
    all_time += t;
    if (n.intensity < ridge) {
      below.push_back({int(n.index), n.op, n.scope, n.intensity, bytes, t});
      below_bytes += bytes;
      below_time += t;
    }
  }
  if (below.empty()) return;
  // Activations already in 16 bits or fewer (fp16/bf16 or quantized) are not told to shrink again.
  double narrow_bytes = 0;
  for (const NodeRow& n : nodes) {
    const double bytes = double(n.cost.bytes_read) + double(n.cost.bytes_written);
    for (const TensorInfo& o : n.outputs) {
      if (o.dtype != DType::float32 && o.dtype != DType::float64) {
        narrow_bytes += bytes;
        break;
      }
    }
  }
  const bool already_narrow = all_bytes > 0 && narrow_bytes >= 0.5 * all_bytes;
  std::sort(below.begin(), below.end(), [](const Row& x, const Row& y) { return x.bytes > y.bytes; });
  MemoryBoundEvidence ev;
  std::string names;
  for (size_t i = 0; i < below.size() && i < 3; ++i) {
    ev.largest.push_back({below[i].index, below[i].op, below[i].scope, below[i].intensity, below[i].bytes});
    names += (names.empty() ? "" : "; ") + below[i].op + " in " + where(below[i].scope) + " (" +
             fmt("%.2f", below[i].intensity) + " FLOP/B, " + format_bytes(uint64_t(below[i].bytes)) + ")";
  }
  std::string msg = std::to_string(below.size()) + " of " + std::to_string(compute_nodes) +
                    " computing ops are memory-bound (below the ridge point of " + fmt("%.1f", ridge) +
                    " FLOP/B) and move " + pct(below_bytes, all_bytes) + " of their bytes";
  if (all_time > 0) msg += " and take " + pct(below_time, all_time) + " of their time";
  msg += already_narrow ? ": fuse them into their neighbours (activations are already 16-bit or narrower). Largest: " +
                              names + "."
                        : ": fuse them into their neighbours or store activations in 16 bits. Largest: " + names + ".";
  ev.ridge_point = ridge;
  ev.memory_bound_nodes = below.size();
  ev.compute_nodes = compute_nodes;
  ev.bytes = below_bytes;
  ev.bytes_share = all_bytes > 0 ? below_bytes / all_bytes : 0;
  if (all_time > 0) ev.time_share = below_time / all_time;
  out.push_back(recommendation("memory-bound", where(below[0].scope), msg, std::move(ev)));
}

void layout_recommendations(const Summary& summary, const Graph* g, Recommendations& out) {
  if (!g) return;
  const double total_bytes = total_bytes_moved(summary);
  // 1. channels_last for 2-D convolutions (NHWC suits vectorised and tensor-core convolutions).
  int conv2d = 0, depthwise = 0;
  double conv_flops = 0;
  for (const Node& n : g->nodes) {
    if (n.category != OpCategory::conv || n.inputs.size() < 2) continue;
    // Quantized convolutions (quantized::conv2d, int8 weights) already run on NHWC kernels
    // (fbgemm/qnnpack/xnnpack take channels-last); the advice is for float ones.
    if (n.op.rfind("aten::", 0) != 0) continue;
    const auto& w = g->values[size_t(n.inputs[1])].meta.shape;
    if (w.size() != 4 || !dtype_info(g->values[size_t(n.inputs[1])].meta.dtype).is_floating) continue;
    ++conv2d;
    conv_flops += n.cost.flops;
    if (w[1] == 1) ++depthwise;
  }
  const double flops = summary.cost.flops;
  if (conv2d > 0 && conv_flops >= 0.3 * flops) {
    out.push_back(recommendation(
        "layout", "model",
        "Run the " + std::to_string(conv2d) + " 2-D convolutions (" + pct(conv_flops, flops) +
            " of the FLOPs) in channels_last (NHWC): model.to(memory_format=torch.channels_last) and the same for "
            "inputs; cuDNN/oneDNN pick faster NHWC kernels" +
            (depthwise > 0 ? ", especially for the " + std::to_string(depthwise) + " depthwise ones" : "") + ".",
        ChannelsLastEvidence{conv2d, depthwise, conv_flops, flops}));
  }
  // 2. Layout copies: contiguous/clone after transposes and permutes.
  int copies = 0;
  uint64_t copy_bytes = 0;
  std::string first_scope;
  for (const Node& n : g->nodes) {
    const std::string b = base_op(n.op);
    if ((b == "contiguous" || b == "clone") && n.cost.bytes_written > 0) {
      ++copies;
      copy_bytes += n.cost.bytes_read + n.cost.bytes_written;
      if (first_scope.empty()) first_scope = where(n.scope);
    }
  }
  if (copies > 0)
    out.push_back(recommendation(
        "layout", first_scope,
        std::to_string(copies) + " layout copies (aten::contiguous / clone, first in " + first_scope + ") move " +
            format_bytes(copy_bytes) + " (" + pct(double(copy_bytes), total_bytes) +
            " of all bytes): produce tensors in the layout their consumer reads (e.g. head-major q/k/v from the "
            "projection) or let the consumer take strides.",
        LayoutCopyEvidence{copies, copy_bytes, total_bytes}));
  // 3. Channel counts that do not fill vector lanes / tensor-core tiles (multiples of 8).
  int misaligned = 0, weighted = 0;
  std::vector<MisalignedLayer> examples;
  for (const Node& n : g->nodes) {
    if (n.category != OpCategory::conv && n.category != OpCategory::matmul) continue;
    for (int id : n.inputs) {
      const Value& v = g->values[size_t(id)];
      if (v.kind != Value::Kind::parameter || v.meta.shape.size() < 2) continue;
      ++weighted;
      const int64_t out_c = v.meta.shape[0], in_c = v.meta.shape[1];
      const bool bad = (out_c >= 8 && out_c % 8 != 0) || (in_c >= 8 && in_c % 8 != 0);
      if (bad) {
        ++misaligned;
        if (examples.size() < 3)
          examples.push_back({where(n.scope), v.name, v.meta.shape});
      }
      break;
    }
  }
  if (misaligned > 0) {
    std::string names;
    for (const auto& e : examples) names += (names.empty() ? "" : ", ") + e.scope + " " + format_shape(e.shape);
    const std::string target = examples[0].scope;
    out.push_back(recommendation(
        "layout", target,
        std::to_string(misaligned) + " of " + std::to_string(weighted) +
            " weighted layers have channel counts that are not multiples of 8 (" + names +
            "): pad them to multiples of 8 (16 for int8) so that vector lanes and tensor-core tiles are full.",
        ChannelAlignmentEvidence{misaligned, weighted, std::move(examples)}));
  }
}

void training_recommendation(const TrainingMemory& t, Recommendations& out) {
  const OptimizerMemory& adam = t.adam;
  const double peak = double(adam.peak);
  const double acts = double(t.saved_activation_bytes);
  if (peak <= 0) return;
  std::string msg = "Training with Adam needs about " + format_bytes(uint64_t(peak)) + " (weights " +
                    format_bytes(adam.weights) + ", gradients " +
                    format_bytes(adam.gradients) + ", optimizer state " +
                    format_bytes(adam.optimizer_state) + ", saved activations " +
                    format_bytes(uint64_t(acts)) + " at this batch); SGD with momentum " +
                    format_bytes(t.sgd_momentum.peak) + ", plain SGD " +
                    format_bytes(t.sgd.peak) + ".";
  if (acts >= 0.5 * peak)
    msg += " Saved activations are " + pct(acts, peak) +
           " of it: activation checkpointing (torch.utils.checkpoint) or a smaller micro-batch cuts them most.";
  else
    msg += " Weights and optimizer state dominate (" + pct(peak - acts, peak) +
           "): a sharded or 8-bit optimizer, or mixed precision, cuts them most.";
  out.push_back(recommendation("training-memory", "model", msg,
                               TrainingMemoryEvidence{peak, t.sgd_momentum.peak, t.sgd.peak, acts}));
}

void stats_recommendations(const ModelStats& ms, Recommendations& out) {
  std::map<std::string, const TensorStats*> by_name;
  for (const auto& t : ms.tensors) by_name[t.name] = &t;
  for (const auto& r : ms.recommendations) {
    if (r.kind == "compress") continue;  // the analysis skips the compressibility pass (`ptscope stats` has it)
    TensorsEvidence ev;
    for (const auto& name : r.tensors) {
      TensorEvidence te;
      te.name = name;
      auto it = by_name.find(name);
      if (it != by_name.end() && it->second->computed) {
        const TensorStats& t = *it->second;
        te.computed = true;
        te.numel = t.numel;
        te.sparsity = t.sparsity;
        te.sqnr_int8_channel_db = t.quant.sqnr_int8_channel_db;
        te.sqnr_int4_group_db = t.quant.sqnr_int4_group_db;
        te.dead_channels = t.prune.dead_channels;
      }
      ev.tensors.push_back(std::move(te));
    }
    const std::string target = r.tensors.size() == 1 ? r.tensors[0] : "model";
    out.push_back(recommendation(r.kind, target, r.text, std::move(ev)));
  }
}

}  // namespace

Roofline roofline_section(const std::vector<NodeRow>& nodes, const AnalysisOptions& options) {
  MachinePeaks p = options.profile ? measure_cpu_peaks() : estimate_cpu_peaks(cpu_info());
  if (options.peak_gflops || options.peak_bandwidth_gbs) {
    if (options.peak_gflops) p.gflops = *options.peak_gflops;
    if (options.peak_bandwidth_gbs) p.bandwidth_gbs = *options.peak_bandwidth_gbs;
    p.source = "given";
    p.model = "ceilings given on the command line (--peak-gflops / --peak-bandwidth)";
  }
  Roofline r;
  r.peaks = p;
  r.ridge_point = p.bandwidth_gbs > 0 ? p.gflops / p.bandwidth_gbs : 0.0;
  if (options.device != "cpu")
    r.note = "ceilings are the host CPU's; the " + options.device + " device's peaks are not measured";
  const double ridge = r.ridge_point;
  for (const NodeRow& n : nodes) {
    const double f = n.cost.flops + n.cost.extended_flops;
    const double bytes = double(n.cost.bytes_read) + double(n.cost.bytes_written);
    if (f <= 0 || bytes <= 0) continue;
    const double intensity = n.intensity;
    RooflineNode j{n.index, n.op, n.scope, intensity, f, intensity < ridge,
                   std::min(p.gflops, intensity * p.bandwidth_gbs), {}};
    if (n.time_us && *n.time_us > 0) j.gflops = f / (*n.time_us * 1e3);
    r.nodes.push_back(std::move(j));
  }
  return r;
}

namespace {

// WeightWatcher's warnings (analyze --spectral): alpha > 6 under-trained,
// alpha < 2 over-trained, and layers whose power-law fit failed.
void heavy_tail_recommendations(const std::optional<HeavyTailReport>& heavy_tail, Recommendations& out) {
  if (!heavy_tail) return;
  struct Group {
    const char* kind;
    const char* rule;
    std::vector<HeavyTailLayerEvidence> layers = {};
  };
  Group under{"under-trained", "alpha > 6: a flat, random-like spectrum; the layer may be under-trained or redundant"},
      over{"over-trained", "alpha < 2: a very heavy tail; the layer may be over-fitted (or over-regularised)"},
      failed{"spectrum-fit-failed",
             "no eigenvalue above 1e-5, so no power law fits: the layer is zero or nearly so (WeightWatcher labels it "
             "over-trained)"};
  for (const HeavyTailLayer& l : heavy_tail->layers) {
    if (!std::isfinite(l.alpha)) continue;
    const HeavyTailLayerEvidence item{l.name, l.alpha, l.D};
    if (l.alpha == -1.0) failed.layers.push_back(item);
    else if (l.warning == "under-trained") under.layers.push_back(item);
    else if (l.warning == "over-trained") over.layers.push_back(item);
  }
  for (Group* g : {&under, &over, &failed}) {
    if (g->layers.empty()) continue;
    std::string names;
    for (size_t i = 0; i < g->layers.size() && i < 5; ++i)
      names += (i ? ", " : "") + g->layers[i].name;
    if (g->layers.size() > 5) names += ", ...";
    const std::string msg = std::to_string(g->layers.size()) + " layer(s) " + g->kind + " by the heavy-tail rule (" +
                            g->rule + "): " + names + ".";
    out.push_back(recommendation(g->kind, g->layers.size() == 1 ? g->layers[0].name : "model", msg,
                                 HeavyTailEvidence{g->layers}));
  }
}

}  // namespace

std::vector<AnalysisRecommendation> recommendations_section(const Analysis& a, const Graph* g) {
  Recommendations out;
  fusion_recommendations(a.fusions, a.summary, out);
  memory_bound_recommendations(a.nodes, a.roofline.ridge_point, out);
  layout_recommendations(a.summary, g, out);
  stats_recommendations(a.parameters.stats, out);
  training_recommendation(a.training_memory, out);
  heavy_tail_recommendations(a.heavy_tail, out);
  return out;
}

}  // namespace ptscope
