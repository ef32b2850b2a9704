// TorchScript statements: simple statements (assignments, return, raise,
// assert, del, pass, imports ...), blocks, and if/for/while/with.
#include <utility>

#include "parser/torchscript/source_parser.h"

namespace ptscope::ts::detail {

namespace {

const char* what_is(const Expr& e) {
  if (e.is<Call>()) return "a function call";
  if (e.is<IntLit>() || e.is<FloatLit>() || e.is<ImagLit>() || e.is<StrLit>() ||
      e.is<NoneLit>() || e.is<BoolLit>() || e.is<EllipsisLit>()) {
    return "a literal";
  }
  if (e.is<Starred>()) return "a starred expression here";
  return "this expression";
}

bool augassign_op(Tok k, BinOpKind* op) {
  for (const BinOpSyntax& b : kBinOpSyntax)
    if (b.augmented == k) {
      *op = b.op;
      return true;
    }
  return false;
}

}  // namespace

void SourceParser::statement(Block& out) {
  switch (kind()) {
    case Tok::kw_if: out.push_back(if_statement()); return;
    case Tok::kw_for: out.push_back(for_statement()); return;
    case Tok::kw_while: out.push_back(while_statement()); return;
    case Tok::kw_with: out.push_back(with_statement()); return;
    case Tok::kw_def:
    case Tok::at: {
      FunctionDef f = function_def();
      Loc at = f.loc;
      out.push_back(make_stmt(at, std::move(f)));
      return;
    }
    case Tok::kw_class:
      fail_at(here(), "class definitions are only supported at module level",
              ErrorCode::unsupported);
    case Tok::indent: fail_at(here(), "unexpected indent");
    default: simple_line(out);
  }
}

void SourceParser::simple_line(Block& out) {
  do {
    out.push_back(simple_statement());
  } while (accept(Tok::semicolon) && kind() != Tok::newline);
  expect(Tok::newline, "after the statement");
}

StmtPtr SourceParser::simple_statement() {
  const Loc at = here();
  switch (kind()) {
    case Tok::kw_pass: take(); return make_stmt(at, Pass{});
    case Tok::kw_break: take(); return make_stmt(at, Break{});
    case Tok::kw_continue: take(); return make_stmt(at, Continue{});
    case Tok::kw_return: {
      take();
      Return r;
      if (starts_expression(kind())) r.value = testlist_star();
      return make_stmt(at, std::move(r));
    }
    case Tok::kw_raise: {
      take();
      Raise r;
      if (starts_expression(kind())) {
        r.exc = test();
        if (accept(Tok::kw_from)) r.cause = test();
      }
      return make_stmt(at, std::move(r));
    }
    case Tok::kw_assert: {
      take();
      Assert a;
      a.test = test();
      if (accept(Tok::comma)) a.msg = test();
      return make_stmt(at, std::move(a));
    }
    case Tok::kw_del: {
      take();
      Delete d;
      do {
        d.targets.push_back(star_or_bitor());
        check_target(*d.targets.back(), "delete");
      } while (accept(Tok::comma) && starts_expression(kind()));
      return make_stmt(at, std::move(d));
    }
    case Tok::kw_global:
    case Tok::kw_nonlocal: {
      Global g;
      g.nonlocal = take().kind == Tok::kw_nonlocal;
      do {
        g.names.emplace_back(expect(Tok::name, "in the name list").text);
      } while (accept(Tok::comma));
      return make_stmt(at, std::move(g));
    }
    case Tok::kw_import:
    case Tok::kw_from:
      return import_statement();
    default:
      return expression_statement();
  }
}

StmtPtr SourceParser::import_statement() {
  const Loc at = here();
  auto dotted = [&](std::string prefix) {
    for (;;) {
      prefix += expect(Tok::name, "in the module name").text;
      if (!accept(Tok::dot)) return prefix;
      prefix += '.';
    }
  };
  auto alias = [&](ImportName& n) {
    if (accept(Tok::kw_as)) n.as = std::string(expect(Tok::name, "after 'as'").text);
  };
  Import imp;
  if (accept(Tok::kw_import)) {
    do {
      ImportName n{dotted(""), ""};
      alias(n);
      imp.names.push_back(std::move(n));
    } while (accept(Tok::comma));
    return make_stmt(at, std::move(imp));
  }
  take();  // 'from'
  std::string dots;  // relative imports: `from . import x`, `from ..a import b`
  while (kind() == Tok::dot || kind() == Tok::ellipsis) dots += take().text;
  imp.from = kind() == Tok::name ? dotted(dots) : dots;
  if (imp.from.empty()) fail_expected("a module name", "after 'from'");
  expect(Tok::kw_import, "after the module name");
  if (accept(Tok::star)) {
    imp.names.push_back(ImportName{"*", ""});
    return make_stmt(at, std::move(imp));
  }
  const bool parens = kind() == Tok::lparen;
  Token open;
  if (parens) open = take();
  do {
    if (parens && kind() == Tok::rparen) break;
    ImportName n{std::string(expect(Tok::name, "in the import list").text), ""};
    alias(n);
    imp.names.push_back(std::move(n));
  } while (accept(Tok::comma));
  if (parens) close(Tok::rparen, open);
  return make_stmt(at, std::move(imp));
}

StmtPtr SourceParser::expression_statement() {
  const Loc at = here();
  ExprPtr first = testlist_star();
  BinOpKind op;
  if (accept(Tok::colon)) {  // `x : T [= v]`
    check_target(*first, "annotate", true);
    AnnAssign a;
    a.target = std::move(first);
    a.annotation = test();
    if (accept(Tok::assign)) a.value = testlist_star();
    return make_stmt(at, std::move(a));
  }
  if (augassign_op(kind(), &op)) {
    take();
    check_target(*first, "assign to", true);
    AugAssign a{std::move(first), op, testlist_star()};
    return make_stmt(at, std::move(a));
  }
  if (kind() != Tok::assign) return make_stmt(at, ExprStmt{std::move(first)});
  // `a = b = v`: every part but the last is a target.
  Assign a;
  a.targets.push_back(std::move(first));
  while (accept(Tok::assign)) a.targets.push_back(testlist_star());
  a.value = std::move(a.targets.back());
  a.targets.pop_back();
  for (const ExprPtr& t : a.targets) check_target(*t, "assign to");
  return make_stmt(at, std::move(a));
}

void SourceParser::check_target(const Expr& e, const char* action, bool single) {
  if (e.is<Name>() || e.is<Attribute>() || e.is<Subscript>()) return;
  const ExprList* elts = nullptr;
  if (const Tuple* t = e.as<Tuple>()) elts = &t->elts;
  if (const List* l = e.as<List>()) elts = &l->elts;
  if (elts && !single) {
    for (const ExprPtr& x : *elts) {
      const Starred* s = x->as<Starred>();
      check_target(s ? *s->value : *x, action);
    }
    return;
  }
  fail_at(e.loc, std::string("cannot ") + action + " " +
                     (elts ? "a tuple or list here" : what_is(e)));
}

Block SourceParser::suite(std::string_view owner) {
  Nest nest(*this);
  nest.add(here());
  Block body;
  if (!accept(Tok::newline)) {  // `if x: return y` on one line
    simple_line(body);
    return body;
  }
  if (kind() != Tok::indent) fail_expected("an indented block", owner);
  take();
  while (!accept(Tok::dedent)) statement(body);
  return body;
}

StmtPtr SourceParser::if_statement() {
  const Token t = take();  // 'if' or 'elif'
  const std::string keyword(t.text);
  If node;
  node.test = namedexpr_test();
  expect(Tok::colon, "after the '" + keyword + "' condition");
  node.body = suite("after '" + keyword + "'");
  if (kind() == Tok::kw_elif) {
    Nest nest(*this);  // an elif chain nests Ifs in orelse
    nest.add(here());
    node.orelse.push_back(if_statement());
  } else if (accept(Tok::kw_else)) {
    expect(Tok::colon, "after 'else'");
    node.orelse = suite("after 'else'");
  }
  return make_stmt(loc(t), std::move(node));
}

StmtPtr SourceParser::for_statement() {
  const Loc at = loc(take());
  For f;
  f.target = target_list();
  check_target(*f.target, "assign to");
  expect(Tok::kw_in, "after the 'for' target");
  f.iter = testlist_star();
  expect(Tok::colon, "after the 'for' iterable");
  return loop_rest(at, std::move(f), "after 'for'");
}

StmtPtr SourceParser::while_statement() {
  const Loc at = loc(take());
  While w;
  w.test = namedexpr_test();
  expect(Tok::colon, "after the 'while' condition");
  return loop_rest(at, std::move(w), "after 'while'");
}

StmtPtr SourceParser::with_statement() {
  const Loc at = loc(take());
  With w;
  do {
    WithItem item;
    item.context = test();
    if (accept(Tok::kw_as)) {
      item.var = star_or_bitor();
      check_target(*item.var, "assign to");
    }
    w.items.push_back(std::move(item));
  } while (accept(Tok::comma));
  expect(Tok::colon, "after the 'with' items");
  w.body = suite("after 'with'");
  return make_stmt(at, std::move(w));
}

}  // namespace ptscope::ts::detail
