#include "parser/torchscript/parser.h"

#include <utility>

namespace ptscope::ts {
namespace detail {

// One instance parses one source. Grammar functions are named after the
// Python grammar rules they implement (test, or_test, comparison, ...).
class SourceParser {
 public:
  SourceParser(std::string_view source, std::string_view file_name, const ParseLimits& limits)
      : lex_(source, file_name, limits.max_tokens), max_depth_(limits.max_depth) {}

  Module module(std::string file_name);
  ExprPtr single_expression();

 private:
  // Counts tree depth for the lifetime of one grammar function call. Loops
  // that build left-nested trees (a + b + c, x.a.b) add one level per step.
  class Nest {
   public:
    explicit Nest(SourceParser& p) : p_(p) {}
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
    ~Nest() { p_.depth_ -= levels_; }
    void add(const Loc& at) {
      if (p_.depth_ >= p_.max_depth_) {
        fail_at(at, "nesting deeper than " + std::to_string(p_.max_depth_) + " levels",
                ErrorCode::limit_exceeded);
      }
      ++p_.depth_;
      ++levels_;
    }

   private:
    SourceParser& p_;
    uint32_t levels_ = 0;
  };

  // ---- tokens (two tokens of lookahead are enough for `name =` and `name :=`)
  const Token& peek(unsigned k = 0) {
    while (count_ <= k) ahead_[count_++] = lex_.next();
    return ahead_[k];
  }
  Tok kind(unsigned k = 0) { return peek(k).kind; }
  Token take() {
    peek();
    Token t = ahead_[0];
    for (unsigned i = 1; i < count_; ++i) ahead_[i - 1] = ahead_[i];
    --count_;
    return t;
  }
  bool accept(Tok k) {
    if (kind() != k) return false;
    take();
    return true;
  }
  Loc loc(const Token& t) const { return lex_.loc(t); }
  Loc here() { return loc(peek()); }
  [[noreturn]] void fail_expected(std::string_view what, std::string_view context);
  Token expect(Tok k, std::string_view context) {
    if (kind() != k) fail_expected(tok_spelling(k), context);
    return take();
  }
  void close(Tok k, const Token& open) {
    if (kind() != k) fail_unclosed(k, open);
    take();
  }
  [[noreturn]] void fail_unclosed(Tok k, const Token& open);
  static bool starts_expression(Tok k);

  // ---- statements
  ClassDef class_def();
  void class_member(ClassDef& cls, Stmt& stmt);
  FunctionDef function_def();
  std::vector<Param> params(Tok end, bool annotated);
  void statement(Block& out);
  void simple_line(Block& out);
  StmtPtr simple_statement();
  StmtPtr expression_statement();
  StmtPtr import_statement();
  StmtPtr if_statement();
  StmtPtr for_statement();
  StmtPtr while_statement();
  StmtPtr with_statement();
  Block suite(std::string_view owner);
  void check_target(const Expr& e, const char* action, bool single = false);

  // ---- expressions
  using Rule = ExprPtr (SourceParser::*)();
  // `a, b,` -> Tuple, `a` -> a. Items continue up to `end`, or while they
  // can start an expression when `end` is end_of_file.
  ExprPtr sequence(Rule item, Tok end);
  ExprPtr testlist_star() { return sequence(&SourceParser::star_or_test, Tok::end_of_file); }
  ExprPtr target_list() { return sequence(&SourceParser::star_or_bitor, Tok::end_of_file); }
  ExprPtr star_or_test();
  ExprPtr star_or_bitor();
  ExprPtr star_or_namedexpr();
  ExprPtr namedexpr_test();
  ExprPtr test();
  ExprPtr lambda();
  ExprPtr or_test();
  ExprPtr and_test();
  ExprPtr not_test();
  ExprPtr comparison();
  ExprPtr bitor_expr() { return binary(1); }
  ExprPtr binary(int min_prec);
  ExprPtr unary();
  ExprPtr power();
  ExprPtr primary();
  ExprPtr call(ExprPtr func);
  ExprPtr subscript_item();
  ExprPtr atom();
  ExprPtr strings();
  ExprPtr paren_display();
  ExprPtr list_display();
  ExprPtr brace_display();
  ExprPtr comprehension(CompKind ck, const Loc& at, ExprPtr elt, ExprPtr value);

  Lexer lex_;
  Token ahead_[2];
  unsigned count_ = 0;
  uint32_t depth_ = 0;
  uint32_t max_depth_;
};

namespace {

std::string describe(const Token& t) {
  std::string_view text = t.text;
  switch (t.kind) {
    case Tok::name: return "identifier '" + std::string(text) + "'";
    case Tok::integer: case Tok::floating: case Tok::imaginary:
      return "number " + std::string(text);
    case Tok::string:
      return text.size() > 24 ? "string " + std::string(text.substr(0, 20)) + "..."
                              : "string " + std::string(text);
    default: return tok_spelling(t.kind);
  }
}

bool is_name(const Expr& e, std::string_view id) {
  const Name* n = e.as<Name>();
  return n && n->id == id;
}

const char* what_is(const Expr& e) {
  if (e.is<Call>()) return "a function call";
  if (e.is<IntLit>() || e.is<FloatLit>() || e.is<ImagLit>() || e.is<StrLit>() ||
      e.is<NoneLit>() || e.is<BoolLit>() || e.is<EllipsisLit>()) {
    return "a literal";
  }
  if (e.is<Starred>()) return "a starred expression here";
  return "this expression";
}

// Binary operators of bitwise-or level and above: precedence, 0 if none.
int binop_prec(Tok k, BinOpKind* op) {
  switch (k) {
    case Tok::pipe: *op = BinOpKind::bit_or; return 1;
    case Tok::caret: *op = BinOpKind::bit_xor; return 2;
    case Tok::amp: *op = BinOpKind::bit_and; return 3;
    case Tok::lshift: *op = BinOpKind::lshift; return 4;
    case Tok::rshift: *op = BinOpKind::rshift; return 4;
    case Tok::plus: *op = BinOpKind::add; return 5;
    case Tok::minus: *op = BinOpKind::sub; return 5;
    case Tok::star: *op = BinOpKind::mul; return 6;
    case Tok::slash: *op = BinOpKind::div; return 6;
    case Tok::double_slash: *op = BinOpKind::floordiv; return 6;
    case Tok::percent: *op = BinOpKind::mod; return 6;
    case Tok::at: *op = BinOpKind::matmul; return 6;
    default: return 0;
  }
}

bool augassign_op(Tok k, BinOpKind* op) {
  switch (k) {
    case Tok::plus_assign: *op = BinOpKind::add; return true;
    case Tok::minus_assign: *op = BinOpKind::sub; return true;
    case Tok::star_assign: *op = BinOpKind::mul; return true;
    case Tok::slash_assign: *op = BinOpKind::div; return true;
    case Tok::double_slash_assign: *op = BinOpKind::floordiv; return true;
    case Tok::percent_assign: *op = BinOpKind::mod; return true;
    case Tok::at_assign: *op = BinOpKind::matmul; return true;
    case Tok::double_star_assign: *op = BinOpKind::pow; return true;
    case Tok::lshift_assign: *op = BinOpKind::lshift; return true;
    case Tok::rshift_assign: *op = BinOpKind::rshift; return true;
    case Tok::amp_assign: *op = BinOpKind::bit_and; return true;
    case Tok::pipe_assign: *op = BinOpKind::bit_or; return true;
    case Tok::caret_assign: *op = BinOpKind::bit_xor; return true;
    default: return false;
  }
}

bool is_keyword(Tok k) { return k >= Tok::kw_def && k <= Tok::kw_from; }

}  // namespace

void SourceParser::fail_expected(std::string_view what, std::string_view context) {
  std::string message = "expected ";
  message += what;
  if (!context.empty()) {
    message += ' ';
    message += context;
  }
  message += ", found ";
  message += describe(peek());
  fail_at(here(), message);
}

void SourceParser::fail_unclosed(Tok k, const Token& open) {
  fail_expected(tok_spelling(k), "to close '" + std::string(open.text) + "' opened at " +
                                     std::to_string(open.line) + ":" + std::to_string(open.col));
}

bool SourceParser::starts_expression(Tok k) {
  switch (k) {
    case Tok::name: case Tok::integer: case Tok::floating: case Tok::imaginary:
    case Tok::string: case Tok::lparen: case Tok::lbracket: case Tok::lbrace:
    case Tok::minus: case Tok::plus: case Tok::tilde: case Tok::kw_not:
    case Tok::kw_lambda: case Tok::kw_none: case Tok::kw_true: case Tok::kw_false:
    case Tok::ellipsis: case Tok::star:
      return true;
    default:
      return false;
  }
}

// ------------------------------------------------------------------ module

Module SourceParser::module(std::string file_name) {
  Module m;
  m.file_name = std::move(file_name);
  while (kind() != Tok::end_of_file) {
    if (kind() == Tok::kw_class) {
      m.classes.push_back(class_def());
      continue;
    }
    if (kind() == Tok::kw_def || kind() == Tok::at) {
      m.functions.push_back(function_def());
      continue;
    }
    Block line;
    statement(line);
    for (StmtPtr& s : line) {
      // Old archives start with `op_version_set = N` and `import` lines;
      // the importer skips both (parsePossibleVersionNumber, parseImports).
      if (s->is<Import>()) continue;
      if (const Assign* a = s->as<Assign>();
          a && a->targets.size() == 1 && is_name(*a->targets[0], "op_version_set")) {
        if (const IntLit* v = a->value->as<IntLit>()) {
          m.op_version_set = v->value;
          continue;
        }
      }
      m.statements.push_back(std::move(s));
    }
  }
  return m;
}

ExprPtr SourceParser::single_expression() {
  ExprPtr e = testlist_star();
  accept(Tok::newline);
  if (kind() != Tok::end_of_file) fail_expected("end of input", "after the expression");
  return e;
}

// ----------------------------------------------------------------- classes

ClassDef SourceParser::class_def() {
  ClassDef cls;
  cls.loc_ = loc(take());
  cls.name_ = std::string(expect(Tok::name, "after 'class'").text);
  if (kind() == Tok::lparen) {
    Token open = take();
    if (kind() != Tok::rparen) {
      cls.base_ = test();
      accept(Tok::comma);
    }
    close(Tok::rparen, open);
  }
  expect(Tok::colon, "after the class header");

  // The base name decides the class kind (SourceImporterImpl::importNamedType).
  if (cls.base_) {
    std::string_view base;
    if (const Name* n = cls.base_->as<Name>()) base = n->id;
    if (const Attribute* a = cls.base_->as<Attribute>()) base = a->attr;
    if (base == "Module") {
      cls.kind_ = ClassKind::module;
    } else if (base == "NamedTuple") {
      cls.kind_ = ClassKind::named_tuple;
    } else if (base == "Enum") {
      cls.kind_ = ClassKind::enum_;
    } else if (base == "Interface") {
      cls.kind_ = ClassKind::interface;
    } else if (base == "ModuleInterface") {
      cls.kind_ = ClassKind::module_interface;
    } else {
      fail_at(cls.base_->loc,
              "class '" + cls.name_ + "' has a base TorchScript does not know: " +
                  to_source(*cls.base_),
              ErrorCode::unsupported);
    }
  }

  // The body is parsed as ordinary statements, then sorted into metadata.
  Block body = suite("after the class header");
  for (StmtPtr& s : body) class_member(cls, *s);
  return cls;
}

namespace {

std::vector<std::string> string_list(const Expr& value, const std::string& what) {
  const ExprList* elts = nullptr;
  if (const List* l = value.as<List>()) elts = &l->elts;
  if (const Tuple* t = value.as<Tuple>()) elts = &t->elts;
  std::vector<std::string> out;
  if (elts) {
    for (const ExprPtr& e : *elts) {
      const StrLit* s = e->as<StrLit>();
      if (!s) break;
      out.push_back(s->value);
    }
  }
  if (!elts || out.size() != elts->size()) {
    fail_at(value.loc, what + " must be a list of strings");
  }
  return out;
}

}  // namespace

void SourceParser::class_member(ClassDef& cls, Stmt& stmt) {
  if (FunctionDef* f = stmt.as<FunctionDef>()) {
    cls.methods_.push_back(std::move(*f));
    return;
  }
  if (stmt.is<Pass>()) return;
  if (const ExprStmt* e = stmt.as<ExprStmt>(); e && e->value->is<StrLit>()) return;  // docstring

  if (AnnAssign* a = stmt.as<AnnAssign>()) {
    const Name* name = a->target->as<Name>();
    if (!name) fail_at(a->target->loc, "expected an attribute name in class body");
    ClassAttribute attr;
    attr.loc = stmt.loc;
    attr.name = name->id;
    attr.type = std::move(a->annotation);
    attr.value = std::move(a->value);
    // `name : Final[T] = v` is a class constant of type T.
    if (Subscript* sub = attr.type->as<Subscript>(); sub && is_name(*sub->value, "Final")) {
      ExprPtr inner = std::move(sub->index);
      attr.type = std::move(inner);
      attr.is_final = true;
    }
    cls.attributes_.push_back(std::move(attr));
    return;
  }

  if (Assign* a = stmt.as<Assign>(); a && a->targets.size() == 1) {
    Expr& target = *a->targets[0];
    if (const Name* n = target.as<Name>()) {
      const std::string& id = n->id;
      if (id == "__parameters__") {
        cls.parameters_ = string_list(*a->value, id);
      } else if (id == "__buffers__") {
        cls.buffers_ = string_list(*a->value, id);
      } else if (id == "__forward_pre_hooks__") {
        cls.forward_pre_hooks_ = string_list(*a->value, id);
      } else if (id == "__forward_hooks__") {
        cls.forward_hooks_ = string_list(*a->value, id);
      } else if (id == "__annotations__") {
        // `__annotations__ = []` only initialises the dict.
      } else if (cls.kind_ == ClassKind::enum_) {
        cls.attributes_.push_back(
            ClassAttribute{stmt.loc, id, nullptr, false, std::move(a->value)});
      } else {
        fail_at(stmt.loc, "class attribute '" + id + "' needs a type annotation");
      }
      return;
    }
    // `__annotations__["0"] = T` declares an attribute whose name is not an
    // identifier (Sequential and ModuleList children).
    if (Subscript* sub = target.as<Subscript>(); sub && is_name(*sub->value, "__annotations__")) {
      const StrLit* key = sub->index->as<StrLit>();
      if (!key) fail_at(sub->index->loc, "__annotations__ keys must be strings");
      cls.attributes_.push_back(
          ClassAttribute{stmt.loc, key->value, std::move(a->value), false, nullptr});
      return;
    }
  }
  fail_at(stmt.loc, "unexpected statement in the body of class '" + cls.name_ + "'");
}

// --------------------------------------------------------------- functions

FunctionDef SourceParser::function_def() {
  FunctionDef f;
  while (kind() == Tok::at) {
    take();
    f.decorators.push_back(namedexpr_test());
    expect(Tok::newline, "after the decorator");
  }
  f.loc = loc(expect(Tok::kw_def, "after the decorators"));
  f.name = std::string(expect(Tok::name, "after 'def'").text);
  Token open = expect(Tok::lparen, "after the function name");
  f.params = params(Tok::rparen, true);
  close(Tok::rparen, open);
  if (accept(Tok::arrow)) f.returns = test();
  expect(Tok::colon, "after the function signature");
  f.body = suite("after the function signature");
  return f;
}

std::vector<Param> SourceParser::params(Tok end, bool annotated) {
  std::vector<Param> out;
  bool after_star = false, seen_default = false;
  while (kind() != end) {
    Param p;
    p.loc = here();
    if (accept(Tok::slash)) {
      if (out.empty() || after_star) fail_at(p.loc, "'/' must follow positional parameters");
      for (Param& q : out) q.kind = ParamKind::positional_only;
    } else if (kind() == Tok::star && peek(1).kind != Tok::name) {
      take();  // a bare `*`: the parameters after it are keyword-only
      after_star = true;
    } else {
      if (accept(Tok::star)) {
        p.kind = ParamKind::var_positional;
        after_star = true;
      } else if (accept(Tok::double_star)) {
        p.kind = ParamKind::var_keyword;
      } else {
        p.kind = after_star ? ParamKind::keyword_only : ParamKind::positional;
      }
      p.name = std::string(expect(Tok::name, "in the parameter list").text);
      if (annotated && accept(Tok::colon)) p.annotation = test();
      const bool variadic =
          p.kind == ParamKind::var_positional || p.kind == ParamKind::var_keyword;
      if (!variadic && accept(Tok::assign)) {
        p.default_value = test();
        if (p.kind == ParamKind::positional) seen_default = true;
      } else if (seen_default && p.kind == ParamKind::positional) {
        fail_at(p.loc, "parameter '" + p.name + "' without a default follows one with a default");
      }
      out.push_back(std::move(p));
    }
    if (!accept(Tok::comma)) break;
  }
  return out;
}

// -------------------------------------------------------------- statements

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
  f.body = suite("after 'for'");
  if (accept(Tok::kw_else)) {
    expect(Tok::colon, "after 'else'");
    f.orelse = suite("after 'else'");
  }
  return make_stmt(at, std::move(f));
}

StmtPtr SourceParser::while_statement() {
  const Loc at = loc(take());
  While w;
  w.test = namedexpr_test();
  expect(Tok::colon, "after the 'while' condition");
  w.body = suite("after 'while'");
  if (accept(Tok::kw_else)) {
    expect(Tok::colon, "after 'else'");
    w.orelse = suite("after 'else'");
  }
  return make_stmt(at, std::move(w));
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

// ------------------------------------------------------------- expressions

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

ExprPtr SourceParser::or_test() {
  ExprPtr left = and_test();
  Nest nest(*this);
  while (kind() == Tok::kw_or) {
    nest.add(loc(take()));
    const Loc at = left->loc;
    left = make_expr(at, BoolOp{BoolOpKind::or_, std::move(left), and_test()});
  }
  return left;
}

ExprPtr SourceParser::and_test() {
  ExprPtr left = not_test();
  Nest nest(*this);
  while (kind() == Tok::kw_and) {
    nest.add(loc(take()));
    const Loc at = left->loc;
    left = make_expr(at, BoolOp{BoolOpKind::and_, std::move(left), not_test()});
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
    case Tok::lparen: return paren_display();
    case Tok::lbracket: return list_display();
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

ExprPtr SourceParser::paren_display() {
  const Token open = take();
  const Loc at = loc(open);
  if (accept(Tok::rparen)) return make_expr(at, Tuple{});
  ExprPtr first = star_or_namedexpr();
  if (kind() == Tok::kw_for) {
    ExprPtr gen = comprehension(CompKind::generator, at, std::move(first), nullptr);
    close(Tok::rparen, open);
    return gen;
  }
  if (kind() != Tok::comma) {  // a parenthesized expression keeps its own Loc
    close(Tok::rparen, open);
    return first;
  }
  Tuple t;
  t.elts.push_back(std::move(first));
  while (accept(Tok::comma) && kind() != Tok::rparen) t.elts.push_back(star_or_namedexpr());
  close(Tok::rparen, open);
  return make_expr(at, std::move(t));
}

ExprPtr SourceParser::list_display() {
  const Token open = take();
  const Loc at = loc(open);
  List l;
  if (kind() != Tok::rbracket) {
    ExprPtr first = star_or_namedexpr();
    if (kind() == Tok::kw_for) {
      ExprPtr comp = comprehension(CompKind::list, at, std::move(first), nullptr);
      close(Tok::rbracket, open);
      return comp;
    }
    l.elts.push_back(std::move(first));
    while (accept(Tok::comma) && kind() != Tok::rbracket) l.elts.push_back(star_or_namedexpr());
  }
  close(Tok::rbracket, open);
  return make_expr(at, std::move(l));
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

}  // namespace detail

Module parse_source(std::string_view source, std::string file_name, const ParseLimits& limits) {
  detail::SourceParser parser(source, file_name, limits);
  return parser.module(std::move(file_name));
}

ExprPtr parse_expression(std::string_view source, std::string file_name,
                         const ParseLimits& limits) {
  detail::SourceParser parser(source, file_name, limits);
  return parser.single_expression();
}

}  // namespace ptscope::ts
