// Profiling a model on an executor backend: build the graph (falling back to
// a run on real data when control flow depends on tensor values), run it with
// the file's weights, time every node over repeats (median and IQR), and size
// memory (planned peak from liveness, allocator peak, measured peak RSS).
// This is the library API behind `ptscope profile`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "graph/graph.h"
#include "graph/input_inference.h"
#include "kernels/cpu/cpu_tensor.h"

namespace ptscope::kernels {

struct ProfileOptions {
  std::string device = "cpu";     // "cpu" or "cuda"
  int threads = 0;                // CPU threads; 0: all cores
  int warmup = 2;                 // untimed runs first
  int repeat = 10;                // timed runs (per-node timing and end-to-end, R each)
  uint64_t seed = 0;              // random inputs: input k uses seed + k
  std::vector<std::string> input_files;  // instead of random inputs (kernels/tensor_io.h)
  std::string output_file;        // outputs of the last run written here when set
  double noisy_threshold = 0.1;   // a node is noisy when IQR / median exceeds this
  graph::GraphOptions graph;      // input shapes, --batch/--seq, method
};

struct NodeProfile {
  int index = 0;
  std::string op, scope, scope_class, category, source;
  std::vector<std::vector<int64_t>> output_shapes;
  double time_us_median = 0, time_us_iqr = 0;
  double share = 0;               // of the sum of node medians
  bool noisy = false;             // IQR / median > threshold
  double flops = 0;               // FlopCounterMode convention (conv, matmul, attention)
  double extended_flops = 0;      // elementwise, norms, softmax, pooling (docs/flops.md)
  double gflops_achieved = 0;     // (flops + extended_flops) / median time
  uint64_t bytes = 0;             // read + written
  double arithmetic_intensity = 0;  // (flops + extended_flops) / bytes
  uint64_t live_bytes = 0;        // planned activation bytes live after the node
  uint64_t workspace_bytes = 0;   // kernel scratch held while the node ran (measured)
};

struct GroupTotal {
  std::string name;
  int nodes = 0;
  double time_us = 0;             // sum of node medians
  double share = 0;
  double flops = 0;               // flops + extended_flops
};

struct ProfileResult {
  std::string device, device_description;
  int threads = 0, warmup = 0, repeat = 0;
  bool data_dependent = false;    // the graph came from a run on real data
  std::vector<std::string> notes;
  std::vector<std::string> inputs;   // "x: 1x3x224x224 float32 (random, seed 0)"
  std::vector<std::vector<int64_t>> output_shapes;
  std::vector<NodeProfile> nodes;
  std::vector<GroupTotal> by_scope, by_category;  // by time, descending
  double latency_ms_median = 0, latency_ms_iqr = 0;  // whole graph, end to end
  double node_sum_ms = 0;          // sum of node medians
  double total_flops = 0;          // flops + extended_flops
  uint64_t peak_bytes_planned = 0; // resident + peak live activations (liveness plan)
  uint64_t resident_bytes = 0;     // parameters and constants
  uint64_t peak_bytes_allocated = 0;  // executor's allocator peak (activations)
  uint64_t peak_rss_bytes = 0;     // process peak resident set (VmHWM / getrusage)
};

// Builds the graph (options.graph) and profiles it. A torch.export program
// runs on the sample input saved with it unless input files are given or the
// graph's input shapes differ from it (--input/--batch/--seq): then random.
// `built`: the graph a caller already built from this model with options.graph (analyze has one), used
// instead of building it again.
ProfileResult profile(const Model& model, const ProfileOptions& options, const graph::Graph* built = nullptr);
// Profiles an already built graph with these inputs (graph.inputs order; empty: random from options.seed).
// `inputs_from` names where given inputs came from in the report ("" keeps the default wording).
ProfileResult profile_graph(const graph::Graph& g, const ProfileOptions& options, std::vector<TensorBuffer> inputs = {},
                            const std::string& inputs_from = "");

// Schema ptscope.profile/1 (docs/executor.md).
nlohmann::json profile_json(const ProfileResult& r);
// Human-readable tables: totals, top nodes (max_nodes, 0: all), scopes and categories.
std::string render_profile_text(const ProfileResult& r, size_t max_nodes = 40);

// The process's peak resident set in bytes (VmHWM, else getrusage).
uint64_t peak_rss_bytes();
// Median and interquartile range (linear interpolation between order statistics).
double median_of(std::vector<double> v);
double iqr_of(std::vector<double> v);

}  // namespace ptscope::kernels
