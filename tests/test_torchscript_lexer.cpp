// TorchScript front end: the lexer (tokens, indentation, literals, errors).
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "tests/torchscript_snippets.h"

using namespace ts_snippets;

TEST_CASE("ts lexer: indentation gives INDENT DEDENT and NEWLINE", "[torchscript]") {
  using T = Tok;
  const std::string src =
      "def f(x):\n"
      "  if x:\n"
      "    return 1\n"
      "\n"
      "      # a comment at another indent is ignored\n"
      "  return 2\n";
  CHECK(kinds(src) == std::vector<Tok>{
                          T::kw_def, T::name, T::lparen, T::name, T::rparen, T::colon, T::newline,
                          T::indent, T::kw_if, T::name, T::colon, T::newline,
                          T::indent, T::kw_return, T::integer, T::newline,
                          T::dedent, T::kw_return, T::integer, T::newline,
                          T::dedent, T::end_of_file});
  // Tabs; dedents to several levels at the end of file, which also supplies
  // the missing NEWLINE.
  CHECK(kinds("if a:\n\tif b:\n\t\tc") ==
        std::vector<Tok>{T::kw_if, T::name, T::colon, T::newline, T::indent, T::kw_if, T::name,
                         T::colon, T::newline, T::indent, T::name, T::newline, T::dedent,
                         T::dedent, T::end_of_file});
  // Eight spaces and one tab are the same indentation.
  CHECK(kinds("if a:\n        b\n\tc\n") ==
        std::vector<Tok>{T::kw_if, T::name, T::colon, T::newline, T::indent, T::name,
                         T::newline, T::name, T::newline, T::dedent, T::end_of_file});
  CHECK(kinds("x = 1  # trailing") ==
        std::vector<Tok>{T::name, T::assign, T::integer, T::newline, T::end_of_file});
  CHECK(kinds("") == std::vector<Tok>{T::end_of_file});
  CHECK(kinds("\n\n  # only comments\n") == std::vector<Tok>{T::end_of_file});
}

TEST_CASE("ts lexer: line joining and positions", "[torchscript]") {
  using T = Tok;
  // Inside brackets newlines and indentation mean nothing.
  CHECK(kinds("x = f(1,\n      2)\ny = [\n 1,\n]\n") ==
        std::vector<Tok>{T::name, T::assign, T::name, T::lparen, T::integer, T::comma,
                         T::integer, T::rparen, T::newline, T::name, T::assign, T::lbracket,
                         T::integer, T::comma, T::rbracket, T::newline, T::end_of_file});
  // A backslash joins explicitly.
  auto toks = tokenize("x = 1 + \\\n    2\ny\n", "lex.py");
  REQUIRE(toks.size() == 9);
  CHECK(toks[4].kind == T::integer);
  CHECK(toks[4].line == 2);
  CHECK(toks[4].col == 5);
  CHECK(toks[5].kind == T::newline);
  CHECK(toks[6].line == 3);
  // CRLF and CR line endings.
  auto crlf = tokenize("if x:\r\n  y = 1\r\nz\r", "lex.py");
  CHECK(crlf[4].kind == T::indent);
  CHECK(crlf[5].line == 2);
  CHECK(crlf[5].col == 3);
  CHECK(crlf[crlf.size() - 3].text == "z");
  CHECK(crlf[crlf.size() - 3].line == 3);
  CHECK(crlf.back().kind == T::end_of_file);
}

TEST_CASE("ts lexer: keywords names and operators", "[torchscript]") {
  using T = Tok;
  CHECK(kinds("def class if elif else for while in not and or is return pass break continue "
              "with as None True False lambda assert global nonlocal raise del import from") ==
        std::vector<Tok>{T::kw_def, T::kw_class, T::kw_if, T::kw_elif, T::kw_else, T::kw_for,
                         T::kw_while, T::kw_in, T::kw_not, T::kw_and, T::kw_or, T::kw_is,
                         T::kw_return, T::kw_pass, T::kw_break, T::kw_continue, T::kw_with,
                         T::kw_as, T::kw_none, T::kw_true, T::kw_false, T::kw_lambda,
                         T::kw_assert, T::kw_global, T::kw_nonlocal, T::kw_raise, T::kw_del,
                         T::kw_import, T::kw_from, T::newline, T::end_of_file});
  CHECK(kinds("inf nan self __torch__ ___torch_mangle_3 _0 Tensor") ==
        std::vector<Tok>{T::name, T::name, T::name, T::name, T::name, T::name, T::name,
                         T::newline, T::end_of_file});
  CHECK(kinds("-> := ** // << >> @ += -= *= /= //= %= @= **= <<= >>= &= |= ^=") ==
        std::vector<Tok>{T::arrow, T::walrus, T::double_star, T::double_slash, T::lshift,
                         T::rshift, T::at, T::plus_assign, T::minus_assign, T::star_assign,
                         T::slash_assign, T::double_slash_assign, T::percent_assign,
                         T::at_assign, T::double_star_assign, T::lshift_assign,
                         T::rshift_assign, T::amp_assign, T::pipe_assign, T::caret_assign,
                         T::newline, T::end_of_file});
  CHECK(kinds("== != <= >= < > = + - * / % & | ^ ~ . ... , ; : ( ) [ ] { }") ==
        std::vector<Tok>{T::eq, T::ne, T::le, T::ge, T::lt, T::gt, T::assign, T::plus,
                         T::minus, T::star, T::slash, T::percent, T::amp, T::pipe, T::caret,
                         T::tilde, T::dot, T::ellipsis, T::comma, T::semicolon, T::colon,
                         T::lparen, T::rparen, T::lbracket, T::rbracket, T::lbrace, T::rbrace,
                         T::newline, T::end_of_file});
  CHECK(is_identifier("weight"));
  CHECK_FALSE(is_identifier("0"));
  CHECK_FALSE(is_identifier("in"));
}

TEST_CASE("ts lexer: number literals", "[torchscript]") {
  Lexer lex("0 42 1_000 0x1F 0o17 0b101 0X_ff 00", "lex.py");
  for (int64_t want : {0, 42, 1000, 31, 15, 5, 255, 0}) {
    Token t = lex.next();
    REQUIRE(t.kind == Tok::integer);
    CHECK(lex.int_value(t) == want);
  }
  Lexer floats("1. .5 1e-05 0.10000000000000001 1_0.2_5 1.e3 1E+2 1e999 1e-999", "lex.py");
  for (double want : {1.0, 0.5, 1e-05, 0.1, 10.25, 1000.0, 100.0,
                      std::numeric_limits<double>::infinity(), 0.0}) {
    Token t = floats.next();
    REQUIRE(t.kind == Tok::floating);
    CHECK(floats.float_value(t) == want);
  }
  Lexer imag("1.j 2.5j 3J", "lex.py");
  for (double want : {1.0, 2.5, 3.0}) {
    Token t = imag.next();
    REQUIRE(t.kind == Tok::imaginary);
    CHECK(imag.float_value(t) == want);
  }
  // 64-bit wrap-around, so that -9223372036854775808 is INT64_MIN.
  CHECK(d("18446744073709551615") == "-1");
  CHECK(d("-9223372036854775808") == "(- -9223372036854775808)");
  CHECK(expr("9223372036854775808")->as<IntLit>()->value ==
        std::numeric_limits<int64_t>::min());
  CHECK(failure("x = 18446744073709551616").code == ErrorCode::unsupported);
  for (const char* bad : {"1__0", "1_", "0b2", "012", "1e", "0x", "1abc", "1.5e+"}) {
    Failure f = failure(std::string("x = ") + bad);
    CHECK(f.code == ErrorCode::corrupt);
    CHECK(f.message.rfind("bad.py:1:", 0) == 0);
  }
}

TEST_CASE("ts lexer: string literals", "[torchscript]") {
  auto value = [](std::string_view src, StrKind want_kind = StrKind::str) {
    Lexer lex(src, "lex.py");
    Token t = lex.next();
    REQUIRE(t.kind == Tok::string);
    StrKind k;
    std::string v = lex.string_value(t, &k);
    CHECK(k == want_kind);
    CHECK(lex.next().kind == Tok::newline);
    return v;
  };
  CHECK(value("'a'") == "a");
  CHECK(value("\"b\"") == "b");
  CHECK(value("''") == "");
  CHECK(value("\"\"\"\"\"\"") == "");
  CHECK(value("'''c\nd'''") == "c\nd");
  CHECK(value("\"\"\"say \"hi\" \"\"\"") == "say \"hi\" ");
  CHECK(value(R"("\x41\101\n\t\\\"\'\a\0")") == std::string("AA\n\t\\\"'\a\0", 9));
  CHECK(value(R"("\u00e9\U0001F600")") == "\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(value(R"("\377")") == "\xFF");  // octal escapes give bytes, as PythonPrint means them
  CHECK(value(R"("\d")") == "\\d");     // unknown escapes stay
  CHECK(value("'a\\\nb'") == "ab");     // escaped newline
  CHECK(value(R"(r'\n\x')") == "\\n\\x");
  CHECK(value(R"(b'\x00\u')", StrKind::bytes) == std::string("\0\\u", 3));
  CHECK(value(R"(Rb'\n')", StrKind::bytes) == "\\n");
  CHECK(value("f'{x}!'", StrKind::fstring) == "{x}!");
  CHECK(value("u'x'") == "x");
  // Triple-quoted strings keep line numbers right for what follows.
  auto toks = tokenize("s = '''a\nb\nc'''\nt = 1\n", "lex.py");
  CHECK(toks[2].line == 1);
  CHECK(toks[4].line == 4);
  CHECK(toks[4].text == "t");

  CHECK(failure("x = 'abc").message == "bad.py:1:5: unterminated string literal");
  CHECK(failure("x = 'ab\nc'").message == "bad.py:1:5: unterminated string literal");
  CHECK(failure("x = '''abc\n\n").message ==
        "bad.py:1:5: unterminated triple-quoted string literal");
  CHECK(failure(R"(x = "\x4")").message == "bad.py:1:5: invalid \\x escape in string literal");
  CHECK(failure("x = b'a' 'b'").code == ErrorCode::corrupt);
}

TEST_CASE("ts lexer: errors name file line and column", "[torchscript]") {
  CHECK(failure("x = 1\ny = $\n").message == "bad.py:2:5: unexpected character '$'");
  CHECK(failure("x = 1\ny = \x01\n").message == "bad.py:2:5: unexpected character 0x01");
  CHECK(failure("x = 1)\n").message == "bad.py:1:6: unmatched ')'");
  CHECK(failure("x = (1]\n").message ==
        "bad.py:1:7: closing ']' does not match '(' at 1:5");
  CHECK(failure("x = [1,\n  (2,\n").message == "bad.py:2:3: '(' was never closed");
  CHECK(failure("if x:\n    a\n  b\n").message ==
        "bad.py:3:3: unindent does not match any outer indentation level");
  CHECK(failure("x = 1 \\ y\n").message ==
        "bad.py:1:7: unexpected character after line continuation '\\'");
  CHECK(failure("x = a ! b").message == "bad.py:1:7: unexpected character '!'");
  for (const Failure& f : {failure("x = $"), failure("x = (")}) {
    CHECK(f.code == ErrorCode::corrupt);
  }
}
