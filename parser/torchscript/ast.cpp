#include "parser/torchscript/ast.h"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <string_view>

#include "core/enum_names.h"

namespace ptscope::ts {

const ClassAttribute* ClassDef::find_attribute(std::string_view name) const {
  for (const ClassAttribute& a : attributes_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const FunctionDef* ClassDef::find_method(std::string_view name) const {
  for (const FunctionDef& f : methods_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const ClassDef* Module::find_class(std::string_view name) const {
  for (const ClassDef& c : classes) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

const FunctionDef* Module::find_function(std::string_view name) const {
  for (const FunctionDef& f : functions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool is_name(const Expr& e, std::string_view id) {
  const Name* n = e.as<Name>();
  return n && n->id == id;
}

const char* class_kind_name(ClassKind kind) {
  static constexpr const char* kNames[] = {"class", "Module", "NamedTuple", "Enum", "Interface", "ModuleInterface"};
  static_assert(std::size(kNames) == enum_count(ClassKind::module_interface));
  return enum_name(kind, kNames, "class");
}

const char* binop_symbol(BinOpKind op) {
  static constexpr const char* kSymbols[] = {"+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "|", "^", "&"};
  static_assert(std::size(kSymbols) == enum_count(BinOpKind::bit_and));
  return enum_name(op, kSymbols, "?");
}

const char* cmpop_symbol(CmpOpKind op) {
  static constexpr const char* kSymbols[] = {"==", "!=", "<", "<=", ">", ">=", "is", "is not", "in", "not in"};
  static_assert(std::size(kSymbols) == enum_count(CmpOpKind::not_in));
  return enum_name(op, kSymbols, "?");
}

const char* unaryop_symbol(UnaryOpKind op) {
  static constexpr const char* kSymbols[] = {"-", "+", "~", "not"};
  static_assert(std::size(kSymbols) == enum_count(UnaryOpKind::not_));
  return enum_name(op, kSymbols, "?");
}

namespace {

// Python's precedence levels, loosest first.
enum Prec : int {
  p_lambda, p_ifexp, p_or, p_and, p_not, p_cmp, p_bitor, p_bitxor, p_bitand, p_shift,
  p_arith, p_term, p_unary, p_power, p_primary, p_atom,
};

int binop_prec(BinOpKind op) {
  switch (op) {
    case BinOpKind::bit_or: return p_bitor;
    case BinOpKind::bit_xor: return p_bitxor;
    case BinOpKind::bit_and: return p_bitand;
    case BinOpKind::lshift: case BinOpKind::rshift: return p_shift;
    case BinOpKind::add: case BinOpKind::sub: return p_arith;
    case BinOpKind::pow: return p_power;
    default: return p_term;
  }
}

int prec_of(const Expr& e) {
  if (e.is<Lambda>()) return p_lambda;
  if (e.is<IfExp>()) return p_ifexp;
  if (const BoolOp* b = e.as<BoolOp>()) return b->op == BoolOpKind::or_ ? p_or : p_and;
  if (const UnaryOp* u = e.as<UnaryOp>()) return u->op == UnaryOpKind::not_ ? p_not : p_unary;
  if (e.is<Compare>()) return p_cmp;
  if (const BinOp* b = e.as<BinOp>()) return binop_prec(b->op);
  if (e.is<Attribute>() || e.is<Call>() || e.is<Subscript>()) return p_primary;
  return p_atom;  // literals, names, displays; NamedExpr prints its own parentheses
}

std::string float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += '.';
  return s;
}

void append_quoted(std::string& out, const StrLit& s) {
  if (s.kind == StrKind::bytes) out += 'b';
  if (s.kind == StrKind::fstring) out += 'f';
  out += '"';
  for (char c : s.value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
          static const char digits[] = "0123456789abcdef";
          out += "\\x";
          out += digits[u >> 4];
          out += digits[u & 15];
        } else {
          out += c;  // UTF-8 bytes pass through
        }
      }
    }
  }
  out += '"';
}

class Printer {
 public:
  std::string out;

  void expr(const Expr& e, int min_prec = p_lambda) {
    const bool paren = prec_of(e) < min_prec;
    if (paren) out += '(';
    std::visit([this](const auto& n) { node(n); }, e.node);
    if (paren) out += ')';
  }

  // A subscript index: top-level tuples go bare, since slices cannot be
  // parenthesized (`a[:, 0]`).
  void index(const Expr& e) {
    const Tuple* t = e.as<Tuple>();
    if (!t || t->elts.empty()) {
      expr(e);
      return;
    }
    list(t->elts);
    if (t->elts.size() == 1) out += ',';
  }

  void list(const ExprList& elts) {
    for (size_t i = 0; i < elts.size(); ++i) {
      if (i) out += ", ";
      expr(*elts[i]);
    }
  }

  // `separator` and `e` for an optional part (an annotation, a default,
  // `from cause` ...); nothing when it is absent.
  void optional_part(const char* separator, const ExprPtr& e) {
    if (!e) return;
    out += separator;
    expr(*e);
  }

  void params(const std::vector<Param>& ps) {
    bool star_done = false;
    for (size_t i = 0; i < ps.size(); ++i) {
      const Param& p = ps[i];
      if (i) out += ", ";
      if (p.kind == ParamKind::keyword_only && !star_done) out += "*, ";
      if (p.kind == ParamKind::var_positional) out += '*';
      if (p.kind == ParamKind::var_keyword) out += "**";
      star_done = star_done || p.kind == ParamKind::var_positional ||
                  p.kind == ParamKind::keyword_only;
      out += p.name;
      optional_part(": ", p.annotation);
      optional_part("=", p.default_value);
      if (p.kind == ParamKind::positional_only &&
          (i + 1 == ps.size() || ps[i + 1].kind != ParamKind::positional_only)) {
        out += ", /";
      }
    }
  }

  void node(const Name& n) { out += n.id; }
  void node(const NoneLit&) { out += "None"; }
  void node(const BoolLit& b) { out += b.value ? "True" : "False"; }
  void node(const IntLit& i) { out += std::to_string(static_cast<uint64_t>(i.value)); }
  void node(const FloatLit& f) { out += float_repr(f.value); }
  void node(const ImagLit& f) { out += float_repr(f.value) + "j"; }
  void node(const StrLit& s) { append_quoted(out, s); }
  void node(const EllipsisLit&) { out += "..."; }
  void node(const Tuple& t) {
    out += '(';
    list(t.elts);
    if (t.elts.size() == 1) out += ',';
    out += ')';
  }
  void node(const List& l) {
    out += '[';
    list(l.elts);
    out += ']';
  }
  void node(const Set& s) {
    out += '{';
    list(s.elts);
    out += '}';
  }
  void node(const Dict& d) {
    out += '{';
    for (size_t i = 0; i < d.keys.size(); ++i) {
      if (i) out += ", ";
      expr(*d.keys[i]);
      out += ": ";
      expr(*d.values[i]);
    }
    out += '}';
  }
  void node(const Attribute& a) {
    // `1 .real` would lex as the float `1.`: parenthesize int receivers.
    expr(*a.value, a.value->is<IntLit>() ? p_atom + 1 : p_primary);
    out += '.';
    out += a.attr;
  }
  void node(const Subscript& s) {
    expr(*s.value, p_primary);
    out += '[';
    index(*s.index);
    out += ']';
  }
  void node(const Slice& s) {
    if (s.lower) expr(*s.lower);
    out += ':';
    if (s.upper) expr(*s.upper);
    optional_part(":", s.step);
  }
  void node(const Call& c) {
    expr(*c.func, p_primary);
    out += '(';
    list(c.args);
    for (size_t i = 0; i < c.keywords.size(); ++i) {
      if (i || !c.args.empty()) out += ", ";
      out += c.keywords[i].name.empty() ? "**" : c.keywords[i].name + "=";
      expr(*c.keywords[i].value);
    }
    out += ')';
  }
  void node(const Starred& s) {
    out += '*';
    expr(*s.value, p_bitor);
  }
  void node(const UnaryOp& u) {
    out += unaryop_symbol(u.op);
    if (u.op == UnaryOpKind::not_) out += ' ';
    expr(*u.operand, u.op == UnaryOpKind::not_ ? p_not : p_unary);
  }
  void node(const BinOp& b) {
    const int p = binop_prec(b.op);
    // ** is right-associative and its left operand binds tighter than unary.
    expr(*b.left, b.op == BinOpKind::pow ? p_primary : p);
    out += ' ';
    out += binop_symbol(b.op);
    out += ' ';
    expr(*b.right, b.op == BinOpKind::pow ? p_unary : p + 1);
  }
  void node(const BoolOp& b) {
    const int p = b.op == BoolOpKind::or_ ? p_or : p_and;
    expr(*b.left, p);
    out += b.op == BoolOpKind::or_ ? " or " : " and ";
    expr(*b.right, p + 1);
  }
  void node(const Compare& c) {
    expr(*c.left, p_bitor);
    for (size_t i = 0; i < c.ops.size(); ++i) {
      out += ' ';
      out += cmpop_symbol(c.ops[i]);
      out += ' ';
      expr(*c.comparators[i], p_bitor);
    }
  }
  void node(const IfExp& e) {
    expr(*e.body, p_or);
    out += " if ";
    expr(*e.test, p_or);
    out += " else ";
    expr(*e.orelse, p_ifexp);
  }
  void node(const Lambda& l) {
    out += "lambda";
    if (!l.params.empty()) out += ' ';
    params(l.params);
    out += ": ";
    expr(*l.body);
  }
  void node(const Comprehension& c) {
    static const char* const open[] = {"[", "{", "{", "("};
    static const char* const close[] = {"]", "}", "}", ")"};
    const auto k = static_cast<size_t>(c.kind);
    out += open[k];
    expr(*c.elt);
    optional_part(": ", c.value);
    for (const CompFor& f : c.fors) {
      out += " for ";
      expr(*f.target, p_bitor);
      out += " in ";
      expr(*f.iter, p_or);
      for (const ExprPtr& cond : f.ifs) {
        out += " if ";
        expr(*cond, p_or);
      }
    }
    out += close[k];
  }
  void node(const NamedExpr& n) {
    out += '(' + n.target + " := ";
    expr(*n.value);
    out += ')';
  }

  // ---- statements
  void pad(int indent) { out.append(static_cast<size_t>(indent) * 2, ' '); }

  void block(const Block& b, int indent) {
    if (b.empty()) {
      pad(indent);
      out += "pass\n";
    }
    for (const StmtPtr& s : b) stmt(*s, indent);
  }

  void stmt(const Stmt& s, int indent) {
    if (const FunctionDef* f = s.as<FunctionDef>()) {
      def(*f, indent);
      return;
    }
    pad(indent);
    std::visit([&](const auto& n) { snode(n, indent); }, s.node);
  }

  void snode(const ExprStmt& e, int) {
    expr(*e.value);
    out += '\n';
  }
  void snode(const Assign& a, int) {
    for (const ExprPtr& t : a.targets) {
      expr(*t);
      out += " = ";
    }
    expr(*a.value);
    out += '\n';
  }
  void snode(const AnnAssign& a, int) {
    expr(*a.target);
    out += " : ";
    expr(*a.annotation);
    optional_part(" = ", a.value);
    out += '\n';
  }
  void snode(const AugAssign& a, int) {
    expr(*a.target);
    out += ' ';
    out += binop_symbol(a.op);
    out += "= ";
    expr(*a.value);
    out += '\n';
  }
  // `keyword test:` and the indented body (if, elif, while).
  void headed_block(const char* keyword, const Expr& test, const Block& body, int indent) {
    out += keyword;
    expr(test);
    out += ":\n";
    block(body, indent + 1);
  }
  void snode(const If& i, int indent) {
    headed_block("if ", *i.test, i.body, indent);
    // else: + a lone if prints as elif (the parser builds the same tree).
    const If* chain = &i;
    while (chain->orelse.size() == 1 && chain->orelse[0]->is<If>()) {
      chain = chain->orelse[0]->as<If>();
      pad(indent);
      headed_block("elif ", *chain->test, chain->body, indent);
    }
    else_block(chain->orelse, indent);
  }
  void else_block(const Block& orelse, int indent) {
    if (orelse.empty()) return;
    pad(indent);
    out += "else:\n";
    block(orelse, indent + 1);
  }
  void snode(const For& f, int indent) {
    out += "for ";
    expr(*f.target);
    out += " in ";
    expr(*f.iter);
    out += ":\n";
    block(f.body, indent + 1);
    else_block(f.orelse, indent);
  }
  void snode(const While& w, int indent) {
    headed_block("while ", *w.test, w.body, indent);
    else_block(w.orelse, indent);
  }
  void snode(const Return& r, int) {
    out += "return";
    optional_part(" ", r.value);
    out += '\n';
  }
  void snode(const Pass&, int) { out += "pass\n"; }
  void snode(const Break&, int) { out += "break\n"; }
  void snode(const Continue&, int) { out += "continue\n"; }
  void snode(const Raise& r, int) {
    out += "raise";
    optional_part(" ", r.exc);
    optional_part(" from ", r.cause);
    out += '\n';
  }
  void snode(const Assert& a, int) {
    out += "assert ";
    expr(*a.test);
    optional_part(", ", a.msg);
    out += '\n';
  }
  void snode(const Delete& d, int) {
    out += "del ";
    list(d.targets);
    out += '\n';
  }
  void snode(const With& w, int indent) {
    out += "with ";
    for (size_t i = 0; i < w.items.size(); ++i) {
      if (i) out += ", ";
      expr(*w.items[i].context);
      optional_part(" as ", w.items[i].var);
    }
    out += ":\n";
    block(w.body, indent + 1);
  }
  void snode(const Global& g, int) {
    out += g.nonlocal ? "nonlocal " : "global ";
    for (size_t i = 0; i < g.names.size(); ++i) {
      if (i) out += ", ";
      out += g.names[i];
    }
    out += '\n';
  }
  void snode(const Import& imp, int) {
    if (!imp.from.empty()) out += "from " + imp.from + " ";
    out += "import ";
    for (size_t i = 0; i < imp.names.size(); ++i) {
      if (i) out += ", ";
      out += imp.names[i].name;
      if (!imp.names[i].as.empty()) out += " as " + imp.names[i].as;
    }
    out += '\n';
  }
  void snode(const FunctionDef& f, int indent) { def(f, indent); }

  void def(const FunctionDef& f, int indent) {
    for (const ExprPtr& d : f.decorators) {
      pad(indent);
      out += '@';
      expr(*d);
      out += '\n';
    }
    pad(indent);
    out += "def " + f.name + "(";
    params(f.params);
    out += ')';
    optional_part(" -> ", f.returns);
    out += ":\n";
    block(f.body, indent + 1);
  }

  void names(const char* field, const std::vector<std::string>& names) {
    out += "  ";
    out += field;
    out += " = [";
    for (const std::string& n : names) {
      append_quoted(out, StrLit{n, StrKind::str});
      out += ", ";  // PythonPrint's trailing-comma style
    }
    out += "]\n";
  }

  void cls(const ClassDef& c) {
    out += "class " + c.name();
    if (c.base()) {
      out += '(';
      expr(*c.base());
      out += ')';
    }
    out += ":\n";
    const size_t body_start = out.size();
    const bool module = c.kind() == ClassKind::module;
    if (module || !c.parameters().empty()) names("__parameters__", c.parameters());
    if (module || !c.buffers().empty()) names("__buffers__", c.buffers());
    if (!c.forward_pre_hooks().empty()) names("__forward_pre_hooks__", c.forward_pre_hooks());
    if (!c.forward_hooks().empty()) names("__forward_hooks__", c.forward_hooks());
    for (const ClassAttribute& a : c.attributes()) {
      out += "  ";
      if (!a.type) {  // enum member
        out += a.name + " = ";
        expr(*a.value);
      } else if (!is_identifier(a.name)) {
        out += "__annotations__[";
        append_quoted(out, StrLit{a.name, StrKind::str});
        out += "] = ";
        expr(*a.type);
      } else {
        out += a.name + " : ";
        if (a.is_final) {
          out += "Final[";
          index(*a.type);
          out += ']';
        } else {
          expr(*a.type);
        }
        optional_part(" = ", a.value);
      }
      out += '\n';
    }
    for (const FunctionDef& m : c.methods()) def(m, 1);
    if (out.size() == body_start) out += "  pass\n";
  }
};

// ---- dump: one S-expression per node

class Dumper {
 public:
  std::string out;

  void expr(const Expr& e) {
    std::visit([this](const auto& n) { node(n); }, e.node);
  }
  void opt(const ExprPtr& e) {
    if (e) {
      expr(*e);
    } else {
      out += '_';
    }
  }
  void open(const char* head) {
    out += '(';
    out += head;
  }
  void items(const ExprList& elts) {
    for (const ExprPtr& e : elts) {
      out += ' ';
      expr(*e);
    }
  }
  // `(head a b ...)` of a tuple, list or set display.
  void display(const char* head, const ExprList& elts) {
    open(head);
    items(elts);
    out += ')';
  }
  // `(head a b ...)`: the head, then each part after a space.
  void form(std::string_view head, std::initializer_list<const Expr*> parts) {
    out += '(';
    out += head;
    for (const Expr* e : parts) {
      out += ' ';
      expr(*e);
    }
    out += ')';
  }

  void node(const Name& n) { out += n.id; }
  void node(const NoneLit&) { out += "None"; }
  void node(const BoolLit& b) { out += b.value ? "True" : "False"; }
  void node(const IntLit& i) { out += std::to_string(i.value); }
  void node(const FloatLit& f) { out += float_repr(f.value); }
  void node(const ImagLit& f) { out += float_repr(f.value) + "j"; }
  void node(const StrLit& s) { append_quoted(out, s); }
  void node(const EllipsisLit&) { out += "..."; }
  void node(const Tuple& t) { display("tuple", t.elts); }
  void node(const List& l) { display("list", l.elts); }
  void node(const Set& s) { display("set", s.elts); }
  void node(const Dict& d) {
    open("dict");
    for (size_t i = 0; i < d.keys.size(); ++i) {
      out += " (";
      expr(*d.keys[i]);
      out += ' ';
      expr(*d.values[i]);
      out += ')';
    }
    out += ')';
  }
  void node(const Attribute& a) {
    open(". ");
    expr(*a.value);
    out += ' ' + a.attr + ')';
  }
  void node(const Subscript& s) { form("[]", {s.value.get(), s.index.get()}); }
  void node(const Slice& s) {
    open("slice ");
    opt(s.lower);
    out += ' ';
    opt(s.upper);
    out += ' ';
    opt(s.step);
    out += ')';
  }
  void node(const Call& c) {
    open("call ");
    expr(*c.func);
    items(c.args);
    for (const Keyword& k : c.keywords) {
      out += k.name.empty() ? " (** " : " (kw " + k.name + " ";
      expr(*k.value);
      out += ')';
    }
    out += ')';
  }
  void node(const Starred& s) { form("*", {s.value.get()}); }
  void node(const UnaryOp& u) { form(unaryop_symbol(u.op), {u.operand.get()}); }
  void node(const BinOp& b) { form(binop_symbol(b.op), {b.left.get(), b.right.get()}); }
  void node(const BoolOp& b) { form(b.op == BoolOpKind::or_ ? "or" : "and", {b.left.get(), b.right.get()}); }
  void node(const Compare& c) {
    if (c.ops.size() == 1) return form(cmpop_symbol(c.ops[0]), {c.left.get(), c.comparators[0].get()});  // (< a b)
    open("compare ");  // (compare a < b <= c)
    expr(*c.left);
    for (size_t i = 0; i < c.ops.size(); ++i) {
      out += ' ';
      out += cmpop_symbol(c.ops[i]);
      out += ' ';
      expr(*c.comparators[i]);
    }
    out += ')';
  }
  void node(const IfExp& e) { form("if", {e.test.get(), e.body.get(), e.orelse.get()}); }
  void node(const Lambda& l) {
    open("lambda (");
    for (size_t i = 0; i < l.params.size(); ++i) {
      if (i) out += ' ';
      out += l.params[i].name;
    }
    out += ") ";
    expr(*l.body);
    out += ')';
  }
  void node(const Comprehension& c) {
    static const char* const heads[] = {"listcomp ", "setcomp ", "dictcomp ", "genexp "};
    open(heads[static_cast<size_t>(c.kind)]);
    expr(*c.elt);
    if (c.value) {
      out += ' ';
      expr(*c.value);
    }
    for (const CompFor& f : c.fors) {
      out += " (for ";
      expr(*f.target);
      out += ' ';
      expr(*f.iter);
      for (const ExprPtr& cond : f.ifs) {
        out += " (if ";
        expr(*cond);
        out += ')';
      }
      out += ')';
    }
    out += ')';
  }
  void node(const NamedExpr& n) {
    open(":= ");
    out += n.target + ' ';
    expr(*n.value);
    out += ')';
  }
};

}  // namespace

std::string to_source(const Expr& expr) {
  Printer p;
  p.expr(expr);
  return std::move(p.out);
}

std::string to_source(const Stmt& stmt, int indent) {
  Printer p;
  p.stmt(stmt, indent);
  return std::move(p.out);
}

std::string to_source(const FunctionDef& def, int indent) {
  Printer p;
  p.def(def, indent);
  return std::move(p.out);
}

std::string to_source(const ClassDef& cls) {
  Printer p;
  p.cls(cls);
  return std::move(p.out);
}

std::string to_source(const Module& module) {
  Printer p;
  if (module.op_version_set) {
    p.out += "op_version_set = " + std::to_string(*module.op_version_set) + "\n";
  }
  for (const ClassDef& c : module.classes) p.cls(c);
  for (const FunctionDef& f : module.functions) p.def(f, 0);
  for (const StmtPtr& s : module.statements) p.stmt(*s, 0);
  return std::move(p.out);
}

std::string dump(const Expr& expr) {
  Dumper d;
  d.expr(expr);
  return std::move(d.out);
}

}  // namespace ptscope::ts
