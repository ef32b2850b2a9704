// Convolutions on NCHW float tensors (1-D runs as 2-D with H = 1):
//  - 1x1 / stride 1 / no padding: the input already is the GEMM's B matrix;
//  - depthwise, narrow groups, and spatial kernels on wide planes: a direct
//    kernel with register tiles over padded, phase-split input planes;
//  - everything else: im2col into tiles of output pixels small enough to
//    stay in L2, one GEMM per tile, tiles spread over the threads.
// Transposed convolutions are a GEMM followed by col2im.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/isa.h"

#if PTSCOPE_HAVE_X86_PATHS
#include <immintrin.h>
#endif

#include "graph/conv_args.h"
#include "kernels/cpu/conv_depthwise.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/kernel_registry.h"
#include "kernels/cpu/ops_common.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/scratch.h"

namespace ptscope::kernels {
namespace {

struct ConvGeom {
  int64_t n = 1, c = 0, h = 1, w = 0;    // input
  int64_t o = 0, kh = 1, kw = 1;         // weight [o, c / groups, kh, kw]
  int64_t oh = 1, ow = 0;                // output
  int64_t sh = 1, sw = 1, pt = 0, pl = 0, dh = 1, dw = 1, groups = 1;
  int64_t cg() const { return c / groups; }
  int64_t og() const { return o / groups; }
};

// Output columns q in [lo, hi) read input column q * stride + off inside [0, in).
void valid_columns(int64_t off, int64_t stride, int64_t in, int64_t out, int64_t& lo, int64_t& hi) {
  lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
  hi = in - 1 - off < 0 ? 0 : std::min(out, (in - 1 - off) / stride + 1);
  hi = std::max(lo, hi);
}

// Column matrix rows [r0, r1) for output pixels [p0, p1) of one image and
// group: row r is (channel, ki, kj), each row holds p1 - p0 values.
void im2col(const float* x, const ConvGeom& g, int64_t r0, int64_t r1, int64_t p0, int64_t p1, float* col) {
  const int64_t len = p1 - p0, kk = g.kh * g.kw;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t ch = r / kk, ki = (r % kk) / g.kw, kj = r % g.kw;
    const float* xc = x + ch * g.h * g.w;
    float* dst = col + (r - r0) * len;
    const int64_t off_w = kj * g.dw - g.pl;
    int64_t lo, hi;
    valid_columns(off_w, g.sw, g.w, g.ow, lo, hi);
    for (int64_t p = p0; p < p1;) {
      const int64_t oh = p / g.ow, ow0 = p % g.ow, ow1 = std::min(g.ow, ow0 + (p1 - p));
      float* d = dst + (p - p0);
      const int64_t ih = oh * g.sh - g.pt + ki * g.dh;
      if (ih < 0 || ih >= g.h) {
        std::fill(d, d + (ow1 - ow0), 0.f);
      } else {
        const float* row = xc + ih * g.w;
        const int64_t a = std::clamp(lo, ow0, ow1), b = std::clamp(hi, ow0, ow1);
        std::fill(d, d + (a - ow0), 0.f);
        if (g.sw == 1) std::memcpy(d + (a - ow0), row + a + off_w, size_t(b - a) * sizeof(float));
        else
          for (int64_t q = a; q < b; ++q) d[q - ow0] = row[q * g.sw + off_w];
        std::fill(d + (b - ow0), d + (ow1 - ow0), 0.f);
      }
      p += ow1 - ow0;
    }
  }
}

// ---- direct convolution ----------------------------------------------------
// Depthwise and narrow grouped convolutions have too little work per group
// for im2col + GEMM, and on wide planes even dense 3x3 / 7x7 convolutions
// run faster without the im2col copy. Every input channel is zero-padded
// once and split by column phase (phase p holds padded columns p, p + s,
// p + 2s, ...), so each tap reads contiguous floats even at stride 2. A tile of OB output channels x kRows rows x kCols columns
// keeps its accumulators in registers across all (input channel, tap) pairs.
// The tile is sized so that OB x kRows accumulators, kRows inputs and a
// broadcast stay in the register file of each ISA path (conv_direct_isa.inc),
// and written with intrinsics: GCC kept generic-vector accumulator arrays on
// the stack (one load and store per FMA; 3 GFLOP/s on AVX2 with 16-float
// vectors, 17 with 8-float ones).
constexpr int64_t kDirectMaxGroupWidth = 32;  // input channels per group up to which direct beats GEMM

// Which convolution path to take: the cost model's choice, or one forced by
// PTSCOPE_CONV_PATH=gemm|direct (benchmarks and parity tests compare the
// paths on the same shapes; a forced path that cannot take a shape is ignored).
enum class ConvPath { model, gemm, direct };
ConvPath forced_conv_path() {
  static const ConvPath path = [] {
    const char* v = std::getenv("PTSCOPE_CONV_PATH");
    if (!v) return ConvPath::model;
    const std::string s(v);
    return s == "gemm" ? ConvPath::gemm : s == "direct" ? ConvPath::direct : ConvPath::model;
  }();
  return path;
}

struct DirectGeom {
  int64_t st = 1, hp = 0, wpp = 0;  // stride, padded rows, floats per phase row
  int64_t plane() const { return st * hp * wpp; }
};


// Direct kernels need equal strides of at most 2; any kernel size or dilation works.
bool direct_ok(const ConvGeom& g) { return g.sh == g.sw && g.sh <= 2; }

DirectGeom direct_geom(const ConvGeom& g, int64_t row_block, int64_t col_block) {
  DirectGeom d;
  d.st = g.sh;
  // Rounded up to whole tiles so the last tiles never read past the plane.
  const int64_t rows = (g.oh + row_block - 1) / row_block * row_block, cols = (g.ow + col_block - 1) / col_block * col_block;
  d.hp = (rows - 1) * d.st + (g.kh - 1) * g.dh + 1;
  d.wpp = ((cols - 1) * d.st + (g.kw - 1) * g.dw + 1 + d.st - 1) / d.st;
  return d;
}

// The padded, phase-split copy of one input channel.
void pad_plane(const float* xc, const ConvGeom& g, const DirectGeom& d, float* dst_plane) {
  for (int64_t ph = 0; ph < d.st; ++ph)
    for (int64_t r = 0; r < d.hp; ++r) {
      float* dst = dst_plane + (ph * d.hp + r) * d.wpp;
      const int64_t ih = r - g.pt;
      if (ih < 0 || ih >= g.h) {
        std::fill(dst, dst + d.wpp, 0.f);
        continue;
      }
      // Columns j with j * st + ph - pl inside [0, w): zeros around a (strided) copy.
      const int64_t off = ph - g.pl;
      int64_t lo, hi;
      valid_columns(off, d.st, g.w, d.wpp, lo, hi);
      const float* src = xc + ih * g.w;
      std::fill(dst, dst + lo, 0.f);
      if (d.st == 1) std::memcpy(dst + lo, src + lo + off, size_t(hi - lo) * sizeof(float));
      else
        for (int64_t j = lo; j < hi; ++j) dst[j] = src[j * 2 + off];
      std::fill(dst + hi, dst + d.wpp, 0.f);
    }
}


#define PTSCOPE_ISA_BODY "kernels/cpu/conv_direct_isa.inc"
#include "core/isa_paths.inc"

// The direct kernel of the active ISA path, with its tile for the cost model.
struct DirectPath {
  int64_t rows;
  decltype(&generic::direct_tile_use) tile_use;
  decltype(&generic::conv_direct) run;
};

// Indexed by Isa (generic, avx2, avx512).
constexpr DirectPath kDirectPaths[] = {{generic::kRows, &generic::direct_tile_use, &generic::conv_direct},
                                       {avx2::kRows, &avx2::direct_tile_use, &avx2::conv_direct},
                                       {avx512::kRows, &avx512::direct_tile_use, &avx512::conv_direct}};

const DirectPath& direct_path() { return kDirectPaths[int(active_isa())]; }

// Any geometry the direct kernels do not take (strides above 2): taps as
// row-wise axpys over the valid output columns, one output channel at a time.
void conv_depthwise_generic(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g) {
  const int64_t mult = g.o / g.c, plane_in = g.h * g.w, plane_out = g.oh * g.ow;
  parallel_rows(g.n * g.o, plane_out * g.kh * g.kw, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const int64_t img = p / g.o, oc = p % g.o;
      const float* xc = x + (img * g.c + oc / mult) * plane_in;
      const float* wk = w + oc * g.kh * g.kw;
      float* yp = y + p * plane_out;
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        float* yr = yp + oh * g.ow;
        std::fill(yr, yr + g.ow, bias ? bias[oc] : 0.f);
        for (int64_t ki = 0; ki < g.kh; ++ki) {
          const int64_t ih = oh * g.sh - g.pt + ki * g.dh;
          if (ih < 0 || ih >= g.h) continue;
          const float* row = xc + ih * g.w;
          for (int64_t kj = 0; kj < g.kw; ++kj) {
            const float wv = wk[ki * g.kw + kj];
            const int64_t off = kj * g.dw - g.pl;
            int64_t lo, hi;
            valid_columns(off, g.sw, g.w, g.ow, lo, hi);
            for (int64_t q = lo; q < hi; ++q) yr[q] += wv * row[q * g.sw + off];
          }
        }
      }
    }
  });
}

// Columns per im2col tile: the [K, tile] block should stay near L2 size,
// but tiles much narrower than 128 make Eigen repack the weights too often.
int64_t tile_columns(int64_t k, int64_t p) {
  const int64_t want = std::max<int64_t>(128, (int64_t(128) * 1024) / std::max<int64_t>(k, 1));
  return std::min(p, (want + 15) / 16 * 16);
}

void conv_gemm(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g) {
  const int64_t k = g.cg() * g.kh * g.kw, p = g.oh * g.ow, og = g.og();
  const bool pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.oh == g.h &&
                         g.ow == g.w;
  for (int64_t img = 0; img < g.n; ++img) {
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* xg = x + (img * g.c + grp * g.cg()) * g.h * g.w;
      const float* wg = w + grp * og * k;
      float* yg = y + (img * g.o + grp * og) * p;
      const float* bg = bias ? bias + grp * og : nullptr;
      if (bg)
        for (int64_t oc = 0; oc < og; ++oc) std::fill(yg + oc * p, yg + (oc + 1) * p, bg[oc]);
      const float beta = bg ? 1.f : 0.f;
      if (pointwise) {
        sgemm(og, p, k, 1.f, MatRef{wg, k, false}, MatRef{xg, p, false}, beta, yg, p);
        continue;
      }
      const int64_t tile = tile_columns(k, p), tiles = (p + tile - 1) / tile;
      if (tiles >= num_threads() && !in_parallel_region() && num_threads() > 1) {
        // Whole tiles per thread: im2col and GEMM stay in that core's cache.
        parallel_for(tiles, 1, [&](int64_t t0, int64_t t1) {
          ScratchFloats col(static_cast<size_t>(k * tile));
          for (int64_t t = t0; t < t1; ++t) {
            const int64_t p0 = t * tile, p1 = std::min(p, p0 + tile);
            im2col(xg, g, 0, k, p0, p1, col.data());
            sgemm(og, p1 - p0, k, 1.f, MatRef{wg, k, false}, MatRef{col.data(), p1 - p0, false}, beta, yg + p0, p);
          }
        });
      } else {
        // Few tiles: parallelise inside each (im2col rows, then the GEMM).
        ScratchFloats col(static_cast<size_t>(k * tile));
        for (int64_t t = 0; t < tiles; ++t) {
          const int64_t p0 = t * tile, p1 = std::min(p, p0 + tile);
          parallel_rows(k, p1 - p0, [&](int64_t r0, int64_t r1) {
            im2col(xg, g, r0, r1, p0, p1, col.data() + r0 * (p1 - p0));
          });
          sgemm(og, p1 - p0, k, 1.f, MatRef{wg, k, false}, MatRef{col.data(), p1 - p0, false}, beta, yg + p0, p);
        }
      }
    }
  }
}

// Transposed convolution: weight [c, o / groups, kh, kw]; out = col2im(Wᵀ · x).
void conv_transpose(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g) {
  const int64_t cg = g.cg(), og = g.og(), kk = g.kh * g.kw, hw = g.h * g.w, plane = g.oh * g.ow;
  ScratchFloats col(static_cast<size_t>(og * kk * hw));
  for (int64_t img = 0; img < g.n; ++img) {
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* xg = x + (img * g.c + grp * cg) * hw;
      const float* wg = w + grp * cg * og * kk;
      // col [og*kk, hw] = Wgᵀ [og*kk, cg] · xg [cg, hw]
      sgemm(og * kk, hw, cg, 1.f, MatRef{wg, og * kk, true}, MatRef{xg, hw, false}, 0.f, col.data(), hw);
      float* yg = y + (img * g.o + grp * og) * plane;
      parallel_rows(og, kk * hw, [&](int64_t o0, int64_t o1) {
        for (int64_t oc = o0; oc < o1; ++oc) {
          float* yp = yg + oc * plane;
          std::fill(yp, yp + plane, bias ? bias[grp * og + oc] : 0.f);
          for (int64_t ki = 0; ki < g.kh; ++ki)
            for (int64_t kj = 0; kj < g.kw; ++kj) {
              const float* cr = col.data() + ((oc * g.kh + ki) * g.kw + kj) * hw;
              for (int64_t ih = 0; ih < g.h; ++ih) {
                const int64_t oh = ih * g.sh - g.pt + ki * g.dh;
                if (oh < 0 || oh >= g.oh) continue;
                for (int64_t iw = 0; iw < g.w; ++iw) {
                  const int64_t ow = iw * g.sw - g.pl + kj * g.dw;
                  if (ow >= 0 && ow < g.ow) yp[oh * g.ow + ow] += cr[ih * g.w + iw];
                }
              }
            }
        }
      });
    }
  }
}

void run_conv(KernelCall& c, const graph::ConvArgs& a) {
  const CpuTensor& input = c.tensor(0);
  TensorBuffer xs, ws, bs;
  const CpuTensor x = dense_f32(input, xs);
  const CpuTensor w = dense_f32(c.tensor(1), ws);
  const CpuTensor* bias_t = c.opt_tensor(2);
  const float* bias = bias_t ? dense_f32(*bias_t, bs).f32() : nullptr;
  const int64_t sd = w.dim() - 2;  // spatial dims
  if (sd != 1 && sd != 2) kernel_unsupported("convolution with " + std::to_string(sd) + " spatial dims (conv3d) has no CPU kernel");
  const bool batched = x.dim() == sd + 2;
  if (!batched && x.dim() != sd + 1) kernel_fail("convolution: input " + shape_string(x.shape) + " does not fit weight " + shape_string(w.shape));
  ConvGeom g;
  const int64_t lead = batched ? 1 : 0;
  g.n = batched ? x.shape[0] : 1;
  g.c = x.shape[size_t(lead)];
  g.h = sd == 2 ? x.shape[size_t(lead + 1)] : 1;
  g.w = x.shape.back();
  g.kh = sd == 2 ? w.shape[2] : 1;
  g.kw = w.shape.back();
  g.groups = a.groups;
  g.o = a.transposed ? w.shape[1] * a.groups : w.shape[0];
  // [h, w] values; 1-D convolutions get the identity (`dflt`) for the dummy H dim.
  auto expand = [&](const std::vector<int64_t>& v, int64_t dflt) {
    std::vector<int64_t> r = v.empty() ? std::vector<int64_t>{dflt} : v;
    if (r.size() == 1) r.assign(size_t(sd), r[0]);
    if (int64_t(r.size()) != sd) kernel_fail("convolution: expected " + std::to_string(sd) + " values, got " + shape_string(v));
    return sd == 2 ? r : std::vector<int64_t>{dflt, r[0]};
  };
  const auto st = expand(a.stride, 1), dil = expand(a.dilation, 1);
  g.sh = st[0], g.sw = st[1], g.dh = dil[0], g.dw = dil[1];
  const CpuTensor& out = c.out();
  if (a.padding_mode == "same") {
    // Extra padding (odd totals) goes to the bottom/right, like torch.
    g.pt = sd == 2 ? g.dh * (g.kh - 1) / 2 : 0;
    g.pl = g.dw * (g.kw - 1) / 2;
  } else if (a.padding_mode.empty()) {
    const auto pad = expand(a.padding, 0);
    g.pt = pad[0], g.pl = pad[1];
  } else if (a.padding_mode != "valid") {
    kernel_fail("convolution: padding must be 'same' or 'valid', got '" + a.padding_mode + "'");
  }
  g.oh = sd == 2 ? out.shape[out.shape.size() - 2] : 1;
  g.ow = out.shape.back();
  if (g.c % g.groups || g.o % g.groups || (!a.transposed && w.shape[1] * g.groups != g.c))
    kernel_fail("convolution: input " + shape_string(x.shape) + ", weight " + shape_string(w.shape) + " and groups=" +
                std::to_string(g.groups) + " do not fit");
  float* y = dense_out(out);
  // Direct kernels for depthwise and narrow groups (too little work per
  // group for a GEMM) and for spatial kernels on planes that fill the
  // register tiles well enough (direct_tile_use); im2col + GEMM for 1x1 and
  // small planes (7x7 stages, 14x14 at stride 2). Plain depthwise shapes go
  // to conv_depthwise.cpp first.
  const DirectPath& direct = direct_path();
  const bool narrow_groups = g.groups > 1 && g.cg() <= kDirectMaxGroupWidth;
  const bool wide_planes =
      g.kh * g.kw > 1 && g.oh >= direct.rows && (g.ow >= 16 || (g.sh == 1 && direct.tile_use(g) >= 0.75));
  const bool depthwise = !a.transposed && g.groups == g.c && g.o == g.c && g.kh == g.kw && g.sh == g.sw &&
                         g.dh == 1 && g.dw == 1;
  DepthwiseShape dws;
  if (depthwise) dws = {g.n, g.c, g.h, g.w, g.oh, g.ow, g.kh, g.sh, g.pt, g.pl};
  if (depthwise && conv_depthwise(x.f32(), w.f32(), bias, y, dws)) return;
  const ConvPath forced = forced_conv_path();
  const bool take_direct = forced == ConvPath::model ? (narrow_groups || wide_planes) && direct_ok(g)
                                                     : forced == ConvPath::direct && direct_ok(g);
  if (a.transposed) conv_transpose(x.f32(), w.f32(), bias, y, g);
  else if (take_direct) direct.run(x.f32(), w.f32(), bias, y, g);
  else if (g.cg() == 1 && g.groups > 1) conv_depthwise_generic(x.f32(), w.f32(), bias, y, g);
  else conv_gemm(x.f32(), w.f32(), bias, y, g);
}

}  // namespace

void register_conv_kernels(KernelTable& t) {
  for (const char* name : {"aten::conv1d", "aten::conv2d", "aten::conv1d.padding", "aten::conv2d.padding",
                           "aten::convolution", "aten::_convolution", "aten::_convolution.deprecated",
                           "aten::conv_transpose1d", "aten::conv_transpose2d.input"})
    add_kernel(t, name, [form = graph::conv_form(name)](KernelCall& c) { run_conv(c, graph::bind_conv_args(c, form)); });
}

}  // namespace ptscope::kernels
