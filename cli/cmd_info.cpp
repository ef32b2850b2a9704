// `ptscope info FILE [--json]`.
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "report/info_report.h"

namespace ptscope::cli {

void register_info_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("info", "What is in the file: kind, version, module tree, tensor table");
  struct Args {
    std::string file;
    bool json = false;
    bool all = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("file", args->file, "PyTorch model file")->required();
  cmd->add_flag("--json", args->json, "Machine-readable output (schema ptscope.info/1)");
  cmd->add_flag("--all", args->all, "List every tensor (default: first 200)");
  cmd->callback([args, &exit_code] {
    exit_code = run_guarded([&] {
      auto model = load_model(args->file);
      if (args->json) {
        std::cout << info_json(*model).dump(2) << "\n";
      } else {
        InfoOptions options;
        options.max_tensor_rows = args->all ? 0 : 200;
        std::cout << render_info_text(*model, options);
      }
      return 0;
    });
  });
}

}  // namespace ptscope::cli
