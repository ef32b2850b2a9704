// Python's backslash escapes, decoded in one place for the pickle VM (the
// STRING and UNICODE opcodes) and the TorchScript lexer (string and bytes
// literals). The callers differ only in what the options below name.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace ptscope {

// Which literal the escapes belong to.
enum class PyLiteral {
  // b'...' and pickle's STRING argument (codecs.escape_decode): \x and octal
  // escapes are bytes; \u, \U and \N are not escapes and stay as written.
  bytes,
  // '...' in TorchScript source: \u and \U are code points, written as UTF-8;
  // \N{...} is refused. \x and octal escapes up to \377 stay single bytes, as
  // TorchScript's printer means them (Python would read code points there).
  str,
};

struct PyEscapeRules {
  PyLiteral literal = PyLiteral::bytes;
  // A literal from a source file (the lexer): \r and \r\n read as \n, a
  // backslash before \r or \r\n continues the line as before \n, and an
  // octal escape above \377 in a bytes literal is an error (Python warns
  // and keeps the low byte, as codecs.escape_decode does without this flag).
  bool source_text = false;
  // r'...': backslashes are kept as written (source newlines still apply).
  bool raw = false;
  // Names the literal in error messages ("STRING", "string literal").
  std::string_view what = "string literal";
};

// Decodes the escapes of a literal's body (the text between its quotes).
// Unknown escapes keep their backslash, as in Python. Throws Error (corrupt;
// unsupported for \N{...} in a str) naming the bad escape.
std::string decode_py_escapes(std::string_view body, const PyEscapeRules& rules);

// The raw-unicode-escape codec (pickle's UNICODE argument): latin-1 bytes,
// plus \uXXXX and \UXXXXXXXX where an odd run of backslashes precedes the
// 'u'; the result is UTF-8. Throws Error (corrupt) on a truncated or out of
// range escape.
std::string decode_raw_unicode_escape(std::string_view s);

// Appends code point `cp` as UTF-8; lone surrogates are kept, as Python's
// surrogatepass error handler writes them.
void append_utf8(std::string& out, uint32_t cp);

}  // namespace ptscope
