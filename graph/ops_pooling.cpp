// Pooling: max/avg pooling with padding, dilation and ceil_mode, and adaptive
// pooling. Output sizes follow ATen's pooling_output_shape exactly.
#include "graph/op_rules.h"
#include "graph/pool_args.h"

namespace ptscope::graph::rules {
namespace {

// Splits an input into batch prefix and `spatial` trailing dims; allows the
// unbatched (C, *spatial) form.
void check_rank(const TensorMeta& x, size_t spatial) {
  if (x.shape.size() != spatial + 1 && x.shape.size() != spatial + 2)
    fail("expected a " + std::to_string(spatial + 1) + "-D or " + std::to_string(spatial + 2) + "-D input, got " +
         shape_str(x.shape));
}

int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation, bool ceil_mode) {
  const int64_t span = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  // Floor division that rounds toward -inf (span may be negative for tiny inputs).
  int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
  // The last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// The arguments bound as every backend binds them (graph/pool_args.h).
PoolArgs bound(const Args& a, PoolKind kind, size_t spatial) { return bind_pool_args(ArgReader{a}, kind, spatial); }

Shape pool_shape(const Args& a, size_t spatial, PoolKind kind) {
  const TensorMeta& x = tensor(a, 0);
  check_rank(x, spatial);
  const PoolArgs p = bound(a, kind, spatial);
  Shape out(x.shape.begin(), x.shape.end() - int64_t(spatial));
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t k = p.kernel[i], s = p.stride[i], pad = p.padding[i], d = p.dilation[i];
    if (k <= 0 || s <= 0 || d <= 0) fail("kernel_size, stride and dilation must be positive");
    if (pad < 0 || pad > k / 2)
      fail("pad should be at most half of kernel size, got padding " + std::to_string(pad) + " for kernel " +
           std::to_string(k));
    const int64_t in = x.shape[x.shape.size() - spatial + i];
    const int64_t o = pooled_size(in, k, pad, s, d, p.ceil_mode);
    if (o <= 0)
      fail("output size is too small: input " + shape_str(x.shape) + " gives size " + std::to_string(o));
    out.push_back(o);
  }
  return out;
}

Shape adaptive_shape(const Args& a, size_t spatial) {
  const TensorMeta& x = tensor(a, 0);
  check_rank(x, spatial);
  const PoolArgs p = bound(a, PoolKind::adaptive, spatial);
  Shape out(x.shape.begin(), x.shape.end() - int64_t(spatial));
  for (size_t i = 0; i < spatial; ++i) {
    if (x.shape[x.shape.size() - spatial + i] <= 0) fail("input " + shape_str(x.shape) + " has an empty spatial dim");
    if (p.output_size[i] < 0) fail("output_size must be non-negative");
    out.push_back(p.output_size[i]);
  }
  return out;
}

// max pooling: kernel−1 comparisons per output; avg pooling: kernel adds and one divide.
CostFn pool_cost(size_t spatial, PoolKind kind, double per_window_offset) {
  return [spatial, kind, per_window_offset](const Args& a, const Outs& o) {
    OpCost c = default_bytes(a, o);
    const double kernel_volume = double(numel(bound(a, kind, spatial).kernel));
    c.extended_flops = double(o[0].numel()) * (kernel_volume + per_window_offset);
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
    def(r, m.schema, P, [n](const Args& a) { return one(pool_shape(a, n, PoolKind::max), tensor(a, 0).dtype); },
        pool_cost(n, PoolKind::max, -1))
        .saves = [](const Args&, const Outs& o, const NeedsGrad&) {
          SavedTensors s{{0}, {}, 0};
          s.extra_bytes = uint64_t(o[0].numel()) * 8;
          return s;
        };
    def(r, m.with_indices, P,
        [n](const Args& a) {
          Shape s = pool_shape(a, n, PoolKind::max);
          return Outs{meta(s, tensor(a, 0).dtype), meta(s, DType::int64)};
        },
        pool_cost(n, PoolKind::max, -1))
        .saves = [](const Args&, const Outs&, const NeedsGrad&) { return SavedTensors{{0}, {1}, 0}; };
  }
  struct AvgPool { const char* schema; size_t spatial; };
  for (const AvgPool& m : {
           AvgPool{"aten::avg_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=[0], bool ceil_mode=False, bool count_include_pad=True) -> Tensor", 1},
           AvgPool{"aten::avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor", 2},
           AvgPool{"aten::avg_pool3d(Tensor self, int[3] kernel_size, int[3] stride=[], int[3] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor", 3},
       }) {
    const size_t n = m.spatial;
    def(r, m.schema, P, [n](const Args& a) { return one(pool_shape(a, n, PoolKind::avg), tensor(a, 0).dtype); },
        pool_cost(n, PoolKind::avg, 0))
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
