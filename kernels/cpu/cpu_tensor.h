// Tensors as the CPU kernels see them: a non-owning strided view
// (CpuTensor), an owning aligned buffer (TensorBuffer), dtype conversion
// and the strided-loop helper the elementwise kernels are built on.
//
// Kernels compute in float32; int64 and bool tensors carry indices, masks
// and shape arithmetic. Other dtypes (fp16/bf16 weights, int32, uint8 ...)
// are converted at the edges (convert / to_dtype).
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"

namespace ptscope::kernels {

using Shape = std::vector<int64_t>;

// A view of memory owned elsewhere. `data` points at element [0, ..., 0]
// (any storage offset is already applied); strides count elements and may
// be 0 (broadcast). Only flip makes negative strides, internally. A default
// CpuTensor is "undefined" (the None entries of Tensor?[] lists).
struct CpuTensor {
  void* data = nullptr;
  Shape shape;
  Shape strides;
  DType dtype = DType::undefined;

  int64_t dim() const { return int64_t(shape.size()); }
  int64_t numel() const;
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t stride(int64_t d) const;
  bool defined() const { return dtype != DType::undefined; }
  bool is_contiguous() const;
  size_t itemsize() const { return ptscope::itemsize(dtype); }
  template <class T>
  T* ptr() const { return static_cast<T*>(data); }
  float* f32() const;  // Error(unsupported) unless float32
  // Another view of the same memory, `offset` elements past data.
  CpuTensor view(Shape new_shape, Shape new_strides, int64_t offset = 0) const;
};

int64_t shape_numel(const Shape& shape);
std::string shape_string(const Shape& shape);
// Negative dims count from the end; rank 0 accepts -1 and 0. Error(usage) when out of range.
int64_t wrap_dim(int64_t dim, int64_t rank);
// numpy broadcasting of two shapes; Error(usage) when they do not fit.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// A view of t broadcast to `shape` (stride 0 on expanded dims).
CpuTensor broadcast_to(const CpuTensor& t, const Shape& shape);

[[noreturn]] void kernel_fail(const std::string& message);  // Error(usage)
[[noreturn]] void kernel_unsupported(const std::string& message);  // Error(unsupported)

// Owning, 64-byte aligned, contiguous storage (uninitialised). Copies share
// the memory, so an executor can keep a buffer alive as long as any view.
class TensorBuffer {
 public:
  TensorBuffer() = default;
  TensorBuffer(const Shape& shape, DType dtype);
  static TensorBuffer zeros(const Shape& shape, DType dtype);
  const CpuTensor& tensor() const { return t_; }
  operator const CpuTensor&() const { return t_; }
  bool empty() const { return !mem_; }

 private:
  std::shared_ptr<void> mem_;
  CpuTensor t_;
};

// Scalar storage types beside the C++ ones.
struct Half {
  uint16_t bits;
};
struct BFloat16 {
  uint16_t bits;
};
float half_to_float(uint16_t bits);
uint16_t float_to_half(float f);  // round to nearest even, overflow to inf
inline float bf16_to_float(uint16_t bits) {
  uint32_t u = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint16_t float_to_bf16(float f);  // round to nearest even

// Copies src into dst elementwise with dtype conversion (C casts, as torch's
// .to(): floats truncate toward zero into integers, nonzero → true). Shapes
// must match; src may broadcast (stride 0). Multi-threaded for large copies.
void convert(const CpuTensor& src, const CpuTensor& dst);
// t itself when it is contiguous, else a contiguous copy held by `storage`.
CpuTensor contiguous(const CpuTensor& t, TensorBuffer& storage);
// t itself when it already has `dtype` (and is contiguous when asked), else a converted copy.
CpuTensor to_dtype(const CpuTensor& t, DType dtype, TensorBuffer& storage, bool need_contiguous = false);
// Fills every element of t (any strides) with v converted to t's dtype.
void fill(const CpuTensor& t, double v);
// Reads element `offset` (in elements from data) of a tensor of any supported dtype.
double load_as_double(const CpuTensor& t, int64_t offset);

// ---- strided loops --------------------------------------------------------
// Iteration over a shape for K operands with their own strides. Dims where
// every operand is contiguous across the boundary are merged and size-1 dims
// dropped, so the innermost run is as long as possible.
template <size_t K>
struct LoopPlan {
  Shape shape;                       // merged dims, innermost last (at least one dim)
  std::array<Shape, K> strides;      // per operand, matching `shape`
  int64_t inner() const { return shape.back(); }
  int64_t outer() const {
    int64_t n = 1;
    for (size_t d = 0; d + 1 < shape.size(); ++d) n *= shape[d];
    return n;
  }
};

template <size_t K>
LoopPlan<K> plan_loop(const Shape& shape, const std::array<const Shape*, K>& strides) {
  LoopPlan<K> p;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!p.shape.empty()) {
      bool merge = true;
      for (size_t k = 0; k < K; ++k)
        if (p.strides[k].back() != (*strides[k])[d] * shape[d]) merge = false;
      if (merge) {
        p.shape.back() *= shape[d];
        for (size_t k = 0; k < K; ++k) p.strides[k].back() = (*strides[k])[d];
        continue;
      }
    }
    p.shape.push_back(shape[d]);
    for (size_t k = 0; k < K; ++k) p.strides[k].push_back((*strides[k])[d]);
  }
  if (p.shape.empty()) {
    p.shape.push_back(shape_numel(shape));  // 1, or 0 for empty tensors
    for (size_t k = 0; k < K; ++k) p.strides[k].push_back(1);
  }
  return p;
}

// Calls fn(offsets, n, inner_strides) for outer rows [begin, end) of the plan:
// offsets[k] is operand k's element offset of the run's first element.
template <size_t K, class F>
void run_loop(const LoopPlan<K>& p, int64_t begin, int64_t end, F&& fn) {
  const size_t outer_dims = p.shape.size() - 1;
  std::array<int64_t, K> inner_strides;
  for (size_t k = 0; k < K; ++k) inner_strides[k] = p.strides[k].back();
  // Multi-index of row `begin`, then increment like an odometer.
  std::vector<int64_t> idx(outer_dims, 0);
  std::array<int64_t, K> off{};
  int64_t rem = begin;
  for (size_t d = outer_dims; d-- > 0;) {
    idx[d] = rem % p.shape[d];
    rem /= p.shape[d];
    for (size_t k = 0; k < K; ++k) off[k] += idx[d] * p.strides[k][d];
  }
  for (int64_t row = begin; row < end; ++row) {
    fn(off, p.inner(), inner_strides);
    for (size_t d = outer_dims; d-- > 0;) {
      for (size_t k = 0; k < K; ++k) off[k] += p.strides[k][d];
      if (++idx[d] < p.shape[d]) break;
      for (size_t k = 0; k < K; ++k) off[k] -= p.strides[k][d] * p.shape[d];
      idx[d] = 0;
    }
  }
}

// Calls fn(begin, end) over [0, rows), split over threads when rows * row_cost
// (in elements) is worth it.
void parallel_rows(int64_t rows, int64_t row_cost, const std::function<void(int64_t, int64_t)>& fn);
// Threads worth using for `elements` of elementwise work (1 inside a parallel region).
int elementwise_threads(double elements);

// run_loop over the whole plan, split over threads when it is large: whole
// rows when there are enough of them, else pieces of each row (a fully
// contiguous tensor is one long row).
template <size_t K, class F>
void for_each_run(const Shape& shape, const std::array<const Shape*, K>& strides, F&& fn) {
  const LoopPlan<K> p = plan_loop<K>(shape, strides);
  const int64_t outer = p.outer(), inner = p.inner();
  if (inner == 0 || outer == 0) return;
  const int t = elementwise_threads(double(outer) * double(inner));
  if (t <= 1) return run_loop<K>(p, 0, outer, fn);
  if (outer >= t) return parallel_rows(outer, inner, [&](int64_t b, int64_t e) { run_loop<K>(p, b, e, fn); });
  const int64_t pieces = (t + outer - 1) / outer;
  parallel_rows(outer * pieces, inner / pieces, [&](int64_t b, int64_t e) {
    for (int64_t item = b; item < e; ++item) {
      const int64_t lo = inner * (item % pieces) / pieces, hi = inner * (item % pieces + 1) / pieces;
      run_loop<K>(p, item / pieces, item / pieces + 1,
                  [&](std::array<int64_t, K> off, int64_t, const std::array<int64_t, K>& st) {
                    for (size_t k = 0; k < K; ++k) off[k] += lo * st[k];
                    fn(off, hi - lo, st);
                  });
    }
  });
}

// Calls f(T{}) with the C++ type of dtype (Half/BFloat16 for the 16-bit floats).
template <class F>
decltype(auto) visit_dtype(DType d, F&& f) {
  switch (d) {
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
    case DType::float16: return f(Half{});
    case DType::bfloat16: return f(BFloat16{});
    case DType::int64: return f(int64_t{});
    case DType::int32: return f(int32_t{});
    case DType::int16: return f(int16_t{});
    case DType::int8: return f(int8_t{});
    case DType::uint8: return f(uint8_t{});
    case DType::bool_: return f(bool{});
    default: kernel_unsupported("dtype " + std::string(dtype_name(d)) + " is not supported by the CPU kernels");
  }
}

// Value conversions used by convert(): C casts plus the 16-bit float formats.
template <class To, class From>
inline To cast_value(From v) {
  if constexpr (std::is_same_v<From, Half>) {
    return cast_value<To>(half_to_float(v.bits));
  } else if constexpr (std::is_same_v<From, BFloat16>) {
    return cast_value<To>(bf16_to_float(v.bits));
  } else if constexpr (std::is_same_v<To, Half>) {
    return Half{float_to_half(float(v))};
  } else if constexpr (std::is_same_v<To, BFloat16>) {
    return BFloat16{float_to_bf16(float(v))};
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace ptscope::kernels
