// What the per-fixture golden checks of test_graph.cpp do not say on their
// own: every torchvision family is among the fixtures (script and trace, both
// torch versions), the fused transformer fast paths, SDPA and the recurrent
// ops really appear as nodes, and archives with old format versions get
// torch's operator-upgrader semantics (outputs as torch.jit.load computes them).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/model.h"
#include "graph/input_inference.h"
#include "graph_golden.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::graph;
namespace fs = std::filesystem;

namespace {

nlohmann::json golden_of(const std::string& relative) {
  std::ifstream in(test::fixture(relative + ".golden.json"));
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

Graph build_from_golden(const std::string& relative, const nlohmann::json& golden) {
  auto model = load_model(test::fixture(relative));
  return build_graph(*model, test::golden_graph_options(golden));
}

std::multiset<std::string> op_names(const Graph& g) {
  std::multiset<std::string> out;
  for (const auto& n : g.nodes) out.insert(n.def->schema.name);
  return out;
}

}  // namespace

TEST_CASE("every torchvision classification family has script and trace fixtures", "[graph][coverage]") {
  // family → model-name prefixes of fixtures/graph (bench/graph_coverage.py runs every family
  // both ways with both torch versions; these are the committed representatives).
  const std::map<std::string, std::vector<std::string>> families = {
      {"resnet", {"resnet"}},          {"vgg", {"vgg"}},
      {"mobilenet", {"mobilenet"}},    {"efficientnet", {"efficientnet"}},
      {"densenet", {"densenet"}},      {"squeezenet", {"squeezenet"}},
      {"shufflenet", {"shufflenet"}},  {"convnext", {"convnext"}},
      {"regnet", {"regnet"}},          {"vit", {"vit_"}},
      {"swin", {"swin"}},              {"inception", {"inception"}},
      {"googlenet", {"googlenet"}},    {"alexnet", {"alexnet"}},
      {"mnasnet", {"mnasnet"}},
  };
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(test::fixture("graph")))
    if (e.path().extension() == ".pt") files.insert(e.path().filename().string());
  std::set<std::string> kinds, versions;
  for (const auto& [family, prefixes] : families) {
    INFO(family);
    int found = 0;
    for (const auto& f : files)
      for (const auto& p : prefixes)
        if (f.rfind(p, 0) == 0) {
          ++found;
          const auto golden = golden_of("graph/" + f);
          kinds.insert(golden["kind"].get<std::string>());
          versions.insert(golden["torch_version"].get<std::string>().substr(0, 2));
          CHECK(golden.contains("flop_counter"));
        }
    CHECK(found >= 1);
  }
  CHECK(kinds == std::set<std::string>{"scripted", "traced"});
  CHECK(versions == std::set<std::string>{"1.", "2."});
}

TEST_CASE("fused transformer fast paths appear as nodes and cost what the unfused module costs",
          "[graph][coverage][attention]") {
  for (const char* file : {"fused_encoder_traced_t2.pt", "fused_encoder_scripted_t2.pt", "fused_mha_traced_t2.pt"}) {
    INFO(file);
    const auto golden = golden_of(std::string("graph/") + file);
    REQUIRE(!golden["fused_ops"].empty());
    Graph g = build_from_golden(std::string("graph/") + file, golden);
    const auto ops = op_names(g);
    for (const auto& op : golden["fused_ops"]) CHECK(ops.count(op.get<std::string>()) >= 1);
    // FlopCounterMode of the eager module with the fast path off (the fused ops are opaque to it).
    CHECK(int64_t(g.totals().flops) == golden["flop_counter"]["flops"].get<int64_t>());
  }
}

TEST_CASE("scaled_dot_product_attention plain, causal and masked", "[graph][coverage][attention]") {
  for (const char* file : {"sdpa_scripted_t2.pt", "sdpa_traced_t2.pt"}) {
    INFO(file);
    const auto golden = golden_of(std::string("graph/") + file);
    Graph g = build_from_golden(std::string("graph/") + file, golden);
    int sdpa = 0, causal = 0, masked = 0;
    for (const auto& n : g.nodes) {
      if (n.def->schema.name != "aten::scaled_dot_product_attention") continue;
      ++sdpa;
      for (const auto& [k, v] : n.attrs)
        if (k == "is_causal" && std::get_if<bool>(&v) && std::get<bool>(v)) ++causal;
      if (n.inputs.size() == 4) ++masked;  // query, key, value and the attn_mask tensor
      CHECK(n.cost.macs > 0);
    }
    CHECK(sdpa == 4);
    CHECK(causal == 1);
    CHECK(masked == 2);
  }
}

TEST_CASE("recurrent ops: lstm, gru, rnn and their cells", "[graph][coverage][rnn]") {
  for (const char* file : {"recurrent_scripted.pt", "recurrent_traced.pt", "recurrent_scripted_t2.pt"}) {
    INFO(file);
    const auto golden = golden_of(std::string("graph/") + file);
    Graph g = build_from_golden(std::string("graph/") + file, golden);
    const auto ops = op_names(g);
    CHECK(ops.count("aten::lstm") == 2);
    CHECK(ops.count("aten::gru") == 1);
    CHECK(ops.count("aten::rnn_relu") == 1);
    // Scripted code calls the cell ops; tracing records what they decompose into.
    const bool scripted = golden["kind"] == "scripted";
    CHECK(ops.count("aten::lstm_cell") == (scripted ? 7 : 0));  // one per time step
    CHECK(ops.count("aten::gru_cell") == (scripted ? 1 : 0));
    CHECK(ops.count("aten::rnn_tanh_cell") == (scripted ? 1 : 0));
    // FlopCounterMode counts the matmuls of the decomposed ops (oneDNN off).
    CHECK(int64_t(g.totals().flops) == golden["flop_counter"]["flops"].get<int64_t>());
  }
}

TEST_CASE("operator upgraders follow the archive's format version like torch.jit.load", "[graph][upgraders]") {
  for (int version : {3, 7, 10}) {
    const std::string file = "graph/upgraders/upgraders_v" + std::to_string(version) + ".pt";
    INFO(file);
    const auto golden = golden_of(file);
    Graph g = build_from_golden(file, golden);
    REQUIRE(g.outputs.size() == golden["outputs"].size());
    for (size_t k = 0; k < g.outputs.size(); ++k) {
      INFO("output " << k);
      const Value& v = g.values[size_t(g.outputs[k])];
      CHECK(v.meta.shape == golden["outputs"][k]["shape"].get<std::vector<int64_t>>());
      CHECK(std::string(dtype_name(v.meta.dtype)) == golden["outputs"][k]["dtype"].get<std::string>());
    }
  }
}

TEST_CASE("packed recurrent ops and recurrent shape errors", "[graph][rnn]") {
  auto t = [](std::vector<int64_t> shape, DType dtype = DType::float32) {
    TensorMeta m;
    m.shape = std::move(shape);
    m.dtype = dtype;
    return m;
  };
  // One-layer LSTM, input 8, hidden 16, with biases, over a packed batch of 10 steps in all.
  const std::vector<TensorMeta> params{t({64, 8}), t({64, 16}), t({64}), t({64})};
  const std::vector<TensorMeta> hx{t({1, 2, 16}), t({1, 2, 16})};
  std::vector<ArgValue> args{t({10, 8}), t({5}, DType::int64), hx, params, true, int64_t(1), 0.0, false, false};
  auto [def, bound] = op_registry().resolve("aten::lstm", args, {});
  CHECK(def->schema.overload == "data");
  const auto outs = def->shape(bound);
  REQUIRE(outs.size() == 3);
  CHECK(outs[0].shape == std::vector<int64_t>{10, 16});
  CHECK(outs[1].shape == std::vector<int64_t>{1, 2, 16});
  const OpCost cost = def->cost(bound, outs);
  CHECK(cost.macs == 10.0 * 64 * (8 + 16));
  CHECK(cost.flops == 2 * cost.macs);

  // A GRU whose weights do not fit the input size names both.
  const std::vector<TensorMeta> gru{t({48, 9}), t({48, 16})};
  std::vector<ArgValue> bad{t({5, 2, 8}), t({1, 2, 16}), gru, false, int64_t(1), 0.0, false, false, false};
  auto [gdef, gbound] = op_registry().resolve("aten::gru", bad, {});
  try {
    gdef->shape(gbound);
    FAIL("expected a shape error");
  } catch (const std::exception& e) {
    const std::string what = e.what();
    CHECK(what.find("aten::gru") != std::string::npos);
    CHECK(what.find("input size 8") != std::string::npos);
  }
}
