// Strided element iteration (template part of core/tensor.h).
#pragma once
#include <vector>

#include "core/error.h"

namespace ptscope {

template <class Fn> void for_each_as_double(const Tensor& t, Fn&& fn) {
  const uint8_t* base = t.data();
  if (!base && t.numel() > 0) throw Error(ErrorCode::unsupported, "tensor has no data in the file");
  const int64_t n = t.numel();
  if (n == 0) return;
  const size_t item = itemsize(t.dtype);
  const bool cplx = dtype_info(t.dtype).is_complex;
  auto emit = [&](const uint8_t* p) {
    if (!cplx) { fn(element_as_double(t.dtype, p)); return; }
    if (t.dtype == DType::complex32) {
      fn(element_as_double(DType::float16, p)); fn(element_as_double(DType::float16, p + 2));
    } else if (t.dtype == DType::complex64) {
      fn(element_as_double(DType::float32, p)); fn(element_as_double(DType::float32, p + 4));
    } else {
      fn(element_as_double(DType::float64, p)); fn(element_as_double(DType::float64, p + 8));
    }
  };
  if (t.is_contiguous()) {
    for (int64_t i = 0; i < n; ++i) emit(base + size_t(i) * item);
    return;
  }
  const size_t nd = t.shape.size();
  std::vector<int64_t> idx(nd, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (size_t d = 0; d < nd; ++d) off += idx[d] * t.strides[d];
    emit(base + off * int64_t(item));
    for (size_t d = nd; d-- > 0;) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace ptscope
