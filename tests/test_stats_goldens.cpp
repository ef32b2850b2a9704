// ptscope stats against torch in float64 (fixtures/stats/*.stats.json, written
// by fixtures/make_stats_goldens.py): moments to 1e-9 relative, spectral norm
// to 1e-5 relative, SQNR to 0.01 dB, histogram counts exactly.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "stats/model_stats.h"
#include "cli_run.h"
#include "isa_paths.h"
#include "test_paths.h"

using namespace ptscope;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<fs::path> stats_goldens() {
  std::vector<fs::path> out;
  for (const auto& name : test::fixture_names("stats", ".stats.json")) out.push_back(test::fixture("stats/" + name));
  return out;
}

double value(const json& v) {
  if (v.is_string()) {
    const std::string s = v;
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
    return NAN;
  }
  return v.get<double>();
}

// Relative, with an absolute floor `scale` for quantities that may sit at 0.
bool close(double got, double want, double rel, double scale = 0) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= rel * std::max({std::fabs(want), std::fabs(got), scale});
}

// Runs a shell command, returns stdout (and stderr when merged by the caller) and the exit status.
std::string run(const std::string& cmd, int& status) {
  ptscope::test::CliResult r = ptscope::test::run_shell(cmd);
  status = r.status;
  return r.out;
}

bool close_db(double got, double want) {
  // Lossless up to the last bit: exact (+inf) on one side may be 300+ dB on the
  // other, depending on how w/s·s rounds. Both count as lossless above 200 dB.
  if (want > 200 && got > 200) return true;
  if (std::isinf(want) || std::isnan(want)) return got == want || (std::isnan(got) && std::isnan(want));
  return std::fabs(got - want) <= 0.01;
}

}  // namespace

TEST_CASE("stats goldens exist", "[stats][golden]") { REQUIRE(stats_goldens().size() >= 10); }

TEST_CASE("stats match torch float64 goldens for every fixture", "[stats][golden]") {
  // On every ISA path this CPU runs: the AVX-512 and AVX2 paths take the fused
  // passes (pass1_fused.cpp, pass2_fused.cpp), the generic path the portable loops.
  const Isa isa = GENERATE(from_range(test::isa_paths()));
  test::IsaScope isa_scope(isa);
  INFO("isa " << isa_name(isa));
  for (const auto& path : stats_goldens()) {
    std::ifstream in(path);
    const json golden = json::parse(in);
    const std::string file = test::fixture("models/" + golden["file"].get<std::string>());
    INFO("fixture " << file);
    std::unique_ptr<Model> model;
    REQUIRE_NOTHROW(model = load_model(file));
    ModelStatsOptions options;
    options.stats.bins = golden["bins"].get<int>();
    options.stats.compression = false;
    const ModelStats ms = compute_model_stats(*model, options);
    std::map<std::string, const TensorStats*> ours;
    for (const auto& t : ms.tensors) ours.emplace(t.name, &t);
    // A tied tensor (the same storage region as an earlier one) is computed
    // once: its statistics are those of the tensor it is tied to.
    for (const auto& [name, target] : ms.tied)
      if (auto it = ours.find(target); it != ours.end()) ours.emplace(name, it->second);

    for (const json& g : golden["tensors"]) {
      const std::string name = g["name"];
      INFO("tensor '" << name << "'");
      auto it = ours.find(name);
      REQUIRE(it != ours.end());
      const TensorStats& s = *it->second;
      REQUIRE(s.computed);
      CHECK(s.numel == g["numel"].get<int64_t>());
      CHECK(s.count == g["count"].get<int64_t>());
      CHECK(s.nan_count == g["nan"].get<int64_t>());
      CHECK(s.posinf_count == g["posinf"].get<int64_t>());
      CHECK(s.neginf_count == g["neginf"].get<int64_t>());
      CHECK(s.zeros == g["zeros"].get<int64_t>());
      if (s.count == 0) continue;
      const double scale = value(g["rms"]);  // floor for quantities near 0 (the mean)
      CHECK(close(s.mean, value(g["mean"]), 1e-9, scale));
      CHECK(close(s.std, value(g["std"]), 1e-9));
      CHECK(close(s.std_unbiased, value(g["std_unbiased"]), 1e-9));
      CHECK(s.min == value(g["min"]));
      CHECK(s.max == value(g["max"]));
      CHECK(s.absmax == value(g["absmax"]));
      CHECK(close(s.l1, value(g["l1"]), 1e-9));
      CHECK(close(s.l2, value(g["l2"]), 1e-9));
      CHECK(close(s.rms, value(g["rms"]), 1e-9));
      CHECK(close(s.skewness, value(g["skewness"]), 1e-9, 1e-6));
      CHECK(close(s.kurtosis, value(g["kurtosis"]), 1e-9, 1e-6));
      CHECK(s.near_zero == g["near_zero"].get<int64_t>());
      CHECK(s.histogram.counts == g["histogram_counts"].get<std::vector<int64_t>>());
      CHECK(close(s.histogram.entropy_bits, value(g["entropy_bits"]), 1e-9, 1e-12));

      const QuantStats& q = s.quant;
      CHECK(close_db(q.sqnr_int8_tensor_db, value(g["sqnr_int8_tensor_db"])));
      CHECK(close_db(q.sqnr_int8_channel_db, value(g["sqnr_int8_channel_db"])));
      CHECK(close_db(q.sqnr_int4_tensor_db, value(g["sqnr_int4_tensor_db"])));
      CHECK(close_db(q.sqnr_int4_channel_db, value(g["sqnr_int4_channel_db"])));
      CHECK(close_db(q.sqnr_int4_group_db, value(g["sqnr_int4_group_db"])));
      CHECK(close_db(q.sqnr_fp16_db, value(g["sqnr_fp16_db"])));
      CHECK(close_db(q.sqnr_bf16_db, value(g["sqnr_bf16_db"])));
      CHECK(q.fp16_overflow == g["fp16_overflow"].get<int64_t>());
      CHECK(q.fp16_flush_to_zero == g["fp16_flush_to_zero"].get<int64_t>());
      CHECK(close(q.outlier_ratio, value(g["outlier_ratio"]), 1e-9));

      const PruneStats& p = s.prune;
      for (size_t k = 0; k < 3; ++k) {
        CHECK(close(p.below_k_sigma[k], value(g["below_k_sigma"][k]), 1e-12));
        CHECK(close(p.energy_kept[k], value(g["energy_kept"][k]), 1e-9, 1e-12));
        CHECK(p.magnitude_threshold[k] == value(g["magnitude_threshold"][k]));
      }
      if (g.contains("channels")) {
        CHECK(p.channels == g["channels"].get<int64_t>());
        CHECK(p.dead_channels == g["dead_channels"].get<int64_t>());
        CHECK(p.near_dead_channels == g["near_dead_channels"].get<int64_t>());
        CHECK(close(p.channel_l2_median, value(g["channel_l2_median"]), 1e-9));
        CHECK(close(p.channel_l2_max, value(g["channel_l2_max"]), 1e-9));
      }
      if (g.contains("spectral_norm")) {
        INFO("spectral method " << s.spectral.method);
        CHECK(close(s.spectral.sigma_max, value(g["spectral_norm"]), 1e-5));
        CHECK(close(s.spectral.stable_rank, value(g["stable_rank"]), 1e-5));
      } else {
        CHECK(s.spectral.method == "none");
      }
    }
  }
}

TEST_CASE("ptscope stats command line", "[stats][cli]") {
  const std::string exe = test::cli_binary();
  const std::string file = test::fixture("models/mlp_state_dict.pth");
  int status = -1;
  const std::string out = run(exe + " stats '" + file + "' --json --no-compress --top 2 2>/dev/null", status);
  REQUIRE(status == 0);
  const json j = json::parse(out);
  CHECK(j["schema"] == "ptscope.stats/1");
  CHECK(j["tensors"].size() == 8);
  CHECK(j["most_sensitive"].size() == 2);
  CHECK(j["tensors"][0]["name"] == "fc1.weight");
  CHECK(j["tensors"][0]["spectral_method"] == "svd");

  const std::string text = run(exe + " stats '" + file + "' --filter '^fc1' --bins 16 2>&1", status);
  CHECK(status == 0);
  CHECK(text.find("fc1.weight") != std::string::npos);
  CHECK(text.find("fc2.weight") == std::string::npos);
  CHECK(text.find("Recommendations") != std::string::npos);

  const std::string missing = run(exe + " stats /nonexistent/model.pt 2>&1", status);
  CHECK(status == 2);
  CHECK(missing.rfind("ptscope: error: ", 0) == 0);
  run(exe + " stats '" + file + "' --filter '(' 2>&1", status);
  CHECK(status == 64);  // a usage error
  run(exe + " stats '" + file + "' --bins 0 2>&1", status);
  CHECK(status != 0);
}
