// A small hand-written `ptscope.analysis/1` object with every section the
// renderers read (docs/analysis-schema.md), for the plot and HTML tests.
// Its numbers are chosen so that tests can predict what is drawn.
#pragma once
#include <nlohmann/json.hpp>

namespace ptscope::test {

inline nlohmann::json analysis_sample() {
  using nlohmann::json;
  json a = {
      {"schema", "ptscope.analysis/1"},
      {"generated_by", "ptscope test"},
      {"file", {{"path", "models/tiny<net>&\"co\".pt"}, {"kind", "torchscript"}, {"bytes", 4096}}},
      {"graph", {{"available", true}, {"method", "forward"}, {"notes", {"input shape inferred"}}}},
      {"architecture", {{"kind", "CNN"}, {"reason", "2 convolutions do 90% of the MACs"}}},
      {"summary",
       {{"params", 1000}, {"buffers", 10}, {"weight_bytes", 4040}, {"flops", 2.0e6}, {"macs", 1.0e6}, {"nodes", 3},
        {"inputs", {{{"name", "x"}, {"shape", {1, 3, 8, 8}}, {"dtype", "float32"}}}}}},
      {"modules",
       {{{"path", ""}, {"class", "Net"}, {"depth", 0}, {"params", 1000}, {"bytes", 4040}, {"flops", 2.0e6},
         {"macs", 1.0e6}, {"output_shapes", {{1, 10}}}, {"activation_bytes", 3000}, {"time_us", 50.0}},
        {{"path", "conv"}, {"class", "Conv2d"}, {"depth", 1}, {"params", 600}, {"bytes", 2400}, {"flops", 1.5e6},
         {"macs", 0.75e6}, {"output_shapes", {{1, 8, 8, 8}}}, {"activation_bytes", 2048}, {"time_us", 30.0}},
        {{"path", "act"}, {"class", "ReLU"}, {"depth", 1}, {"params", 0}, {"bytes", 0}, {"flops", 0},
         {"output_shapes", {{1, 8, 8, 8}}}, {"activation_bytes", 0}},
        {{"path", "fc"}, {"class", "Linear<T>"}, {"depth", 1}, {"params", 400}, {"bytes", 1600}, {"flops", 0.5e6},
         {"macs", 0.25e6}, {"output_shapes", {{1, 10}}}, {"activation_bytes", 40}, {"time_us", 10.0}}}},
      {"categories",
       {{{"category", "conv"}, {"nodes", 1}, {"flops", 1.5e6}, {"macs", 0.75e6}, {"bytes", 5000}},
        {{"category", "matmul"}, {"nodes", 1}, {"flops", 0.5e6}, {"macs", 0.25e6}, {"bytes", 2000}},
        {{"category", "activation"}, {"nodes", 1}, {"flops", 0}, {"extended_flops", 512}, {"bytes", 4096}}}},
      {"nodes",
       {{{"index", 0}, {"op", "aten::conv2d"}, {"scope", "conv"}, {"category", "conv"},
         {"outputs", {{{"shape", {1, 8, 8, 8}}, {"dtype", "float32"}}}}, {"flops", 1.5e6}, {"bytes_read", 3000},
         {"bytes_written", 2048}, {"intensity", 300.0}, {"live_bytes", 2816}},
        {{"index", 1}, {"op", "aten::relu"}, {"scope", "act"}, {"category", "activation"},
         {"outputs", {{{"shape", {1, 8, 8, 8}}, {"dtype", "float32"}}}}, {"flops", 0}, {"extended_flops", 512},
         {"bytes_read", 2048}, {"bytes_written", 2048}, {"intensity", 0.125}, {"live_bytes", 4096}},
        {{"index", 2}, {"op", "aten::linear"}, {"scope", "fc"}, {"category", "matmul"},
         {"outputs", {{{"shape", {1, 10}}, {"dtype", "float32"}}}}, {"flops", 0.5e6}, {"bytes_read", 3648},
         {"bytes_written", 40}, {"intensity", 135.6}, {"live_bytes", 2088}}}},
      {"memory",
       {{"available", true}, {"weights_bytes", 4040}, {"activation_peak_bytes", 4096}, {"peak_bytes", 8136},
        {"timeline", {{{"node", 0}, {"live_bytes", 2816}}, {{"node", 1}, {"live_bytes", 4096}}, {{"node", 2}, {"live_bytes", 2088}}}},
        {"per_layer",
         {{{"scope", "conv"}, {"weight_bytes", 2400}, {"activation_bytes", 2048}, {"bytes", 4448}},
          {{"scope", "act"}, {"weight_bytes", 0}, {"activation_bytes", 2048}, {"bytes", 2048}},
          {{"scope", "fc"}, {"weight_bytes", 1600}, {"activation_bytes", 40}, {"bytes", 1640}}}}}},
      {"training_memory",
       {{"optimizers",
         {{"adam", {{"weights", 4000}, {"gradients", 4000}, {"optimizer_state", 8000}, {"activations", 4136}, {"peak", 20136}}},
          {"sgd", {{"weights", 4000}, {"gradients", 4000}, {"optimizer_state", 0}, {"activations", 4136}, {"peak", 12136}}}}},
        {"timeline",
         {{{"step", 0}, {"phase", "forward"}, {"weights", 4000}, {"gradients", 0}, {"optimizer_state", 8000}, {"activations", 0}},
          {{"step", 1}, {"phase", "forward"}, {"weights", 4000}, {"gradients", 0}, {"optimizer_state", 8000}, {"activations", 2048}},
          {{"step", 2}, {"phase", "forward"}, {"weights", 4000}, {"gradients", 0}, {"optimizer_state", 8000}, {"activations", 4096}},
          {{"step", 3}, {"phase", "forward"}, {"weights", 4000}, {"gradients", 0}, {"optimizer_state", 8000}, {"activations", 4136}},
          {{"step", 4}, {"phase", "backward"}, {"weights", 4000}, {"gradients", 1600}, {"optimizer_state", 8000}, {"activations", 4096}},
          {{"step", 5}, {"phase", "backward"}, {"weights", 4000}, {"gradients", 1600}, {"optimizer_state", 8000}, {"activations", 2048}},
          {{"step", 6}, {"phase", "backward"}, {"weights", 4000}, {"gradients", 4000}, {"optimizer_state", 8000}, {"activations", 0}}}},
        {"boundary", 3}}},
      {"parameters",
       {{"numel", 1000}, {"bytes", 4000}, {"sparsity", 0.1},
        {"tensors",
         {{{"name", "conv.weight"}, {"dtype", "float32"}, {"shape", {8, 3, 5, 5}}, {"numel", 600}, {"mean", 0.01},
           {"std", 0.2}, {"min", -0.6}, {"max", 0.7}, {"sparsity", 0.0}, {"sqnr_int8_channel_db", 41.5},
           {"histogram", {{"min", -0.6}, {"max", 0.7}, {"counts", {1, 4, 20, 60, 120, 160, 130, 70, 25, 10}}}}},
          {{"name", "fc.weight"}, {"dtype", "float32"}, {"shape", {10, 40}}, {"numel", 400}, {"mean", 0.0},
           {"std", 0.1}, {"min", -0.3}, {"max", 0.3}, {"sparsity", 0.25}, {"sqnr_int8_channel_db", "inf"},
           {"histogram", {{"min", -0.3}, {"max", 0.3}, {"counts", {5, 30, 100, 130, 100, 30, 5}}}}}}}}},
      {"roofline",
       {{"peak_gflops", 100.0}, {"peak_bandwidth_gbs", 20.0}, {"ridge_point", 5.0}, {"source", "estimate"},
        {"nodes",
         {{{"index", 0}, {"op", "aten::conv2d"}, {"intensity", 300.0}, {"flops", 1.5e6}, {"bound", "compute"}, {"attainable_gflops", 100.0}},
          {{"index", 1}, {"op", "aten::relu"}, {"intensity", 0.125}, {"flops", 512}, {"bound", "memory"}, {"attainable_gflops", 2.5}},
          {{"index", 2}, {"op", "aten::linear"}, {"intensity", 135.6}, {"flops", 0.5e6}, {"bound", "compute"}, {"attainable_gflops", 100.0}, {"gflops", 12.0}}}}}},
      {"recommendations",
       {{{"kind", "fuse"}, {"target", "conv"}, {"message", "Fuse conv+relu <saves> 4 KiB & \"more\""}, {"evidence", {{"saved_bytes", 4096}}}},
        {{"kind", "memory-bound"}, {"target", "act"}, {"message", "act is memory bound (0.125 FLOP/B < 5)"}}}},
      {"system", {{"cpu", {{"model", "Test CPU"}, {"cores", 2}}}, {"gpu", {{"available", false}, {"reason", "no NVML"}}}}},
  };
  // A 2 × 3 batch × sequence grid: memory = 1000 + 10·b·s + b·s².
  json points = json::array();
  for (int b : {1, 2})
    for (int s : {8, 16, 32})
      points.push_back({{"batch", b}, {"seq", s}, {"flops", 100.0 * b * s}, {"memory_bytes", 1000 + 10 * b * s + b * s * s}});
  a["sweep"] = {{"axes", {"batch", "seq"}},
                {"batch", {1, 2}},
                {"seq", {8, 16, 32}},
                {"points", points},
                {"fits",
                 {{{"metric", "memory_bytes"}, {"variable", "seq"}, {"fixed", {{"batch", 1}}}, {"best", "quadratic"},
                   {"dominant_term", "quadratic in seq"},
                   {"quadratic", {{"a", 1000}, {"b", 10}, {"c", 1}, {"r2", 1.0}, {"equation", "y = 1000 + 10 s + s^2"}}},
                   {"linear", {{"a", 600}, {"b", 50}, {"r2", 0.97}, {"equation", "y = 600 + 50 s"}}}},
                  {{"metric", "memory_bytes"}, {"variable", "batch"}, {"fixed", {{"seq", 16}}}, {"best", "linear"},
                   {"dominant_term", "linear in batch"},
                   {"linear", {{"a", 1000}, {"b", 416}, {"r2", 1.0}, {"equation", "y = 1000 + 416 b"}}}}}}};
  return a;
}

}  // namespace ptscope::test
