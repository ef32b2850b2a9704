// Weights inside custom-class objects (parser/packed_params.cpp): quantized
// packed params (static conv/linear, dynamic linear), frozen models' packed
// constants. Fixtures from torch 2.x: fixtures/make_packed_fixtures.py; the
// golden parameter count is torch's count of the original float model.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "core/model.h"
#include "parser/packed_params.h"
#include "test_paths.h"

using namespace ptscope;

namespace {

nlohmann::json golden_of(const std::string& path) {
  std::ifstream in(path + ".golden.json");
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("packed weights: parameter count equals the float model's, names are module paths", "[reader][packed]") {
  for (const char* name : {"quant_cnn_scripted", "dynamic_mlp", "quant_cnn_frozen"}) {
    const std::string path = test::fixture(std::string("packed/") + name + ".pt");
    const auto golden = golden_of(path);
    INFO(name);
    auto model = load_model(path);
    CHECK(model->n_parameter_elements() == golden["params"].get<int64_t>());
    std::map<std::string, std::vector<int64_t>> ours;
    for (const auto& t : model->tensors)
      if (t.is_parameter()) ours[t.name] = t.tensor->shape;
    CHECK(ours.size() == golden["weights"].size());
    if (std::string(name) == "quant_cnn_frozen") {
      // Freezing inlines the modules: the packed constants keep their CONSTANTS.cN names.
      for (const auto& [n, shape] : ours) CHECK(n.rfind("CONSTANTS.c", 0) == 0);
      continue;
    }
    for (const auto& [n, shape] : golden["weights"].items()) {
      INFO(n);
      REQUIRE(ours.count(n) == 1);
      CHECK(ours[n] == shape.get<std::vector<int64_t>>());
    }
  }
}

TEST_CASE("packed weights: stats and info see them", "[reader][packed][cli]") {
  const std::string file = test::fixture("packed/quant_cnn_scripted.pt");
  const auto stats = test::run_ptscope("stats '" + file + "' --json", false);
  REQUIRE(stats.status == 0);
  const auto j = nlohmann::json::parse(stats.out);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& t : j["tensors"]) by_name[t["name"].get<std::string>()] = t;
  REQUIRE(by_name.count("body.features.0.weight") == 1);
  REQUIRE(by_name.count("body.fc.weight") == 1);
  CHECK(by_name["body.fc.weight"]["numel"] == 160);
  const auto info = test::run_ptscope("info '" + file + "' --json", false);
  REQUIRE(info.status == 0);
  CHECK(nlohmann::json::parse(info.out).dump().find("body.features.4.bias") != std::string::npos);
}

TEST_CASE("packed owner paths", "[reader][packed]") {
  CHECK(packed_owner_path("_jit_pass_hoist_conv_packed_params.features.1.conv.0.0._packed_params") == "features.1.conv.0.0");
  CHECK(packed_owner_path("fc._packed_params._packed_params") == "fc");
  CHECK(packed_owner_path("_jit_pass_hoist_conv_packed_params.features.0.0._packed_params.1") == "features.0.0");
  CHECK(packed_owner_path("layers.3") == "layers.3");
  CHECK(packed_owner_path("_packed_params") == "");
  CHECK(packed_owner_path("layer.conv") == "layer.conv");
  CHECK(packed_owner_path("my_packed_params") == "my_packed_params");
}

TEST_CASE("packed weights hoisted by freezing are named by module path (corpus)", "[reader][packed][corpus]") {
  // A quantized MobileNetV2 from a third-party Android app: its conv packed params were hoisted
  // onto the root (_jit_pass_hoist_conv_packed_params.features.1.conv.0.0._packed_params.2).
  const std::string path =
      test::corpus_dir() + "/slipnitskaya__image-tagger__329e67b5__app__src__main__assets__model.pt";
  if (!std::ifstream(path)) {
    WARN("corpus file absent: " << path);
    return;
  }
  auto model = load_model(path);
  std::map<std::string, const NamedTensor*> by_name;
  for (const auto& t : model->tensors) by_name[t.name] = &t;
  REQUIRE(by_name.count("features.1.conv.0.0.weight") == 1);
  CHECK(by_name["features.1.conv.0.0.weight"]->is_parameter());
  CHECK(by_name["features.1.conv.0.0.weight"]->tensor->shape == std::vector<int64_t>{32, 1, 3, 3});
  for (const auto& [name, t] : by_name) {
    INFO(name);
    CHECK(name.find("_packed_params") == std::string::npos);
    CHECK(name.find("_jit_pass_hoist") == std::string::npos);
  }
  CHECK(model->n_parameter_elements() > 2'000'000);
}

TEST_CASE("XNNPACK op contexts of optimize_for_mobile hold parameters (corpus)", "[reader][packed][corpus]") {
  // A lite-interpreter model from a third-party app, written by optimize_for_mobile: its convs
  // and linear live in __torch__.torch.classes.xnnpack.Conv2dOpContext / LinearOpContext
  // constants (this torch build has no XNNPACK, so no fixture of our own can be written).
  const std::string path = test::corpus_dir() + "/smithandrewk__restart__app__src__main__assets__model.ptl";
  if (!std::ifstream(path)) {
    WARN("corpus file absent: " << path);
    return;
  }
  auto model = load_model(path);
  std::map<std::string, const NamedTensor*> by_name;
  int64_t weights = 0;
  for (const auto& t : model->tensors) {
    by_name[t.name] = &t;
    if (t.is_parameter()) weights += t.tensor->numel();
  }
  REQUIRE(by_name.count("CONSTANTS.c0.weight") == 1);
  CHECK(by_name["CONSTANTS.c0.weight"]->is_parameter());
  CHECK(by_name["CONSTANTS.c0.weight"]->tensor->shape == std::vector<int64_t>{4, 3, 1, 7});
  REQUIRE(by_name.count("CONSTANTS.c10.weight") == 1);  // the LinearOpContext
  CHECK(by_name["CONSTANTS.c10.weight"]->tensor->shape == std::vector<int64_t>{1, 4});
  CHECK(by_name["CONSTANTS.c10.bias"]->tensor->shape == std::vector<int64_t>{1});
  CHECK(model->n_parameter_elements() == weights);
  CHECK(weights > 0);
}
