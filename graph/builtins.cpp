// Non-tensor aten/prim ops and Python builtins: scalar arithmetic, lists,
// dicts, strings, tensor metadata queries (size, dim, dtype) and the
// conversions that would need tensor data (int(), item()), which resolve only
// when the elements are known.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <unordered_map>

#include "core/shape.h"
#include "graph/builtins.h"
#include "graph/interpreter.h"

namespace ptscope::graph {
namespace {

using Fn = std::optional<Val> (*)(Interpreter&, Vals&, Kwargs&);

bool any_tensor(const Vals& a) {
  for (const auto& v : a)
    if (v.is_tensor()) return true;
  return false;
}

const Val& arg(Interpreter& in, const Vals& a, size_t i, const char* op) {
  if (i >= a.size()) in.fail(std::string(op) + " needs at least " + std::to_string(i + 1) + " arguments", ErrorCode::corrupt);
  return a[i];
}

const Val* kwarg(const Kwargs& kw, std::string_view name) {
  for (const auto& [k, v] : kw)
    if (k == name) return &v;
  return nullptr;
}

bool is_int_like(const Val& v) { return v.kind == VKind::integer || v.kind == VKind::boolean; }
int64_t int_of(const Val& v) { return v.kind == VKind::boolean ? int64_t(v.b) : v.i; }

int64_t to_int(Interpreter& in, const Val& v, const char* what = "int()") {
  switch (v.kind) {
    case VKind::integer: return v.i;
    case VKind::boolean: return v.b;
    case VKind::floating:
      if (!std::isfinite(v.f)) in.fail(std::string(what) + " of a non-finite float", ErrorCode::corrupt);
      return int64_t(std::trunc(v.f));
    case VKind::string:
      try {
        return std::stoll(v.str());
      } catch (const std::exception&) {
        in.fail("int() of '" + v.str() + "'", ErrorCode::corrupt);
      }
    case VKind::tensor: {
      auto values = in.tensor_values(v);
      if (values && values->size() == 1) return int64_t(std::trunc((*values)[0]));
      in.data_dependent(std::string(what) + " of a tensor");
    }
    case VKind::enum_value: return to_int(in, v.as<EnumBox>().value, what);
    default: in.fail(std::string(what) + " of a " + vkind_name(v.kind), ErrorCode::corrupt);
  }
}

double to_float(Interpreter& in, const Val& v, const char* what = "float()") {
  switch (v.kind) {
    case VKind::integer: return double(v.i);
    case VKind::boolean: return v.b;
    case VKind::floating: return v.f;
    case VKind::string:
      try {
        return std::stod(v.str());
      } catch (const std::exception&) {
        in.fail("float() of '" + v.str() + "'", ErrorCode::corrupt);
      }
    case VKind::tensor: {
      auto values = in.tensor_values(v);
      if (values && values->size() == 1) return (*values)[0];
      in.data_dependent(std::string(what) + " of a tensor");
    }
    default: in.fail(std::string(what) + " of a " + vkind_name(v.kind), ErrorCode::corrupt);
  }
}

// Python's number result: int when both are ints, float otherwise.
Val number(double x, bool as_int) { return as_int ? Val::integer(int64_t(x)) : Val::floating(x); }

int64_t floor_div(Interpreter& in, int64_t a, int64_t b) {
  if (b == 0) in.fail("integer division by zero", ErrorCode::corrupt);
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t py_mod(Interpreter& in, int64_t a, int64_t b) {
  if (b == 0) in.fail("integer modulo by zero", ErrorCode::corrupt);
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

const TensorMeta& meta(const Val& v) { return v.as<TensorBox>().meta; }

int64_t wrap_index(Interpreter& in, int64_t i, size_t n, const char* what) {
  int64_t k = i < 0 ? i + int64_t(n) : i;
  if (k < 0 || k >= int64_t(n))
    in.fail(std::string(what) + " index " + std::to_string(i) + " is out of range for length " + std::to_string(n),
            ErrorCode::corrupt);
  return k;
}

int64_t wrap_dim(Interpreter& in, int64_t d, int64_t rank) {
  const auto w = wrapped_dim(d, rank);
  if (!w)
    in.fail("dimension " + std::to_string(d) + " is out of range for a tensor of rank " + std::to_string(rank),
            ErrorCode::corrupt);
  return *w;
}

// Python slice bounds on a length.
void slice_bounds(Interpreter& in, const Val& lo, const Val& hi, const Val& st, int64_t n, int64_t& b, int64_t& e,
                  int64_t& s) {
  s = st.is_none() ? 1 : to_int(in, st);
  if (s == 0) in.fail("slice step cannot be zero", ErrorCode::corrupt);
  auto clamp = [&](const Val& v, int64_t dflt) {
    if (v.is_none()) return dflt;
    int64_t x = to_int(in, v);
    if (x < 0) x += n;
    if (s > 0) return std::clamp<int64_t>(x, 0, n);
    return std::clamp<int64_t>(x, -1, n - 1);
  };
  b = clamp(lo, s > 0 ? 0 : n - 1);
  e = clamp(hi, s > 0 ? n : -1);
}

int compare_vals(Interpreter& in, const Val& a, const Val& b, const char* op) {
  if (a.is_tensor() || b.is_tensor()) in.data_dependent(std::string("comparing tensors (") + op + ")");
  if (a.is_number() && b.is_number()) {
    if (is_int_like(a) && is_int_like(b)) return int_of(a) < int_of(b) ? -1 : int_of(a) > int_of(b) ? 1 : 0;
    double x = a.number(), y = b.number();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.kind == VKind::string && b.kind == VKind::string) return a.str().compare(b.str()) < 0 ? -1 : a.str() == b.str() ? 0 : 1;
  if (a.is_sequence() && b.is_sequence()) {
    const auto& x = a.items();
    const auto& y = b.items();
    for (size_t k = 0; k < std::min(x.size(), y.size()); ++k) {
      int c = compare_vals(in, x[k], y[k], op);
      if (c) return c;
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  in.fail(std::string("cannot compare ") + vkind_name(a.kind) + " and " + vkind_name(b.kind) + " with " + op,
          ErrorCode::corrupt);
}

std::string format_string(Interpreter& in, const std::string& fmt, const Vals& args, size_t first) {
  std::string out;
  size_t next = first;
  for (size_t k = 0; k < fmt.size(); ++k) {
    char c = fmt[k];
    if (c == '{' && k + 1 < fmt.size() && fmt[k + 1] == '{') {
      out += '{';
      ++k;
    } else if (c == '}' && k + 1 < fmt.size() && fmt[k + 1] == '}') {
      out += '}';
      ++k;
    } else if (c == '{') {
      size_t close = fmt.find('}', k);
      if (close == std::string::npos) break;
      // Format specs ({:.3f}) are ignored: messages only need the value.
      out += next < args.size() ? val_str(args[next++]) : "{}";
      k = close;
    } else {
      out += c;
    }
  }
  (void)in;
  return out;
}

Val dict_val() {
  Val d;
  d.kind = VKind::dict;
  d.box = std::make_shared<DictBox>();
  return d;
}

// Shape of a nested list literal for torch.tensor(); flattens its numbers.
bool nested_shape(const Val& v, size_t depth, std::vector<int64_t>& shape, std::vector<double>& flat, bool& any_float,
                  bool& all_bool) {
  if (v.is_number()) {
    if (depth != shape.size()) return false;
    any_float = any_float || v.kind == VKind::floating;
    all_bool = all_bool && v.kind == VKind::boolean;
    flat.push_back(v.number());
    return true;
  }
  if (!v.is_sequence()) return false;
  const auto& items = v.items();
  if (depth == shape.size()) shape.push_back(int64_t(items.size()));
  else if (depth > shape.size() || shape[depth] != int64_t(items.size())) return false;
  for (const auto& x : items)
    if (!nested_shape(x, depth + 1, shape, flat, any_float, all_bool)) return false;
  return true;
}

Val scalar_tensor(Interpreter& in, std::vector<double> values, std::vector<int64_t> shape, DType dtype) {
  TensorMeta m;
  m.shape = std::move(shape);
  m.dtype = dtype;
  return in.new_constant(m, std::move(values));
}

std::optional<DType> dtype_kwarg(Interpreter& in, const Kwargs& kw) {
  if (const Val* d = kwarg(kw, "dtype"); d && !d->is_none()) {
    int64_t code = to_int(in, *d);
    if (!is_valid_dtype(int(code))) in.fail("invalid dtype code " + std::to_string(code), ErrorCode::corrupt);
    return DType(code);
  }
  return std::nullopt;
}

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

const std::unordered_map<std::string_view, Fn>& table() {
  static const std::unordered_map<std::string_view, Fn> t = [] {
    std::unordered_map<std::string_view, Fn> m;

    // ---------------------------------------------------------- arithmetic
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

    // --------------------------------------------------------- comparisons
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
    m["builtins::min"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (any_tensor(a)) return in.call_op("aten::min", a);
      const Vals& xs = a.size() == 1 && a[0].is_sequence() ? a[0].items() : a;
      if (xs.empty()) in.fail("min() of an empty sequence", ErrorCode::corrupt);
      Val best = xs[0];
      for (const auto& x : xs)
        if (compare_vals(in, x, best, "min") < 0) best = x;
      return best;
    };
    m["builtins::max"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (any_tensor(a)) return in.call_op("aten::max", a);
      const Vals& xs = a.size() == 1 && a[0].is_sequence() ? a[0].items() : a;
      if (xs.empty()) in.fail("max() of an empty sequence", ErrorCode::corrupt);
      Val best = xs[0];
      for (const auto& x : xs)
        if (compare_vals(in, x, best, "max") > 0) best = x;
      return best;
    };
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

    // ----------------------------------------------------------- sequences
    m["aten::len"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "len");
      switch (c.kind) {
        case VKind::list:
        case VKind::tuple: return Val::integer(int64_t(c.items().size()));
        case VKind::string: return Val::integer(int64_t(c.str().size()));
        case VKind::dict: return Val::integer(int64_t(c.as<DictBox>().items.size()));
        case VKind::tensor:
          if (meta(c).shape.empty()) in.fail("len() of a 0-d tensor", ErrorCode::corrupt);
          return Val::integer(meta(c).shape[0]);
        case VKind::object: return Val::integer(in.module_len(c));
        default: in.fail(std::string("len() of a ") + vkind_name(c.kind), ErrorCode::corrupt);
      }
    };
    m["builtins::len"] = m["aten::len"];
    m["aten::__getitem__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "__getitem__");
      const Val& k = arg(in, a, 1, "__getitem__");
      switch (c.kind) {
        case VKind::list:
        case VKind::tuple: return c.items()[size_t(wrap_index(in, to_int(in, k), c.items().size(), "list"))];
        case VKind::string:
          return Val::string(std::string(1, c.str()[size_t(wrap_index(in, to_int(in, k), c.str().size(), "string"))]));
        case VKind::dict: {
          if (Val* v = c.as<DictBox>().find(k)) return *v;
          in.fail("key " + val_repr(k) + " is not in the dict", ErrorCode::corrupt);
        }
        case VKind::object: {
          // Module containers: ModuleList[i] / ModuleDict["k"]
          std::string key;
          if (k.kind == VKind::string) {
            key = k.str();
          } else {
            int64_t i = to_int(in, k);
            if (i < 0) i += in.module_len(c);
            key = std::to_string(i);
          }
          return in.get_attr(c, key);
        }
        case VKind::tensor: return in.call_op("aten::select", {c, Val::integer(0), k});
        default: in.fail(std::string("cannot index a ") + vkind_name(c.kind), ErrorCode::corrupt);
      }
    };
    m["aten::_set_item"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "_set_item");
      const Val& k = arg(in, a, 1, "_set_item");
      const Val& v = arg(in, a, 2, "_set_item");
      if (v.box && v.box == c.box) in.fail("a container cannot contain itself", ErrorCode::corrupt);
      if (c.kind == VKind::list) {
        c.items()[size_t(wrap_index(in, to_int(in, k), c.items().size(), "list"))] = v;
        return c;
      }
      if (c.kind == VKind::dict) {
        auto& d = c.as<DictBox>();
        if (Val* slot = d.find(k)) *slot = v;
        else d.items.emplace_back(k, v);
        return c;
      }
      if (c.is_tensor()) return in.call_op("aten::index_put_", {c, Val::list({k}), v});
      in.fail(std::string("cannot assign into a ") + vkind_name(c.kind), ErrorCode::corrupt);
    };
    m["aten::__delitem__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "__delitem__");
      const Val& k = arg(in, a, 1, "__delitem__");
      if (c.kind == VKind::list) {
        auto& items = c.items();
        items.erase(items.begin() + wrap_index(in, to_int(in, k), items.size(), "list"));
        return Val();
      }
      if (c.kind == VKind::dict) {
        auto& items = c.as<DictBox>().items;
        for (auto it = items.begin(); it != items.end(); ++it)
          if (val_equal(it->first, k)) {
            items.erase(it);
            return Val();
          }
        in.fail("key " + val_repr(k) + " is not in the dict", ErrorCode::corrupt);
      }
      in.fail(std::string("cannot delete from a ") + vkind_name(c.kind), ErrorCode::corrupt);
    };
    m["aten::append"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& l = arg(in, a, 0, "append");
      if (l.kind != VKind::list) return std::nullopt;
      // TorchScript's types cannot describe a list inside itself (and the cycle would leak).
      if (arg(in, a, 1, "append").box == l.box) in.fail("a list cannot contain itself", ErrorCode::corrupt);
      l.items().push_back(arg(in, a, 1, "append"));
      return l;
    };
    m["aten::extend"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& l = arg(in, a, 0, "extend");
      const Val& r = arg(in, a, 1, "extend");
      if (l.kind != VKind::list || !r.is_sequence()) return std::nullopt;
      Vals add = r.items();
      for (auto& x : add) l.items().push_back(std::move(x));
      return Val();
    };
    m["aten::insert"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& l = arg(in, a, 0, "insert");
      if (l.kind != VKind::list) return std::nullopt;
      if (arg(in, a, 2, "insert").box == l.box) in.fail("a list cannot contain itself", ErrorCode::corrupt);
      auto& items = l.items();
      int64_t i = to_int(in, arg(in, a, 1, "insert"));
      if (i < 0) i += int64_t(items.size());
      i = std::clamp<int64_t>(i, 0, int64_t(items.size()));
      items.insert(items.begin() + i, arg(in, a, 2, "insert"));
      return Val();
    };
    m["aten::pop"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "pop");
      if (c.kind == VKind::list) {
        auto& items = c.items();
        if (items.empty()) in.fail("pop from an empty list", ErrorCode::corrupt);
        int64_t i = a.size() > 1 ? wrap_index(in, to_int(in, a[1]), items.size(), "list") : int64_t(items.size()) - 1;
        Val v = items[size_t(i)];
        items.erase(items.begin() + i);
        return v;
      }
      if (c.kind == VKind::dict) {
        auto& items = c.as<DictBox>().items;
        const Val& k = arg(in, a, 1, "pop");
        for (auto it = items.begin(); it != items.end(); ++it)
          if (val_equal(it->first, k)) {
            Val v = it->second;
            items.erase(it);
            return v;
          }
        if (a.size() > 2) return a[2];
        in.fail("key " + val_repr(k) + " is not in the dict", ErrorCode::corrupt);
      }
      return std::nullopt;
    };
    m["aten::clear"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "clear");
      if (c.kind == VKind::list) c.items().clear();
      else if (c.kind == VKind::dict) c.as<DictBox>().items.clear();
      else return std::nullopt;
      return Val();
    };
    m["aten::reverse"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "reverse");
      if (c.kind != VKind::list) return std::nullopt;
      std::reverse(c.items().begin(), c.items().end());
      return Val();
    };
    m["aten::remove"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "remove");
      if (c.kind != VKind::list) return std::nullopt;
      auto& items = c.items();
      for (auto it = items.begin(); it != items.end(); ++it)
        if (val_equal(*it, arg(in, a, 1, "remove"))) {
          items.erase(it);
          return Val();
        }
      in.fail("list.remove(x): x not in list", ErrorCode::corrupt);
    };
    m["aten::index"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "index");
      if (c.kind != VKind::list) return std::nullopt;
      const auto& items = c.items();
      for (size_t k = 0; k < items.size(); ++k)
        if (val_equal(items[k], arg(in, a, 1, "index"))) return Val::integer(int64_t(k));
      in.fail("list.index(x): x not in list", ErrorCode::corrupt);
    };
    m["aten::count"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "count");
      if (c.kind == VKind::list) {
        int64_t n = 0;
        for (const auto& x : c.items()) n += val_equal(x, arg(in, a, 1, "count"));
        return Val::integer(n);
      }
      if (c.kind == VKind::string && a.size() > 1 && a[1].kind == VKind::string && !a[1].str().empty()) {
        int64_t n = 0;
        for (size_t p = c.str().find(a[1].str()); p != std::string::npos; p = c.str().find(a[1].str(), p + a[1].str().size()))
          ++n;
        return Val::integer(n);
      }
      return std::nullopt;
    };
    m["aten::sort"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "sort");
      if (c.kind != VKind::list) return std::nullopt;
      bool reverse = a.size() > 1 ? in.truthy(a[1]) : (kwarg(kw, "reverse") && in.truthy(*kwarg(kw, "reverse")));
      auto& items = c.items();
      std::stable_sort(items.begin(), items.end(), [&](const Val& x, const Val& y) {
        return reverse ? compare_vals(in, y, x, "sort") < 0 : compare_vals(in, x, y, "sort") < 0;
      });
      return Val();
    };
    m["builtins::sorted"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "sorted");
      if (!c.is_sequence()) in.fail("sorted() of a non-sequence", ErrorCode::corrupt);
      Val copy = Val::list(c.items());
      Vals args{copy};
      table().at("aten::sort")(in, args, kw);
      return copy;
    };
    m["aten::sorted"] = m["builtins::sorted"];
    m["aten::list"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (a.empty()) return Val::list({});
      const Val& c = a[0];
      if (c.is_sequence()) {
        Val l = Val::list(c.items());
        if (c.kind == VKind::list) l.as<SeqBox>().elem_type = c.as<SeqBox>().elem_type;
        return l;
      }
      if (c.kind == VKind::string) {
        Vals items;
        for (char ch : c.str()) items.push_back(Val::string(std::string(1, ch)));
        return Val::list(std::move(items));
      }
      if (c.kind == VKind::dict) {
        Vals items;
        for (const auto& [k, v] : c.as<DictBox>().items) items.push_back(k);
        return Val::list(std::move(items));
      }
      if (c.is_tensor()) return std::nullopt;
      in.fail(std::string("list() of a ") + vkind_name(c.kind), ErrorCode::corrupt);
    };
    m["builtins::list"] = m["aten::list"];
    m["aten::copy"] = m["aten::list"];
    m["builtins::tuple"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
      auto l = table().at("aten::list")(in, a, kw);
      Val t = Val::tuple(l->items());
      return t;
    };
    m["aten::slice"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (a.empty() || any_tensor(a)) return std::nullopt;
      const Val& c = a[0];
      Val lo = a.size() > 1 ? a[1] : Val();
      Val hi = a.size() > 2 ? a[2] : Val();
      Val st = a.size() > 3 ? a[3] : Val::integer(1);
      if (c.kind == VKind::string) {
        int64_t b, e, s;
        slice_bounds(in, lo, hi, st, int64_t(c.str().size()), b, e, s);
        std::string out;
        for (int64_t k = b; s > 0 ? k < e : k > e; k += s) out += c.str()[size_t(k)];
        return Val::string(out);
      }
      if (!c.is_sequence()) in.fail(std::string("cannot slice a ") + vkind_name(c.kind), ErrorCode::corrupt);
      const auto& items = c.items();
      int64_t b, e, s;
      slice_bounds(in, lo, hi, st, int64_t(items.size()), b, e, s);
      Vals out;
      for (int64_t k = b; s > 0 ? k < e : k > e; k += s) out.push_back(items[size_t(k)]);
      return c.kind == VKind::list ? Val::list(std::move(out)) : Val::tuple(std::move(out));
    };
    m["builtins::range"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      int64_t lo = 0, hi = 0, st = 1;
      if (a.size() == 1) hi = to_int(in, a[0]);
      else if (a.size() >= 2) lo = to_int(in, a[0]), hi = to_int(in, a[1]);
      if (a.size() == 3) st = to_int(in, a[2]);
      if (st == 0) in.fail("range() step must not be zero", ErrorCode::corrupt);
      Vals out;
      for (int64_t k = lo; st > 0 ? k < hi : k > hi; k += st) {
        out.push_back(Val::integer(k));
        if (out.size() > (size_t(1) << 24)) in.fail("range() longer than 16M elements", ErrorCode::limit_exceeded);
      }
      return Val::list(std::move(out));
    };
    m["builtins::enumerate"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& c = arg(in, a, 0, "enumerate");
      if (!c.is_sequence()) in.fail("enumerate() of a non-sequence", ErrorCode::corrupt);
      int64_t start = a.size() > 1 ? to_int(in, a[1]) : 0;
      Vals out;
      for (const auto& x : c.items()) out.push_back(Val::tuple({Val::integer(start++), x}));
      return Val::list(std::move(out));
    };
    m["builtins::zip"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      size_t n = std::numeric_limits<size_t>::max();
      for (const auto& c : a) {
        if (!c.is_sequence()) in.fail("zip() of a non-sequence", ErrorCode::corrupt);
        n = std::min(n, c.items().size());
      }
      Vals out;
      for (size_t k = 0; !a.empty() && k < n; ++k) {
        Vals row;
        for (const auto& c : a) row.push_back(c.items()[k]);
        out.push_back(Val::tuple(std::move(row)));
      }
      return Val::list(std::move(out));
    };
    m["aten::__range_length"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      int64_t lo = to_int(in, arg(in, a, 0, "__range_length")), hi = to_int(in, arg(in, a, 1, "__range_length")),
              st = to_int(in, arg(in, a, 2, "__range_length"));
      if (st == 0) in.fail("range() step must not be zero", ErrorCode::corrupt);
      if (st > 0 ? lo >= hi : lo <= hi) return Val::integer(0);
      return Val::integer(st > 0 ? (hi - lo + st - 1) / st : (lo - hi - st - 1) / -st);
    };
    m["aten::__derive_index"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      return Val::integer(to_int(in, arg(in, a, 1, "__derive_index")) +
                          to_int(in, arg(in, a, 0, "__derive_index")) * to_int(in, arg(in, a, 2, "__derive_index")));
    };
    m["aten::any"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (a.size() != 1 || !a[0].is_sequence()) return std::nullopt;
      for (const auto& x : a[0].items())
        if (in.truthy(x)) return Val::boolean(true);
      return Val::boolean(false);
    };
    m["aten::all"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (a.size() != 1 || !a[0].is_sequence()) return std::nullopt;
      for (const auto& x : a[0].items())
        if (!in.truthy(x)) return Val::boolean(false);
      return Val::boolean(true);
    };
    m["builtins::any"] = m["aten::any"];
    m["builtins::all"] = m["aten::all"];
    m["aten::sum"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (a.size() != 1 || !a[0].is_sequence()) return std::nullopt;
      bool all_int = true;
      double s = 0;
      for (const auto& x : a[0].items()) {
        all_int = all_int && is_int_like(x);
        s += to_float(in, x);
      }
      return number(s, all_int);
    };
    m["builtins::sum"] = m["aten::sum"];
    m["aten::list_with_default"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& l = arg(in, a, 0, "list_with_default");
      const Val& d = arg(in, a, 1, "list_with_default");
      if (!l.is_sequence() || !d.is_sequence()) return std::nullopt;
      Vals out = l.items();
      const auto& defaults = d.items();
      for (size_t k = 0; k < out.size(); ++k)
        if (out[k].is_none()) {
          size_t from_end = out.size() - k;
          if (from_end > defaults.size()) in.fail("list_with_default: too few defaults", ErrorCode::corrupt);
          out[k] = defaults[defaults.size() - from_end];
        }
      return Val::list(std::move(out));
    };
    m["aten::_infer_size"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& x = arg(in, a, 0, "_infer_size");
      const Val& y = arg(in, a, 1, "_infer_size");
      if (!x.is_sequence() || !y.is_sequence()) return std::nullopt;
      const auto& p = x.items();
      const auto& q = y.items();
      size_t n = std::max(p.size(), q.size());
      Vals out(n);
      for (size_t k = 0; k < n; ++k) {
        int64_t u = k + p.size() >= n ? to_int(in, p[k + p.size() - n]) : 1;
        int64_t v = k + q.size() >= n ? to_int(in, q[k + q.size() - n]) : 1;
        if (u != v && u != 1 && v != 1) in.fail("sizes do not broadcast", ErrorCode::corrupt);
        out[k] = Val::integer(u == 1 ? v : u);
      }
      return Val::list(std::move(out));
    };

    // --------------------------------------------------------------- dicts
    m["aten::dict"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      Val d = dict_val();
      if (!a.empty()) {
        if (a[0].kind == VKind::dict) {
          d.as<DictBox>().items = a[0].as<DictBox>().items;
        } else if (a[0].is_sequence()) {
          for (const auto& kv : a[0].items()) {
            if (!kv.is_sequence() || kv.items().size() != 2) in.fail("dict() needs key/value pairs", ErrorCode::corrupt);
            d.as<DictBox>().items.emplace_back(kv.items()[0], kv.items()[1]);
          }
        }
      }
      return d;
    };
    m["builtins::dict"] = m["aten::dict"];
    m["aten::keys"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& d = arg(in, a, 0, "keys");
      if (d.kind != VKind::dict) return std::nullopt;
      Vals out;
      for (const auto& [k, v] : d.as<DictBox>().items) out.push_back(k);
      return Val::list(std::move(out));
    };
    m["aten::values"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& d = arg(in, a, 0, "values");
      if (d.kind != VKind::dict) return std::nullopt;
      Vals out;
      for (const auto& [k, v] : d.as<DictBox>().items) out.push_back(v);
      return Val::list(std::move(out));
    };
    m["aten::items"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& d = arg(in, a, 0, "items");
      if (d.kind != VKind::dict) return std::nullopt;
      Vals out;
      for (const auto& [k, v] : d.as<DictBox>().items) out.push_back(Val::tuple({k, v}));
      return Val::list(std::move(out));
    };
    m["aten::get"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& d = arg(in, a, 0, "get");
      if (d.kind != VKind::dict) return std::nullopt;
      if (Val* v = d.as<DictBox>().find(arg(in, a, 1, "get"))) return *v;
      return a.size() > 2 ? a[2] : Val();
    };
    m["aten::setdefault"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& d = arg(in, a, 0, "setdefault");
      if (d.kind != VKind::dict) return std::nullopt;
      if (Val* v = d.as<DictBox>().find(arg(in, a, 1, "setdefault"))) return *v;
      Val dflt = a.size() > 2 ? a[2] : Val();
      d.as<DictBox>().items.emplace_back(a[1], dflt);
      return dflt;
    };
    m["aten::update"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& d = arg(in, a, 0, "update");
      const Val& o = arg(in, a, 1, "update");
      if (d.kind != VKind::dict || o.kind != VKind::dict) return std::nullopt;
      for (const auto& [k, v] : o.as<DictBox>().items) {
        if (Val* slot = d.as<DictBox>().find(k)) *slot = v;
        else d.as<DictBox>().items.emplace_back(k, v);
      }
      return Val();
    };

    // ------------------------------------------------------------- strings
    m["aten::format"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& f = arg(in, a, 0, "format");
      if (f.kind != VKind::string) in.fail("format() needs a string", ErrorCode::corrupt);
      return Val::string(format_string(in, f.str(), a, 1));
    };
    m["aten::str"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      return Val::string(val_str(arg(in, a, 0, "str")));
    };
    m["builtins::str"] = m["aten::str"];
    m["aten::find"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "find");
      const Val& sub = arg(in, a, 1, "find");
      if (s.kind != VKind::string || sub.kind != VKind::string) return std::nullopt;
      int64_t start = a.size() > 2 ? to_int(in, a[2]) : 0;
      int64_t end = a.size() > 3 ? to_int(in, a[3]) : int64_t(s.str().size());
      start = std::clamp<int64_t>(start < 0 ? start + int64_t(s.str().size()) : start, 0, int64_t(s.str().size()));
      end = std::clamp<int64_t>(end < 0 ? end + int64_t(s.str().size()) : end, 0, int64_t(s.str().size()));
      std::string window = s.str().substr(size_t(start), size_t(std::max<int64_t>(end - start, 0)));
      size_t p = window.find(sub.str());
      return Val::integer(p == std::string::npos ? -1 : int64_t(p) + start);
    };
    m["aten::startswith"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "startswith");
      const Val& p = arg(in, a, 1, "startswith");
      if (s.kind != VKind::string || p.kind != VKind::string) return std::nullopt;
      return Val::boolean(s.str().rfind(p.str(), 0) == 0);
    };
    m["aten::endswith"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "endswith");
      const Val& p = arg(in, a, 1, "endswith");
      if (s.kind != VKind::string || p.kind != VKind::string) return std::nullopt;
      return Val::boolean(s.str().size() >= p.str().size() &&
                          s.str().compare(s.str().size() - p.str().size(), p.str().size(), p.str()) == 0);
    };
    m["aten::split"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (a.empty() || a[0].kind != VKind::string) return std::nullopt;
      const std::string& s = a[0].str();
      Vals out;
      if (a.size() < 2 || a[1].is_none()) {
        size_t k = 0;
        while (k < s.size()) {
          while (k < s.size() && std::isspace(static_cast<unsigned char>(s[k]))) ++k;
          size_t e = k;
          while (e < s.size() && !std::isspace(static_cast<unsigned char>(s[e]))) ++e;
          if (e > k) out.push_back(Val::string(s.substr(k, e - k)));
          k = e;
        }
      } else {
        const std::string sep = a[1].str();
        if (sep.empty()) in.fail("empty separator", ErrorCode::corrupt);
        size_t k = 0;
        for (size_t p = s.find(sep); p != std::string::npos; p = s.find(sep, k)) {
          out.push_back(Val::string(s.substr(k, p - k)));
          k = p + sep.size();
        }
        out.push_back(Val::string(s.substr(k)));
      }
      return Val::list(std::move(out));
    };
    m["aten::join"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& sep = arg(in, a, 0, "join");
      const Val& l = arg(in, a, 1, "join");
      if (sep.kind != VKind::string || !l.is_sequence()) return std::nullopt;
      std::string out;
      for (size_t k = 0; k < l.items().size(); ++k) out += (k ? sep.str() : "") + val_str(l.items()[k]);
      return Val::string(out);
    };
    m["aten::lower"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "lower");
      if (s.kind != VKind::string) return std::nullopt;
      std::string out = s.str();
      for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
      return Val::string(out);
    };
    m["aten::upper"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "upper");
      if (s.kind != VKind::string) return std::nullopt;
      std::string out = s.str();
      for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
      return Val::string(out);
    };
    m["aten::strip"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "strip");
      if (s.kind != VKind::string) return std::nullopt;
      const std::string& x = s.str();
      size_t b = x.find_first_not_of(" \t\n\r");
      size_t e = x.find_last_not_of(" \t\n\r");
      return Val::string(b == std::string::npos ? "" : x.substr(b, e - b + 1));
    };
    m["aten::replace"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "replace");
      if (s.kind != VKind::string || a.size() < 3) return std::nullopt;
      std::string x = s.str();
      const std::string& from = a[1].str();
      const std::string& to = a[2].str();
      if (from.empty()) return Val::string(x);
      for (size_t p = x.find(from); p != std::string::npos; p = x.find(from, p + to.size())) x.replace(p, from.size(), to);
      return Val::string(x);
    };
    m["aten::isdigit"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "isdigit");
      if (s.kind != VKind::string) return std::nullopt;
      bool ok = !s.str().empty();
      for (char c : s.str()) ok = ok && std::isdigit(static_cast<unsigned char>(c));
      return Val::boolean(ok);
    };
    m["builtins::ord"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      const Val& s = arg(in, a, 0, "ord");
      if (s.kind != VKind::string || s.str().empty()) in.fail("ord() needs a character", ErrorCode::corrupt);
      return Val::integer(static_cast<unsigned char>(s.str()[0]));
    };
    m["aten::ord"] = m["builtins::ord"];
    m["builtins::chr"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      return Val::string(std::string(1, char(to_int(in, arg(in, a, 0, "chr")))));
    };
    m["aten::chr"] = m["builtins::chr"];

    // --------------------------------------------------------- conversions
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

    // ------------------------------------------------- tensor metadata
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
      // Shape-only execution treats every tensor as contiguous.
      std::vector<int64_t> s = contiguous_strides(meta(t).shape);
      if (a.size() > 1) return Val::integer(s[size_t(wrap_dim(in, to_int(in, a[1]), int64_t(s.size())))]);
      Vals out;
      for (int64_t x : s) out.push_back(Val::integer(x));
      return Val::list(std::move(out));
    };
    m["aten::is_contiguous"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
      if (!arg(in, a, 0, "is_contiguous").is_tensor()) return std::nullopt;
      return Val::boolean(true);
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

    // ------------------------------------------------ runtime state, misc
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

    // ------------------------------------------- xnnpack prepacked ops
    // The op context holds conv/linear weights: record them as the aten op they run.
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
    return m;
  }();
  return t;
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

Fn math_fn(std::string_view op) {
  static const std::pair<std::string_view, Fn> kMath[] = {
      {"aten::sqrt", math1<m_sqrt>},   {"aten::exp", math1<m_exp>},   {"aten::log", math1<m_log>},
      {"aten::log10", math1<m_log10>}, {"aten::log2", math1<m_log2>}, {"aten::log1p", math1<m_log1p>},
      {"aten::sin", math1<m_sin>},     {"aten::cos", math1<m_cos>},   {"aten::tan", math1<m_tan>},
      {"aten::tanh", math1<m_tanh>},   {"aten::atan", math1<m_atan>}, {"aten::asin", math1<m_asin>},
      {"aten::acos", math1<m_acos>},   {"aten::erf", math1<m_erf>},   {"aten::fabs", math1<m_fabs>},
      {"aten::expm1", math1<m_expm1>},
  };
  for (const auto& [name, fn] : kMath)
    if (name == op) return fn;
  return nullptr;
}

}  // namespace

std::optional<Val> call_builtin(Interpreter& in, const std::string& op, Vals& args, Kwargs& kwargs) {
  if (Fn fn = math_fn(op)) return fn(in, args, kwargs);
  const auto& t = table();
  auto it = t.find(op);
  if (it == t.end()) return call_quantized_builtin(in, op, args, kwargs);
  return it->second(in, args, kwargs);
}

}  // namespace ptscope::graph
