// The CUDA backend. Without a GPU (or in a build without the CUDA executor)
// the [cuda] tests that need a device print "PTSCOPE_TEST_SKIPPED: <why>"
// and return; ctest reports them as skipped (SKIP_REGULAR_EXPRESSION in
// CMakeLists.txt). With a GPU they check:
//  - every golden case of fixtures/kernels/ run through the CUDA backend
//    (native kernel or host fallback) against torch, to 1e-4 relative L2,
//    views aliasing exactly as torch's, and every native CUDA kernel having
//    run natively on at least one case;
//  - every exec fixture (fixtures/exec/) profiled on the GPU against torch's
//    output and against the CPU executor's, to 1e-4 relative L2;
//  - allocator, transfers and timers.
// The tests without a device check what a build can check on any machine.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

#include <algorithm>

#include "core/model.h"
#include "graph/op_registry.h"
#include "kernel_golden_cases.h"
#include "kernels/backend_plugin.h"
#include "kernels/executor.h"
#include "kernels/profile.h"
#include "test_paths.h"
#ifdef PTSCOPE_WITH_CUDA
#include "kernels/cuda/cuda_executor.h"
#endif

using namespace ptscope;
using namespace ptscope::kernels;
namespace goldens = ptscope::test::goldens;
using nlohmann::json;

namespace {

constexpr const char* kSkip = "PTSCOPE_TEST_SKIPPED: ";

// Whether the [cuda] tests can run here; otherwise reports the test as skipped.
bool cuda_runnable() {
#ifndef PTSCOPE_WITH_CUDA
  std::printf("%sthis ptscope is built without the CUDA executor\n", kSkip);
  WARN(kSkip << "built without the CUDA executor");
  return false;
#else
  std::string why;
  if (!cuda_device_available(&why)) {
    std::printf("%sno CUDA device (%s)\n", kSkip, why.c_str());
    WARN(kSkip << "no CUDA device (" << why << ")");
    return false;
  }
  return true;
#endif
}

#ifdef PTSCOPE_WITH_CUDA

// A host copy (contiguous) of a device view: its whole span is downloaded, then converted.
TensorBuffer to_host(Backend& b, const CpuTensor& dev) {
  TensorBuffer out(dev.shape, dev.dtype);
  if (dev.numel() == 0) return out;
  int64_t lo = 0, hi = 0;
  for (int64_t d = 0; d < dev.dim(); ++d) {
    const int64_t reach = (dev.shape[size_t(d)] - 1) * dev.strides[size_t(d)];
    (reach < 0 ? lo : hi) += reach;
  }
  const size_t item = dev.itemsize();
  TensorBuffer span({(hi - lo + 1) * int64_t(item)}, DType::uint8);
  b.download(static_cast<const uint8_t*>(dev.data) + lo * int64_t(item), span.tensor().data, size_t(hi - lo + 1) * item);
  CpuTensor view = dev;
  view.data = static_cast<uint8_t*>(span.tensor().data) - lo * int64_t(item);
  convert(view, out.tensor());
  return out;
}

// Device memory of one test case, freed at the end of the case.
struct DeviceArena {
  Backend& b;
  std::vector<std::pair<void*, size_t>> blocks;
  explicit DeviceArena(Backend& backend) : b(backend) {}
  ~DeviceArena() {
    for (auto& [p, n] : blocks) b.free(p);
  }
  void* alloc(size_t bytes) {
    blocks.emplace_back(b.allocate(bytes), bytes);
    return blocks.back().first;
  }
  bool owns_input(const void* p, size_t inputs) const {
    for (size_t i = 0; i < inputs && i < blocks.size(); ++i) {
      auto* lo = static_cast<const uint8_t*>(blocks[i].first);
      if (p >= lo && p < lo + std::max<size_t>(blocks[i].second, 1)) return true;
    }
    return false;
  }
};

// The same view on the device: each host input buffer uploaded once.
CpuTensor to_device(const CpuTensor& h, const goldens::Inputs& in, DeviceArena& arena, std::map<const void*, void*>& uploaded) {
  if (!h.defined()) return h;
  for (const TensorBuffer& buf : in.buffers) {
    const auto* base = static_cast<const uint8_t*>(buf.tensor().data);
    const size_t bytes = size_t(buf.tensor().numel()) * buf.tensor().itemsize();
    const auto* p = static_cast<const uint8_t*>(h.data);
    if (p < base || p > base + bytes) continue;
    void*& dev = uploaded[base];
    if (!dev) {
      dev = arena.alloc(bytes);
      arena.b.upload(base, dev, bytes);
    }
    CpuTensor d = h;
    d.data = static_cast<uint8_t*>(dev) + (p - base);
    return d;
  }
  FAIL("input view outside every input buffer");
  return h;
}

#endif

}  // namespace

#ifdef PTSCOPE_WITH_CUDA
// This binary links the CUDA backend itself; the program loads it as a plugin.
const bool kCudaRegistered = (register_backend_factory("cuda", make_cuda_backend), true);
#endif

TEST_CASE("the CUDA plugin loads (symbols resolve, version matches) and starts or says why not", "[cuda][plugin]") {
#ifdef PTSCOPE_WITH_CUDA
  CHECK(kCudaRegistered);
  std::string why;
  const bool device = cuda_device_available(&why);
  try {
    auto b = load_backend_plugin(PTSCOPE_CUDA_PLUGIN, BackendOptions{});
    CHECK(device);
    CHECK(b->name() == "cuda");
    CHECK(b->supports("aten::conv2d"));
  } catch (const Error& e) {
    INFO(e.what());
    CHECK_FALSE(device);
    CHECK(e.code() == ErrorCode::unsupported);
    CHECK_THAT(e.what(), Catch::Contains("no CUDA device"));  // the plugin's own error, not a load failure
  }
  // The plugin is where the program looks for it: beside it.
  const auto candidates = backend_plugin_candidates("cuda");
  CHECK(std::find(candidates.begin(), candidates.end(), std::string("libptscope_cuda.so")) != candidates.end());
#endif
  CHECK_THROWS_WITH(load_backend_plugin("/nonexistent/libptscope_cuda.so", BackendOptions{}),
                    Catch::Contains("cannot load the backend plugin"));
  // A shared object that is not a plugin is refused by name.
  CHECK_THROWS_WITH(load_backend_plugin("libz.so.1", BackendOptions{}), Catch::Contains("not a ptscope backend plugin"));
}

TEST_CASE("cuda backend is built exactly when configured, and fails clearly without a device", "[cuda]") {
#ifdef PTSCOPE_WITH_CUDA
  CHECK(backend_built("cuda"));
  std::string why;
  if (!cuda_device_available(&why)) {
    try {
      make_backend("cuda");
      FAIL("make_backend(cuda) succeeded without a device");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::unsupported);
      CHECK_THAT(e.what(), Catch::Contains("no CUDA device"));
    }
  }
#else
  CHECK_FALSE(backend_built("cuda"));
  CHECK_THROWS_AS(make_backend("cuda"), Error);
#endif
  CHECK_THROWS_AS(make_backend("tpu"), Error);
}

#ifdef PTSCOPE_WITH_CUDA
TEST_CASE("every native cuda kernel is a cpu op with a golden case", "[cuda]") {
  const std::vector<std::string> names = cuda_native_kernel_names();
  CHECK(names.size() >= 150);
  std::set<std::string> covered;
  for (const json& c : goldens::load().cases) covered.insert(c["op"].get<std::string>());
  std::string missing;
  for (const std::string& n : names) {
    CHECK(find_cpu_kernel(n) != nullptr);
    if (!covered.count(n)) missing += " " + n;
  }
  INFO("native CUDA kernels without a golden case:" << missing);
  CHECK(missing.empty());
}
#endif

TEST_CASE("cuda kernels match torch on the golden cases", "[cuda]") {
  if (!cuda_runnable()) return;
#ifdef PTSCOPE_WITH_CUDA
  auto backend = make_backend("cuda");
  auto& cuda = dynamic_cast<CudaBackend&>(*backend);
  const goldens::Goldens& g = goldens::load();
  int cases = 0, failures = 0;
  double max_err = 0;
  std::string worst;
  for (size_t ci = 0; ci < g.cases.size(); ++ci) {
    const json& c = g.cases[ci];
    const std::string op = c["op"];
    INFO("case " << ci << " " << op << " " << c["note"].get<std::string>());
    const graph::OpDef* def = graph::op_registry().find(op);
    REQUIRE(def != nullptr);
    REQUIRE(backend->supports(op));
    goldens::Inputs in;
    std::vector<KernelArg> host_args;
    for (const json& a : c["args"]) host_args.push_back(in.arg(a));
    DeviceArena arena(*backend);
    std::map<const void*, void*> uploaded;
    KernelCall call;
    for (const KernelArg& a : host_args) {
      if (auto* t = std::get_if<CpuTensor>(&a)) call.args.emplace_back(to_device(*t, in, arena, uploaded));
      else if (auto* ts = std::get_if<std::vector<CpuTensor>>(&a)) {
        std::vector<CpuTensor> list;
        for (const CpuTensor& t : *ts) list.push_back(to_device(t, in, arena, uploaded));
        call.args.emplace_back(std::move(list));
      } else {
        call.args.push_back(a);
      }
    }
    const size_t input_blocks = arena.blocks.size();
    const OutputMode mode = backend->output_mode(op);
    for (const json& o : c["outputs"]) {
      CpuTensor t;
      t.shape = o["shape"].get<Shape>();
      t.strides = ptscope::contiguous_strides(t.shape);
      t.dtype = goldens::torch_dtype(o);
      if (mode == OutputMode::preallocated) {
        const size_t bytes = size_t(t.numel()) * t.itemsize();
        t.data = arena.alloc(bytes);
        std::vector<uint8_t> poison(bytes, 0xCD);  // unwritten elements show up
        backend->upload(poison.data(), t.data, bytes);
      }
      call.outputs.push_back(t);
    }
    call.allocate = [&](const Shape& s, DType d) {
      CpuTensor t;
      t.shape = s;
      t.strides = ptscope::contiguous_strides(s);
      t.dtype = d;
      t.data = arena.alloc(size_t(kernels::shape_numel(s)) * ptscope::itemsize(d));
      return t;
    };
    ++cases;
    try {
      backend->run(*def, call);
      backend->synchronize();
    } catch (const std::exception& e) {
      FAIL_CHECK("cuda backend threw: " << e.what());
      ++failures;
      continue;
    }
    if (call.outputs.size() != c["outputs"].size()) {
      FAIL_CHECK("produced " << call.outputs.size() << " outputs, torch " << c["outputs"].size());
      ++failures;
      continue;
    }
    for (size_t oi = 0; oi < call.outputs.size(); ++oi) {
      INFO("output " << oi << (cuda.last_op_native() ? " (native)" : " (host fallback)"));
      const CpuTensor& got = call.outputs[oi];
      if (!got.data && got.numel() > 0) {
        FAIL_CHECK("output not set");
        ++failures;
        continue;
      }
      const TensorBuffer host = to_host(*backend, got);
      const goldens::Compared cmp = goldens::compare(host.tensor(), c["outputs"][oi], g.blob);
      if (!cmp.ok) {
        FAIL_CHECK(cmp.why);
        ++failures;
      }
      if (cmp.rel_err > max_err) {
        max_err = cmp.rel_err;
        worst = op;
      }
      if (got.numel() > 0 && c["outputs"][oi]["view"].get<bool>() != arena.owns_input(got.data, input_blocks)) {
        FAIL_CHECK((c["outputs"][oi]["view"].get<bool>() ? "torch returns a view, the backend copied"
                                                          : "the backend aliases an input, torch copies"));
        ++failures;
      }
    }
  }
  // Every native kernel ran natively on at least one case (else it is untested).
  std::string never;
  for (const std::string& n : cuda_native_kernel_names()) {
    auto it = cuda.op_counts().find(n);
    if (it == cuda.op_counts().end() || it->second.native == 0) never += " " + n;
  }
  INFO(cases << " cases, max relative L2 error " << max_err << " (" << worst << ")");
  INFO("native kernels that declined every golden case:" << never);
  CHECK(failures == 0);
  CHECK(never.empty());
  CHECK(max_err <= 1e-4);
#endif
}

namespace {

double rel_l2(const float* got, const float* want, size_t n) {
  double num = 0, den = 0;
  for (size_t k = 0; k < n; ++k) {
    num += (double(got[k]) - want[k]) * (double(got[k]) - want[k]);
    den += double(want[k]) * want[k];
  }
  return std::sqrt(num / std::max(den, 1e-30));
}

}  // namespace

TEST_CASE("cuda executor matches torch and the cpu executor on the exec fixtures", "[cuda]") {
  if (!cuda_runnable()) return;
  for (const char* base : {"tiny_resnet", "tiny_mobilenet", "tiny_encoder", "tiny_vit", "branchy_pos", "branchy_neg"}) {
    for (const char* suffix : {"", "_t2"}) {
      const std::string name = std::string(base) + suffix, dir = test::fixture("exec/");
      INFO(name);
      std::ifstream j(dir + name + ".json");
      REQUIRE(j.good());
      const json meta = json::parse(j);
      auto model = load_model(dir + name + ".pt");
      std::string outs[2];
      for (int k = 0; k < 2; ++k) {
        ProfileOptions o;
        o.device = k == 0 ? "cuda" : "cpu";
        o.threads = 2;
        o.warmup = 1;
        o.repeat = 2;
        o.input_files = {dir + name + ".in.bin"};
        o.output_file = "/tmp/ptscope_cuda_test_" + std::to_string(::getpid()) + "_" + name + "_" + o.device + ".bin";
        for (const auto& in : meta["inputs"]) {
          graph::InputSpec s;
          s.shape = in["shape"].get<std::vector<int64_t>>();
          s.dtype = dtype_from_name(in["dtype"].get<std::string>());
          o.graph.inputs.push_back(s);
        }
        const ProfileResult r = profile(*model, o);
        CHECK(r.device == o.device);
        outs[k] = test::read_bytes(o.output_file);
        std::remove(o.output_file.c_str());
      }
      const std::string want = test::read_bytes(dir + name + ".out.bin");
      REQUIRE(outs[0].size() == want.size());
      REQUIRE(outs[1].size() == want.size());
      const size_t n = want.size() / 4;
      const auto* gpu = reinterpret_cast<const float*>(outs[0].data());
      CHECK(rel_l2(gpu, reinterpret_cast<const float*>(want.data()), n) <= 1e-4);
      CHECK(rel_l2(gpu, reinterpret_cast<const float*>(outs[1].data()), n) <= 1e-4);
    }
  }
}

TEST_CASE("cuda backend memory, transfers and timers", "[cuda]") {
  if (!cuda_runnable()) return;
#ifdef PTSCOPE_WITH_CUDA
  auto backend = make_backend("cuda");
  auto& cuda = dynamic_cast<CudaBackend&>(*backend);
  CHECK_THAT(backend->description(), Catch::Contains("sm_"));
  std::vector<float> host(1000), back(1000, 0.f);
  for (size_t i = 0; i < host.size(); ++i) host[i] = float(i) * 0.5f;
  void* a = backend->allocate(host.size() * 4);
  void* z = backend->allocate(0);
  CHECK(z != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(a) % 64 == 0);
  backend->upload(host.data(), a, host.size() * 4);
  backend->download(a, back.data(), back.size() * 4);
  CHECK(back == host);
  const CudaMemoryStats m = cuda.memory();
  CHECK(m.allocated >= host.size() * 4);
  CHECK(m.peak_allocated >= m.allocated);
  CHECK(m.reserved >= m.allocated);
  CHECK(m.device_total > m.device_free);
  backend->free(a);
  backend->free(z);
  // A freed block is reused: no new device memory for the same size.
  const uint64_t reserved = cuda.memory().reserved;
  void* b = backend->allocate(host.size() * 4);
  CHECK(cuda.memory().reserved == reserved);
  backend->free(b);
  auto timer = backend->make_timer();
  timer->start();
  timer->stop();
  CHECK(timer->elapsed_us() >= 0.0);
  CHECK_THROWS_AS(backend->allocate(size_t(1) << 50), Error);  // a petabyte: a clear out-of-memory error
#endif
}
