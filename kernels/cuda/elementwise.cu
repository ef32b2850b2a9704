// Elementwise kernels: the map kernel (unary, binary and ternary ops over
// float32 operands with broadcasting and any strides; comparisons write
// bool), dtype-converting strided copies and fills. A dense fast path indexes
// every operand with the linear index; the general path decodes the index
// over the merged iteration space once per element.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/cuda/grid.h"
#include "kernels/cuda/launch.h"

namespace ptscope::kernels::cuda {
namespace {

__device__ __forceinline__ double load_any(const void* p, DT dt, int64_t i) {
  switch (dt) {
    case DT::f32: return static_cast<const float*>(p)[i];
    case DT::f64: return static_cast<const double*>(p)[i];
    case DT::f16: return __half2float(static_cast<const __half*>(p)[i]);
    case DT::bf16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    case DT::i64: return double(static_cast<const long long*>(p)[i]);
    case DT::i32: return static_cast<const int*>(p)[i];
    case DT::i16: return static_cast<const short*>(p)[i];
    case DT::i8: return static_cast<const signed char*>(p)[i];
    case DT::u8: return static_cast<const unsigned char*>(p)[i];
    case DT::b8: return static_cast<const unsigned char*>(p)[i] != 0 ? 1.0 : 0.0;
  }
  return 0;
}

// Integer destinations are written from the value itself, not through double,
// so that int64 values above 2^53 survive an int → int copy.
__device__ __forceinline__ long long load_int(const void* p, DT dt, int64_t i) {
  switch (dt) {
    case DT::i64: return static_cast<const long long*>(p)[i];
    case DT::i32: return static_cast<const int*>(p)[i];
    case DT::i16: return static_cast<const short*>(p)[i];
    case DT::i8: return static_cast<const signed char*>(p)[i];
    case DT::u8: return static_cast<const unsigned char*>(p)[i];
    case DT::b8: return static_cast<const unsigned char*>(p)[i] != 0;
    default: return 0;
  }
}

__device__ __forceinline__ bool is_int(DT dt) { return dt == DT::i64 || dt == DT::i32 || dt == DT::i16 || dt == DT::i8 || dt == DT::u8 || dt == DT::b8; }

__device__ __forceinline__ void store_any(void* p, DT dt, int64_t i, double v) {
  switch (dt) {
    case DT::f32: static_cast<float*>(p)[i] = float(v); break;
    case DT::f64: static_cast<double*>(p)[i] = v; break;
    // float first: the CPU's cast_value rounds double → float → half the same way.
    case DT::f16: static_cast<__half*>(p)[i] = __float2half_rn(float(v)); break;
    case DT::bf16: static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(float(v)); break;
    case DT::i64: static_cast<long long*>(p)[i] = (long long)v; break;
    case DT::i32: static_cast<int*>(p)[i] = int(v); break;
    case DT::i16: static_cast<short*>(p)[i] = short(v); break;
    case DT::i8: static_cast<signed char*>(p)[i] = (signed char)v; break;
    case DT::u8: static_cast<unsigned char*>(p)[i] = (unsigned char)(long long)v; break;
    case DT::b8: static_cast<unsigned char*>(p)[i] = v != 0 ? 1 : 0; break;
  }
}

__device__ __forceinline__ void store_int(void* p, DT dt, int64_t i, long long v) {
  switch (dt) {
    case DT::i64: static_cast<long long*>(p)[i] = v; break;
    case DT::i32: static_cast<int*>(p)[i] = int(v); break;
    case DT::i16: static_cast<short*>(p)[i] = short(v); break;
    case DT::i8: static_cast<signed char*>(p)[i] = (signed char)v; break;
    case DT::u8: static_cast<unsigned char*>(p)[i] = (unsigned char)v; break;
    case DT::b8: static_cast<unsigned char*>(p)[i] = v != 0; break;
    default: store_any(p, dt, i, double(v)); break;
  }
}

__device__ __forceinline__ float sigmoidf(float x) { return 1.f / (1.f + expf(-x)); }

__device__ __forceinline__ float apply(const MapArgs& a, float x, float y, float z) {
  switch (a.op) {
    case MapOp::copy: return x;
    case MapOp::relu: return x < 0.f ? 0.f : x;  // NaN passes through
    case MapOp::hardtanh:
    case MapOp::clamp: {
      // ATen's clamp: NaN propagates; min then max.
      if (x != x) return x;
      float r = x < a.p0 ? a.p0 : x;
      return r > a.p1 ? a.p1 : r;
    }
    case MapOp::gelu: return 0.5f * x * (1.f + erff(x * 0.7071067811865476f));
    case MapOp::gelu_tanh: {
      const float k = 0.7978845608028654f;
      return 0.5f * x * (1.f + tanhf(k * (x + 0.044715f * x * x * x)));
    }
    case MapOp::sigmoid: return sigmoidf(x);
    case MapOp::tanh: return tanhf(x);
    case MapOp::silu: return x * sigmoidf(x);
    case MapOp::hardswish: return x * fminf(fmaxf(x + 3.f, 0.f), 6.f) / 6.f;
    case MapOp::hardsigmoid: return fminf(fmaxf(x + 3.f, 0.f), 6.f) / 6.f;
    case MapOp::leaky_relu: return x > 0.f ? x : x * a.p0;
    case MapOp::elu: return x > 0.f ? x * a.p1 : expm1f(x * a.p2) * a.p0 * a.p1;  // alpha, scale, input_scale
    case MapOp::softplus: return x * a.p0 > a.p1 ? x : log1pf(expf(x * a.p0)) / a.p0;
    case MapOp::mish: return x * tanhf(x > 20.f ? x : log1pf(expf(x)));
    case MapOp::threshold: return x <= a.p0 ? a.p1 : x;
    case MapOp::exp: return expf(x);
    case MapOp::expm1: return expm1f(x);
    case MapOp::log: return logf(x);
    case MapOp::log1p: return log1pf(x);
    case MapOp::log2: return log2f(x);
    case MapOp::sqrt: return sqrtf(x);
    case MapOp::rsqrt: return 1.f / sqrtf(x);
    case MapOp::sin: return sinf(x);
    case MapOp::cos: return cosf(x);
    case MapOp::erf: return erff(x);
    case MapOp::reciprocal: return 1.f / x;
    case MapOp::neg: return -x;
    case MapOp::abs: return fabsf(x);
    case MapOp::square: return x * x;
    case MapOp::floor: return floorf(x);
    case MapOp::ceil: return ceilf(x);
    case MapOp::trunc: return truncf(x);
    case MapOp::round: return rintf(x);  // half to even, as torch.round
#define PTSCOPE_MAP_OP_CASE(name, aten, expr) \
  case MapOp::name: return expr;
    PTSCOPE_CUDA_UNARY_OPS(PTSCOPE_MAP_OP_CASE)
#undef PTSCOPE_MAP_OP_CASE
    case MapOp::add: return x + a.p0 * y;
    case MapOp::sub: return x - a.p0 * y;
    case MapOp::rsub: return y - a.p0 * x;
    case MapOp::mul: return x * y;
    case MapOp::div: return x / y;
    case MapOp::maximum: return (x != x || y != y) ? __int_as_float(0x7fc00000) : fmaxf(x, y);
    case MapOp::minimum: return (x != x || y != y) ? __int_as_float(0x7fc00000) : fminf(x, y);
    case MapOp::pow: return powf(x, y);
    case MapOp::eq: return x == y;
    case MapOp::ne: return x != y;
    case MapOp::lt: return x < y;
    case MapOp::le: return x <= y;
    case MapOp::gt: return x > y;
    case MapOp::ge: return x >= y;
    case MapOp::where: return x != 0.f ? y : z;
    case MapOp::addcmul: return x + a.p0 * y * z;
    case MapOp::addcdiv: return x + a.p0 * y / z;
    case MapOp::lerp: return fabsf(z) < 0.5f ? x + z * (y - x) : y - (y - x) * (1.f - z);
  }
  return 0.f;
}

__device__ __forceinline__ float operand(const MapOperand& o, int64_t off) {
  if (!o.ptr) return float(o.scalar);
  if (o.dt == DT::f32) return static_cast<const float*>(o.ptr)[off];
  return float(load_any(o.ptr, o.dt, off));
}

__global__ void map_dense(MapArgs a) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n; i += int64_t(gridDim.x) * blockDim.x) {
    const float x = operand(a.in[0], i);
    const float y = a.nin > 1 ? operand(a.in[1], i) : 0.f;
    const float z = a.nin > 2 ? operand(a.in[2], i) : 0.f;
    const float r = apply(a, x, y, z);
    if (a.out_dt == DT::f32) static_cast<float*>(a.out)[i] = r;
    else store_any(a.out, a.out_dt, i, r);
  }
}

// Dense float32 unary/binary without scalars: four elements per thread through float4.
__global__ void map_dense_vec4(MapArgs a) {
  const int64_t n4 = a.n / 4;
  const float4* x4 = static_cast<const float4*>(a.in[0].ptr);
  const float4* y4 = a.nin > 1 ? static_cast<const float4*>(a.in[1].ptr) : nullptr;
  float4* o4 = static_cast<float4*>(a.out);
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n4; i += int64_t(gridDim.x) * blockDim.x) {
    const float4 x = x4[i];
    const float4 y = y4 ? y4[i] : make_float4(0.f, 0.f, 0.f, 0.f);
    o4[i] = make_float4(apply(a, x.x, y.x, 0.f), apply(a, x.y, y.y, 0.f), apply(a, x.z, y.z, 0.f), apply(a, x.w, y.w, 0.f));
  }
}

__global__ void map_strided(MapArgs a) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[3] = {0, 0, 0}, out_off = 0, rem = i;
    for (int d = a.space.ndim - 1; d >= 0; --d) {
      const int64_t c = rem % a.space.shape[d];
      rem /= a.space.shape[d];
      for (int k = 0; k < 3; ++k) off[k] += c * a.in[k].strides[d];
      out_off += c * a.out_strides[d];
    }
    const float x = operand(a.in[0], off[0]);
    const float y = a.nin > 1 ? operand(a.in[1], off[1]) : 0.f;
    const float z = a.nin > 2 ? operand(a.in[2], off[2]) : 0.f;
    const float r = apply(a, x, y, z);
    if (a.out_dt == DT::f32) static_cast<float*>(a.out)[out_off] = r;
    else store_any(a.out, a.out_dt, out_off, r);
  }
}

__global__ void copy_kernel(CopyArgs a) {
  const bool ints = is_int(a.src_dt) && is_int(a.dst_dt);
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t so = 0, dof = 0, rem = i;
    for (int d = a.space.ndim - 1; d >= 0; --d) {
      const int64_t c = rem % a.space.shape[d];
      rem /= a.space.shape[d];
      so += c * a.space.strides[d];
      dof += c * a.dst_strides[d];
    }
    if (a.src_dt == a.dst_dt && a.src_dt == DT::f32) static_cast<float*>(a.dst)[dof] = static_cast<const float*>(a.src)[so];
    else if (ints) store_int(a.dst, a.dst_dt, dof, load_int(a.src, a.src_dt, so));
    else store_any(a.dst, a.dst_dt, dof, load_any(a.src, a.src_dt, so));
  }
}

__global__ void fill_kernel(void* dst, DT dt, Layout l, int64_t n, double v) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off = 0, rem = i;
    for (int d = l.ndim - 1; d >= 0; --d) {
      const int64_t c = rem % l.shape[d];
      rem /= l.shape[d];
      off += c * l.strides[d];
    }
    store_any(dst, dt, off, v);
  }
}

}  // namespace

void launch_map(const MapArgs& a, cudaStream_t stream) {
  if (a.n <= 0) return;
  if (a.contiguous) {
    bool vec = a.out_dt == DT::f32 && a.nin <= 2 && a.n % 4 == 0 && (reinterpret_cast<uintptr_t>(a.out) % 16) == 0;
    for (int k = 0; k < a.nin; ++k)
      vec = vec && a.in[k].ptr && a.in[k].dt == DT::f32 && (reinterpret_cast<uintptr_t>(a.in[k].ptr) % 16) == 0;
    if (vec) map_dense_vec4<<<grid_for(a.n / 4), kThreads, 0, stream>>>(a);
    else map_dense<<<grid_for(a.n), kThreads, 0, stream>>>(a);
    return;
  }
  map_strided<<<grid_for(a.n), kThreads, 0, stream>>>(a);
}

void launch_copy(const CopyArgs& a, cudaStream_t stream) {
  if (a.n <= 0) return;
  copy_kernel<<<grid_for(a.n), kThreads, 0, stream>>>(a);
}

void launch_fill(void* dst, DT dt, const Layout& layout, int64_t n, double v, cudaStream_t stream) {
  if (n <= 0) return;
  fill_kernel<<<grid_for(n), kThreads, 0, stream>>>(dst, dt, layout, n, v);
}

}  // namespace ptscope::kernels::cuda
