// Recursive-descent parser for TorchScript code files: errors, modules,
// classes, functions and the entry points. Statements are parsed in
// parser_statements.cpp, expressions in parser_expressions.cpp.
#include "parser/torchscript/parser.h"

#include <utility>

#include "parser/torchscript/source_parser.h"

namespace ptscope::ts {
namespace detail {

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
