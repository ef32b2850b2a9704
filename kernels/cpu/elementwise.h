// The elementwise machinery: operands are converted to the op's compute
// type, broadcast to the output shape (stride 0), and walked with
// for_each_run. The inner loops special-case unit strides and scalar
// (stride-0) operands so the common cases compile to vector code.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/cpu/cpu_tensor.h"
#include "kernels/cpu/kernel_registry.h"

namespace ptscope::kernels {

template <class T>
struct Tag {
  using type = T;
};

// An operand: a tensor, or a Python scalar from the schema (Scalar args).
struct Src {
  const CpuTensor* tensor = nullptr;
  double scalar = 0;
  bool scalar_is_float = false;
  bool is_floating() const;
  static Src of(const KernelCall& c, size_t i);  // the tensor or scalar at argument i
  static Src value(double v, bool is_float = true) { return Src{nullptr, v, is_float}; }
};

// src as dtype `t`, broadcast to `shape`; conversions are kept alive in `keep`.
CpuTensor typed_input(const Src& src, DType t, const Shape& shape, std::vector<TensorBuffer>& keep);

// Runs body(o) on out itself when it has dtype `compute`, else on a
// temporary of that dtype that is converted into out afterwards.
template <class Body>
void with_output(const CpuTensor& out, DType compute, Body&& body) {
  if (out.dtype == compute) return body(out);
  TensorBuffer tmp(out.shape, compute);
  body(tmp.tensor());
  convert(tmp.tensor(), out);
}

// The compute type for an output dtype: float32, int64 or bool.
DType compute_dtype_for(DType out);

template <class F>
void dispatch_compute(DType d, F&& f) {
  switch (d) {
    case DType::float32: f(Tag<float>{}); break;
    case DType::int64: f(Tag<int64_t>{}); break;
    case DType::bool_: f(Tag<bool>{}); break;
    default: kernel_unsupported("elementwise compute in " + std::string(dtype_name(d)));
  }
}

template <class O, class A, class F>
void map1(const CpuTensor& out, const CpuTensor& a, F f) {
  O* po = out.ptr<O>();
  const A* pa = a.ptr<A>();
  for_each_run<2>(out.shape, {&out.strides, &a.strides},
                  [&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& st) {
                    O* o = po + off[0];
                    const A* x = pa + off[1];
                    if (st[0] == 1 && st[1] == 1)
                      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
                    else
                      for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]]);
                  });
}

template <class O, class A, class B, class F>
void map2(const CpuTensor& out, const CpuTensor& a, const CpuTensor& b, F f) {
  O* po = out.ptr<O>();
  const A* pa = a.ptr<A>();
  const B* pb = b.ptr<B>();
  for_each_run<3>(out.shape, {&out.strides, &a.strides, &b.strides},
                  [&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& st) {
                    O* o = po + off[0];
                    const A* x = pa + off[1];
                    const B* y = pb + off[2];
                    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
                      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
                    } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
                      const B yv = *y;
                      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
                    } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
                      const A xv = *x;
                      for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
                    } else {
                      for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]], y[i * st[2]]);
                    }
                  });
}

template <class O, class A, class B, class C, class F>
void map3(const CpuTensor& out, const CpuTensor& a, const CpuTensor& b, const CpuTensor& c, F f) {
  O* po = out.ptr<O>();
  const A* pa = a.ptr<A>();
  const B* pb = b.ptr<B>();
  const C* pc = c.ptr<C>();
  for_each_run<4>(out.shape, {&out.strides, &a.strides, &b.strides, &c.strides},
                  [&](const std::array<int64_t, 4>& off, int64_t n, const std::array<int64_t, 4>& st) {
                    O* o = po + off[0];
                    const A* x = pa + off[1];
                    const B* y = pb + off[2];
                    const C* z = pc + off[3];
                    if (st[0] == 1 && st[1] == 1 && st[2] == 1 && st[3] == 1)
                      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i], z[i]);
                    else
                      for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]], y[i * st[2]], z[i * st[3]]);
                  });
}

}  // namespace ptscope::kernels
