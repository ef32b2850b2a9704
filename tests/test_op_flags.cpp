// The op lists other passes used to keep (fusion's activations, the ops input
// inference lets a placeholder through) are read from the declarations: the
// category sets keeps_shape, the ops that differ say so, and only fusable
// activations are pointwise.
#include <catch2/catch.hpp>

#include "graph/op_registry.h"

using namespace ptscope::graph;

namespace {
const OpDef& op(const char* full_name) {
  const OpDef* d = op_registry().find(full_name);
  REQUIRE(d);
  return *d;
}
}  // namespace

TEST_CASE("activations and elementwise ops keep shapes unless declared otherwise", "[op_flags]") {
  for (const char* name : {"aten::relu", "aten::relu_", "aten::gelu", "aten::softmax.int", "aten::dropout",
                           "aten::add.Tensor", "aten::mul_.Scalar", "aten::where.self", "aten::masked_fill.Scalar",
                           "aten::log_sigmoid"})
    CHECK(op(name).keeps_shape);
  // Copies and casts are shape ops that keep the shape.
  for (const char* name : {"aten::contiguous", "aten::clone", "aten::detach", "aten::to.dtype", "aten::to.other",
                           "aten::type_as"})
    CHECK(op(name).keeps_shape);
  // An activation and an elementwise op whose output shape differs.
  CHECK_FALSE(op("aten::glu").keeps_shape);
  CHECK_FALSE(op("aten::outer").keeps_shape);
  // Shape ops in general do not.
  for (const char* name : {"aten::view", "aten::reshape", "aten::permute", "aten::flatten.using_ints"})
    CHECK_FALSE(op(name).keeps_shape);
}

TEST_CASE("only element-by-element activations are pointwise", "[op_flags]") {
  for (const char* name : {"aten::relu", "aten::relu_", "aten::relu6", "aten::hardtanh", "aten::gelu", "aten::gelu_",
                           "aten::silu", "aten::sigmoid", "aten::tanh_", "aten::hardswish", "aten::mish",
                           "aten::softplus", "aten::elu", "aten::leaky_relu_", "aten::prelu", "aten::log_sigmoid"}) {
    INFO(name);
    CHECK(op(name).pointwise);
    CHECK(op(name).category == OpCategory::activation);
  }
  // Row-wise, random or halving: activations that a GEMM epilogue cannot absorb as is.
  for (const char* name : {"aten::softmax.int", "aten::log_softmax.int", "aten::_softmax", "aten::dropout",
                           "aten::glu", "aten::_masked_softmax"}) {
    INFO(name);
    CHECK_FALSE(op(name).pointwise);
  }
  CHECK_FALSE(op("aten::add.Tensor").pointwise);
}
