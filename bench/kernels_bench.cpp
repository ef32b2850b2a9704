// Timing driver for the CPU kernels (run by bench/kernels_bench.py, which
// times the same shapes in torch and prints the ratios).
//
//   kernels_bench THREADS REPS [MIN_MS [cpu]] < specs
//
// Each stdin line is `name kind numbers...`; each output line is
// `name min_ms median_ms` over at least REPS runs (and at least MIN_MS of
// them: on a shared machine the minimum needs a long enough window) after
// one warm-up; with `cpu`, each run is timed in the calling thread's CPU
// time (single-threaded runs on a loaded machine: time spent descheduled
// does not count). Kinds:
//   linear M N K                         x[M,K] · W[N,K]ᵀ + b
//   conv N C H W O KH KW STRIDE PAD GROUPS
//   sdpa B H L E                         scaled_dot_product_attention
//   layer_norm ROWS N | softmax ROWS N | gelu N | add N
//   sgemm M N K                          raw sgemm (peak GFLOP/s)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/parallel.h"

using namespace ptscope;
using namespace ptscope::kernels;

namespace {

struct Bench {
  std::vector<TensorBuffer> keep;
  KernelCall call;
  const CpuKernel* kernel = nullptr;

  CpuTensor tensor(const Shape& s) {
    keep.push_back(TensorBuffer(s, DType::float32));
    float* p = keep.back().tensor().f32();
    for (int64_t i = 0; i < keep.back().tensor().numel(); ++i) p[i] = float((i * 7919) % 1000) / 1000.f - 0.5f;
    return keep.back().tensor();
  }
  void arg(KernelArg a) { call.args.push_back(std::move(a)); }
  void out(const Shape& s) { call.outputs.push_back(tensor(s)); }
  void op(const char* name) {
    kernel = find_cpu_kernel(name);
    if (!kernel) throw std::runtime_error(std::string("no kernel ") + name);
  }
};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: kernels_bench THREADS REPS < specs\n");
    return 2;
  }
  set_num_threads(std::atoi(argv[1]));
  // KERNELS_BENCH_GEMM=eigen|packed pins sgemm's implementation (to compare them).
  if (const char* g = std::getenv("KERNELS_BENCH_GEMM")) {
    if (std::string(g) == "eigen") set_gemm_backend(GemmBackend::eigen);
    else if (std::string(g) == "packed") set_gemm_backend(GemmBackend::packed);
  }
  const int reps = std::max(1, std::atoi(argv[2]));
  const double min_ms = argc > 3 ? std::atof(argv[3]) : 0;
  const bool cpu_clock = argc > 4 && std::string(argv[4]) == "cpu";
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string name, kind;
    if (!(in >> name >> kind)) continue;
    std::vector<int64_t> v;
    for (int64_t x; in >> x;) v.push_back(x);
    Bench b;
    std::function<void()> run;
    if (kind == "linear") {
      b.op("aten::linear");
      b.arg(b.tensor({v[0], v[2]}));
      b.arg(b.tensor({v[1], v[2]}));
      b.arg(b.tensor({v[1]}));
      b.out({v[0], v[1]});
    } else if (kind == "conv") {
      const int64_t n = v[0], c = v[1], h = v[2], w = v[3], o = v[4], kh = v[5], kw = v[6], s = v[7], p = v[8], g = v[9];
      b.op("aten::conv2d");
      b.arg(b.tensor({n, c, h, w}));
      b.arg(b.tensor({o, c / g, kh, kw}));
      b.arg(b.tensor({o}));
      b.arg(std::vector<int64_t>{s, s});
      b.arg(std::vector<int64_t>{p, p});
      b.arg(std::vector<int64_t>{1, 1});
      b.arg(g);
      b.out({n, o, (h + 2 * p - kh) / s + 1, (w + 2 * p - kw) / s + 1});
    } else if (kind == "sdpa") {
      b.op("aten::scaled_dot_product_attention");
      for (int i = 0; i < 3; ++i) b.arg(b.tensor({v[0], v[1], v[2], v[3]}));
      b.arg(graph::NoneArg{});
      b.arg(0.0);
      b.arg(false);
      b.arg(graph::NoneArg{});
      b.arg(false);
      b.out({v[0], v[1], v[2], v[3]});
    } else if (kind == "layer_norm") {
      b.op("aten::layer_norm");
      b.arg(b.tensor({v[0], v[1]}));
      b.arg(std::vector<int64_t>{v[1]});
      b.arg(b.tensor({v[1]}));
      b.arg(b.tensor({v[1]}));
      b.arg(1e-5);
      b.arg(true);
      b.out({v[0], v[1]});
    } else if (kind == "softmax") {
      b.op("aten::softmax.int");
      b.arg(b.tensor({v[0], v[1]}));
      b.arg(int64_t(-1));
      b.arg(graph::NoneArg{});
      b.out({v[0], v[1]});
    } else if (kind == "gelu") {
      b.op("aten::gelu");
      b.arg(b.tensor({v[0]}));
      b.arg(std::string("none"));
      b.out({v[0]});
    } else if (kind == "add") {
      b.op("aten::add.Tensor");
      b.arg(b.tensor({v[0]}));
      b.arg(b.tensor({v[0]}));
      b.arg(int64_t(1));
      b.out({v[0]});
    } else if (kind == "sgemm") {
      const int64_t m = v[0], n = v[1], k = v[2];
      const CpuTensor a = b.tensor({m, k}), w = b.tensor({k, n}), c = b.tensor({m, n});
      run = [=] { sgemm(m, n, k, 1.f, MatRef{a.f32(), k, false}, MatRef{w.f32(), n, false}, 0.f, c.f32(), n); };
    } else {
      std::fprintf(stderr, "unknown kind %s\n", kind.c_str());
      return 2;
    }
    if (!run) run = [&] { b.kernel->fn(b.call); };
    run();  // warm-up: page in buffers, size Eigen's blocking
    std::vector<double> times;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps || ms_since(start) < min_ms; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = cpu_clock ? thread_cpu_ms() : 0;
      run();
      times.push_back(cpu_clock ? thread_cpu_ms() - c0 : ms_since(t0));
    }
    std::sort(times.begin(), times.end());
    std::printf("%s %.4f %.4f\n", name.c_str(), times.front(), times[times.size() / 2]);
    std::fflush(stdout);
  }
  return 0;
}
