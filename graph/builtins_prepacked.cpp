// xnnpack prepacked ops (mobile models): the op context holds the conv or
// linear weights, and the call is recorded as the aten op it runs.
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

void register_prepacked(Table& m) {
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
