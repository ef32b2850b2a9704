// Bounds on one interpreter run (graph/interpreter.h), set through
// GraphOptions::limits: they stop runaway loops and recursion in model code.
#pragma once
#include <cstdint>

namespace ptscope::graph {

struct InterpreterLimits {
  uint64_t max_steps = 50'000'000;        // statements and calls, against runaway loops
  int64_t max_loop_iterations = 10'000'000;
  int max_call_depth = 200;
};

}  // namespace ptscope::graph
