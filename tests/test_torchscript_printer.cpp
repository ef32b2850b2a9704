// TorchScript front end: the AST printer (to_source output re-parses to the same tree).
#include <catch2/catch.hpp>

#include "tests/torchscript_snippets.h"

using namespace ts_snippets;

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
  // The printer's forms are PythonPrint's: the same text, but a tuple target
  // in parentheses.
  std::string expected = src;
  const std::string unpack = "    a, b = (x, x)\n";
  expected.replace(expected.find(unpack), unpack.size(), "    (a, b) = (x, x)\n");
  CHECK(to_source(m) == expected);
  CHECK(to_source(*m.classes[0].methods()[0].body.back(), 1) == "  return torch.add(a, b)\n");
  Module enums = mod("class E(Enum):\n  A = \"a\"\n");
  CHECK(to_source(enums.classes[0]) == "class E(Enum):\n  A = \"a\"\n");
}
