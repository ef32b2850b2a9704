// Softmax / log-softmax, the causal mask of attention, and the normalisations
// (layer, eval batch, group) over contiguous float32. Row reductions use one
// block per row with warp shuffles; statistics are two-pass (mean, then the
// squared deviations) in float, which keeps fp32 parity with the CPU.
#include <cfloat>

#include "kernels/cuda/grid.h"
#include "kernels/cuda/launch.h"

namespace ptscope::kernels::cuda {
namespace {

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Block-wide reductions; every thread gets the result. `shared` holds 32 floats.
template <bool kMax>
__device__ float block_reduce(float v, float* shared) {
  v = kMax ? warp_max(v) : warp_sum(v);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < warps ? shared[lane] : (kMax ? -FLT_MAX : 0.f);
  return kMax ? warp_max(v) : warp_sum(v);
}
__device__ float block_sum(float v, float* shared) { return block_reduce<false>(v, shared); }
__device__ float block_max(float v, float* shared) { return block_reduce<true>(v, shared); }

__global__ void softmax_rows(const float* x, float* y, int64_t dim, bool log) {
  __shared__ float shared[32];
  const float* xr = x + int64_t(blockIdx.x) * dim;
  float* yr = y + int64_t(blockIdx.x) * dim;
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < dim; j += blockDim.x) m = fmaxf(m, xr[j]);
  m = block_max(m, shared);
  if (m == -INFINITY) m = 0.f;  // a fully masked row: exp(-inf - 0) = 0, sum 0 → NaN like torch
  float s = 0.f;
  for (int64_t j = threadIdx.x; j < dim; j += blockDim.x) s += expf(xr[j] - m);
  s = block_sum(s, shared);
  if (log) {
    const float ls = logf(s);
    for (int64_t j = threadIdx.x; j < dim; j += blockDim.x) yr[j] = xr[j] - m - ls;
  } else {
    const float inv = 1.f / s;
    for (int64_t j = threadIdx.x; j < dim; j += blockDim.x) yr[j] = expf(xr[j] - m) * inv;
  }
}

// Softmax over a strided dim: one thread per (outer, inner) column, coalesced over inner.
__global__ void softmax_columns(const float* x, float* y, int64_t outer, int64_t dim, int64_t inner, bool log) {
  const int64_t cols = outer * inner;
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < cols; c += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = c / inner, k = c % inner;
    const float* xc = x + o * dim * inner + k;
    float* yc = y + o * dim * inner + k;
    float m = -INFINITY;
    for (int64_t j = 0; j < dim; ++j) m = fmaxf(m, xc[j * inner]);
    if (m == -INFINITY) m = 0.f;
    float s = 0.f;
    for (int64_t j = 0; j < dim; ++j) s += expf(xc[j * inner] - m);
    const float ls = logf(s), inv = 1.f / s;
    for (int64_t j = 0; j < dim; ++j) yc[j * inner] = log ? xc[j * inner] - m - ls : expf(xc[j * inner] - m) * inv;
  }
}

__global__ void causal_mask(float* s, int64_t batch, int64_t L, int64_t S) {
  const int64_t n = batch * L * S;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t j = i % S, q = (i / S) % L;
    if (j > q) s[i] = -INFINITY;
  }
}

struct MeanRstd {
  float mean, rstd;
};

// Mean and 1/sqrt(variance + eps) of x[0, n) over the whole block; the
// variance is taken about the mean in a second pass (no cancellation).
__device__ MeanRstd block_mean_rstd(const float* x, int64_t n, float eps, float* shared) {
  float s = 0.f;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x) s += x[j];
  const float mean = block_sum(s, shared) / float(n);
  float v = 0.f;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
    const float d = x[j] - mean;
    v += d * d;
  }
  return {mean, rsqrtf(block_sum(v, shared) / float(n) + eps)};
}

__global__ void layer_norm_rows(const float* x, const float* w, const float* b, float* y, float* mean_out,
                                float* rstd_out, int64_t n, float eps) {
  __shared__ float shared[32];
  const float* xr = x + int64_t(blockIdx.x) * n;
  float* yr = y + int64_t(blockIdx.x) * n;
  const auto [mean, rstd] = block_mean_rstd(xr, n, eps, shared);
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
    float r = (xr[j] - mean) * rstd;
    if (w) r *= w[j];
    if (b) r += b[j];
    yr[j] = r;
  }
  if (threadIdx.x == 0) {
    if (mean_out) mean_out[blockIdx.x] = mean;
    if (rstd_out) rstd_out[blockIdx.x] = rstd;
  }
}

__global__ void batch_norm_eval(const float* x, const float* mean, const float* var, const float* w, const float* b,
                                float* y, int64_t n, int64_t C, int64_t inner, float eps) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = (i / inner) % C;
    const float scale = rsqrtf(var[c] + eps) * (w ? w[c] : 1.f);
    y[i] = (x[i] - mean[c]) * scale + (b ? b[c] : 0.f);
  }
}

// One block per (n, group): the group's channels are contiguous.
__global__ void group_norm_groups(const float* x, const float* w, const float* b, float* y, int64_t C,
                                  int64_t inner, int64_t groups, float eps) {
  __shared__ float shared[32];
  const int64_t cpg = C / groups, count = cpg * inner;
  const int64_t base = int64_t(blockIdx.x) * count;
  const int64_t c0 = (int64_t(blockIdx.x) % groups) * cpg;
  const float* xg = x + base;
  float* yg = y + base;
  const auto [mean, rstd] = block_mean_rstd(xg, count, eps, shared);
  for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
    const int64_t c = c0 + j / inner;
    float r = (xg[j] - mean) * rstd;
    if (w) r *= w[c];
    if (b) r += b[c];
    yg[j] = r;
  }
}

// Threads per row: a multiple of 32 up to kThreads, fewer for short rows.
int row_threads(int64_t n) {
  int t = 32;
  while (t < kThreads && t < n) t *= 2;
  return t;
}

}  // namespace

void launch_softmax(const float* x, float* y, int64_t outer, int64_t dim, int64_t inner, bool log, cudaStream_t stream) {
  if (outer * dim * inner == 0) return;
  if (inner == 1) {
    // One block per row; rows beyond the grid limit are launched in slices.
    for (int64_t r0 = 0; r0 < outer; r0 += 2147483647LL) {
      const int64_t rows = outer - r0 < 2147483647LL ? outer - r0 : 2147483647LL;
      softmax_rows<<<unsigned(rows), row_threads(dim), 0, stream>>>(x + r0 * dim, y + r0 * dim, dim, log);
    }
  } else {
    softmax_columns<<<grid_for(outer * inner), kThreads, 0, stream>>>(x, y, outer, dim, inner, log);
  }
}

void launch_causal_mask(float* scores, int64_t batch, int64_t L, int64_t S, cudaStream_t stream) {
  if (batch * L * S == 0) return;
  causal_mask<<<grid_for(batch * L * S), kThreads, 0, stream>>>(scores, batch, L, S);
}

void launch_layer_norm(const float* x, const float* w, const float* b, float* y, float* mean, float* rstd,
                       int64_t rows, int64_t n, float eps, cudaStream_t stream) {
  if (rows == 0 || n == 0) return;
  layer_norm_rows<<<unsigned(rows), row_threads(n), 0, stream>>>(x, w, b, y, mean, rstd, n, eps);
}

void launch_batch_norm(const float* x, const float* mean, const float* var, const float* w, const float* b,
                       float* y, int64_t N, int64_t C, int64_t inner, float eps, cudaStream_t stream) {
  const int64_t n = N * C * inner;
  if (n == 0) return;
  batch_norm_eval<<<grid_for(n), kThreads, 0, stream>>>(x, mean, var, w, b, y, n, C, inner, eps);
}

void launch_group_norm(const float* x, const float* w, const float* b, float* y, int64_t N, int64_t C,
                       int64_t inner, int64_t groups, float eps, cudaStream_t stream) {
  if (N * C * inner == 0) return;
  group_norm_groups<<<unsigned(N * groups), row_threads((C / groups) * inner), 0, stream>>>(x, w, b, y, C, inner,
                                                                                            groups, eps);
}

}  // namespace ptscope::kernels::cuda
