// The executor against torch: every fixture of fixtures/exec (written by
// fixtures/make_exec_fixtures.py with torch 1.13 and 2.x) runs on ptscope's
// CPU backend with torch's input and must match torch's output within 1e-4
// relative L2. Also: data-dependent control flow through the data backend,
// the profile's JSON and memory numbers, and the CLI's errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "core/model.h"
#include "graph/input_inference.h"
#include "graph/memory_plan.h"
#include "kernels/data_backend.h"
#include "kernels/executor.h"
#include "kernels/graph_runner.h"
#include "kernels/cpu/scratch.h"
#include "kernels/profile.h"
#include "kernels/tensor_io.h"
#include "cli_run.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::kernels;

namespace {

struct Fixture {
  std::string name;
  nlohmann::json meta;
  std::string dir() const { return test::fixture("exec/"); }
  std::string pt() const { return dir() + name + ".pt"; }
  std::string in() const { return dir() + name + ".in.bin"; }
  std::string out() const { return dir() + name + ".out.bin"; }
};

Fixture load_fixture(const std::string& name) {
  Fixture f{name, {}};
  std::ifstream j(f.dir() + name + ".json");
  REQUIRE(j.good());
  f.meta = nlohmann::json::parse(j);
  return f;
}

// Graph options with one input of the given spec ("1x3x32x32", "4x8:int64").
graph::GraphOptions input_options(const std::string& spec) {
  graph::GraphOptions go;
  go.inputs.push_back(graph::parse_input_spec(spec));
  return go;
}

ProfileOptions options_for(const Fixture& f, const std::string& output_file) {
  ProfileOptions o;
  o.threads = 2;
  o.warmup = 0;
  o.repeat = 1;
  o.input_files = {f.in()};
  o.output_file = output_file;
  for (const auto& in : f.meta["inputs"]) {
    graph::InputSpec s;
    s.shape = in["shape"].get<std::vector<int64_t>>();
    s.dtype = dtype_from_name(in["dtype"].get<std::string>());
    o.graph.inputs.push_back(s);
  }
  return o;
}

// Relative L2 error of each float32 output, read back to back from two raw files.
std::vector<double> rel_l2(const Fixture& f, const std::string& got_path) {
  const std::string want = test::read_bytes(f.out()), got = test::read_bytes(got_path);
  REQUIRE(want.size() == got.size());
  std::vector<double> errs;
  size_t at = 0;
  for (const auto& o : f.meta["outputs"]) {
    REQUIRE(o["dtype"] == "float32");
    int64_t n = 1;
    for (int64_t d : o["shape"].get<std::vector<int64_t>>()) n *= d;
    const float* w = reinterpret_cast<const float*>(want.data() + at);
    const float* g = reinterpret_cast<const float*>(got.data() + at);
    double num = 0, den = 0;
    for (int64_t k = 0; k < n; ++k) {
      num += (double(g[k]) - w[k]) * (double(g[k]) - w[k]);
      den += double(w[k]) * w[k];
    }
    errs.push_back(std::sqrt(num / std::max(den, 1e-30)));
    at += size_t(n) * 4;
  }
  return errs;
}

std::string temp_path(const std::string& name) { return "/tmp/ptscope_exec_test_" + std::to_string(::getpid()) + "_" + name; }

}  // namespace

TEST_CASE("executor matches torch on every exec fixture", "[executor][parity]") {
  const char* names[] = {"tiny_resnet", "tiny_mobilenet", "tiny_encoder", "tiny_vit", "branchy_pos", "branchy_neg"};
  for (const char* base : names) {
    for (const char* suffix : {"", "_t2"}) {
      const std::string name = std::string(base) + suffix;
      SECTION(name) {
        Fixture f = load_fixture(name);
        auto model = load_model(f.pt());
        const std::string out = temp_path(name + ".out.bin");
        ProfileResult r = profile(*model, options_for(f, out));
        CHECK(r.data_dependent == f.meta["data_dependent"].get<bool>());
        REQUIRE(r.output_shapes.size() == f.meta["outputs"].size());
        for (const double e : rel_l2(f, out)) CHECK(e <= 1e-4);
        std::remove(out.c_str());
        // Memory: the plan's peak covers the largest node working set and the resident weights.
        CHECK(r.peak_bytes_planned >= r.resident_bytes);
        for (const auto& n : r.nodes) CHECK(n.live_bytes + r.resident_bytes <= r.peak_bytes_planned);
        // Workspaces: convolutions hold scratch (im2col columns or padded planes and packed
        // weights), activations hold none, and the plan's peak covers each node's scratch.
        bool conv_scratch = false;
        for (const auto& n : r.nodes) {
          CHECK(n.workspace_bytes + r.resident_bytes <= r.peak_bytes_planned);
          if (n.op.find("conv") != std::string::npos && n.workspace_bytes > 0) conv_scratch = true;
          if (n.op == "aten::relu" || n.op == "aten::relu_") CHECK(n.workspace_bytes == 0);
        }
        if (base == std::string("tiny_resnet") || base == std::string("tiny_mobilenet")) CHECK(conv_scratch);
        CHECK(r.peak_rss_bytes > 0);
      }
    }
  }
}

TEST_CASE("data-dependent forward: shape-only fails, the data run takes the input's branch", "[executor]") {
  Fixture f = load_fixture("branchy_pos");
  auto model = load_model(f.pt());
  const graph::GraphOptions go = input_options("2x6");
  CHECK_THROWS_WITH(graph::build_graph(*model, go), Catch::Contains("data-dependent"));

  auto backend = make_backend("cpu");
  for (const char* name : {"branchy_pos", "branchy_neg"}) {
    Fixture fx = load_fixture(name);
    DataBackend data(*backend, [&](const graph::Graph& g, int, int64_t) { return read_inputs(g, {fx.in()}).at(0); });
    graph::Graph g = build_graph_with_data(*model, go, data);
    bool has_relu = false, has_mul = false;
    int tanh_count = 0;
    for (const auto& n : g.nodes) {
      has_relu = has_relu || n.op == "aten::relu";
      has_mul = has_mul || n.op.rfind("aten::mul", 0) == 0;
      tanh_count += n.op == "aten::tanh";
    }
    INFO(name);
    // Positive inputs take the relu branch, negative ones the scaled one.
    CHECK(has_relu == (std::string(name) == "branchy_pos"));
    CHECK(has_mul == (std::string(name) == "branchy_neg"));
    // The loop count comes from x.abs().max().item().
    const std::string in = test::read_bytes(fx.in());
    float mx = 0;
    for (size_t k = 0; k < in.size() / 4; ++k) mx = std::max(mx, std::fabs(reinterpret_cast<const float*>(in.data())[k]));
    CHECK(tanh_count == int(mx * 2.0f) + 1);
  }
}

TEST_CASE("graph runner frees buffers and reports what aliased", "[executor]") {
  Fixture f = load_fixture("tiny_resnet");
  auto model = load_model(f.pt());
  graph::Graph g = graph::build_graph(*model, input_options("1x3x32x32"));
  auto backend = make_backend("cpu");
  GraphRunner runner(g, *backend);
  runner.set_inputs(read_inputs(g, {f.in()}));
  runner.run();
  auto first = runner.outputs();
  runner.run();  // a second run gives the same result (no state leaks between runs)
  auto second = runner.outputs();
  REQUIRE(first.size() == 1);
  const auto& a = first[0].tensor();
  const auto& b = second[0].tensor();
  CHECK(std::memcmp(a.data, b.data, size_t(a.numel()) * 4) == 0);
  // In-place relu_ outputs share their input's buffer.
  int inplace = 0;
  for (const auto& n : g.nodes)
    if (n.op == "aten::relu_") {
      CHECK(runner.observed_alias()[size_t(n.outputs[0])] >= 0);
      ++inplace;
    }
  CHECK(inplace > 0);
  // The allocator's peak stays within the liveness plan for activations (plus nothing else).
  graph::MemoryPlanOptions mo;
  mo.alias_of = runner.observed_alias();
  auto plan = graph::plan_memory(g, mo);
  CHECK(runner.peak_allocated_bytes() <= plan.peak_bytes - plan.resident_bytes + 64 * g.nodes.size());
}

TEST_CASE("random inputs give embedding inputs valid ids", "[executor]") {
  Fixture f = load_fixture("tiny_encoder");
  auto model = load_model(f.pt());
  graph::Graph g = graph::build_graph(*model, input_options("4x8:int64"));
  auto bounds = embedding_bounds(g);
  REQUIRE(bounds == std::vector<int64_t>{50});
  auto inputs = random_inputs(g, 7);
  const auto& t = inputs[0].tensor();
  int64_t mx = 0;
  for (int64_t k = 0; k < t.numel(); ++k) {
    CHECK(t.ptr<int64_t>()[k] >= 0);
    mx = std::max(mx, t.ptr<int64_t>()[k]);
  }
  CHECK(mx < 50);
  CHECK(mx > 0);
  // The same seed gives the same data.
  auto again = random_inputs(g, 7);
  CHECK(std::memcmp(again[0].tensor().data, t.data, size_t(t.numel()) * 8) == 0);
}

TEST_CASE("npy files round-trip", "[executor]") {
  TensorBuffer t = random_input({2, 3}, DType::float32, 3);
  const std::string p = temp_path("x.npy");
  write_npy(p, t.tensor());
  TensorBuffer back = read_npy(p);
  CHECK(back.tensor().shape == std::vector<int64_t>{2, 3});
  CHECK(std::memcmp(back.tensor().data, t.tensor().data, 24) == 0);
  std::remove(p.c_str());
}

namespace {
using CliRun = test::CliResult;
CliRun cli(const std::string& args) { return test::run_ptscope(args, /*merge_stderr=*/true); }
}  // namespace

TEST_CASE("ptscope profile --json", "[executor][cli]") {
  const std::string file = test::fixture("exec/tiny_vit.pt");
  CliRun r = cli("profile " + file + " --device cpu --threads 1 --warmup 1 --repeat 3 --json");
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["schema"] == "ptscope.profile/1");
  const auto& t = j["totals"];
  CHECK(t["latency_ms_median"].get<double>() > 0);
  CHECK(t["peak_bytes_planned"].get<uint64_t>() >= t["resident_bytes"].get<uint64_t>());
  CHECK(t["peak_rss_bytes"].get<uint64_t>() > 0);
  REQUIRE(!j["nodes"].empty());
  double share = 0;
  for (const auto& n : j["nodes"]) {
    CHECK(n.contains("time_us_median"));
    CHECK(n.contains("time_us_iqr"));
    CHECK(n.contains("gflops_achieved"));
    CHECK(n.contains("live_bytes"));
    CHECK(n.contains("workspace_bytes"));
    share += n["share"].get<double>();
  }
  CHECK(share == Approx(1.0).epsilon(1e-6));
  CHECK(!j["by_scope"].empty());
  CHECK(!j["by_category"].empty());
}

TEST_CASE("ptscope profile errors are one line", "[executor][cli]") {
  const std::string file = test::fixture("exec/tiny_vit.pt");
  if (!backend_built("cuda")) {
    CliRun r = cli("profile " + file + " --device cuda");
    CHECK(r.status == 2);
    CHECK(r.out.find("CUDA executor is not built") != std::string::npos);
  }
  CliRun bad = cli("profile " + file + " --device tpu");
  CHECK(bad.status == 64);
  CHECK(bad.out.find("unknown device") != std::string::npos);
  CliRun wrong = cli("profile " + file + " --input 1x3x16x16 --input-file " + test::fixture("exec/tiny_resnet.in.bin"));
  CHECK(wrong.status == 64);
  CHECK(wrong.out.find("bytes") != std::string::npos);
}

TEST_CASE("kernel scratch meter: peak of concurrently held scratch since the last reset", "[executor]") {
  scratch_reset();
  {
    ScratchFloats a(1000);
    {
      ScratchFloats b(500);
      const ScratchCharge c(96);
      CHECK(scratch_peak_bytes() == 1000 * 4 + 500 * 4 + 96);
    }
    ScratchFloats d(200);  // reuses what b and c gave back: the peak stays
    CHECK(scratch_peak_bytes() == 1000 * 4 + 500 * 4 + 96);
  }
  scratch_reset();
  CHECK(scratch_peak_bytes() == 0);
  // The CPU backend reports it per op: a 3x3 convolution holds scratch, a ReLU none.
  auto model = load_model(test::fixture("exec/tiny_resnet.pt"));
  ProfileOptions o;
  o.threads = 1;
  o.warmup = 0;
  o.repeat = 1;
  const ProfileResult r = profile(*model, o);
  uint64_t conv_ws = 0;
  for (const auto& n : r.nodes) {
    if (n.op.rfind("aten::conv", 0) == 0 || n.op.rfind("aten::_convolution", 0) == 0)
      conv_ws = std::max(conv_ws, n.workspace_bytes);
    if (n.op.rfind("aten::relu", 0) == 0) CHECK(n.workspace_bytes == 0);
  }
  CHECK(conv_ws > 0);
}
