// Every fixture written by real PyTorch is read back and compared with the
// golden torch computed when it wrote the file: names, dtypes, shapes, strides
// exactly; sum and sum of squares (float64) to 1e-9 relative.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/model.h"
#include "test_paths.h"

using namespace ptscope;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> golden_files() {
  std::vector<fs::path> out;
  for (const auto& name : test::fixture_names("models", ".golden.json")) out.push_back(test::fixture("models/" + name));
  return out;
}

struct Sums {
  double sum = 0, sumsq = 0;
};

Sums sums_of(const Tensor& t) {
  Sums s;
  for_each_as_double(t, [&](double v) {
    s.sum += v;
    s.sumsq += v * v;
  });
  return s;
}

bool close(double a, double b, double rel = 1e-9) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::abs(a - b) <= rel * std::max({std::abs(a), std::abs(b), 1e-300}) || std::abs(a - b) < 1e-12;
}

}  // namespace

TEST_CASE("fixtures exist", "[reader][golden]") { REQUIRE(golden_files().size() >= 10); }

TEST_CASE("reader matches torch goldens for every fixture", "[reader][golden]") {
  for (const auto& golden_path : golden_files()) {
    std::ifstream in(golden_path);
    nlohmann::json golden = nlohmann::json::parse(in);
    const std::string file = golden_path.parent_path() / golden["file"].get<std::string>();
    INFO("fixture " << file);
    std::unique_ptr<Model> model;
    REQUIRE_NOTHROW(model = load_model(file));
    CHECK(std::string(file_kind_name(model->kind)) == golden["kind"].get<std::string>());
    if (!golden["format_version"].is_null()) CHECK(model->format_version == golden["format_version"].get<int64_t>());
    if (golden.contains("archive_name") && !golden["archive_name"].is_null())
      CHECK(model->archive_name == golden["archive_name"].get<std::string>());

    std::map<std::string, const NamedTensor*> ours;
    for (const auto& t : model->tensors)
      if (t.role != TensorRole::attribute && t.role != TensorRole::constant) ours[t.name] = &t;
    std::set<std::string> expected;
    int64_t parameter_elements = 0;
    // Weights inside packed custom-class objects (quantized conv/linear): torch lists them
    // from module._weight_bias(), not in state_dict(); we list them as the module's parameters.
    nlohmann::json all = golden["tensors"];
    int64_t packed_elements = 0;
    if (golden.contains("packed_tensors"))
      for (auto g : golden["packed_tensors"]) {
        g["is_parameter"] = true;
        int64_t n = 1;
        for (int64_t d : g["shape"].get<std::vector<int64_t>>()) n *= d;
        packed_elements += n;
        all.push_back(g);
      }
    for (const auto& g : all) {
      const std::string name = g["name"];
      expected.insert(name);
      INFO("tensor '" << name << "'");
      auto it = ours.find(name);
      REQUIRE(it != ours.end());
      const NamedTensor& nt = *it->second;
      const Tensor& t = *nt.tensor;
      CHECK(std::string(dtype_name(t.dtype)) == g["dtype"].get<std::string>());
      CHECK(t.shape == g["shape"].get<std::vector<int64_t>>());
      CHECK(t.strides == g["strides"].get<std::vector<int64_t>>());
      CHECK(t.storage_offset == g["storage_offset"].get<int64_t>());
      CHECK(nt.is_parameter() == g["is_parameter"].get<bool>());
      if (g.contains("is_buffer")) CHECK(nt.is_buffer() == g["is_buffer"].get<bool>());
      if (nt.is_parameter()) parameter_elements += t.numel();
      const Sums s = sums_of(t);
      CHECK(close(s.sum, g["sum"].get<double>()));
      CHECK(close(s.sumsq, g["sumsq"].get<double>()));
      if (g.contains("quant") && !g["quant"].is_null()) {
        const auto& q = g["quant"];
        CHECK(std::string(qscheme_name(t.quant.scheme)) == q["scheme"].get<std::string>());
        if (q.contains("scale")) {
          CHECK(close(t.quant.scale, q["scale"].get<double>()));
          CHECK(t.quant.zero_point == q["zero_point"].get<int64_t>());
        }
        if (q.contains("scales")) {
          REQUIRE(t.quant.scales);
          CHECK(t.quant.axis == q["axis"].get<int64_t>());
          std::vector<double> scales;
          for_each_as_double(*t.quant.scales, [&](double v) { scales.push_back(v); });
          auto want = q["scales"].get<std::vector<double>>();
          REQUIRE(scales.size() == want.size());
          for (size_t i = 0; i < want.size(); ++i) CHECK(close(scales[i], want[i]));
        }
      }
    }
    // No extra state tensors beyond what torch lists.
    for (const auto& [name, t] : ours) {
      INFO("extra tensor '" << name << "'");
      CHECK(expected.count(name) == 1);
    }
    if (golden.contains("n_parameters"))
      CHECK(model->n_parameter_elements() == golden["n_parameters"].get<int64_t>() + packed_elements);
  }
}

TEST_CASE("stored tensors are views into the file mapping", "[reader][zerocopy]") {
  auto file = MappedFile::open(test::fixture("models/mlp_state_dict.pth"));
  auto model = load_model(file);
  REQUIRE(!model->tensors.empty());
  for (const auto& t : model->tensors) {
    INFO(t.name);
    REQUIRE(t.tensor->storage);
    CHECK(t.tensor->storage->data.is_view_of(file->data(), file->size()));
    CHECK(t.tensor->storage->file_offset > 0);
    // The view's bytes are where the zip says they are.
    CHECK(t.tensor->storage->data.data() == file->data() + t.tensor->storage->file_offset);
  }
}

TEST_CASE("views share one storage", "[reader][views]") {
  auto model = load_model(test::fixture("models/shared_views.pth"));
  std::map<const Storage*, int> users;
  for (const auto& t : model->tensors) users[t.tensor->storage.get()]++;
  bool shared = false;
  for (auto& [s, n] : users) shared = shared || n > 1;
  CHECK(shared);
}
