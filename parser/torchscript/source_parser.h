// The TorchScript source parser's class, shared by its three files:
// parser.cpp (errors, modules, classes, functions and the entry points),
// parser_statements.cpp and parser_expressions.cpp. Internal to the parser.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parser/torchscript/lexer.h"
#include "parser/torchscript/parser.h"

namespace ptscope::ts::detail {

// Each binary operator's tokens: the operator with its rung on the ladder of
// binary operators (bitwise or = 1 up to the multiplicative ones = 6; `**`
// binds tighter and is parsed apart: 0), and its augmented assignment.
struct BinOpSyntax {
  BinOpKind op;
  Tok token;
  int precedence;
  Tok augmented;
};
inline constexpr BinOpSyntax kBinOpSyntax[] = {
    {BinOpKind::bit_or, Tok::pipe, 1, Tok::pipe_assign},   {BinOpKind::bit_xor, Tok::caret, 2, Tok::caret_assign},
    {BinOpKind::bit_and, Tok::amp, 3, Tok::amp_assign},    {BinOpKind::lshift, Tok::lshift, 4, Tok::lshift_assign},
    {BinOpKind::rshift, Tok::rshift, 4, Tok::rshift_assign}, {BinOpKind::add, Tok::plus, 5, Tok::plus_assign},
    {BinOpKind::sub, Tok::minus, 5, Tok::minus_assign},    {BinOpKind::mul, Tok::star, 6, Tok::star_assign},
    {BinOpKind::div, Tok::slash, 6, Tok::slash_assign},    {BinOpKind::mod, Tok::percent, 6, Tok::percent_assign},
    {BinOpKind::floordiv, Tok::double_slash, 6, Tok::double_slash_assign},
    {BinOpKind::matmul, Tok::at, 6, Tok::at_assign},
    {BinOpKind::pow, Tok::double_star, 0, Tok::double_star_assign},
};

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
  // A for or while loop after its header's `:`: the body, the `else:` suite
  // (empty when there is none), and the statement at `at`.
  template <class Loop>
  StmtPtr loop_rest(const Loc& at, Loop loop, std::string_view owner) {
    loop.body = suite(owner);
    if (accept(Tok::kw_else)) {
      expect(Tok::colon, "after 'else'");
      loop.orelse = suite("after 'else'");
    }
    return make_stmt(at, std::move(loop));
  }
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
  // `operand (op_token operand)*` folded left into BoolOps of `op`.
  ExprPtr bool_chain(Tok op_token, BoolOpKind op, Rule operand);
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
  ExprPtr sequence_display(Tok closer);  // ( ... ) or [ ... ]
  ExprPtr brace_display();
  ExprPtr comprehension(CompKind ck, const Loc& at, ExprPtr elt, ExprPtr value);

  Lexer lex_;
  Token ahead_[2];
  unsigned count_ = 0;
  uint32_t depth_ = 0;
  uint32_t max_depth_;
};

}  // namespace ptscope::ts::detail
