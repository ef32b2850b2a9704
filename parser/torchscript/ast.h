// Syntax tree for TorchScript source (code/**.py as PythonPrint writes it).
// Nodes are small structs held in a std::variant, so an interpreter can
// std::visit them or test with as<T>(); every node carries its Loc. The tree
// follows Python's ast module where TorchScript needs the same construct.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parser/torchscript/lexer.h"

namespace ptscope::ts {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using ExprList = std::vector<ExprPtr>;
using Block = std::vector<StmtPtr>;

// What an expression and a statement are: where the node starts (its first
// token, as in Python's ast) and the node, one of a variant's kinds.
template <class Node>
struct Located {
  Loc loc;
  Node node;

  template <class T> const T* as() const { return std::get_if<T>(&node); }
  template <class T> T* as() { return std::get_if<T>(&node); }
  template <class T> bool is() const { return std::holds_alternative<T>(node); }
};

// ---------------------------------------------------------------- expressions

struct Name { std::string id; };
struct NoneLit {};
struct BoolLit { bool value = false; };
// Literals above INT64_MAX wrap (see Lexer::int_value); `-1` is UnaryOp(neg, 1).
struct IntLit { int64_t value = 0; };
struct FloatLit { double value = 0; };
struct ImagLit { double value = 0; };  // `2.5j`: the imaginary part
struct StrLit {                        // adjacent literals are joined
  std::string value;
  StrKind kind = StrKind::str;         // f-strings keep their {fields} unparsed
};
struct EllipsisLit {};
struct Tuple { ExprList elts; };
struct List { ExprList elts; };
struct Set { ExprList elts; };
struct Dict { ExprList keys, values; };
struct Attribute { ExprPtr value; std::string attr; };
// `a[i, j]` has a Tuple index; slices appear only inside an index.
struct Subscript { ExprPtr value; ExprPtr index; };
struct Slice { ExprPtr lower, upper, step; };  // each may be null
struct Keyword {
  Loc loc;
  std::string name;  // empty for `**value`
  ExprPtr value;
};
struct Call {
  ExprPtr func;
  ExprList args;  // `*x` arguments are Starred
  std::vector<Keyword> keywords;
};
struct Starred { ExprPtr value; };

enum class UnaryOpKind : uint8_t { neg, pos, invert, not_ };
struct UnaryOp { UnaryOpKind op; ExprPtr operand; };

enum class BinOpKind : uint8_t {
  add, sub, mul, div, floordiv, mod, pow, matmul, lshift, rshift, bit_or, bit_xor, bit_and,
};
struct BinOp { BinOpKind op; ExprPtr left, right; };

enum class BoolOpKind : uint8_t { and_, or_ };
struct BoolOp { BoolOpKind op; ExprPtr left, right; };  // `a or b or c` nests left

enum class CmpOpKind : uint8_t { eq, ne, lt, le, gt, ge, is, is_not, in, not_in };
// `a < b <= c`: left a, ops {lt, le}, comparators {b, c}.
struct Compare {
  ExprPtr left;
  std::vector<CmpOpKind> ops;
  ExprList comparators;
};
struct IfExp { ExprPtr test, body, orelse; };

enum class ParamKind : uint8_t {
  positional,       // plain, before any `*`
  positional_only,  // before a `/`
  var_positional,   // *args
  keyword_only,     // after `*` or `*args`
  var_keyword,      // **kwargs
};
struct Param {
  Loc loc;
  std::string name;
  ExprPtr annotation;     // may be null
  ExprPtr default_value;  // may be null
  ParamKind kind = ParamKind::positional;
};
struct Lambda { std::vector<Param> params; ExprPtr body; };

struct CompFor {
  Loc loc;
  ExprPtr target;
  ExprPtr iter;
  ExprList ifs;
};
enum class CompKind : uint8_t { list, set, dict, generator };
struct Comprehension {
  CompKind kind;
  ExprPtr elt;    // the key for dict comprehensions
  ExprPtr value;  // dict comprehensions only
  std::vector<CompFor> fors;
};
struct NamedExpr { std::string target; ExprPtr value; };  // `(x := v)`

using ExprNode =
    std::variant<Name, NoneLit, BoolLit, IntLit, FloatLit, ImagLit, StrLit, EllipsisLit,
                 Tuple, List, Set, Dict, Attribute, Subscript, Slice, Call, Starred,
                 UnaryOp, BinOp, BoolOp, Compare, IfExp, Lambda, Comprehension, NamedExpr>;

struct Expr : Located<ExprNode> {};

// `new` with braces builds the node in place (make_unique would move a
// temporary Expr, costing time and parser stack).
template <class T>
ExprPtr make_expr(const Loc& loc, T node) {
  return ExprPtr(new Expr{{loc, ExprNode(std::move(node))}});
}

// True when `e` is the plain name `id` (`range`, `Final`, `List` ...).
bool is_name(const Expr& e, std::string_view id);

// ----------------------------------------------------------------- statements

struct ExprStmt { ExprPtr value; };
// `a = b = v` has targets {a, b}; `a, b, = v` has one Tuple target.
struct Assign { ExprList targets; ExprPtr value; };
struct AnnAssign { ExprPtr target, annotation, value; };  // value may be null
struct AugAssign { ExprPtr target; BinOpKind op; ExprPtr value; };
struct If { ExprPtr test; Block body, orelse; };  // `elif`: orelse is one If
struct For { ExprPtr target, iter; Block body, orelse; };
struct While { ExprPtr test; Block body, orelse; };
struct Return { ExprPtr value; };  // null for a bare `return`
struct Pass {};
struct Break {};
struct Continue {};
struct Raise { ExprPtr exc, cause; };  // both may be null
struct Assert { ExprPtr test, msg; };  // msg may be null
struct Delete { ExprList targets; };
struct WithItem { ExprPtr context, var; };  // var may be null
struct With { std::vector<WithItem> items; Block body; };
struct Global { std::vector<std::string> names; bool nonlocal = false; };
struct ImportName { std::string name, as; };  // `as` empty when absent
struct Import {
  std::string from;  // `from X import ...`; empty for `import ...`
  std::vector<ImportName> names;
};
struct FunctionDef {
  Loc loc;
  std::string name;
  std::vector<Param> params;
  ExprPtr returns;  // may be null
  Block body;
  ExprList decorators;
};

using StmtNode =
    std::variant<ExprStmt, Assign, AnnAssign, AugAssign, If, For, While, Return, Pass,
                 Break, Continue, Raise, Assert, Delete, With, Global, Import, FunctionDef>;

struct Stmt : Located<StmtNode> {};
template <class T>
StmtPtr make_stmt(const Loc& loc, T node) {
  return StmtPtr(new Stmt{{loc, StmtNode(std::move(node))}});
}

// -------------------------------------------------------------------- classes

// From the base class name (SourceImporterImpl::importNamedType).
enum class ClassKind : uint8_t { plain, module, named_tuple, enum_, interface, module_interface };
const char* class_kind_name(ClassKind kind);

// One annotated name of a class body, in source (= slot) order:
//   `name : T`                       type T
//   `__annotations__["0"] = T`       name "0", type T
//   `name : Final[T] = v`            type T, is_final, value v (a constant)
//   `name : T = v`                   NamedTuple default (or a constant)
//   `NAME = v`                       enum member: no type, value v
struct ClassAttribute {
  Loc loc;
  std::string name;
  ExprPtr type;
  bool is_final = false;
  ExprPtr value;
};

namespace detail { class SourceParser; }

class ClassDef {
 public:
  const Loc& loc() const { return loc_; }
  const std::string& name() const { return name_; }
  const Expr* base() const { return base_.get(); }  // null without a base
  ClassKind kind() const { return kind_; }
  const std::vector<std::string>& parameters() const { return parameters_; }
  const std::vector<std::string>& buffers() const { return buffers_; }
  const std::vector<std::string>& forward_pre_hooks() const { return forward_pre_hooks_; }
  const std::vector<std::string>& forward_hooks() const { return forward_hooks_; }
  const std::vector<ClassAttribute>& attributes() const { return attributes_; }
  const std::vector<FunctionDef>& methods() const { return methods_; }

  const ClassAttribute* find_attribute(std::string_view name) const;
  const FunctionDef* find_method(std::string_view name) const;

 private:
  friend class detail::SourceParser;
  Loc loc_;
  std::string name_;
  ExprPtr base_;
  ClassKind kind_ = ClassKind::plain;
  std::vector<std::string> parameters_, buffers_, forward_pre_hooks_, forward_hooks_;
  std::vector<ClassAttribute> attributes_;
  std::vector<FunctionDef> methods_;
};

// One parsed code file.
struct Module {
  std::string file_name;
  std::optional<int64_t> op_version_set;  // old archives: `op_version_set = N`
  std::vector<ClassDef> classes;
  std::vector<FunctionDef> functions;
  Block statements;  // any other top-level statements; imports are dropped

  const ClassDef* find_class(std::string_view name) const;
  const FunctionDef* find_function(std::string_view name) const;
};

// --------------------------------------------------------------- debug output

const char* binop_symbol(BinOpKind op);    // "+", "//", ...
const char* cmpop_symbol(CmpOpKind op);    // "<", "is not", ...
const char* unaryop_symbol(UnaryOpKind op);  // "-", "not", ...

// Re-prints code (2-space indents, minimal parentheses). Parsing the result
// gives the same tree; the original parentheses and quotes are not kept.
std::string to_source(const Expr& expr);
std::string to_source(const Stmt& stmt, int indent = 0);
std::string to_source(const FunctionDef& def, int indent = 0);
std::string to_source(const ClassDef& cls);
std::string to_source(const Module& module);

// A compact S-expression showing the tree's shape, e.g. "(+ a (* b c))".
std::string dump(const Expr& expr);

}  // namespace ptscope::ts
