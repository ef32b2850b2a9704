// Normalisation layers. Extended FLOPs follow fvcore: batch norm in eval is a
// folded scale+shift (2/elem, 1 without affine), training or per-sample
// statistics cost 5/elem with affine, 4 without (mean, var, sub, div [, affine]).
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

// Checks that a per-channel tensor (weight, bias, running stats) has C entries.
void check_channels(const Args& a, std::initializer_list<size_t> positions, int64_t channels, const char* what) {
  for (size_t i : positions)
    if (const TensorMeta* t = opt_tensor(a, i); t && t->numel() != channels)
      fail(std::string(what) + " parameter " + shape_str(t->shape) + " does not match " + std::to_string(channels) +
           " channels");
}

int64_t channel_count(const TensorMeta& x) {
  if (x.shape.size() < 2) fail("expected an input with a channel dim, got " + shape_str(x.shape));
  return x.shape[1];
}

// FLOPs per output element: `with_weight` when the optional affine weight at
// `weight_pos` is given, `without` otherwise.
CostFn affine_cost(size_t weight_pos, double with_weight, double without) {
  return [=](const Args& a, const Outs& o) {
    OpCost c = default_bytes(a, o);
    c.extended_flops = double(o[0].numel()) * (opt_tensor(a, weight_pos) ? with_weight : without);
    return c;
  };
}

CostFn stats_cost(size_t weight_pos) { return affine_cost(weight_pos, 5, 4); }

// (input, weight, bias, running_mean, running_var, training, ...)
OpCost batch_norm_cost(const Args& a, const Outs& o) {
  OpCost c = default_bytes(a, o);
  const bool affine = opt_tensor(a, 1) != nullptr;
  const bool batch_stats = bool_arg(a, 5) || !opt_tensor(a, 3);
  c.extended_flops = double(o[0].numel()) * (batch_stats ? (affine ? 5 : 4) : (affine ? 2 : 1));
  return c;
}

// Layer norm over the trailing `normalized_shape` dims.
void check_normalized(const TensorMeta& x, const Shape& normalized) {
  const size_t n = normalized.size();
  bool ok = n > 0 && x.shape.size() >= n;
  for (size_t i = 0; ok && i < n; ++i) ok = x.shape[x.shape.size() - n + i] == normalized[i];
  if (!ok) fail("normalized_shape " + shape_str(normalized) + " does not match the end of input " + shape_str(x.shape));
}

Outs layer_norm_rule(const Args& a) {
  const TensorMeta& x = tensor(a, 0);
  const Shape normalized = ints(a, 1);
  check_normalized(x, normalized);
  for (size_t i : {size_t(2), size_t(3)})
    if (const TensorMeta* t = opt_tensor(a, i); t && t->shape != normalized)
      fail("weight/bias " + shape_str(t->shape) + " must have normalized_shape " + shape_str(normalized));
  return one(x.shape, x.dtype);
}

}  // namespace

void register_norm_ops(OpRegistry& r) {
  const auto N = OpCategory::norm;
  def(r, "aten::batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool training, float momentum, float eps, bool cudnn_enabled) -> Tensor",
      N,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        check_channels(a, {1, 2, 3, 4}, channel_count(x), "batch_norm");
        return one(x.shape, x.dtype);
      },
      batch_norm_cost);
  def(r, "aten::native_batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool training, float momentum, float eps) -> (Tensor, Tensor, Tensor)",
      N,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        const int64_t c = channel_count(x);
        check_channels(a, {1, 2, 3, 4}, c, "batch_norm");
        // Saved mean and inverse std are empty in eval mode.
        const int64_t saved = bool_arg(a, 5) ? c : 0;
        const DType stat = is_floating(x.dtype) && itemsize(x.dtype) < 4 ? DType::float32 : x.dtype;
        return Outs{meta(x.shape, x.dtype), meta({saved}, stat), meta({saved}, stat)};
      },
      batch_norm_cost);
  def(r, "aten::_native_batch_norm_legit_no_training(Tensor input, Tensor? weight, Tensor? bias, Tensor running_mean, Tensor running_var, float momentum, float eps) -> (Tensor, Tensor, Tensor)",
      N,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        check_channels(a, {1, 2, 3, 4}, channel_count(x), "batch_norm");
        return Outs{meta(x.shape, x.dtype), meta({0}, x.dtype), meta({0}, x.dtype)};
      },
      affine_cost(1, 2, 1));
  def(r, "aten::instance_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool use_input_stats, float momentum, float eps, bool cudnn_enabled) -> Tensor",
      N,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        check_channels(a, {1, 2, 3, 4}, channel_count(x), "instance_norm");
        return one(x.shape, x.dtype);
      },
      stats_cost(1));
  // native_layer_norm's backward reads the input and its float mean and rstd (one each per row).
  def(r, "aten::layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1.0000000000000001e-05, bool cudnn_enable=True) -> Tensor",
      N, layer_norm_rule, stats_cost(2))
      .saves = [](const Args& a, const Outs&, const NeedsGrad&) {
        const TensorMeta& x = tensor(a, 0);
        int64_t normalized = 1;
        for (int64_t d : ints(a, 1)) normalized *= d;
        const uint64_t rows = normalized > 0 ? uint64_t(x.numel() / normalized) : 0;
        return SavedTensors{{0}, {}, rows * 2 * 4};
      };
  def(r, "aten::native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight, Tensor? bias, float eps) -> (Tensor, Tensor, Tensor)",
      N,
      [](const Args& a) {
        Outs out = layer_norm_rule(a);
        const TensorMeta& x = tensor(a, 0);
        // mean and rstd keep the outer dims, with size 1 over the normalized ones.
        Shape stat = x.shape;
        const size_t n = ints(a, 1).size();
        for (size_t i = stat.size() - n; i < stat.size(); ++i) stat[i] = 1;
        const DType sd = is_floating(x.dtype) && itemsize(x.dtype) < 4 ? DType::float32 : x.dtype;
        out.push_back(meta(stat, sd));
        out.push_back(meta(stat, sd));
        return out;
      },
      stats_cost(2));
  // RMSNorm skips the mean: square, mean, rsqrt, mul (+ weight) ≈ 4/elem, 3 without weight.
  def(r, "aten::rms_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, float? eps=None) -> Tensor", N,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        check_normalized(x, ints(a, 1));
        return one(x.shape, x.dtype);
      },
      affine_cost(2, 4, 3));
  def(r, "aten::group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None, float eps=1.0000000000000001e-05, bool cudnn_enabled=True) -> Tensor",
      N,
      [](const Args& a) {
        const TensorMeta& x = tensor(a, 0);
        const int64_t c = channel_count(x), g = int_arg(a, 1);
        if (g <= 0 || c % g)
          fail("expected " + std::to_string(c) + " channels to be divisible by num_groups=" + std::to_string(g));
        check_channels(a, {2, 3}, c, "group_norm");
        return one(x.shape, x.dtype);
      },
      stats_cost(2));
}

}  // namespace ptscope::graph::rules
