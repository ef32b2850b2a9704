// Convolutions: conv1d/2d/3d (with 'same'/'valid' padding strings), transposed
// convolutions and the aten::_convolution / aten::convolution forms traces use.
#include "graph/conv_args.h"
#include "graph/op_rules.h"

namespace ptscope::graph::rules {
namespace {

// Fixed-size params (int[2]) arrive broadcast by binding; the generic
// _convolution form may carry one value for every spatial dim.
std::vector<int64_t> expand(std::vector<int64_t> v, size_t n, const char* what) {
  if (v.size() == 1 && n > 1) v.assign(n, v[0]);
  if (v.size() != n)
    fail(std::string(what) + " has " + std::to_string(v.size()) + " entries, expected " + std::to_string(n));
  return v;
}

Outs conv_shape(const TensorMeta& in, const TensorMeta& w, const TensorMeta* bias, ConvArgs p) {
  const size_t spatial = w.shape.size() < 3 ? 0 : w.shape.size() - 2;
  if (spatial == 0) fail("weight " + shape_str(w.shape) + " has no spatial dims");
  const bool batched = in.shape.size() == spatial + 2;
  if (!batched && in.shape.size() != spatial + 1)
    fail("expected a " + std::to_string(spatial + 1) + "-D or " + std::to_string(spatial + 2) +
         "-D input for weight " + shape_str(w.shape) + ", got input " + shape_str(in.shape));
  Shape x = in.shape;
  if (!batched) x.insert(x.begin(), 1);
  if (p.groups <= 0) fail("groups must be positive");
  p.stride = expand(p.stride, spatial, "stride");
  p.dilation = expand(p.dilation, spatial, "dilation");
  if (p.padding_mode.empty()) p.padding = expand(p.padding, spatial, "padding");
  const int64_t channels = x[1];
  Shape out = {x[0]};
  if (!p.transposed) {
    if (w.shape[1] * p.groups != channels)
      fail("expected input " + shape_str(in.shape) + " to have " + std::to_string(w.shape[1] * p.groups) +
           " channels for weight " + shape_str(w.shape) + " and groups=" + std::to_string(p.groups) + ", got " +
           std::to_string(channels));
    if (w.shape[0] % p.groups) fail("weight " + shape_str(w.shape) + " output channels not divisible by groups");
    out.push_back(w.shape[0]);
  } else {
    if (w.shape[0] != channels)
      fail("transposed weight " + shape_str(w.shape) + " expects " + std::to_string(w.shape[0]) +
           " input channels, got input " + shape_str(in.shape));
    out.push_back(w.shape[1] * p.groups);
    p.output_padding = expand(p.output_padding.empty() ? std::vector<int64_t>{0} : p.output_padding, spatial,
                              "output_padding");
  }
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t size = x[2 + i], k = w.shape[2 + i], s = p.stride[i], d = p.dilation[i];
    if (s <= 0 || d <= 0) fail("stride and dilation must be positive");
    const int64_t extent = d * (k - 1) + 1;  // the dilated kernel's span
    int64_t o;
    if (p.transposed) {
      o = (size - 1) * s - 2 * p.padding[i] + d * (k - 1) + p.output_padding[i] + 1;
    } else if (p.padding_mode == "same") {
      if (s != 1) fail("padding='same' is not supported for strided convolutions");
      o = size;
    } else {
      const int64_t pad = p.padding_mode == "valid" ? 0 : p.padding[i];
      o = (size + 2 * pad - extent) / s + 1;
      if (size + 2 * pad < extent) o = 0;
    }
    if (o <= 0)
      fail("input " + shape_str(in.shape) + " is too small for kernel " + shape_str(w.shape) +
           " (output size " + std::to_string(o) + ")");
    out.push_back(o);
  }
  if (bias && bias->numel() != out[1])
    fail("bias " + shape_str(bias->shape) + " does not match " + std::to_string(out[1]) + " output channels");
  if (!batched) out.erase(out.begin());
  return one(out, promote(in.dtype, w.dtype));
}

// FlopCounterMode's conv_flop_count: 2 · N · prod(spatial) · prod(weight),
// spatial taken from the output (the input for transposed convs); no bias.
OpCost conv_cost(const Args& a, const Outs& o, bool transposed) {
  OpCost c = default_bytes(a, o);
  const TensorMeta& in = tensor(a, 0);
  const TensorMeta& w = tensor(a, 1);
  const size_t spatial = w.shape.size() - 2;
  const Shape& ref = transposed ? in.shape : o[0].shape;
  const bool batched = ref.size() == spatial + 2;
  double n = batched ? double(ref[0]) : 1.0;
  double flops = 2.0 * n * double(numel(w.shape));
  for (size_t i = 0; i < spatial; ++i) flops *= double(ref[ref.size() - spatial + i]);
  c.flops = flops;
  c.macs = flops / 2;
  // Bias adds one per output element; counted as extended work only.
  if (opt_tensor(a, 2)) c.extended_flops = double(o[0].numel());
  return c;
}

// The convolution arguments in the layout of `form`; the .padding overloads'
// string must name a padding mode torch knows.
ConvArgs conv_args(const Args& a, ConvForm form) {
  ConvArgs p = bind_conv_args(ArgReader{a}, form);
  if (form == ConvForm::conv_padding && p.padding_mode != "same" && p.padding_mode != "valid")
    fail("padding must be 'same' or 'valid', got '" + p.padding_mode + "'");
  return p;
}

// FlopCounterMode's convolution_backward: the input gradient is a (transposed)
// convolution as large as the forward; the weight gradient correlates the
// input with the output gradient over all C_in input channels, so for grouped
// convolutions it counts `groups` times the forward (torch's formula treats
// the per-group weight as dense; docs/flops.md).
BackwardCost conv_backward(const Args& a, const Outs& o, const NeedsGrad& needs, bool transposed, int64_t groups) {
  const double forward = conv_cost(a, o, transposed).flops;
  return grads_of(needs, {{0, forward}, {1, forward * double(groups)}});
}

}  // namespace

void register_conv_ops(OpRegistry& r) {
  const auto C = OpCategory::conv;
  // convolution_backward's one formula reads the input and the weight: autograd keeps both.
  const SavesFn keeps_input_and_weight = saves_args({0, 1});
  for (const char* s : {
           "aten::conv1d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[1] stride=[1], SymInt[1] padding=[0], SymInt[1] dilation=[1], SymInt groups=1) -> Tensor",
           "aten::conv1d.padding(Tensor input, Tensor weight, Tensor? bias=None, SymInt[1] stride=[1], str padding=\"valid\", SymInt[1] dilation=[1], SymInt groups=1) -> Tensor",
           "aten::conv2d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], SymInt[2] padding=[0, 0], SymInt[2] dilation=[1, 1], SymInt groups=1) -> Tensor",
           "aten::conv2d.padding(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], str padding=\"valid\", SymInt[2] dilation=[1, 1], SymInt groups=1) -> Tensor",
           "aten::conv3d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[3] stride=[1, 1, 1], SymInt[3] padding=[0, 0, 0], SymInt[3] dilation=[1, 1, 1], SymInt groups=1) -> Tensor",
           "aten::conv3d.padding(Tensor input, Tensor weight, Tensor? bias=None, SymInt[3] stride=[1, 1, 1], str padding=\"valid\", SymInt[3] dilation=[1, 1, 1], SymInt groups=1) -> Tensor",
           "aten::conv_transpose1d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[1] stride=[1], SymInt[1] padding=[0], SymInt[1] output_padding=[0], SymInt groups=1, SymInt[1] dilation=[1]) -> Tensor",
           "aten::conv_transpose2d.input(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], SymInt[2] padding=[0, 0], SymInt[2] output_padding=[0, 0], SymInt groups=1, SymInt[2] dilation=[1, 1]) -> Tensor",
           "aten::conv_transpose3d.input(Tensor input, Tensor weight, Tensor? bias=None, SymInt[3] stride=[1, 1, 1], SymInt[3] padding=[0, 0, 0], SymInt[3] output_padding=[0, 0, 0], SymInt groups=1, SymInt[3] dilation=[1, 1, 1]) -> Tensor",
           "aten::_convolution(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, SymInt[] padding, SymInt[] dilation, bool transposed, SymInt[] output_padding, SymInt groups, bool benchmark, bool deterministic, bool cudnn_enabled, bool allow_tf32) -> Tensor",
           "aten::_convolution.deprecated(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, SymInt[] padding, SymInt[] dilation, bool transposed, int[] output_padding, SymInt groups, bool benchmark, bool deterministic, bool cudnn_enabled) -> Tensor",
           "aten::convolution(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, SymInt[] padding, SymInt[] dilation, bool transposed, SymInt[] output_padding, SymInt groups) -> Tensor",
       }) {
    const std::string_view text(s);
    const ConvForm form = conv_form(text.substr(0, text.find('(')));
    OpDef& d = def(
        r, s, C,
        [form](const Args& a) { return conv_shape(tensor(a, 0), tensor(a, 1), opt_tensor(a, 2), conv_args(a, form)); },
        [form](const Args& a, const Outs& o) { return conv_cost(a, o, conv_args(a, form).transposed); });
    d.backward = [form](const Args& a, const Outs& o, const NeedsGrad& n) {
      const ConvArgs p = conv_args(a, form);
      return conv_backward(a, o, n, p.transposed, p.groups);
    };
    d.saves = keeps_input_and_weight;
  }
}

}  // namespace ptscope::graph::rules
