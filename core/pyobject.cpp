// The Python object model (core/pyobject.h): PyValue helpers, iterative
// destruction of value trees, and a bounded, Python-like rendering of values.
#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/pyobject.h"

namespace ptscope {

const char* py_kind_name(PyKind kind) {
  switch (kind) {
    case PyKind::none: return "None";
    case PyKind::boolean: return "bool";
    case PyKind::integer: return "int";
    case PyKind::bigint: return "bigint";
    case PyKind::floating: return "float";
    case PyKind::complex: return "complex";
    case PyKind::string: return "str";
    case PyKind::bytes: return "bytes";
    case PyKind::bytearray: return "bytearray";
    case PyKind::tuple: return "tuple";
    case PyKind::list: return "list";
    case PyKind::dict: return "dict";
    case PyKind::set: return "set";
    case PyKind::frozenset: return "frozenset";
    case PyKind::global: return "global";
    case PyKind::object: return "object";
    case PyKind::persistent: return "persistent id";
    case PyKind::tensor: return "tensor";
    case PyKind::storage: return "storage";
    case PyKind::ext: return "extension code";
  }
  return "unknown";
}

PyRef make_none() { return std::make_shared<PyValue>(); }

PyRef make_int(int64_t v) {
  auto p = std::make_shared<PyValue>();
  p->kind = PyKind::integer;
  p->i = v;
  return p;
}

PyRef make_string(std::string s) {
  auto p = std::make_shared<PyValue>();
  p->kind = PyKind::string;
  p->s = std::move(s);
  return p;
}

PyRef make_tuple(std::vector<PyRef> items) {
  auto p = std::make_shared<PyValue>();
  p->kind = PyKind::tuple;
  uint32_t deepest = 0;
  for (const auto& item : items) {
    if (!item) continue;
    item->contained = true;
    deepest = std::max(deepest, item->depth);
  }
  p->depth = deepest == UINT32_MAX ? deepest : deepest + 1;
  p->items = std::move(items);
  return p;
}

std::string PyValue::qualname() const {
  // An object called through another object (f()()) takes the inner name;
  // the walk is bounded so a long chain cannot cost much.
  const PyValue* v = this;
  for (int hop = 0; v && hop < 64; ++hop) {
    if (!v->module.empty()) return v->module + "." + v->name;
    if (!v->name.empty()) return v->name;
    if (v->kind != PyKind::object) break;
    v = v->callable.get();
  }
  return {};
}

PyRef PyValue::get(std::string_view key) const {
  if (kind != PyKind::dict && kind != PyKind::object) return nullptr;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)  // last assignment wins
    if (it->first && it->first->kind == PyKind::string && it->first->s == key) return it->second;
  return nullptr;
}

namespace {

// Moves every child reference of `v` into `out`.
void detach_children(PyValue& v, std::vector<PyRef>& out) {
  for (auto& c : v.items)
    if (c) out.push_back(std::move(c));
  v.items.clear();
  for (auto& [k, x] : v.entries) {
    if (k) out.push_back(std::move(k));
    if (x) out.push_back(std::move(x));
  }
  v.entries.clear();
  for (PyRef* r : {&v.callable, &v.args, &v.state, &v.kwargs})
    if (*r) out.push_back(std::move(*r));
}

// Decimal text of a little-endian two's complement integer.
std::string bigint_decimal(std::string_view le) {
  constexpr size_t kMaxBytes = 1024;  // ~2500 digits; beyond that a summary
  if (le.empty()) return "0";
  bool negative = uint8_t(le.back()) & 0x80;
  if (le.size() > kMaxBytes)
    return std::string("<") + (negative ? "negative " : "") + "int of " + std::to_string(le.size()) + " bytes>";
  std::string mag(le);
  if (negative) {  // magnitude = two's complement negation
    unsigned carry = 1;
    for (char& c : mag) {
      unsigned x = uint8_t(~uint8_t(c)) + carry;
      c = char(uint8_t(x));
      carry = x >> 8;
    }
  }
  std::vector<uint32_t> limbs((mag.size() + 3) / 4, 0);
  for (size_t k = 0; k < mag.size(); ++k) limbs[k / 4] |= uint32_t(uint8_t(mag[k])) << (8 * (k % 4));
  while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  std::vector<uint32_t> groups;  // base 10^9, least significant first
  while (!limbs.empty()) {
    uint64_t rem = 0;
    for (size_t k = limbs.size(); k-- > 0;) {
      uint64_t cur = (rem << 32) | limbs[k];
      limbs[k] = uint32_t(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    groups.push_back(uint32_t(rem));
    while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  }
  std::string out = negative ? "-" : "";
  if (groups.empty()) return "0";
  out += std::to_string(groups.back());
  for (size_t k = groups.size() - 1; k-- > 0;) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%09u", groups[k]);
    out += buf;
  }
  return out;
}

// Python's float repr: shortest round-trip digits, positional for exponents
// in [-4, 16), otherwise scientific with at least two exponent digits.
std::string float_repr(double d) {
  if (d != d) return "nan";
  if (d == std::numeric_limits<double>::infinity()) return "inf";
  if (d == -std::numeric_limits<double>::infinity()) return "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, size_t(res.ptr - buf));
  bool negative = sci[0] == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int exp = std::stoi(std::string(sci.substr(e + 1)));
  std::string out = negative ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      out += "0." + std::string(size_t(-exp - 1), '0') + digits;
    } else if (size_t(exp) + 1 >= digits.size()) {
      out += digits + std::string(size_t(exp) + 1 - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, size_t(exp) + 1) + "." + digits.substr(size_t(exp) + 1);
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += ebuf;
  }
  return out;
}

// Length of a valid UTF-8 sequence at s[k], or 0.
size_t utf8_sequence(std::string_view s, size_t k) {
  uint8_t c = uint8_t(s[k]);
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || k + n > s.size()) return 0;
  for (size_t j = 1; j < n; ++j)
    if ((uint8_t(s[k + j]) & 0xC0) != 0x80) return 0;
  return n;
}

class Repr {
 public:
  explicit Repr(size_t max_chars) : max_(max_chars) {}

  // Stops writing once past the budget; callers check full() to stop early,
  // so a huge or cyclic value costs at most about max_chars steps.
  bool full() const { return out_.size() > max_; }

  void put(std::string_view s) {
    if (full()) return;
    out_.append(s.substr(0, std::min(s.size(), max_ + 1 - out_.size())));
  }

  void value(const PyRef& ref, int depth) {
    if (full()) return;
    if (!ref) return put("<null>");
    if (depth > kMaxDepth) return put("...");
    const PyValue& v = *ref;
    switch (v.kind) {
      case PyKind::none: return put("None");
      case PyKind::boolean: return put(v.b ? "True" : "False");
      case PyKind::integer: return put(std::to_string(v.i));
      case PyKind::bigint: return put(bigint_decimal(v.s));
      case PyKind::floating: return put(float_repr(v.f));
      case PyKind::complex:
        put("(" + float_repr(v.f));
        put(v.imag < 0 || (v.imag == 0 && std::signbit(v.imag)) ? "" : "+");
        return put(float_repr(v.imag) + "j)");
      case PyKind::string: return text(v.s, false);
      case PyKind::bytes: return text(v.s, true);
      case PyKind::bytearray:
        put("bytearray(");
        text(v.s, true);
        return put(")");
      case PyKind::tuple:
        put("(");
        sequence(v.items, depth);
        return put(v.items.size() == 1 ? ",)" : ")");
      case PyKind::list:
        put("[");
        sequence(v.items, depth);
        return put("]");
      case PyKind::set:
        if (v.items.empty()) return put("set()");
        put("{");
        sequence(v.items, depth);
        return put("}");
      case PyKind::frozenset:
        put("frozenset(");
        if (!v.items.empty()) {
          put("{");
          sequence(v.items, depth);
          put("}");
        }
        return put(")");
      case PyKind::dict: return dict(v.entries, depth);
      case PyKind::global: return put(v.module.empty() && v.name.empty() ? "<computed global>" : v.qualname());
      case PyKind::object: return object(v, depth);
      case PyKind::persistent:
        put("persistent_id(");
        value(v.args, depth + 1);
        return put(")");
      case PyKind::tensor: return put(v.name.empty() ? "<tensor>" : "<tensor " + v.qualname() + ">");
      case PyKind::storage: return put("<storage>");
      case PyKind::ext: return put("ext(" + std::to_string(v.i) + ")");
    }
  }

  std::string finish() {
    if (out_.size() <= max_) return std::move(out_);
    out_.resize(max_);
    // Do not end inside a UTF-8 sequence.
    size_t cut = out_.size();
    while (cut > 0 && (uint8_t(out_[cut - 1]) & 0xC0) == 0x80) --cut;
    if (cut > 0 && uint8_t(out_[cut - 1]) >= 0xC0) {
      size_t n = utf8_sequence(out_, cut - 1);
      if (n == 0 || cut - 1 + n > out_.size()) out_.resize(cut - 1);
    }
    return out_ + "...";
  }

 private:
  static constexpr int kMaxDepth = 24;

  void sequence(const std::vector<PyRef>& items, int depth) {
    for (size_t k = 0; k < items.size() && !full(); ++k) {
      if (k) put(", ");
      value(items[k], depth + 1);
    }
  }

  void dict(const std::vector<std::pair<PyRef, PyRef>>& entries, int depth) {
    put("{");
    for (size_t k = 0; k < entries.size() && !full(); ++k) {
      if (k) put(", ");
      value(entries[k].first, depth + 1);
      put(": ");
      value(entries[k].second, depth + 1);
    }
    put("}");
  }

  // name(args..., **kwargs, {setitems}, [appends], state=...)
  void object(const PyValue& v, int depth) {
    std::string name = v.qualname();
    if (!name.empty()) put(name);
    else value(v.callable, depth + 1);
    put("(");
    bool first = true;
    auto sep = [&] {
      if (!first) put(", ");
      first = false;
    };
    if (v.args && v.args->kind == PyKind::tuple) {
      for (size_t k = 0; k < v.args->items.size() && !full(); ++k) {
        sep();
        value(v.args->items[k], depth + 1);
      }
    } else if (v.args) {
      sep();
      put("*");
      value(v.args, depth + 1);
    }
    if (v.kwargs) {
      sep();
      put("**");
      value(v.kwargs, depth + 1);
    }
    if (!v.entries.empty()) {
      sep();
      dict(v.entries, depth);
    }
    if (!v.items.empty()) {
      sep();
      put("[");
      sequence(v.items, depth);
      put("]");
    }
    if (v.state) {
      sep();
      put("state=");
      value(v.state, depth + 1);
    }
    put(")");
  }

  // A str or bytes literal the way Python prints it (quotes, escapes).
  void text(std::string_view s, bool is_bytes) {
    bool has_single = s.find('\'') != std::string_view::npos;
    bool has_double = s.find('"') != std::string_view::npos;
    char quote = has_single && !has_double ? '"' : '\'';
    std::string out = is_bytes ? "b" : "";
    out += quote;
    for (size_t k = 0; k < s.size() && out.size() <= max_; ++k) {
      uint8_t c = uint8_t(s[k]);
      if (c == '\\' || c == uint8_t(quote)) {
        out += '\\';
        out += char(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c >= 0x20 && c < 0x7F) {
        out += char(c);
      } else if (size_t n = c >= 0x80 && !is_bytes ? utf8_sequence(s, k) : 0) {
        out.append(s.substr(k, n));
        k += n - 1;
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      }
    }
    out += quote;
    put(out);
  }

  size_t max_;
  std::string out_;
};

}  // namespace

std::string py_repr(const PyRef& value, size_t max_chars) {
  Repr r(max_chars);
  r.value(value, 0);
  return r.finish();
}

bool has_children(const PyValue& v) {
  return !v.items.empty() || !v.entries.empty() || v.callable || v.args || v.state || v.kwargs;
}

PyValue::~PyValue() {
  if (!has_children(*this)) return;
  std::vector<PyRef> pending;
  detach_children(*this, pending);
  while (!pending.empty()) {
    PyRef next = std::move(pending.back());
    pending.pop_back();
    // A child owned only by us dies at the end of this iteration: take its
    // children first so that its own destructor has nothing to recurse into.
    if (next.use_count() == 1 && has_children(*next)) detach_children(*next, pending);
  }
}

PyNodeTracker::~PyNodeTracker() {
  // Clearing links one node at a time frees cycles; the iterative ~PyValue
  // takes care of any deep chain that dies as a result.
  for (auto& weak : nodes) {
    if (PyRef v = weak.lock()) {
      std::vector<PyRef> children;
      detach_children(*v, children);
    }
  }
}

}  // namespace ptscope
