// The options that choose what a model's graph runs on (--input, --batch,
// --seq, --method), declared once for every command that builds a graph:
// graph, profile, analyze and sweep.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/input_inference.h"

namespace ptscope::cli {

struct GraphInputArgs {
  std::vector<std::string> inputs;  // --input specs as typed
  int64_t batch = 0;                // 0: not given
  int64_t seq = 0;                  // 0: not given
  std::string method = "forward";

  // Fills `options` (method, parsed input specs, batch and sequence overrides);
  // a malformed --input throws a usage error.
  void apply(graph::GraphOptions& options) const;
};

// Declares --input/-i, --batch and --seq (unless the command has its own
// list-valued --batch/--seq, as sweep does) and --method on `cmd`.
void add_graph_input_options(CLI::App& cmd, GraphInputArgs& args, bool batch_and_seq = true);

}  // namespace ptscope::cli
