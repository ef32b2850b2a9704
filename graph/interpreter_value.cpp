#include "graph/interpreter_value.h"

#include <cmath>
#include <sstream>

namespace ptscope::graph {

const char* vkind_name(VKind k) {
  switch (k) {
    case VKind::none: return "None";
    case VKind::boolean: return "bool";
    case VKind::integer: return "int";
    case VKind::floating: return "float";
    case VKind::complex: return "complex";
    case VKind::string: return "str";
    case VKind::device: return "Device";
    case VKind::tensor: return "Tensor";
    case VKind::list: return "list";
    case VKind::tuple: return "tuple";
    case VKind::dict: return "dict";
    case VKind::object: return "object";
    case VKind::function: return "function";
    case VKind::klass: return "class";
    case VKind::ns: return "namespace";
    case VKind::method: return "method";
    case VKind::enum_value: return "enum";
    case VKind::uninit: return "uninitialized";
    case VKind::future: return "Future";
  }
  return "?";
}

Val Val::string(std::string s) {
  Val x;
  x.kind = VKind::string;
  x.box = std::make_shared<StrBox>(std::move(s));
  return x;
}

Val Val::device(std::string s) {
  Val x = string(std::move(s));
  x.kind = VKind::device;
  return x;
}

Val Val::ns(std::string path) {
  Val x = string(std::move(path));
  x.kind = VKind::ns;
  return x;
}

Val Val::list(Vals items) {
  Val x;
  x.kind = VKind::list;
  auto box = std::make_shared<SeqBox>();
  box->items = std::move(items);
  x.box = std::move(box);
  return x;
}

Val Val::tuple(Vals items) {
  Val x = list(std::move(items));
  x.kind = VKind::tuple;
  return x;
}

Val Val::klass(const ClassInfo* cls) {
  Val x;
  x.kind = VKind::klass;
  auto box = std::make_shared<ClassBox>();
  box->cls = cls;
  x.box = std::move(box);
  return x;
}

Val Val::function(const ts::FunctionDef* def, std::string qualname, const std::string* file) {
  Val x;
  x.kind = VKind::function;
  auto box = std::make_shared<FuncBox>();
  box->def = def;
  box->qualname = std::move(qualname);
  box->file = file;
  x.box = std::move(box);
  return x;
}

Val Val::method(Val self, const ts::FunctionDef* def, std::string name) {
  Val x;
  x.kind = VKind::method;
  auto box = std::make_shared<MethodBox>();
  box->self = std::move(self);
  box->def = def;
  box->name = std::move(name);
  x.box = std::move(box);
  return x;
}

const std::string& Val::str() const { return static_cast<StrBox*>(box.get())->s; }
Vals& Val::items() const { return static_cast<SeqBox*>(box.get())->items; }

Val* DictBox::find(const Val& key) {
  for (auto& [k, v] : items)
    if (val_equal(k, key)) return &v;
  return nullptr;
}

namespace {

// Python's repr of a float: shortest text that reads back, with ".0" for integral values.
std::string float_text(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream os;
    os.precision(precision);
    os << d;
    if (std::stod(os.str()) == d) {
      std::string s = os.str();
      if (s.find_first_of(".e") == std::string::npos) s += ".0";
      return s;
    }
  }
  return std::to_string(d);
}

// `depth` bounds the walk: a list may contain itself.
std::string render(const Val& v, bool quote, size_t max_chars, int depth = 0) {
  if (depth > 32) return "...";
  switch (v.kind) {
    case VKind::none: return "None";
    case VKind::boolean: return v.b ? "True" : "False";
    case VKind::integer: return std::to_string(v.i);
    case VKind::floating: return float_text(v.f);
    case VKind::complex: {
      const auto& c = v.as<ComplexBox>();
      return "(" + float_text(c.re) + (c.im < 0 ? "-" : "+") + float_text(std::fabs(c.im)) + "j)";
    }
    case VKind::string: return quote ? "'" + v.str() + "'" : v.str();
    case VKind::device: return quote ? "device(type='" + v.str() + "')" : v.str();
    case VKind::ns: return v.str();
    case VKind::tensor: {
      const auto& t = v.as<TensorBox>();
      if (t.placeholder >= 0) return "Tensor(<input " + std::to_string(t.placeholder) + ">)";
      return "Tensor(" + arg_to_string(t.meta) + ")";
    }
    case VKind::list:
    case VKind::tuple: {
      const auto& s = v.as<SeqBox>();
      std::string out = v.kind == VKind::list ? "[" : "(";
      for (size_t k = 0; k < s.items.size(); ++k) {
        if (k) out += ", ";
        if (!s.fields.empty() && k < s.fields.size()) out += s.fields[k] + "=";
        out += render(s.items[k], true, max_chars, depth + 1);
        if (out.size() > max_chars) return out + "...";
      }
      if (v.kind == VKind::tuple && s.items.size() == 1) out += ",";
      return out + (v.kind == VKind::list ? "]" : ")");
    }
    case VKind::dict: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, x] : v.as<DictBox>().items) {
        out += (first ? "" : ", ") + render(k, true, max_chars, depth + 1) + ": " + render(x, true, max_chars, depth + 1);
        first = false;
        if (out.size() > max_chars) return out + "...";
      }
      return out + "}";
    }
    case VKind::object: return "<" + v.as<ObjBox>().qualname + " object>";
    case VKind::function: return "<function " + v.as<FuncBox>().qualname + ">";
    case VKind::klass: return "<class " + (v.as<ClassBox>().cls ? v.as<ClassBox>().cls->qualname : "?") + ">";
    case VKind::method: return "<method " + v.as<MethodBox>().name + ">";
    case VKind::enum_value: return v.as<EnumBox>().qualname + "." + v.as<EnumBox>().name;
    case VKind::uninit: return "<uninitialized>";
    case VKind::future: return "<Future>";
  }
  return "?";
}

}  // namespace

std::string val_repr(const Val& v, size_t max_chars) { return render(v, true, max_chars); }
std::string val_str(const Val& v) { return render(v, false, 4096); }

bool val_identical(const Val& a, const Val& b) {
  if (a.kind == VKind::none || b.kind == VKind::none) return a.kind == b.kind;
  if (a.box || b.box) {
    if (a.kind == VKind::enum_value && b.kind == VKind::enum_value) return val_equal(a, b);
    return a.box == b.box;
  }
  return val_equal(a, b);
}

namespace {
bool equal(const Val& a, const Val& b, int depth);
}

bool val_equal(const Val& a, const Val& b) { return equal(a, b, 0); }

namespace {
bool equal(const Val& a, const Val& b, int depth) {
  if (depth > 64) return a.box == b.box;  // self-containing lists
  if (a.is_number() && b.is_number()) {
    if (a.kind == VKind::floating || b.kind == VKind::floating) return a.number() == b.number();
    return (a.kind == VKind::boolean ? int64_t(a.b) : a.i) == (b.kind == VKind::boolean ? int64_t(b.b) : b.i);
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case VKind::none: return true;
    case VKind::string:
    case VKind::device:
    case VKind::ns: return a.str() == b.str();
    case VKind::complex:
      return a.as<ComplexBox>().re == b.as<ComplexBox>().re && a.as<ComplexBox>().im == b.as<ComplexBox>().im;
    case VKind::list:
    case VKind::tuple: {
      const auto& x = a.items();
      const auto& y = b.items();
      if (x.size() != y.size()) return false;
      for (size_t k = 0; k < x.size(); ++k)
        if (!equal(x[k], y[k], depth + 1)) return false;
      return true;
    }
    case VKind::enum_value:
      return a.as<EnumBox>().qualname == b.as<EnumBox>().qualname && a.as<EnumBox>().name == b.as<EnumBox>().name;
    default: return a.box == b.box;
  }
}
}  // namespace

}  // namespace ptscope::graph
