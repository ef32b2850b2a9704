// ptscope command line: a thin layer over the library.
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <algorithm>
#include <vector>

#include "cli/commands.h"
#include "cli/errors.h"

int main(int argc, char** argv) {
  CLI::App app{"ptscope: inspect PyTorch model files without PyTorch"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ptscope ") + PTSCOPE_VERSION +
#ifdef PTSCOPE_WITH_CUDA
                                        " (CUDA executor: plugin libptscope_cuda.so)"
#else
                                        " (CUDA executor not built)"
#endif
  );
  int exit_code = 0;
  ptscope::cli::register_info_command(app, exit_code);
  register_stats_command(app, exit_code);
  ptscope::cli::register_graph_command(app, exit_code);
  ptscope::cli::register_audit_command(app, exit_code);
  ptscope::cli::register_profile_command(app, exit_code);
  ptscope::cli::register_analyze_command(app, exit_code);
  ptscope::cli::register_sweep_command(app, exit_code);
  ptscope::cli::register_diff_command(app, exit_code);
  // `ptscope FILE [options]` is `ptscope analyze FILE [options]` when FILE
  // names an existing file and no subcommand of that name exists.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && !args[0].empty() && args[0][0] != '-' &&
      std::as_const(app).get_subcommands([&](const CLI::App* c) { return c->check_name(args[0]); }).empty()) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(args[0], ec) || std::filesystem::is_directory(args[0], ec))
      args.insert(args.begin(), "analyze");
  }
  try {
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last-first
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : ptscope::cli::kExitUsage;
  }
  return exit_code;
}
