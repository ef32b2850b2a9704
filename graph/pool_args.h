// The arguments of every pooling form, bound once from schema position and
// used by the shape rules (graph/ops_pooling.cpp) and every backend's kernel
// (kernels/cpu/pooling.cpp, kernels/cuda/cuda_nn.cpp and pooling.cu), so that
// the positions of kernel_size, stride, padding... and ATen's window
// arithmetic are written down in one place. C++17 and header-only: the CUDA
// kernels (.cu, built as C++17) include it too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace ptscope::graph {

// The argument layouts after `self`:
enum class PoolKind {
  max,       // max_pool*d(_with_indices): kernel_size, stride, padding, dilation, ceil_mode
  avg,       // avg_pool*d: kernel_size, stride, padding, ceil_mode, count_include_pad[, divisor_override]
  adaptive,  // adaptive_{avg,max}_pool*d: output_size
};

struct PoolArgs {
  size_t spatial = 0;  // pooled trailing dims (1, 2 or 3)
  // `spatial` entries each (a single value repeats; an empty stride is the
  // kernel); empty for the adaptive forms.
  std::vector<int64_t> kernel, stride, padding, dilation;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override;  // avg_pool2d/3d only
  std::vector<int64_t> output_size;         // adaptive forms only
};

// An int[N] argument with `n` entries: a single value repeats (`stride=2` →
// {2, 2}), as ATen's pooling argument checks allow; any other count is an
// error, Error(corrupt), like every shape-rule failure.
inline std::vector<int64_t> pool_ints(std::vector<int64_t> v, size_t n, const char* what) {
  if (v.size() == 1 && n > 1) v.assign(n, v[0]);
  if (v.size() != n) throw Error(ErrorCode::corrupt, std::string(what) + " must have " + std::to_string(n) + " entries");
  return v;
}

// `Source` reads bound arguments by schema position: ints(i), int_arg(i),
// bool_arg(i), is_none(i), num_args() (kernels::KernelCall, or
// rules::ArgReader over the graph's ArgValues).
template <class Source>
PoolArgs bind_pool_args(const Source& s, PoolKind kind, size_t spatial) {
  PoolArgs a;
  a.spatial = spatial;
  if (kind == PoolKind::adaptive) {
    a.output_size = pool_ints(s.ints(1), spatial, "output_size");
    return a;
  }
  a.kernel = pool_ints(s.ints(1), spatial, "kernel_size");
  const std::vector<int64_t> stride = s.ints(2);
  a.stride = stride.empty() ? a.kernel : pool_ints(stride, spatial, "stride");
  a.padding = pool_ints(s.ints(3), spatial, "padding");
  if (kind == PoolKind::max) {
    a.dilation = pool_ints(s.ints(4), spatial, "dilation");
    a.ceil_mode = s.bool_arg(5);
  } else {
    a.dilation.assign(spatial, 1);
    a.ceil_mode = s.bool_arg(4);
    a.count_include_pad = s.bool_arg(5);
    if (s.num_args() > 6 && !s.is_none(6)) a.divisor_override = s.int_arg(6);
  }
  return a;
}

// The pooling ops with CPU and CUDA kernels (1-D and 2-D): how each binds,
// and whether it writes the int64 indices as its second output.
struct PoolOp {
  const char* name;
  PoolKind kind;
  int spatial;
  bool with_indices;  // max_pool*d_with_indices, adaptive_max_pool*d
};
inline constexpr PoolOp kPoolKernelOps[] = {
    {"aten::max_pool1d", PoolKind::max, 1, false}, {"aten::max_pool2d", PoolKind::max, 2, false},
    {"aten::max_pool1d_with_indices", PoolKind::max, 1, true}, {"aten::max_pool2d_with_indices", PoolKind::max, 2, true},
    {"aten::avg_pool1d", PoolKind::avg, 1, false}, {"aten::avg_pool2d", PoolKind::avg, 2, false},
    {"aten::adaptive_avg_pool1d", PoolKind::adaptive, 1, false},
    {"aten::adaptive_avg_pool2d", PoolKind::adaptive, 2, false},
    {"aten::_adaptive_avg_pool2d", PoolKind::adaptive, 2, false},
    {"aten::adaptive_max_pool1d", PoolKind::adaptive, 1, true},
    {"aten::adaptive_max_pool2d", PoolKind::adaptive, 2, true},
};

// What a kernel loops over: the input as planes of [h, w] (1-D pooling has
// h = 1) and, but for the adaptive forms, the window along each of the two.
// Plain integers so that it can be passed to a CUDA kernel as it is.
struct PoolGeometry {
  int64_t planes = 0, h = 1, w = 1, oh = 1, ow = 1;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  bool count_include_pad = true;
  int64_t divisor = 0;  // avg pooling's divisor_override, 0 for none
};

// The geometry of 1-D or 2-D pooling from the input and output shapes (the
// output sizes come from the output: the shape rule applied ceil_mode);
// std::nullopt when the shapes do not fit each other.
inline std::optional<PoolGeometry> pool_geometry(const std::vector<int64_t>& x, const std::vector<int64_t>& out,
                                                 const PoolArgs& a) {
  const size_t sd = a.spatial;
  if ((sd != 1 && sd != 2) || x.size() < sd + 1 || out.size() != x.size()) return std::nullopt;
  PoolGeometry g;
  g.w = x.back();
  g.ow = out.back();
  if (sd == 2) {
    g.h = x[x.size() - 2];
    g.oh = out[out.size() - 2];
  }
  int64_t in_numel = 1, out_numel = 1;
  for (size_t i = 0; i < x.size(); ++i) in_numel *= x[i], out_numel *= out[i];
  g.planes = g.h * g.w != 0 ? in_numel / (g.h * g.w) : 0;
  if (g.planes * g.oh * g.ow != out_numel) return std::nullopt;
  if (!a.kernel.empty()) {
    if (sd == 2) g.kh = a.kernel[0], g.sh = a.stride[0], g.ph = a.padding[0], g.dh = a.dilation[0];
    g.kw = a.kernel.back(), g.sw = a.stride.back(), g.pw = a.padding.back(), g.dw = a.dilation.back();
  }
  g.count_include_pad = a.count_include_pad;
  g.divisor = a.divisor_override.value_or(0);
  return g;
}

// Average pooling's window along one dim for output position `o`: [begin,
// end) inside the input, and the length of the window clipped to the padded
// input, which ATen divides by when padding counts.
struct AvgWindow {
  int64_t begin, end, padded_length;
};
constexpr AvgWindow avg_window(int64_t o, int64_t in, int64_t kernel, int64_t stride, int64_t pad) {
  const int64_t start = o * stride - pad;
  const int64_t stop = start + kernel < in + pad ? start + kernel : in + pad;
  return {start > 0 ? start : 0, stop < in ? stop : in, stop - start};
}

// The divisor of one average window from the two dims' windows.
constexpr int64_t avg_divisor(const PoolGeometry& g, const AvgWindow& h, const AvgWindow& w) {
  if (g.divisor != 0) return g.divisor;
  return g.count_include_pad ? h.padded_length * w.padded_length : (h.end - h.begin) * (w.end - w.begin);
}

// Adaptive pooling's window for output position `o` of `out` over `in`:
// [floor(o * in / out), ceil((o + 1) * in / out)).
constexpr int64_t adaptive_begin(int64_t o, int64_t in, int64_t out) { return o * in / out; }
constexpr int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

// The sum of plane[h * width + w] over a window (average pooling's numerator).
constexpr float window_sum(const float* plane, int64_t width, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
  float s = 0.f;
  for (int64_t h = h0; h < h1; ++h)
    for (int64_t w = w0; w < w1; ++w) s += plane[h * width + w];
  return s;
}

}  // namespace ptscope::graph
