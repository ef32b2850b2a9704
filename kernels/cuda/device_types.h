// Plain descriptions of device tensors shared by the host code (.cpp) and
// the CUDA kernels (.cu). Nothing here includes a project or CUDA header, so
// that nvcc compiles the kernels without the C++20 host headers.
#pragma once
#include <cstdint>

#include "kernels/cuda/unary_ops.h"

namespace ptscope::kernels::cuda {

constexpr int kMaxDims = 8;

// Element types the kernels read and write (a subset of ptscope::DType).
enum class DT : int32_t { f32, f64, f16, bf16, i64, i32, i16, i8, u8, b8 };

// Shape and element strides of one operand over an iteration space of
// `ndim` dims (broadcast dims have stride 0). Dims are innermost last.
struct Layout {
  int32_t ndim = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[kMaxDims] = {};
};

// Elementwise ops of the map kernel (elementwise.cu). Parameters p0..p2 are
// the op's scalars (alpha, bounds, slopes).
enum class MapOp : int32_t {
  // unary: y = f(a)
  copy, relu, hardtanh, gelu, gelu_tanh, sigmoid, tanh, silu, hardswish, hardsigmoid, leaky_relu, elu,
  softplus, mish, threshold, exp, expm1, log, log1p, log2, sqrt, rsqrt, sin, cos, erf, reciprocal, neg,
  abs, square, floor, ceil, trunc, round, clamp,
#define PTSCOPE_MAP_OP_ENUM(name, aten, expr) name,
  PTSCOPE_CUDA_UNARY_OPS(PTSCOPE_MAP_OP_ENUM)
#undef PTSCOPE_MAP_OP_ENUM
  // binary: y = f(a, b)
  add, sub, rsub, mul, div, maximum, minimum, pow, eq, ne, lt, le, gt, ge,
  // ternary: y = f(a, b, c)
  where,    // a (bool) ? b : c
  addcmul,  // a + p0 * b * c
  addcdiv,  // a + p0 * b / c
  lerp,     // a + c * (b - a), ATen's two-sided form
};

// One operand of the map kernel: a device tensor, or a scalar when ptr is null.
struct MapOperand {
  const void* ptr = nullptr;
  DT dt = DT::f32;
  double scalar = 0;
  int64_t strides[kMaxDims] = {};
};

}  // namespace ptscope::kernels::cuda
