// Pooling: max/avg pooling with padding, dilation and ceil_mode, and adaptive
// pooling. Output sizes follow ATen's pooling_output_shape exactly.
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

// Splits an input into batch prefix and `spatial` trailing dims; allows the
// unbatched (C, *spatial) form.
void check_rank(const TensorMeta& x, size_t spatial) {
  if (x.shape.size() != spatial + 1 && x.shape.size() != spatial + 2)
    fail("expected a " + std::to_string(spatial + 1) + "-D or " + std::to_string(spatial + 2) + "-D input, got " +
         shape_str(x.shape));
}

std::vector<int64_t> fit(std::vector<int64_t> v, size_t n, const char* what) {
  if (v.size() == 1 && n > 1) v.assign(n, v[0]);
  if (v.size() != n) fail(std::string(what) + " must have " + std::to_string(n) + " entries");
  return v;
}

int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation, bool ceil_mode) {
  const int64_t span = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  // Floor division that rounds toward -inf (span may be negative for tiny inputs).
  int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
  // The last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// (self, kernel_size, stride, padding, [dilation], ceil_mode ...)
Shape pool_shape(const Args& a, size_t spatial, bool has_dilation) {
  const TensorMeta& x = tensor(a, 0);
  check_rank(x, spatial);
  const auto k = fit(ints(a, 1), spatial, "kernel_size");
  auto s = ints(a, 2);
  s = s.empty() ? k : fit(s, spatial, "stride");
  const auto p = fit(ints(a, 3), spatial, "padding");
  const auto d = has_dilation ? fit(ints(a, 4), spatial, "dilation") : std::vector<int64_t>(spatial, 1);
  const bool ceil_mode = bool_arg(a, has_dilation ? 5 : 4);
  Shape out(x.shape.begin(), x.shape.end() - int64_t(spatial));
  for (size_t i = 0; i < spatial; ++i) {
    if (k[i] <= 0 || s[i] <= 0 || d[i] <= 0) fail("kernel_size, stride and dilation must be positive");
    if (p[i] < 0 || p[i] > k[i] / 2)
      fail("pad should be at most half of kernel size, got padding " + std::to_string(p[i]) + " for kernel " +
           std::to_string(k[i]));
    const int64_t in = x.shape[x.shape.size() - spatial + i];
    const int64_t o = pooled_size(in, k[i], p[i], s[i], d[i], ceil_mode);
    if (o <= 0)
      fail("output size is too small: input " + shape_str(x.shape) + " gives size " + std::to_string(o));
    out.push_back(o);
  }
  return out;
}

double kernel_volume(const Args& a, size_t spatial) {
  const auto k = fit(ints(a, 1), spatial, "kernel_size");
  return double(numel(k));
}

Shape adaptive_shape(const Args& a, size_t spatial) {
  const TensorMeta& x = tensor(a, 0);
  check_rank(x, spatial);
  const auto size = fit(ints(a, 1), spatial, "output_size");
  Shape out(x.shape.begin(), x.shape.end() - int64_t(spatial));
  for (size_t i = 0; i < spatial; ++i) {
    if (x.shape[x.shape.size() - spatial + i] <= 0) fail("input " + shape_str(x.shape) + " has an empty spatial dim");
    if (size[i] < 0) fail("output_size must be non-negative");
    out.push_back(size[i]);
  }
  return out;
}

// max pooling: kernel−1 comparisons per output; avg pooling: kernel adds and one divide.
CostFn pool_cost(size_t spatial, double per_window_offset) {
  return [spatial, per_window_offset](const Args& a, const Outs& o) {
    OpCost c = default_bytes(a, o);
    c.extended_flops = double(o[0].numel()) * (kernel_volume(a, spatial) + per_window_offset);
    return c;
  };
}

}  // namespace

void register_pooling_ops(OpRegistry& r) {
  const auto P = OpCategory::pooling;
  struct MaxPool { const char* schema; const char* with_indices; size_t spatial; };
  for (const MaxPool& m : {
           MaxPool{"aten::max_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=[0], int[1] dilation=[1], bool ceil_mode=False) -> Tensor",
                   "aten::max_pool1d_with_indices(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=[0], int[1] dilation=[1], bool ceil_mode=False) -> (Tensor, Tensor)", 1},
           MaxPool{"aten::max_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> Tensor",
                   "aten::max_pool2d_with_indices(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> (Tensor, Tensor)", 2},
           MaxPool{"aten::max_pool3d(Tensor self, int[3] kernel_size, int[3] stride=[], int[3] padding=0, int[3] dilation=1, bool ceil_mode=False) -> Tensor",
                   "aten::max_pool3d_with_indices(Tensor self, int[3] kernel_size, int[3] stride=[], int[3] padding=0, int[3] dilation=1, bool ceil_mode=False) -> (Tensor, Tensor)", 3},
       }) {
    const size_t n = m.spatial;
    // Max pooling runs as max_pool*_with_indices: its backward reads the input
    // and the int64 indices (one per output element).
    def(r, m.schema, P, [n](const Args& a) { return one(pool_shape(a, n, true), tensor(a, 0).dtype); },
        pool_cost(n, -1))
        .saves = [](const Args&, const Outs& o, const NeedsGrad&) {
          SavedTensors s{{0}, {}, 0};
          s.extra_bytes = uint64_t(o[0].numel()) * 8;
          return s;
        };
    def(r, m.with_indices, P,
        [n](const Args& a) {
          Shape s = pool_shape(a, n, true);
          return Outs{meta(s, tensor(a, 0).dtype), meta(s, DType::int64)};
        },
        pool_cost(n, -1))
        .saves = [](const Args&, const Outs&, const NeedsGrad&) { return SavedTensors{{0}, {1}, 0}; };
  }
  struct AvgPool { const char* schema; size_t spatial; };
  for (const AvgPool& m : {
           AvgPool{"aten::avg_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=[0], bool ceil_mode=False, bool count_include_pad=True) -> Tensor", 1},
           AvgPool{"aten::avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor", 2},
           AvgPool{"aten::avg_pool3d(Tensor self, int[3] kernel_size, int[3] stride=[], int[3] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor", 3},
       }) {
    const size_t n = m.spatial;
    def(r, m.schema, P, [n](const Args& a) { return one(pool_shape(a, n, false), tensor(a, 0).dtype); },
        pool_cost(n, 0))
        .saves = saves_args({0});
  }
  // Adaptive pooling reads every input element once (one add or compare each).
  struct Adaptive { const char* schema; size_t spatial; bool max; };
  for (const Adaptive& m : {
           Adaptive{"aten::adaptive_avg_pool1d(Tensor self, int[1] output_size) -> Tensor", 1, false},
           Adaptive{"aten::adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor", 2, false},
           Adaptive{"aten::_adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor", 2, false},
           Adaptive{"aten::adaptive_avg_pool3d(Tensor self, SymInt[3] output_size) -> Tensor", 3, false},
           Adaptive{"aten::adaptive_max_pool1d(Tensor self, int[1] output_size) -> (Tensor, Tensor)", 1, true},
           Adaptive{"aten::adaptive_max_pool2d(Tensor self, int[2] output_size) -> (Tensor, Tensor)", 2, true},
           Adaptive{"aten::adaptive_max_pool3d(Tensor self, int[3] output_size) -> (Tensor, Tensor)", 3, true},
       }) {
    const size_t n = m.spatial;
    if (m.max) {
      def(r, m.schema, P,
          [n](const Args& a) {
            Shape s = adaptive_shape(a, n);
            return Outs{meta(s, tensor(a, 0).dtype), meta(s, DType::int64)};
          },
          per_in(1))
          .saves = [](const Args&, const Outs&, const NeedsGrad&) { return SavedTensors{{0}, {1}, 0}; };
    } else {
      // ATen computes an adaptive average to a single output position as a
      // mean, which keeps nothing; otherwise its backward reads the input.
      def(r, m.schema, P, [n](const Args& a) { return one(adaptive_shape(a, n), tensor(a, 0).dtype); }, per_in(1))
          .saves = [](const Args&, const Outs& o, const NeedsGrad&) {
            const Shape& s = o[0].shape;
            const bool single = s.size() >= 2 && s[s.size() - 1] == 1 && s[s.size() - 2] == 1;
            return single ? SavedTensors{} : SavedTensors{{0}, {}, 0};
          };
    }
  }
}

}  // namespace ptscope::graph::rules
