// `ptscope analyze` / `ptscope sweep` and the analyses behind them: fits on
// known polynomials, fusion patterns against the fixtures' module structure,
// training-memory arithmetic, goldens of the Markdown and JSON reports
// (checked against torch's FLOPs and output shapes), the `ptscope FILE`
// shortcut and errors.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "graph/fusion.h"
#include "graph/input_inference.h"
#include "graph/training_memory.h"
#include "report/analysis.h"
#include "report/sweep.h"
#include "stats/fit.h"
#include "cli_run.h"
#include "test_paths.h"

using nlohmann::json;
using namespace ptscope;

namespace {

using Run = ptscope::test::CliResult;

Run run_cli(const std::string& args, const std::string& cwd = "", bool merge_stderr = false) {
  return ptscope::test::run_ptscope(args, merge_stderr, cwd);
}

json read_json(const std::string& path) {
  std::ifstream f(path);
  REQUIRE(f);
  return json::parse(f);
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

// Goldens are rewritten instead of compared when PTSCOPE_UPDATE_GOLDENS=1.
bool updating() {
  const char* e = std::getenv("PTSCOPE_UPDATE_GOLDENS");
  return e && std::string(e) == "1";
}

// Numbers compare with a relative tolerance (statistics are summed in parallel).
void compare_json(const json& got, const json& want, const std::string& where) {
  if (want.is_number() && got.is_number()) {
    const double a = got.get<double>(), b = want.get<double>();
    INFO(where << ": " << a << " vs " << b);
    CHECK(std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)));
    return;
  }
  INFO(where);
  REQUIRE(got.type() == want.type());
  if (want.is_object()) {
    std::set<std::string> gk, wk;
    for (auto it = got.begin(); it != got.end(); ++it) gk.insert(it.key());
    for (auto it = want.begin(); it != want.end(); ++it) wk.insert(it.key());
    REQUIRE(gk == wk);
    for (const auto& k : wk) compare_json(got[k], want[k], where + "." + k);
  } else if (want.is_array()) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) compare_json(got[i], want[i], where + "[" + std::to_string(i) + "]");
  } else {
    CHECK(got == want);
  }
}

const std::string kFixedPeaks = " --peak-gflops 1000 --peak-bandwidth 50";

// The models whose analysis has goldens (tests/data/analysis/NAME.golden.*).
const std::string kGoldenModels[] = {"resnet18_scripted", "transformer_scripted"};
std::string graph_fixture(const std::string& name) { return ptscope::test::fixture("graph/" + name + ".pt"); }

// `analyze` of fixtures/graph/NAME.pt with the fixed peaks, checked to succeed.
Run analyze_graph_fixture(const std::string& name, const std::string& options) {
  Run r = run_cli("analyze " + graph_fixture(name) + " " + options + " --no-save" + kFixedPeaks);
  REQUIRE(r.status == 0);
  return r;
}

std::unique_ptr<Model> fixture_model(const std::string& rel) { return load_model(ptscope::test::fixture(rel)); }

}  // namespace

// ---------------------------------------------------------------- fits

TEST_CASE("polynomial fits recover known polynomials", "[analysis][fit]") {
  std::vector<double> x = {1, 2, 4, 8, 16}, lin, quad;
  for (double v : x) {
    lin.push_back(3 + 2 * v);
    quad.push_back(1 + 0.5 * v + 0.25 * v * v);
  }
  const PolyFit l = fit_polynomial(x, lin, 1, "batch");
  REQUIRE(l.ok);
  CHECK(l.coefficients[0] == Approx(3).epsilon(1e-12));
  CHECK(l.coefficients[1] == Approx(2).epsilon(1e-12));
  CHECK(l.r2 == Approx(1).epsilon(1e-12));
  CHECK(l.equation == "y = 3 + 2*batch");
  CHECK(dominant_term(fit_polynomial(x, lin, 2, "batch"), 16, "batch") == "linear in batch");

  const PolyFit q = fit_polynomial(x, quad, 2, "seq");
  REQUIRE(q.ok);
  CHECK(q.coefficients[0] == Approx(1).epsilon(1e-9));
  CHECK(q.coefficients[1] == Approx(0.5).epsilon(1e-9));
  CHECK(q.coefficients[2] == Approx(0.25).epsilon(1e-9));
  CHECK(q.r2 == Approx(1).epsilon(1e-12));
  CHECK(dominant_term(q, 16, "seq") == "quadratic in seq");
  // A line cannot explain the parabola.
  const PolyFit lq = fit_polynomial(x, quad, 1, "seq");
  CHECK(lq.r2 < 0.99);
  CHECK(lq.r2 > 0.5);

  // Large sequence lengths stay well conditioned (x up to 32768, x² ~ 1e9).
  std::vector<double> xs = {512, 1024, 4096, 16384, 32768}, ys;
  for (double v : xs) ys.push_back(7e6 + 1e4 * v + 3 * v * v);
  const PolyFit big = fit_polynomial(xs, ys, 2, "seq");
  CHECK(big.coefficients[2] == Approx(3).epsilon(1e-9));
  CHECK(big.coefficients[0] == Approx(7e6).epsilon(1e-6));

  // Noisy data: R² is 1 − SS_res/SS_tot of the fitted line, recomputed here.
  std::vector<double> yn = {2.9, 5.2, 8.8, 17.1, 33.0};
  const PolyFit n = fit_polynomial(x, yn, 1);
  double mean = 0, ss_tot = 0, ss_res = 0;
  for (double v : yn) mean += v / 5;
  for (size_t i = 0; i < 5; ++i) {
    ss_tot += (yn[i] - mean) * (yn[i] - mean);
    const double e = yn[i] - n.coefficients[0] - n.coefficients[1] * x[i];
    ss_res += e * e;
  }
  CHECK(n.r2 == Approx(1 - ss_res / ss_tot).epsilon(1e-12));
  CHECK(n.r2 < 1);

  // Too few distinct points for the degree.
  CHECK_FALSE(fit_polynomial({1, 2}, {1, 2}, 2).ok);
  CHECK_FALSE(fit_polynomial({3, 3, 3}, {1, 2, 3}, 1).ok);
  CHECK(dominant_term(fit_polynomial({1, 2, 3}, {5, 5, 5}, 2), 3, "batch") == "constant");
}

// ---------------------------------------------------------------- fusions

TEST_CASE("fusion patterns match the fixtures' module structure", "[analysis][fusion]") {
  SECTION("resnet18: every conv is followed by its bn; relu directly after bn1 of each block and the stem") {
    auto model = fixture_model("graph/resnet18_scripted.pt");
    const graph::Graph g = graph::build_graph(*model);
    const auto fusions = graph::find_fusions(g);
    // torch's module structure (the golden's forward hooks): convs and BasicBlocks.
    const json golden = read_json(ptscope::test::fixture("graph/resnet18_scripted.pt.golden.json"));
    int convs = 0, blocks = 0;
    for (auto it = golden["modules"].begin(); it != golden["modules"].end(); ++it) {
      const std::string path = it.key();
      const std::string leaf = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
      if (leaf.rfind("conv", 0) == 0 || path.find("downsample.0") != std::string::npos) ++convs;
      if (std::regex_match(path, std::regex(R"(layer\d\.\d)"))) ++blocks;
    }
    REQUIRE(convs == 20);
    REQUIRE(blocks == 8);
    std::map<std::string, int> by;
    std::set<int> seen;
    for (const auto& f : fusions) {
      ++by[f.pattern];
      for (int n : f.nodes) CHECK(seen.insert(n).second);  // no node in two fusions
    }
    // BasicBlock: conv1 → bn1 → relu, conv2 → bn2 → (+ identity) → relu; the stem conv1 → bn1 → relu.
    CHECK(by["conv+bn+relu"] == blocks + 1);
    CHECK(by["conv+bn"] == convs - (blocks + 1));
    CHECK(by.size() == 2);
    for (const auto& f : fusions) {
      if (f.pattern != "conv+bn+relu") continue;
      CHECK(g.nodes[size_t(f.nodes[0])].op.find("conv") != std::string::npos);
      CHECK(g.nodes[size_t(f.nodes[1])].op.find("batch_norm") != std::string::npos);
      CHECK(g.nodes[size_t(f.nodes[2])].op.find("relu") != std::string::npos);
      // The conv's and the bn's outputs are written and read once each.
      const uint64_t expect = 2 * g.values[size_t(g.nodes[size_t(f.nodes[0])].outputs[0])].meta.nbytes() +
                              2 * g.values[size_t(g.nodes[size_t(f.nodes[1])].outputs[0])].meta.nbytes();
      CHECK(f.saved_bytes == expect);
    }
  }
  SECTION("transformer: one attention per encoder layer with its in-projection, linear1 + gelu") {
    auto model = fixture_model("graph/transformer_scripted.pt");
    const graph::Graph g = graph::build_graph(*model);
    const auto fusions = graph::find_fusions(g);
    const json golden = read_json(ptscope::test::fixture("graph/transformer_scripted.pt.golden.json"));
    int layers = 0;
    for (auto it = golden["modules"].begin(); it != golden["modules"].end(); ++it)
      layers += std::regex_match(it.key(), std::regex(R"(encoder\.layers\.\d+)"));
    REQUIRE(layers == 2);
    int attention = 0, dense_act = 0;
    for (const auto& f : fusions) {
      if (f.pattern == "attention") {
        ++attention;
        CHECK(f.scope.find("self_attn") != std::string::npos);
        REQUIRE(f.projections.size() == 1);  // nn.MultiheadAttention packs q, k, v in one in_proj
        CHECK(g.nodes[size_t(f.projections[0])].op == "aten::linear");
        // score bmm, softmax, value bmm
        CHECK(g.nodes[size_t(f.nodes.front())].op == "aten::bmm");
        CHECK(g.nodes[size_t(f.nodes.back())].op == "aten::bmm");
      }
      if (f.pattern == "linear+activation") {
        ++dense_act;
        CHECK(g.nodes[size_t(f.nodes[1])].op == "aten::gelu");
      }
    }
    CHECK(attention == layers);
    CHECK(dense_act == layers);
  }
}

// ---------------------------------------------------------------- training memory

TEST_CASE("training memory: weights, gradients, optimizer state and saved activations add up", "[analysis][training]") {
  auto model = fixture_model("graph/transformer_scripted.pt");
  const graph::Graph g = graph::build_graph(*model);
  const auto t = graph::estimate_training_memory(*model, &g);
  const uint64_t w = uint64_t(model->n_parameter_elements()) * 4;  // float32 parameters
  CHECK(t.weight_bytes == w);
  CHECK(t.sgd.optimizer_state == 0);
  CHECK(t.sgd_momentum.optimizer_state == w);
  CHECK(t.adam.optimizer_state == 2 * w);
  // Forward: nothing is saved before the first node (the 1×128 int64 input is
  // kept by the embedding that reads it), activations only grow, no gradients.
  REQUIRE(t.timeline.size() == 2 * g.nodes.size() + 1);
  CHECK(t.boundary == int(g.nodes.size()));
  CHECK(t.timeline[0].activations == 0);
  CHECK(t.saved_activation_bytes >= 128 * 8);
  uint64_t max_dynamic = 0;
  for (size_t i = 0; i < t.timeline.size(); ++i) {
    const auto& p = t.timeline[i];
    max_dynamic = std::max(max_dynamic, p.gradients + p.activations);
    CHECK(p.backward == (int(i) > t.boundary));
    if (i == 0) continue;
    const auto& prev = t.timeline[i - 1];
    if (!p.backward) {
      CHECK(p.gradients == 0);
      CHECK(p.activations >= prev.activations);
    } else {
      CHECK(p.gradients >= prev.gradients);
      CHECK(p.activations <= prev.activations);
    }
  }
  CHECK(t.timeline[size_t(t.boundary)].activations == t.saved_activation_bytes);
  CHECK(t.timeline.back().activations == 0);
  CHECK(t.timeline.back().gradients == w);  // every parameter is used by the forward
  CHECK(t.adam.peak == w + 2 * w + max_dynamic);
  CHECK(t.sgd.peak == w + max_dynamic);
  CHECK(t.adam.peak - t.sgd_momentum.peak == w);

  // Without a graph only weights, gradients and state are known.
  const auto s = graph::estimate_training_memory(*model, nullptr);
  CHECK(s.saved_activation_bytes == 0);
  CHECK(s.adam.peak == 3 * w);
}

// ---------------------------------------------------------------- reports

TEST_CASE("analysis JSON agrees with torch and with its goldens", "[analysis][golden]") {
  for (const std::string& name : kGoldenModels) {
    DYNAMIC_SECTION(name) {
      const json a = json::parse(analyze_graph_fixture(name, "--format json --bins 8").out);
      CHECK(a["schema"] == "ptscope.analysis/1");
      // Torch-derived numbers (fixture goldens: FlopCounterMode and forward hooks).
      const json torch = read_json(graph_fixture(name) + ".golden.json");
      CHECK(a["summary"]["flops"].get<double>() == torch["flop_counter"]["flops"].get<double>());
      CHECK(a["summary"]["macs"].get<double>() == torch["flop_counter"]["macs"].get<double>());
      CHECK(a["summary"]["outputs"][0]["shape"] == torch["output_shape"]);
      CHECK(a["summary"]["inputs"][0]["shape"] == torch["inputs"][0]["shape"]);
      int matched = 0;
      for (const auto& m : a["modules"]) {
        const std::string path = m["path"];
        if (!torch["modules"].contains(path)) continue;
        CHECK(m["output_shapes"] == torch["modules"][path]);
        ++matched;
      }
      CHECK(matched == int(torch["modules"].size()));
      // Internal consistency.
      CHECK(a["memory"]["peak_bytes"].get<uint64_t>() ==
            a["memory"]["weights_bytes"].get<uint64_t>() + a["memory"]["activation_peak_bytes"].get<uint64_t>());
      uint64_t timeline_max = 0;
      for (const auto& p : a["memory"]["timeline"]) timeline_max = std::max(timeline_max, p["live_bytes"].get<uint64_t>());
      CHECK(timeline_max == a["memory"]["activation_peak_bytes"].get<uint64_t>());
      double cat_flops = 0;
      for (const auto& c : a["categories"]) cat_flops += c["flops"].get<double>();
      CHECK(cat_flops == a["summary"]["flops"].get<double>());
      CHECK(a["roofline"]["ridge_point"].get<double>() == 20.0);  // 1000 GFLOP/s / 50 GB/s
      CHECK(a["system"]["cpu"]["threads"].get<int>() >= 1);
      CHECK(a["system"]["energy"].contains("source"));
      CHECK(!a["recommendations"].empty());
      // The golden (volatile fields normalised).
      const std::string golden = ptscope::test::source_dir() + "/tests/data/analysis/" + name + ".golden.json";
      const json got = normalize_volatile(a);
      if (updating()) {
        std::ofstream(golden) << got.dump(1) << "\n";
      } else {
        compare_json(got, read_json(golden), name);
      }
    }
  }
}

TEST_CASE("analysis Markdown matches its goldens", "[analysis][golden]") {
  for (const std::string& name : kGoldenModels) {
    DYNAMIC_SECTION(name) {
      const std::string md =
          replace_all(analyze_graph_fixture(name, "--format md").out, ptscope::test::source_dir() + "/", "");
      CHECK(md.find("# ptscope analysis: fixtures/graph/" + name + ".pt") == 0);
      CHECK(md.find("## System") == std::string::npos);  // no machine numbers in a PR comment
      const std::string golden = ptscope::test::source_dir() + "/tests/data/analysis/" + name + ".golden.md";
      if (updating()) std::ofstream(golden, std::ios::binary) << md;
      else CHECK(md == read_text(golden));
    }
  }
}

TEST_CASE("ptscope FILE is ptscope analyze FILE and saves the text report", "[analysis][cli]") {
  const std::string file = ptscope::test::fixture("graph/transformer_scripted.pt");
  const auto dir = std::filesystem::temp_directory_path() / ("ptscope_analysis_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Run shortcut = run_cli(file + kFixedPeaks, dir.string());
  REQUIRE(shortcut.status == 0);
  const std::string saved = read_text((dir / "comprehensive_model_analysis.txt").string());
  CHECK(saved == shortcut.out);
  for (const char* heading : {"1. Architecture", "2. Parameter analysis", "3. Computational analysis",
                              "4. Memory (inference)", "5. Training memory (estimate)", "6. Recommendations", "System"})
    CHECK(shortcut.out.find(heading) != std::string::npos);
  CHECK(shortcut.out.find("transformer encoder") != std::string::npos);
  // The same document both ways.
  Run a = run_cli("analyze " + file + " --format json --no-save" + kFixedPeaks, dir.string());
  Run b = run_cli(file + " --format json --no-save" + kFixedPeaks, dir.string());
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  CHECK(normalize_volatile(json::parse(a.out)) == normalize_volatile(json::parse(b.out)));
  // -o writes the file instead of stdout.
  Run o = run_cli(file + " --format md --no-save -o report.md" + kFixedPeaks, dir.string());
  CHECK(o.status == 0);
  CHECK(o.out.empty());
  CHECK(read_text((dir / "report.md").string()).rfind("# ptscope analysis", 0) == 0);
  // --plots DIR writes every plot as an SVG file.
  Run p = run_cli(file + " --no-save --plots figs" + kFixedPeaks, dir.string());
  CHECK(p.status == 0);
  for (const char* plot : {"roofline", "memory_timeline", "flop_distribution", "training_memory", "weight_histograms"}) {
    const std::string svg = read_text((dir / "figs" / (std::string(plot) + ".svg")).string());
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(svg.find("</svg>") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("analysis of a state_dict explains the missing graph; bad input fails cleanly", "[analysis][cli]") {
  Run sd = run_cli("analyze " + ptscope::test::fixture("models/mlp_state_dict.pth") + " --format json --no-save");
  REQUIRE(sd.status == 0);
  const json a = json::parse(sd.out);
  CHECK(a["graph"]["available"] == false);
  CHECK(a["graph"]["reason"].get<std::string>().find("TorchScript") != std::string::npos);
  CHECK(a["memory"]["available"] == false);
  CHECK(a["memory"]["weights_bytes"].get<uint64_t>() > 0);
  CHECK(a["parameters"]["tensors"].size() > 0);
  CHECK(a["summary"]["params"].get<int64_t>() > 0);
  CHECK(a["training_memory"]["optimizers"]["adam"]["optimizer_state"].get<uint64_t>() ==
        2 * a["training_memory"]["optimizers"]["adam"]["weights"].get<uint64_t>());

  Run missing = run_cli("analyze /nonexistent/model.pt --no-save", "", true);
  CHECK(missing.status == 2);
  CHECK(missing.out.rfind("ptscope: error:", 0) == 0);
  const auto junk = std::filesystem::temp_directory_path() / ("ptscope_junk_" + std::to_string(::getpid()) + ".pt");
  std::ofstream(junk) << "not a model at all";
  Run bad = run_cli(junk.string() + " --no-save", "", true);
  CHECK(bad.status == 2);
  CHECK(bad.out.find("ptscope: error:") != std::string::npos);
  std::filesystem::remove(junk);
  Run format = run_cli("analyze " + ptscope::test::fixture("graph/cnn_scripted.pt") + " --format pdf --no-save");
  CHECK(format.status == 64);
  Run sweep = run_cli("sweep " + ptscope::test::fixture("graph/cnn_scripted.pt"), "", true);
  CHECK(sweep.status == 64);
  CHECK(sweep.out.find("--batch") != std::string::npos);
}

// ---------------------------------------------------------------- sweeps

TEST_CASE("sweep: FLOPs linear in batch, attention quadratic in sequence length", "[analysis][sweep]") {
  SECTION("resnet18 batch") {
    auto model = fixture_model("graph/resnet18_scripted.pt");
    const SweepResult r = run_sweep(*model, {}, SweepRequest{{1, 2, 4}, {}, false});
    const json torch = read_json(ptscope::test::fixture("graph/resnet18_scripted.pt.golden.json"));
    REQUIRE(r.points.size() == 3);
    for (const auto& p : r.points) {
      CHECK(p.error.empty());
      CHECK(p.flops == double(p.batch) * torch["flop_counter"]["flops"].get<double>());
      CHECK(p.memory_bytes == p.weights_bytes + p.activation_peak_bytes);
    }
    const auto& f = r.fits[0];
    CHECK(f.metric == "flops");
    CHECK(f.variable == "batch");
    CHECK(f.best == "linear");
    CHECK(f.dominant == "linear in batch");
    CHECK(f.linear.r2 == Approx(1).epsilon(1e-12));
    CHECK(f.linear.coefficients[1] == Approx(torch["flop_counter"]["flops"].get<double>()).epsilon(1e-9));
  }
  SECTION("transformer sequence length (CLI, JSON)") {
    Run r = run_cli("sweep " + ptscope::test::fixture("graph/seq2seq_scripted.pt") + " --seq 16,32,64,128 --json");
    REQUIRE(r.status == 0);
    const json s = json::parse(r.out);
    CHECK(s["axes"] == json::array({"seq"}));
    REQUIRE(s["points"].size() == 4);
    bool found = false;
    for (const auto& f : s["fits"])
      if (f["metric"] == "flops") {
        found = true;
        CHECK(f["best"] == "quadratic");
        CHECK(f["quadratic"]["r2"].get<double>() == Approx(1).epsilon(1e-9));
        CHECK(f["quadratic"]["c"].get<double>() > 0);
      }
    CHECK(found);
    // --plots DIR: only the sweep's plots, the sequence curve among them.
    const auto dir = std::filesystem::temp_directory_path() / ("ptscope_sweep_plots_" + std::to_string(::getpid()));
    Run p = run_cli("sweep " + ptscope::test::fixture("graph/seq2seq_scripted.pt") + " --seq 16,32,64 --plots " +
                    dir.string());
    CHECK(p.status == 0);
    CHECK(read_text((dir / "sequence_curve.svg").string()).find("<svg") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "roofline.svg"));
    std::filesystem::remove_all(dir);
  }
}
