// TorchScript front end on real code: every code file extracted from the real
// archives in tests/data/torchscript_code parses, and known classes read back right.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "tests/torchscript_snippets.h"

using namespace ts_snippets;

TEST_CASE("ts parser: every code file of the corpus parses", "[torchscript][corpus]") {
  const std::filesystem::path root = code_dir();
  REQUIRE(std::filesystem::is_directory(root));
  size_t files = 0, empty = 0, classes = 0, functions = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".py") continue;
    const std::string rel = std::filesystem::relative(entry.path(), root).string();
    INFO(rel);
    const std::string src = read_file(entry.path());
    try {
      Module m = parse_source(src, rel);
      ++files;
      classes += m.classes.size();
      functions += m.functions.size();
      // TorchBind classes (torch/classes/*.py) are C++ classes: empty files.
      if (src.empty()) {
        ++empty;
        CHECK(m.classes.empty());
        CHECK(m.statements.empty());
      } else {
        CHECK((m.classes.size() + m.functions.size()) > 0);
      }
      // Printing then parsing again is stable.
      const std::string printed = to_source(m);
      CHECK(to_source(parse_source(printed, rel + " (printed)")) == printed);
    } catch (const ptscope::Error& e) {
      FAIL(e.what());
    }
  }
  CHECK(files >= 500);
  CHECK(empty >= 10);
  CHECK(classes >= 450);
  CHECK(functions >= 20);
}

TEST_CASE("ts parser: known corpus classes", "[torchscript][corpus]") {
  const std::filesystem::path root = code_dir();
  auto load = [&](const std::string& rel) { return parse_source(read_file(root / rel), rel); };

  Module conv = load(
      "navalmor__digit-recognition__scripted_model/__torch__/torch/nn/modules/conv.py");
  const ClassDef* c = conv.find_class("Conv2d");
  REQUIRE(c);
  CHECK(c->kind() == ClassKind::module);
  CHECK(c->parameters() == std::vector<std::string>{"weight", "bias"});
  CHECK(c->buffers().empty());
  const ClassAttribute* in = c->find_attribute("in_channels");
  REQUIRE(in);
  CHECK(in->is_final);
  CHECK(dump(*in->value) == "3");
  CHECK(dump(*c->find_attribute("kernel_size")->value) == "(tuple 5 5)");
  CHECK(dump(*c->find_attribute("bias")->type) == "([] Optional Tensor)");
  CHECK_FALSE(c->find_attribute("bias")->is_final);
  const FunctionDef* conv_forward = c->find_method("_conv_forward");
  REQUIRE(conv_forward);
  CHECK(conv_forward->params.size() == 4);
  CHECK(to_source(*conv_forward->body[0]) ==
        "_1 = torch.conv2d(input, weight, bias, [1, 1], [0, 0], [1, 1])\n");

  Module bn = load(
      "kyhoolee__mobile_phone_human_matting__dec860f2__jit_model/__torch__/torch/nn/modules/"
      "batchnorm.py");
  REQUIRE(bn.classes.size() == 1);
  CHECK(bn.classes[0].buffers() ==
        std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
  const Expr& bn_call = *bn.classes[0].find_method("forward")->body[3]->as<Assign>()->value;
  CHECK(dump(*bn_call.as<Call>()->args[6]) == "0.1");

  Module seq = load(
      "navalmor__digit-recognition__scripted_model/__torch__/torch/nn/modules/container.py");
  const ClassDef& s = seq.classes.at(0);
  REQUIRE(s.attributes().size() == 5);
  CHECK(s.attributes()[2].name == "0");
  CHECK(to_source(*s.attributes()[2].type) == "__torch__.torch.nn.modules.conv.Conv2d");
  CHECK(dump(*s.find_method("__len__")->body[0]->as<Return>()->value) == "3");

  Module old = load(
      "Kubster96__Mobilki__app__src__main__assets__model/__torch__/torch/nn/modules/module.py");
  CHECK(old.op_version_set == 1);
  CHECK(old.classes.at(0).name() == "Module");
  CHECK(old.classes.at(0).parameters() == std::vector<std::string>{"weight", "bias"});

  Module fn = load("fzhao70__AdaptChem__demo_model/__torch__/torch/nn/functional.py");
  const FunctionDef* relu = fn.find_function("relu");
  REQUIRE(relu);
  REQUIRE(relu->params.size() == 2);
  CHECK(dump(*relu->params[1].default_value) == "False");
  CHECK(relu->body.at(0)->is<If>());
}

TEST_CASE("ts parser: a megabyte of source parses quickly", "[torchscript][corpus]") {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(code_dir())) {
    if (entry.path().extension() != ".py") continue;
    std::string src = read_file(entry.path());
    if (src.rfind("op_version_set", 0) == 0) continue;  // keep one module-level header
    all += src;
    if (!all.empty() && all.back() != '\n') all += '\n';
  }
  while (all.size() < (1u << 20)) all += all;
  const auto t0 = std::chrono::steady_clock::now();
  Module m = parse_source(all, "big.py");
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  CHECK(m.classes.size() > 900);
  // Linear time: a Release build takes ~20 ms; this bound only catches
  // blow-ups, even under sanitizers on a loaded machine.
  CHECK(ms < 2000);
}
