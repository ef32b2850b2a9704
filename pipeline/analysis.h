// `ptscope analyze`: every analysis of one file, gathered into one typed
// `Analysis` by run_analysis(). This layer drives the graph, statistics,
// memory planning, fusion, the executor and the sweep; every section is
// computed once, from typed inputs. report/analysis.h writes an Analysis as
// the `ptscope.analysis/1` JSON (docs/analysis-schema.md), text, Markdown and
// HTML, and computes nothing itself.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/model.h"
#include "graph/fusion.h"
#include "graph/graph_analysis.h"
#include "graph/input_inference.h"
#include "graph/training_flops.h"
#include "graph/training_memory.h"
#include "kernels/profile.h"
#include "pipeline/sweep.h"
#include "stats/heavy_tail.h"
#include "stats/model_stats.h"
#include "stats/system_metrics.h"

namespace ptscope {

struct AnalysisOptions {
  graph::GraphOptions graph;  // inputs, --batch, --seq, method
  bool inference = false;     // run the executor: latency, per-node times
  bool profile = false;       // inference + measured machine peaks for the roofline
  std::string device = "cpu";
  int runs = 10, warmup = 2;  // executor repetitions
  int histogram_bins = 32;
  unsigned threads = 0;       // statistics threads (0: all)
  bool spectral = false;      // WeightWatcher-style heavy-tail metrics per layer (`heavy_tail`), warnings as recommendations
  std::optional<SweepRequest> sweep;
  // Roofline ceilings given by the user (e.g. a target device's); otherwise
  // estimated from the CPU, or measured with `profile`.
  std::optional<double> peak_gflops, peak_bandwidth_gbs;
  // Called as work starts: (what, step, steps). Reports draw a progress bar from it.
  std::function<void(std::string_view what, int step, int steps)> progress;
};

// A section that could not be computed says why instead.
struct Unavailable {
  std::string reason;
};

struct FileSection {
  std::string path;
  FileKind kind = FileKind::torchscript;
  std::optional<int64_t> format_version;
  uint64_t bytes = 0;
};

struct GraphSection {
  bool available = false;
  std::string method;
  std::vector<std::string> notes;  // when available
  std::string reason;              // when not
  bool data_dependent = false;     // not available because control flow depends on tensor values
};

// A tensor at a graph edge: shape, dtype and, for graph inputs, its name.
struct TensorInfo {
  std::vector<int64_t> shape;
  DType dtype = DType::float32;
  std::string name;
};

struct Summary {
  int64_t params = 0, trainable_params = 0, non_trainable_params = 0;
  int64_t buffers = 0, buffer_tensors = 0;
  uint64_t weight_bytes = 0, file_tensor_bytes = 0;
  graph::OpCost cost;  // whole graph (zero without one)
  size_t nodes = 0;
  std::vector<TensorInfo> inputs, outputs;
};

// The weight statistics (stats/model_stats.h) and the options they were computed with.
struct ParametersSection {
  ModelStats stats;
  ModelStatsOptions options;
};

struct ModuleRow {
  graph::ModuleTotals totals;
  uint64_t weight_bytes = 0;      // parameters and buffers under this path, tied ones once
  uint64_t activation_bytes = 0;  // new bytes written by the nodes under this path
  std::optional<double> time_us;  // executor time of those nodes (inference)
};

// Where a node input comes from: a node's output (`from` >= 0) or a graph input, parameter or constant.
struct EdgeSource {
  TensorInfo tensor;  // name: the input's, parameter's or constant's
  int value = 0;
  int from = -1;
  graph::Value::Kind kind = graph::Value::Kind::input;
};

struct NodeRow {
  size_t index = 0;
  std::string op, scope, scope_class, source;
  graph::OpCategory category = graph::OpCategory::other;
  std::vector<EdgeSource> inputs;
  std::vector<TensorInfo> outputs;
  int64_t params = 0;
  graph::OpCost cost;
  double intensity = 0;  // (flops + extended_flops) / bytes moved
  uint64_t live_bytes = 0;
  bool view = false;
  std::vector<std::pair<std::string, std::string>> args;  // attribute name → its text, schema order
  std::optional<double> time_us;                          // executor time (inference)
};

struct LayerMemory {
  std::string scope, class_name;
  uint64_t weight_bytes = 0, activation_bytes = 0;
};

struct MemorySection {
  bool available = false;
  std::string reason;  // when not available
  uint64_t weights_bytes = 0, resident_bytes = 0, activation_peak_bytes = 0, peak_bytes = 0;
  int peak_node = -1;
  uint64_t input_bytes = 0, output_bytes = 0;
  std::vector<uint64_t> timeline;  // live bytes per node
  std::vector<LayerMemory> per_layer;
};

struct FusionRow {
  graph::Fusion fusion;
  std::vector<std::string> ops;  // the fused nodes' ops
};

struct InferenceSection {
  std::string device;
  bool executor_ran = false;               // false: there was no graph to run
  std::optional<std::string> unavailable;  // why the executor could not run (or why there was no graph)
  kernels::ProfileResult result;
  double throughput_per_s = 0;             // batch / median latency
};

struct RooflineNode {
  size_t index = 0;
  std::string op, scope;
  double intensity = 0, flops = 0;  // flops: counted + extended
  bool memory_bound = false;
  double attainable_gflops = 0;
  std::optional<double> gflops;  // achieved, when timed
};

struct Roofline {
  MachinePeaks peaks;
  double ridge_point = 0;
  std::string device = "cpu";
  std::optional<std::string> note;
  std::vector<RooflineNode> nodes;  // computing nodes only (FLOPs and bytes > 0)
};

// The numbers each kind of recommendation was derived from (docs/analysis-schema.md
// names them). Types follow the JSON: a double where the document writes a real.

// "fuse": one fusion pattern over the whole graph.
struct FusionEvidence {
  std::string pattern;
  size_t count = 0;
  uint64_t saved_bytes = 0;
  double total_bytes_moved = 0;
  std::vector<std::string> examples;  // up to three module scopes
};

struct MemoryBoundNode {
  int index = 0;
  std::string op, scope;
  double intensity = 0, bytes = 0;
};
// "memory-bound": the computing ops below the ridge point.
struct MemoryBoundEvidence {
  double ridge_point = 0;
  size_t memory_bound_nodes = 0;
  int compute_nodes = 0;
  double bytes = 0, bytes_share = 0;
  std::vector<MemoryBoundNode> largest;  // up to three, most bytes first
  std::optional<double> time_share;      // when the nodes were timed
};

// "layout": 2-D convolutions that would run faster in channels_last.
struct ChannelsLastEvidence {
  int conv2d = 0, depthwise = 0;
  double conv_flops = 0, flops = 0;
};

// "layout": contiguous / clone copies after transposes and permutes.
struct LayoutCopyEvidence {
  int copies = 0;
  uint64_t bytes = 0;
  double total_bytes_moved = 0;
};

struct MisalignedLayer {
  std::string scope, weight;
  std::vector<int64_t> shape;
};
// "layout": weighted layers whose channel counts are not multiples of 8.
struct ChannelAlignmentEvidence {
  int layers = 0, weighted_layers = 0;
  std::vector<MisalignedLayer> examples;  // up to three
};

// "training-memory": Adam's peak against SGD's.
struct TrainingMemoryEvidence {
  double adam_peak = 0;
  uint64_t sgd_momentum_peak = 0, sgd_peak = 0;
  double saved_activation_bytes = 0;
};

// A tensor a weight-statistics recommendation names, with its numbers when they were computed.
struct TensorEvidence {
  std::string name;
  bool computed = false;
  int64_t numel = 0, dead_channels = 0;
  double sparsity = 0, sqnr_int8_channel_db = 0, sqnr_int4_group_db = 0;  // may be NaN or infinite
};
// The weight-statistics recommendations (quantize, prune, ...: stats/model_stats.h).
struct TensorsEvidence {
  std::vector<TensorEvidence> tensors;
};

struct HeavyTailLayerEvidence {
  std::string name;
  double alpha = 0, D = 0;  // D may be NaN
};
// "under-trained", "over-trained", "spectrum-fit-failed" (--spectral).
struct HeavyTailEvidence {
  std::vector<HeavyTailLayerEvidence> layers;
};

using RecommendationEvidence =
    std::variant<FusionEvidence, MemoryBoundEvidence, ChannelsLastEvidence, LayoutCopyEvidence,
                 ChannelAlignmentEvidence, TrainingMemoryEvidence, TensorsEvidence, HeavyTailEvidence>;

// Every recommendation carries the numbers it was derived from (docs/analysis.md).
struct AnalysisRecommendation {
  std::string kind, target, message;
  RecommendationEvidence evidence;
};

struct Analysis {
  FileSection file;
  GraphSection graph;
  Summary summary;
  graph::Architecture architecture;
  bool architecture_has_evidence = false;  // false without a graph
  ParametersSection parameters;
  std::optional<HeavyTailReport> heavy_tail;  // --spectral
  std::vector<ModuleRow> modules;
  std::vector<graph::CategoryTotals> categories;
  std::vector<NodeRow> nodes;
  MemorySection memory;
  graph::TrainingMemory training_memory;
  std::optional<graph::TrainingFlops> training_flops;  // nullopt: needs the graph (graph.reason)
  std::vector<FusionRow> fusions;
  std::optional<InferenceSection> inference;    // --inference / --profile
  Roofline roofline;
  std::vector<AnalysisRecommendation> recommendations;
  std::optional<SweepResult> sweep;             // when asked for; points empty and sweep_unavailable set without a graph
  std::optional<std::string> sweep_unavailable;
  RunReport system;  // the machine and what the run cost it (stats/system_metrics.h)
};

// Loads and analyses. Throws ptscope::Error when the file cannot be read at
// all; sections that cannot be computed (the graph of a state_dict, an op the
// executor lacks) are marked unavailable with the reason instead.
Analysis run_analysis(const std::string& path, const AnalysisOptions& options = {});
Analysis run_analysis(const Model& model, const AnalysisOptions& options = {});

}  // namespace ptscope
