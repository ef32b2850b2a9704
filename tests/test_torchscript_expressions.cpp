// TorchScript front end: expressions, checked through dump()'s S-expressions.
#include <catch2/catch.hpp>

#include "tests/torchscript_snippets.h"

using namespace ts_snippets;

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
