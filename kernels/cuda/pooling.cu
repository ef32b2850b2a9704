// 2-d pooling over contiguous float32 planes ([N*C, H, W]; 1-d pooling is
// H = 1): max (NaN propagates, flat h*W+w indices), average (padding counted
// or not, divisor override) and adaptive average/max. One thread per output
// element, consecutive threads on consecutive output columns. The windows are
// graph/pool_args.h's, as on the CPU.
#include "kernels/cuda/grid.h"
#include "kernels/cuda/launch.h"

namespace ptscope::kernels::cuda {
namespace {

__global__ void max_pool(const float* x, float* y, int64_t* indices, PoolGeometry g) {
  const int64_t n = g.planes * g.oh * g.ow;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ow = i % g.ow, oh = (i / g.ow) % g.oh, p = i / (g.ow * g.oh);
    const float* plane = x + p * g.h * g.w;
    const int64_t h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
    float m = -INFINITY;
    int64_t best = -1;
    for (int64_t kh = 0; kh < g.kh; ++kh) {
      const int64_t h = h0 + kh * g.dh;
      if (h < 0 || h >= g.h) continue;
      for (int64_t kw = 0; kw < g.kw; ++kw) {
        const int64_t w = w0 + kw * g.dw;
        if (w < 0 || w >= g.w) continue;
        const float v = plane[h * g.w + w];
        if (best < 0 || v > m || v != v) {
          m = v;
          best = h * g.w + w;
          if (v != v) kh = g.kh;  // NaN wins: stop scanning
          if (v != v) break;
        }
      }
    }
    y[i] = m;
    if (indices) indices[i] = best;
  }
}

__global__ void avg_pool(const float* x, float* y, PoolGeometry g) {
  const int64_t n = g.planes * g.oh * g.ow;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ow = i % g.ow, oh = (i / g.ow) % g.oh, p = i / (g.ow * g.oh);
    const graph::AvgWindow h = graph::avg_window(oh, g.h, g.kh, g.sh, g.ph);
    const graph::AvgWindow w = graph::avg_window(ow, g.w, g.kw, g.sw, g.pw);
    const float s = graph::window_sum(x + p * g.h * g.w, g.w, h.begin, h.end, w.begin, w.end);
    y[i] = s / float(graph::avg_divisor(g, h, w));
  }
}

__global__ void adaptive_pool(const float* x, float* y, int64_t* indices, PoolGeometry g, bool max) {
  const int64_t n = g.planes * g.oh * g.ow;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ow = i % g.ow, oh = (i / g.ow) % g.oh, p = i / (g.ow * g.oh);
    const float* plane = x + p * g.h * g.w;
    const int64_t hs = graph::adaptive_begin(oh, g.h, g.oh), he = graph::adaptive_end(oh, g.h, g.oh);
    const int64_t ws = graph::adaptive_begin(ow, g.w, g.ow), we = graph::adaptive_end(ow, g.w, g.ow);
    if (!max) {
      y[i] = graph::window_sum(plane, g.w, hs, he, ws, we) / float((he - hs) * (we - ws));
      continue;
    }
    float m = -INFINITY;
    int64_t best = -1;
    for (int64_t h = hs; h < he; ++h)
      for (int64_t w = ws; w < we; ++w) {
        const float v = plane[h * g.w + w];
        if (best < 0 || v > m || (v != v && m == m)) {
          m = v;
          best = h * g.w + w;
        }
      }
    y[i] = m;
    if (indices) indices[i] = best;
  }
}

}  // namespace

void launch_max_pool(const float* x, float* y, int64_t* indices, const PoolGeometry& g, cudaStream_t stream) {
  const int64_t n = g.planes * g.oh * g.ow;
  if (n > 0) max_pool<<<grid_for(n), kThreads, 0, stream>>>(x, y, indices, g);
}

void launch_avg_pool(const float* x, float* y, const PoolGeometry& g, cudaStream_t stream) {
  const int64_t n = g.planes * g.oh * g.ow;
  if (n > 0) avg_pool<<<grid_for(n), kThreads, 0, stream>>>(x, y, g);
}

void launch_adaptive_pool(const float* x, float* y, int64_t* indices, const PoolGeometry& g, bool max,
                          cudaStream_t stream) {
  const int64_t n = g.planes * g.oh * g.ow;
  if (n > 0) adaptive_pool<<<grid_for(n), kThreads, 0, stream>>>(x, y, indices, g, max);
}

}  // namespace ptscope::kernels::cuda
