// `ptscope profile FILE --device cpu [--threads N] [--input SPEC]... [--batch N] [--seq N]
//  [--input-file F]... [--output-file F] [--warmup W] [--repeat R] [--seed S] [--json]`:
// runs the model with its weights on an executor and times every node.
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/graph_input_options.h"
#include "core/model.h"
#include "kernels/profile.h"
#include "kernels/executor.h"

namespace ptscope::cli {

void register_profile_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "profile", "Run the model with its weights on an executor: time, FLOP rate and live memory of every node");
  struct Args {
    std::string file;
    kernels::ProfileOptions options;  // the options bind to its fields directly
    GraphInputArgs graph_inputs;
    bool json = false;
    bool all = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("file", args->file, "TorchScript model file (torch.jit.save)")->required();
  cmd->add_option("--device", args->options.device, "Executor: cpu or cuda (default cpu)");
  cmd->add_option("--threads", args->options.threads, "CPU threads (default: all cores)")->check(CLI::NonNegativeNumber);
  add_graph_input_options(*cmd, args->graph_inputs);
  cmd->add_option("--input-file", args->options.input_files,
                  "Input data instead of random: raw little-endian bytes or .npy, one per input "
                  "(or one raw file with all inputs back to back)");
  cmd->add_option("--output-file", args->options.output_file, "Write the outputs (raw little-endian, or .npy for one output)");
  cmd->add_option("--warmup", args->options.warmup, "Untimed runs first (default 2)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--repeat", args->options.repeat, "Timed runs (default 10)")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->options.seed, "Seed of the random inputs (default 0)");
  cmd->add_flag("--json", args->json, "Machine-readable output (schema ptscope.profile/1)");
  cmd->add_flag("--all", args->all, "List every node (default: the 40 slowest)");
  cmd->callback([args, &exit_code] {
    exit_code = run_guarded([&] {
      kernels::ProfileOptions o = args->options;
      args->graph_inputs.apply(o.graph);
      // Fail on an unavailable device before loading anything.
      if (!kernels::backend_built(o.device)) kernels::make_backend(o.device);
      auto model = load_model(args->file);
      kernels::ProfileResult r = kernels::profile(*model, o);
      if (args->json) std::cout << kernels::profile_json(r).dump(1) << "\n";
      else std::cout << kernels::render_profile_text(r, args->all ? 0 : 40);
      return 0;
    });
  });
}

}  // namespace ptscope::cli
