// Reads a tensor's elements, in row-major order of the view, as float or
// double chunks straight from the (mapped) bytes. Internal to stats/.
//
// Every dtype that is exactly representable in float32 (float32, half,
// bfloat16, the float8 kinds, 8/16-bit integers, bool) decodes to float; the
// rest (float64, 32/64-bit integers, dequantized tensors) decode to double.
// Statistics are then accumulated in double either way.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ptscope::stats {

enum class Lane : uint8_t { f32, f64 };

// "" when the tensor's elements can be read as real numbers, else why not.
std::string unsupported_reason(const Tensor& t);

class ElementReader {
 public:
  explicit ElementReader(const Tensor& t);  // throws Error if unsupported_reason(t) is not ""

  Lane lane() const { return lane_; }
  int64_t numel() const { return numel_; }

  // Elements [first, first + n) of the view. The result points either into
  // the tensor's own bytes (contiguous float32/float64, suitably aligned: no
  // copy) or into `buf`, which must hold n values. Use the overload that
  // matches lane(); the other one converts.
  const float* read(int64_t first, int64_t n, float* buf) const;
  const double* read(int64_t first, int64_t n, double* buf) const;

 private:
  template <class T> const T* read_impl(int64_t first, int64_t n, T* buf) const;
  template <class T> void decode_contiguous(const uint8_t* src, int64_t n, T* out) const;
  template <class T> T decode_one(const uint8_t* p) const;
  template <class T> void dequantize(int64_t first, int64_t n, T* out) const;

  const Tensor& t_;
  const uint8_t* base_ = nullptr;
  DType raw_ = DType::float32;  // element format on disk (underlying int for quantized)
  size_t item_ = 4;
  int64_t numel_ = 0;
  bool contiguous_ = true;
  Lane lane_ = Lane::f32;
  std::array<float, 256> fp8_{};  // float8 decode table
  // Quantization: x = (q - zero_point) * scale, in double.
  bool quantized_ = false;
  bool per_channel_ = false;
  double scale_ = 1, zero_point_ = 0;
  std::vector<double> scales_, zero_points_;
  int64_t channels_ = 1, inner_ = 1;  // channel of element i = (i / inner_) % channels_
};

}  // namespace ptscope::stats
