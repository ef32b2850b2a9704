// `ptscope diff A B [--json] [--all] [--identical] [--threads N]`: what changed
// between two models (any two files or checkpoint folders the reader opens).
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "report/diff_report.h"

namespace ptscope::cli {

void register_diff_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("diff", "Compare two models: keys only in one, shape/dtype changes, and per tensor "
                                         "max |Δ|, relative L2, cosine similarity, changed fraction");
  struct Args {
    std::string a, b;
    bool json = false, all = false, identical = false;
    unsigned threads = 0;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("a", args->a, "First model (file, checkpoint folder or index file)")->required();
  cmd->add_option("b", args->b, "Second model")->required();
  cmd->add_flag("--json", args->json, "Machine-readable output (schema ptscope.diff/1)");
  cmd->add_flag("--all", args->all, "List every changed tensor (default: the 50 most changed)");
  cmd->add_flag("--identical", args->identical, "Also list identical tensors");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all hardware threads)");
  cmd->callback([args, &exit_code] {
    exit_code = run_guarded([&] {
      auto a = load_model(args->a);
      // The same file twice: one mapping, so identical storages are known
      // without reading a byte.
      std::error_code ec;
      const bool same = std::filesystem::equivalent(args->a, args->b, ec) && !ec;
      std::unique_ptr<Model> b = same ? nullptr : load_model(args->b);
      const Model& mb = same ? *a : *b;
      DiffOptions options;
      options.threads = args->threads;
      const ModelDiff d = diff_models(*a, mb, options);
      if (args->json) {
        std::cout << diff_json(*a, mb, d).dump(2) << "\n";
      } else {
        DiffTextOptions text;
        text.max_rows = args->all ? 0 : 50;
        text.show_identical = args->identical;
        std::cout << render_diff_text(*a, mb, d, text);
      }
      return 0;
    });
  });
}

}  // namespace ptscope::cli
