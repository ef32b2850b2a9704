// `ptscope graph FILE [--input SPEC]... [--batch N] [--seq N] [--method NAME] [--json] [--by-op]`.
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "graph/input_inference.h"
#include "report/graph_export.h"
#include "report/graph_report.h"

namespace ptscope::cli {

void register_graph_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "graph", "Run the model's forward on shapes only: layer table, module totals, FLOPs, architecture");
  struct Args {
    std::string file;
    std::vector<std::string> inputs;
    int64_t batch = 0;
    int64_t seq = 0;
    std::string method = "forward";
    bool json = false;
    bool all = false;
    bool hide_views = false;
    std::string format = "text";
    bool by_op = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("file", args->file, "TorchScript model file (torch.jit.save)")->required();
  cmd->add_option("--input,-i", args->inputs,
                  "Input shape, repeatable, in argument order or by name: 1x3x224x224, ids:1x128:int64, n=4 "
                  "(default: inferred from the model)");
  cmd->add_option("--batch", args->batch, "Batch size for inferred inputs")->check(CLI::PositiveNumber);
  cmd->add_option("--seq", args->seq, "Sequence length for inferred token/sequence inputs")->check(CLI::PositiveNumber);
  cmd->add_option("--method", args->method, "Method to run (default forward)");
  cmd->add_flag("--json", args->json, "Machine-readable output (schema ptscope.graph/1)");
  cmd->add_option("--format", args->format,
                  "text, json, dot (Graphviz: module scopes as clusters) or svg (drawn by ptscope); shapes on every "
                  "edge, nodes coloured by FLOPs")
      ->check(CLI::IsMember({"text", "json", "dot", "svg"}));
  cmd->add_flag("--all", args->all, "List every layer (default: first 300)");
  cmd->add_flag("--hide-views", args->hide_views, "Leave view ops (reshape, transpose ...) out of the layer table");
  cmd->add_flag("--by-op", args->by_op,
                "Totals per aten op (count, FLOPs, MACs, bytes, backward FLOPs) and the ops without a FLOP rule");
  cmd->callback([args, &exit_code] {
    exit_code = run_guarded([&] {
      graph::GraphOptions options;
      options.method = args->method;
      for (const auto& text : args->inputs) options.inputs.push_back(graph::parse_input_spec(text));
      if (args->batch > 0) options.batch = args->batch;
      if (args->seq > 0) options.seq = args->seq;
      auto model = load_model(args->file);
      std::vector<graph::ModuleCall> calls;
      graph::Graph g = graph::build_graph(*model, options, &calls);
      GraphReport report{model.get(), &g, &calls, options.method};
      if (args->format == "dot") {
        std::cout << graph_dot(report);
      } else if (args->format == "svg") {
        std::cout << graph_svg(report);
      } else if (args->json || args->format == "json") {
        std::cout << graph_json(report).dump(1) << "\n";
      } else {
        GraphTextOptions text;
        text.max_layer_rows = args->all ? 0 : 300;
        text.show_views = !args->hide_views;
        text.by_op = args->by_op;
        std::cout << render_graph_text(report, text);
      }
      return 0;
    });
  });
}

}  // namespace ptscope::cli
