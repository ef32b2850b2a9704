// Tokenizer for TorchScript source as torch.jit.save writes it into code/**.py
// (PythonPrint output, which is Python syntax). It yields Python's token stream
// (NEWLINE, INDENT, DEDENT, implicit joining inside brackets) one token at a
// time, so the parser never holds a whole file's tokens.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ptscope::ts {

// A position in a source file; line and col are 1-based, col counts bytes.
// `file` points at an interned name that lives for the whole process, so
// AST nodes stay self-contained however long they outlive the parse.
struct Loc {
  const std::string* file = nullptr;
  uint32_t line = 0;
  uint32_t col = 0;
};

// Returns a stable pointer for a file name (a process-wide, thread-safe set).
const std::string* intern_file_name(std::string_view name);

// "file:line:col"
std::string to_string(const Loc& loc);

// Throws ptscope::Error("file:line:col: message").
[[noreturn]] void fail_at(const Loc& loc, std::string_view message,
                          ErrorCode code = ErrorCode::corrupt);

enum class Tok : uint8_t {
  // structure
  end_of_file, newline, indent, dedent,
  // atoms
  name, integer, floating, imaginary, string,
  // keywords
  kw_def, kw_class, kw_if, kw_elif, kw_else, kw_for, kw_while, kw_in, kw_not,
  kw_and, kw_or, kw_is, kw_return, kw_pass, kw_break, kw_continue, kw_with,
  kw_as, kw_none, kw_true, kw_false, kw_lambda, kw_assert, kw_global,
  kw_nonlocal, kw_raise, kw_del, kw_import, kw_from,
  // delimiters
  lparen, rparen, lbracket, rbracket, lbrace, rbrace, comma, colon, semicolon,
  dot, ellipsis, arrow, walrus, assign,
  // operators
  plus, minus, star, slash, double_slash, percent, at, double_star, lshift,
  rshift, amp, pipe, caret, tilde, lt, gt, le, ge, eq, ne,
  // augmented assignments
  plus_assign, minus_assign, star_assign, slash_assign, double_slash_assign,
  percent_assign, at_assign, double_star_assign, lshift_assign, rshift_assign,
  amp_assign, pipe_assign, caret_assign,
};

// A name that is not a keyword (what `x.name = ...` needs to print as is).
bool is_identifier(std::string_view s);

// The token's spelling for messages: "'def'", "'->'", "identifier", "NEWLINE".
const char* tok_spelling(Tok kind);

struct Token {
  Tok kind = Tok::end_of_file;
  uint32_t line = 0;
  uint32_t col = 0;
  // The lexeme as written (strings keep prefix and quotes; empty for
  // NEWLINE/INDENT/DEDENT/end of file). Points into the source buffer.
  std::string_view text;
};

enum class StrKind : uint8_t { str, bytes, fstring };

class Lexer {
 public:
  // `source` must outlive the lexer and the tokens it returns.
  Lexer(std::string_view source, std::string_view file_name,
        size_t max_tokens = size_t{1} << 22);

  // The next token; after the end it keeps returning end_of_file.
  Token next();

  const std::string* file() const { return file_; }
  Loc loc(const Token& t) const { return Loc{file_, t.line, t.col}; }

  // Literal values of tokens this lexer produced (their shape is already
  // checked). Integers above INT64_MAX up to UINT64_MAX wrap to negative
  // two's complement, so `-9223372036854775808` negates back to INT64_MIN;
  // larger ones are an error. Escapes \ooo and \xhh give raw bytes, as in the
  // TorchScript lexer (PythonPrint C-escapes bytes, not code points).
  int64_t int_value(const Token& t) const;
  double float_value(const Token& t) const;  // floating and imaginary
  std::string string_value(const Token& t, StrKind* kind) const;

 private:
  [[noreturn]] void fail(size_t offset, std::string_view message) const;
  uint32_t col_of(size_t offset) const {
    return static_cast<uint32_t>(offset - line_start_ + 1);
  }
  Token make(Tok kind, size_t begin, size_t end);
  bool at_line_end(size_t p) const;
  void consume_newline();  // at '\r' or '\n'
  bool start_line();       // indentation; false when the input is exhausted
  Token scan_number(size_t begin);
  Token scan_string(size_t begin, size_t quote);
  Token scan_operator(size_t begin);
  void scan_digits(bool (*is_digit)(char), bool need_one);

  std::string_view src_;
  const std::string* file_;
  size_t max_tokens_;
  size_t tokens_ = 0;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  uint32_t line_ = 1;
  bool at_line_start_ = true;
  bool line_has_tokens_ = false;  // a NEWLINE is owed before dedents at EOF
  uint32_t pending_dedents_ = 0;
  std::vector<uint32_t> indents_{0};
  struct Open {  // an unclosed bracket, for matching and for messages
    char open;
    uint32_t line, col;
  };
  std::vector<Open> brackets_;
};

// Every token of a source, end_of_file included (for tests and tools).
std::vector<Token> tokenize(std::string_view source, std::string_view file_name);

}  // namespace ptscope::ts
