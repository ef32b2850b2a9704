// The text and Markdown reports are written from the typed Analysis: the
// hand-built sample's numbers come out by core/format.h's rules, sections the
// analysis lacks say why, and Markdown leaves the machine's numbers out unless
// a run was asked for.
#include <catch2/catch.hpp>

#include "analysis_sample.h"
#include "report/analysis.h"

using namespace ptscope;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("text report prints the typed analysis", "[report][analysis-text]") {
  const Analysis a = test::analysis_sample();
  const std::string text = render_analysis_text(a);
  INFO(text);
  CHECK(text.rfind("ptscope analysis: models/tiny<net>&\"co\".pt\n=====", 0) == 0);
  CHECK(has(text, "  File:                          torchscript, 4.0 KiB\n"));
  CHECK(has(text, "  Inputs:                        x [1, 3, 8, 8] float32\n"));
  CHECK(has(text, "  Parameters:                    1.00 K (1000); trainable 1.00 K, non-trainable 0\n"));
  CHECK(has(text, "  Buffers:                       10 elements in 1 tensors\n"));
  CHECK(has(text, "  FLOPs:                         2.00 M (MACs 1.00 M, extended 512)\n"));
  // 12,832 bytes moved: (2e6 + 512) / 12832 = 155.90 FLOP/B.
  CHECK(has(text, "  Bytes moved:                   12.5 KiB (intensity 155.90 FLOP/B)\n"));
  CHECK(has(text, "  Activation peak:               4.0 KiB at op 1 (aten::relu in act)\n"));
  CHECK(has(text, "1. [fuse] Fuse conv+relu <saves> 4 KiB & \"more\""));
  CHECK(has(text, "  Ridge point:                   5.0 FLOP/B; 1 of 3 computing ops are memory-bound\n"));
  CHECK(has(text, "8. Sweep"));
  CHECK(has(text, "y = 1000 + 10 s + s^2"));
  CHECK(has(text, "  GPU:                           none (no NVML)\n"));
  CHECK_FALSE(has(text, "7. Inference"));  // not asked for

  const std::string md = render_analysis_markdown(a);
  CHECK(md.rfind("# ptscope analysis: ", 0) == 0);
  CHECK(has(md, "- **FLOPs**: 2.00 M (MACs 1.00 M, extended 512)\n"));
  CHECK(has(md, "| conv | 1 | 1.50 M | 75.0% | 750.00 K | 4.9 KiB |\n"));
  CHECK_FALSE(has(md, "## System"));  // Markdown is for pull requests: no machine numbers without a run
}

TEST_CASE("text report of an analysis without a graph says why", "[report][analysis-text]") {
  Analysis a = test::analysis_sample();
  a.graph = {false, "forward", {}, "no TorchScript code in a state_dict file", false};
  a.nodes.clear();
  a.categories.clear();
  a.memory = {};
  a.memory.reason = "activation memory needs the graph: no TorchScript code";
  a.memory.weights_bytes = 4040;
  a.training_flops.reset();
  a.sweep.reset();
  a.sweep_unavailable = "no graph: no TorchScript code";
  // --inference on a state_dict: the executor had nothing to run.
  a.inference = InferenceSection{"cpu", false, "no graph: no TorchScript code", {}, 0};
  const std::string text = render_analysis_text(a);
  INFO(text);
  CHECK(has(text, "  Graph:                         unavailable: no TorchScript code in a state_dict file\n"));
  CHECK_FALSE(has(text, "  FLOPs:"));
  CHECK(has(text, "3. Computational analysis\n-------------------------\n  Unavailable: no TorchScript code in a state_dict file\n"));
  CHECK(has(text, "  Activations unavailable: activation memory needs the graph: no TorchScript code\n"));
  CHECK_FALSE(has(text, "Training FLOPs:"));
  CHECK(has(text, "7. Inference (cpu)\n------------------\n  Unavailable: no graph: no TorchScript code\n"));
  CHECK(has(text, "8. Sweep\n--------\n  Unavailable: no graph: no TorchScript code\n"));
  // Markdown shows the machine once a run was asked for, even one that could not run.
  CHECK(has(render_analysis_markdown(a), "## System"));
}
