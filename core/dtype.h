// c10::ScalarType as PyTorch numbers it on disk, with the facts readers need.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace ptscope {

enum class DType : int8_t {
  uint8 = 0, int8 = 1, int16 = 2, int32 = 3, int64 = 4, float16 = 5, float32 = 6, float64 = 7,
  complex32 = 8, complex64 = 9, complex128 = 10, bool_ = 11, qint8 = 12, quint8 = 13, qint32 = 14,
  bfloat16 = 15, quint4x2 = 16, quint2x4 = 17, bits1x8 = 18, bits2x4 = 19, bits4x2 = 20, bits8 = 21,
  bits16 = 22, float8_e5m2 = 23, float8_e4m3fn = 24, float8_e5m2fnuz = 25, float8_e4m3fnuz = 26,
  uint16 = 27, uint32 = 28, uint64 = 29, uint1 = 30, uint2 = 31, uint3 = 32, uint4 = 33, uint5 = 34,
  uint6 = 35, uint7 = 36, int1 = 37, int2 = 38, int3 = 39, int4 = 40, int5 = 41, int6 = 42, int7 = 43,
  float8_e8m0fnu = 44, float4_e2m1fn_x2 = 45,
  undefined = -1,
};

constexpr int kNumDTypes = 46;

struct DTypeInfo {
  DType dtype;
  std::string_view name;          // torch name: "float32", "bfloat16", ...
  std::string_view storage_name;  // c10 name used in `torch.<X>Storage`: "Float", "BFloat16", ...
  uint8_t itemsize;               // bytes per element (sub-byte kinds pack into 1)
  uint8_t swap_unit;              // byte-swap granularity (complex swaps each component)
  bool is_floating;
  bool is_complex;
  bool is_quantized;
  bool is_signed;
};

const DTypeInfo& dtype_info(DType dtype);
inline size_t itemsize(DType dtype) { return dtype_info(dtype).itemsize; }
inline std::string_view dtype_name(DType dtype) { return dtype_info(dtype).name; }
bool is_valid_dtype(int value);

// "float32" / "float" / "torch.float32" / "half" ... → DType.
std::optional<DType> dtype_from_name(std::string_view name);
// "FloatStorage" / "BFloat16Storage" (with or without "torch." prefix) → DType.
std::optional<DType> dtype_from_storage_class(std::string_view class_name);
// Underlying integer type of a quantized dtype (qint8 → int8, quint8 → uint8, ...).
DType quantized_underlying(DType dtype);

// Element conversions to double for the reduced-precision formats.
double half_to_double(uint16_t bits);
double bfloat16_to_double(uint16_t bits);
double float8_to_double(DType dtype, uint8_t bits);  // e5m2, e4m3fn, e5m2fnuz, e4m3fnuz, e8m0fnu

}  // namespace ptscope
