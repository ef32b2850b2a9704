#include "kernels/cpu/cpu_tensor.h"

#include <algorithm>
#include <cmath>
#include <new>

#include "core/format.h"
#include "core/shape.h"
#include "kernels/cpu/parallel.h"

namespace ptscope::kernels {

namespace {
// Elements per thread below which splitting a copy is not worth a wake-up.
constexpr double kMinElemsPerThread = 32768;
}  // namespace

void kernel_fail(const std::string& message) { throw Error(ErrorCode::usage, message); }
void kernel_unsupported(const std::string& message) { throw Error(ErrorCode::unsupported, message); }

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_string(const Shape& shape) { return format_shape(shape); }

int64_t wrap_dim(int64_t dim, int64_t rank) {
  const auto d = wrapped_dim(dim, rank);
  if (!d) kernel_fail("dimension " + std::to_string(dim) + " out of range for a " + std::to_string(rank) + "-d tensor");
  return *d;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  auto out = broadcast_shapes_of(a, b);
  if (!out) kernel_fail("shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
  return std::move(*out);
}

CpuTensor broadcast_to(const CpuTensor& t, const Shape& shape) {
  if (t.shape.size() > shape.size())
    kernel_fail("cannot broadcast " + shape_string(t.shape) + " to " + shape_string(shape));
  const size_t lead = shape.size() - t.shape.size();
  Shape strides(shape.size(), 0);
  for (size_t i = 0; i < t.shape.size(); ++i) {
    const int64_t have = t.shape[i], want = shape[lead + i];
    if (have == want) strides[lead + i] = t.strides[i];
    else if (have != 1) kernel_fail("cannot broadcast " + shape_string(t.shape) + " to " + shape_string(shape));
  }
  return t.view(shape, strides);
}

int64_t CpuTensor::numel() const { return shape_numel(shape); }
int64_t CpuTensor::size(int64_t d) const { return shape[size_t(wrap_dim(d, dim()))]; }
int64_t CpuTensor::stride(int64_t d) const { return strides[size_t(wrap_dim(d, dim()))]; }

bool CpuTensor::is_contiguous() const { return ptscope::is_contiguous(shape, strides); }

float* CpuTensor::f32() const {
  if (dtype != DType::float32)
    kernel_unsupported("expected a float32 tensor, got " + std::string(dtype_name(dtype)));
  return static_cast<float*>(data);
}

CpuTensor CpuTensor::view(Shape new_shape, Shape new_strides, int64_t offset) const {
  CpuTensor t;
  t.data = static_cast<char*>(data) + offset * int64_t(itemsize());
  t.shape = std::move(new_shape);
  t.strides = std::move(new_strides);
  t.dtype = dtype;
  return t;
}

TensorBuffer::TensorBuffer(const Shape& shape, DType dtype) {
  for (int64_t d : shape)
    if (d < 0) kernel_fail("negative dimension in " + shape_string(shape));
  const size_t bytes = std::max<size_t>(size_t(shape_numel(shape)) * ptscope::itemsize(dtype), 64);
  void* p = ::operator new(bytes, std::align_val_t(64));
  mem_ = std::shared_ptr<void>(p, [](void* q) { ::operator delete(q, std::align_val_t(64)); });
  t_.data = p;
  t_.shape = shape;
  t_.strides = contiguous_strides(shape);
  t_.dtype = dtype;
}

TensorBuffer TensorBuffer::zeros(const Shape& shape, DType dtype) {
  TensorBuffer b(shape, dtype);
  std::memset(b.t_.data, 0, size_t(shape_numel(shape)) * ptscope::itemsize(dtype));
  return b;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000 | (man << 13);  // inf / nan
  } else if (exp == 0) {
    // zero or subnormal: man * 2^-24, exact in float
    const float f = std::ldexp(float(man), -24);
    std::memcpy(&bits, &f, 4);
    bits |= sign;
  } else {
    bits = sign | ((exp + 112) << 23) | (man << 13);  // rebias 15 → 127
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000);
  x &= 0x7fffffff;
  if (x >= 0x7f800000) return sign | (x > 0x7f800000 ? 0x7e00 : 0x7c00);
  if (x >= 0x477ff000) return sign | 0x7c00;  // rounds to >= 65520: inf
  if (x < 0x38800000) {
    // Below the smallest normal half: count units of 2^-24, rounding to even
    // (nearbyint in the default rounding mode). 1024 units is the smallest normal.
    float a;
    std::memcpy(&a, &x, 4);
    return sign | uint16_t(std::nearbyint(a * 16777216.0f));
  }
  uint32_t r = x - 0x38000000;  // exponent 127 → 15 bias
  r += 0xfff + ((r >> 13) & 1);
  return sign | uint16_t(r >> 13);
}

uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) return uint16_t((x >> 16) | 0x40);  // quiet nan
  x += 0x7fff + ((x >> 16) & 1);
  return uint16_t(x >> 16);
}

int elementwise_threads(double elements) { return threads_for(elements, kMinElemsPerThread); }

void parallel_rows(int64_t rows, int64_t row_cost, const std::function<void(int64_t, int64_t)>& fn) {
  const int t = threads_for(double(rows) * double(row_cost), kMinElemsPerThread);
  if (t <= 1) return fn(0, rows);
  parallel_for(rows, std::max<int64_t>(1, rows / t), fn);
}

namespace {

template <class D, class S>
void convert_typed(const CpuTensor& src, const CpuTensor& dst) {
  const S* s = src.ptr<S>();
  D* d = dst.ptr<D>();
  auto run = [&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& st) {
    D* o = d + off[0];
    const S* i = s + off[1];
    if constexpr (std::is_same_v<D, S>) {
      if (st[0] == 1 && st[1] == 1) {
        std::memcpy(o, i, size_t(n) * sizeof(D));
        return;
      }
    }
    if (st[0] == 1 && st[1] == 1) {
      for (int64_t k = 0; k < n; ++k) o[k] = cast_value<D>(i[k]);
    } else {
      for (int64_t k = 0; k < n; ++k) o[k * st[0]] = cast_value<D>(i[k * st[1]]);
    }
  };
  for_each_run<2>(dst.shape, {&dst.strides, &src.strides}, run);
}

}  // namespace

void convert(const CpuTensor& src, const CpuTensor& dst) {
  if (src.shape != dst.shape) {
    convert(broadcast_to(src, dst.shape), dst);
    return;
  }
  visit_dtype(dst.dtype, [&](auto d) {
    visit_dtype(src.dtype, [&](auto s) { convert_typed<decltype(d), decltype(s)>(src, dst); });
  });
}

CpuTensor contiguous(const CpuTensor& t, TensorBuffer& storage) {
  if (t.is_contiguous()) return t;
  storage = TensorBuffer(t.shape, t.dtype);
  convert(t, storage.tensor());
  return storage.tensor();
}

CpuTensor to_dtype(const CpuTensor& t, DType dtype, TensorBuffer& storage, bool need_contiguous) {
  if (t.dtype == dtype && (!need_contiguous || t.is_contiguous())) return t;
  storage = TensorBuffer(t.shape, dtype);
  convert(t, storage.tensor());
  return storage.tensor();
}

void fill(const CpuTensor& t, double v) {
  visit_dtype(t.dtype, [&](auto z) {
    using T = decltype(z);
    const T value = cast_value<T>(v);
    for_each_run<1>(t.shape, {&t.strides}, [&](const std::array<int64_t, 1>& off, int64_t n, const std::array<int64_t, 1>& st) {
      T* p = t.ptr<T>() + off[0];
      for (int64_t k = 0; k < n; ++k) p[k * st[0]] = value;
    });
  });
}

double load_as_double(const CpuTensor& t, int64_t offset) {
  return visit_dtype(t.dtype, [&](auto z) -> double {
    using T = decltype(z);
    return cast_value<double>(t.ptr<T>()[offset]);
  });
}

}  // namespace ptscope::kernels
