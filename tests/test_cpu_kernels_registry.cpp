// The CPU kernel table against the op registry: every kernel implements a
// registered op, views and in-place ops return their outputs themselves
// (OutputMode::by_kernel), the golden cases bind as many arguments as the
// registry's schemas declare, and the ops the target models need all have
// kernels.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "graph/op_registry.h"
#include "kernels/cpu/kernel_registry.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::kernels;

TEST_CASE("every cpu kernel implements a registered op", "[kernels]") {
  const graph::OpRegistry& reg = graph::op_registry();
  for (const std::string& name : cpu_kernel_names()) {
    INFO(name);
    const graph::OpDef* def = reg.find(name);
    CHECK(def != nullptr);
    if (!def) continue;
    // A preallocated output cannot alias its input.
    if (def->is_view || def->is_inplace) CHECK(find_cpu_kernel(name)->outputs == OutputMode::by_kernel);
  }
}

TEST_CASE("golden cases bind every schema argument", "[kernels]") {
  std::ifstream f(test::fixture("kernels/cases.json"));
  REQUIRE(f.good());
  const auto cases = nlohmann::json::parse(f)["cases"];
  const graph::OpRegistry& reg = graph::op_registry();
  for (const auto& c : cases) {
    const std::string op = c["op"];
    INFO(op);
    const graph::OpDef* def = reg.find(op);
    REQUIRE(def != nullptr);
    CHECK(def->schema.args.size() == c["args"].size());
  }
}

TEST_CASE("the ops of the target models have cpu kernels", "[kernels]") {
  // What TorchScript / torch.export graphs of the torchvision classifiers,
  // nn.Transformer* (incl. fast paths) and BERT/GPT-2/T5-style models call.
  const char* needed[] = {
      "aten::conv2d", "aten::_convolution", "aten::linear", "aten::addmm", "aten::matmul", "aten::bmm", "aten::baddbmm",
      "aten::batch_norm", "aten::layer_norm", "aten::group_norm", "aten::relu", "aten::relu_", "aten::hardtanh_",
      "aten::relu6", "aten::gelu", "aten::silu", "aten::silu_", "aten::hardswish", "aten::hardswish_",
      "aten::hardsigmoid", "aten::sigmoid", "aten::tanh", "aten::softmax.int", "aten::log_softmax.int",
      "aten::max_pool2d", "aten::avg_pool2d", "aten::adaptive_avg_pool2d", "aten::adaptive_max_pool2d",
      "aten::dropout", "aten::flatten.using_ints", "aten::view", "aten::reshape", "aten::permute",
      "aten::transpose.int", "aten::contiguous", "aten::cat", "aten::chunk", "aten::split.Tensor", "aten::select.int",
      "aten::slice.Tensor", "aten::expand", "aten::unsqueeze", "aten::add.Tensor", "aten::add_.Tensor",
      "aten::mul.Tensor", "aten::div.Tensor", "aten::sub.Tensor", "aten::rsub.Scalar", "aten::pow.Tensor_Scalar",
      "aten::mean.dim", "aten::embedding", "aten::scaled_dot_product_attention", "aten::_native_multi_head_attention",
      "aten::_transformer_encoder_layer_fwd", "aten::masked_fill.Scalar", "aten::where.self", "aten::to.dtype",
      "aten::arange", "aten::roll", "aten::pad", "aten::index.Tensor",
  };
  std::vector<std::string> missing;
  for (const char* op : needed)
    if (!find_cpu_kernel(op)) missing.push_back(op);
  std::string list;
  for (const auto& m : missing) list += " " + m;
  INFO("missing:" << list);
  CHECK(missing.empty());
}
