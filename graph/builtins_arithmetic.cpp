// Builtins on Python numbers: arithmetic, bitwise ops, comparisons, min/max
// and the math.* functions. Tensor operands return nullopt: they are ops of
// the op registry.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>

#include "graph/builtins_support.h"

namespace ptscope::graph::builtin {
namespace {

// min()/max() of the arguments or of one sequence: the first element that no
// other beats (`sign` -1: the least, 1: the greatest). Tensors go to aten::min/max.
std::optional<Val> extreme(Interpreter& in, Vals& a, const char* op, int sign) {
  if (any_tensor(a)) return in.call_op(std::string("aten::") + op, a);
  const Vals& xs = a.size() == 1 && a[0].is_sequence() ? a[0].items() : a;
  if (xs.empty()) in.fail(std::string(op) + "() of an empty sequence", ErrorCode::corrupt);
  Val best = xs[0];
  for (const auto& x : xs)
    if (sign * compare_vals(in, x, best, op) > 0) best = x;
  return best;
}

void register_arithmetic(Table& m) {
  m["aten::add"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (a[0].is_number() && a[1].is_number())
      return number(a[0].number() + a[1].number(), is_int_like(a[0]) && is_int_like(a[1]));
    if (a[0].kind == VKind::string && a[1].kind == VKind::string) return Val::string(a[0].str() + a[1].str());
    if (a[0].is_sequence() && a[1].kind == a[0].kind) {
      Vals items = a[0].items();
      for (const auto& x : a[1].items()) items.push_back(x);
      Val r = a[0].kind == VKind::list ? Val::list(std::move(items)) : Val::tuple(std::move(items));
      if (a[0].kind == VKind::list) r.as<SeqBox>().elem_type = a[0].as<SeqBox>().elem_type;
      return r;
    }
    in.fail(std::string("cannot add ") + vkind_name(a[0].kind) + " and " + vkind_name(a[1].kind), ErrorCode::corrupt);
  };
  m["aten::sub"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (!a[0].is_number() || !a[1].is_number()) in.fail("sub of non-numbers", ErrorCode::corrupt);
    return number(a[0].number() - a[1].number(), is_int_like(a[0]) && is_int_like(a[1]));
  };
  m["aten::mul"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (a[0].is_number() && a[1].is_number()) {
      if (is_int_like(a[0]) && is_int_like(a[1])) return Val::integer(int_of(a[0]) * int_of(a[1]));
      return Val::floating(a[0].number() * a[1].number());
    }
    const Val& seq = a[0].is_number() ? a[1] : a[0];
    const Val& n = a[0].is_number() ? a[0] : a[1];
    if (!is_int_like(n)) in.fail("sequence repeat needs an int", ErrorCode::corrupt);
    const size_t len = seq.kind == VKind::string ? seq.str().size() : seq.is_sequence() ? seq.items().size() : 0;
    if (int_of(n) > 0 && len * size_t(int_of(n)) > (size_t(1) << 24))
      in.fail("sequence repeat of more than 16M elements", ErrorCode::limit_exceeded);
    if (seq.kind == VKind::string) {
      std::string s;
      for (int64_t k = 0; k < int_of(n); ++k) s += seq.str();
      return Val::string(s);
    }
    if (seq.kind == VKind::list) {
      Vals items;
      for (int64_t k = 0; k < int_of(n); ++k)
        for (const auto& x : seq.items()) items.push_back(x);
      return Val::list(std::move(items));
    }
    in.fail("mul of non-numbers", ErrorCode::corrupt);
  };
  m["aten::div"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a) || !kw.empty()) return std::nullopt;
    double d = to_float(in, a[1]);
    if (d == 0) in.fail("division by zero", ErrorCode::corrupt);
    return Val::floating(to_float(in, a[0]) / d);  // aten::div.int returns float
  };
  m["aten::floordiv"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (is_int_like(a[0]) && is_int_like(a[1])) return Val::integer(floor_div(in, int_of(a[0]), int_of(a[1])));
    double d = to_float(in, a[1]);
    if (d == 0) in.fail("division by zero", ErrorCode::corrupt);
    return Val::floating(std::floor(to_float(in, a[0]) / d));
  };
  m["aten::floor_divide"] = m["aten::floordiv"];
  m["aten::remainder"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (a[0].kind == VKind::string) return Val::string(format_string(in, a[0].str(), {a[1]}, 0));
    if (is_int_like(a[0]) && is_int_like(a[1])) return Val::integer(py_mod(in, int_of(a[0]), int_of(a[1])));
    double x = to_float(in, a[0]), y = to_float(in, a[1]);
    return Val::floating(x - std::floor(x / y) * y);
  };
  m["aten::fmod"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::floating(std::fmod(to_float(in, a[0]), to_float(in, a[1])));
  };
  m["aten::pow"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (is_int_like(a[0]) && is_int_like(a[1]) && int_of(a[1]) >= 0) {
      // pow.int_to_int when exact: sizes such as 2 ** k stay ints.
      double r = std::pow(double(int_of(a[0])), double(int_of(a[1])));
      if (std::fabs(r) < 9e15) return Val::integer(int64_t(r));
    }
    return Val::floating(std::pow(to_float(in, a[0]), to_float(in, a[1])));
  };
  m["builtins::pow"] = m["aten::pow"];
  m["aten::neg"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) return std::nullopt;
    if (is_int_like(a[0])) return Val::integer(-int_of(a[0]));
    return Val::floating(-to_float(in, a[0]));
  };
  m["aten::abs"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) return std::nullopt;
    if (is_int_like(a[0])) return Val::integer(std::abs(int_of(a[0])));
    return Val::floating(std::fabs(to_float(in, a[0])));
  };
  m["builtins::abs"] = m["aten::abs"];
  m["prim::abs"] = m["aten::abs"];
  // Float → int rounding functions (math.floor and friends return ints).
  m["aten::floor"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) return std::nullopt;
    return Val::integer(int64_t(std::floor(to_float(in, a[0]))));
  };
  m["aten::ceil"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) return std::nullopt;
    return Val::integer(int64_t(std::ceil(to_float(in, a[0]))));
  };
  m["aten::trunc"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) return std::nullopt;
    return Val::integer(int64_t(std::trunc(to_float(in, a[0]))));
  };
  m["aten::round"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.empty() || any_tensor(a)) return std::nullopt;
    double x = to_float(in, a[0]);
    // Python rounds half to even.
    double r = std::nearbyint(x);
    if (a.size() > 1) {
      double scale = std::pow(10.0, double(to_int(in, a[1])));
      return Val::floating(std::nearbyint(x * scale) / scale);
    }
    return a[0].kind == VKind::floating ? Val::floating(r) : Val::integer(int64_t(r));
  };
  m["builtins::round"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.empty()) in.fail("round() needs an argument", ErrorCode::corrupt);
    double x = to_float(in, a[0]);
    if (a.size() > 1) {
      double scale = std::pow(10.0, double(to_int(in, a[1])));
      return Val::floating(std::nearbyint(x * scale) / scale);
    }
    return Val::integer(int64_t(std::nearbyint(x)));
  };
  m["aten::isnan"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) return std::nullopt;
    return Val::boolean(std::isnan(to_float(in, a[0])));
  };
  m["aten::isinf"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) return std::nullopt;
    return Val::boolean(std::isinf(to_float(in, a[0])));
  };
  m["aten::isfinite"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) return std::nullopt;
    return Val::boolean(std::isfinite(to_float(in, a[0])));
  };
  m["aten::gcd"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    int64_t x = std::abs(to_int(in, a[0])), y = std::abs(to_int(in, a[1]));
    while (y) {
      int64_t r = x % y;
      x = y;
      y = r;
    }
    return Val::integer(x);
  };
  m["aten::__and__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (a[0].kind == VKind::boolean && a[1].kind == VKind::boolean) return Val::boolean(a[0].b && a[1].b);
    return Val::integer(to_int(in, a[0]) & to_int(in, a[1]));
  };
  m["aten::__or__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (a[0].kind == VKind::boolean && a[1].kind == VKind::boolean) return Val::boolean(a[0].b || a[1].b);
    return Val::integer(to_int(in, a[0]) | to_int(in, a[1]));
  };
  m["aten::__xor__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    if (a[0].kind == VKind::boolean && a[1].kind == VKind::boolean) return Val::boolean(a[0].b != a[1].b);
    return Val::integer(to_int(in, a[0]) ^ to_int(in, a[1]));
  };
  m["aten::__lshift__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::integer(to_int(in, a[0]) << to_int(in, a[1]));
  };
  m["aten::__rshift__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::integer(to_int(in, a[0]) >> to_int(in, a[1]));
  };
  m["aten::__invert__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || any_tensor(a)) {
      if (a.size() == 1) return in.call_op("aten::bitwise_not", a);
      return std::nullopt;
    }
    return Val::integer(~to_int(in, a[0]));
  };
  m["aten::__not__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    return Val::boolean(!in.truthy(arg(in, a, 0, "__not__"), "not"));
  };
}

void register_comparisons(Table& m) {
  m["aten::eq"] = [](Interpreter&, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::boolean(val_equal(a[0], a[1]));
  };
  m["aten::ne"] = [](Interpreter&, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::boolean(!val_equal(a[0], a[1]));
  };
  m["aten::lt"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::boolean(compare_vals(in, a[0], a[1], "<") < 0);
  };
  m["aten::le"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::boolean(compare_vals(in, a[0], a[1], "<=") <= 0);
  };
  m["aten::gt"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::boolean(compare_vals(in, a[0], a[1], ">") > 0);
  };
  m["aten::ge"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 2 || any_tensor(a)) return std::nullopt;
    return Val::boolean(compare_vals(in, a[0], a[1], ">=") >= 0);
  };
  m["aten::__is__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    return Val::boolean(val_identical(arg(in, a, 0, "__is__"), arg(in, a, 1, "__is__")));
  };
  m["aten::__isnot__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    return Val::boolean(!val_identical(arg(in, a, 0, "__isnot__"), arg(in, a, 1, "__isnot__")));
  };
  m["aten::__contains__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "__contains__");
    const Val& x = arg(in, a, 1, "__contains__");
    if (c.is_sequence()) {
      for (const auto& v : c.items())
        if (val_equal(v, x)) return Val::boolean(true);
      return Val::boolean(false);
    }
    if (c.kind == VKind::dict) return Val::boolean(c.as<DictBox>().find(x) != nullptr);
    if (c.kind == VKind::string && x.kind == VKind::string) return Val::boolean(c.str().find(x.str()) != std::string::npos);
    if (c.is(VKind::object)) return Val::boolean(x.kind == VKind::string && in.has_attr(c, x.str()));
    if (c.is_tensor()) in.data_dependent("`in` on a tensor");
    in.fail(std::string("`in` on a ") + vkind_name(c.kind), ErrorCode::corrupt);
  };
  m["builtins::min"] = [](Interpreter& in, Vals& a, Kwargs&) { return extreme(in, a, "min", -1); };
  m["builtins::max"] = [](Interpreter& in, Vals& a, Kwargs&) { return extreme(in, a, "max", 1); };
  m["aten::min"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    if (any_tensor(a) || a.empty()) return std::nullopt;
    return table().at("builtins::min")(in, a, kw);
  };
  m["aten::max"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    if (any_tensor(a) || a.empty()) return std::nullopt;
    return table().at("builtins::max")(in, a, kw);
  };
  m["prim::min"] = m["aten::min"];
  m["prim::max"] = m["aten::max"];
}

// math functions on scalars: one table entry per function pointer.
template <double (*F)(double)>
std::optional<Val> math1(Interpreter& in, Vals& a, Kwargs&) {
  if (a.size() != 1 || any_tensor(a) || !a[0].is_number()) return std::nullopt;
  return Val::floating(F(to_float(in, a[0])));
}
double m_sqrt(double x) { return std::sqrt(x); }
double m_exp(double x) { return std::exp(x); }
double m_log(double x) { return std::log(x); }
double m_log10(double x) { return std::log10(x); }
double m_log2(double x) { return std::log2(x); }
double m_log1p(double x) { return std::log1p(x); }
double m_sin(double x) { return std::sin(x); }
double m_cos(double x) { return std::cos(x); }
double m_tan(double x) { return std::tan(x); }
double m_tanh(double x) { return std::tanh(x); }
double m_atan(double x) { return std::atan(x); }
double m_asin(double x) { return std::asin(x); }
double m_acos(double x) { return std::acos(x); }
double m_erf(double x) { return std::erf(x); }
double m_fabs(double x) { return std::fabs(x); }
double m_expm1(double x) { return std::expm1(x); }

// The math.* functions on a number (math.sqrt(2.0), math.log(n) ...).
void register_math(Table& m) {
  static const std::pair<std::string_view, Fn> kMath[] = {
      {"aten::sqrt", math1<m_sqrt>},   {"aten::exp", math1<m_exp>},   {"aten::log", math1<m_log>},
      {"aten::log10", math1<m_log10>}, {"aten::log2", math1<m_log2>}, {"aten::log1p", math1<m_log1p>},
      {"aten::sin", math1<m_sin>},     {"aten::cos", math1<m_cos>},   {"aten::tan", math1<m_tan>},
      {"aten::tanh", math1<m_tanh>},   {"aten::atan", math1<m_atan>}, {"aten::asin", math1<m_asin>},
      {"aten::acos", math1<m_acos>},   {"aten::erf", math1<m_erf>},   {"aten::fabs", math1<m_fabs>},
      {"aten::expm1", math1<m_expm1>},
  };
  for (const auto& [name, fn] : kMath) m[name] = fn;
}

}  // namespace

void register_numbers(Table& m) {
  register_arithmetic(m);
  register_comparisons(m);
  register_math(m);
}

}  // namespace ptscope::graph::builtin
