// Non-tensor aten/prim ops and Python builtins: scalar arithmetic, lists,
// dicts, strings, tensor metadata queries (size, dim, dtype) and the
// conversions that would need tensor data (int(), item()), which resolve only
// when the elements are known. Each family registers its entries from its own
// file (builtins_*.cpp); here are the helpers they share and the one lookup.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/shape.h"
#include "graph/builtins.h"
#include "graph/builtins_support.h"
#include "graph/interpreter.h"

namespace ptscope::graph {
namespace builtin {

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

namespace {

// The element of a one-element tensor whose value is known (a folded constant);
// any other tensor stops the run as data-dependent: `what` needs its data.
double known_scalar(Interpreter& in, const Val& t, const char* what) {
  auto values = in.tensor_values(t);
  if (values && values->size() == 1) return (*values)[0];
  in.data_dependent(std::string(what) + " of a tensor");
}

}  // namespace

int64_t to_int(Interpreter& in, const Val& v, const char* what) {
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
    case VKind::tensor: return int64_t(std::trunc(known_scalar(in, v, what)));
    case VKind::enum_value: return to_int(in, v.as<EnumBox>().value, what);
    default: in.fail(std::string(what) + " of a " + vkind_name(v.kind), ErrorCode::corrupt);
  }
}

double to_float(Interpreter& in, const Val& v, const char* what) {
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
    case VKind::tensor: return known_scalar(in, v, what);
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

const Table& table() {
  static const Table t = [] {
    Table m;
    register_numbers(m);
    register_containers(m);
    register_strings(m);
    register_conversions(m);
    register_tensor_metadata(m);
    register_runtime(m);
    return m;
  }();
  return t;
}

}  // namespace builtin

std::optional<Val> call_builtin(Interpreter& in, const std::string& op, Vals& args, Kwargs& kwargs) {
  const auto& t = builtin::table();
  auto it = t.find(op);
  if (it == t.end()) return call_quantized_builtin(in, op, args, kwargs);
  return it->second(in, args, kwargs);
}

}  // namespace ptscope::graph
