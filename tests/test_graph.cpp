// Graphs of the committed fixtures against torch: every module's output
// shape (forward hooks on the eager model), the final shape, traced graphs
// node by node, and FLOP/MAC totals against FlopCounterMode. Also the corpus:
// every TorchScript file builds a graph or fails with a clean error.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/model.h"
#include "graph/graph_analysis.h"
#include "graph/input_inference.h"
#include "report/graph_report.h"
#include "graph_golden.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::graph;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> graph_fixtures() { return test::fixture_names("graph", ".pt"); }

struct Built {
  std::unique_ptr<Model> model;
  Graph graph;
  std::vector<ModuleCall> calls;
};

Built build(const std::string& file, const GraphOptions& options) {
  Built b;
  b.model = load_model(test::fixture("graph/" + file));
  b.graph = build_graph(*b.model, options, &b.calls);
  return b;
}

std::vector<int64_t> first_output_shape(const Graph& g) {
  REQUIRE(!g.outputs.empty());
  return g.values[size_t(g.outputs[0])].meta.shape;
}

}  // namespace

TEST_CASE("graph fixtures: module output shapes, final shape and FLOPs match torch", "[graph]") {
  const auto files = graph_fixtures();
  REQUIRE(files.size() >= 10);
  for (const auto& file : files) {
    DYNAMIC_SECTION(file) {
      const auto golden = test::read_json(test::fixture("graph/" + file + ".golden.json"));
      Built b = build(file, test::golden_graph_options(golden));
      CHECK(first_output_shape(b.graph) == golden["output_shape"].get<std::vector<int64_t>>());

      // Every module call torch saw, with the same output shapes in the same order.
      std::map<std::string, std::vector<std::vector<int64_t>>> ours;
      for (const auto& c : b.calls)
        if (!c.outputs.empty()) ours[c.path].push_back(b.graph.values[size_t(c.outputs[0])].meta.shape);
      size_t checked = 0;
      const bool traced = golden["kind"] == "traced";
      for (const auto& [path, shapes] : golden["modules"].items()) {
        INFO("module '" << path << "'");
        // Tracing turns identity modules (an empty Sequential) into a forward()
        // that returns None: the traced archive computes nothing there. A fused
        // fast path (_transformer_encoder_layer_fwd) runs a whole layer as one op,
        // so the layer's submodules are never called (the eager hooks saw them).
        if ((traced || golden.contains("fused_ops")) && ours[path].empty()) continue;
        CHECK(ours[path] == shapes.get<std::vector<std::vector<int64_t>>>());
        ++checked;
      }
      // Fused fixtures: the root and its two encoder layers (their insides run as one op).
      CHECK(checked >= std::min<size_t>(golden.contains("fused_ops") ? 3 : 5, golden["modules"].size()));

      // FLOPs and MACs as torch.utils.flop_counter counts them.
      const OpCost total = b.graph.totals();
      REQUIRE(golden.contains("flop_counter"));
      CHECK(int64_t(total.flops) == golden["flop_counter"]["flops"].get<int64_t>());
      CHECK(int64_t(total.macs) == golden["flop_counter"]["macs"].get<int64_t>());
      if (golden.contains("expected_macs")) CHECK(int64_t(total.macs) == golden["expected_macs"].get<int64_t>());

      // Traced archives print the traced graph: the same aten ops with the same shapes.
      if (golden.contains("traced_nodes")) {
        std::vector<std::pair<std::string, std::vector<int64_t>>> theirs, mine;
        for (const auto& n : golden["traced_nodes"]) theirs.emplace_back(n["kind"], n["shape"]);
        for (const auto& n : b.graph.nodes) {
          // The golden lists nodes with one tensor output; Tensor[] results (chunk) are lists.
          const auto& returns = n.def->schema.returns;
          if (returns.size() == 1 && returns[0].find("[]") != std::string::npos) continue;
          mine.emplace_back(n.def->schema.name, b.graph.values[size_t(n.outputs.at(0))].meta.shape);
        }
        CHECK(mine == theirs);
      }
    }
  }
}

TEST_CASE("the published MAC counts of torchvision models", "[graph]") {
  const std::pair<const char*, int64_t> expected[] = {
      {"resnet18_scripted.pt", 1'814'073'344}, {"resnet50_scripted.pt", 4'089'184'256},
      {"vgg16_scripted.pt", 15'470'264'320},   {"mobilenet_v2_scripted.pt", 300'774'272},
      {"vit_b_16_scripted.pt", 17'563'828'224},
  };
  for (const auto& [file, macs] : expected) {
    INFO(file);
    Built b = build(file, {});  // inferred input: 1x3x224x224 from the first conv
    CHECK(int64_t(b.graph.totals().macs) == macs);
    CHECK(first_output_shape(b.graph) == std::vector<int64_t>{1, 1000});
  }
}

TEST_CASE("inferred inputs match the shapes the fixtures were made with", "[graph][inference]") {
  for (const auto& file : graph_fixtures()) {
    const auto golden = test::read_json(test::fixture("graph/" + file + ".golden.json"));
    if (golden["inputs"].size() != 1 || !golden.value("inferable", true)) continue;
    INFO(file);
    Built b = build(file, {});
    REQUIRE(b.graph.inputs.size() == 1);
    const Value& in = b.graph.values[size_t(b.graph.inputs[0])];
    CHECK(in.meta.shape == golden["inputs"][0]["shape"].get<std::vector<int64_t>>());
    CHECK(std::string(dtype_name(in.meta.dtype)) == golden["inputs"][0]["dtype"].get<std::string>());
    REQUIRE(!b.graph.notes.empty());
    CHECK(b.graph.notes[0].find("inferred from") != std::string::npos);
  }
}

TEST_CASE("batch and sequence overrides replace inferred inputs", "[graph][inference]") {
  GraphOptions o;
  o.batch = 4;
  Built cnn = build("resnet18_scripted.pt", o);
  CHECK(cnn.graph.values[size_t(cnn.graph.inputs[0])].meta.shape == std::vector<int64_t>{4, 3, 224, 224});
  CHECK(first_output_shape(cnn.graph) == std::vector<int64_t>{4, 1000});
  CHECK(int64_t(cnn.graph.totals().macs) == 4 * int64_t(1'814'073'344));

  GraphOptions s;
  s.seq = 32;
  s.batch = 2;
  Built tr = build("transformer_scripted.pt", s);
  CHECK(tr.graph.values[size_t(tr.graph.inputs[0])].meta.shape == std::vector<int64_t>{2, 32});
  CHECK(first_output_shape(tr.graph) == std::vector<int64_t>{2, 5});
}

TEST_CASE("nodes carry scope, class, source line, category and views", "[graph]") {
  Built b = build("resnet18_scripted.pt", {});
  const Graph& g = b.graph;
  REQUIRE(!g.nodes.empty());
  const Node& first = g.nodes.front();
  CHECK(first.op == "aten::conv2d");
  CHECK(first.scope == "conv1");
  CHECK(first.scope_class == "Conv2d");
  CHECK(first.category == OpCategory::conv);
  CHECK(first.source.rfind("code/__torch__/torch/nn/modules/conv", 0) == 0);
  CHECK(first.source.find(".py:") != std::string::npos);
  // conv1's weight is a named parameter value.
  bool found = false;
  for (int id : first.inputs) {
    const Value& v = g.values[size_t(id)];
    if (v.kind == Value::Kind::parameter && v.name == "conv1.weight") found = true;
  }
  CHECK(found);
  // Every node's scope names a module of the tree (or the root).
  std::set<std::string> paths{""};
  for (const auto& t : module_totals(*b.model, g, b.calls)) paths.insert(t.path);
  for (const Node& n : g.nodes) CHECK(paths.count(n.scope) == 1);
  // flatten is a view of its input in the ViT/ResNet head.
  bool saw_view = false;
  for (const Node& n : g.nodes)
    if (n.is_view) {
      saw_view = true;
      CHECK(g.values[size_t(n.outputs[0])].view_of == n.inputs[0]);
    }
  CHECK(saw_view);
}

TEST_CASE("module totals and architecture classification", "[graph][analysis]") {
  Built r = build("resnet50_scripted.pt", {});
  auto totals = module_totals(*r.model, r.graph, r.calls);
  REQUIRE(!totals.empty());
  CHECK(totals[0].path.empty());
  CHECK(totals[0].params == r.model->n_parameter_elements());
  CHECK(int64_t(totals[0].cost.macs) == 4'089'184'256);
  int64_t layer_macs = 0;
  for (const auto& t : totals)
    if (t.path.rfind("layer", 0) == 0 && t.depth == 1) layer_macs += int64_t(t.cost.macs);
  CHECK(layer_macs > 0);
  CHECK(layer_macs < int64_t(totals[0].cost.macs));
  CHECK(classify_architecture(*r.model, r.graph).kind == "CNN");
  auto cats = category_distribution(r.graph);
  REQUIRE(!cats.empty());
  CHECK(cats[0].category == OpCategory::conv);

  CHECK(classify_architecture(*build("vit_b_16_scripted.pt", {}).model, build("vit_b_16_scripted.pt", {}).graph).kind ==
        "vision transformer");
  Built t = build("transformer_scripted.pt", {});
  CHECK(classify_architecture(*t.model, t.graph).kind == "transformer encoder");
  Built s = build("seq2seq_scripted.pt", test::golden_graph_options(test::read_json(test::fixture("graph/seq2seq_scripted.pt.golden.json"))));
  CHECK(classify_architecture(*s.model, s.graph).kind == "transformer encoder-decoder");
  auto mlp_model = load_model(test::fixture("models/nested_containers.pt"));
  Graph mlp = build_graph(*mlp_model);
  CHECK(classify_architecture(*mlp_model, mlp).kind == "MLP");
}

TEST_CASE("graph JSON follows ptscope.graph/1", "[graph][json]") {
  Built b = build("cnn_scripted.pt", {});
  GraphReport report{b.model.get(), &b.graph, &b.calls, "forward"};
  auto j = graph_json(report);
  CHECK(j["schema"] == "ptscope.graph/1");
  REQUIRE(j["inputs"].size() == 1);
  CHECK(j["inputs"][0]["shape"] == std::vector<int64_t>{1, 3, 224, 224});
  CHECK(j["nodes"].size() == b.graph.nodes.size());
  for (const auto& n : j["nodes"]) {
    REQUIRE(n.contains("op"));
    REQUIRE(n.contains("scope"));
    REQUIRE(n.contains("category"));
    REQUIRE(n["outputs"].is_array());
    for (const auto& o : n["outputs"]) {
      CHECK(o["shape"].is_array());
      CHECK(o["dtype"].is_string());
    }
    CHECK(n["flops"].is_number());
    CHECK(n["macs"].is_number());
    CHECK(n["bytes_read"].is_number());
    CHECK(n["bytes_written"].is_number());
  }
  CHECK(j["totals"]["macs"].get<double>() == b.graph.totals().macs);
  CHECK(j["totals"]["params"].get<int64_t>() == b.model->n_parameter_elements());
  CHECK(j["architecture"]["kind"] == "CNN");
  const std::string text = render_graph_text(report);
  CHECK(text.find("Layers") != std::string::npos);
  CHECK(text.find("Modules") != std::string::npos);
  CHECK(text.find("Architecture: CNN") != std::string::npos);
}

TEST_CASE("reader fixtures build graphs", "[graph]") {
  struct Case {
    const char* file;
    std::vector<int64_t> out;
  };
  const Case cases[] = {
      {"resnet_tiny_scripted.pt", {1, 10}},  {"resnet_tiny_traced.pt", {1, 10}},
      {"transformer_tiny_scripted.pt", {1, 5}}, {"nested_containers.pt", {1, 3}},
      {"t2_scripted.pt", {1, 4}},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    auto model = load_model(test::fixture(std::string("models/") + c.file));
    Graph g = build_graph(*model);
    CHECK(first_output_shape(g) == c.out);
  }
  // resnet_tiny at 224: torch's FlopCounterMode counts 865,436,288 FLOPs.
  auto model = load_model(test::fixture("models/resnet_tiny_scripted.pt"));
  CHECK(int64_t(build_graph(*model).totals().flops) == 865'436'288);
}

TEST_CASE("quantized modules: packed params are opened, nodes keep quantized dtypes", "[graph][quantized]") {
  auto model = load_model(test::fixture("models/quantized_int8.pt"));
  Graph g = build_graph(*model);
  std::vector<std::string> ops;
  for (const auto& n : g.nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<std::string>{"aten::quantize_per_tensor", "quantized::conv2d_relu", "quantized::conv2d_relu",
                                        "aten::adaptive_avg_pool2d", "aten::flatten.using_ints", "quantized::linear",
                                        "aten::dequantize.self"});
  CHECK(g.values[size_t(g.nodes[1].outputs[0])].meta.dtype == DType::quint8);
  CHECK(g.nodes[1].category == OpCategory::conv);
  CHECK(g.nodes[1].cost.macs > 0);
  CHECK(first_output_shape(g) == std::vector<int64_t>{1, 4});
  CHECK(g.values[size_t(g.outputs[0])].meta.dtype == DType::float32);
}

TEST_CASE("data-dependent control flow stops with the file and line", "[graph]") {
  auto model = load_model(test::fixture("models/scripted_with_constants.pt"));
  try {
    build_graph(*model);
    FAIL("expected an error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("data-dependent control flow at code/__torch__.py:14: bool() of a tensor; run with an executor") !=
          std::string::npos);
  }
}

TEST_CASE("every corpus TorchScript file builds a graph or fails cleanly", "[graph][corpus]") {
  if (!fs::exists(test::corpus_dir())) {
    WARN("no corpus at " << test::corpus_dir());
    return;
  }
  std::ifstream manifest(test::corpus_dir() + "/MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);
  size_t tried = 0, built = 0;
  std::string report;
  while (std::getline(manifest, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) cols.push_back(c);
    if (cols.size() < 8 || (cols[6] != "torchscript" && cols[6] != "torchscript-mobile")) continue;
    ++tried;
    try {
      auto model = load_model(test::corpus_dir() + "/" + cols[0]);
      Graph g = build_graph(*model);
      CHECK(!g.outputs.empty());
      ++built;
      report += "  ok    " + cols[0] + " (" + std::to_string(g.nodes.size()) + " ops)\n";
    } catch (const Error& e) {
      // A clean failure: one line that says where and why.
      const std::string msg = e.what();
      CHECK(!msg.empty());
      CHECK(msg.find('\n') == std::string::npos);
      report += "  fail  " + cols[0] + ": " + msg.substr(0, 160) + "\n";
    }
  }
  INFO("corpus graphs:\n" << report);
  CHECK(tried >= 30);
  WARN("corpus: " << built << " of " << tried << " TorchScript files build a graph");
  CHECK(built >= 27);
}
