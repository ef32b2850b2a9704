// The kernel goldens of fixtures/kernels/ (fixtures/make_kernel_goldens.py)
// for tests that run them on a backend other than the CPU kernels directly:
// the cases, torch's output blob, the input generator (bit for bit the
// script's gen_values/make_tensor) and the comparison rule (float outputs to
// 1e-4 relative L2, integer and bool outputs exactly).
#pragma once
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/cpu/kernel_registry.h"
#include "test_paths.h"

namespace ptscope::test::goldens {

using kernels::CpuTensor;
using kernels::KernelArg;
using kernels::Shape;
using kernels::TensorBuffer;
using nlohmann::json;

struct Goldens {
  json cases;
  std::string blob;
};

inline const Goldens& load() {
  static const Goldens g = [] {
    Goldens r;
    std::ifstream f(test::fixture("kernels/cases.json"));
    if (!f.good()) throw std::runtime_error("fixtures/kernels/cases.json missing");
    r.cases = json::parse(f)["cases"];
    std::ifstream b(test::fixture("kernels/outputs.bin"), std::ios::binary);
    std::stringstream ss;
    ss << b.rdbuf();
    r.blob = ss.str();
    return r;
  }();
  return g;
}

inline DType dtype_named(const std::string& n) {
  auto d = dtype_from_name(n);
  if (!d) throw std::runtime_error("unknown dtype " + n);
  return *d;
}

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Host inputs of one case: each spec becomes a view (possibly permuted or
// strided) of a contiguous buffer; a seed used twice is the same tensor.
struct Inputs {
  std::vector<TensorBuffer> buffers;
  std::map<int64_t, CpuTensor> by_seed;

  CpuTensor make(const json& spec) {
    const int64_t seed = spec["seed"];
    if (auto it = by_seed.find(seed); it != by_seed.end()) return it->second;
    const Shape shape = spec["shape"].get<Shape>();
    Shape base = shape;
    std::vector<int64_t> perm, step;
    if (spec.contains("perm")) {
      perm = spec["perm"].get<std::vector<int64_t>>();
      for (size_t i = 0; i < perm.size(); ++i) base[i] = shape[size_t(perm[i])];
    }
    if (spec.contains("step")) {
      step = spec["step"].get<std::vector<int64_t>>();
      base[size_t(step[0])] *= step[1];
    }
    const json& gen = spec["gen"];
    const std::string kind = gen[0];
    const int64_t n = kernels::shape_numel(base);
    TensorBuffer raw(base, kind == "u" ? DType::float32 : kind == "i" ? DType::int64 : DType::bool_);
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t r = splitmix64((uint64_t(seed) << 32) + uint64_t(i));
      const double u = double(r >> 40) / 16777216.0;
      if (kind == "u") raw.tensor().ptr<float>()[i] = float(double(gen[1]) + (double(gen[2]) - double(gen[1])) * u);
      else if (kind == "i") raw.tensor().ptr<int64_t>()[i] = int64_t(gen[1]) + int64_t(r % uint64_t(int64_t(gen[2]) - int64_t(gen[1])));
      else raw.tensor().ptr<bool>()[i] = u < double(gen[1]);
    }
    TensorBuffer buf(base, dtype_named(spec["dtype"]));
    kernels::convert(raw.tensor(), buf.tensor());
    buffers.push_back(buf);
    CpuTensor t = buf.tensor();
    if (!step.empty()) {
      t.shape[size_t(step[0])] /= step[1];
      t.strides[size_t(step[0])] *= step[1];
    }
    if (!perm.empty()) {
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

  KernelArg arg(const json& v) {
    if (v.is_null()) return graph::NoneArg{};
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float()) return v.get<double>();
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) return v.get<std::vector<int64_t>>();
    if (v.contains("t")) return make(v["t"]);
    if (v.contains("fl")) return v["fl"].get<std::vector<double>>();
    if (v.contains("f")) return std::stod(v["f"].get<std::string>());
    std::vector<CpuTensor> list;
    for (const json& t : v["tl"]) list.push_back(t.is_null() ? CpuTensor{} : make(t));
    return list;
  }
};

// The output's dtype as torch returns it (the file widens 16-bit floats and int32).
inline DType torch_dtype(const json& want) {
  return dtype_named(want.value("torch_dtype", want["dtype"].get<std::string>()));
}

struct Compared {
  bool ok = true;
  double rel_err = 0;
  std::string why;
};

// `got` (host memory, any strides) against torch's contiguous bytes.
inline Compared compare(const CpuTensor& got, const json& want, const std::string& blob) {
  Compared r;
  const Shape shape = want["shape"].get<Shape>();
  if (got.shape != shape) return {false, 0, "shape " + kernels::shape_string(got.shape) + ", torch " + kernels::shape_string(shape)};
  const DType wd = dtype_named(want["dtype"]), td = torch_dtype(want);
  if (got.dtype != td) return {false, 0, "dtype " + std::string(dtype_name(got.dtype)) + ", torch " + std::string(dtype_name(td))};
  if (!want.value("values", true)) return r;  // torch.empty*: nothing to compare
  TensorBuffer expected(shape, wd);
  const size_t bytes = want["bytes"];
  if (bytes != size_t(kernels::shape_numel(shape)) * ptscope::itemsize(wd))
    return {false, 0, "the golden blob holds " + std::to_string(bytes) + " bytes for this output"};
  if (bytes) std::memcpy(expected.tensor().data, blob.data() + size_t(want["offset"]), bytes);
  TensorBuffer a(shape, DType::float64), b(shape, DType::float64);
  kernels::convert(got, a.tensor());
  kernels::convert(expected.tensor(), b.tensor());
  const double* pa = a.tensor().ptr<double>();
  const double* pb = b.tensor().ptr<double>();
  double num = 0, den = 0;
  for (int64_t i = 0; i < kernels::shape_numel(shape); ++i) {
    if (std::isnan(pb[i]) || std::isnan(pa[i])) {
      if (std::isnan(pb[i]) != std::isnan(pa[i])) r = {false, 0, "NaN mismatch at element " + std::to_string(i)};
      continue;
    }
    if (std::isinf(pb[i]) || std::isinf(pa[i])) {
      if (pa[i] != pb[i]) r = {false, 0, "inf mismatch at element " + std::to_string(i)};
      continue;
    }
    if (wd != DType::float32 && td == wd && pa[i] != pb[i])
      r = {false, 0, "element " + std::to_string(i) + ": " + std::to_string(pa[i]) + ", torch " + std::to_string(pb[i])};
    num += (pa[i] - pb[i]) * (pa[i] - pb[i]);
    den += pb[i] * pb[i];
  }
  r.rel_err = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  if (r.ok && r.rel_err > 1e-4) r = {false, r.rel_err, "relative L2 error " + std::to_string(r.rel_err)};
  return r;
}

}  // namespace ptscope::test::goldens
