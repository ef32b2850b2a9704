// Heavy-tailed spectral metrics against WeightWatcher 0.7.x on the committed
// spectral fixtures (fixtures/make_spectral_goldens.py): every layer it
// analyses, with the same layer set, typing, conv slicing and power-law fit.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_run.h"
#include "core/model.h"
#include "stats/element_reader.h"
#include "stats/heavy_tail.h"
#include "graph_golden.h"
#include "test_paths.h"

using namespace ptscope;

namespace {

// Relative agreement far inside the 1% (both sides compute in double;
// WeightWatcher takes SVDs, we take eigenvalues of the Gram matrices).
void check_close(double ours, const nlohmann::json& theirs, const char* what) {
  INFO(what << ": ours " << ours << ", WeightWatcher " << theirs.dump());
  if (theirs.is_null()) {  // log10(0) of an all-zero layer
    CHECK(!std::isfinite(ours));
    return;
  }
  const double t = theirs.get<double>();
  CHECK(std::abs(ours - t) <= 1e-6 * std::max(1.0, std::abs(t)));
}

}  // namespace

TEST_CASE("heavy-tail metrics equal WeightWatcher's on every layer it analyses", "[spectral][heavy_tail]") {
  for (const std::string name : {"resnet18_w8", "vit_tiny"}) {
    DYNAMIC_SECTION(name) {
      const std::string file = test::fixture("spectral/" + name + ".pt");
      const auto golden = test::read_json(file + ".ww.json");
      auto model = load_model(file);
      HeavyTailOptions options;
      options.threads = 2;
      const HeavyTailReport r = heavy_tail_analysis(*model, options);
      const auto& rows = golden["layers"];
      REQUIRE(r.layers.size() == rows.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& w = rows[i];
        const HeavyTailLayer& l = r.layers[i];
        INFO("layer " << w["longname"].get<std::string>());
        CHECK(l.name == w["longname"].get<std::string>());
        CHECK(l.n == w["N"].get<int64_t>());
        CHECK(l.m == w["M"].get<int64_t>());
        CHECK(l.rf == w["rf"].get<int64_t>());
        CHECK(l.num_evals == w["num_evals"].get<int64_t>());
        CHECK(l.num_pl_spikes == w["num_pl_spikes"].get<int64_t>());
        CHECK(l.warning == w["warning"].get<std::string>());
        check_close(l.alpha, w["alpha"], "alpha");
        check_close(l.D, w["D"], "D");
        check_close(l.xmin, w["xmin"], "xmin");
        check_close(l.alpha_weighted, w["alpha_weighted"], "alpha_weighted");
        check_close(l.log_norm, w["log_norm"], "log_norm");
        check_close(l.log_spectral_norm, w["log_spectral_norm"], "log_spectral_norm");
        check_close(l.lambda_max, w["lambda_max"], "lambda_max");
        check_close(l.sv_max, w["sv_max"], "sv_max");
        if (!w["stable_rank"].is_null()) check_close(l.stable_rank, w["stable_rank"], "stable_rank");
        // The Marchenko–Pastur fit (analyze(mp_fit=True)).
        check_close(l.mp_softrank, w["mp_softrank"], "mp_softrank");
        CHECK(l.num_spikes == w["num_spikes"].get<int64_t>());
      }
      // Norm layers (BatchNorm, LayerNorm) and containers are not analysed; nothing else was skipped.
      CHECK(r.skipped.empty());
    }
  }
}

TEST_CASE("power-law fit recovers the exponent of a Pareto sample", "[spectral][heavy_tail]") {
  // Density ∝ x^-alpha above xmin = 1: x = (1 - u)^(-1 / (alpha - 1)).
  for (const double alpha : {2.5, 4.0}) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> x;
    for (int i = 0; i < 4000; ++i) x.push_back(std::pow(1 - u(rng), -1 / (alpha - 1)));
    const PowerLawFit fit = fit_power_law(x);
    REQUIRE(fit.ok);
    CHECK(fit.alpha == Approx(alpha).epsilon(0.08));
    CHECK(fit.D < 0.05);
    CHECK(fit.xmin >= 1.0);
  }
  CHECK(!fit_power_law({}).ok);
  CHECK(!fit_power_law({1.0}).ok);
}

TEST_CASE("stats --spectral prints the per-layer table and the JSON", "[spectral][cli]") {
  const std::string file = test::fixture("spectral/vit_tiny.pt");
  auto text = test::run_ptscope("stats " + file + " --spectral --no-compress", true);
  REQUIRE(text.status == 0);
  CHECK(text.out.find("Heavy-tailed spectral analysis") != std::string::npos);
  CHECK(text.out.find("encoder.layers.encoder_layer_0.mlp.0") != std::string::npos);
  auto js = test::run_ptscope("stats " + file + " --spectral --json --no-compress", false);
  REQUIRE(js.status == 0);
  const auto j = nlohmann::json::parse(js.out);
  REQUIRE(j.contains("heavy_tail"));
  CHECK(j["heavy_tail"]["layers"].size() == 8);
  // The zero-initialised head: no eigenvalue above 1e-5, the fit fails as in WeightWatcher.
  const auto& head = j["heavy_tail"]["layers"].back();
  CHECK(head["name"] == "heads.head");
  CHECK(head["alpha"] == -1.0);
  CHECK(head["warning"] == "over-trained");
  // Without the flag the key is absent (the default stats output is unchanged).
  auto plain = test::run_ptscope("stats " + file + " --json --no-compress", false);
  REQUIRE(plain.status == 0);
  CHECK(!nlohmann::json::parse(plain.out).contains("heavy_tail"));
}

TEST_CASE("analyze --spectral turns WeightWatcher's warnings into recommendations", "[spectral][analysis]") {
  const std::string file = test::fixture("spectral/vit_tiny.pt");
  const auto golden = test::read_json(file + ".ww.json");
  auto r = test::run_ptscope("analyze " + file + " --format json --no-save --spectral --bins 4", false);
  REQUIRE(r.status == 0);
  const auto a = nlohmann::json::parse(r.out);
  REQUIRE(a.contains("heavy_tail"));
  std::map<std::string, std::vector<std::string>> by_kind;
  for (const auto& rec : a["recommendations"]) {
    const std::string kind = rec["kind"];
    if (kind == "under-trained" || kind == "over-trained" || kind == "spectrum-fit-failed")
      for (const auto& l : rec["evidence"]["layers"]) by_kind[kind].push_back(l["name"]);
  }
  std::map<std::string, std::vector<std::string>> expected;
  for (const auto& w : golden["layers"]) {
    const double alpha = w["alpha"].get<double>();
    if (alpha == -1.0) expected["spectrum-fit-failed"].push_back(w["longname"]);
    else if (alpha > 6) expected["under-trained"].push_back(w["longname"]);
    else if (alpha < 2) expected["over-trained"].push_back(w["longname"]);
  }
  CHECK(by_kind == expected);
  CHECK(!expected["under-trained"].empty());
}

TEST_CASE("heavy-tail metrics do not depend on the thread count", "[spectral][heavy_tail]") {
  // 1 thread: every layer in turn; 2 and 3: layers spread over workers, and a
  // layer the others cannot balance runs alone with the threads inside it.
  for (const std::string name : {"resnet18_w8", "vit_tiny"}) {
    auto model = load_model(test::fixture("spectral/" + name + ".pt"));
    std::vector<HeavyTailReport> runs;
    for (const unsigned threads : {1u, 2u, 3u}) {
      HeavyTailOptions options;
      options.threads = threads;
      runs.push_back(heavy_tail_analysis(*model, options));
    }
    for (size_t r = 1; r < runs.size(); ++r) {
      REQUIRE(runs[r].layers.size() == runs[0].layers.size());
      for (size_t i = 0; i < runs[0].layers.size(); ++i) {
        const HeavyTailLayer &a = runs[0].layers[i], &b = runs[r].layers[i];
        INFO(name << " " << a.name << ", run " << r);
        CHECK(a.name == b.name);
        CHECK(a.alpha == b.alpha);
        CHECK(a.D == b.D);
        CHECK(a.xmin == b.xmin);
        CHECK(a.log_norm == b.log_norm);
        CHECK(a.lambda_max == b.lambda_max);
        CHECK(a.sigma_mp == b.sigma_mp);
      }
    }
  }
}

TEST_CASE("a dominant layer runs alone on all threads, with the same metrics", "[spectral][heavy_tail]") {
  // A state_dict: one 450 × 520 matrix (large enough for the Gram tiles and
  // the first trailing updates to run on two workers) beside small ones that
  // cannot balance it, so it is analysed first with the threads inside.
  Model model;
  std::mt19937_64 rng(11);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  auto add = [&](const std::string& name, int64_t rows, int64_t cols) {
    std::vector<float> values(size_t(rows * cols));
    for (float& v : values) v = normal(rng);
    std::vector<uint8_t> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    auto t = std::make_shared<Tensor>();
    t->dtype = DType::float32;
    t->shape = {rows, cols};
    t->strides = contiguous_strides(t->shape);
    auto storage = std::make_shared<Storage>();
    storage->dtype = DType::float32;
    storage->declared_bytes = bytes.size();
    storage->data = Blob::from_vector(std::move(bytes));
    t->storage = storage;
    model.tensors.push_back({name, TensorRole::parameter, t});
  };
  add("big.weight", 450, 520);
  for (int i = 0; i < 3; ++i) add("small" + std::to_string(i) + ".weight", 20, 30);
  // A conv2d weight of 9 taps, also too large for the small layers to balance:
  // alone, its matrices go one per worker.
  add("conv.weight", 60, 50 * 9);
  model.tensors.back().tensor->shape = {60, 50, 3, 3};
  model.tensors.back().tensor->strides = contiguous_strides(model.tensors.back().tensor->shape);
  std::vector<HeavyTailReport> runs;
  for (const unsigned threads : {1u, 2u}) {
    HeavyTailOptions options;
    options.threads = threads;
    runs.push_back(heavy_tail_analysis(model, options));
  }
  REQUIRE(runs[0].layers.size() == 5);
  REQUIRE(runs[1].layers.size() == 5);
  CHECK(runs[0].layers[0].name == "big");
  CHECK(runs[0].layers[0].num_evals == 450);
  // Σλ is ‖W‖_F²: the eigenvalues' sum against the weights' own.
  double frobenius = 0;
  {
    stats::ElementReader reader(*model.tensors[0].tensor);
    std::vector<double> all(size_t(reader.numel()));
    const double* p = reader.read(0, reader.numel(), all.data());
    for (int64_t i = 0; i < reader.numel(); ++i) frobenius += p[i] * p[i];
  }
  CHECK(runs[1].layers[0].log_norm == Approx(std::log10(frobenius)).epsilon(1e-12));
  CHECK(runs[0].layers[4].name == "conv");
  CHECK(runs[0].layers[4].num_evals == 50 * 9);
  for (size_t i = 0; i < 5; ++i) {
    const HeavyTailLayer &a = runs[0].layers[i], &b = runs[1].layers[i];
    INFO(a.name);
    CHECK(a.alpha == b.alpha);
    CHECK(a.xmin == b.xmin);
    CHECK(a.D == b.D);
    CHECK(a.lambda_max == b.lambda_max);
    CHECK(a.sigma_mp == b.sigma_mp);
  }
}
