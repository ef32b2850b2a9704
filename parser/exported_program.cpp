// Symbolic dims of exported programs. torch writes each as sympy text: a bare
// name ("s0", torch <= 2.5) or srepr ("Symbol('s75', positive=True,
// integer=True)", "Add(Symbol('s0', ...), Integer(1))"). Only integer
// arithmetic that dims use is evaluated; anything else is "unknown", never guessed.
#include "parser/exported_program.h"

#include <cctype>
#include <string_view>

namespace ptscope {
namespace {

class ExprEval {
 public:
  ExprEval(std::string_view text, const std::map<std::string, int64_t>& symbols) : s_(text), symbols_(symbols) {}

  std::optional<int64_t> run() {
    auto v = sum();
    skip();
    if (!v || pos_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void skip() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool eat(std::string_view tok) {
    skip();
    if (s_.substr(pos_, tok.size()) != tok) return false;
    pos_ += tok.size();
    return true;
  }
  std::string ident() {
    skip();
    size_t b = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    return std::string(s_.substr(b, pos_ - b));
  }
  // infix: term (('+'|'-') term)*
  std::optional<int64_t> sum() {
    if (++depth_ > 64) return std::nullopt;
    auto v = product();
    while (v) {
      if (eat("+")) {
        auto r = product();
        if (!r || __builtin_add_overflow(*v, *r, &*v)) return std::nullopt;
      } else if (eat("-")) {
        auto r = product();
        if (!r || __builtin_sub_overflow(*v, *r, &*v)) return std::nullopt;
      } else {
        break;
      }
    }
    --depth_;
    return v;
  }
  std::optional<int64_t> product() {
    auto v = atom();
    while (v) {
      if (eat("//")) {
        auto r = atom();
        if (!r || *r == 0) return std::nullopt;
        *v = floordiv(*v, *r);
      } else if (eat("*")) {
        auto r = atom();
        if (!r || __builtin_mul_overflow(*v, *r, &*v)) return std::nullopt;
      } else {
        break;
      }
    }
    return v;
  }
  static int64_t floordiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  }
  std::optional<int64_t> atom() {
    skip();
    if (pos_ >= s_.size()) return std::nullopt;
    if (eat("(")) {
      auto v = sum();
      if (!eat(")")) return std::nullopt;
      return v;
    }
    if (s_[pos_] == '-') {
      ++pos_;
      if (++depth_ > 64) return std::nullopt;
      auto v = atom();
      if (!v || *v == INT64_MIN) return std::nullopt;
      return -*v;
    }
    if (std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      int64_t v = 0;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s_[pos_] - '0', &v)) return std::nullopt;
        ++pos_;
      }
      return v;
    }
    const std::string name = ident();
    if (name.empty()) return std::nullopt;
    if (!eat("(")) {  // a bare symbol
      auto it = symbols_.find(name);
      if (it == symbols_.end()) return std::nullopt;
      return it->second;
    }
    if (name == "Symbol") {
      skip();
      if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return std::nullopt;
      const char q = s_[pos_++];
      const size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) return std::nullopt;
      const std::string sym(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      // assumptions (positive=True, integer=True) up to the closing paren
      int nest = 1;
      while (pos_ < s_.size() && nest) {
        if (s_[pos_] == '(') ++nest;
        if (s_[pos_] == ')') --nest;
        ++pos_;
      }
      if (nest) return std::nullopt;
      auto it = symbols_.find(sym);
      if (it == symbols_.end()) return std::nullopt;
      return it->second;
    }
    // Function(args...)
    std::vector<int64_t> args;
    if (!eat(")")) {
      do {
        auto a = sum();
        if (!a) return std::nullopt;
        args.push_back(*a);
      } while (eat(","));
      if (!eat(")")) return std::nullopt;
    }
    if (args.empty()) return std::nullopt;
    int64_t v = args[0];
    if (name == "Integer" && args.size() == 1) return v;
    if (name == "Add") {
      for (size_t k = 1; k < args.size(); ++k)
        if (__builtin_add_overflow(v, args[k], &v)) return std::nullopt;
      return v;
    }
    if (name == "Mul") {
      for (size_t k = 1; k < args.size(); ++k)
        if (__builtin_mul_overflow(v, args[k], &v)) return std::nullopt;
      return v;
    }
    if ((name == "FloorDiv" || name == "floor_div") && args.size() == 2 && args[1] != 0) return floordiv(args[0], args[1]);
    if ((name == "Mod" || name == "PythonMod") && args.size() == 2 && args[1] != 0) {
      int64_t m = args[0] % args[1];
      if (m != 0 && ((m < 0) != (args[1] < 0))) m += args[1];
      return m;
    }
    if (name == "Max") {
      for (int64_t a : args) v = std::max(v, a);
      return v;
    }
    if (name == "Min") {
      for (int64_t a : args) v = std::min(v, a);
      return v;
    }
    return std::nullopt;
  }

  std::string_view s_;
  const std::map<std::string, int64_t>& symbols_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string export_plain_symbol(const std::string& expr) {
  std::string_view s = expr;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto is_ident = [](std::string_view v) {
    if (v.empty() || std::isdigit(static_cast<unsigned char>(v[0]))) return false;
    for (char c : v)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
  };
  if (is_ident(s)) return std::string(s);
  if (s.rfind("Symbol(", 0) == 0 && s.size() > 9 && s.back() == ')') {
    const char q = s[7];
    if (q != '\'' && q != '"') return {};
    const size_t end = s.find(q, 8);
    if (end == std::string_view::npos) return {};
    // Only the symbol itself and its assumptions may follow.
    if (s.find('(', end) != std::string_view::npos) return {};
    std::string_view name = s.substr(8, end - 8);
    return is_ident(name) ? std::string(name) : std::string();
  }
  return {};
}

std::optional<int64_t> export_eval_expr(const std::string& expr, const std::map<std::string, int64_t>& symbols) {
  if (expr.size() > 4096) return std::nullopt;
  return ExprEval(expr, symbols).run();
}

}  // namespace ptscope
