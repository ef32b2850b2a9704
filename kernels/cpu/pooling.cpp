// Pooling over the last one or two dims of [N, C, (H,) W] float tensors:
// max (with dilation, ceil_mode and int64 indices), average
// (count_include_pad, divisor_override) and the adaptive forms. Output sizes
// come from the preallocated outputs (the shape rule applied ceil_mode).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "graph/pool_args.h"
#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {
namespace {

using graph::PoolGeometry;

// The arguments bound as the shape rule binds them (graph/pool_args.h), and
// the geometry of input and output; 1-D pooling runs with H = 1.
PoolGeometry geometry(const KernelCall& c, const CpuTensor& x, graph::PoolKind kind, int sd) {
  const graph::PoolArgs args = graph::bind_pool_args(c, kind, size_t(sd));
  const std::optional<PoolGeometry> g = graph::pool_geometry(x.shape, c.out().shape, args);
  if (!g)
    kernel_fail("pooling: input " + shape_string(x.shape) + " does not fit output " + shape_string(c.out().shape));
  return *g;
}

// Values only, no dilation (the common case, e.g. every torchvision CNN). The
// loop runs along an output row for one window offset at a time, so that the
// outputs' maxima are independent (pipelined, vectorisable) rather than one
// dependent chain per window. The select keeps a NaN once seen (v > NaN and
// NaN > v are false; v != v catches a new NaN), as ATen propagates NaN.
void max_pool_values(const float* x, float* y, const PoolGeometry& g) {
  // Per window column kj: the output columns whose input column is inside the plane.
  std::vector<int64_t> lo(size_t(g.kw)), hi(size_t(g.kw));
  for (int64_t kj = 0; kj < g.kw; ++kj) {
    const int64_t off = kj - g.pw;  // input column of output 0
    lo[size_t(kj)] = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
    hi[size_t(kj)] = g.w - 1 - off < 0 ? 0 : std::min(g.ow, (g.w - 1 - off) / g.sw + 1);
  }
  parallel_rows(g.planes, g.oh * g.ow * g.kh * g.kw, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* xp = x + p * g.h * g.w;
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        float* yr = y + (p * g.oh + oh) * g.ow;
        std::fill(yr, yr + g.ow, -std::numeric_limits<float>::infinity());
        const int64_t start = oh * g.sh - g.ph;
        const int64_t h0 = std::max<int64_t>(start, 0), h1 = std::min(start + g.kh, g.h);
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t kj = 0; kj < g.kw; ++kj) {
            const float* src = xp + ih * g.w + (kj - g.pw);
            for (int64_t ow = lo[size_t(kj)]; ow < hi[size_t(kj)]; ++ow) {
              const float v = src[ow * g.sw], m = yr[ow];
              yr[ow] = (v > m || v != v) ? v : m;
            }
          }
      }
    }
  });
}

void max_pool(const float* x, float* y, int64_t* idx, const PoolGeometry& g) {
  if (!idx && g.dh == 1 && g.dw == 1) return max_pool_values(x, y, g);
  parallel_rows(g.planes, g.oh * g.ow * g.kh * g.kw, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* xp = x + p * g.h * g.w;
      for (int64_t oh = 0; oh < g.oh; ++oh)
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t at = -1;
          for (int64_t ki = 0; ki < g.kh; ++ki) {
            const int64_t ih = oh * g.sh - g.ph + ki * g.dh;
            if (ih < 0 || ih >= g.h) continue;
            for (int64_t kj = 0; kj < g.kw; ++kj) {
              const int64_t iw = ow * g.sw - g.pw + kj * g.dw;
              if (iw < 0 || iw >= g.w) continue;
              const float v = xp[ih * g.w + iw];
              if (v > best || std::isnan(v) || at < 0) {  // NaN wins, as in ATen
                best = v;
                at = ih * g.w + iw;
                if (std::isnan(v)) ki = g.kh, kj = g.kw;
              }
            }
          }
          const int64_t o = (p * g.oh + oh) * g.ow + ow;
          y[o] = best;
          if (idx) idx[o] = at;
        }
    }
  });
}

void avg_pool(const float* x, float* y, const PoolGeometry& g) {
  parallel_rows(g.planes, g.oh * g.ow * g.kh * g.kw, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* xp = x + p * g.h * g.w;
      for (int64_t oh = 0; oh < g.oh; ++oh)
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          const graph::AvgWindow h = graph::avg_window(oh, g.h, g.kh, g.sh, g.ph);
          const graph::AvgWindow w = graph::avg_window(ow, g.w, g.kw, g.sw, g.pw);
          const float s = graph::window_sum(xp, g.w, h.begin, h.end, w.begin, w.end);
          y[(p * g.oh + oh) * g.ow + ow] =
              h.begin < h.end && w.begin < w.end ? s / float(graph::avg_divisor(g, h, w)) : 0.f;
        }
    }
  });
}

// Adaptive windows: [floor(o * in / out), ceil((o + 1) * in / out)).
void adaptive_pool(const float* x, float* y, int64_t* idx, const PoolGeometry& g, bool is_max) {
  parallel_rows(g.planes, g.h * g.w, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* xp = x + p * g.h * g.w;
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        const int64_t h0 = graph::adaptive_begin(oh, g.h, g.oh), h1 = graph::adaptive_end(oh, g.h, g.oh);
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          const int64_t w0 = graph::adaptive_begin(ow, g.w, g.ow), w1 = graph::adaptive_end(ow, g.w, g.ow);
          const int64_t o = (p * g.oh + oh) * g.ow + ow;
          if (is_max) {
            float best = -std::numeric_limits<float>::infinity();
            int64_t at = h0 * g.w + w0;
            for (int64_t ih = h0; ih < h1; ++ih)
              for (int64_t iw = w0; iw < w1; ++iw) {
                const float v = xp[ih * g.w + iw];
                if (v > best || std::isnan(v)) {
                  best = v;
                  at = ih * g.w + iw;
                  if (std::isnan(v)) ih = h1, iw = w1;
                }
              }
            y[o] = best;
            if (idx) idx[o] = at;
          } else {
            y[o] = graph::window_sum(xp, g.w, h0, h1, w0, w1) / float((h1 - h0) * (w1 - w0));
          }
        }
      }
    }
  });
}

int64_t* indices_out(const KernelCall& c) {
  if (c.outputs.size() < 2) return nullptr;
  const CpuTensor& t = c.outputs[1];
  if (t.dtype != DType::int64 || !t.is_contiguous()) kernel_fail("pooling: indices output must be contiguous int64");
  return t.ptr<int64_t>();
}

void pool_kernel(KernelCall& c, const graph::PoolOp& op) {
  TensorBuffer xs;
  const CpuTensor x = dense_f32(c.tensor(0), xs);
  const PoolGeometry g = geometry(c, x, op.kind, op.spatial);
  if (op.kind == graph::PoolKind::avg && c.num_args() > 6 && c.opt_int(6) == 0)
    kernel_fail("avg_pool2d: divisor must be not zero");
  float* y = dense_out(c.out());
  int64_t* indices = op.with_indices ? indices_out(c) : nullptr;
  switch (op.kind) {
    case graph::PoolKind::max: max_pool(x.f32(), y, indices, g); break;
    case graph::PoolKind::avg: avg_pool(x.f32(), y, g); break;
    case graph::PoolKind::adaptive: adaptive_pool(x.f32(), y, indices, g, op.with_indices); break;
  }
}

}  // namespace

void register_pooling_kernels(KernelTable& t) {
  for (const graph::PoolOp& op : graph::kPoolKernelOps) add_kernel(t, op.name, [op](KernelCall& c) { pool_kernel(c, op); });
}

}  // namespace ptscope::kernels
