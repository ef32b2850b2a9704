// Conversions: int()/float()/bool()/complex(), item(), tolist(), and the
// scalar and literal tensors (torch.tensor, NumToTensor, scalar_tensor).
#include <cmath>

#include "graph/builtins_support.h"

namespace ptscope::graph::builtin {

void register_conversions(Table& m) {
  m["builtins::int"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.empty()) return Val::integer(0);
    return Val::integer(to_int(in, a[0]));
  };
  m["builtins::float"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.empty()) return Val::floating(0);
    if (a[0].kind == VKind::string) {
      const std::string& s = a[0].str();
      if (s == "inf" || s == "+inf") return Val::floating(std::numeric_limits<double>::infinity());
      if (s == "-inf") return Val::floating(-std::numeric_limits<double>::infinity());
      if (s == "nan") return Val::floating(std::numeric_limits<double>::quiet_NaN());
    }
    return Val::floating(to_float(in, a[0]));
  };
  m["builtins::bool"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.empty()) return Val::boolean(false);
    return Val::boolean(in.truthy(a[0], "bool()"));
  };
  m["builtins::complex"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    Val c;
    c.kind = VKind::complex;
    auto box = std::make_shared<ComplexBox>();
    box->re = a.size() > 0 ? to_float(in, a[0]) : 0;
    box->im = a.size() > 1 ? to_float(in, a[1]) : 0;
    c.box = box;
    return c;
  };
  m["aten::Int"] = m["builtins::int"];
  m["aten::IntImplicit"] = m["builtins::int"];
  m["aten::Float"] = m["builtins::float"];
  m["aten::FloatImplicit"] = m["builtins::float"];
  m["aten::Bool"] = m["builtins::bool"];
  m["aten::ScalarImplicit"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "ScalarImplicit");
    if (!t.is_tensor()) return t;
    auto values = in.tensor_values(t);
    if (!values || values->size() != 1) in.data_dependent("a tensor used as a scalar");
    return number((*values)[0], !dtype_info(meta(t).dtype).is_floating);
  };
  m["aten::item"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "item");
    if (!t.is_tensor()) return std::nullopt;
    auto values = in.tensor_values(t);
    if (!values || values->size() != 1) in.data_dependent("item() of a tensor");
    if (meta(t).dtype == DType::bool_) return Val::boolean((*values)[0] != 0);
    return number((*values)[0], !dtype_info(meta(t).dtype).is_floating);
  };
  m["aten::tolist"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& t = arg(in, a, 0, "tolist");
    if (!t.is_tensor()) return std::nullopt;
    auto values = in.tensor_values(t);
    if (!values) in.data_dependent("tolist() of a tensor");
    const auto& m = meta(t);
    const bool is_int = !dtype_info(m.dtype).is_floating;
    // Rebuild nesting from the shape, innermost first.
    Vals flat;
    for (double x : *values) flat.push_back(m.dtype == DType::bool_ ? Val::boolean(x != 0) : number(x, is_int));
    if (m.shape.empty()) return flat.at(0);
    for (size_t d = m.shape.size(); d-- > 1;) {
      Vals grouped;
      size_t width = size_t(m.shape[d]);
      for (size_t k = 0; k < flat.size(); k += width)
        grouped.push_back(Val::list(Vals(flat.begin() + long(k), flat.begin() + long(k + width))));
      flat = std::move(grouped);
    }
    return Val::list(std::move(flat));
  };
  m["prim::tolist"] = m["aten::tolist"];
  m["prim::NumToTensor"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& x = arg(in, a, 0, "NumToTensor");
    if (x.is_tensor()) return x;
    DType d = x.kind == VKind::floating ? DType::float64 : x.kind == VKind::boolean ? DType::bool_ : DType::int64;
    return scalar_tensor(in, {to_float(in, x)}, {}, d);
  };
  m["aten::scalar_tensor"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    const Val& x = arg(in, a, 0, "scalar_tensor");
    if (!x.is_number()) return std::nullopt;
    DType d = dtype_kwarg(in, kw).value_or(DType::float32);
    if (a.size() > 1 && !a[1].is_none()) d = DType(to_int(in, a[1]));
    return scalar_tensor(in, {x.number()}, {}, d);
  };
  m["aten::tensor"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    const Val& x = arg(in, a, 0, "tensor");
    if (x.is_tensor()) return std::nullopt;
    std::vector<int64_t> shape;
    std::vector<double> flat;
    bool any_float = false, all_bool = true;
    if (!nested_shape(x, 0, shape, flat, any_float, all_bool))
      in.fail("torch.tensor() of a ragged or non-numeric list", ErrorCode::unsupported);
    DType d = any_float ? DType::float32 : (all_bool && !flat.empty()) ? DType::bool_ : DType::int64;
    if (auto given = dtype_kwarg(in, kw)) d = *given;
    else if (a.size() > 1 && !a[1].is_none()) d = DType(to_int(in, a[1]));
    return scalar_tensor(in, std::move(flat), std::move(shape), d);
  };
  m["aten::as_tensor"] = m["aten::tensor"];
}

}  // namespace ptscope::graph::builtin
