// TorchScript front end: lexer, parser, AST printer. Snippets check the
// tree's shape through dump()'s S-expressions; the corpus test parses every
// code file extracted from the real archives in ../shared/corpus.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "parser/torchscript/parser.h"
#include "tests/test_paths.h"

using namespace ptscope::ts;
using ptscope::ErrorCode;

namespace {

ExprPtr expr(std::string_view src) { return parse_expression(src, "expr.py"); }
std::string d(std::string_view src) { return dump(*expr(src)); }
Module mod(std::string_view src) { return parse_source(src, "test.py"); }

std::vector<Tok> kinds(std::string_view src) {
  std::vector<Tok> out;
  for (const Token& t : tokenize(src, "lex.py")) out.push_back(t.kind);
  return out;
}

struct Failure {
  ErrorCode code = ErrorCode::usage;
  std::string message;
};

Failure failure(std::string_view src, const ParseLimits& limits = {}) {
  try {
    parse_source(src, "bad.py", limits);
  } catch (const ptscope::Error& e) {
    return {e.code(), e.what()};
  }
  FAIL("no error for: " << src);
  return {};
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path code_dir() {
  return ptscope::test::source_dir() + "/tests/data/torchscript_code";
}

// The body of the only function of a module.
const Block& body_of(const Module& m) {
  REQUIRE(m.functions.size() == 1);
  return m.functions[0].body;
}

}  // namespace

// ------------------------------------------------------------------- lexer

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

// ------------------------------------------------------------- expressions

TEST_CASE("ts parser: operator precedence", "[torchscript]") {
  CHECK(d("a + b * c") == "(+ a (* b c))");
  CHECK(d("a * b + c") == "(+ (* a b) c)");
  CHECK(d("a - b - c") == "(- (- a b) c)");
  CHECK(d("a // b % c @ d / e") == "(/ (@ (% (// a b) c) d) e)");
  CHECK(d("a ** b ** c") == "(** a (** b c))");
  CHECK(d("-a ** b") == "(- (** a b))");
  CHECK(d("a ** -b") == "(** a (- b))");
  CHECK(d("-a * b") == "(* (- a) b)");
  CHECK(d("~a + +b") == "(+ (~ a) (+ b))");
  CHECK(d("- - a") == "(- (- a))");
  CHECK(d("a | b ^ c & d << e + f") == "(| a (^ b (& c (<< d (+ e f)))))");
  CHECK(d("a >> b << c") == "(<< (>> a b) c)");
  CHECK(d("(a + b) * c") == "(* (+ a b) c)");
  CHECK(d("not a and b or c") == "(or (and (not a) b) c)");
  CHECK(d("a or b and not c") == "(or a (and b (not c)))");
  CHECK(d("a or b or c") == "(or (or a b) c)");
  CHECK(d("not not a") == "(not (not a))");
}

TEST_CASE("ts parser: comparisons", "[torchscript]") {
  CHECK(d("a < b") == "(< a b)");
  CHECK(d("a == b") == "(== a b)");
  CHECK(d("a != b") == "(!= a b)");
  CHECK(d("a >= b") == "(>= a b)");
  CHECK(d("a < b <= c") == "(compare a < b <= c)");
  CHECK(d("a == b != c > d") == "(compare a == b != c > d)");
  CHECK(d("a is b") == "(is a b)");
  CHECK(d("a is not None") == "(is not a None)");
  CHECK(d("a in b") == "(in a b)");
  CHECK(d("x not in y") == "(not in x y)");
  CHECK(d("not a == b") == "(not (== a b))");
  CHECK(d("a + 1 < b * 2") == "(< (+ a 1) (* b 2))");
  CHECK(d("a | b == c") == "(== (| a b) c)");
  ExprPtr e = expr("a < b <= c");
  const Compare* c = e->as<Compare>();
  REQUIRE(c);
  CHECK(c->ops == std::vector<CmpOpKind>{CmpOpKind::lt, CmpOpKind::le});
  CHECK(c->comparators.size() == 2);
}

TEST_CASE("ts parser: conditional expressions and lambdas", "[torchscript]") {
  CHECK(d("a if c else b") == "(if c a b)");
  CHECK(d("a if c else b if d else e") == "(if c a (if d b e))");
  CHECK(d("x or y if c else z") == "(if c (or x y) z)");
  CHECK(d("(a if c else b).x") == "(. (if c a b) x)");
  CHECK(d("lambda x, y=1: x + y") == "(lambda (x y) (+ x y))");
  CHECK(d("lambda: 0") == "(lambda () 0)");
  CHECK(d("f(lambda *a, **k: a)") == "(call f (lambda (a k) a))");
  ExprPtr e = expr("lambda x, y=1: x");
  const Lambda* l = e->as<Lambda>();
  REQUIRE(l);
  REQUIRE(l->params.size() == 2);
  CHECK(l->params[1].default_value->as<IntLit>()->value == 1);
  CHECK(l->params[1].annotation == nullptr);
}

TEST_CASE("ts parser: calls and attributes", "[torchscript]") {
  CHECK(d("f()") == "(call f)");
  CHECK(d("f(a, b, )") == "(call f a b)");
  CHECK(d("f(x, kw=1, *args, **kw)") == "(call f x (* args) (kw kw 1) (** kw))");
  CHECK(d("torch.add(a, b, alpha=1)") == "(call (. torch add) a b (kw alpha 1))");
  CHECK(d("(self.m).forward(x, )") == "(call (. (. self m) forward) x)");
  CHECK(d("(self).forward(x, )") == "(call (. self forward) x)");
  CHECK(d("ops.prim.NumToTensor(x)") == "(call (. (. ops prim) NumToTensor) x)");
  CHECK(d("getattr(self, \"0\")") == "(call getattr self \"0\")");
  CHECK(d("_0(a, b, )") == "(call _0 a b)");
  CHECK(d("f(g(x))(y)") == "(call (call f (call g x)) y)");
  CHECK(d("sum(x for x in y)") == "(call sum (genexp x (for x y)))");
  CHECK(d("CONSTANTS.c0") == "(. CONSTANTS c0)");
  CHECK(d("(e).value") == "(. e value)");
  CHECK(d("Cls.__new__(Cls)") == "(call (. Cls __new__) Cls)");
  CHECK(d("f(x := 1)") == "(call f (:= x 1))");
  ExprPtr e = expr("f(a, k=b)");
  const Call* c = e->as<Call>();
  REQUIRE(c);
  CHECK(c->args.size() == 1);
  REQUIRE(c->keywords.size() == 1);
  CHECK(c->keywords[0].name == "k");
  CHECK(c->keywords[0].loc.col == 6);
}

TEST_CASE("ts parser: subscripts and slices", "[torchscript]") {
  CHECK(d("a[0]") == "([] a 0)");
  CHECK(d("a[1:2]") == "([] a (slice 1 2 _))");
  CHECK(d("a[::2]") == "([] a (slice _ _ 2))");
  CHECK(d("a[1:]") == "([] a (slice 1 _ _))");
  CHECK(d("a[:-1]") == "([] a (slice _ (- 1) _))");
  CHECK(d("a[:]") == "([] a (slice _ _ _))");
  CHECK(d("a[b:e:s]") == "([] a (slice b e s))");
  CHECK(d("a[:, 0]") == "([] a (tuple (slice _ _ _) 0))");
  CHECK(d("a[0, :]") == "([] a (tuple 0 (slice _ _ _)))");
  CHECK(d("a[..., None]") == "([] a (tuple ... None))");
  CHECK(d("a[i, j]") == "([] a (tuple i j))");
  CHECK(d("a[i,]") == "([] a (tuple i))");
  CHECK(d("x[0][1]") == "([] ([] x 0) 1)");
  CHECK(d("(tup)[0]") == "([] tup 0)");
  CHECK(d("(tup)[b:e]") == "([] tup (slice b e _))");
  CHECK(d("a[*idx]") == "([] a (* idx))");
}

TEST_CASE("ts parser: literals and displays", "[torchscript]") {
  CHECK(d("1") == "1");
  CHECK(d("1.") == "1.");
  CHECK(d("0.5") == "0.5");
  CHECK(d("1e-05") == "1e-05");
  CHECK(d("0.10000000000000001") == "0.1");
  CHECK(d("-0.") == "(- 0.)");
  CHECK(d("1.j") == "1.j");
  CHECK(d("1. + 2.5j") == "(+ 1. 2.5j)");
  CHECK(d("True") == "True");
  CHECK(d("False") == "False");
  CHECK(d("None") == "None");
  CHECK(d("...") == "...");
  CHECK(d("inf") == "inf");  // a name the importer resolves, not a literal
  CHECK(d("\"a\" 'b'") == "\"ab\"");
  CHECK(d("'x'\n") == "\"x\"");
  CHECK(d("\"tab\\tquote\\\"\"") == "\"tab\\tquote\\\"\"");
  CHECK(d("()") == "(tuple)");
  CHECK(d("(a,)") == "(tuple a)");
  CHECK(d("(a, b)") == "(tuple a b)");
  CHECK(d("(a, b,)") == "(tuple a b)");
  CHECK(d("(a)") == "a");
  CHECK(d("a, b") == "(tuple a b)");
  CHECK(d("[]") == "(list)");
  CHECK(d("[1, 2, ]") == "(list 1 2)");
  CHECK(d("[*a, b]") == "(list (* a) b)");
  CHECK(d("{}") == "(dict)");
  CHECK(d("{\"a\": 1, \"b\": x, }") == "(dict (\"a\" 1) (\"b\" x))");
  CHECK(d("{1, 2}") == "(set 1 2)");
  CHECK(d("torch.device(\"cpu\")") == "(call (. torch device) \"cpu\")");
  CHECK(d("(y := f(x))") == "(:= y (call f x))");
}

TEST_CASE("ts parser: comprehensions", "[torchscript]") {
  CHECK(d("[x * 2 for x in xs if x > 0]") == "(listcomp (* x 2) (for x xs (if (> x 0))))");
  CHECK(d("[x for a in b for x in a if x if y]") ==
        "(listcomp x (for a b) (for x a (if x) (if y)))");
  CHECK(d("{k: v for k, v in items}") == "(dictcomp k v (for (tuple k v) items))");
  CHECK(d("{x for x in y}") == "(setcomp x (for x y))");
  CHECK(d("(x for x in y)") == "(genexp x (for x y))");
  CHECK(d("[a if c else b for x in y]") == "(listcomp (if c a b) (for x y))");
}

TEST_CASE("ts parser: type expressions are ordinary expressions", "[torchscript]") {
  CHECK(d("Optional[Tensor]") == "([] Optional Tensor)");
  CHECK(d("Tuple[()]") == "([] Tuple (tuple))");
  CHECK(d("List[int]") == "([] List int)");
  CHECK(d("Dict[str, Tensor]") == "([] Dict (tuple str Tensor))");
  CHECK(d("List[Optional[Tensor]]") == "([] List ([] Optional Tensor))");
  CHECK(d("__torch__.a.b.Cls") == "(. (. (. __torch__ a) b) Cls)");
  CHECK(d("NoneType") == "NoneType");
  CHECK(d("annotate(List[int], [])") == "(call annotate ([] List int) (list))");
  CHECK(d("isinstance(x, (T1, T2))") == "(call isinstance x (tuple T1 T2))");
}

TEST_CASE("ts parser: node locations", "[torchscript]") {
  Module m = mod("def f(x):\n  return (x).forward(1, k=2)\n");
  const Block& body = body_of(m);
  REQUIRE(body.size() == 1);
  CHECK(body[0]->loc.line == 2);
  CHECK(body[0]->loc.col == 3);
  CHECK(*body[0]->loc.file == "test.py");
  const Expr& call = *body[0]->as<Return>()->value;
  CHECK(call.loc.line == 2);
  CHECK(call.loc.col == 11);  // the receiver's first token, its '(' being dropped
  const Call* c = call.as<Call>();
  REQUIRE(c);
  CHECK(c->args[0]->loc.col == 22);
  CHECK(to_string(c->keywords[0].value->loc) == "test.py:2:27");
  CHECK(m.functions[0].loc.line == 1);
  CHECK(m.functions[0].params[0].loc.col == 7);
}

// -------------------------------------------------------------- statements

namespace {

// One body with every statement form, numbered for the two tests below.
const char* const kStatements =
    "def f(x: Tensor, n: int) -> Tensor:\n"
    "  a = x\n"                       // 0
    "  b, c, = x\n"                   // 1
    "  d, e = x\n"                    // 2
    "  (g, h) = x\n"                  // 3
    "  self.attr = a\n"               // 4
    "  a[0] = b\n"                    // 5
    "  i : int = 0\n"                 // 6
    "  i += 1\n"                      // 7
    "  if a:\n"                       // 8
    "    pass\n"
    "  elif b:\n"
    "    a = 1\n"
    "  else:\n"
    "    a = 2\n"
    "  for k in range(n):\n"          // 9
    "    continue\n"
    "  for p, q in items:\n"          // 10
    "    break\n"
    "  while torch.lt(i, n):\n"       // 11
    "    i = torch.add(i, 1)\n"
    "  with ctx as v:\n"              // 12
    "    pass\n"
    "  def __forked_function():\n"    // 13
    "    return x\n"
    "  global z\n"                    // 14
    "  del a[0], b\n"                 // 15
    "  assert a, \"msg\"\n"           // 16
    "  raise ValueError(\"x\")\n"     // 17
    "  x\n"                           // 18
    "  a = b = 3\n"                   // 19
    "  p = 1; q = 2\n"                // 20, 21
    "  if x: return a, b\n"           // 22
    "  _0 : T = container[key]\n"     // 23
    "  raise\n"                       // 24
    "  return\n";                     // 25

}  // namespace

TEST_CASE("ts parser: assignment statements", "[torchscript]") {
  Module m = mod(kStatements);
  const Block& b = body_of(m);
  REQUIRE(b.size() == 26);

  const Assign* a0 = b[0]->as<Assign>();
  REQUIRE(a0);
  CHECK(dump(*a0->targets[0]) == "a");
  CHECK(dump(*a0->value) == "x");
  CHECK(dump(*b[1]->as<Assign>()->targets[0]) == "(tuple b c)");
  CHECK(dump(*b[2]->as<Assign>()->targets[0]) == "(tuple d e)");
  CHECK(dump(*b[3]->as<Assign>()->targets[0]) == "(tuple g h)");
  CHECK(dump(*b[4]->as<Assign>()->targets[0]) == "(. self attr)");
  CHECK(dump(*b[5]->as<Assign>()->targets[0]) == "([] a 0)");

  const AnnAssign* ann = b[6]->as<AnnAssign>();
  REQUIRE(ann);
  CHECK(dump(*ann->target) == "i");
  CHECK(dump(*ann->annotation) == "int");
  CHECK(dump(*ann->value) == "0");

  const AugAssign* aug = b[7]->as<AugAssign>();
  REQUIRE(aug);
  CHECK(aug->op == BinOpKind::add);

  const Assign* chain = b[19]->as<Assign>();
  REQUIRE(chain);
  CHECK(chain->targets.size() == 2);
  CHECK(b[20]->is<Assign>());
  CHECK(b[21]->is<Assign>());
  CHECK(b[21]->loc.col == 10);
  CHECK(dump(*b[23]->as<AnnAssign>()->value) == "([] container key)");
}

TEST_CASE("ts parser: control flow and other statements", "[torchscript]") {
  Module m = mod(kStatements);
  const Block& b = body_of(m);
  REQUIRE(b.size() == 26);

  const If* iff = b[8]->as<If>();
  REQUIRE(iff);
  CHECK(dump(*iff->test) == "a");
  REQUIRE(iff->body.size() == 1);
  CHECK(iff->body[0]->is<Pass>());
  REQUIRE(iff->orelse.size() == 1);
  const If* elif = iff->orelse[0]->as<If>();
  REQUIRE(elif);
  CHECK(iff->orelse[0]->loc.line == 12);
  CHECK(dump(*elif->test) == "b");
  REQUIRE(elif->orelse.size() == 1);
  CHECK(dump(*elif->orelse[0]->as<Assign>()->value) == "2");

  const For* f1 = b[9]->as<For>();
  REQUIRE(f1);
  CHECK(dump(*f1->target) == "k");
  CHECK(dump(*f1->iter) == "(call range n)");
  CHECK(f1->body[0]->is<Continue>());
  const For* f2 = b[10]->as<For>();
  REQUIRE(f2);
  CHECK(dump(*f2->target) == "(tuple p q)");
  CHECK(f2->body[0]->is<Break>());

  const While* w = b[11]->as<While>();
  REQUIRE(w);
  CHECK(dump(*w->test) == "(call (. torch lt) i n)");
  CHECK(w->body.size() == 1);

  const With* with = b[12]->as<With>();
  REQUIRE(with);
  REQUIRE(with->items.size() == 1);
  CHECK(dump(*with->items[0].context) == "ctx");
  CHECK(dump(*with->items[0].var) == "v");

  const FunctionDef* nested = b[13]->as<FunctionDef>();
  REQUIRE(nested);
  CHECK(nested->name == "__forked_function");
  CHECK(nested->params.empty());
  CHECK(nested->body[0]->is<Return>());

  CHECK(b[14]->as<Global>()->names == std::vector<std::string>{"z"});
  const Delete* del = b[15]->as<Delete>();
  REQUIRE(del);
  REQUIRE(del->targets.size() == 2);
  CHECK(dump(*del->targets[0]) == "([] a 0)");
  const Assert* as = b[16]->as<Assert>();
  REQUIRE(as);
  CHECK(dump(*as->msg) == "\"msg\"");
  const Raise* r = b[17]->as<Raise>();
  REQUIRE(r);
  CHECK(dump(*r->exc) == "(call ValueError \"x\")");
  CHECK(r->cause == nullptr);
  CHECK(dump(*b[18]->as<ExprStmt>()->value) == "x");
  const If* one_line = b[22]->as<If>();
  REQUIRE(one_line);
  CHECK(dump(*one_line->body[0]->as<Return>()->value) == "(tuple a b)");
  CHECK(one_line->orelse.empty());
  CHECK(b[24]->as<Raise>()->exc == nullptr);
  CHECK(b[25]->as<Return>()->value == nullptr);
}

TEST_CASE("ts parser: more statement forms", "[torchscript]") {
  Module m = mod(
      "def g(xs: List[int]):\n"
      "  for i in range(3):\n"
      "    pass\n"
      "  else:\n"
      "    pass\n"
      "  while c:\n"
      "    break\n"
      "  a, *rest = xs\n"
      "  [u, v] = xs\n"
      "  x.y.z -= 2\n"
      "  raise E from cause\n"
      "  nonlocal q, r\n"
      "  with a, b as (c, d):\n"
      "    pass\n"
      "  i **= 2\n"
      "  i //= 2\n"
      "  i @= m\n"
      "  i |= 1\n"
      "  i <<= 1\n");
  const Block& b = body_of(m);
  REQUIRE(b.size() == 13);
  CHECK(b[0]->as<For>()->orelse.size() == 1);
  CHECK(b[1]->as<While>()->orelse.empty());
  CHECK(dump(*b[2]->as<Assign>()->targets[0]) == "(tuple a (* rest))");
  CHECK(dump(*b[3]->as<Assign>()->targets[0]) == "(list u v)");
  CHECK(b[4]->as<AugAssign>()->op == BinOpKind::sub);
  CHECK(dump(*b[5]->as<Raise>()->cause) == "cause");
  CHECK(b[6]->as<Global>()->nonlocal);
  CHECK(b[6]->as<Global>()->names.size() == 2);
  const With* w = b[7]->as<With>();
  REQUIRE(w->items.size() == 2);
  CHECK(w->items[0].var == nullptr);
  CHECK(dump(*w->items[1].var) == "(tuple c d)");
  CHECK(b[8]->as<AugAssign>()->op == BinOpKind::pow);
  CHECK(b[9]->as<AugAssign>()->op == BinOpKind::floordiv);
  CHECK(b[10]->as<AugAssign>()->op == BinOpKind::matmul);
  CHECK(b[11]->as<AugAssign>()->op == BinOpKind::bit_or);
  CHECK(b[12]->as<AugAssign>()->op == BinOpKind::lshift);
}

TEST_CASE("ts parser: function signatures", "[torchscript]") {
  Module m = mod(
      "def _max_pool2d(input: Tensor,\n"
      "    kernel_size: List[int],\n"
      "    stride: Optional[List[int]]=None,\n"
      "    padding: List[int]=[0, 0],\n"
      "    *,\n"
      "    ceil_mode: bool=False) -> Tensor:\n"
      "  return input\n"
      "def v(a, /, b, *args, c, d=1, **kwargs):\n"
      "  pass\n"
      "@decorator(1)\n"
      "def decorated():\n"
      "  pass\n");
  REQUIRE(m.functions.size() == 3);
  const FunctionDef& f = m.functions[0];
  CHECK(f.name == "_max_pool2d");
  REQUIRE(f.params.size() == 5);
  CHECK(f.params[0].name == "input");
  CHECK(dump(*f.params[0].annotation) == "Tensor");
  CHECK(f.params[0].default_value == nullptr);
  CHECK(f.params[2].loc.line == 3);
  CHECK(dump(*f.params[2].annotation) == "([] Optional ([] List int))");
  CHECK(dump(*f.params[2].default_value) == "None");
  CHECK(dump(*f.params[3].default_value) == "(list 0 0)");
  CHECK(f.params[3].kind == ParamKind::positional);
  CHECK(f.params[4].kind == ParamKind::keyword_only);
  CHECK(dump(*f.returns) == "Tensor");

  const FunctionDef& v = m.functions[1];
  REQUIRE(v.params.size() == 6);
  CHECK(v.params[0].kind == ParamKind::positional_only);
  CHECK(v.params[1].kind == ParamKind::positional);
  CHECK(v.params[2].kind == ParamKind::var_positional);
  CHECK(v.params[3].kind == ParamKind::keyword_only);
  CHECK(v.params[4].kind == ParamKind::keyword_only);
  CHECK(v.params[5].kind == ParamKind::var_keyword);
  CHECK(v.returns == nullptr);
  CHECK(to_source(v) == "def v(a, /, b, *args, c, d=1, **kwargs):\n  pass\n");

  const FunctionDef& dec = *m.find_function("decorated");
  REQUIRE(dec.decorators.size() == 1);
  CHECK(dump(*dec.decorators[0]) == "(call decorator 1)");
  CHECK(dec.loc.line == 11);
  CHECK(m.find_function("missing") == nullptr);
}

// ----------------------------------------------------------------- classes

TEST_CASE("ts parser: module classes", "[torchscript]") {
  Module m = mod(
      "class Conv2d(Module):\n"
      "  __parameters__ = [\"weight\", \"bias\", ]\n"
      "  __buffers__ = [\"running_mean\", ]\n"
      "  __forward_pre_hooks__ = [\"pre\", ]\n"
      "  __forward_hooks__ = [\"post\", ]\n"
      "  weight : Tensor\n"
      "  bias : Optional[Tensor]\n"
      "  training : bool\n"
      "  __annotations__ = []\n"
      "  __annotations__[\"0\"] = __torch__.torch.nn.modules.linear.Linear\n"
      "  padding_mode : Final[str] = \"zeros\"\n"
      "  stride : Final[Tuple[int, int]] = (1, 1)\n"
      "  def forward(self: __torch__.torch.nn.modules.conv.Conv2d,\n"
      "    input: Tensor) -> Tensor:\n"
      "    _0 = (self)._conv_forward(input, self.weight, self.bias, )\n"
      "    return _0\n"
      "  def pre(self: __torch__.M, input: Tuple[Tensor]) -> None:\n"
      "    return None\n");
  REQUIRE(m.classes.size() == 1);
  const ClassDef& c = m.classes[0];
  CHECK(c.name() == "Conv2d");
  CHECK(c.kind() == ClassKind::module);
  CHECK(dump(*c.base()) == "Module");
  CHECK(c.loc().line == 1);
  CHECK(c.parameters() == std::vector<std::string>{"weight", "bias"});
  CHECK(c.buffers() == std::vector<std::string>{"running_mean"});
  CHECK(c.forward_pre_hooks() == std::vector<std::string>{"pre"});
  CHECK(c.forward_hooks() == std::vector<std::string>{"post"});

  const auto& attrs = c.attributes();
  REQUIRE(attrs.size() == 6);
  CHECK(attrs[0].name == "weight");
  CHECK(dump(*attrs[0].type) == "Tensor");
  CHECK_FALSE(attrs[0].is_final);
  CHECK(attrs[0].value == nullptr);
  CHECK(dump(*attrs[1].type) == "([] Optional Tensor)");
  CHECK(attrs[2].name == "training");
  CHECK(attrs[3].name == "0");
  CHECK(dump(*attrs[3].type) ==
        "(. (. (. (. (. __torch__ torch) nn) modules) linear) Linear)");
  CHECK(attrs[3].loc.line == 10);
  CHECK(attrs[4].name == "padding_mode");
  CHECK(attrs[4].is_final);
  CHECK(dump(*attrs[4].type) == "str");
  CHECK(dump(*attrs[4].value) == "\"zeros\"");
  CHECK(dump(*attrs[5].type) == "([] Tuple (tuple int int))");
  CHECK(dump(*attrs[5].value) == "(tuple 1 1)");
  CHECK(c.find_attribute("0") == &attrs[3]);
  CHECK(c.find_attribute("nope") == nullptr);

  REQUIRE(c.methods().size() == 2);
  const FunctionDef* fwd = c.find_method("forward");
  REQUIRE(fwd);
  REQUIRE(fwd->params.size() == 2);
  CHECK(fwd->params[0].name == "self");
  CHECK(fwd->body.size() == 2);
  CHECK(m.find_class("Conv2d") == &c);
  CHECK(m.find_class("Linear") == nullptr);
}

TEST_CASE("ts parser: NamedTuple Enum Interface and plain classes", "[torchscript]") {
  Module m = mod(
      "class Point(NamedTuple):\n"
      "  x : int\n"
      "  y : Optional[int] = None\n"
      "class Color(Enum):\n"
      "  RED = 1\n"
      "  GREEN = 2\n"
      "class Iface(Interface):\n"
      "  def run(self, x: Tensor) -> Tensor:\n"
      "    pass\n"
      "class MIface(ModuleInterface):\n"
      "  def forward(self, x: Tensor) -> Tensor:\n"
      "    pass\n"
      "class Plain:\n"
      "  a : int\n"
      "  def __init__(self) -> None:\n"
      "    self.a = 1\n"
      "class Empty():\n"
      "  pass\n"
      "class Qualified(torch.nn.Module):\n"
      "  pass\n");
  REQUIRE(m.classes.size() == 7);
  const ClassDef& p = *m.find_class("Point");
  CHECK(p.kind() == ClassKind::named_tuple);
  REQUIRE(p.attributes().size() == 2);
  CHECK(p.attributes()[0].value == nullptr);
  CHECK(dump(*p.attributes()[1].value) == "None");

  const ClassDef& e = *m.find_class("Color");
  CHECK(e.kind() == ClassKind::enum_);
  REQUIRE(e.attributes().size() == 2);
  CHECK(e.attributes()[1].name == "GREEN");
  CHECK(e.attributes()[1].type == nullptr);
  CHECK(dump(*e.attributes()[1].value) == "2");

  CHECK(m.find_class("Iface")->kind() == ClassKind::interface);
  CHECK(m.find_class("Iface")->methods().size() == 1);
  CHECK(m.find_class("MIface")->kind() == ClassKind::module_interface);
  const ClassDef& plain = *m.find_class("Plain");
  CHECK(plain.kind() == ClassKind::plain);
  CHECK(plain.base() == nullptr);
  CHECK(plain.methods().size() == 1);
  CHECK(m.find_class("Empty")->kind() == ClassKind::plain);
  CHECK(m.find_class("Empty")->attributes().empty());
  CHECK(m.find_class("Qualified")->kind() == ClassKind::module);
  CHECK(std::string(class_kind_name(ClassKind::named_tuple)) == "NamedTuple");
}

TEST_CASE("ts parser: op_version_set and imports", "[torchscript]") {
  Module m = mod(
      "op_version_set = 1\n"
      "import __torch__.torch.nn.modules.linear\n"
      "from __torch__.a import (b as c, d, )\n"
      "from . import x\n"
      "class Module(Module):\n"
      "  __parameters__ = [\"weight\", ]\n"
      "  weight : Tensor\n");
  REQUIRE(m.op_version_set.has_value());
  CHECK(*m.op_version_set == 1);
  CHECK(m.statements.empty());
  REQUIRE(m.classes.size() == 1);
  CHECK(m.classes[0].parameters() == std::vector<std::string>{"weight"});
  CHECK(m.classes[0].buffers().empty());
  CHECK_FALSE(mod("x = 1\n").op_version_set.has_value());
  CHECK(mod("x = 1\n").statements.size() == 1);
}

// ------------------------------------------------------------------ errors

TEST_CASE("ts parser: syntax errors name file line and column", "[torchscript]") {
  struct Case {
    const char* src;
    const char* message;
  };
  const Case cases[] = {
      {"def f(x)\n  return x\n",
       "bad.py:1:9: expected ':' after the function signature, found end of line"},
      {"if x\n  pass\n", "bad.py:1:5: expected ':' after the 'if' condition, found end of line"},
      {"def f():\n  if x:\n    pass\n  elif y\n    pass\n",
       "bad.py:4:9: expected ':' after the 'elif' condition, found end of line"},
      {"def f():\nreturn 1\n",
       "bad.py:2:1: expected an indented block after the function signature, found 'return'"},
      {"x = 1\n  y = 2\n", "bad.py:2:3: unexpected indent"},
      {"x = f(a b)\n", "bad.py:1:9: expected ')' to close '(' opened at 1:6, found identifier 'b'"},
      {"x = [1 2]\n", "bad.py:1:8: expected ']' to close '[' opened at 1:5, found number 2"},
      {"f(a=1, b)\n", "bad.py:1:8: positional argument follows keyword argument"},
      {"1 = x\n", "bad.py:1:1: cannot assign to a literal"},
      {"f() = 1\n", "bad.py:1:1: cannot assign to a function call"},
      {"a, f() = 1\n", "bad.py:1:4: cannot assign to a function call"},
      {"(a, b) += 1\n", "bad.py:1:1: cannot assign to a tuple or list here"},
      {"x = \n", "bad.py:1:5: expected an expression, found end of line"},
      {"x = a if b\n",
       "bad.py:1:11: expected 'else' in the conditional expression, found end of line"},
      {"x = 1 y\n", "bad.py:1:7: expected end of line after the statement, found identifier 'y'"},
      {"def (x):\n  pass\n", "bad.py:1:5: expected identifier after 'def', found '('"},
      {"def f(x=1, y):\n  pass\n",
       "bad.py:1:12: parameter 'y' without a default follows one with a default"},
      {"for x of y:\n  pass\n",
       "bad.py:1:7: expected 'in' after the 'for' target, found identifier 'of'"},
      {"x.1\n", "bad.py:1:2: expected end of line after the statement, found number .1"},
      {"x = a.\n", "bad.py:1:7: expected an attribute name after '.', found end of line"},
      {"class A(Module):\n  x = 1\n", "bad.py:2:3: class attribute 'x' needs a type annotation"},
      {"class A(Module):\n  __parameters__ = [1]\n",
       "bad.py:2:20: __parameters__ must be a list of strings"},
      {"class A(Module):\n  x.y : int\n", "bad.py:2:3: expected an attribute name in class body"},
      {"class A(Module):\n  return 1\n",
       "bad.py:2:3: unexpected statement in the body of class 'A'"},
      {"class A(Module)\n  pass\n",
       "bad.py:1:16: expected ':' after the class header, found end of line"},
  };
  for (const Case& c : cases) {
    INFO(c.src);
    Failure f = failure(c.src);
    CHECK(f.message == c.message);
    CHECK(f.code == ErrorCode::corrupt);
  }
  // Valid Python that TorchScript cannot contain.
  CHECK(failure("class A(Base):\n  pass\n").message ==
        "bad.py:1:9: class 'A' has a base TorchScript does not know: Base");
  CHECK(failure("class A(Base):\n  pass\n").code == ErrorCode::unsupported);
  CHECK(failure("def f():\n  class B:\n    pass\n").code == ErrorCode::unsupported);
  CHECK(failure("x = {**a}\n").code == ErrorCode::unsupported);
  // parse_expression rejects trailing input.
  CHECK_THROWS_WITH(parse_expression("a b", "t.py"),
                    "t.py:1:3: expected end of input after the expression, found identifier 'b'");
}

TEST_CASE("ts parser: limits against pathological input", "[torchscript]") {
  // Deep nesting stops at the limit instead of overflowing the stack.
  const std::string deep = "x = " + std::string(100000, '(') + "1" + std::string(100000, ')');
  Failure f = failure(deep);
  CHECK(f.code == ErrorCode::limit_exceeded);
  CHECK(f.message.find("nesting deeper than 500 levels") != std::string::npos);
  // Just under the limit still parses (and is printed and destroyed).
  const std::string ok = "x = " + std::string(400, '(') + "1" + std::string(400, ')') + "\n";
  CHECK(mod(ok).statements.size() == 1);
  // Long operator chains and attribute chains build deep trees too.
  std::string chain = "x = a";
  for (int i = 0; i < 100000; ++i) chain += " + a";
  CHECK(failure(chain).code == ErrorCode::limit_exceeded);
  std::string attrs = "x = a";
  for (int i = 0; i < 100000; ++i) attrs += ".b";
  CHECK(failure(attrs).code == ErrorCode::limit_exceeded);
  for (const char* prefix : {"-", "not ", "~", "lambda: "}) {
    std::string s = "x = ";
    for (int i = 0; i < 100000; ++i) s += prefix;
    CHECK(failure(s + "1").code == ErrorCode::limit_exceeded);
  }
  std::string ifs = "def f():\n";
  for (int i = 0; i < 2000; ++i) ifs += std::string(2 + 2 * i, ' ') + "if x:\n";
  ifs += std::string(4002, ' ') + "pass\n";
  CHECK(failure(ifs).code == ErrorCode::limit_exceeded);
  std::string elifs = "if a:\n  pass\n";
  for (int i = 0; i < 2000; ++i) elifs += "elif a:\n  pass\n";
  CHECK(failure(elifs).code == ErrorCode::limit_exceeded);
  // A caller may lower the limits.
  ParseLimits small;
  small.max_depth = 10;
  CHECK(failure("x = ((((((((((((1))))))))))))", small).code == ErrorCode::limit_exceeded);
  small.max_depth = 500;
  small.max_tokens = 10;
  Failure tokens = failure("x = 1 + 2 + 3 + 4 + 5 + 6", small);
  CHECK(tokens.code == ErrorCode::limit_exceeded);
  CHECK(tokens.message == "bad.py:1:21: more than 10 tokens in one file");
}

TEST_CASE("ts parser: damaged sources fail with ptscope::Error only", "[torchscript]") {
  // Random edits of a real file: every outcome is a tree or a ptscope::Error
  // (anything else escapes and fails the test; sanitizers catch the rest).
  const std::string base = read_file(
      code_dir() / "navalmor__digit-recognition__scripted_model/__torch__/torch/nn/functional.py");
  REQUIRE(base.size() > 1000);
  using namespace std::string_literals;
  const std::string alphabet = "()[]{}:,.=+-*/\\\"'#\n\n\t  09azZ_@!<>%&|^~;\r\f\0\xff jexbrf"s;
  std::mt19937 rng(20240611);
  size_t parsed = 0, rejected = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string s = base;
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      const size_t pos = rng() % (s.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: s.insert(pos, 1, c); break;
        case 1: s.erase(pos, 1 + rng() % 8); break;
        default: s.resize(std::max(pos, s.size() - s.size() / 8)); break;
      }
    }
    try {
      Module m = parse_source(s, "fuzz.py");
      to_source(m);
      ++parsed;
    } catch (const ptscope::Error&) {
      ++rejected;
    }
  }
  CHECK(parsed > 10);
  CHECK(rejected > 10);
}

// --------------------------------------------------------------- printing

TEST_CASE("ts printer: to_source re-parses to the same tree", "[torchscript]") {
  const char* exprs[] = {
      "a + b * c", "(a + b) * c", "a - (b - c)", "(a ** b) ** c", "a ** b ** c", "(-a) ** b",
      "-a ** b", "a ** -b", "not (a and b)", "(a or b) and c", "a if b else (c if d else e)",
      "(a if b else c) if d else e", "(lambda x: x)(1)", "(a < b) < c", "a < b < c",
      "-(a + b)", "x[:, 0:1, ::2]", "x[()]", "x[a,]", "x[(a, b)]", "(1).real", "1. .real",
      "f(*a, k=1, **kw)", "[x for (a, b) in c if (d if e else f)]", "{1: 2}", "{1, 2}",
      "{k: v for k in d}", "(x for x in y)", "(y := 1)", "\"\\x01\\\"\\\\\\n\"", "b\"x\"",
      "f\"{x}\"", "1e+300", "2.5j", "(a, (b,), ())", "not a in b", "a is not (b is c)",
      "~(a | b) & c ^ d >> e", "lambda *args, k=1, **kw: 0", "x.if_", "a @ b // c % d",
  };
  for (const char* src : exprs) {
    INFO(src);
    ExprPtr e = expr(src);
    std::string printed = to_source(*e);
    CHECK(dump(*expr(printed)) == dump(*e));
  }
  CHECK(to_source(*expr("(self.m).forward(x, )")) == "self.m.forward(x)");
  CHECK(to_source(*expr("a[:, 0]")) == "a[:, 0]");
  CHECK(to_source(*expr("(a,)")) == "(a,)");
  CHECK(to_source(*expr("torch.add(x, 1., alpha=2)")) == "torch.add(x, 1., alpha=2)");
  CHECK(to_source(*expr("x  if  y  else  z")) == "x if y else z");

  const std::string src =
      "class M(Module):\n"
      "  __parameters__ = [\"w\", ]\n"
      "  __buffers__ = []\n"
      "  w : Tensor\n"
      "  __annotations__[\"0\"] = __torch__.L\n"
      "  k : Final[int] = 3\n"
      "  def forward(self: __torch__.M, x: Tensor, n: int=2) -> Tensor:\n"
      "    if torch.eq(n, 0):\n"
      "      y = x\n"
      "    elif torch.eq(n, 1):\n"
      "      y = torch.neg(x)\n"
      "    else:\n"
      "      pass\n"
      "    for i in range(n):\n"
      "      x : Tensor = torch.add(x, 1)\n"
      "    a, b = (x, x)\n"
      "    return torch.add(a, b)\n";
  Module m = mod(src);
  CHECK(to_source(m) ==
        "class M(Module):\n"
        "  __parameters__ = [\"w\", ]\n"
        "  __buffers__ = []\n"
        "  w : Tensor\n"
        "  __annotations__[\"0\"] = __torch__.L\n"
        "  k : Final[int] = 3\n"
        "  def forward(self: __torch__.M, x: Tensor, n: int=2) -> Tensor:\n"
        "    if torch.eq(n, 0):\n"
        "      y = x\n"
        "    elif torch.eq(n, 1):\n"
        "      y = torch.neg(x)\n"
        "    else:\n"
        "      pass\n"
        "    for i in range(n):\n"
        "      x : Tensor = torch.add(x, 1)\n"
        "    (a, b) = (x, x)\n"
        "    return torch.add(a, b)\n");
  CHECK(to_source(*m.classes[0].methods()[0].body.back(), 1) == "  return torch.add(a, b)\n");
  Module enums = mod("class E(Enum):\n  A = \"a\"\n");
  CHECK(to_source(enums.classes[0]) == "class E(Enum):\n  A = \"a\"\n");
}

// ------------------------------------------------------------------ corpus

TEST_CASE("ts parser: every code file of the corpus parses", "[torchscript][corpus]") {
  const std::filesystem::path root = code_dir();
  REQUIRE(std::filesystem::is_directory(root));
  size_t files = 0, empty = 0, classes = 0, functions = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".py") continue;
    const std::string rel = std::filesystem::relative(entry.path(), root).string();
    INFO(rel);
    const std::string src = read_file(entry.path());
    try {
      Module m = parse_source(src, rel);
      ++files;
      classes += m.classes.size();
      functions += m.functions.size();
      // TorchBind classes (torch/classes/*.py) are C++ classes: empty files.
      if (src.empty()) {
        ++empty;
        CHECK(m.classes.empty());
        CHECK(m.statements.empty());
      } else {
        CHECK((m.classes.size() + m.functions.size()) > 0);
      }
      // Printing then parsing again is stable.
      const std::string printed = to_source(m);
      CHECK(to_source(parse_source(printed, rel + " (printed)")) == printed);
    } catch (const ptscope::Error& e) {
      FAIL(e.what());
    }
  }
  CHECK(files >= 500);
  CHECK(empty >= 10);
  CHECK(classes >= 450);
  CHECK(functions >= 20);
}

TEST_CASE("ts parser: known corpus classes", "[torchscript][corpus]") {
  const std::filesystem::path root = code_dir();
  auto load = [&](const std::string& rel) { return parse_source(read_file(root / rel), rel); };

  Module conv = load(
      "navalmor__digit-recognition__scripted_model/__torch__/torch/nn/modules/conv.py");
  const ClassDef* c = conv.find_class("Conv2d");
  REQUIRE(c);
  CHECK(c->kind() == ClassKind::module);
  CHECK(c->parameters() == std::vector<std::string>{"weight", "bias"});
  CHECK(c->buffers().empty());
  const ClassAttribute* in = c->find_attribute("in_channels");
  REQUIRE(in);
  CHECK(in->is_final);
  CHECK(dump(*in->value) == "3");
  CHECK(dump(*c->find_attribute("kernel_size")->value) == "(tuple 5 5)");
  CHECK(dump(*c->find_attribute("bias")->type) == "([] Optional Tensor)");
  CHECK_FALSE(c->find_attribute("bias")->is_final);
  const FunctionDef* conv_forward = c->find_method("_conv_forward");
  REQUIRE(conv_forward);
  CHECK(conv_forward->params.size() == 4);
  CHECK(to_source(*conv_forward->body[0]) ==
        "_1 = torch.conv2d(input, weight, bias, [1, 1], [0, 0], [1, 1])\n");

  Module bn = load(
      "kyhoolee__mobile_phone_human_matting__dec860f2__jit_model/__torch__/torch/nn/modules/"
      "batchnorm.py");
  REQUIRE(bn.classes.size() == 1);
  CHECK(bn.classes[0].buffers() ==
        std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
  const Expr& bn_call = *bn.classes[0].find_method("forward")->body[3]->as<Assign>()->value;
  CHECK(dump(*bn_call.as<Call>()->args[6]) == "0.1");

  Module seq = load(
      "navalmor__digit-recognition__scripted_model/__torch__/torch/nn/modules/container.py");
  const ClassDef& s = seq.classes.at(0);
  REQUIRE(s.attributes().size() == 5);
  CHECK(s.attributes()[2].name == "0");
  CHECK(to_source(*s.attributes()[2].type) == "__torch__.torch.nn.modules.conv.Conv2d");
  CHECK(dump(*s.find_method("__len__")->body[0]->as<Return>()->value) == "3");

  Module old = load(
      "Kubster96__Mobilki__app__src__main__assets__model/__torch__/torch/nn/modules/module.py");
  CHECK(old.op_version_set == 1);
  CHECK(old.classes.at(0).name() == "Module");
  CHECK(old.classes.at(0).parameters() == std::vector<std::string>{"weight", "bias"});

  Module fn = load("fzhao70__AdaptChem__demo_model/__torch__/torch/nn/functional.py");
  const FunctionDef* relu = fn.find_function("relu");
  REQUIRE(relu);
  REQUIRE(relu->params.size() == 2);
  CHECK(dump(*relu->params[1].default_value) == "False");
  CHECK(relu->body.at(0)->is<If>());
}

TEST_CASE("ts parser: a megabyte of source parses quickly", "[torchscript][corpus]") {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(code_dir())) {
    if (entry.path().extension() != ".py") continue;
    std::string src = read_file(entry.path());
    if (src.rfind("op_version_set", 0) == 0) continue;  // keep one module-level header
    all += src;
    if (!all.empty() && all.back() != '\n') all += '\n';
  }
  while (all.size() < (1u << 20)) all += all;
  const auto t0 = std::chrono::steady_clock::now();
  Module m = parse_source(all, "big.py");
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  CHECK(m.classes.size() > 900);
  // Linear time: a Release build takes ~20 ms; this bound only catches
  // blow-ups, even under sanitizers on a loaded machine.
  CHECK(ms < 2000);
}
