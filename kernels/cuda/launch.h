// Host entry points of the CUDA kernels in kernels/cuda/*.cu. Arguments are
// device pointers and plain descriptors (device_types.h); every launcher
// enqueues on `stream` and returns without synchronising. Launch errors are
// picked up by the caller's check after the op (cuda_check_launch).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "graph/pool_args.h"
#include "kernels/cuda/device_types.h"

namespace ptscope::kernels::cuda {

// ---- elementwise.cu
struct MapArgs {
  MapOp op = MapOp::copy;
  float p0 = 0, p1 = 0, p2 = 0;
  int32_t nin = 0;
  MapOperand in[3];
  void* out = nullptr;
  DT out_dt = DT::f32;
  int64_t out_strides[kMaxDims] = {};
  Layout space;  // the iteration space (merged dims); strides unused
  int64_t n = 0;
  bool contiguous = false;  // every tensor operand and the output are dense over the space
};
void launch_map(const MapArgs& a, cudaStream_t stream);

// dst = src converted between dtypes (C casts; nonzero → true), any strides.
struct CopyArgs {
  const void* src = nullptr;
  DT src_dt = DT::f32;
  void* dst = nullptr;
  DT dst_dt = DT::f32;
  Layout space;           // shape; strides are the source's
  int64_t dst_strides[kMaxDims] = {};
  int64_t n = 0;
};
void launch_copy(const CopyArgs& a, cudaStream_t stream);
// Every element of a strided tensor set to v (converted to dt).
void launch_fill(void* dst, DT dt, const Layout& layout, int64_t n, double v, cudaStream_t stream);

// ---- softmax_norm.cu (contiguous float32)
// Softmax over the middle dim of [outer, dim, inner].
void launch_softmax(const float* x, float* y, int64_t outer, int64_t dim, int64_t inner, bool log, cudaStream_t stream);
// Adds -inf where key position j > query position i (is_causal) over [batch, L, S] scores.
void launch_causal_mask(float* scores, int64_t batch, int64_t L, int64_t S, cudaStream_t stream);
// Normalises rows of n elements; mean/rstd (per row) are written when not null.
void launch_layer_norm(const float* x, const float* w, const float* b, float* y, float* mean, float* rstd,
                       int64_t rows, int64_t n, float eps, cudaStream_t stream);
// Eval batch norm over [N, C, inner]: y = (x - mean) * rsqrt(var + eps) * w + b.
void launch_batch_norm(const float* x, const float* mean, const float* var, const float* w, const float* b,
                       float* y, int64_t N, int64_t C, int64_t inner, float eps, cudaStream_t stream);
// Group norm over [N, C, inner] with `groups` groups.
void launch_group_norm(const float* x, const float* w, const float* b, float* y, int64_t N, int64_t C,
                       int64_t inner, int64_t groups, float eps, cudaStream_t stream);

// ---- pooling.cu (contiguous float32, [planes, h, w] → [planes, oh, ow]; graph/pool_args.h)
using graph::PoolGeometry;
void launch_max_pool(const float* x, float* y, int64_t* indices, const PoolGeometry& g, cudaStream_t stream);
void launch_avg_pool(const float* x, float* y, const PoolGeometry& g, cudaStream_t stream);
void launch_adaptive_pool(const float* x, float* y, int64_t* indices, const PoolGeometry& g, bool max,
                          cudaStream_t stream);

// ---- reduction.cu
enum class ReduceOp : int32_t { sum, mean, amax, amin };
// out[o] = reduce over r of x[offset(o) + offset(r)] (float32 in and out).
// `kept` describes the output elements (shape and the input's strides),
// `reduced` the reduced dims; out is contiguous over `kept`.
void launch_reduce(const float* x, float* out, const Layout& kept, int64_t n_out, const Layout& reduced,
                   int64_t n_red, ReduceOp op, cudaStream_t stream);

// ---- index.cu
// out[i, :] = table[idx[i], :] for rows of `width` floats (table rows `row_stride` apart).
// Indices outside [0, rows) produce NaN rows (the CPU kernel reports them as errors).
void launch_embedding(const float* table, int64_t rows, int64_t width, int64_t row_stride, const int64_t* idx,
                      int64_t n_idx, float* out, cudaStream_t stream);
// out[o, i, k] = x[o, idx[i], k] over contiguous [outer, dim, inner] (any element size).
void launch_index_select(const void* x, int64_t outer, int64_t dim, int64_t inner, int64_t elem_bytes,
                         const int64_t* idx, int64_t n_idx, void* out, cudaStream_t stream);

}  // namespace ptscope::kernels::cuda
