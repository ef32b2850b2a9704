// Tensor ops: value conversion to registry arguments, operator upgraders for
// old archives, overload resolution, the backend call and the graph node.
#include <cmath>
#include <string_view>
#include <unordered_set>

#include "graph/interpreter.h"

namespace ptscope::graph {

std::vector<TensorMeta> ShapeBackend::run(const OpDef& def, const std::vector<ArgValue>& args) {
  if (!def.shape) throw Error(ErrorCode::unsupported, def.schema.full_name() + " has no shape rule");
  return def.shape(args);
}

namespace {

bool has_placeholder(const Val& v, bool deep) {
  if (v.is_tensor()) return v.as<TensorBox>().placeholder >= 0;
  if (deep && v.is_sequence())
    for (const auto& x : v.items())
      if (has_placeholder(x, false)) return true;
  return false;
}

// Ops that pass placeholders along without looking at their shape.
bool transparent(const std::string& op) {
  static const char* const kOps[] = {
      "aten::__is__", "aten::__isnot__", "aten::append", "aten::_set_item", "aten::insert", "aten::list",
      "aten::format", "aten::warn", "prim::unchecked_cast", "aten::_unwrap_optional", "prim::dtype",
      "prim::device", "prim::is_cuda", "prim::requires_grad", "prim::is_nested", "prim::is_quantized",
      "prim::is_mkldnn", "prim::is_sparse", "prim::is_meta", "prim::is_xpu", "prim::is_vulkan",
      "prim::layout", "aten::is_floating_point", "aten::is_complex", "aten::extend", "aten::wait",
      "builtins::print", "builtins::str", "aten::str", "aten::__getitem__", "aten::__contains__",
      "aten::copy", "aten::get", "aten::values", "aten::keys", "aten::items", "aten::__not__",
  };
  for (const char* k : kOps)
    if (op == k) return true;
  // xnnpack and packed-params quantized ops unpack their weights and call the
  // aten op, which the observer then sees.
  return op.rfind("prepacked::", 0) == 0 || op.rfind("quantized::conv", 0) == 0 ||
         op.rfind("quantized::linear", 0) == 0;
}

// Ops that look into containers (len of a list of placeholders is fine).
bool container_op(const std::string& op) {
  return op == "aten::len" || op == "aten::add" || op == "builtins::len" || op == "aten::eq" || op == "aten::ne";
}

std::string strip_alias(const std::string& type) {
  std::string out;
  int depth = 0;
  for (char c : type) {
    if (c == '(') ++depth;
    else if (c == ')') --depth;
    else if (depth == 0 && c != ' ') out += c;
  }
  return out;
}

bool is_integral(DType d) {
  const auto& info = dtype_info(d);
  return !info.is_floating && !info.is_complex;
}

// Value of a bound argument for folding: a known tensor's elements or a scalar.
struct Operand {
  const std::vector<double>* values = nullptr;
  double scalar = 0;
  bool ok = false;
  double at(size_t k) const { return values ? (*values)[values->size() == 1 ? 0 : k] : scalar; }
};

}  // namespace

std::optional<ArgValue> Interpreter::to_arg(const Val& v) { return to_arg_impl(v, 0); }

std::optional<ArgValue> Interpreter::to_arg_impl(const Val& v, int depth) {
  switch (v.kind) {
    case VKind::none: return ArgValue(NoneArg{});
    case VKind::boolean: return ArgValue(v.b);
    case VKind::integer: return ArgValue(v.i);
    case VKind::floating: return ArgValue(v.f);
    case VKind::string:
    case VKind::device: return ArgValue(v.str());
    case VKind::tensor: return ArgValue(v.as<TensorBox>().meta);
    case VKind::enum_value: return to_arg_impl(v.as<EnumBox>().value, depth);
    case VKind::list:
    case VKind::tuple: {
      if (depth > 0) return std::nullopt;
      const auto& box = v.as<SeqBox>();
      if (box.items.empty()) {
        if (box.elem_type.rfind("Tensor", 0) == 0) return ArgValue(std::vector<TensorMeta>{});
        if (box.elem_type == "float") return ArgValue(std::vector<double>{});
        return ArgValue(std::vector<int64_t>{});
      }
      bool all_int = true, all_num = true, all_tensor = true;
      for (const auto& x : box.items) {
        all_int = all_int && (x.kind == VKind::integer || x.kind == VKind::boolean);
        all_num = all_num && x.is_number();
        all_tensor = all_tensor && (x.is_tensor() || x.is_none());
      }
      if (all_int) {
        std::vector<int64_t> out;
        out.reserve(box.items.size());
        for (const auto& x : box.items) out.push_back(x.kind == VKind::boolean ? int64_t(x.b) : x.i);
        return ArgValue(std::move(out));
      }
      if (all_num) {
        std::vector<double> out;
        for (const auto& x : box.items) out.push_back(x.number());
        return ArgValue(std::move(out));
      }
      if (all_tensor) {
        std::vector<TensorMeta> out;
        for (const auto& x : box.items) out.push_back(x.is_none() ? TensorMeta::none() : x.as<TensorBox>().meta);
        return ArgValue(std::move(out));
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

void Interpreter::apply_upgraders(const std::string& op, std::vector<ArgValue>& pos,
                                  std::vector<std::pair<std::string, ArgValue>>& kw) {
  auto has_kw = [&](std::string_view name) {
    for (const auto& [k, v] : kw)
      if (k == name && !std::holds_alternative<NoneArg>(v)) return true;
    return false;
  };
  auto integral = [](const ArgValue& a) {
    if (auto* t = std::get_if<TensorMeta>(&a)) return is_integral(t->dtype);
    return std::holds_alternative<int64_t>(a) || std::holds_alternative<bool>(a);
  };
  // Before version 4, aten::div on two integral operands truncated (div_0_3).
  if (format_version_ < 4 && (op == "aten::div" || op == "aten::div_") && pos.size() == 2 && !has_kw("rounding_mode") &&
      integral(pos[0]) && integral(pos[1]))
    kw.emplace_back("rounding_mode", std::string("trunc"));
  // Before version 5, torch.full with an int or bool fill and no dtype made floats (full_0_4).
  if (format_version_ < 5 && op == "aten::full" && pos.size() >= 2 && !has_kw("dtype")) {
    if (auto* i = std::get_if<int64_t>(&pos[1])) pos[1] = double(*i);
    else if (auto* b = std::get_if<bool>(&pos[1])) pos[1] = double(*b);
  }
  // linspace (< 8) and logspace (< 9) defaulted steps to 100.
  if ((format_version_ < 8 && op == "aten::linspace") || (format_version_ < 9 && op == "aten::logspace")) {
    bool steps_given = pos.size() >= 3 && !std::holds_alternative<NoneArg>(pos[2]);
    if (!steps_given && !has_kw("steps")) {
      if (pos.size() >= 3) pos[2] = int64_t(100);
      else if (pos.size() == 2) pos.push_back(int64_t(100));
    }
  }
  // gelu before version 10 had no `approximate`; the schema default ('none') is that behaviour.
}

Val Interpreter::call_op(const std::string& op, Vals args, Kwargs kwargs) {
  if (observer_ && !transparent(op)) {
    const bool deep = !container_op(op);
    bool found = false;
    for (const auto& a : args) found = found || has_placeholder(a, deep);
    for (const auto& [k, a] : kwargs) found = found || has_placeholder(a, deep);
    if (found) return observer_->consumed(op, args, kwargs);
  }
  if (auto r = call_builtin(*this, op, args, kwargs)) return std::move(*r);
  if (op.rfind("builtins::", 0) == 0)
    fail("unsupported builtin function '" + op.substr(10) + "'", ErrorCode::unsupported,
         ErrorCondition::unsupported_builtin);
  return call_tensor_op(op, args, kwargs);
}

Val Interpreter::call_tensor_op(const std::string& op, const Vals& args, const Kwargs& kwargs) {
  std::vector<ArgValue> pos;
  std::vector<std::pair<std::string, ArgValue>> kw;
  pos.reserve(args.size());
  auto convert = [&](const Val& v, const std::string& what) {
    if (v.kind == VKind::uninit) fail(what + " of " + op + " is an uninitialized value", ErrorCode::corrupt);
    auto a = to_arg(v);
    if (!a) {
      std::string kind = v.kind == VKind::object ? "'" + short_class_name(v.as<ObjBox>().qualname) + "' object"
                                                 : std::string(vkind_name(v.kind)) + " " + val_repr(v, 60);
      fail(what + " of " + op + " is a " + kind + ", which no tensor op takes");
    }
    return std::move(*a);
  };
  for (size_t k = 0; k < args.size(); ++k) pos.push_back(convert(args[k], "argument " + std::to_string(k + 1)));
  for (const auto& [name, v] : kwargs) kw.emplace_back(name, convert(v, "argument '" + name + "'"));
  apply_upgraders(op, pos, kw);

  const OpDef* def = nullptr;
  std::vector<ArgValue> bound;
  std::vector<TensorMeta> outs;
  try {
    auto resolved = op_registry().resolve(op, pos, kw);
    def = resolved.first;
    bound = std::move(resolved.second);
    outs = backend_.run(*def, bound);
  } catch (const LocatedError&) {
    throw;
  } catch (const Error& e) {
    last_failure_ = FailedOp{op, pos, e.what()};
    fail(e.what(), e.code(), e.condition());
  }

  return record(*def, bound, std::move(outs), args);
}

namespace {

// detach and the *_like / new_* factories: autograd does not record them.
bool blocks_gradient(std::string_view name) {
  static const std::unordered_set<std::string_view> names = {
      "aten::detach", "aten::detach_", "aten::zeros_like", "aten::ones_like", "aten::full_like",
      "aten::empty_like", "aten::rand_like", "aten::randn_like", "aten::randint_like", "aten::new_zeros",
      "aten::new_ones", "aten::new_full", "aten::new_empty", "aten::bernoulli"};
  return names.count(name) > 0;
}

// needs[k]: bound argument k (or any tensor of list argument k) requires grad.
std::vector<char> grad_needs(const std::vector<ArgValue>& bound, const std::unordered_set<int>& requires_grad) {
  std::vector<char> needs(bound.size(), 0);
  for (size_t k = 0; k < bound.size(); ++k) {
    if (auto* t = std::get_if<TensorMeta>(&bound[k])) {
      needs[k] = requires_grad.count(t->value_id) > 0;
    } else if (auto* ts = std::get_if<std::vector<TensorMeta>>(&bound[k])) {
      for (const auto& t : *ts)
        if (t.dtype != DType::undefined && requires_grad.count(t.value_id)) needs[k] = 1;
    }
  }
  return needs;
}

// The value ids a recorded node keeps for backward (OpDef::saves; null: its outputs).
void record_saved(const OpDef& def, const std::vector<ArgValue>& bound, const std::vector<TensorMeta>& outs,
                  const std::unordered_set<int>& requires_grad, Node& node) {
  SavedTensors s;
  if (def.saves) {
    s = def.saves(bound, outs, grad_needs(bound, requires_grad));
  } else {
    for (size_t i = 0; i < outs.size(); ++i) s.outputs.push_back(i);
  }
  for (size_t k : s.args) {
    if (k >= bound.size()) continue;
    if (auto* t = std::get_if<TensorMeta>(&bound[k])) {
      if (t->value_id >= 0) node.saved.push_back(t->value_id);
    } else if (auto* ts = std::get_if<std::vector<TensorMeta>>(&bound[k])) {
      for (const auto& t : *ts)
        if (t.dtype != DType::undefined && t.value_id >= 0) node.saved.push_back(t.value_id);
    }
  }
  for (size_t i : s.outputs)
    if (i < node.outputs.size()) node.saved.push_back(node.outputs[i]);
  node.saved_extra_bytes = s.extra_bytes;
}

}  // namespace

// One node's backward FLOPs: which bound arguments need a gradient (a tensor,
// or any tensor of a list, that autograd tracks), the op's backward rule, and
// the split into parameter gradients and the rest.
BackwardFlops Interpreter::backward_flops(const OpDef& def, const std::vector<ArgValue>& bound,
                                          const std::vector<TensorMeta>& outs) const {
  std::vector<char> needs(bound.size(), 0), is_weight(bound.size(), 0);
  for (size_t k = 0; k < bound.size(); ++k) {
    if (auto* t = std::get_if<TensorMeta>(&bound[k])) {
      needs[k] = requires_grad_.count(t->value_id) > 0;
      is_weight[k] = graph_.is_parameter_view(t->value_id);
    } else if (auto* ts = std::get_if<std::vector<TensorMeta>>(&bound[k])) {
      bool all_weights = !ts->empty();
      for (const auto& t : *ts) {
        if (t.dtype == DType::undefined) continue;
        needs[k] = needs[k] || requires_grad_.count(t.value_id) > 0;
        all_weights = all_weights && graph_.is_parameter_view(t.value_id);
      }
      is_weight[k] = all_weights;
    }
  }
  const BackwardCost cost = def.backward(bound, outs, needs);
  BackwardFlops b;
  b.input_grad = cost.shared;
  for (size_t k = 0; k < cost.grads.size() && k < bound.size(); ++k)
    (is_weight[k] ? b.weight_grad : b.input_grad) += cost.grads[k];
  return b;
}

Val Interpreter::record(const OpDef& op_def, const std::vector<ArgValue>& bound, std::vector<TensorMeta> outs,
                        const Vals& args, std::optional<OpCost> given_cost) {
  const OpDef* def = &op_def;
  // Graph node: inputs in schema order, constants as attributes.
  Node node;
  node.def = def;
  node.op = def->schema.full_name();
  node.category = def->category;
  node.args = bound;
  bool any_grad = false;
  std::vector<int> tensor_inputs;
  for (size_t k = 0; k < bound.size(); ++k) {
    const ArgValue& a = bound[k];
    if (auto* t = std::get_if<TensorMeta>(&a)) {
      node.inputs.push_back(t->value_id);
      any_grad = any_grad || requires_grad_.count(t->value_id);
    } else if (auto* ts = std::get_if<std::vector<TensorMeta>>(&a)) {
      for (const auto& t : *ts)
        if (t.dtype != DType::undefined) {
          node.inputs.push_back(t.value_id);
          any_grad = any_grad || requires_grad_.count(t.value_id);
        }
    } else {
      node.attrs.emplace_back(def->schema.args[k].name, a);
    }
  }
  // Ops whose result never carries a gradient whatever their inputs.
  if (any_grad && blocks_gradient(def->schema.name)) any_grad = false;
  node.requires_grad = any_grad;
  try {
    node.cost = given_cost ? *given_cost : def->cost ? def->cost(bound, outs) : default_bytes(bound, outs);
    if (any_grad && def->backward) node.backward = backward_flops(*def, bound, outs);
  } catch (const Error& e) {
    fail(e.what(), e.code(), e.condition());
  }
  const int node_index = int(graph_.nodes.size());
  node.is_view = def->is_view && !(def->copies && def->copies(bound, outs));
  const int base = node.is_view && !node.inputs.empty() ? node.inputs[0] : -1;
  for (auto& o : outs) {
    int id = graph_.add_value(o, Value::Kind::intermediate, "", node_index);
    graph_.values[size_t(id)].view_of = base;
    o.value_id = id;
    node.outputs.push_back(id);
    if (any_grad && dtype_info(o.dtype).is_floating) requires_grad_.insert(id);
  }
  if (node.requires_grad) {
    try {
      record_saved(*def, bound, outs, requires_grad_, node);
    } catch (const Error& e) {
      fail(e.what(), e.code(), e.condition());
    }
  }
  if (!frames_.empty() && frames_.back()->scope) {
    node.scope = frames_.back()->scope->path;
    node.scope_class = short_class_name(frames_.back()->scope->qualname);
  }
  node.source = where();
  backend_.bind_outputs(outs);

  // Fold known scalars so traced size arithmetic (NumToTensor, mul, int()) stays concrete.
  if (outs.size() == 1 && outs[0].numel() <= 64) {
    if (auto folded = fold(*def, bound, outs[0])) known_[outs[0].value_id] = std::move(*folded);
  }
  graph_.nodes.push_back(std::move(node));

  // Results by the schema's return types.
  auto wrap = [](const TensorMeta& m) {
    Val v;
    v.kind = VKind::tensor;
    auto box = std::make_shared<TensorBox>();
    box->meta = m;
    v.box = box;
    return v;
  };
  if (def->is_inplace && !outs.empty()) {
    // The op returns its (updated) first argument: every alias sees the new value.
    for (const auto& a : args) {
      if (a.is_tensor()) {
        a.as<TensorBox>().meta = outs[0];
        return a;
      }
    }
  }
  const auto& returns = def->schema.returns;
  if (returns.empty()) return Val();
  if (returns.size() == 1) {
    std::string r = strip_alias(returns[0]);
    if (r == "Tensor" && outs.size() == 1) return wrap(outs[0]);
    if (r == "Tensor[]") {
      Vals items;
      for (const auto& o : outs) items.push_back(wrap(o));
      Val l = Val::list(std::move(items));
      l.as<SeqBox>().elem_type = "Tensor";
      return l;
    }
  }
  if (outs.size() == returns.size()) {
    Vals items;
    for (size_t k = 0; k < outs.size(); ++k) {
      if (strip_alias(returns[k]) != "Tensor") fail(node.op + " returns a " + returns[k] + ", which needs a builtin");
      items.push_back(wrap(outs[k]));
    }
    return items.size() == 1 ? items[0] : Val::tuple(std::move(items));
  }
  fail(node.op + ": the shape rule gave " + std::to_string(outs.size()) + " outputs for " +
           std::to_string(returns.size()) + " declared results",
       ErrorCode::corrupt);
}

std::optional<std::vector<double>> Interpreter::fold(const OpDef& def, const std::vector<ArgValue>& bound,
                                                     const TensorMeta& out) {
  // Every tensor input must be known.
  std::vector<Operand> ops;
  for (const auto& a : bound) {
    Operand o;
    if (auto* t = std::get_if<TensorMeta>(&a)) {
      auto it = known_.find(t->value_id);
      if (it == known_.end()) return std::nullopt;
      o.values = &it->second;
      o.ok = true;
    } else if (auto* i = std::get_if<int64_t>(&a)) {
      o.scalar = double(*i);
      o.ok = true;
    } else if (auto* d = std::get_if<double>(&a)) {
      o.scalar = *d;
      o.ok = true;
    } else if (auto* b = std::get_if<bool>(&a)) {
      o.scalar = *b;
      o.ok = true;
    } else if (std::holds_alternative<std::vector<TensorMeta>>(a)) {
      return std::nullopt;
    }
    ops.push_back(o);
  }
  if (ops.empty() || !ops[0].values) return std::nullopt;
  const std::string& name = def.schema.name;
  const size_t n = size_t(out.numel());
  const bool int_out = is_integral(out.dtype);
  auto finish = [&](std::vector<double> v) -> std::optional<std::vector<double>> {
    if (int_out && out.dtype != DType::bool_)
      for (double& x : v) x = std::trunc(x);
    if (out.dtype == DType::bool_)
      for (double& x : v) x = x != 0;
    return v;
  };
  // Ops that keep the elements and only change shape or dtype.
  static const char* const kSame[] = {"aten::view", "aten::reshape", "aten::unsqueeze", "aten::squeeze",
                                      "aten::flatten", "aten::contiguous", "aten::clone", "aten::detach",
                                      "aten::to", "aten::type_as", "aten::_cast_Long", "aten::_cast_Float",
                                      "aten::_cast_Int", "aten::alias", "aten::numpy_T", "aten::t"};
  for (const char* s : kSame)
    if (name == s && ops[0].values->size() == n) return finish(*ops[0].values);
  auto elementwise = [&](auto&& fn, size_t arity) -> std::optional<std::vector<double>> {
    if (ops.size() < arity) return std::nullopt;
    for (size_t k = 0; k < arity; ++k) {
      if (!ops[k].ok) return std::nullopt;
      if (ops[k].values && ops[k].values->size() != 1 && ops[k].values->size() != n) return std::nullopt;
    }
    std::vector<double> v(n);
    for (size_t e = 0; e < n; ++e) v[e] = fn(e);
    return finish(std::move(v));
  };
  auto a = [&](size_t e) { return ops[0].at(e); };
  auto b = [&](size_t e) { return ops[1].at(e); };
  double alpha = 1;
  if ((name == "aten::add" || name == "aten::sub" || name == "aten::rsub") && ops.size() >= 3 && ops[2].ok)
    alpha = ops[2].scalar;
  std::string mode;
  for (size_t k = 0; k < def.schema.args.size() && k < bound.size(); ++k)
    if (def.schema.args[k].name == "rounding_mode")
      if (auto* s = std::get_if<std::string>(&bound[k])) mode = *s;
  if (name == "aten::add") return elementwise([&](size_t e) { return a(e) + alpha * b(e); }, 2);
  if (name == "aten::sub") return elementwise([&](size_t e) { return a(e) - alpha * b(e); }, 2);
  if (name == "aten::rsub") return elementwise([&](size_t e) { return b(e) - alpha * a(e); }, 2);
  if (name == "aten::mul") return elementwise([&](size_t e) { return a(e) * b(e); }, 2);
  if (name == "aten::div")
    return elementwise(
        [&](size_t e) {
          double q = a(e) / b(e);
          return mode == "floor" ? std::floor(q) : mode == "trunc" ? std::trunc(q) : q;
        },
        2);
  if (name == "aten::floor_divide") return elementwise([&](size_t e) { return std::floor(a(e) / b(e)); }, 2);
  if (name == "aten::remainder")
    return elementwise([&](size_t e) { return a(e) - std::floor(a(e) / b(e)) * b(e); }, 2);
  if (name == "aten::pow") return elementwise([&](size_t e) { return std::pow(a(e), b(e)); }, 2);
  if (name == "aten::maximum") return elementwise([&](size_t e) { return std::max(a(e), b(e)); }, 2);
  if (name == "aten::minimum") return elementwise([&](size_t e) { return std::min(a(e), b(e)); }, 2);
  if (name == "aten::eq") return elementwise([&](size_t e) { return double(a(e) == b(e)); }, 2);
  if (name == "aten::ne") return elementwise([&](size_t e) { return double(a(e) != b(e)); }, 2);
  if (name == "aten::lt") return elementwise([&](size_t e) { return double(a(e) < b(e)); }, 2);
  if (name == "aten::le") return elementwise([&](size_t e) { return double(a(e) <= b(e)); }, 2);
  if (name == "aten::gt") return elementwise([&](size_t e) { return double(a(e) > b(e)); }, 2);
  if (name == "aten::ge") return elementwise([&](size_t e) { return double(a(e) >= b(e)); }, 2);
  if (name == "aten::neg") return elementwise([&](size_t e) { return -a(e); }, 1);
  if (name == "aten::abs") return elementwise([&](size_t e) { return std::fabs(a(e)); }, 1);
  if (name == "aten::floor") return elementwise([&](size_t e) { return std::floor(a(e)); }, 1);
  if (name == "aten::ceil") return elementwise([&](size_t e) { return std::ceil(a(e)); }, 1);
  if (name == "aten::sqrt") return elementwise([&](size_t e) { return std::sqrt(a(e)); }, 1);
  if (name == "aten::trunc") return elementwise([&](size_t e) { return std::trunc(a(e)); }, 1);
  return std::nullopt;
}

}  // namespace ptscope::graph
