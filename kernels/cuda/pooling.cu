// 2-d pooling over contiguous float32 planes ([N*C, H, W]; 1-d pooling is
// H = 1): max (NaN propagates, flat h*W+w indices), average (padding counted
// or not, divisor override) and adaptive average/max. One thread per output
// element, consecutive threads on consecutive output columns.
#include "kernels/cuda/grid.h"
#include "kernels/cuda/launch.h"

namespace ptscope::kernels::cuda {
namespace {

__global__ void max_pool(const float* x, float* y, int64_t* indices, PoolArgs a) {
  const int64_t n = a.planes * a.OH * a.OW;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ow = i % a.OW, oh = (i / a.OW) % a.OH, p = i / (a.OW * a.OH);
    const float* plane = x + p * a.H * a.W;
    const int64_t h0 = oh * a.sh - a.ph, w0 = ow * a.sw - a.pw;
    float m = -INFINITY;
    int64_t best = -1;
    for (int kh = 0; kh < a.kh; ++kh) {
      const int64_t h = h0 + int64_t(kh) * a.dh;
      if (h < 0 || h >= a.H) continue;
      for (int kw = 0; kw < a.kw; ++kw) {
        const int64_t w = w0 + int64_t(kw) * a.dw;
        if (w < 0 || w >= a.W) continue;
        const float v = plane[h * a.W + w];
        if (best < 0 || v > m || v != v) {
          m = v;
          best = h * a.W + w;
          if (v != v) kh = a.kh;  // NaN wins: stop scanning
          if (v != v) break;
        }
      }
    }
    y[i] = m;
    if (indices) indices[i] = best;
  }
}

__global__ void avg_pool(const float* x, float* y, PoolArgs a) {
  const int64_t n = a.planes * a.OH * a.OW;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ow = i % a.OW, oh = (i / a.OW) % a.OH, p = i / (a.OW * a.OH);
    const float* plane = x + p * a.H * a.W;
    int64_t hs = oh * a.sh - a.ph, ws = ow * a.sw - a.pw;
    int64_t he = hs + a.kh, we = ws + a.kw;
    if (he > a.H + a.ph) he = a.H + a.ph;
    if (we > a.W + a.pw) we = a.W + a.pw;
    const int64_t pool = (he - hs) * (we - ws);  // ATen: window clipped to the padded input
    if (hs < 0) hs = 0;
    if (ws < 0) ws = 0;
    if (he > a.H) he = a.H;
    if (we > a.W) we = a.W;
    float s = 0.f;
    for (int64_t h = hs; h < he; ++h)
      for (int64_t w = ws; w < we; ++w) s += plane[h * a.W + w];
    const int64_t div = a.divisor ? a.divisor : a.count_include_pad ? pool : (he - hs) * (we - ws);
    y[i] = s / float(div);
  }
}

__global__ void adaptive_pool(const float* x, float* y, int64_t* indices, PoolArgs a, bool max) {
  const int64_t n = a.planes * a.OH * a.OW;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ow = i % a.OW, oh = (i / a.OW) % a.OH, p = i / (a.OW * a.OH);
    const float* plane = x + p * a.H * a.W;
    const int64_t hs = (oh * a.H) / a.OH, he = ((oh + 1) * a.H + a.OH - 1) / a.OH;
    const int64_t ws = (ow * a.W) / a.OW, we = ((ow + 1) * a.W + a.OW - 1) / a.OW;
    if (max) {
      float m = -INFINITY;
      int64_t best = -1;
      for (int64_t h = hs; h < he; ++h)
        for (int64_t w = ws; w < we; ++w) {
          const float v = plane[h * a.W + w];
          if (best < 0 || v > m || (v != v && m == m)) {
            m = v;
            best = h * a.W + w;
          }
        }
      y[i] = m;
      if (indices) indices[i] = best;
    } else {
      float s = 0.f;
      for (int64_t h = hs; h < he; ++h)
        for (int64_t w = ws; w < we; ++w) s += plane[h * a.W + w];
      y[i] = s / float((he - hs) * (we - ws));
    }
  }
}

}  // namespace

void launch_max_pool(const float* x, float* y, int64_t* indices, const PoolArgs& a, cudaStream_t stream) {
  const int64_t n = a.planes * a.OH * a.OW;
  if (n > 0) max_pool<<<grid_for(n), kThreads, 0, stream>>>(x, y, indices, a);
}

void launch_avg_pool(const float* x, float* y, const PoolArgs& a, cudaStream_t stream) {
  const int64_t n = a.planes * a.OH * a.OW;
  if (n > 0) avg_pool<<<grid_for(n), kThreads, 0, stream>>>(x, y, a);
}

void launch_adaptive_pool(const float* x, float* y, int64_t* indices, const PoolArgs& a, bool max, cudaStream_t stream) {
  const int64_t n = a.planes * a.OH * a.OW;
  if (n > 0) adaptive_pool<<<grid_for(n), kThreads, 0, stream>>>(x, y, indices, a, max);
}

}  // namespace ptscope::kernels::cuda
