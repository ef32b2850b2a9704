// TorchScript expressions, one function per Python grammar rule, from
// lambda and conditional expressions down to atoms, displays and comprehensions.
#include <utility>

#include "parser/torchscript/source_parser.h"

namespace ptscope::ts::detail {

namespace {

// Binary operators of bitwise-or level and above: precedence, 0 if none.
int binop_prec(Tok k, BinOpKind* op) {
  for (const BinOpSyntax& b : kBinOpSyntax)
    if (b.token == k && b.precedence > 0) {
      *op = b.op;
      return b.precedence;
    }
  return 0;
}

bool is_keyword(Tok k) { return k >= Tok::kw_def && k <= Tok::kw_from; }

}  // namespace

ExprPtr SourceParser::sequence(Rule item, Tok end) {
  const Loc at = here();
  ExprPtr first = (this->*item)();
  if (kind() != Tok::comma) return first;
  Tuple t;
  t.elts.push_back(std::move(first));
  while (accept(Tok::comma) &&
         (end == Tok::end_of_file ? starts_expression(kind()) : kind() != end)) {
    t.elts.push_back((this->*item)());
  }
  return make_expr(at, std::move(t));
}

ExprPtr SourceParser::star_or_test() {
  if (kind() != Tok::star) return test();
  const Loc at = loc(take());
  return make_expr(at, Starred{bitor_expr()});
}

ExprPtr SourceParser::star_or_bitor() {
  if (kind() != Tok::star) return bitor_expr();
  const Loc at = loc(take());
  return make_expr(at, Starred{bitor_expr()});
}

ExprPtr SourceParser::star_or_namedexpr() {
  return kind() == Tok::star ? star_or_test() : namedexpr_test();
}

ExprPtr SourceParser::namedexpr_test() {
  if (kind() != Tok::name || peek(1).kind != Tok::walrus) return test();
  const Token name = take();
  take();  // ':='
  return make_expr(loc(name), NamedExpr{std::string(name.text), test()});
}

ExprPtr SourceParser::test() {
  Nest nest(*this);
  nest.add(here());
  if (kind() == Tok::kw_lambda) return lambda();
  ExprPtr body = or_test();
  if (!accept(Tok::kw_if)) return body;
  ExprPtr cond = or_test();
  expect(Tok::kw_else, "in the conditional expression");
  ExprPtr orelse = test();
  const Loc at = body->loc;
  return make_expr(at, IfExp{std::move(cond), std::move(body), std::move(orelse)});
}

ExprPtr SourceParser::lambda() {
  const Loc at = loc(take());
  Lambda l;
  l.params = params(Tok::colon, false);
  expect(Tok::colon, "after the lambda parameters");
  l.body = test();
  return make_expr(at, std::move(l));
}

ExprPtr SourceParser::or_test() { return bool_chain(Tok::kw_or, BoolOpKind::or_, &SourceParser::and_test); }

ExprPtr SourceParser::and_test() { return bool_chain(Tok::kw_and, BoolOpKind::and_, &SourceParser::not_test); }

ExprPtr SourceParser::bool_chain(Tok op_token, BoolOpKind op, Rule operand) {
  ExprPtr left = (this->*operand)();
  Nest nest(*this);
  while (kind() == op_token) {
    nest.add(loc(take()));
    const Loc at = left->loc;
    left = make_expr(at, BoolOp{op, std::move(left), (this->*operand)()});
  }
  return left;
}

ExprPtr SourceParser::not_test() {
  if (kind() != Tok::kw_not) return comparison();
  const Loc at = loc(take());
  Nest nest(*this);
  nest.add(at);
  return make_expr(at, UnaryOp{UnaryOpKind::not_, not_test()});
}

ExprPtr SourceParser::comparison() {
  ExprPtr left = bitor_expr();
  Compare cmp;
  for (;;) {
    CmpOpKind op;
    switch (kind()) {
      case Tok::lt: op = CmpOpKind::lt; break;
      case Tok::gt: op = CmpOpKind::gt; break;
      case Tok::le: op = CmpOpKind::le; break;
      case Tok::ge: op = CmpOpKind::ge; break;
      case Tok::eq: op = CmpOpKind::eq; break;
      case Tok::ne: op = CmpOpKind::ne; break;
      case Tok::kw_in: op = CmpOpKind::in; break;
      case Tok::kw_is:
        // Two-token operators take their first token here, the last below.
        op = peek(1).kind == Tok::kw_not ? CmpOpKind::is_not : CmpOpKind::is;
        if (op == CmpOpKind::is_not) take();
        break;
      case Tok::kw_not:
        if (peek(1).kind != Tok::kw_in) goto done;
        take();
        op = CmpOpKind::not_in;
        break;
      default:
        goto done;
    }
    take();
    cmp.ops.push_back(op);
    cmp.comparators.push_back(bitor_expr());
  }
done:
  if (cmp.ops.empty()) return left;
  const Loc at = left->loc;
  cmp.left = std::move(left);
  return make_expr(at, std::move(cmp));
}

ExprPtr SourceParser::binary(int min_prec) {
  // Precedence climbing over | ^ & << >> + - * / // % @ (all left-assoc).
  ExprPtr left = unary();
  Nest nest(*this);
  for (;;) {
    BinOpKind op;
    const int prec = binop_prec(kind(), &op);
    if (prec == 0 || prec < min_prec) return left;
    nest.add(loc(take()));
    ExprPtr right = binary(prec + 1);
    const Loc at = left->loc;
    left = make_expr(at, BinOp{op, std::move(left), std::move(right)});
  }
}

ExprPtr SourceParser::unary() {
  UnaryOpKind op;
  switch (kind()) {
    case Tok::minus: op = UnaryOpKind::neg; break;
    case Tok::plus: op = UnaryOpKind::pos; break;
    case Tok::tilde: op = UnaryOpKind::invert; break;
    default: return power();
  }
  const Loc at = loc(take());
  Nest nest(*this);
  nest.add(at);
  return make_expr(at, UnaryOp{op, unary()});
}

ExprPtr SourceParser::power() {
  ExprPtr base = primary();
  if (kind() != Tok::double_star) return base;
  Nest nest(*this);
  nest.add(loc(take()));
  ExprPtr exponent = unary();  // right-assoc, and binds looser than a unary right operand
  const Loc at = base->loc;
  return make_expr(at, BinOp{BinOpKind::pow, std::move(base), std::move(exponent)});
}

ExprPtr SourceParser::primary() {
  ExprPtr e = atom();
  Nest nest(*this);
  for (;;) {
    const Loc at = e->loc;
    switch (kind()) {
      case Tok::dot: {
        nest.add(loc(take()));
        // Keywords are accepted after '.' (no other reading is possible).
        if (kind() != Tok::name && !is_keyword(kind())) {
          fail_expected("an attribute name", "after '.'");
        }
        std::string attr(take().text);
        e = make_expr(at, Attribute{std::move(e), std::move(attr)});
        break;
      }
      case Tok::lparen:
        nest.add(here());
        e = call(std::move(e));
        break;
      case Tok::lbracket: {
        const Token open = take();
        nest.add(loc(open));
        ExprPtr index = sequence(&SourceParser::subscript_item, Tok::rbracket);
        close(Tok::rbracket, open);
        e = make_expr(at, Subscript{std::move(e), std::move(index)});
        break;
      }
      default:
        return e;
    }
  }
}

ExprPtr SourceParser::call(ExprPtr func) {
  const Token open = take();
  const Loc at = func->loc;
  Call c;
  c.func = std::move(func);
  while (kind() != Tok::rparen) {
    const Loc arg_at = here();
    if (accept(Tok::double_star)) {
      c.keywords.push_back(Keyword{arg_at, std::string(), test()});
    } else if (kind() == Tok::name && peek(1).kind == Tok::assign) {
      std::string name(take().text);
      take();  // '='
      c.keywords.push_back(Keyword{arg_at, std::move(name), test()});
    } else if (kind() == Tok::star) {
      c.args.push_back(star_or_test());
    } else {
      ExprPtr arg = namedexpr_test();
      if (kind() == Tok::kw_for) {
        arg = comprehension(CompKind::generator, arg_at, std::move(arg), nullptr);
      }
      if (!c.keywords.empty()) fail_at(arg_at, "positional argument follows keyword argument");
      c.args.push_back(std::move(arg));
    }
    if (!accept(Tok::comma)) break;
  }
  close(Tok::rparen, open);
  return make_expr(at, std::move(c));
}

ExprPtr SourceParser::subscript_item() {
  const Loc at = here();
  if (kind() == Tok::star) return star_or_bitor();
  ExprPtr lower;
  if (kind() != Tok::colon) {
    lower = test();
    if (kind() != Tok::colon) return lower;
  }
  take();  // ':'
  Slice s;
  s.lower = std::move(lower);
  auto slice_part_follows = [&] {
    Tok k = kind();
    return k != Tok::colon && k != Tok::comma && k != Tok::rbracket;
  };
  if (slice_part_follows()) s.upper = test();
  if (accept(Tok::colon) && slice_part_follows()) s.step = test();
  return make_expr(at, std::move(s));
}

ExprPtr SourceParser::atom() {
  const Token& t = peek();
  const Loc at = loc(t);
  switch (t.kind) {
    case Tok::name: return make_expr(at, Name{std::string(take().text)});
    case Tok::integer: return make_expr(at, IntLit{lex_.int_value(take())});
    case Tok::floating: return make_expr(at, FloatLit{lex_.float_value(take())});
    case Tok::imaginary: return make_expr(at, ImagLit{lex_.float_value(take())});
    case Tok::string: return strings();
    case Tok::kw_none: take(); return make_expr(at, NoneLit{});
    case Tok::kw_true: take(); return make_expr(at, BoolLit{true});
    case Tok::kw_false: take(); return make_expr(at, BoolLit{false});
    case Tok::ellipsis: take(); return make_expr(at, EllipsisLit{});
    case Tok::lparen: return sequence_display(Tok::rparen);
    case Tok::lbracket: return sequence_display(Tok::rbracket);
    case Tok::lbrace: return brace_display();
    default: fail_expected("an expression", "");
  }
}

ExprPtr SourceParser::strings() {
  const Loc at = here();
  StrLit s;
  bool first = true;
  while (kind() == Tok::string) {
    const Token t = take();
    StrKind k;
    std::string value = lex_.string_value(t, &k);
    if (!first && (k == StrKind::bytes) != (s.kind == StrKind::bytes)) {
      fail_at(loc(t), "cannot concatenate bytes and non-bytes literals");
    }
    if (first || k == StrKind::fstring) s.kind = k;
    s.value += value;
    first = false;
  }
  return make_expr(at, std::move(s));
}

// `( ... )` and `[ ... ]`: empty, a comprehension (a generator in
// parentheses), or comma-separated elements; in parentheses, one element
// without a comma is that expression itself and keeps its own Loc.
ExprPtr SourceParser::sequence_display(Tok closer) {
  const Token open = take();
  const Loc at = loc(open);
  const bool parens = closer == Tok::rparen;
  ExprList elts;
  if (!accept(closer)) {
    ExprPtr first = star_or_namedexpr();
    if (kind() == Tok::kw_for) {
      ExprPtr comp = comprehension(parens ? CompKind::generator : CompKind::list, at, std::move(first), nullptr);
      close(closer, open);
      return comp;
    }
    if (parens && kind() != Tok::comma) {
      close(closer, open);
      return first;
    }
    elts.push_back(std::move(first));
    while (accept(Tok::comma) && kind() != closer) elts.push_back(star_or_namedexpr());
    close(closer, open);
  }
  return parens ? make_expr(at, Tuple{std::move(elts)}) : make_expr(at, List{std::move(elts)});
}

ExprPtr SourceParser::brace_display() {
  const Token open = take();
  const Loc at = loc(open);
  if (accept(Tok::rbrace)) return make_expr(at, Dict{});
  if (kind() == Tok::double_star) {
    fail_at(here(), "'**' unpacking in dict displays is not supported", ErrorCode::unsupported);
  }
  ExprPtr first = star_or_test();
  if (accept(Tok::colon)) {
    ExprPtr value = test();
    if (kind() == Tok::kw_for) {
      ExprPtr comp = comprehension(CompKind::dict, at, std::move(first), std::move(value));
      close(Tok::rbrace, open);
      return comp;
    }
    Dict d;
    d.keys.push_back(std::move(first));
    d.values.push_back(std::move(value));
    while (accept(Tok::comma) && kind() != Tok::rbrace) {
      d.keys.push_back(test());
      expect(Tok::colon, "after the dict key");
      d.values.push_back(test());
    }
    close(Tok::rbrace, open);
    return make_expr(at, std::move(d));
  }
  if (kind() == Tok::kw_for) {
    ExprPtr comp = comprehension(CompKind::set, at, std::move(first), nullptr);
    close(Tok::rbrace, open);
    return comp;
  }
  Set s;
  s.elts.push_back(std::move(first));
  while (accept(Tok::comma) && kind() != Tok::rbrace) s.elts.push_back(star_or_test());
  close(Tok::rbrace, open);
  return make_expr(at, std::move(s));
}

ExprPtr SourceParser::comprehension(CompKind ck, const Loc& at, ExprPtr elt, ExprPtr value) {
  Comprehension c{ck, std::move(elt), std::move(value), {}};
  while (kind() == Tok::kw_for) {
    CompFor f;
    f.loc = loc(take());
    f.target = target_list();
    check_target(*f.target, "assign to");
    expect(Tok::kw_in, "after the comprehension target");
    f.iter = or_test();  // not test(): a following `if` filters
    while (accept(Tok::kw_if)) f.ifs.push_back(or_test());
    c.fors.push_back(std::move(f));
  }
  return make_expr(at, std::move(c));
}

}  // namespace ptscope::ts::detail
