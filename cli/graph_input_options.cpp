#include "cli/graph_input_options.h"

namespace ptscope::cli {

void GraphInputArgs::apply(graph::GraphOptions& options) const {
  options.method = method;
  for (const auto& text : inputs) options.inputs.push_back(graph::parse_input_spec(text));
  if (batch > 0) options.batch = batch;
  if (seq > 0) options.seq = seq;
}

void add_graph_input_options(CLI::App& cmd, GraphInputArgs& args, bool batch_and_seq) {
  cmd.add_option("--input,-i", args.inputs,
                 "Input shape, repeatable, in argument order or by name: 1x3x224x224, ids:1x128:int64, n=4 "
                 "(default: inferred from the model)");
  if (batch_and_seq) {
    cmd.add_option("--batch", args.batch, "Batch size for inferred inputs")->check(CLI::PositiveNumber);
    cmd.add_option("--seq", args.seq, "Sequence length for inferred token/sequence inputs")->check(CLI::PositiveNumber);
  }
  cmd.add_option("--method", args.method, "Method to run (default forward)");
}

}  // namespace ptscope::cli
