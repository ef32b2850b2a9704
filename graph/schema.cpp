// Parser for PyTorch operator schema strings, the FunctionSchema text form:
//   aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)
#include <cctype>
#include <string>

#include "core/error.h"
#include "graph/op_registry.h"

namespace ptscope::graph {
namespace {

class SchemaParser {
 public:
  explicit SchemaParser(std::string_view text) : s_(text) {}

  Schema parse() {
    Schema schema;
    schema.text = std::string(s_);
    skip_ws();
    std::string qualified = ident("operator name");
    while (peek(':')) {  // namespace separator "::"
      expect(':');
      expect(':');
      qualified += "::" + ident("operator name");
    }
    schema.name = qualified;
    if (peek('.')) {
      ++pos_;
      schema.overload = ident("overload name");
    }
    skip_ws();
    expect('(');
    bool kwarg_only = false;
    skip_ws();
    if (!peek(')')) {
      for (;;) {
        if (peek('*')) {  // the remaining arguments are keyword-only
          ++pos_;
          kwarg_only = true;
        } else {
          SchemaArg arg;
          arg.type = type();
          skip_ws();
          arg.name = ident("argument name");
          skip_ws();
          if (peek('=')) {
            ++pos_;
            arg.default_value = default_text();
          }
          arg.kwarg_only = kwarg_only;
          schema.args.push_back(std::move(arg));
        }
        skip_ws();
        if (!peek(',')) break;
        ++pos_;
        skip_ws();
      }
    }
    expect(')');
    skip_ws();
    expect('-');
    expect('>');
    skip_ws();
    if (peek('(')) {
      ++pos_;
      skip_ws();
      while (!peek(')')) {
        if (at_end()) fail("unterminated return list");
        schema.returns.push_back(return_type());
        skip_ws();
        if (peek(',')) {
          ++pos_;
          skip_ws();
        } else if (!peek(')')) {
          fail("expected ',' or ')' in return list");
        }
      }
      ++pos_;
    } else {
      schema.returns.push_back(return_type());
    }
    skip_ws();
    if (!at_end()) fail("unexpected text after the return type");
    return schema;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(ErrorCode::usage, "malformed schema '" + std::string(s_) + "': " + why + " at offset " +
                                      std::to_string(pos_));
  }
  bool at_end() const { return pos_ >= s_.size(); }
  bool peek(char c) const { return !at_end() && s_[pos_] == c; }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  void skip_ws() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
  std::string ident(const char* what) {
    size_t start = pos_;
    while (!at_end() && ident_char(s_[pos_])) ++pos_;
    if (start == pos_) fail(std::string("expected ") + what);
    return std::string(s_.substr(start, pos_ - start));
  }
  // Copies a bracketed group verbatim, nesting included.
  void group(char open, char close, std::string& out) {
    int depth = 0;
    do {
      if (at_end()) fail(std::string("unbalanced '") + open + "'");
      char c = s_[pos_++];
      out += c;
      if (c == open) ++depth;
      else if (c == close) --depth;
    } while (depth > 0);
  }
  // A type with its decorations: `Tensor(a!)`, `int[2]?`, `Tensor?[]`, `Dict(str, Tensor)`, `(Tensor, int)`.
  std::string type() {
    std::string t;
    if (peek('(')) {
      group('(', ')', t);  // tuple type
    } else {
      t = ident("type");
      while (peek(':')) {  // qualified class types: __torch__.x or c10::X
        t += s_[pos_++];
      }
      while (!at_end() && (ident_char(s_[pos_]) || s_[pos_] == '.')) t += s_[pos_++];
    }
    for (;;) {
      if (peek('(')) group('(', ')', t);
      else if (peek('[')) group('[', ']', t);
      else if (peek('?')) t += s_[pos_++];
      else break;
    }
    return t;
  }
  // A return entry: a type and an optional name ("Tensor values").
  std::string return_type() {
    std::string t = type();
    skip_ws();
    if (!at_end() && ident_char(s_[pos_])) ident("return name");
    return t;
  }
  // Default text up to the next top-level ',' or ')', quotes and brackets respected.
  std::string default_text() {
    skip_ws();
    size_t start = pos_;
    int depth = 0;
    while (!at_end()) {
      char c = s_[pos_];
      if (c == '"' || c == '\'') {
        ++pos_;
        while (!at_end() && s_[pos_] != c) pos_ += (s_[pos_] == '\\') ? 2 : 1;
        if (at_end()) fail("unterminated string default");
        ++pos_;
        continue;
      }
      if (c == '[' || c == '(') ++depth;
      if (c == ']' || (c == ')' && depth > 0)) --depth;
      else if ((c == ',' || c == ')') && depth == 0) break;
      ++pos_;
    }
    size_t end = pos_;
    while (end > start && std::isspace(static_cast<unsigned char>(s_[end - 1]))) --end;
    if (end == start) fail("empty default value");
    return std::string(s_.substr(start, end - start));
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::string schema_base_type(std::string_view type) {
  std::string out;
  int depth = 0;
  for (char c : type) {
    if (c == '(') ++depth;
    else if (c == ')') --depth;
    else if (depth == 0) out += c;
  }
  return out;
}

bool SchemaArg::is_tensor() const {
  std::string b = schema_base_type(type);
  return b == "Tensor" || b == "Tensor?";
}

bool SchemaArg::is_tensor_list() const {
  std::string b = schema_base_type(type);
  return b == "Tensor[]" || b == "Tensor?[]" || b == "Tensor[]?";
}

bool SchemaArg::is_optional() const { return !type.empty() && type.back() == '?'; }

Schema parse_schema(std::string_view text) { return SchemaParser(text).parse(); }

}  // namespace ptscope::graph
