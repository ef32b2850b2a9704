// Quantized ops. Packed-params ops (quantized::conv2d, quantized::linear ...)
// take TorchBind objects, which the registry's argument types cannot carry:
// here the packed object is opened (pickled state or a prepack call made by
// __setstate__), the float op computes the shape and cost, and the node is
// recorded under the quantized op's name with the quantized dtypes.
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "graph/builtins.h"

namespace ptscope::graph {
namespace {

const char* const kConvPacked = "__torch__.torch.classes.quantized.Conv2dPackedParamsBase";
const char* const kLinearPacked = "__torch__.torch.classes.quantized.LinearPackedParamsBase";

bool is_quantized(DType d) { return dtype_info(d).is_quantized; }

// Defs made here live as long as the process, like the registry's.
std::mutex g_defs_mutex;
std::map<std::string, std::unique_ptr<OpDef>>& defs() {
  static std::map<std::string, std::unique_ptr<OpDef>> d;
  return d;
}

// The aten op's def under the quantized op's name (same arguments, category and rules).
const OpDef& renamed(const OpDef& aten, const std::string& qname) {
  std::lock_guard<std::mutex> lock(g_defs_mutex);
  auto& slot = defs()[qname + "|" + aten.schema.full_name()];
  if (!slot) {
    slot = std::make_unique<OpDef>(aten);
    size_t sep = qname.find('.');
    slot->schema.name = qname.substr(0, sep);
    slot->schema.overload = sep == std::string::npos ? "" : qname.substr(sep + 1);
  }
  return *slot;
}

const OpDef& local_def(const std::string& schema, OpCategory category,
                       std::function<std::vector<TensorMeta>(const std::vector<ArgValue>&)> shape) {
  std::lock_guard<std::mutex> lock(g_defs_mutex);
  auto& slot = defs()[schema];
  if (!slot) {
    slot = std::make_unique<OpDef>();
    slot->schema = parse_schema(schema);
    slot->category = category;
    slot->shape = std::move(shape);
  }
  return *slot;
}

Vals flatten(const Val& v) {
  if (!v.is_sequence()) return {v};
  Vals out;
  for (const auto& x : v.items())
    for (auto& y : flatten(x)) out.push_back(std::move(y));
  return out;
}

// Runs `aten_op` on the arguments with quantized dtypes read as float32, then
// records the node as `qname` with the real dtypes and `out_dtype` outputs.
Val via(Interpreter& in, const std::string& qname, const std::string& aten_op, const Vals& aten_args, DType out_dtype) {
  // Input inference: let the probe see the float op with the unpacked weight.
  for (const auto& v : aten_args)
    if (v.is_tensor() && v.as<TensorBox>().placeholder >= 0) return in.call_op(aten_op, aten_args);
  std::vector<ArgValue> pos;
  std::map<int, DType> real;
  auto floatify = [&](TensorMeta& t) {
    if (is_quantized(t.dtype)) {
      real[t.value_id] = t.dtype;
      t.dtype = DType::float32;
    }
  };
  for (size_t k = 0; k < aten_args.size(); ++k) {
    auto a = in.to_arg(aten_args[k]);
    if (!a) in.fail(qname + ": argument " + std::to_string(k + 1) + " cannot be passed to " + aten_op);
    if (auto* t = std::get_if<TensorMeta>(&*a)) floatify(*t);
    if (auto* ts = std::get_if<std::vector<TensorMeta>>(&*a))
      for (auto& t : *ts) floatify(t);
    pos.push_back(std::move(*a));
  }
  const OpDef* def = nullptr;
  std::vector<ArgValue> bound;
  std::vector<TensorMeta> outs;
  OpCost cost;
  try {
    auto r = op_registry().resolve(aten_op, pos, {});
    def = r.first;
    bound = std::move(r.second);
    outs = def->shape(bound);
    cost = def->cost ? def->cost(bound, outs) : default_bytes(bound, outs);
  } catch (const LocatedError&) {
    throw;
  } catch (const Error& e) {
    in.fail(qname + " (as " + aten_op + "): " + e.what(), e.code(), e.condition());
  }
  auto restore = [&](TensorMeta& t) {
    auto it = real.find(t.value_id);
    if (it != real.end()) t.dtype = it->second;
  };
  for (auto& a : bound) {
    if (auto* t = std::get_if<TensorMeta>(&a)) restore(*t);
    if (auto* ts = std::get_if<std::vector<TensorMeta>>(&a))
      for (auto& t : *ts) restore(t);
  }
  for (auto& o : outs) o.dtype = out_dtype;
  // Bytes at the quantized element sizes; FLOPs as the float op.
  const OpCost bytes = default_bytes(bound, outs);
  cost.bytes_read = bytes.bytes_read;
  cost.bytes_written = bytes.bytes_written;
  return in.record(renamed(*def, qname), bound, std::move(outs), aten_args, cost);
}

struct Conv {
  Val weight, bias;
  Vals stride, padding, dilation, output_padding;
  int64_t groups = 1;
  bool transposed = false;
};

Val int_list(const std::vector<double>& v, size_t from, size_t n) {
  Vals out;
  for (size_t k = 0; k < n && from + k < v.size(); ++k) out.push_back(Val::integer(int64_t(v[from + k])));
  return Val::list(std::move(out));
}

// Conv packed params: attributes from a prepack call, or the pickled state
// ("2", [config, weight], [bias]) / (3, config, [weight, bias]) with config =
// [spatial dims, stride..., padding..., dilation..., output_padding..., groups, flags].
Conv unpack_conv(Interpreter& in, const Val& packed, const std::string& op) {
  Conv c;
  if (!packed.is(VKind::object)) in.fail(op + ": expected packed conv params, got a " + std::string(vkind_name(packed.kind)));
  auto& o = packed.as<ObjBox>();
  if (o.attrs.count("weight")) {
    c.weight = o.attrs["weight"];
    c.bias = o.attrs["bias"];
    c.stride = o.attrs["stride"].items();
    c.padding = o.attrs["padding"].items();
    c.dilation = o.attrs["dilation"].items();
    if (o.attrs.count("output_padding")) c.output_padding = o.attrs["output_padding"].items();
    c.groups = o.attrs["groups"].i;
    c.transposed = o.attrs.count("transposed") && o.attrs["transposed"].b;
    return c;
  }
  Val state = in.pickled_state(packed);
  while (state.is(VKind::tuple) && state.items().size() == 1) state = state.items()[0];
  if (!state.is_sequence() || state.items().size() < 3) in.fail(op + ": unrecognised packed conv params state");
  const Vals& s = state.items();
  std::vector<double> config;
  Vals tensors;
  if (s[0].kind == VKind::string) {  // version 2
    Vals first = flatten(s[1]);
    if (first.size() < 2 || !first[0].is_tensor()) in.fail(op + ": unrecognised packed conv params (v2)");
    auto values = in.tensor_values(first[0]);
    if (!values) in.fail(op + ": the packed conv config tensor has no data");
    config = *values;
    tensors.push_back(first[1]);
    Vals rest = flatten(s[2]);
    tensors.push_back(rest.empty() ? Val() : rest[0]);
  } else {  // version 3
    for (const auto& x : flatten(s[1])) config.push_back(x.number());
    tensors = flatten(s[2]);
  }
  if (config.empty() || tensors.empty()) in.fail(op + ": empty packed conv params");
  const size_t d = size_t(config[0]);
  if (config.size() < 1 + 4 * d + 1) in.fail(op + ": short packed conv config");
  c.weight = tensors[0];
  c.bias = tensors.size() > 1 ? tensors[1] : Val();
  c.stride = int_list(config, 1, d).items();
  c.padding = int_list(config, 1 + d, d).items();
  c.dilation = int_list(config, 1 + 2 * d, d).items();
  c.output_padding = int_list(config, 1 + 3 * d, d).items();
  c.groups = int64_t(config[1 + 4 * d]);
  c.transposed = config.size() > 2 + 4 * d && (int64_t(config[2 + 4 * d]) & 1);
  return c;
}

struct Linear {
  Val weight, bias;
};

Linear unpack_linear(Interpreter& in, const Val& packed, const std::string& op) {
  if (!packed.is(VKind::object)) in.fail(op + ": expected packed linear params, got a " + std::string(vkind_name(packed.kind)));
  auto& o = packed.as<ObjBox>();
  if (o.attrs.count("weight")) return {o.attrs["weight"], o.attrs["bias"]};
  Vals items = flatten(in.pickled_state(packed));
  Linear l;
  for (const auto& x : items) {
    if (x.is_tensor() && l.weight.is_none()) l.weight = x;
    else if ((x.is_tensor() || x.is_none()) && !l.weight.is_none()) {
      l.bias = x;
      break;
    }
  }
  if (!l.weight.is_tensor()) in.fail(op + ": unrecognised packed linear params state");
  return l;
}

Val make_packed(const char* qualname, std::vector<std::pair<std::string, Val>> attrs) {
  Val v;
  v.kind = VKind::object;
  auto box = std::make_shared<ObjBox>();
  box->qualname = qualname;
  box->state_applied = true;
  for (auto& [k, x] : attrs) box->attrs.emplace(k, std::move(x));
  v.box = box;
  return v;
}

DType dtype_of(const Val& v) { return v.is_tensor() ? v.as<TensorBox>().meta.dtype : DType::float32; }

}  // namespace

std::optional<Val> call_quantized_builtin(Interpreter& in, const std::string& op, Vals& a, Kwargs& kw) {
  auto need = [&](size_t n) {
    if (a.size() < n) in.fail(op + " needs " + std::to_string(n) + " arguments", ErrorCode::corrupt);
  };
  if (op == "aten::quantize_per_tensor" || op == "aten::quantize_per_channel") {
    need(4);
    if (!a[0].is_tensor()) return std::nullopt;
    const bool per_channel = op == "aten::quantize_per_channel";
    const Val& dtype_arg = a[per_channel ? 4 : 3];
    if (dtype_arg.kind != VKind::integer || !is_valid_dtype(int(dtype_arg.i)))
      in.fail(op + ": bad dtype argument", ErrorCode::corrupt);
    const OpDef& def = local_def(
        per_channel ? "aten::quantize_per_channel(Tensor self, Tensor scales, Tensor zero_points, int axis, ScalarType dtype) -> Tensor"
                    : "aten::quantize_per_tensor(Tensor self, float scale, int zero_point, ScalarType dtype) -> Tensor",
        OpCategory::elementwise, [](const std::vector<ArgValue>& b) {
          TensorMeta m = std::get<TensorMeta>(b[0]);
          m.dtype = DType(std::get<int64_t>(b.back()));
          return std::vector<TensorMeta>{m};
        });
    std::vector<ArgValue> bound;
    for (size_t k = 0; k < def.schema.args.size(); ++k) {
      auto v = in.to_arg(a[k]);
      // quantize_per_tensor.tensor_qparams passes scale and zero point as tensors.
      if (v && std::holds_alternative<TensorMeta>(*v) && k > 0 && !per_channel) {
        auto values = in.tensor_values(a[k]);
        v = values && !values->empty() ? (k == 1 ? ArgValue((*values)[0]) : ArgValue(int64_t((*values)[0])))
                                       : (k == 1 ? ArgValue(1.0) : ArgValue(int64_t(0)));
      }
      if (!v) in.fail(op + ": bad argument " + std::to_string(k + 1), ErrorCode::corrupt);
      bound.push_back(*v);
    }
    return in.record(def, bound, def.shape(bound), a);
  }
  if (op == "aten::dequantize") {
    need(1);
    if (!a[0].is_tensor()) return std::nullopt;
    const OpDef& def = local_def("aten::dequantize.self(Tensor self) -> Tensor", OpCategory::elementwise,
                                 [](const std::vector<ArgValue>& b) {
                                   TensorMeta m = std::get<TensorMeta>(b[0]);
                                   m.dtype = DType::float32;
                                   return std::vector<TensorMeta>{m};
                                 });
    std::vector<ArgValue> bound{*in.to_arg(a[0])};
    return in.record(def, bound, def.shape(bound), a);
  }
  if (op.rfind("quantized::", 0) != 0) return std::nullopt;
  const std::string name = op.substr(11);

  // Prepack/unpack (run by __setstate__ and _weight_bias of quantized modules).
  if (name == "conv1d_prepack" || name == "conv2d_prepack" || name == "conv3d_prepack" ||
      name == "conv_transpose1d_prepack" || name == "conv_transpose2d_prepack") {
    const bool transposed = name.find("transpose") != std::string::npos;
    need(transposed ? 7 : 6);
    std::vector<std::pair<std::string, Val>> attrs{{"weight", a[0]}, {"bias", a[1]}, {"stride", a[2]}, {"padding", a[3]}};
    if (transposed) {
      attrs.emplace_back("output_padding", a[4]);
      attrs.emplace_back("dilation", a[5]);
      attrs.emplace_back("groups", a[6]);
    } else {
      attrs.emplace_back("dilation", a[4]);
      attrs.emplace_back("groups", a[5]);
    }
    attrs.emplace_back("transposed", Val::boolean(transposed));
    return make_packed(kConvPacked, std::move(attrs));
  }
  if (name == "linear_prepack" || name == "linear_prepack_fp16") {
    need(1);
    return make_packed(kLinearPacked, {{"weight", a[0]}, {"bias", a.size() > 1 ? a[1] : Val()}});
  }
  if (name.size() > 7 && name.compare(name.size() - 7, 7, "_unpack") == 0) {
    need(1);
    if (name.rfind("conv", 0) == 0) {
      Conv c = unpack_conv(in, a[0], op);
      return Val::tuple({c.weight, c.bias});
    }
    Linear l = unpack_linear(in, a[0], op);
    return Val::tuple({l.weight, l.bias});
  }

  // Convolutions and linear layers with packed weights.
  const bool relu = name.size() > 5 && name.compare(name.size() - 5, 5, "_relu") == 0;
  const std::string base = relu ? name.substr(0, name.size() - 5) : name;
  if (base == "conv1d" || base == "conv2d" || base == "conv3d" || base == "conv_transpose1d" ||
      base == "conv_transpose2d") {
    need(2);
    Conv c = unpack_conv(in, a[1], op);
    const DType out = a.size() >= 4 ? dtype_of(a[0]) : DType::float32;
    Vals args{a[0], c.weight, c.bias, Val::list(c.stride), Val::list(c.padding)};
    std::string aten = "aten::" + base;
    if (c.transposed) {
      args.push_back(Val::list(c.output_padding));
      args.push_back(Val::integer(c.groups));
      args.push_back(Val::list(c.dilation));
    } else {
      args.push_back(Val::list(c.dilation));
      args.push_back(Val::integer(c.groups));
    }
    return via(in, op, aten, args, out);
  }
  if (base == "linear" || base == "linear_dynamic" || base == "linear_dynamic_fp16") {
    need(2);
    Linear l = unpack_linear(in, a[1], op);
    const DType out = base == "linear" ? dtype_of(a[0]) : DType::float32;
    return via(in, op, "aten::linear", {a[0], l.weight, l.bias}, out);
  }
  // Elementwise and other ops on quantized tensors: the float op's shape, the input's dtype.
  if (base == "add" || base == "mul" || base == "add_scalar" || base == "mul_scalar") {
    need(2);
    return via(in, op, base.rfind("add", 0) == 0 ? "aten::add" : "aten::mul", {a[0], a[1]}, dtype_of(a[0]));
  }
  if (base == "cat") {
    need(2);
    return via(in, op, "aten::cat", {a[0], a[1]}, a[0].is_sequence() && !a[0].items().empty() ? dtype_of(a[0].items()[0]) : DType::quint8);
  }
  if (base == "hardswish" || base == "sigmoid" || base == "relu6" || base == "leaky_relu" || base == "gelu" ||
      base == "elu" || base == "hardtanh") {
    need(1);
    return via(in, op, "aten::" + base, {a[0]}, dtype_of(a[0]));
  }
  if (base == "batch_norm2d" || base == "batch_norm1d" || base == "batch_norm3d" || base == "batch_norm") {
    need(6);
    return via(in, op, "aten::batch_norm",
               {a[0], a[1], a[2], a[3], a[4], Val::boolean(false), Val::floating(0.1), a[5], Val::boolean(false)},
               dtype_of(a[0]));
  }
  (void)kw;
  return std::nullopt;
}

}  // namespace ptscope::graph
