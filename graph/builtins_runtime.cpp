// Runtime state and the rest: grad mode, warnings, optional unwrapping,
// exceptions and asserts, devices, hash, divmod; and the xnnpack prepacked ops
// of mobile models, whose op context holds the conv or linear weights: the
// call is recorded as the aten op it runs.
#include <cmath>
#include <functional>

#include "graph/builtins_support.h"

namespace ptscope::graph::builtin {

namespace {

// Unpacks a TorchBind op context's state (xnnpack prepacked ops).
Vals context_state(Interpreter& in, const Val& ctx, const char* op) {
  if (!ctx.is(VKind::object) || !ctx.as<ObjBox>().py || !ctx.as<ObjBox>().py->state)
    in.fail(std::string(op) + ": the op context has no pickled state", ErrorCode::corrupt);
  Val state = in.pickled_state(ctx);
  if (!state.is_sequence()) in.fail(std::string(op) + ": unexpected op context state", ErrorCode::corrupt);
  return state.items();
}

Val clamp_output(Interpreter& in, Val out, const Val& lo, const Val& hi) {
  if (lo.is_none() && hi.is_none()) return out;
  return in.call_op("aten::clamp", {std::move(out), lo, hi});
}

}  // namespace

void register_runtime(Table& m) {
  // Autograd is on by default, as in a plain torch.jit.load + forward.
  m["aten::is_grad_enabled"] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val::boolean(true); };
  static const char* const kOff[] = {"aten::is_autocast_enabled", "aten::is_autocast_cpu_enabled",
                                     "aten::_get_tracing_state", "builtins::jit.is_tracing",
                                     "aten::is_inference_mode_enabled", "builtins::jit.is_tracing"};
  for (const char* name : kOff)
    m[name] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val::boolean(false); };
  m["aten::is_scripting"] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val::boolean(true); };
  m["builtins::jit.is_scripting"] = m["aten::is_scripting"];
  m["aten::warn"] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val(); };
  m["builtins::print"] = m["aten::warn"];
  m["aten::manual_seed"] = m["aten::warn"];
  m["prim::unchecked_cast"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    return arg(in, a, 0, "unchecked_cast");
  };
  m["aten::_unwrap_optional"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& x = arg(in, a, 0, "_unwrap_optional");
    if (x.is_none()) in.fail("unwrapping an Optional that is None", ErrorCode::corrupt);
    return x;
  };
  m["prim::unchecked_unwrap_optional"] = m["prim::unchecked_cast"];
  m["aten::wait"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& f = arg(in, a, 0, "wait");
    return f.kind == VKind::future ? f.as<FutureBox>().value : f;
  };
  m["prim::RaiseException"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    std::string msg = a.empty() ? "" : val_str(a[0]);
    std::string cls = a.size() > 1 && a[1].kind == VKind::string ? a[1].str() : "";
    if (cls.rfind("builtins.", 0) == 0) cls = cls.substr(9);
    in.fail("the model raises " + (cls.empty() ? std::string("an exception") : cls) + (msg.empty() ? "" : ": " + msg),
            ErrorCode::unsupported);
  };
  m["aten::_assert"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (!in.truthy(arg(in, a, 0, "_assert"), "torch._assert"))
      in.fail("the model's assertion fails" + (a.size() > 1 ? ": " + val_str(a[1]) : std::string()),
              ErrorCode::unsupported);
    return Val();
  };
  m["builtins::device"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& d = arg(in, a, 0, "device");
    if (d.kind == VKind::device) return d;
    if (d.kind != VKind::string) in.fail("torch.device() needs a string", ErrorCode::corrupt);
    std::string text = d.str();
    if (a.size() > 1 && !a[1].is_none()) text += ":" + std::to_string(to_int(in, a[1]));
    return Val::device(text);
  };
  m["aten::device"] = m["builtins::device"];
  // `ops.prim.type(device)`: the device type ("cpu"), as torch 2.x's MHA fast-path checks print it.
  m["prim::type"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& d = arg(in, a, 0, "type");
    if (d.kind != VKind::device) return std::nullopt;
    const std::string& text = d.str();
    return Val::string(text.substr(0, text.find(':')));
  };
  m["builtins::hash"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    return Val::integer(int64_t(std::hash<std::string>{}(val_repr(arg(in, a, 0, "hash"), 1 << 20))));
  };
  m["builtins::divmod"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& x = arg(in, a, 0, "divmod");
    const Val& y = arg(in, a, 1, "divmod");
    if (is_int_like(x) && is_int_like(y))
      return Val::tuple({Val::integer(floor_div(in, int_of(x), int_of(y))), Val::integer(py_mod(in, int_of(x), int_of(y)))});
    double p = to_float(in, x), q = to_float(in, y);
    return Val::tuple({Val::floating(std::floor(p / q)), Val::floating(p - std::floor(p / q) * q)});
  };

  // xnnpack prepacked ops.
  m["prepacked::conv2d_clamp_run"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    Vals s = context_state(in, arg(in, a, 1, "conv2d_clamp_run"), "conv2d_clamp_run");
    if (s.size() < 8) in.fail("conv2d_clamp_run: unexpected op context state", ErrorCode::corrupt);
    Val out = in.call_op("aten::conv2d", {a[0], s[0], s[1], s[2], s[3], s[4], s[5]});
    return clamp_output(in, out, s[6], s[7]);
  };
  m["prepacked::conv2d_transpose_clamp_run"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    Vals s = context_state(in, arg(in, a, 1, "conv2d_transpose_clamp_run"), "conv2d_transpose_clamp_run");
    if (s.size() < 9) in.fail("conv2d_transpose_clamp_run: unexpected op context state", ErrorCode::corrupt);
    Val out = in.call_op("aten::conv_transpose2d", {a[0], s[0], s[1], s[2], s[3], s[4], s[6], s[5]});
    return clamp_output(in, out, s[7], s[8]);
  };
  m["prepacked::linear_clamp_run"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    Vals s = context_state(in, arg(in, a, 1, "linear_clamp_run"), "linear_clamp_run");
    if (s.size() < 4) in.fail("linear_clamp_run: unexpected op context state", ErrorCode::corrupt);
    Val out = in.call_op("aten::linear", {a[0], s[0], s[1]});
    return clamp_output(in, out, s[2], s[3]);
  };
}

}  // namespace ptscope::graph::builtin
