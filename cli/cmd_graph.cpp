// `ptscope graph FILE [--input SPEC]... [--batch N] [--seq N] [--method NAME] [--json] [--by-op]`.
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/graph_input_options.h"
#include "report/graph_export.h"
#include "report/graph_report.h"

namespace ptscope::cli {

void register_graph_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "graph", "Run the model's forward on shapes only: layer table, module totals, FLOPs, architecture");
  struct Args {
    std::string file;
    GraphInputArgs graph_inputs;
    bool json = false;
    bool all = false;
    bool hide_views = false;
    std::string format = "text";
    bool by_op = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("file", args->file, "TorchScript model file (torch.jit.save)")->required();
  add_graph_input_options(*cmd, args->graph_inputs);
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
      args->graph_inputs.apply(options);
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
