// Recursive-descent parser for TorchScript source files (code/**.py written
// by torch.jit.save). It accepts the Python subset PythonPrint emits plus the
// ordinary Python expression and statement syntax the TorchScript importer
// understands, and sorts class bodies into the metadata forms that
// SourceImporterImpl::importClass reads (__parameters__, attributes, ...).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parser/torchscript/ast.h"

namespace ptscope::ts {

// Hard limits against hostile input; exceeding one throws
// ErrorCode::limit_exceeded. Depth counts nested expressions, operator chains
// and blocks, i.e. the depth of the tree, so parsing, printing and destroying
// it never overflow the C++ stack: at 500 levels the parser needs about
// 1.2 MB of stack in a Release build and 4 MB under AddressSanitizer (lower
// the limit on threads with small stacks). Real PythonPrint output nests a
// few dozen levels at most; 4M tokens is a 10+ MB source, while the largest
// code files seen are tens of KB.
struct ParseLimits {
  uint32_t max_depth = 500;
  size_t max_tokens = size_t{1} << 22;
};

// Parses one code file. Syntax errors throw ptscope::Error(ErrorCode::corrupt,
// "<file>:<line>:<col>: expected ':' after ..."); constructs TorchScript
// cannot have (nested classes, unknown base classes) throw
// ErrorCode::unsupported.
Module parse_source(std::string_view source, std::string file_name,
                    const ParseLimits& limits = {});

// Parses a single expression, e.g. a type string such as "Optional[List[int]]".
ExprPtr parse_expression(std::string_view source, std::string file_name,
                         const ParseLimits& limits = {});

}  // namespace ptscope::ts
