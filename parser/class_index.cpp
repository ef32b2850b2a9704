#include "parser/class_index.h"

#include <string_view>

namespace ptscope {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Parses `["a", "b", ]` into its string items.
std::vector<std::string> string_list(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    char q = s[i];
    if (q == '"' || q == '\'') {
      size_t j = i + 1;
      std::string item;
      while (j < s.size() && s[j] != q) {
        if (s[j] == '\\' && j + 1 < s.size()) ++j;
        item.push_back(s[j++]);
      }
      out.push_back(std::move(item));
      i = j + 1;
    } else {
      ++i;
    }
  }
  return out;
}

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::string qualifier_from_code_path(const std::string& path) {
  std::string p = path;
  if (p.rfind("code/", 0) == 0) p = p.substr(5);
  if (p.size() > 3 && p.compare(p.size() - 3, 3, ".py") == 0) p.resize(p.size() - 3);
  for (char& c : p)
    if (c == '/') c = '.';
  return p;
}

void ClassIndex::add_source(const std::string& path, const std::string& text) {
  const std::string qualifier = qualifier_from_code_path(path);
  ClassDecl* current = nullptr;
  size_t member_indent = 0;
  std::string_view src(text);
  size_t pos = 0;
  while (pos < src.size()) {
    size_t end = src.find('\n', pos);
    if (end == std::string_view::npos) end = src.size();
    std::string_view line = src.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    const bool top_level = line[0] != ' ' && line[0] != '\t';
    std::string_view t = trim(line);
    if (top_level) {
      current = nullptr;
      member_indent = 0;
      if (t.rfind("class ", 0) != 0) continue;
      t.remove_prefix(6);
      size_t n = 0;
      while (n < t.size() && is_ident_char(t[n])) ++n;
      if (n == 0) continue;
      ClassDecl decl;
      decl.qualname = qualifier + "." + std::string(t.substr(0, n));
      if (n < t.size() && t[n] == '(') {
        size_t close = t.find(')', n);
        if (close != std::string_view::npos) decl.base = std::string(trim(t.substr(n + 1, close - n - 1)));
      }
      auto [it, inserted] = classes_.insert_or_assign(decl.qualname, std::move(decl));
      current = &it->second;
      continue;
    }
    if (!current) continue;
    // Only direct members: the first member line sets the class body's
    // indentation; deeper lines belong to method bodies.
    const size_t indent = line.find_first_not_of(" \t");
    if (member_indent == 0) member_indent = indent;
    if (indent != member_indent) continue;
    if (t.rfind("def ", 0) == 0) continue;
    if (t.rfind("__parameters__", 0) == 0) {
      current->parameters = string_list(t.substr(t.find('=') + 1));
    } else if (t.rfind("__buffers__", 0) == 0) {
      current->buffers = string_list(t.substr(t.find('=') + 1));
    } else if (t.rfind("__annotations__[", 0) == 0) {
      auto names = string_list(t.substr(16, t.find(']') == std::string_view::npos ? 0 : t.find(']') - 16));
      if (!names.empty()) current->attributes.push_back(names[0]);
    } else if (t.rfind("__", 0) != 0) {
      size_t colon = t.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = trim(t.substr(0, colon));
      bool ident = !name.empty();
      for (char c : name) ident = ident && is_ident_char(c);
      if (ident) current->attributes.emplace_back(name);
    }
  }
}

const ClassDecl* ClassIndex::find(const std::string& qualname) const {
  auto it = classes_.find(qualname);
  return it == classes_.end() ? nullptr : &it->second;
}

}  // namespace ptscope
