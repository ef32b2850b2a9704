// ptscope command line: a thin layer over the library.
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"

int main(int argc, char** argv) {
  CLI::App app{"ptscope: inspect PyTorch model files without PyTorch"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ptscope ") + PTSCOPE_VERSION +
#ifdef PTSCOPE_WITH_CUDA
                                        " (CUDA executor built in)"
#else
                                        " (CUDA executor not built)"
#endif
  );
  int exit_code = 0;
  ptscope::cli::register_info_command(app, exit_code);
  register_stats_command(app, exit_code);
  ptscope::cli::register_graph_command(app, exit_code);
  ptscope::cli::register_audit_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : ptscope::cli::kExitUsage;
  }
  return exit_code;
}
