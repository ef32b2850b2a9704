// Timing driver for the CPU kernels (run by bench/kernels_bench.py, which
// times the same shapes in torch and prints the ratios).
//
//   kernels_bench THREADS REPS [MIN_MS] < specs
//
// Each stdin line is `name kind numbers...`; each output line is
// `name min_ms median_ms` over at least REPS runs (and at least MIN_MS of
// them: on a shared machine the minimum needs a long enough window) after
// one warm-up. Kinds:
//   linear M N K                         x[M,K] · W[N,K]ᵀ + b
//   conv N C H W O KH KW STRIDE PAD GROUPS
//   sdpa B H L E                         scaled_dot_product_attention
//   layer_norm ROWS N | softmax ROWS N | gelu N | add N
//   sgemm M N K                          raw sgemm (peak GFLOP/s)
#include <algorithm>
#include <chrono>
#include <cstdio>
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: kernels_bench THREADS REPS < specs\n");
    return 2;
  }
  set_num_threads(std::atoi(argv[1]));
  const int reps = std::max(1, std::atoi(argv[2]));
  const double min_ms = argc > 3 ? std::atof(argv[3]) : 0;
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
      run();
      times.push_back(ms_since(t0));
    }
    std::sort(times.begin(), times.end());
    std::printf("%s %.4f %.4f\n", name.c_str(), times.front(), times[times.size() / 2]);
    std::fflush(stdout);
  }
  return 0;
}
