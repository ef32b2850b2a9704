// Pooling over the last one or two dims of [N, C, (H,) W] float tensors:
// max (with dilation, ceil_mode and int64 indices), average
// (count_include_pad, divisor_override) and the adaptive forms. Output sizes
// come from the preallocated outputs (the shape rule applied ceil_mode).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"

namespace ptscope::kernels {
namespace {

struct PoolGeom {
  int64_t planes = 1, h = 1, w = 1, oh = 1, ow = 1;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

// Planes and sizes for `sd` pooled dims; 1-D pooling runs with H = 1.
PoolGeom geometry(const CpuTensor& x, const CpuTensor& out, int sd) {
  if (x.dim() < sd + 1) kernel_fail("pooling: input " + shape_string(x.shape) + " has too few dims");
  PoolGeom g;
  g.w = x.shape.back();
  g.ow = out.shape.back();
  if (sd == 2) {
    g.h = x.shape[x.shape.size() - 2];
    g.oh = out.shape[out.shape.size() - 2];
  }
  g.planes = g.h * g.w != 0 ? x.numel() / (g.h * g.w) : 0;
  return g;
}

// kernel, stride (empty = kernel), padding, dilation as [h, w] (1-D: h = 1 / 0).
void set_window(PoolGeom& g, const KernelCall& c, int sd, size_t k, size_t s, size_t p, long d) {
  const auto ks = c.ints_n(k, size_t(sd));
  const auto st = c.ints(s).empty() ? ks : c.ints_n(s, size_t(sd));
  const auto pd = c.ints_n(p, size_t(sd), {0});
  const auto dl = d >= 0 ? c.ints_n(size_t(d), size_t(sd), {1}) : std::vector<int64_t>(size_t(sd), 1);
  if (sd == 2) {
    g.kh = ks[0], g.sh = st[0], g.ph = pd[0], g.dh = dl[0];
  }
  g.kw = ks.back(), g.sw = st.back(), g.pw = pd.back(), g.dw = dl.back();
}

// Values only, no dilation (the common case, e.g. every torchvision CNN). The
// loop runs along an output row for one window offset at a time, so that the
// outputs' maxima are independent (pipelined, vectorisable) rather than one
// dependent chain per window. The select keeps a NaN once seen (v > NaN and
// NaN > v are false; v != v catches a new NaN), as ATen propagates NaN.
void max_pool_values(const float* x, float* y, const PoolGeom& g) {
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

void max_pool(const float* x, float* y, int64_t* idx, const PoolGeom& g) {
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

void avg_pool(const float* x, float* y, const PoolGeom& g, bool count_include_pad, std::optional<int64_t> divisor) {
  parallel_rows(g.planes, g.oh * g.ow * g.kh * g.kw, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* xp = x + p * g.h * g.w;
      for (int64_t oh = 0; oh < g.oh; ++oh)
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          int64_t h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
          int64_t h1 = std::min(h0 + g.kh, g.h + g.ph), w1 = std::min(w0 + g.kw, g.w + g.pw);
          const int64_t pool = (h1 - h0) * (w1 - w0);
          h0 = std::max<int64_t>(h0, 0), w0 = std::max<int64_t>(w0, 0);
          h1 = std::min(h1, g.h), w1 = std::min(w1, g.w);
          float s = 0;
          for (int64_t ih = h0; ih < h1; ++ih)
            for (int64_t iw = w0; iw < w1; ++iw) s += xp[ih * g.w + iw];
          const int64_t n = divisor ? *divisor : count_include_pad ? pool : (h1 - h0) * (w1 - w0);
          y[(p * g.oh + oh) * g.ow + ow] = h0 < h1 && w0 < w1 ? s / float(n) : 0.f;
        }
    }
  });
}

// Adaptive windows: [floor(o * in / out), ceil((o + 1) * in / out)).
void adaptive_pool(const float* x, float* y, int64_t* idx, const PoolGeom& g, bool is_max) {
  parallel_rows(g.planes, g.h * g.w, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* xp = x + p * g.h * g.w;
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        const int64_t h0 = oh * g.h / g.oh, h1 = ((oh + 1) * g.h + g.oh - 1) / g.oh;
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          const int64_t w0 = ow * g.w / g.ow, w1 = ((ow + 1) * g.w + g.ow - 1) / g.ow;
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
            float s = 0;
            for (int64_t ih = h0; ih < h1; ++ih)
              for (int64_t iw = w0; iw < w1; ++iw) s += xp[ih * g.w + iw];
            y[o] = s / float((h1 - h0) * (w1 - w0));
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

void max_pool_kernel(KernelCall& c, int sd, bool with_indices) {
  TensorBuffer xs;
  const CpuTensor x = dense_f32(c.tensor(0), xs);
  PoolGeom g = geometry(x, c.out(), sd);
  set_window(g, c, sd, 1, 2, 3, 4);
  max_pool(x.f32(), dense_out(c.out()), with_indices ? indices_out(c) : nullptr, g);
}

void avg_pool_kernel(KernelCall& c, int sd) {
  TensorBuffer xs;
  const CpuTensor x = dense_f32(c.tensor(0), xs);
  PoolGeom g = geometry(x, c.out(), sd);
  set_window(g, c, sd, 1, 2, 3, -1);
  const bool include_pad = c.bool_arg(5);
  const std::optional<int64_t> divisor = sd == 2 ? c.opt_int(6) : std::nullopt;
  if (divisor && *divisor == 0) kernel_fail("avg_pool2d: divisor must be not zero");
  avg_pool(x.f32(), dense_out(c.out()), g, include_pad, divisor);
}

void adaptive_kernel(KernelCall& c, int sd, bool is_max) {
  TensorBuffer xs;
  const CpuTensor x = dense_f32(c.tensor(0), xs);
  const PoolGeom g = geometry(x, c.out(), sd);
  adaptive_pool(x.f32(), dense_out(c.out()), is_max ? indices_out(c) : nullptr, g, is_max);
}

}  // namespace

void register_pooling_kernels(KernelTable& t) {
  add_kernel(t, "aten::max_pool1d", [](KernelCall& c) { max_pool_kernel(c, 1, false); });
  add_kernel(t, "aten::max_pool2d", [](KernelCall& c) { max_pool_kernel(c, 2, false); });
  add_kernel(t, "aten::max_pool1d_with_indices", [](KernelCall& c) { max_pool_kernel(c, 1, true); });
  add_kernel(t, "aten::max_pool2d_with_indices", [](KernelCall& c) { max_pool_kernel(c, 2, true); });
  add_kernel(t, "aten::avg_pool1d", [](KernelCall& c) { avg_pool_kernel(c, 1); });
  add_kernel(t, "aten::avg_pool2d", [](KernelCall& c) { avg_pool_kernel(c, 2); });
  add_kernel(t, "aten::adaptive_avg_pool1d", [](KernelCall& c) { adaptive_kernel(c, 1, false); });
  add_kernel(t, "aten::adaptive_avg_pool2d", [](KernelCall& c) { adaptive_kernel(c, 2, false); });
  add_kernel(t, "aten::_adaptive_avg_pool2d", [](KernelCall& c) { adaptive_kernel(c, 2, false); });
  add_kernel(t, "aten::adaptive_max_pool1d", [](KernelCall& c) { adaptive_kernel(c, 1, true); });
  add_kernel(t, "aten::adaptive_max_pool2d", [](KernelCall& c) { adaptive_kernel(c, 2, true); });
}

}  // namespace ptscope::kernels
