// `ptscope sweep FILE --batch 1,2,4,8,16 [--seq 64,128,256,512] [--measure] [--device cpu|cuda] [--json]`:
// FLOPs and memory (and latency) per point, with linear and quadratic fits.
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/graph_input_options.h"
#include "cli/progress.h"
#include "report/html_report.h"
#include "report/sweep.h"

namespace ptscope::cli {

void register_sweep_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("sweep", "FLOPs, memory and latency against batch size and sequence length, "
                                          "with least-squares fits");
  struct Args {
    std::string file, device = "cpu", plots;
    std::vector<int64_t> batch, seq;  // the sweep's points, not GraphInputArgs' single values
    GraphInputArgs graph_inputs;
    bool measure = false, json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("file", args->file, "TorchScript model file")->required();
  cmd->add_option("--batch", args->batch, "Batch sizes, comma-separated (1,2,4,8,16)")->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seq", args->seq, "Sequence lengths, comma-separated (64,128,256,512)")->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--measure", args->measure, "Time each point on the executor (median of 5 runs)");
  cmd->add_option("--device", args->device, "Executor device for --measure")->check(CLI::IsMember({"cpu", "cuda"}));
  add_graph_input_options(*cmd, args->graph_inputs, /*batch_and_seq=*/false);
  cmd->add_option("--plots", args->plots, "Also write the sweep plots (curves with fits, heat map) as SVG files here");
  cmd->add_flag("--json", args->json, "Machine-readable output (the `sweep` object of ptscope.analysis/1)");
  cmd->callback([args, &exit_code] {
    exit_code = run_guarded([&] {
      graph::GraphOptions o;
      args->graph_inputs.apply(o);
      auto model = load_model(args->file);
      ProgressBar bar;
      const SweepResult r = run_sweep(*model, o, SweepRequest{args->batch, args->seq, args->measure}, args->device,
                                      [&bar](std::string_view what, int step, int steps) { bar.update(what, step, steps); });
      bar.clear();
      if (args->json) std::cout << sweep_json(r).dump(1) << "\n";
      else std::cout << render_sweep_text(r);
      if (!args->plots.empty()) {
        const auto written = report::write_sweep_plots(r, args->plots);
        std::cerr << "wrote " << written.size() << " plots to " << args->plots << "\n";
      }
      return 0;
    });
  });
}

}  // namespace ptscope::cli
