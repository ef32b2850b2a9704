#include "core/dtype.h"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace ptscope {
namespace {

//                dtype                    name                storage           size swap  float  cplx   quant  signed
constexpr std::array<DTypeInfo, kNumDTypes> kInfo = {{
    {DType::uint8, "uint8", "Byte", 1, 1, false, false, false, false},
    {DType::int8, "int8", "Char", 1, 1, false, false, false, true},
    {DType::int16, "int16", "Short", 2, 2, false, false, false, true},
    {DType::int32, "int32", "Int", 4, 4, false, false, false, true},
    {DType::int64, "int64", "Long", 8, 8, false, false, false, true},
    {DType::float16, "float16", "Half", 2, 2, true, false, false, true},
    {DType::float32, "float32", "Float", 4, 4, true, false, false, true},
    {DType::float64, "float64", "Double", 8, 8, true, false, false, true},
    {DType::complex32, "complex32", "ComplexHalf", 4, 2, false, true, false, true},
    {DType::complex64, "complex64", "ComplexFloat", 8, 4, false, true, false, true},
    {DType::complex128, "complex128", "ComplexDouble", 16, 8, false, true, false, true},
    {DType::bool_, "bool", "Bool", 1, 1, false, false, false, false},
    {DType::qint8, "qint8", "QInt8", 1, 1, false, false, true, true},
    {DType::quint8, "quint8", "QUInt8", 1, 1, false, false, true, false},
    {DType::qint32, "qint32", "QInt32", 4, 4, false, false, true, true},
    {DType::bfloat16, "bfloat16", "BFloat16", 2, 2, true, false, false, true},
    {DType::quint4x2, "quint4x2", "QUInt4x2", 1, 1, false, false, true, false},
    {DType::quint2x4, "quint2x4", "QUInt2x4", 1, 1, false, false, true, false},
    {DType::bits1x8, "bits1x8", "Bits1x8", 1, 1, false, false, false, false},
    {DType::bits2x4, "bits2x4", "Bits2x4", 1, 1, false, false, false, false},
    {DType::bits4x2, "bits4x2", "Bits4x2", 1, 1, false, false, false, false},
    {DType::bits8, "bits8", "Bits8", 1, 1, false, false, false, false},
    {DType::bits16, "bits16", "Bits16", 2, 2, false, false, false, false},
    {DType::float8_e5m2, "float8_e5m2", "Float8_e5m2", 1, 1, true, false, false, true},
    {DType::float8_e4m3fn, "float8_e4m3fn", "Float8_e4m3fn", 1, 1, true, false, false, true},
    {DType::float8_e5m2fnuz, "float8_e5m2fnuz", "Float8_e5m2fnuz", 1, 1, true, false, false, true},
    {DType::float8_e4m3fnuz, "float8_e4m3fnuz", "Float8_e4m3fnuz", 1, 1, true, false, false, true},
    {DType::uint16, "uint16", "UInt16", 2, 2, false, false, false, false},
    {DType::uint32, "uint32", "UInt32", 4, 4, false, false, false, false},
    {DType::uint64, "uint64", "UInt64", 8, 8, false, false, false, false},
    {DType::uint1, "uint1", "UInt1", 1, 1, false, false, false, false},
    {DType::uint2, "uint2", "UInt2", 1, 1, false, false, false, false},
    {DType::uint3, "uint3", "UInt3", 1, 1, false, false, false, false},
    {DType::uint4, "uint4", "UInt4", 1, 1, false, false, false, false},
    {DType::uint5, "uint5", "UInt5", 1, 1, false, false, false, false},
    {DType::uint6, "uint6", "UInt6", 1, 1, false, false, false, false},
    {DType::uint7, "uint7", "UInt7", 1, 1, false, false, false, false},
    {DType::int1, "int1", "Int1", 1, 1, false, false, false, true},
    {DType::int2, "int2", "Int2", 1, 1, false, false, false, true},
    {DType::int3, "int3", "Int3", 1, 1, false, false, false, true},
    {DType::int4, "int4", "Int4", 1, 1, false, false, false, true},
    {DType::int5, "int5", "Int5", 1, 1, false, false, false, true},
    {DType::int6, "int6", "Int6", 1, 1, false, false, false, true},
    {DType::int7, "int7", "Int7", 1, 1, false, false, false, true},
    {DType::float8_e8m0fnu, "float8_e8m0fnu", "Float8_e8m0fnu", 1, 1, true, false, false, false},
    {DType::float4_e2m1fn_x2, "float4_e2m1fn_x2", "Float4_e2m1fn_x2", 1, 1, true, false, false, true},
}};

constexpr DTypeInfo kUndefined = {DType::undefined, "undefined", "Undefined", 1, 1, false, false, false, false};

struct Alias { std::string_view alias; DType dtype; };
// Python attribute aliases of torch dtypes (torch.float is float32, ...).
constexpr Alias kAliases[] = {
    {"float", DType::float32}, {"double", DType::float64}, {"half", DType::float16},
    {"cfloat", DType::complex64}, {"cdouble", DType::complex128}, {"chalf", DType::complex32},
    {"complex", DType::complex64}, {"short", DType::int16}, {"int", DType::int32},
    {"long", DType::int64}, {"byte", DType::uint8}, {"char", DType::int8},
};

}  // namespace

const DTypeInfo& dtype_info(DType dtype) {
  int v = static_cast<int>(dtype);
  if (v < 0 || v >= kNumDTypes) return kUndefined;
  return kInfo[static_cast<size_t>(v)];
}

bool is_valid_dtype(int value) { return value >= 0 && value < kNumDTypes; }

std::optional<DType> dtype_from_name(std::string_view name) {
  if (name.substr(0, 6) == "torch.") name.remove_prefix(6);
  for (const auto& info : kInfo)
    if (info.name == name) return info.dtype;
  for (const auto& a : kAliases)
    if (a.alias == name) return a.dtype;
  return std::nullopt;
}

std::optional<DType> dtype_from_storage_class(std::string_view class_name) {
  // Accept "torch.FloatStorage", "torch.cuda.FloatStorage", "FloatStorage".
  auto dot = class_name.rfind('.');
  if (dot != std::string_view::npos) class_name.remove_prefix(dot + 1);
  constexpr std::string_view suffix = "Storage";
  if (class_name.size() <= suffix.size() || class_name.substr(class_name.size() - suffix.size()) != suffix)
    return std::nullopt;
  class_name.remove_suffix(suffix.size());
  for (const auto& info : kInfo)
    if (info.storage_name == class_name) return info.dtype;
  return std::nullopt;
}

DType quantized_underlying(DType dtype) {
  switch (dtype) {
    case DType::qint8: return DType::int8;
    case DType::qint32: return DType::int32;
    case DType::quint8:
    case DType::quint4x2:
    case DType::quint2x4: return DType::uint8;
    default: return dtype;
  }
}

double half_to_double(uint16_t bits) {
  const int sign = (bits >> 15) & 1;
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  double v;
  if (exponent == 0) v = std::ldexp(double(mantissa), -24);
  else if (exponent == 31) v = mantissa ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  else v = std::ldexp(double(mantissa | 0x400), exponent - 25);
  return sign ? -v : v;
}

double bfloat16_to_double(uint16_t bits) {
  uint32_t widened = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &widened, 4);
  return f;
}

namespace {
// Generic small-float decode: `exp_bits` exponent bits, `man_bits` mantissa bits.
// fnuz formats have no negative zero: 0x80 is their only NaN and bias is one more.
double decode_minifloat(uint8_t bits, int exp_bits, int man_bits, int bias, bool ieee_inf, bool fn, bool fnuz) {
  if (fnuz && bits == 0x80) return std::numeric_limits<double>::quiet_NaN();
  const int sign = bits >> 7;
  const int exponent = (bits >> man_bits) & ((1 << exp_bits) - 1);
  const int mantissa = bits & ((1 << man_bits) - 1);
  const int max_exp = (1 << exp_bits) - 1;
  double v;
  if (ieee_inf && exponent == max_exp) {
    v = mantissa ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  } else if (fn && exponent == max_exp && mantissa == (1 << man_bits) - 1) {
    v = std::numeric_limits<double>::quiet_NaN();  // e4m3fn: S.1111.111 is NaN, no infinities
  } else if (exponent == 0) {
    v = std::ldexp(double(mantissa), 1 - bias - man_bits);
  } else {
    v = std::ldexp(double(mantissa | (1 << man_bits)), exponent - bias - man_bits);
  }
  return sign ? -v : v;
}
}  // namespace

double float8_to_double(DType dtype, uint8_t bits) {
  switch (dtype) {
    case DType::float8_e5m2: return decode_minifloat(bits, 5, 2, 15, true, false, false);
    case DType::float8_e4m3fn: return decode_minifloat(bits, 4, 3, 7, false, true, false);
    case DType::float8_e5m2fnuz: return decode_minifloat(bits, 5, 2, 16, false, false, true);
    case DType::float8_e4m3fnuz: return decode_minifloat(bits, 4, 3, 8, false, false, true);
    case DType::float8_e8m0fnu:
      // Exponent only (bias 127); 0xFF is NaN.
      return bits == 0xff ? std::numeric_limits<double>::quiet_NaN() : std::ldexp(1.0, int(bits) - 127);
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace ptscope
