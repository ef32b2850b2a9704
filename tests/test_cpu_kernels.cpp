// CPU kernels against torch (fixtures/kernels/, written by
// fixtures/make_kernel_goldens.py): every case regenerates its inputs from
// their specs, runs the kernel registered under the op's full name, and
// compares each output — float outputs to 1e-4 relative L2, integer and
// bool outputs exactly — and that views alias their input exactly when
// torch's do. The whole set runs single-threaded and again on 3 threads with
// every parallel path forced on.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "isa_paths.h"
#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/parallel.h"
#include "kernel_golden_cases.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::kernels;
using nlohmann::json;
namespace goldens = ptscope::test::goldens;

namespace {

// Does t's memory lie inside one of the input buffers?
bool aliases(const CpuTensor& t, const goldens::Inputs& inputs) {
  for (const TensorBuffer& b : inputs.buffers) {
    const char* lo = static_cast<const char*>(b.tensor().data);
    const char* hi = lo + b.tensor().numel() * int64_t(b.tensor().itemsize());
    const char* p = static_cast<const char*>(t.data);
    if (p >= lo && p < hi) return true;
  }
  return false;
}

struct RunResult {
  int cases = 0, failures = 0;
  double max_err = 0;
  std::string worst;
};

RunResult run_all() {
  RunResult rr;
  const goldens::Goldens& g = goldens::load();
  for (size_t ci = 0; ci < g.cases.size(); ++ci) {
    const json& c = g.cases[ci];
    const std::string op = c["op"];
    const std::string label = "case " + std::to_string(ci) + " " + op + (c["note"].get<std::string>().empty() ? "" : " (" + c["note"].get<std::string>() + ")");
    INFO(label);
    const CpuKernel* k = find_cpu_kernel(op);
    CHECK(k != nullptr);
    if (!k) {
      ++rr.failures;
      continue;
    }
    goldens::Inputs inputs;
    std::vector<TensorBuffer> allocated;
    KernelCall call;
    for (const json& a : c["args"]) call.args.push_back(inputs.arg(a));
    for (const json& o : c["outputs"]) {
      CpuTensor t;
      t.shape = o["shape"].get<Shape>();
      t.strides = contiguous_strides(t.shape);
      t.dtype = goldens::torch_dtype(o);
      if (k->outputs == OutputMode::preallocated) {
        allocated.emplace_back(t.shape, t.dtype);
        std::memset(allocated.back().tensor().data, 0xCD, size_t(t.numel()) * t.itemsize());  // catch unwritten elements
        t = allocated.back().tensor();
      }
      call.outputs.push_back(t);
    }
    call.allocate = [&](const Shape& s, DType d) {
      allocated.emplace_back(s, d);
      return allocated.back().tensor();
    };
    ++rr.cases;
    try {
      k->fn(call);
    } catch (const std::exception& e) {
      FAIL_CHECK("kernel threw: " << e.what());
      ++rr.failures;
      continue;
    }
    if (call.outputs.size() != c["outputs"].size()) {
      FAIL_CHECK("kernel produced " << call.outputs.size() << " outputs, torch " << c["outputs"].size());
      ++rr.failures;
      continue;
    }
    for (size_t oi = 0; oi < call.outputs.size(); ++oi) {
      const json& want = c["outputs"][oi];
      const CpuTensor& got = call.outputs[oi];
      INFO("output " << oi);
      if (!got.data && got.numel() > 0) {
        FAIL_CHECK("output not set");
        ++rr.failures;
        continue;
      }
      const goldens::Compared cmp = goldens::compare(got, want, g.blob);
      if (!cmp.ok) {
        FAIL_CHECK(cmp.why);
        ++rr.failures;
      }
      if (cmp.rel_err > rr.max_err) {
        rr.max_err = cmp.rel_err;
        rr.worst = label;
      }
      // Views must alias (no copy), and nothing else may.
      if (got.numel() > 0 && want["view"].get<bool>() != aliases(got, inputs)) {
        FAIL_CHECK((want["view"].get<bool>() ? "torch returns a view, the kernel copied"
                                              : "the kernel aliases an input, torch copies"));
        ++rr.failures;
      }
    }
  }
  return rr;
}

}  // namespace

TEST_CASE("cpu kernels match torch on the golden cases", "[kernels]") {
  // On every ISA path this CPU runs: the convolution cost model and the
  // direct, depthwise and GEMM tiles differ per path.
  const ptscope::Isa isa = GENERATE(from_range(ptscope::test::isa_paths()));
  ptscope::test::IsaScope isa_scope(isa);
  INFO("isa " << ptscope::isa_name(isa));
  for (int threads : {1, 3}) {
    INFO("threads " << threads);
    set_num_threads(threads);
    force_parallel_for_testing(threads > 1);
    const RunResult r = run_all();
    force_parallel_for_testing(false);
    INFO(r.cases << " cases, max relative L2 error " << r.max_err << " (" << r.worst << ")");
    CHECK(r.cases >= 500);
    CHECK(r.failures == 0);
    CHECK(r.max_err <= 1e-4);
  }
  set_num_threads(0);
}

TEST_CASE("every cpu kernel has a golden case", "[kernels]") {
  std::set<std::string> covered;
  for (const json& c : goldens::load().cases) covered.insert(c["op"].get<std::string>());
  std::vector<std::string> missing;
  for (const std::string& name : cpu_kernel_names())
    if (!covered.count(name)) missing.push_back(name);
  std::string list;
  for (const auto& m : missing) list += " " + m;
  INFO("kernels without a golden case:" << list);
  CHECK(missing.empty());
}

TEST_CASE("parallel_for covers the range once, nests inline, rethrows", "[kernels]") {
  set_num_threads(3);
  std::vector<std::atomic<int>> hits(1000);
  parallel_for(1000, 7, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) hits[size_t(i)]++;
    // A nested call runs inline on this thread.
    int64_t inner = 0;
    parallel_for(10, 1, [&](int64_t b2, int64_t e2) { inner += e2 - b2; });
    CHECK(inner == 10);
  });
  for (auto& h : hits) CHECK(h.load() == 1);
  CHECK_THROWS_WITH(parallel_for(100, 1, [](int64_t b, int64_t) {
                      if (b > 0) throw std::runtime_error("chunk failed");
                    }),
                    "chunk failed");
  int64_t total = 0;
  parallel_for(5, 100, [&](int64_t b, int64_t e) { total += e - b; });  // one chunk: runs on the caller
  CHECK(total == 5);
  set_num_threads(0);
}

TEST_CASE("half and bfloat16 conversions round to nearest even", "[kernels]") {
  CHECK(float_to_half(1.0f) == 0x3c00);
  CHECK(float_to_half(65504.0f) == 0x7bff);
  CHECK(float_to_half(65519.0f) == 0x7bff);
  CHECK(float_to_half(65520.0f) == 0x7c00);          // rounds up to inf
  CHECK(float_to_half(5.9604645e-08f) == 0x0001);    // smallest subnormal
  CHECK(float_to_half(2.9802322e-08f) == 0x0000);    // half of it: tie to even (0)
  CHECK(float_to_half(1.0f + 1.0f / 2048) == 0x3c00);  // tie between 1 and 1+2^-10: even
  CHECK(float_to_half(-2.0f) == 0xc000);
  CHECK(half_to_float(0x3555) == Approx(0.33325195f));
  CHECK(half_to_float(0x0001) == 5.9604645e-08f);
  CHECK(std::isinf(half_to_float(0xfc00)));
  CHECK(float_to_bf16(1.0f) == 0x3f80);
  CHECK(float_to_bf16(1.00390625f) == 0x3f80);  // tie: even
  CHECK(float_to_bf16(1.01171875f) == 0x3f82);  // tie: even (up)
  CHECK(bf16_to_float(0x4049) == 3.140625f);
}

TEST_CASE("kernel calls check their arguments", "[kernels]") {
  CHECK(find_cpu_kernel("aten::no_such_op") == nullptr);
  const CpuKernel* k = find_cpu_kernel("aten::relu");
  REQUIRE(k != nullptr);
  KernelCall call;
  call.args.push_back(int64_t(3));  // not a tensor
  TensorBuffer out({2}, DType::float32);
  call.outputs.push_back(out.tensor());
  CHECK_THROWS_AS(k->fn(call), Error);
  // A view kernel with nothing to alias and no allocator.
  TensorBuffer x({2, 3}, DType::float32);
  KernelCall view;
  view.args = {x.tensor().view({2, 3}, {1, 2}), std::vector<int64_t>{6}};  // transposed: reshape must copy
  CHECK_THROWS_AS(find_cpu_kernel("aten::reshape")->fn(view), Error);
}
