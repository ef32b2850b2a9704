// A small hand-built typed Analysis (pipeline/analysis.h) with every section
// the renderers read, for the plot and HTML tests. Its numbers are chosen so
// that tests can predict what is drawn.
#pragma once
#include <cmath>

#include "pipeline/analysis.h"

namespace ptscope::test {

inline Analysis analysis_sample() {
  using graph::OpCategory;
  Analysis a;
  a.file = {"models/tiny<net>&\"co\".pt", FileKind::torchscript, std::nullopt, 4096};
  a.graph.available = true;
  a.graph.method = "forward";
  a.graph.notes = {"input shape inferred"};
  a.architecture = {"CNN", "2 convolutions do 90% of the MACs", {}};
  a.architecture_has_evidence = true;

  Summary& s = a.summary;
  s.params = s.trainable_params = 1000;
  s.buffers = 10;
  s.buffer_tensors = 1;
  s.weight_bytes = s.file_tensor_bytes = 4040;
  s.cost = {2.0e6, 1.0e6, 512, 8696, 4136};
  s.nodes = 3;
  s.inputs = {{{1, 3, 8, 8}, DType::float32, "x"}};
  s.outputs = {{{1, 10}, DType::float32, ""}};

  // The root, a convolution, an activation and a linear layer: three leaves of three classes.
  auto module = [](std::string path, std::string cls, int depth, int64_t params, double flops,
                   std::vector<int64_t> shape, uint64_t activation_bytes, std::optional<double> time_us) {
    ModuleRow m;
    m.totals.path = std::move(path);
    m.totals.class_name = std::move(cls);
    m.totals.depth = depth;
    m.totals.params = params;
    m.totals.cost.flops = flops;
    m.totals.cost.macs = flops / 2;
    m.totals.output_shapes = {std::move(shape)};
    m.totals.calls = 1;
    m.weight_bytes = uint64_t(params) * 4;
    m.activation_bytes = activation_bytes;
    m.time_us = time_us;
    return m;
  };
  a.modules = {module("", "Net", 0, 1000, 2.0e6, {1, 10}, 3000, 50.0),
               module("conv", "Conv2d", 1, 600, 1.5e6, {1, 8, 8, 8}, 2048, 30.0),
               module("act", "ReLU", 1, 0, 0, {1, 8, 8, 8}, 0, 0.0),
               module("fc", "Linear<T>", 1, 400, 0.5e6, {1, 10}, 40, 10.0)};

  a.categories = {{OpCategory::conv, 1, {1.5e6, 0.75e6, 0, 5000, 0}},
                  {OpCategory::matmul, 1, {0.5e6, 0.25e6, 0, 2000, 0}},
                  {OpCategory::activation, 1, {0, 0, 512, 4096, 0}}};

  auto node = [](size_t index, std::string op, std::string scope, OpCategory category, std::vector<int64_t> shape,
                 graph::OpCost cost, double intensity, uint64_t live) {
    NodeRow n;
    n.index = index;
    n.op = std::move(op);
    n.scope = std::move(scope);
    n.category = category;
    n.outputs = {{std::move(shape), DType::float32, ""}};
    n.cost = cost;
    n.intensity = intensity;
    n.live_bytes = live;
    return n;
  };
  a.nodes = {node(0, "aten::conv2d", "conv", OpCategory::conv, {1, 8, 8, 8}, {1.5e6, 0.75e6, 0, 3000, 2048}, 300.0, 2816),
             node(1, "aten::relu", "act", OpCategory::activation, {1, 8, 8, 8}, {0, 0, 512, 2048, 2048}, 0.125, 4096),
             node(2, "aten::linear", "fc", OpCategory::matmul, {1, 10}, {0.5e6, 0.25e6, 0, 3648, 40}, 135.6, 2088)};

  MemorySection& m = a.memory;
  m.available = true;
  m.weights_bytes = 4040;
  m.activation_peak_bytes = 4096;
  m.peak_bytes = 8136;
  m.peak_node = 1;
  m.input_bytes = 768;
  m.output_bytes = 40;
  m.timeline = {2816, 4096, 2088};
  m.per_layer = {{"conv", "Conv2d", 2400, 2048}, {"act", "ReLU", 0, 2048}, {"fc", "Linear<T>", 1600, 40}};

  graph::TrainingMemory& t = a.training_memory;
  t.trainable_params = 1000;
  t.weight_bytes = t.trainable_bytes = 4000;
  t.saved_activation_bytes = 4136;
  t.adam = {4000, 4000, 8000, 4136, 20136};
  t.sgd = {4000, 4000, 0, 4136, 12136};
  t.sgd_momentum = {4000, 4000, 4000, 4136, 16136};
  const uint64_t gradients[] = {0, 0, 0, 0, 1600, 1600, 4000}, activations[] = {0, 2048, 4096, 4136, 4096, 2048, 0};
  for (int step = 0; step < 7; ++step)
    t.timeline.push_back({step, step > 3, step == 0 ? -1 : (step <= 3 ? step - 1 : 6 - step),
                          gradients[step], activations[step]});
  t.boundary = 3;

  // Two weight tensors with their statistics and histograms (the second's int8 SQNR is infinite).
  auto tensor = [](std::string name, std::vector<int64_t> shape, int64_t numel, double mean, double std, double lo,
                   double hi, double sparsity, double sqnr, std::vector<int64_t> counts) {
    TensorStats ts;
    ts.name = std::move(name);
    ts.role = "parameter";
    ts.dtype = "float32";
    ts.shape = std::move(shape);
    ts.numel = numel;
    ts.bytes = uint64_t(numel) * 4;
    ts.computed = true;
    ts.mean = mean;
    ts.std = std;
    ts.min = lo;
    ts.max = hi;
    ts.sparsity = sparsity;
    ts.quant.sqnr_int8_channel_db = sqnr;
    ts.quant.recommended_format = "int8";
    ts.histogram.lo = lo;
    ts.histogram.hi = hi;
    ts.histogram.counts = std::move(counts);
    return ts;
  };
  ModelStats& ms = a.parameters.stats;
  ms.tensors = {tensor("conv.weight", {8, 3, 5, 5}, 600, 0.01, 0.2, -0.6, 0.7, 0.0, 41.5,
                       {1, 4, 20, 60, 120, 160, 130, 70, 25, 10}),
                tensor("fc.weight", {10, 40}, 400, 0.0, 0.1, -0.3, 0.3, 0.25, INFINITY, {5, 30, 100, 130, 100, 30, 5})};
  ms.summary.tensors = ms.summary.weight_tensors = 2;
  ms.summary.numel = 1000;
  ms.summary.bytes = ms.summary.weight_bytes = 4000;
  ms.summary.sparsity = 0.1;

  Roofline& r = a.roofline;
  r.peaks = {100.0, 20.0, "estimate", "2 cores x 2.5 GHz x 20 FLOP/cycle"};
  r.ridge_point = 5.0;
  r.nodes = {{0, "aten::conv2d", "conv", 300.0, 1.5e6, false, 100.0, std::nullopt},
             {1, "aten::relu", "act", 0.125, 512, true, 2.5, std::nullopt},
             {2, "aten::linear", "fc", 135.6, 0.5e6, false, 100.0, 12.0}};

  a.recommendations = {
      {"fuse", "conv", "Fuse conv+relu <saves> 4 KiB & \"more\"", FusionEvidence{"conv+relu", 1, 4096, 12832, {"conv"}}},
      {"memory-bound", "act", "act is memory bound (0.125 FLOP/B < 5)",
       MemoryBoundEvidence{5.0, 1, 3, 4096, 0.32, {{1, "aten::relu", "act", 0.125, 4096}}, std::nullopt}}};

  a.system.cpu.model = "Test CPU";
  a.system.cpu.cores = 2;
  a.system.gpu = {false, "no NVML", {}};
  a.system.energy = {"estimate", 1.5, 0.75, "estimate: test"};

  // A 2 × 3 batch × sequence grid: memory = 1000 + 10·b·s + b·s².
  SweepResult& sweep = a.sweep.emplace();
  sweep.batch = {1, 2};
  sweep.seq = {8, 16, 32};
  sweep.device = "cpu";
  for (int64_t b : {1, 2})
    for (int64_t q : {8, 16, 32}) {
      SweepPoint p;
      p.batch = b;
      p.seq = q;
      p.flops = 100.0 * double(b * q);
      p.memory_bytes = uint64_t(1000 + 10 * b * q + b * q * q);
      sweep.points.push_back(p);
    }
  SweepFit along_seq{"memory_bytes", "seq", 1, 0, {{600, 50}, 0.97, "y = 600 + 50 s", true},
                     {{1000, 10, 1}, 1.0, "y = 1000 + 10 s + s^2", true}, "quadratic", "quadratic in seq"};
  SweepFit along_batch{"memory_bytes", "batch", 0, 16, {{1000, 416}, 1.0, "y = 1000 + 416 b", true},
                       {}, "linear", "linear in batch"};
  sweep.fits = {along_seq, along_batch};
  return a;
}

}  // namespace ptscope::test
