// TorchScript front end: statements, classes and parse errors. Lexer,
// expression, printer and corpus tests are in the other test_torchscript_*.cpp.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "tests/torchscript_snippets.h"

using namespace ts_snippets;

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
