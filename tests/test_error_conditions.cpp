// Errors carry the condition callers branch on (core/error.h), set where the
// error is raised and kept through every layer that adds context: input
// inference stops retrying on it, profile falls back to the data backend on
// it. The messages stay what they were.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/model.h"
#include "graph/input_inference.h"
#include "graph/op_registry.h"
#include "kernels/profile.h"
#include "test_paths.h"

using namespace ptscope;

namespace {

Error graph_error(const std::string& fixture, const graph::GraphOptions& options = {}) {
  auto model = load_model(test::fixture(fixture));
  try {
    graph::build_graph(*model, options);
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected " << fixture << " to fail building a graph");
  return Error(ErrorCode::corrupt, "unreachable");
}

}  // namespace

TEST_CASE("context added to an error keeps its code and condition", "[error_conditions]") {
  const Error cause(ErrorCode::unsupported, "inner", ErrorCondition::data_dependent);
  const Error wrapped(cause, "node 3 (aten::nonzero): inner");
  CHECK(wrapped.code() == ErrorCode::unsupported);
  CHECK(wrapped.condition() == ErrorCondition::data_dependent);
  CHECK(std::string(wrapped.what()) == "node 3 (aten::nonzero): inner");
  CHECK(Error(ErrorCode::corrupt, "x").condition() == ErrorCondition::none);
}

TEST_CASE("data-dependent control flow is flagged through input inference", "[error_conditions]") {
  // The model branches on a tensor's value: the shape-only run stops, the
  // message names the line, and the condition says why without reading it.
  const Error e = graph_error("models/scripted_with_constants.pt");
  CHECK(e.condition() == ErrorCondition::data_dependent);
  CHECK(e.code() == ErrorCode::unsupported);
  CHECK(std::string(e.what()).find("data-dependent control flow at code/__torch__.py:14") != std::string::npos);
  // Not retried with other input shapes: no "(with inferred input ...)" suffix.
  CHECK(std::string(e.what()).find("with inferred input") == std::string::npos);
}

TEST_CASE("an unknown op is flagged by the registry", "[error_conditions]") {
  try {
    graph::op_registry().resolve("aten::frobnicate", {}, {});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.condition() == ErrorCondition::unknown_op);
    CHECK(e.code() == ErrorCode::unsupported);
    CHECK(std::string(e.what()).rfind("unknown op aten::frobnicate", 0) == 0);
  }
  // A known op with arguments no overload takes is another failure.
  try {
    graph::op_registry().resolve("aten::relu", {graph::ArgValue(int64_t(3))}, {});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.condition() == ErrorCondition::none);
  }
}

TEST_CASE("profile falls back to the data backend on the data-dependent condition", "[error_conditions]") {
  auto model = load_model(test::fixture("exec/branchy_pos.pt"));
  kernels::ProfileOptions options;
  options.repeat = 1;
  options.warmup = 0;
  const kernels::ProfileResult r = kernels::profile(*model, options);
  CHECK(r.nodes.size() > 0);
}
