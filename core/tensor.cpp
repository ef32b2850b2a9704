#include "core/tensor.h"

#include <cstring>
#include <iterator>
#include <limits>

#include "core/enum_names.h"

namespace ptscope {

const char* layout_name(Layout layout) {
  static constexpr const char* kNames[] = {"strided",    "sparse_coo", "sparse_csr", "sparse_csc",
                                           "sparse_bsr", "sparse_bsc", "mkldnn",     "jagged"};
  static_assert(std::size(kNames) == enum_count(Layout::jagged));
  return enum_name(layout, kNames, "unknown");
}

const char* qscheme_name(QScheme scheme) {
  if (scheme == QScheme::none) return "none";
  static constexpr const char* kNames[] = {"per_tensor_affine", "per_channel_affine", "per_tensor_symmetric",
                                           "per_channel_symmetric", "per_channel_affine_float_qparams"};
  static_assert(std::size(kNames) == enum_count(QScheme::per_channel_affine_float_qparams));
  return enum_name(scheme, kNames, "unknown");
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool Tensor::is_contiguous() const { return ptscope::is_contiguous(shape, strides); }

uint64_t Tensor::min_storage_bytes() const {
  if (numel() == 0) return 0;
  int64_t last = storage_offset;
  for (size_t d = 0; d < shape.size(); ++d) last += (shape[d] - 1) * strides[d];
  return uint64_t(last + 1) * itemsize(dtype);
}

const uint8_t* Tensor::data() const {
  if (!storage || storage->data_missing || storage->data.size() == 0) return nullptr;
  return storage->data.data() + uint64_t(storage_offset) * itemsize(dtype);
}

double element_as_double(DType dtype, const uint8_t* p) {
  auto load = [p](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (dtype) {
    case DType::uint8: case DType::quint8: case DType::quint4x2: case DType::quint2x4:
    case DType::bits8: case DType::bits1x8: case DType::bits2x4: case DType::bits4x2:
      return double(p[0]);
    case DType::bool_: return p[0] ? 1.0 : 0.0;
    case DType::int8: case DType::qint8: return double(int8_t(p[0]));
    case DType::int16: return double(load(int16_t{}));
    case DType::int32: case DType::qint32: return double(load(int32_t{}));
    case DType::int64: return double(load(int64_t{}));
    case DType::uint16: case DType::bits16: return double(load(uint16_t{}));
    case DType::uint32: return double(load(uint32_t{}));
    case DType::uint64: return double(load(uint64_t{}));
    case DType::float16: return half_to_double(load(uint16_t{}));
    case DType::bfloat16: return bfloat16_to_double(load(uint16_t{}));
    case DType::float32: return double(load(float{}));
    case DType::float64: return load(double{});
    case DType::float8_e5m2: case DType::float8_e4m3fn: case DType::float8_e5m2fnuz:
    case DType::float8_e4m3fnuz: case DType::float8_e8m0fnu:
      return float8_to_double(dtype, p[0]);
    default:
      // Sub-byte packed kinds and complex components are handled by callers.
      return double(p[0]);
  }
}

}  // namespace ptscope
