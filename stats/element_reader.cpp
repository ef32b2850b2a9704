#include "stats/element_reader.h"

#include <bit>
#include <cstring>

#include "core/error.h"

namespace ptscope::stats {
namespace {

bool is_float_lane(DType d) {
  switch (d) {
    case DType::float32: case DType::float16: case DType::bfloat16: case DType::float8_e5m2:
    case DType::float8_e4m3fn: case DType::float8_e5m2fnuz: case DType::float8_e4m3fnuz:
    case DType::float8_e8m0fnu: case DType::int8: case DType::uint8: case DType::int16:
    case DType::uint16: case DType::bool_:
      return true;
    default:
      return false;
  }
}

bool is_readable_raw(DType d) {
  return is_float_lane(d) || d == DType::float64 || d == DType::int32 || d == DType::int64 ||
         d == DType::uint32 || d == DType::uint64;
}

bool is_float8(DType d) {
  return d == DType::float8_e5m2 || d == DType::float8_e4m3fn || d == DType::float8_e5m2fnuz ||
         d == DType::float8_e4m3fnuz || d == DType::float8_e8m0fnu;
}

// IEEE half → float, branch-free so the loop vectorises: moving the 15
// exponent+mantissa bits up by 13 gives a float 2^112 too small (bias 15 vs
// 127) for normals and subnormals alike; inf/NaN get the top exponent.
inline float half_bits_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t em = h & 0x7fffu;
  const float mag = std::bit_cast<float>(em << 13) * 0x1p112f;
  const uint32_t special = em >= 0x7c00u ? 0x7f800000u : 0u;
  return std::bit_cast<float>(std::bit_cast<uint32_t>(mag) | special | sign);
}

template <class S> S load(const uint8_t* p) {
  S v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::string unsupported_reason(const Tensor& t) {
  if (t.layout != Layout::strided) return std::string("layout ") + layout_name(t.layout);
  const DTypeInfo& info = dtype_info(t.dtype);
  if (info.is_complex) return "complex dtype";
  DType raw = info.is_quantized ? quantized_underlying(t.dtype) : t.dtype;
  if (info.is_quantized && t.dtype != DType::qint8 && t.dtype != DType::quint8 && t.dtype != DType::qint32)
    return "packed sub-byte quantized dtype " + std::string(info.name);
  if (!is_readable_raw(raw)) return "dtype " + std::string(info.name) + " has no numeric reading";
  if (t.shape.size() != t.strides.size()) return "shape and strides disagree";
  for (int64_t d : t.shape)
    if (d < 0) return "negative dimension";
  for (int64_t s : t.strides)
    if (s < 0) return "negative stride";
  if (t.numel() == 0) return "";
  if (!t.data()) return "no data in the file";
  if (t.storage_offset < 0 || t.min_storage_bytes() > t.storage->data.size()) return "data shorter than the view";
  if (info.is_quantized) {
    const auto& q = t.quant;
    const bool per_channel = q.scheme == QScheme::per_channel_affine || q.scheme == QScheme::per_channel_symmetric ||
                             q.scheme == QScheme::per_channel_affine_float_qparams;
    if (per_channel) {
      if (!q.scales || q.axis < 0 || size_t(q.axis) >= t.shape.size()) return "per-channel quantization without scales";
      if (q.scales->numel() != t.shape[size_t(q.axis)]) return "per-channel scales do not match the axis";
      if (!unsupported_reason(*q.scales).empty()) return "unreadable quantization scales";
      if (q.zero_points && (q.zero_points->numel() != q.scales->numel() || !unsupported_reason(*q.zero_points).empty()))
        return "unreadable quantization zero points";
    } else if (q.scheme != QScheme::per_tensor_affine && q.scheme != QScheme::per_tensor_symmetric) {
      return "quantized tensor without a known scheme";
    }
  }
  return "";
}

ElementReader::ElementReader(const Tensor& t) : t_(t) {
  if (std::string why = unsupported_reason(t); !why.empty()) throw Error(ErrorCode::unsupported, why);
  const DTypeInfo& info = dtype_info(t.dtype);
  quantized_ = info.is_quantized;
  raw_ = quantized_ ? quantized_underlying(t.dtype) : t.dtype;
  item_ = itemsize(raw_);
  numel_ = t.numel();
  base_ = t.data();
  contiguous_ = t.is_contiguous();
  lane_ = (!quantized_ && is_float_lane(raw_)) ? Lane::f32 : Lane::f64;
  if (is_float8(raw_))
    for (int b = 0; b < 256; ++b) fp8_[size_t(b)] = float(float8_to_double(raw_, uint8_t(b)));
  if (quantized_) {
    const auto& q = t.quant;
    per_channel_ = q.scheme == QScheme::per_channel_affine || q.scheme == QScheme::per_channel_symmetric ||
                   q.scheme == QScheme::per_channel_affine_float_qparams;
    if (per_channel_) {
      for_each_as_double(*q.scales, [&](double v) { scales_.push_back(v); });
      if (q.zero_points) for_each_as_double(*q.zero_points, [&](double v) { zero_points_.push_back(v); });
      else zero_points_.assign(scales_.size(), 0.0);
      const size_t axis = size_t(q.axis);
      channels_ = t.shape[axis];
      inner_ = 1;
      for (size_t d = axis + 1; d < t.shape.size(); ++d) inner_ *= t.shape[d];
    } else {
      scale_ = q.scale;
      zero_point_ = double(q.zero_point);
    }
  }
}

template <class T> T ElementReader::decode_one(const uint8_t* p) const {
  switch (raw_) {
    case DType::float32: return T(load<float>(p));
    case DType::float64: return T(load<double>(p));
    case DType::float16: return T(half_bits_to_float(load<uint16_t>(p)));
    case DType::bfloat16: return T(std::bit_cast<float>(uint32_t(load<uint16_t>(p)) << 16));
    case DType::int8: return T(int8_t(p[0]));
    case DType::uint8: return T(p[0]);
    case DType::bool_: return T(p[0] != 0);
    case DType::int16: return T(load<int16_t>(p));
    case DType::uint16: return T(load<uint16_t>(p));
    case DType::int32: return T(load<int32_t>(p));
    case DType::uint32: return T(load<uint32_t>(p));
    case DType::int64: return T(load<int64_t>(p));
    case DType::uint64: return T(load<uint64_t>(p));
    default: return T(fp8_[p[0]]);  // the float8 kinds (checked in the constructor)
  }
}

template <class T> void ElementReader::decode_contiguous(const uint8_t* src, int64_t n, T* out) const {
  // One tight loop per format so that each vectorises.
  switch (raw_) {
    case DType::float32: for (int64_t i = 0; i < n; ++i) out[i] = T(load<float>(src + 4 * i)); return;
    case DType::float64: for (int64_t i = 0; i < n; ++i) out[i] = T(load<double>(src + 8 * i)); return;
    case DType::float16:
      for (int64_t i = 0; i < n; ++i) out[i] = T(half_bits_to_float(load<uint16_t>(src + 2 * i)));
      return;
    case DType::bfloat16:
      for (int64_t i = 0; i < n; ++i) out[i] = T(std::bit_cast<float>(uint32_t(load<uint16_t>(src + 2 * i)) << 16));
      return;
    case DType::int8: for (int64_t i = 0; i < n; ++i) out[i] = T(int8_t(src[i])); return;
    case DType::uint8: for (int64_t i = 0; i < n; ++i) out[i] = T(src[i]); return;
    case DType::bool_: for (int64_t i = 0; i < n; ++i) out[i] = T(src[i] != 0); return;
    default: break;
  }
  if (is_float8(raw_)) {
    for (int64_t i = 0; i < n; ++i) out[i] = T(fp8_[src[i]]);
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = decode_one<T>(src + size_t(i) * item_);
}

template <class T> void ElementReader::dequantize(int64_t first, int64_t n, T* out) const {
  if (!per_channel_) {
    for (int64_t i = 0; i < n; ++i) out[i] = T((double(out[i]) - zero_point_) * scale_);
    return;
  }
  int64_t channel = (first / inner_) % channels_;
  int64_t pos = first % inner_;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = T((double(out[i]) - zero_points_[size_t(channel)]) * scales_[size_t(channel)]);
    if (++pos == inner_) {
      pos = 0;
      if (++channel == channels_) channel = 0;
    }
  }
}

template <class T> const T* ElementReader::read_impl(int64_t first, int64_t n, T* buf) const {
  if (n <= 0) return buf;
  if (contiguous_) {
    const uint8_t* src = base_ + size_t(first) * item_;
    constexpr DType same = sizeof(T) == 4 ? DType::float32 : DType::float64;
    if (raw_ == same && !quantized_ && reinterpret_cast<uintptr_t>(src) % alignof(T) == 0)
      return reinterpret_cast<const T*>(src);  // zero copy from the mapping
    decode_contiguous(src, n, buf);
  } else {
    // Walk the multi-index of a strided view, odometer style.
    const size_t nd = t_.shape.size();
    std::vector<int64_t> idx(nd, 0);
    int64_t rest = first;
    for (size_t d = nd; d-- > 0;) {
      idx[d] = rest % t_.shape[d];
      rest /= t_.shape[d];
    }
    int64_t off = 0;
    for (size_t d = 0; d < nd; ++d) off += idx[d] * t_.strides[d];
    for (int64_t i = 0; i < n; ++i) {
      buf[i] = decode_one<T>(base_ + size_t(off) * item_);
      for (size_t d = nd; d-- > 0;) {
        off += t_.strides[d];
        if (++idx[d] < t_.shape[d]) break;
        off -= idx[d] * t_.strides[d];
        idx[d] = 0;
      }
    }
  }
  if (quantized_) dequantize(first, n, buf);
  return buf;
}

const float* ElementReader::read(int64_t first, int64_t n, float* buf) const { return read_impl(first, n, buf); }
const double* ElementReader::read(int64_t first, int64_t n, double* buf) const { return read_impl(first, n, buf); }

}  // namespace ptscope::stats
