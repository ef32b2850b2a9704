#include "parser/python_int.h"

#include <algorithm>
#include <cstdint>

namespace ptscope {
namespace {

// Py_ISSPACE and C isspace in the "C" locale agree on these.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

std::string_view until_nul(std::string_view s) {
  const size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

}  // namespace

std::optional<IntLiteral> python_int_literal(std::string_view text, int base) {
  std::string_view s = until_nul(text);
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  IntLiteral lit;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) lit.negative = s[i++] == '-';
  bool leading_zero = false;
  if (base == 0) {
    if (i < s.size() && s[i] == '0') {
      const char p = i + 1 < s.size() ? s[i + 1] : '\0';
      if (p == 'x' || p == 'X') base = 16;
      else if (p == 'o' || p == 'O') base = 8;
      else if (p == 'b' || p == 'B') base = 2;
      if (base != 0) {
        i += 2;
        if (i < s.size() && s[i] == '_') ++i;  // "0x_1f" is valid
      } else {
        leading_zero = true;
      }
    }
    if (base == 0) base = 10;
  }
  lit.base = base;
  bool last_underscore = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      if (last_underscore || lit.digits.empty()) return std::nullopt;
      last_underscore = true;
      continue;
    }
    if (digit_value(c) >= base) break;
    lit.digits += c;
    last_underscore = false;
  }
  if (lit.digits.empty() || last_underscore) return std::nullopt;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i != s.size()) return std::nullopt;
  if (leading_zero && lit.digits.find_first_not_of('0') != std::string::npos) return std::nullopt;
  return lit;
}

std::optional<int64_t> c_strtol_base0(std::string_view text) {
  std::string_view s = until_nul(text);
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  int base = 10;
  if (i < s.size() && s[i] == '0') {
    if (i + 2 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X') && digit_value(s[i + 2]) < 16) {
      base = 16;
      i += 2;
    } else {
      base = 8;
    }
  }
  const size_t first = i;
  // Magnitude up to 2^63 (the most negative long), overflow otherwise.
  const uint64_t limit = negative ? uint64_t(INT64_MAX) + 1 : uint64_t(INT64_MAX);
  uint64_t v = 0;
  for (; i < s.size() && digit_value(s[i]) < base; ++i) {
    const uint64_t d = uint64_t(digit_value(s[i]));
    if (v > (limit - d) / uint64_t(base)) return std::nullopt;  // ERANGE
    v = v * uint64_t(base) + d;
  }
  if (i == first || i != s.size()) return std::nullopt;
  return negative ? int64_t(0 - v) : int64_t(v);
}

std::vector<uint8_t> int_magnitude(const IntLiteral& lit) {
  std::vector<uint8_t> out;
  if (lit.base != 10) {
    const int bits = lit.base == 16 ? 4 : lit.base == 8 ? 3 : 1;
    uint32_t acc = 0;
    int have = 0;
    for (size_t k = lit.digits.size(); k-- > 0;) {
      acc |= uint32_t(digit_value(lit.digits[k])) << have;
      have += bits;
      while (have >= 8) {
        out.push_back(uint8_t(acc));
        acc >>= 8;
        have -= 8;
      }
    }
    if (have > 0) out.push_back(uint8_t(acc));
  } else {
    // Base 2^32 limbs, nine decimal digits at a time.
    std::vector<uint32_t> limbs;
    for (size_t k = 0; k < lit.digits.size();) {
      const size_t n = std::min<size_t>(9, lit.digits.size() - k);
      uint32_t chunk = 0, scale = 1;
      for (size_t j = 0; j < n; ++j, ++k) {
        chunk = chunk * 10 + uint32_t(lit.digits[k] - '0');
        scale *= 10;
      }
      uint64_t carry = chunk;
      for (auto& limb : limbs) {
        const uint64_t x = uint64_t(limb) * scale + carry;
        limb = uint32_t(x);
        carry = x >> 32;
      }
      if (carry) limbs.push_back(uint32_t(carry));
    }
    for (uint32_t limb : limbs)
      for (int s = 0; s < 32; s += 8) out.push_back(uint8_t(limb >> s));
  }
  while (!out.empty() && out.back() == 0) out.pop_back();
  return out;
}

}  // namespace ptscope
