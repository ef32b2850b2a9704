// Python escape decoding for pickle text arguments and TorchScript literals
// (see py_escape.h for what the two share and where they differ).
#include "parser/py_escape.h"

#include "core/error.h"

namespace ptscope {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of the `n` hex digits at s[at...], or -1 when any is missing.
int64_t hex_value(std::string_view s, size_t at, size_t n) {
  int64_t v = 0;
  for (size_t d = 0; d < n; ++d) {
    const int digit = at + d < s.size() ? hex_digit(s[at + d]) : -1;
    if (digit < 0) return -1;
    v = v * 16 + digit;
  }
  return v;
}

[[noreturn]] void bad_escape(std::string message, ErrorCode code = ErrorCode::corrupt) {
  throw Error(code, std::move(message));
}

}  // namespace

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {  // lone surrogates are kept, like surrogatepass
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

std::string decode_py_escapes(std::string_view s, const PyEscapeRules& rules) {
  const bool str = rules.literal == PyLiteral::str;
  const std::string what(rules.what);
  std::string out;
  out.reserve(s.size());
  for (size_t k = 0; k < s.size(); ++k) {
    char c = s[k];
    if (c == '\r' && rules.source_text) {  // source newlines read as '\n', as in Python
      out += '\n';
      if (k + 1 < s.size() && s[k + 1] == '\n') ++k;
      continue;
    }
    if (c != '\\' || rules.raw) {
      out += c;
      continue;
    }
    if (++k == s.size()) bad_escape("trailing backslash in " + what);
    c = s[k];
    switch (c) {
      case '\n': break;  // line continuation
      case '\r':
        if (!rules.source_text) {  // not an escape outside source text
          out += '\\';
          out += c;
        } else if (k + 1 < s.size() && s[k + 1] == '\n') {
          ++k;
        }
        break;
      case '\\': case '\'': case '"': out += c; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        const int64_t v = hex_value(s, k + 1, 2);
        if (v < 0) bad_escape("invalid \\x escape in " + what);
        out += char(uint8_t(v));
        k += 2;
        break;
      }
      case 'u': case 'U': {
        if (!str) {  // not an escape in bytes
          out += '\\';
          out += c;
          break;
        }
        const size_t n = c == 'u' ? 4 : 8;
        const int64_t cp = hex_value(s, k + 1, n);
        if (cp < 0) bad_escape(std::string("invalid \\") + c + " escape in " + what);
        if (cp > 0x10FFFF) bad_escape("invalid code point in \\U escape");
        append_utf8(out, uint32_t(cp));
        k += n;
        break;
      }
      case 'N':
        if (str) bad_escape("\\N{...} escapes are not supported", ErrorCode::unsupported);
        out += "\\N";
        break;
      default:
        if (c >= '0' && c <= '7') {  // one to three octal digits
          uint32_t v = uint32_t(c - '0');
          for (int n = 1; n < 3 && k + 1 < s.size() && s[k + 1] >= '0' && s[k + 1] <= '7'; ++n)
            v = v * 8 + uint32_t(s[++k] - '0');
          if (v <= 0xFF) out += char(uint8_t(v));
          else if (str) append_utf8(out, v);
          else if (rules.source_text) bad_escape("octal escape out of range in bytes literal");
          else out += char(uint8_t(v));  // escape_decode keeps the low byte
        } else {  // unknown escapes keep their backslash
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

std::string decode_raw_unicode_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t k = 0; k < s.size();) {
    uint8_t c = uint8_t(s[k]);
    if (c != '\\') {
      append_utf8(out, c);
      ++k;
      continue;
    }
    size_t run = 0;
    while (k < s.size() && s[k] == '\\') {
      out += '\\';
      ++run;
      ++k;
    }
    if (run % 2 == 0 || k >= s.size() || (s[k] != 'u' && s[k] != 'U')) continue;
    out.pop_back();  // the escaping backslash
    const size_t n = s[k] == 'u' ? 4 : 8;
    const int64_t cp = hex_value(s, k + 1, n);
    if (cp < 0) bad_escape("truncated \\uXXXX escape in UNICODE");
    if (cp > 0x10FFFF) bad_escape("\\U escape beyond U+10FFFF in UNICODE");
    append_utf8(out, uint32_t(cp));
    k += 1 + n;
  }
  return out;
}

}  // namespace ptscope
