// Recommendations that know what the weights already are: an int8 model is not
// told to go channels_last, fp16 or to quantize again (report/analysis_recommend.cpp,
// stats/model_stats.cpp); its float counterpart is.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_run.h"

namespace {

nlohmann::json analyze(const std::string& rel) {
  const auto r = ptscope::test::run_ptscope(
      "analyze '" + ptscope::test::fixture(rel) + "' --format json --no-save -o /dev/stdout", false);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

std::string all_messages(const nlohmann::json& a) {
  std::string s;
  for (const auto& r : a["recommendations"]) s += r["kind"].get<std::string>() + ": " + r["message"].get<std::string>() + "\n";
  return s;
}

}  // namespace

TEST_CASE("recommendations know an int8 model is already int8", "[analysis][recommend-aware]") {
  const auto q = analyze("packed/quant_cnn_scripted.pt");
  const std::string text = all_messages(q);
  INFO(text);
  CHECK(text.find("channels_last") == std::string::npos);
  CHECK(text.find("store activations in 16 bits") == std::string::npos);
  CHECK(text.find("already compact: qint8: 4 tensors, 576 elements") != std::string::npos);
  CHECK(text.find("Rule: int4") == std::string::npos);
  // The parameters (inside the packed params) are all counted.
  CHECK(q["summary"]["params"] == 618);
}

TEST_CASE("recommendations for a float CNN still suggest channels_last and quantization", "[analysis][recommend-aware]") {
  const std::string text = all_messages(analyze("arch/resnet_small.pt"));
  INFO(text);
  CHECK(text.find("channels_last") != std::string::npos);
  CHECK(text.find("already compact") == std::string::npos);
}

TEST_CASE("recommendations report an already pruned layer instead of pruning it again", "[analysis][recommend-aware]") {
  const auto a = analyze("packed/pruned_mlp.pt");
  const std::string text = all_messages(a);
  INFO(text);
  CHECK(text.find("pruned: 1 layer(s) are already at least 50% zeros (pruned): fc1.weight") != std::string::npos);
  // 50% pruning is not proposed for fc1 again (it may still be for fc2).
  for (const auto& r : a["recommendations"])
    if (r["kind"] == "prune-unstructured" && r["message"].get<std::string>().find("50%") == 0)
      CHECK(r["message"].get<std::string>().find("fc1.weight") == std::string::npos);
}
