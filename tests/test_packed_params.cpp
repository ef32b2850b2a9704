// Weights inside custom-class objects (parser/packed_params.cpp): quantized
// packed params (static conv/linear, dynamic linear), frozen models' packed
// constants, XNNPACK op contexts of optimize_for_mobile. Fixtures from torch 2.x
// (fixtures/make_packed_fixtures.py) and torch 1.13 with XNNPACK
// (fixtures/make_mobile_fixtures.py); the golden parameter count is torch's
// count of the original float model.
#include <catch2/catch.hpp>

#include <cstring>
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
  // constants (our own fixture: the mobile_cnn_xnnpack test cases above).
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

namespace {

double float_sum(const Tensor& t) {
  REQUIRE(t.dtype == DType::float32);
  REQUIRE(t.is_contiguous());
  double s = 0;
  const uint8_t* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) {
    float v;
    std::memcpy(&v, p + 4 * i, 4);
    s += v;
  }
  return s;
}

// The parameters ptscope must list for a frozen optimize_for_mobile file: one weight (and bias
// when the layer has one) per op context constant, with the float parameter's shape.
std::map<std::string, std::vector<int64_t>> expected_mobile_parameters(const nlohmann::json& golden) {
  std::map<std::string, std::vector<int64_t>> want;
  for (const auto& [constant, c] : golden["constants"].items()) {
    want[constant + ".weight"] = golden["weights"][c["weight"].get<std::string>()].get<std::vector<int64_t>>();
    if (!c["bias"].is_null())
      want[constant + ".bias"] = golden["weights"][c["bias"].get<std::string>()].get<std::vector<int64_t>>();
  }
  return want;
}

}  // namespace

TEST_CASE("optimize_for_mobile (XNNPACK op contexts): parameter count and names", "[reader][packed][mobile]") {
  // Written by torch 1.13 with XNNPACK (fixtures/make_mobile_fixtures.py): a conv+ReLU with bias,
  // a bias-free conv+Hardtanh, a grouped transposed conv and a linear, frozen into
  // Conv2dOpContext / TransposeConv2dOpContext / LinearOpContext constants. Freezing leaves no
  // module path in the archive (the module attributes are gone, the code reads CONSTANTS.c<i>),
  // so each context's weight and bias are named after the constant the code uses.
  for (const char* ext : {".pt", ".ptl"}) {
    const std::string path = test::fixture(std::string("packed/mobile_cnn_xnnpack") + ext);
    const auto golden = golden_of(path);
    INFO(path);
    auto model = load_model(path);
    CHECK(model->kind == (std::string(ext) == ".ptl" ? FileKind::torchscript_mobile : FileKind::torchscript));
    CHECK(model->n_parameter_elements() == golden["params"].get<int64_t>());
    std::map<std::string, const Tensor*> ours;
    for (const auto& t : model->tensors)
      if (t.is_parameter()) ours[t.name] = t.tensor.get();
    const auto want = expected_mobile_parameters(golden);
    CHECK(ours.size() == want.size());
    CHECK(want.size() == golden["weights"].size());
    for (const auto& [name, shape] : want) {
      INFO(name);
      REQUIRE(ours.count(name) == 1);
      CHECK(ours[name]->shape == shape);
    }
    // The values are the float model's (matched by torch), not some other tensor of that shape.
    for (const auto& [constant, c] : golden["constants"].items()) {
      INFO(constant);
      CHECK(float_sum(*ours[constant + ".weight"]) == Approx(c["weight_sum"].get<double>()).margin(1e-4));
    }
  }
}

TEST_CASE("optimize_for_mobile: info and stats count the op-context weights", "[reader][packed][mobile][cli]") {
  for (const char* ext : {".pt", ".ptl"}) {
    const std::string file = test::fixture(std::string("packed/mobile_cnn_xnnpack") + ext);
    const auto golden = golden_of(file);
    const auto want = expected_mobile_parameters(golden);
    INFO(file);
    const auto info = test::run_ptscope("info '" + file + "' --json", false);
    REQUIRE(info.status == 0);
    const auto i = nlohmann::json::parse(info.out);
    CHECK(i["n_parameters"] == golden["params"]);
    int64_t listed = 0;
    for (const auto& t : i["tensors"])
      if (t["role"] == "parameter") {
        INFO(t["name"]);
        CHECK(want.count(t["name"].get<std::string>()) == 1);
        listed += t["numel"].get<int64_t>();
      }
    CHECK(listed == golden["params"].get<int64_t>());

    const auto stats = test::run_ptscope("stats '" + file + "' --json", false);
    REQUIRE(stats.status == 0);
    const auto s = nlohmann::json::parse(stats.out);
    CHECK(s["summary"]["numel"] == golden["params"]);
    std::map<std::string, nlohmann::json> by_name;
    for (const auto& t : s["tensors"]) by_name[t["name"].get<std::string>()] = t;
    CHECK(by_name.size() == want.size());
    for (const auto& [constant, c] : golden["constants"].items()) {
      INFO(constant);
      const auto& t = by_name[constant + ".weight"];
      REQUIRE(t.is_object());
      CHECK(t["shape"].get<std::vector<int64_t>>() == want.at(constant + ".weight"));
      CHECK(t["mean"].get<double>() * t["numel"].get<double>() == Approx(c["weight_sum"].get<double>()).margin(1e-4));
    }
  }
}

TEST_CASE("optimize_for_mobile: analyze runs the graph of .pt and .ptl, params on the prepacked ops",
          "[packed][mobile][analysis][cli]") {
  // torch 1.13 writes code/ into lite-interpreter archives too: the graph runs from it, and each
  // prepacked op carries its op context's weight and bias.
  for (const char* ext : {".pt", ".ptl"}) {
    const std::string file = test::fixture(std::string("packed/mobile_cnn_xnnpack") + ext);
    const auto golden = golden_of(file);
    INFO(file);
    const auto r = test::run_ptscope("analyze '" + file + "' --format json --no-save --bins 8", false);
    REQUIRE(r.status == 0);
    const auto a = nlohmann::json::parse(r.out);
    REQUIRE(a["graph"]["available"] == true);
    CHECK(a["architecture"]["kind"] == "CNN");
    CHECK(a["summary"]["params"] == golden["params"]);
    int64_t on_nodes = 0, convs = 0;
    for (const auto& n : a["nodes"]) {
      on_nodes += n["params"].get<int64_t>();
      const std::string op = n["op"];
      convs += op.rfind("aten::conv", 0) == 0;
    }
    CHECK(on_nodes == golden["params"].get<int64_t>());  // every weight is used by exactly one op
    CHECK(convs == 3);
  }
}
