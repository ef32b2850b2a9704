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

#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/parallel.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::kernels;
using nlohmann::json;

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

DType dtype_named(const std::string& n) {
  auto d = dtype_from_name(n);
  REQUIRE(d.has_value());
  return *d;
}

// The generator of make_kernel_goldens.py (gen_values / make_tensor), bit for bit.
struct InputMaker {
  std::vector<TensorBuffer> buffers;
  std::map<int64_t, CpuTensor> by_seed;  // one spec used twice is the same tensor (q is k is v)

  CpuTensor make(const json& spec) {
    const int64_t seed = spec["seed"];
    if (auto it = by_seed.find(seed); it != by_seed.end()) return it->second;
    const Shape shape = spec["shape"].get<Shape>();
    Shape base = shape;
    const bool has_perm = spec.contains("perm"), has_step = spec.contains("step");
    std::vector<int64_t> perm;
    if (has_perm) {
      perm = spec["perm"].get<std::vector<int64_t>>();
      for (size_t i = 0; i < perm.size(); ++i) base[i] = shape[size_t(perm[i])];
    }
    std::vector<int64_t> step;
    if (has_step) {
      step = spec["step"].get<std::vector<int64_t>>();
      base[size_t(step[0])] *= step[1];
    }
    const json& gen = spec["gen"];
    const std::string kind = gen[0];
    const int64_t n = shape_numel(base);
    // Values in the generator's own type, then converted like torch's .to(dtype).
    TensorBuffer raw(base, kind == "u" ? DType::float32 : kind == "i" ? DType::int64 : DType::bool_);
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t r = splitmix64((uint64_t(seed) << 32) + uint64_t(i));
      const double u = double(r >> 40) / 16777216.0;
      if (kind == "u") {
        const double lo = gen[1], hi = gen[2];
        raw.tensor().ptr<float>()[i] = float(lo + (hi - lo) * u);
      } else if (kind == "i") {
        const int64_t lo = gen[1], hi = gen[2];
        raw.tensor().ptr<int64_t>()[i] = lo + int64_t(r % uint64_t(hi - lo));
      } else {
        raw.tensor().ptr<bool>()[i] = u < double(gen[1]);
      }
    }
    TensorBuffer buf(base, dtype_named(spec["dtype"]));
    convert(raw.tensor(), buf.tensor());
    buffers.push_back(buf);
    CpuTensor t = buf.tensor();
    if (has_step) {
      t.shape[size_t(step[0])] /= step[1];
      t.strides[size_t(step[0])] *= step[1];
    }
    if (has_perm) {
      CpuTensor p = t;
      for (size_t i = 0; i < perm.size(); ++i) {
        p.shape[size_t(perm[i])] = t.shape[i];
        p.strides[size_t(perm[i])] = t.strides[i];
      }
      t = p;
    }
    by_seed[seed] = t;
    return t;
  }
};

KernelArg make_arg(const json& v, InputMaker& inputs) {
  if (v.is_null()) return graph::NoneArg{};
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) return v.get<std::vector<int64_t>>();
  if (v.contains("t")) return inputs.make(v["t"]);
  if (v.contains("fl")) return v["fl"].get<std::vector<double>>();
  if (v.contains("f")) return std::stod(v["f"].get<std::string>());
  std::vector<CpuTensor> list;
  for (const json& t : v["tl"]) list.push_back(t.is_null() ? CpuTensor{} : inputs.make(t));
  return list;
}

struct Compared {
  bool ok = true;
  double rel_err = 0;
  std::string why;
};

// Output `got` (any strides) against torch's contiguous bytes.
Compared compare(const CpuTensor& got, const json& want, const std::string& blob) {
  Compared r;
  const Shape shape = want["shape"].get<Shape>();
  if (got.shape != shape) {
    r.ok = false;
    r.why = "shape " + shape_string(got.shape) + ", torch " + shape_string(shape);
    return r;
  }
  // The file widens float16/bfloat16 to float32 and int32 to int64; torch_dtype keeps torch's own.
  const DType wd = dtype_named(want["dtype"]);
  const DType td = dtype_named(want.value("torch_dtype", want["dtype"].get<std::string>()));
  if (got.dtype != td) {
    r.ok = false;
    r.why = std::string("dtype ") + std::string(dtype_name(got.dtype)) + ", torch " + std::string(dtype_name(td));
    return r;
  }
  if (!want.value("values", true)) return r;  // torch.empty*: nothing to compare
  TensorBuffer expected(shape, wd);
  const size_t bytes = want["bytes"];
  REQUIRE(bytes == size_t(shape_numel(shape)) * ptscope::itemsize(wd));
  if (bytes) std::memcpy(expected.tensor().data, blob.data() + size_t(want["offset"]), bytes);
  TensorBuffer a(shape, DType::float64), b(shape, DType::float64);
  convert(got, a.tensor());
  convert(expected.tensor(), b.tensor());
  const double* pa = a.tensor().ptr<double>();
  const double* pb = b.tensor().ptr<double>();
  double num = 0, den = 0;
  for (int64_t i = 0; i < shape_numel(shape); ++i) {
    if (std::isnan(pb[i]) || std::isnan(pa[i])) {
      if (std::isnan(pb[i]) != std::isnan(pa[i])) {
        r.ok = false;
        r.why = "NaN mismatch at element " + std::to_string(i);
      }
      continue;
    }
    if (std::isinf(pb[i]) || std::isinf(pa[i])) {
      if (pa[i] != pb[i]) {
        r.ok = false;
        r.why = "inf mismatch at element " + std::to_string(i);
      }
      continue;
    }
    if (wd != DType::float32 && td == wd && pa[i] != pb[i]) {
      r.ok = false;
      r.why = "element " + std::to_string(i) + ": " + std::to_string(pa[i]) + ", torch " + std::to_string(pb[i]);
    }
    num += (pa[i] - pb[i]) * (pa[i] - pb[i]);
    den += pb[i] * pb[i];
  }
  r.rel_err = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  if (r.ok && r.rel_err > 1e-4) {
    r.ok = false;
    r.why = "relative L2 error " + std::to_string(r.rel_err);
  }
  return r;
}

// Does t's memory lie inside one of the input buffers?
bool aliases(const CpuTensor& t, const InputMaker& inputs) {
  for (const TensorBuffer& b : inputs.buffers) {
    const char* lo = static_cast<const char*>(b.tensor().data);
    const char* hi = lo + b.tensor().numel() * int64_t(b.tensor().itemsize());
    const char* p = static_cast<const char*>(t.data);
    if (p >= lo && p < hi) return true;
  }
  return false;
}

struct Goldens {
  json cases;
  std::string blob;
};

const Goldens& goldens() {
  static const Goldens g = [] {
    Goldens r;
    std::ifstream f(test::fixture("kernels/cases.json"));
    REQUIRE(f.good());
    r.cases = json::parse(f)["cases"];
    std::ifstream b(test::fixture("kernels/outputs.bin"), std::ios::binary);
    std::stringstream ss;
    ss << b.rdbuf();
    r.blob = ss.str();
    return r;
  }();
  return g;
}

struct RunResult {
  int cases = 0, failures = 0;
  double max_err = 0;
  std::string worst;
};

RunResult run_all() {
  RunResult rr;
  const Goldens& g = goldens();
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
    InputMaker inputs;
    std::vector<TensorBuffer> allocated;
    KernelCall call;
    for (const json& a : c["args"]) call.args.push_back(make_arg(a, inputs));
    for (const json& o : c["outputs"]) {
      CpuTensor t;
      t.shape = o["shape"].get<Shape>();
      t.strides = contiguous_strides(t.shape);
      t.dtype = dtype_named(o.value("torch_dtype", o["dtype"].get<std::string>()));
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
      const Compared cmp = compare(got, want, g.blob);
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
  for (const json& c : goldens().cases) covered.insert(c["op"].get<std::string>());
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
