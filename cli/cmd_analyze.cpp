// `ptscope analyze FILE [--inference] [--profile] [--device cpu|cuda]
//  [--format text|md|json|html] [-o PATH] [--plots DIR] [--no-save] [--input SPEC]... [--batch N] [--seq N]`
// (also `ptscope FILE`): every analysis in one report (docs/analysis.md).
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/graph_input_options.h"
#include "cli/progress.h"
#include "core/error.h"
#include "report/analysis.h"
#include "report/html_report.h"

namespace ptscope::cli {

namespace {

constexpr const char* kSavedReport = "comprehensive_model_analysis.txt";

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::io, "cannot write " + path);
  f << text;
  if (!f) throw Error(ErrorCode::io, "cannot write " + path);
}

std::string render(const Analysis& a, const std::string& format) {
  if (format == "json") return analysis_json(a).dump(1) + "\n";
  if (format == "md") return render_analysis_markdown(a);
  if (format == "html") return report::render_html(a);
  return render_analysis_text(a);
}

}  // namespace

void register_analyze_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "analyze", "Full analysis: architecture, parameters, FLOPs, memory, training memory, roofline, "
                 "recommendations, system (also: ptscope FILE)");
  struct Args {
    std::string file;
    AnalysisOptions options;  // the options of the same name bind to its fields directly
    bool no_save = false, measure = false;
    std::string format = "text", output, plots;
    GraphInputArgs graph_inputs;
    std::vector<int64_t> sweep_batch, sweep_seq;
    double peak_gflops = 0, peak_bandwidth = 0;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("file", args->file, "PyTorch model file (TorchScript for the graph sections)")->required();
  cmd->add_flag("--inference", args->options.inference, "Run the model on the executor: latency and per-op times");
  cmd->add_flag("--profile", args->options.profile, "--inference plus measured roofline ceilings (FMA loop, memory read)");
  cmd->add_option("--device", args->options.device, "Executor device for --inference/--profile")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--format,-f", args->format, "Output format (default text)")
      ->check(CLI::IsMember({"text", "md", "json", "html"}));
  cmd->add_option("-o,--output", args->output, "Write the report to this file instead of stdout");
  cmd->add_option("--plots", args->plots, "Also write every plot as an SVG file into this directory");
  cmd->add_flag("--no-save", args->no_save,
                std::string("Do not write ") + kSavedReport + " in the current directory");
  add_graph_input_options(*cmd, args->graph_inputs);
  cmd->add_option("--runs", args->options.runs, "Timed executor runs (default 10)")->check(CLI::Range(1, 100000));
  cmd->add_option("--warmup", args->options.warmup, "Untimed executor runs first (default 2)")->check(CLI::Range(0, 100000));
  cmd->add_option("--threads", args->options.threads, "Threads for the weight statistics (default: all)");
  cmd->add_option("--bins", args->options.histogram_bins, "Histogram bins per tensor (default 32)")->check(CLI::Range(1, 4096));
  cmd->add_option("--sweep-batch", args->sweep_batch, "Also sweep these batch sizes (1,2,4,8)")->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_option("--sweep-seq", args->sweep_seq, "Also sweep these sequence lengths (64,128,256)")->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--measure", args->measure, "Time every sweep point on the executor");
  cmd->add_flag("--spectral", args->options.spectral,
                "Per-layer heavy-tail metrics (WeightWatcher's alpha, D, ...) with its warnings as recommendations");
  cmd->add_option("--peak-gflops", args->peak_gflops, "Roofline compute ceiling, GFLOP/s (default: estimated)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--peak-bandwidth", args->peak_bandwidth, "Roofline memory ceiling, GB/s (default: estimated)")
      ->check(CLI::PositiveNumber);
  cmd->callback([args, &exit_code] {
    exit_code = run_guarded([&] {
      AnalysisOptions o = args->options;
      args->graph_inputs.apply(o.graph);
      if (args->peak_gflops > 0) o.peak_gflops = args->peak_gflops;
      if (args->peak_bandwidth > 0) o.peak_bandwidth_gbs = args->peak_bandwidth;
      if (!args->sweep_batch.empty() || !args->sweep_seq.empty())
        o.sweep = SweepRequest{args->sweep_batch, args->sweep_seq, args->measure};
      ProgressBar bar;
      o.progress = [&bar](std::string_view what, int step, int steps) { bar.update(what, step, steps); };
      const Analysis a = run_analysis(args->file, o);
      bar.clear();
      const std::string report = render(a, args->format);
      if (args->output.empty()) std::cout << report;
      else write_file(args->output, report);
      if (!args->no_save) write_file(kSavedReport, args->format == "text" ? report : render_analysis_text(a));
      if (!args->plots.empty()) {
        const auto written = report::write_plots(a, args->plots);
        std::cerr << "wrote " << written.size() << " plots to " << args->plots << "\n";
      }
      return 0;
    });
  });
}

}  // namespace ptscope::cli
