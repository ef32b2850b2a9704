// Tensor metadata queries: size, dim, numel, stride, dtype, device and the
// is_* flags, answered from the shape-only tensor.
#include "graph/builtins_support.h"

namespace ptscope::graph::builtin {

void register_tensor_metadata(Table& m) {
  m["aten::size"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "size");
    if (!t.is_tensor()) return std::nullopt;
    const auto& shape = meta(t).shape;
    const Val* dim = a.size() > 1 ? &a[1] : kwarg(kw, "dim");
    if (dim && !dim->is_none()) {
      if (shape.empty()) in.fail("size(dim) of a 0-d tensor", ErrorCode::corrupt);
      return Val::integer(shape[size_t(wrap_dim(in, to_int(in, *dim), int64_t(shape.size())))]);
    }
    Vals out;
    out.reserve(shape.size());
    for (int64_t d : shape) out.push_back(Val::integer(d));
    Val l = Val::list(std::move(out));
    l.as<SeqBox>().elem_type = "int";
    return l;
  };
  m["aten::sym_size"] = m["aten::size"];
  m["aten::dim"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "dim");
    if (!t.is_tensor()) return std::nullopt;
    return Val::integer(int64_t(meta(t).shape.size()));
  };
  m["aten::numel"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "numel");
    if (!t.is_tensor()) return std::nullopt;
    return Val::integer(meta(t).numel());
  };
  m["prim::numel"] = m["aten::numel"];
  m["aten::stride"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "stride");
    if (!t.is_tensor()) return std::nullopt;
    // Views carry their strides; every other result is dense (graph/values.h).
    std::vector<int64_t> s = meta(t).layout_strides();
    if (a.size() > 1) return Val::integer(s[size_t(wrap_dim(in, to_int(in, a[1]), int64_t(s.size())))]);
    Vals out;
    for (int64_t x : s) out.push_back(Val::integer(x));
    return Val::list(std::move(out));
  };
  m["aten::is_contiguous"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "is_contiguous");
    if (!t.is_tensor()) return std::nullopt;
    return Val::boolean(meta(t).contiguous());
  };
  m["aten::element_size"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "element_size");
    if (!t.is_tensor()) return std::nullopt;
    return Val::integer(int64_t(itemsize(meta(t).dtype)));
  };
  m["aten::is_floating_point"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "is_floating_point");
    if (!t.is_tensor()) return std::nullopt;
    return Val::boolean(dtype_info(meta(t).dtype).is_floating);
  };
  m["aten::is_complex"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "is_complex");
    if (!t.is_tensor()) return std::nullopt;
    return Val::boolean(dtype_info(meta(t).dtype).is_complex);
  };
  m["aten::is_signed"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "is_signed");
    if (!t.is_tensor()) return std::nullopt;
    return Val::boolean(dtype_info(meta(t).dtype).is_signed);
  };
  m["aten::get_device"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (!arg(in, a, 0, "get_device").is_tensor()) return std::nullopt;
    return Val::integer(-1);
  };
  m["prim::dtype"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "dtype");
    if (!t.is_tensor()) in.fail("dtype of a non-tensor", ErrorCode::corrupt);
    return Val::integer(int64_t(meta(t).dtype));
  };
  m["prim::device"] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val::device("cpu"); };
  m["prim::layout"] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val::integer(0); };
  m["prim::requires_grad"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    return Val::boolean(in.requires_grad(arg(in, a, 0, "requires_grad")));
  };
  m["prim::is_quantized"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "is_quantized");
    return Val::boolean(t.is_tensor() && dtype_info(meta(t).dtype).is_quantized);
  };
  m["aten::is_quantized"] = m["prim::is_quantized"];
  // The shape-only backend models a plain dense CPU tensor.
  static const char* const kFalse[] = {"prim::is_cuda", "prim::is_nested", "prim::is_mkldnn", "prim::is_sparse",
                                       "prim::is_sparse_csr", "prim::is_meta", "prim::is_xpu", "prim::is_vulkan",
                                       "prim::is_mps", "prim::is_ipu", "prim::is_maia", "prim::is_xla",
                                       "prim::is_hpu", "prim::is_mtia", "prim::is_lazy"};
  for (const char* name : kFalse)
    m[name] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val::boolean(false); };
  m["prim::is_cpu"] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val::boolean(true); };
  m["prim::name"] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val(); };
  m["prim::grad"] = [](Interpreter&, Vals&, Kwargs&) -> std::optional<Val> { return Val(); };
  m["prim::data"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> { return arg(in, a, 0, "data"); };
  m["prim::is_leaf"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "is_leaf");
    return Val::boolean(t.is_tensor() && in.graph().values[size_t(meta(t).value_id)].producer < 0);
  };
}

}  // namespace ptscope::graph::builtin
