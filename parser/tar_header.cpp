// Python's tarfile header checks (TarInfo.frombuf), for file-kind sniffing.
#include "parser/tar_header.h"

#include <cstdint>
#include <string_view>

namespace ptscope {
namespace {

bool is_py_space(char c) {  // str.strip() on ASCII text
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// int(text, 8): optional sign, optional 0o prefix, octal digits with single
// underscores between them.
std::optional<int64_t> parse_python_octal(std::string_view s) {
  while (!s.empty() && is_py_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_py_space(s.back())) s.remove_suffix(1);
  if (s.empty()) return 0;  // int("0")
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  bool prefixed = false;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    s.remove_prefix(2);
    prefixed = true;
  }
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  bool last_digit = prefixed;  // "0o_7" is valid, "_7" is not
  for (char c : s) {
    if (c == '_') {
      if (!last_digit) return std::nullopt;
      last_digit = false;
      continue;
    }
    if (c < '0' || c > '7') return std::nullopt;
    if (v > (INT64_MAX >> 3)) return std::nullopt;  // far beyond any 8-12 byte field
    v = v * 8 + (c - '0');
    last_digit = true;
  }
  if (!last_digit) return std::nullopt;
  return negative ? -v : v;
}

}  // namespace

std::optional<int64_t> tar_numeric_field(const uint8_t* field, size_t len) {
  if (len == 0) return 0;
  if (field[0] == 0x80 || field[0] == 0xFF) {  // always valid; huge values clamp
    const bool negative = field[0] == 0xFF;
    uint64_t n = 0;
    for (size_t i = 1; i < len; ++i) {
      if (n >> 55) return negative ? INT64_MIN : INT64_MAX;
      n = (n << 8) | field[i];
    }
    if (!negative) return n > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(n);
    if (len - 1 > 7) return INT64_MIN;  // -(256**(len-1) - n) with n < 2**63
    return int64_t(n) - int64_t(uint64_t(1) << (8 * (len - 1)));
  }
  size_t n = 0;  // nts(): up to the first NUL, then ASCII (strict)
  while (n < len && field[n]) {
    if (field[n] >= 0x80) return std::nullopt;
    ++n;
  }
  return parse_python_octal(std::string_view(reinterpret_cast<const char*>(field), n));
}

bool tar_header_valid(ByteSpan b) {
  if (b.size() < 512) return false;  // "truncated header"
  bool all_zero = true;
  for (size_t i = 0; i < 512 && all_zero; ++i) all_zero = b[i] == 0;
  if (all_zero) return false;  // "empty file"
  const auto stored = tar_numeric_field(b.data() + 148, 8);
  if (!stored) return false;
  int64_t unsigned_sum = 256, signed_sum = 256;  // the checksum field counts as eight spaces
  for (size_t i = 0; i < 512; ++i) {
    if (i >= 148 && i < 156) continue;
    unsigned_sum += b[i];
    signed_sum += int8_t(b[i]);
  }
  if (*stored != unsigned_sum && *stored != signed_sum) return false;  // "bad checksum"
  // frombuf() then parses mode, uid, gid, size, mtime, devmajor, devminor.
  struct Field { size_t at, len; };
  for (Field f : {Field{100, 8}, Field{108, 8}, Field{116, 8}, Field{124, 12}, Field{136, 12}, Field{329, 8},
                  Field{337, 8}})
    if (!tar_numeric_field(b.data() + f.at, f.len)) return false;
  return true;
}

}  // namespace ptscope
