// The typed analysis pipeline (pipeline/analysis.h): analyze --inference takes
// the path of `ptscope profile`, fallback to a run on real data included; each
// number is computed once and every section reads the typed ones; the JSON
// document is written from the typed analysis only.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "core/weights.h"
#include "pipeline/analysis.h"
#include "report/analysis.h"
#include "test_paths.h"

using namespace ptscope;
using nlohmann::json;

namespace {

AnalysisOptions quick_options() {
  AnalysisOptions o;
  o.runs = 1;
  o.warmup = 0;
  o.threads = 1;
  o.histogram_bins = 8;
  return o;
}

}  // namespace

TEST_CASE("analyze --inference falls back to a run on real data as profile does", "[pipeline]") {
  // branchy_pos.pt branches on a tensor's value: no shape-only graph, but the executor can run it.
  const json golden = json::parse(test::read_bytes(test::fixture("exec/branchy_pos.json")));
  REQUIRE(golden["data_dependent"].get<bool>());
  auto model = load_model(test::fixture("exec/branchy_pos.pt"));
  AnalysisOptions o = quick_options();
  o.inference = true;
  o.graph.inputs.push_back(graph::parse_input_spec("2x6"));
  const Analysis a = run_analysis(*model, o);
  CHECK_FALSE(a.graph.available);
  CHECK(a.graph.data_dependent);
  REQUIRE(a.inference);
  CHECK(a.inference->executor_ran);
  REQUIRE_FALSE(a.inference->unavailable);
  const kernels::ProfileResult& r = a.inference->result;
  CHECK(r.data_dependent);
  // The branch it ran produced what torch's run on the same input shape produced.
  REQUIRE(r.output_shapes.size() == golden["outputs"].size());
  CHECK(r.output_shapes[0] == golden["outputs"][0]["shape"].get<std::vector<int64_t>>());
  CHECK_FALSE(r.nodes.empty());
  // No shape-only nodes to time, but the file's modules get the run's times.
  CHECK(a.nodes.empty());
  double sum = 0;
  for (const auto& n : r.nodes) sum += n.time_us_median;
  REQUIRE_FALSE(a.modules.empty());
  CHECK(a.modules[0].totals.path.empty());
  REQUIRE(a.modules[0].time_us);
  CHECK(*a.modules[0].time_us == Approx(sum).epsilon(1e-9));
  const json j = analysis_json(a);
  CHECK(j["inference"]["available"].get<bool>());
  CHECK(j["inference"]["data_dependent"].get<bool>());
  CHECK_FALSE(j["graph"]["available"].get<bool>());
}

TEST_CASE("analyze --inference without any graph says why", "[pipeline]") {
  auto model = load_model(test::fixture("models/mlp_state_dict.pth"));
  AnalysisOptions o = quick_options();
  o.inference = true;
  const Analysis a = run_analysis(*model, o);
  REQUIRE(a.inference);
  CHECK_FALSE(a.inference->executor_ran);
  REQUIRE(a.inference->unavailable);
  CHECK(a.inference->unavailable->rfind("no graph: ", 0) == 0);
  const json j = analysis_json(a);
  CHECK_FALSE(j["inference"]["available"].get<bool>());
  CHECK_FALSE(j["inference"].contains("device"));  // the schema's shape when nothing ran
}

TEST_CASE("typed analysis: one weights rule, roofline and times from the typed nodes", "[pipeline]") {
  auto model = load_model(test::fixture("exec/tiny_resnet_t2.pt"));
  AnalysisOptions o = quick_options();
  o.inference = true;
  const Analysis a = run_analysis(*model, o);
  REQUIRE(a.graph.available);
  REQUIRE_FALSE(a.nodes.empty());

  // The weight bytes of the summary, the memory section and the root module are the one rule's.
  const uint64_t weights = weight_totals(*model).weight_bytes();
  CHECK(a.summary.weight_bytes == weights);
  CHECK(a.memory.weights_bytes == weights);
  REQUIRE_FALSE(a.modules.empty());
  CHECK(a.modules[0].totals.path.empty());
  CHECK(a.modules[0].weight_bytes == weights);
  CHECK(a.memory.peak_bytes == weights + a.memory.activation_peak_bytes);

  // The roofline lists exactly the computing nodes, bound by the ridge point.
  size_t computing = 0;
  for (const NodeRow& n : a.nodes)
    if (n.cost.flops + n.cost.extended_flops > 0 && n.cost.bytes_read + n.cost.bytes_written > 0) ++computing;
  REQUIRE(a.roofline.nodes.size() == computing);
  for (const RooflineNode& r : a.roofline.nodes) {
    const NodeRow& n = a.nodes[r.index];
    CHECK(r.intensity == n.intensity);
    CHECK(r.memory_bound == (n.intensity < a.roofline.ridge_point));
  }

  // Executor times land on the typed nodes; the root module's time is their sum.
  REQUIRE(a.inference);
  REQUIRE_FALSE(a.inference->unavailable);
  double sum = 0;
  size_t timed = 0;
  for (const NodeRow& n : a.nodes)
    if (n.time_us) sum += *n.time_us, ++timed;
  CHECK(timed == a.inference->result.nodes.size());
  REQUIRE(a.modules[0].time_us);
  CHECK(*a.modules[0].time_us == Approx(sum).epsilon(1e-9));

  // The document carries the typed values.
  const json j = analysis_json(a);
  REQUIRE(j["nodes"].size() == a.nodes.size());
  CHECK(j["summary"]["weight_bytes"].get<uint64_t>() == weights);
  CHECK(j["roofline"]["nodes"].size() == computing);
  CHECK(j["recommendations"].size() == a.recommendations.size());
  CHECK(j["nodes"][0]["time_us"].get<double>() == *a.nodes[0].time_us);
}
