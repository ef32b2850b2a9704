// A strict little XML reader for the SVG tests: elements, attributes, text,
// comments, the <?xml?> declaration and the five entities plus character
// references. Anything else (an unescaped '<' or '&', mismatched tags,
// duplicate attributes, unquoted values) throws with the offset.
#pragma once
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ptscope::test::xml {

struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::vector<std::unique_ptr<Element>> children;
  std::string text;  // concatenated character data, entities decoded
};

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  std::unique_ptr<Element> document() {
    skip_space();
    if (s_.compare(p_, 5, "<?xml") == 0) {
      p_ = s_.find("?>", p_);
      if (p_ == std::string::npos) fail("unterminated declaration");
      p_ += 2;
    }
    skip_misc();
    auto root = element();
    skip_misc();
    if (p_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("XML error at " + std::to_string(p_) + ": " + why + " near '" + s_.substr(p_, 40) + "'");
  }
  void skip_space() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\t' || s_[p_] == '\r')) ++p_;
  }
  void skip_misc() {
    for (;;) {
      skip_space();
      if (s_.compare(p_, 4, "<!--") != 0) return;
      const size_t end = s_.find("-->", p_ + 4);
      if (end == std::string::npos) fail("unterminated comment");
      p_ = end + 3;
    }
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
  }
  std::string name() {
    const size_t start = p_;
    while (p_ < s_.size() && name_char(s_[p_])) ++p_;
    if (p_ == start) fail("expected a name");
    return s_.substr(start, p_ - start);
  }
  // Decodes one entity or character reference starting at '&'.
  std::string entity() {
    const size_t semi = s_.find(';', p_);
    if (semi == std::string::npos || semi - p_ > 10) fail("bare '&'");
    const std::string e = s_.substr(p_ + 1, semi - p_ - 1);
    p_ = semi + 1;
    if (e == "amp") return "&";
    if (e == "lt") return "<";
    if (e == "gt") return ">";
    if (e == "quot") return "\"";
    if (e == "apos") return "'";
    if (e.size() > 1 && e[0] == '#') {
      const long code = e[1] == 'x' ? std::strtol(e.c_str() + 2, nullptr, 16) : std::strtol(e.c_str() + 1, nullptr, 10);
      if (code < 0x20 && code != 9 && code != 10 && code != 13) fail("forbidden character reference");
      return code < 0x80 ? std::string(1, char(code)) : std::string("?");
    }
    fail("unknown entity &" + e + ";");
  }
  std::string chars(char stop) {
    std::string out;
    while (p_ < s_.size() && s_[p_] != stop) {
      if (s_[p_] == '<' && stop != '<') fail("'<' in an attribute value");
      if (s_[p_] == '&') out += entity();
      else out += s_[p_++];
    }
    return out;
  }
  std::unique_ptr<Element> element() {
    if (p_ >= s_.size() || s_[p_] != '<') fail("expected '<'");
    ++p_;
    auto e = std::make_unique<Element>();
    e->name = name();
    for (;;) {
      skip_space();
      if (p_ >= s_.size()) fail("unterminated start tag");
      if (s_.compare(p_, 2, "/>") == 0) { p_ += 2; return e; }
      if (s_[p_] == '>') { ++p_; break; }
      const std::string key = name();
      skip_space();
      if (p_ >= s_.size() || s_[p_] != '=') fail("expected '=' after " + key);
      ++p_;
      skip_space();
      if (p_ >= s_.size() || (s_[p_] != '"' && s_[p_] != '\'')) fail("unquoted attribute " + key);
      const char quote = s_[p_++];
      std::string value = chars(quote);
      if (p_ >= s_.size()) fail("unterminated attribute " + key);
      ++p_;
      if (!e->attrs.emplace(key, value).second) fail("duplicate attribute " + key);
    }
    for (;;) {
      if (p_ >= s_.size()) fail("unterminated element " + e->name);
      if (s_.compare(p_, 4, "<!--") == 0) { skip_misc(); continue; }
      if (s_.compare(p_, 2, "</") == 0) {
        p_ += 2;
        if (name() != e->name) fail("mismatched end tag for " + e->name);
        skip_space();
        if (p_ >= s_.size() || s_[p_] != '>') fail("expected '>'");
        ++p_;
        return e;
      }
      if (s_[p_] == '<') e->children.push_back(element());
      else e->text += chars('<');
    }
  }

  const std::string& s_;
  size_t p_ = 0;
};

inline std::unique_ptr<Element> parse(const std::string& text) { return Parser(text).document(); }

// Calls f on every element, depth first.
template <class F>
void walk(const Element& e, F&& f) {
  f(e);
  for (const auto& c : e.children) walk(*c, f);
}

// Text of every element (titles, labels) concatenated, for content checks.
inline std::string all_text(const Element& e) {
  std::string out = e.text;
  for (const auto& c : e.children) out += " " + all_text(*c);
  return out;
}

}  // namespace ptscope::test::xml
