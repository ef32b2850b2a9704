// Stride tracking against torch (fixtures/make_stride_goldens.py): views
// chained by the op rules give torch's strides, and a view of a new shape
// exists exactly when torch's `view` succeeds (else reshape copies).
#include <catch2/catch.hpp>

#include "core/shape.h"
#include "graph/op_registry.h"
#include "graph/values.h"
#include "tests/graph_golden.h"
#include "tests/test_paths.h"

using namespace ptscope;
using namespace ptscope::graph;
using Ints = std::vector<int64_t>;

namespace {

TensorMeta apply(const std::string& op, std::vector<ArgValue> args) {
  const OpDef* def = op_registry().find(op);
  REQUIRE(def != nullptr);
  const auto outs = def->shape(args);
  REQUIRE(outs.size() == 1);
  return outs[0];
}

// One step of a golden chain through the op's own shape rule.
TensorMeta step(const TensorMeta& t, const nlohmann::json& op) {
  const std::string kind = op[0];
  if (kind == "permute") return apply("aten::permute", {t, op[1].get<Ints>()});
  if (kind == "transpose") return apply("aten::transpose.int", {t, op[1].get<int64_t>(), op[2].get<int64_t>()});
  if (kind == "select") return apply("aten::select.int", {t, op[1].get<int64_t>(), op[2].get<int64_t>()});
  if (kind == "slice")
    return apply("aten::slice.Tensor",
                 {t, op[1].get<int64_t>(), op[2].get<int64_t>(), op[3].get<int64_t>(), op[4].get<int64_t>()});
  if (kind == "unsqueeze") return apply("aten::unsqueeze", {t, op[1].get<int64_t>()});
  REQUIRE(kind == "expand");
  return apply("aten::expand", {t, op[1].get<Ints>(), false});
}

}  // namespace

TEST_CASE("views carry torch's strides, and a reshape views exactly when torch's view can", "[strides]") {
  const auto golden = test::read_json(test::fixture("strides/view_strides.json"));
  REQUIRE(golden["cases"].size() >= 200);
  int copies = 0, views = 0;
  for (const auto& c : golden["cases"]) {
    INFO(c.dump());
    TensorMeta t;
    t.shape = c["base"].get<Ints>();
    for (const auto& op : c["ops"]) t = step(t, op);
    REQUIRE(t.shape == c["shape"].get<Ints>());
    CHECK(t.layout_strides() == c["strides"].get<Ints>());
    CHECK(t.contiguous() == c["contiguous"].get<bool>());
    for (const auto& v : c["views"]) {
      const Ints to = v["shape"].get<Ints>();
      const auto strides = view_strides(t.shape, t.layout_strides(), to);
      const TensorMeta reshaped = apply("aten::reshape", {t, to});
      const bool copied = op_registry().find("aten::reshape")->copies({t, to}, {reshaped});
      if (v["strides"].is_null()) {
        CHECK_FALSE(strides.has_value());
        CHECK(copied);
        CHECK(reshaped.contiguous());
        ++copies;
      } else {
        REQUIRE(strides.has_value());
        CHECK(*strides == v["strides"].get<Ints>());
        CHECK_FALSE(copied);
        CHECK(reshaped.layout_strides() == v["strides"].get<Ints>());
        ++views;
      }
    }
  }
  // Both outcomes are well represented.
  CHECK(copies > 100);
  CHECK(views > 100);
}

TEST_CASE("contiguous aliases a dense tensor and copies a permuted one", "[strides]") {
  const OpDef* contiguous = op_registry().find("aten::contiguous");
  REQUIRE(contiguous != nullptr);
  TensorMeta dense;
  dense.shape = {2, 3, 4};
  const TensorMeta permuted = apply("aten::permute", {dense, Ints{0, 2, 1}});
  CHECK_FALSE(permuted.contiguous());
  CHECK_FALSE(contiguous->copies({dense, int64_t(0)}, {dense}));
  CHECK(contiguous->copies({permuted, int64_t(0)}, {permuted}));
  const TensorMeta out = apply("aten::contiguous", {permuted, int64_t(0)});
  CHECK(out.contiguous());
  CHECK(out.shape == Ints{2, 4, 3});
}
