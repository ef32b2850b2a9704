// Reductions over any set of dims of a float32 tensor with any strides:
// sum, mean, amax, amin. Large reductions use one block per output element
// (warp shuffles); small ones one thread per output, so that reductions over
// a few elements with many outputs stay coalesced on the outputs.
#include <cfloat>

#include "kernels/cuda/grid.h"
#include "kernels/cuda/launch.h"

namespace ptscope::kernels::cuda {
namespace {

__device__ __forceinline__ int64_t offset_of(int64_t i, const Layout& l) {
  int64_t off = 0;
  for (int d = l.ndim - 1; d >= 0; --d) {
    const int64_t c = i % l.shape[d];
    i /= l.shape[d];
    off += c * l.strides[d];
  }
  return off;
}

__device__ __forceinline__ float combine(ReduceOp op, float a, float b) {
  switch (op) {
    case ReduceOp::amax: return (a != a || b != b) ? __int_as_float(0x7fc00000) : fmaxf(a, b);
    case ReduceOp::amin: return (a != a || b != b) ? __int_as_float(0x7fc00000) : fminf(a, b);
    default: return a + b;
  }
}

__device__ __forceinline__ float identity(ReduceOp op) {
  return op == ReduceOp::amax ? -INFINITY : op == ReduceOp::amin ? INFINITY : 0.f;
}

__device__ __forceinline__ float finish(ReduceOp op, float v, int64_t n) {
  return op == ReduceOp::mean ? v / float(n) : v;
}

__global__ void reduce_block(const float* x, float* out, Layout kept, Layout red, int64_t n_red, ReduceOp op) {
  __shared__ float shared[32];
  const float* base = x + offset_of(blockIdx.x, kept);
  const bool inner_dense = red.ndim == 1 && red.strides[0] == 1;
  float acc = identity(op);
  for (int64_t r = threadIdx.x; r < n_red; r += blockDim.x)
    acc = combine(op, acc, base[inner_dense ? r : offset_of(r, red)]);
  for (int o = 16; o > 0; o >>= 1) acc = combine(op, acc, __shfl_xor_sync(0xffffffffu, acc, o));
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) shared[warp] = acc;
  __syncthreads();
  if (warp == 0) {
    acc = lane < int(blockDim.x >> 5) ? shared[lane] : identity(op);
    for (int o = 16; o > 0; o >>= 1) acc = combine(op, acc, __shfl_xor_sync(0xffffffffu, acc, o));
    if (lane == 0) out[blockIdx.x] = finish(op, acc, n_red);
  }
}

__global__ void reduce_thread(const float* x, float* out, Layout kept, int64_t n_out, Layout red, int64_t n_red, ReduceOp op) {
  for (int64_t o = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; o < n_out; o += int64_t(gridDim.x) * blockDim.x) {
    const float* base = x + offset_of(o, kept);
    float acc = identity(op);
    for (int64_t r = 0; r < n_red; ++r) acc = combine(op, acc, base[offset_of(r, red)]);
    out[o] = finish(op, acc, n_red);
  }
}

}  // namespace

void launch_reduce(const float* x, float* out, const Layout& kept, int64_t n_out, const Layout& reduced,
                   int64_t n_red, ReduceOp op, cudaStream_t stream) {
  if (n_out <= 0) return;
  if (n_red >= 256 && n_out <= 2147483647LL) {
    reduce_block<<<unsigned(n_out), kThreads, 0, stream>>>(x, out, kept, reduced, n_red, op);
  } else {
    int64_t blocks = (n_out + kThreads - 1) / kThreads;
    if (blocks > 65535LL * 16) blocks = 65535LL * 16;
    reduce_thread<<<unsigned(blocks), kThreads, 0, stream>>>(x, out, kept, n_out, reduced, n_red, op);
  }
}

}  // namespace ptscope::kernels::cuda
