// Integer literals as CPython's unpickler reads them. The text opcodes go
// through C and Python number parsers, not a plain decimal reader: INT tries
// strtol(s, 0) and falls back to int(s, 0) (so 0x1f, 0o17, 0b101, 1_000 and,
// through strtol, C octal 017 all load), LONG is int(s, 0), and PUT/GET
// indices are int(s, 10). A scanner that is stricter than CPython calls a
// loadable payload "not a pickle".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptscope {

struct IntLiteral {
  bool negative = false;
  int base = 10;       // 2, 8, 10 or 16
  std::string digits;  // without sign, prefix and underscores; never empty
};

// PyLong_FromString(text, NULL, base) for base 0 or 10: surrounding
// whitespace, a sign, a 0x/0o/0b prefix (base 0), single underscores between
// digits (and after a prefix); in base 0 a leading zero allows only zeros.
// The text is read up to its first NUL, as the C function does.
std::optional<IntLiteral> python_int_literal(std::string_view text, int base);

// glibc's strtol(text, &end, 0) when it consumes the text up to its first NUL
// without overflowing a 64-bit long: whitespace, sign, 0x hex, 0 octal.
std::optional<int64_t> c_strtol_base0(std::string_view text);

// The magnitude of a literal as little-endian bytes (no sign), linear time
// for power-of-two bases. Decimal literals must be short (CPython refuses
// more than 4300 digits); the caller checks that.
std::vector<uint8_t> int_magnitude(const IntLiteral& lit);

}  // namespace ptscope
