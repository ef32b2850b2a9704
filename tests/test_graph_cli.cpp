// `ptscope graph` end to end: JSON on stdout, one-line errors with exit status 2.
#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.h"
#include "test_paths.h"

namespace {

using Run = ptscope::test::CliResult;

Run run(const std::string& args, bool merge_stderr = false) { return ptscope::test::run_ptscope(args, merge_stderr); }

}  // namespace

TEST_CASE("ptscope graph --json", "[graph][cli]") {
  const std::string file = ptscope::test::fixture("graph/resnet18_scripted.pt");
  Run r = run("graph " + file + " --json --input 2x3x224x224");
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["schema"] == "ptscope.graph/1");
  CHECK(j["inputs"][0]["shape"] == std::vector<int64_t>{2, 3, 224, 224});
  CHECK(j["totals"]["macs"].get<double>() == 2 * 1'814'073'344.0);
  CHECK(j["architecture"]["kind"] == "CNN");

  Run text = run("graph " + file + " --batch 1");
  REQUIRE(text.status == 0);
  CHECK(text.out.find("Architecture: CNN") != std::string::npos);
  CHECK(text.out.find("1814073344") != std::string::npos);
}

TEST_CASE("ptscope graph errors are one line with exit status 2", "[graph][cli]") {
  Run dd = run("graph " + ptscope::test::fixture("models/scripted_with_constants.pt"), true);
  CHECK(dd.status == 2);
  CHECK(dd.out == "ptscope: error: data-dependent control flow at code/__torch__.py:14: bool() of a tensor; "
                  "run with an executor\n");
  Run nocode = run("graph " + ptscope::test::fixture("models/checkpoint.pth"), true);
  CHECK(nocode.status == 2);
  CHECK(nocode.out.rfind("ptscope: error: ", 0) == 0);
  CHECK(std::count(nocode.out.begin(), nocode.out.end(), '\n') == 1);
  Run bad = run("graph " + ptscope::test::fixture("graph/resnet18_scripted.pt") + " --input 1x3:nope", true);
  CHECK(bad.status != 0);
  CHECK(bad.out.find("unknown dtype 'nope'") != std::string::npos);
}
