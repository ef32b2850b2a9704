// torch 1.3's quantized-tensor layouts: _rebuild_qtensor(storage, offset, size,
// stride, scale, zero_point, requires_grad, hooks) with scale and zero point as
// plain arguments (1.4 and later pass one quantizer tuple), in a pre-1.6 stream
// written by torch's legacy serializer with that argument list; and a format
// version 1 (model.json) archive whose TensorDef marks a quantized tensor,
// written by hand from torch.proto (fixtures/make_qtensor13_fixture.py). Sums of
// int_repr() come from torch.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/model.h"
#include "core/tensor_iter.h"
#include "test_paths.h"

using namespace ptscope;

namespace {

void check_against_golden(const std::string& path) {
  std::ifstream in(path + ".golden.json");
  REQUIRE(in);
  const auto golden = nlohmann::json::parse(in);
  std::unique_ptr<Model> model;
  REQUIRE_NOTHROW(model = load_model(path));
  std::map<std::string, const Tensor*> by_name;
  for (const auto& t : model->tensors) by_name[t.name] = t.tensor.get();
  for (const auto& g : golden["tensors"]) {
    const std::string name = g["name"];
    INFO(name);
    REQUIRE(by_name.count(name) == 1);
    const Tensor& t = *by_name[name];
    CHECK(std::string(dtype_name(t.dtype)) == g["dtype"].get<std::string>());
    CHECK(t.shape == g["shape"].get<std::vector<int64_t>>());
    CHECK(t.quant.scheme == QScheme::per_tensor_affine);
    CHECK(t.quant.scale == Approx(g["scale"].get<double>()));
    CHECK(t.quant.zero_point == g["zero_point"].get<int64_t>());
    double sum = 0, sumsq = 0;
    for_each_as_double(t, [&](double v) { sum += v, sumsq += v * v; });
    CHECK(sum == g["int_sum"].get<double>());
    CHECK(sumsq == g["int_sumsq"].get<double>());
  }
}

}  // namespace

TEST_CASE("torch 1.3 quantized tensors (scale and zero point as plain arguments)", "[reader][qtensor13]") {
  check_against_golden(test::fixture("legacy/qtensor_torch13.pth"));
  auto model = load_model(test::fixture("legacy/qtensor_torch13.pth"));
  CHECK(model->tensors.size() == 3);  // and the float bias beside them
}

TEST_CASE("format version 1 (model.json) quantized tensors: TensorDef isQuantized, scale, zeroPoint",
          "[reader][qtensor13]") {
  check_against_golden(test::fixture("legacy/quantized_modeljson_v1.pt"));
  auto model = load_model(test::fixture("legacy/quantized_modeljson_v1.pt"));
  CHECK(model->format_version == 1);
  CHECK(model->n_parameter_elements() == 18);
}
