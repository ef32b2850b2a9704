// Builtins on strings: format, str(), find/split/join/strip ..., ord/chr.
#include <algorithm>
#include <cctype>

#include "graph/builtins_support.h"

namespace ptscope::graph::builtin {
namespace {

// str.lower() / str.upper() (ASCII, as TorchScript's string ops).
std::optional<Val> change_case(Interpreter& in, Vals& a, const char* op, bool upper) {
  const Val& s = arg(in, a, 0, op);
  if (s.kind != VKind::string) return std::nullopt;
  std::string out = s.str();
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    c = char(upper ? std::toupper(u) : std::tolower(u));
  }
  return Val::string(out);
}

}  // namespace

void register_strings(Table& m) {
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
  m["aten::lower"] = [](Interpreter& in, Vals& a, Kwargs&) { return change_case(in, a, "lower", false); };
  m["aten::upper"] = [](Interpreter& in, Vals& a, Kwargs&) { return change_case(in, a, "upper", true); };
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
}

}  // namespace ptscope::graph::builtin
