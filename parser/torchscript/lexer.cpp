#include "parser/torchscript/lexer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>
#include <mutex>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/enum_names.h"
#include "parser/py_escape.h"

namespace ptscope::ts {

const std::string* intern_file_name(std::string_view name) {
  // Leaked on purpose: a Loc may be printed during static destruction.
  static std::mutex& mutex = *new std::mutex;
  static auto& names = *new std::unordered_set<std::string>;
  std::lock_guard lock(mutex);
  // unordered_set nodes never move, so the pointer stays valid.
  return &*names.emplace(name).first;
}

std::string to_string(const Loc& loc) {
  std::string out = loc.file ? *loc.file : std::string("<unknown>");
  out += ':';
  out += std::to_string(loc.line);
  out += ':';
  out += std::to_string(loc.col);
  return out;
}

void fail_at(const Loc& loc, std::string_view message, ErrorCode code) {
  throw Error(code, to_string(loc) + ": " + std::string(message));
}

namespace {

// Every token's spelling for messages, in Tok's order; keywords are quoted
// as they are written, which is also where keyword_kind finds them.
constexpr const char* kSpellings[] = {
    // structure
    "end of file", "end of line", "indent", "dedent",
    // atoms
    "identifier", "integer", "float", "imaginary number", "string",
    // keywords
    "'def'", "'class'", "'if'", "'elif'", "'else'", "'for'", "'while'", "'in'", "'not'",
    "'and'", "'or'", "'is'", "'return'", "'pass'", "'break'", "'continue'", "'with'",
    "'as'", "'None'", "'True'", "'False'", "'lambda'", "'assert'", "'global'",
    "'nonlocal'", "'raise'", "'del'", "'import'", "'from'",
    // delimiters
    "'('", "')'", "'['", "']'", "'{'", "'}'", "','", "':'", "';'",
    "'.'", "'...'", "'->'", "':='", "'='",
    // operators
    "'+'", "'-'", "'*'", "'/'", "'//'", "'%'", "'@'", "'**'", "'<<'",
    "'>>'", "'&'", "'|'", "'^'", "'~'", "'<'", "'>'", "'<='", "'>='", "'=='", "'!='",
    // augmented assignments
    "'+='", "'-='", "'*='", "'/='", "'//='",
    "'%='", "'@='", "'**='", "'<<='", "'>>='",
    "'&='", "'|='", "'^='",
};
static_assert(std::size(kSpellings) == enum_count(Tok::caret_assign));

}  // namespace

const char* tok_spelling(Tok kind) { return enum_name(kind, kSpellings, "token"); }

namespace {

bool is_ident_start(char c) {
  auto u = static_cast<unsigned char>(c);
  // Bytes >= 0x80 are taken as parts of UTF-8 identifiers without validation.
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_dec(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) {
  return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_oct(char c) { return c >= '0' && c <= '7'; }
bool is_bin(char c) { return c == '0' || c == '1'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_string_prefix(std::string_view p) {
  if (p.size() > 2) return false;
  std::string low;
  for (char c : p) low += lower(c);
  return low == "r" || low == "u" || low == "b" || low == "f" || low == "br" ||
         low == "rb" || low == "fr" || low == "rf";
}

Tok keyword_kind(std::string_view s) {
  // Identifiers are the most frequent token: look among the keywords of the
  // same length only (at most 7), grouped once from their spellings.
  static const auto by_length = [] {
    std::array<std::vector<std::pair<std::string_view, Tok>>, 9> groups;
    for (size_t k = size_t(Tok::kw_def); k <= size_t(Tok::kw_from); ++k) {
      const std::string_view quoted = kSpellings[k];
      const std::string_view word = quoted.substr(1, quoted.size() - 2);
      groups.at(word.size()).emplace_back(word, Tok(k));
    }
    return groups;
  }();
  if (s.size() >= by_length.size()) return Tok::name;
  for (const auto& [word, kind] : by_length[s.size()])
    if (word == s) return kind;
  return Tok::name;
}

int hex_digit(char c) {
  if (is_dec(c)) return c - '0';
  return lower(c) - 'a' + 10;
}

}  // namespace

bool is_identifier(std::string_view s) {
  if (s.empty() || !is_ident_start(s[0])) return false;
  for (char c : s) {
    if (!is_ident_char(c)) return false;
  }
  return keyword_kind(s) == Tok::name;
}

Lexer::Lexer(std::string_view source, std::string_view file_name, size_t max_tokens)
    : src_(source), file_(intern_file_name(file_name)), max_tokens_(max_tokens) {
  if (src_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = 3;  // UTF-8 BOM
}

void Lexer::fail(size_t offset, std::string_view message) const {
  fail_at(Loc{file_, line_, col_of(offset)}, message);
}

Token Lexer::make(Tok kind, size_t begin, size_t end) {
  if (++tokens_ > max_tokens_) {
    fail_at(Loc{file_, line_, col_of(begin)},
            "more than " + std::to_string(max_tokens_) + " tokens in one file",
            ErrorCode::limit_exceeded);
  }
  return Token{kind, line_, col_of(begin), src_.substr(begin, end - begin)};
}

bool Lexer::at_line_end(size_t p) const {
  return p >= src_.size() || src_[p] == '\n' || src_[p] == '\r';
}

void Lexer::consume_newline() {
  if (src_[pos_] == '\r' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
  line_start_ = pos_;
}

bool Lexer::start_line() {
  for (;;) {
    uint32_t width = 0;
    size_t p = pos_;
    for (; p < src_.size(); ++p) {
      char c = src_[p];
      if (c == ' ') {
        ++width;
      } else if (c == '\t') {
        width = (width / 8 + 1) * 8;  // Python's tab stops
      } else if (c == '\f') {
        width = 0;
      } else {
        break;
      }
    }
    if (p < src_.size() && src_[p] == '#') {
      while (!at_line_end(p)) ++p;
    }
    pos_ = p;
    if (p >= src_.size()) return false;
    if (src_[p] == '\n' || src_[p] == '\r') {
      consume_newline();  // blank or comment-only lines do not count
      continue;
    }
    // An indent grows indents_; dedents are counted for next() to emit.
    if (width > indents_.back()) {
      indents_.push_back(width);
      return true;
    }
    while (width < indents_.back()) {
      indents_.pop_back();
      ++pending_dedents_;
    }
    if (width != indents_.back()) {
      fail(p, "unindent does not match any outer indentation level");
    }
    return true;
  }
}

Token Lexer::next() {
  if (pending_dedents_ > 0) {
    --pending_dedents_;
    return make(Tok::dedent, pos_, pos_);
  }
  if (at_line_start_ && brackets_.empty()) {
    at_line_start_ = false;
    size_t depth_before = indents_.size();
    if (start_line()) {
      if (indents_.size() > depth_before) return make(Tok::indent, pos_, pos_);
      if (pending_dedents_ > 0) {
        --pending_dedents_;
        return make(Tok::dedent, pos_, pos_);
      }
    }
  }
  // Skip blanks, comments and joined lines up to the next token.
  for (;;) {
    if (pos_ >= src_.size()) break;
    char c = src_[pos_];
    if (c == ' ' || c == '\t' || c == '\f') {
      ++pos_;
    } else if (c == '#') {
      while (!at_line_end(pos_)) ++pos_;
    } else if (c == '\\') {
      if (pos_ + 1 >= src_.size()) fail(pos_, "unexpected end of file after '\\'");
      if (src_[pos_ + 1] != '\n' && src_[pos_ + 1] != '\r') {
        fail(pos_, "unexpected character after line continuation '\\'");
      }
      ++pos_;
      consume_newline();
    } else if (c == '\n' || c == '\r') {
      if (!brackets_.empty() || !line_has_tokens_) {
        consume_newline();  // inside brackets (implicit joining) or on an empty line
        continue;
      }
      Token t = make(Tok::newline, pos_, pos_);
      consume_newline();
      at_line_start_ = true;
      line_has_tokens_ = false;
      return t;
    } else {
      break;
    }
  }

  if (pos_ >= src_.size()) {
    if (!brackets_.empty()) {
      const Open& o = brackets_.back();
      fail_at(Loc{file_, o.line, o.col},
              std::string("'") + o.open + "' was never closed");
    }
    if (line_has_tokens_) {
      line_has_tokens_ = false;
      return make(Tok::newline, pos_, pos_);
    }
    if (indents_.size() > 1) {
      indents_.pop_back();
      return make(Tok::dedent, pos_, pos_);
    }
    return Token{Tok::end_of_file, line_, col_of(pos_), {}};
  }

  line_has_tokens_ = true;
  size_t begin = pos_;
  char c = src_[begin];
  if (is_ident_start(c)) {
    size_t p = begin + 1;
    while (p < src_.size() && is_ident_char(src_[p])) ++p;
    if (p < src_.size() && (src_[p] == '"' || src_[p] == '\'') &&
        is_string_prefix(src_.substr(begin, p - begin))) {
      return scan_string(begin, p);
    }
    pos_ = p;
    return make(keyword_kind(src_.substr(begin, p - begin)), begin, p);
  }
  if (is_dec(c) || (c == '.' && begin + 1 < src_.size() && is_dec(src_[begin + 1]))) {
    return scan_number(begin);
  }
  if (c == '"' || c == '\'') return scan_string(begin, begin);
  return scan_operator(begin);
}

void Lexer::scan_digits(bool (*is_digit)(char), bool need_one) {
  size_t start = pos_;
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    // Underscores may only separate two digits.
    if (is_digit(c) || (c == '_' && pos_ > start && pos_ + 1 < src_.size() &&
                        is_digit(src_[pos_ + 1]))) {
      ++pos_;
    } else {
      break;
    }
  }
  if (need_one && pos_ == start) fail(pos_, "invalid number literal: expected a digit");
  if (pos_ < src_.size() && src_[pos_] == '_') fail(pos_, "invalid '_' in number literal");
}

Token Lexer::scan_number(size_t begin) {
  pos_ = begin;
  Tok kind = Tok::integer;
  char prefix = begin + 1 < src_.size() ? lower(src_[begin + 1]) : 0;
  if (src_[begin] == '0' && (prefix == 'x' || prefix == 'o' || prefix == 'b')) {
    pos_ += 2;
    if (pos_ < src_.size() && src_[pos_] == '_') ++pos_;  // 0x_ff is valid
    scan_digits(prefix == 'x' ? is_hex : prefix == 'o' ? is_oct : is_bin, true);
  } else {
    bool is_float = false;
    if (src_[pos_] != '.') scan_digits(is_dec, true);
    if (pos_ < src_.size() && src_[pos_] == '.') {
      ++pos_;
      is_float = true;
      if (pos_ < src_.size() && is_dec(src_[pos_])) scan_digits(is_dec, true);
    }
    if (pos_ < src_.size() && lower(src_[pos_]) == 'e') {
      ++pos_;
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
      scan_digits(is_dec, true);
      is_float = true;
    }
    if (pos_ < src_.size() && lower(src_[pos_]) == 'j') {
      ++pos_;
      kind = Tok::imaginary;
    } else if (is_float) {
      kind = Tok::floating;
    } else if (src_[begin] == '0') {
      for (size_t p = begin; p < pos_; ++p) {
        if (src_[p] >= '1' && src_[p] <= '9') {
          fail(begin, "leading zeros in decimal integer literals are not permitted");
        }
      }
    }
  }
  if (pos_ < src_.size() && is_ident_char(src_[pos_])) {
    fail(pos_, "invalid character in number literal");
  }
  return make(kind, begin, pos_);
}

Token Lexer::scan_string(size_t begin, size_t quote) {
  const char q = src_[quote];
  const bool triple = quote + 2 < src_.size() && src_[quote + 1] == q && src_[quote + 2] == q;
  const Loc start{file_, line_, col_of(begin)};
  size_t p = quote + (triple ? 3 : 1);
  for (;;) {
    if (p >= src_.size()) {
      fail_at(start, triple ? "unterminated triple-quoted string literal"
                            : "unterminated string literal");
    }
    char c = src_[p];
    if (c == '\\' && p + 1 < src_.size()) {
      if (src_[p + 1] == '\n' || src_[p + 1] == '\r') {
        pos_ = p + 1;
        consume_newline();  // escaped newline: keeps line numbers right
        p = pos_;
      } else {
        p += 2;
      }
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (!triple) fail_at(start, "unterminated string literal");
      pos_ = p;
      consume_newline();
      p = pos_;
      continue;
    }
    if (c == q) {
      if (!triple) {
        ++p;
        break;
      }
      if (p + 2 < src_.size() && src_[p + 1] == q && src_[p + 2] == q) {
        p += 3;
        break;
      }
    }
    ++p;
  }
  pos_ = p;
  if (++tokens_ > max_tokens_) {
    fail_at(start, "more than " + std::to_string(max_tokens_) + " tokens in one file",
            ErrorCode::limit_exceeded);
  }
  return Token{Tok::string, start.line, start.col, src_.substr(begin, p - begin)};
}

Token Lexer::scan_operator(size_t begin) {
  const char c = src_[begin];
  const char c1 = begin + 1 < src_.size() ? src_[begin + 1] : '\0';
  const char c2 = begin + 2 < src_.size() ? src_[begin + 2] : '\0';
  Tok kind;
  size_t len = 1;
  // `op` alone, `op=` as its augmented assignment.
  auto with_assign = [&](Tok plain, Tok augmented) {
    if (c1 == '=') {
      len = 2;
      return augmented;
    }
    return plain;
  };
  // `**`, `//`, `<<`, `>>` (and their `=` forms) when the character repeats,
  // else the single character's token (and its `=` form).
  auto doubled_or_single = [&](Tok doubled, Tok doubled_assign, Tok single, Tok single_assign) {
    if (c1 != c) return with_assign(single, single_assign);
    len = c2 == '=' ? 3 : 2;
    return c2 == '=' ? doubled_assign : doubled;
  };
  switch (c) {
    case '(': case '[': case '{':
      brackets_.push_back(Open{c, line_, col_of(begin)});
      kind = c == '(' ? Tok::lparen : c == '[' ? Tok::lbracket : Tok::lbrace;
      break;
    case ')': case ']': case '}': {
      if (brackets_.empty()) fail(begin, std::string("unmatched '") + c + "'");
      const Open o = brackets_.back();
      const char expected = o.open == '(' ? ')' : o.open == '[' ? ']' : '}';
      if (c != expected) {
        fail(begin, std::string("closing '") + c + "' does not match '" + o.open +
                        "' at " + std::to_string(o.line) + ":" + std::to_string(o.col));
      }
      brackets_.pop_back();
      kind = c == ')' ? Tok::rparen : c == ']' ? Tok::rbracket : Tok::rbrace;
      break;
    }
    case ',': kind = Tok::comma; break;
    case ';': kind = Tok::semicolon; break;
    case '~': kind = Tok::tilde; break;
    case ':':
      kind = with_assign(Tok::colon, Tok::walrus);
      break;
    case '.':
      if (c1 == '.' && c2 == '.') {
        kind = Tok::ellipsis;
        len = 3;
      } else {
        kind = Tok::dot;
      }
      break;
    case '+': kind = with_assign(Tok::plus, Tok::plus_assign); break;
    case '%': kind = with_assign(Tok::percent, Tok::percent_assign); break;
    case '@': kind = with_assign(Tok::at, Tok::at_assign); break;
    case '&': kind = with_assign(Tok::amp, Tok::amp_assign); break;
    case '|': kind = with_assign(Tok::pipe, Tok::pipe_assign); break;
    case '^': kind = with_assign(Tok::caret, Tok::caret_assign); break;
    case '=': kind = with_assign(Tok::assign, Tok::eq); break;
    case '-':
      if (c1 == '>') {
        kind = Tok::arrow;
        len = 2;
      } else {
        kind = with_assign(Tok::minus, Tok::minus_assign);
      }
      break;
    case '*': kind = doubled_or_single(Tok::double_star, Tok::double_star_assign, Tok::star, Tok::star_assign); break;
    case '/':
      kind = doubled_or_single(Tok::double_slash, Tok::double_slash_assign, Tok::slash, Tok::slash_assign);
      break;
    case '<': kind = doubled_or_single(Tok::lshift, Tok::lshift_assign, Tok::lt, Tok::le); break;
    case '>': kind = doubled_or_single(Tok::rshift, Tok::rshift_assign, Tok::gt, Tok::ge); break;
    case '!':
      if (c1 == '=') {
        kind = Tok::ne;
        len = 2;
        break;
      }
      [[fallthrough]];
    default: {
      auto u = static_cast<unsigned char>(c);
      std::string shown;
      if (u >= 0x20 && u < 0x7F) {
        shown = std::string("'") + c + "'";
      } else {
        static const char digits[] = "0123456789abcdef";
        shown = std::string("0x") + digits[u >> 4] + digits[u & 15];
      }
      fail(begin, "unexpected character " + shown);
    }
  }
  pos_ = begin + len;
  return make(kind, begin, pos_);
}

int64_t Lexer::int_value(const Token& t) const {
  std::string_view s = t.text;
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0') {
    char p = lower(s[1]);
    base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
    if (base != 10) s.remove_prefix(2);
  }
  uint64_t value = 0;
  for (char c : s) {
    if (c == '_') continue;
    auto digit = static_cast<uint64_t>(hex_digit(c));
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / base) {
      fail_at(loc(t), "integer literal " + std::string(t.text) + " does not fit in 64 bits",
              ErrorCode::unsupported);
    }
    value = value * base + digit;
  }
  return static_cast<int64_t>(value);  // see the header: wraps above INT64_MAX
}

double Lexer::float_value(const Token& t) const {
  std::string digits;
  for (char c : t.text) {
    if (c != '_' && lower(c) != 'j') digits += c;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves the value alone; Python gives inf or 0. A result
    // can only underflow with a negative exponent or a "0."/"." mantissa.
    size_t e = digits.find_first_of("eE");
    bool tiny = e != std::string::npos ? digits[e + 1] == '-'
                                       : (digits[0] == '0' || digits[0] == '.');
    return tiny ? 0.0 : std::numeric_limits<double>::infinity();
  }
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    fail_at(loc(t), "invalid float literal " + std::string(t.text));
  }
  return value;
}

std::string Lexer::string_value(const Token& t, StrKind* kind) const {
  std::string_view s = t.text;
  bool raw = false;
  StrKind k = StrKind::str;
  size_t i = 0;
  for (; s[i] != '"' && s[i] != '\''; ++i) {
    char p = lower(s[i]);
    if (p == 'r') raw = true;
    if (p == 'b') k = StrKind::bytes;
    if (p == 'f') k = StrKind::fstring;
  }
  if (kind) *kind = k;
  const char q = s[i];
  const size_t qlen = s.size() - i >= 6 && s[i + 1] == q && s[i + 2] == q ? 3 : 1;
  std::string_view body = s.substr(i + qlen, s.size() - i - 2 * qlen);

  PyEscapeRules rules;
  rules.literal = k == StrKind::bytes ? PyLiteral::bytes : PyLiteral::str;
  rules.source_text = true;
  rules.raw = raw;
  try {
    return decode_py_escapes(body, rules);
  } catch (const Error& e) {
    fail_at(loc(t), e.what(), e.code());
  }
}

std::vector<Token> tokenize(std::string_view source, std::string_view file_name) {
  Lexer lexer(source, file_name);
  std::vector<Token> out;
  do {
    out.push_back(lexer.next());
  } while (out.back().kind != Tok::end_of_file);
  return out;
}

}  // namespace ptscope::ts
