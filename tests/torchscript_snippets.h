// Helpers for the TorchScript front-end tests (test_torchscript_*.cpp): parse a
// snippet, dump an expression's tree, catch a parse failure, read the corpus.
#pragma once
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "parser/torchscript/parser.h"
#include "tests/test_paths.h"

namespace ts_snippets {

using namespace ptscope::ts;
using ptscope::ErrorCode;

inline ExprPtr expr(std::string_view src) { return parse_expression(src, "expr.py"); }
inline std::string d(std::string_view src) { return dump(*expr(src)); }
inline Module mod(std::string_view src) { return parse_source(src, "test.py"); }

inline std::vector<Tok> kinds(std::string_view src) {
  std::vector<Tok> out;
  for (const Token& t : tokenize(src, "lex.py")) out.push_back(t.kind);
  return out;
}

struct Failure {
  ErrorCode code = ErrorCode::usage;
  std::string message;
};

inline Failure failure(std::string_view src, const ParseLimits& limits = {}) {
  try {
    parse_source(src, "bad.py", limits);
  } catch (const ptscope::Error& e) {
    return {e.code(), e.what()};
  }
  FAIL("no error for: " << src);
  return {};
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::filesystem::path code_dir() {
  return ptscope::test::source_dir() + "/tests/data/torchscript_code";
}

// The body of the only function of a module.
inline const Block& body_of(const Module& m) {
  REQUIRE(m.functions.size() == 1);
  return m.functions[0].body;
}

}  // namespace ts_snippets
