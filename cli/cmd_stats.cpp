// `ptscope stats FILE [--json] [--bins N] [--top K] [--filter REGEX]`.
#include <sys/resource.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/errors.h"
#include "core/model.h"
#include "stats/baseline.h"
#include "stats/heavy_tail.h"
#include "stats/heavy_tail_report.h"
#include "stats/model_stats.h"
#include "stats/parallel.h"
#include "stats/stats_json.h"
#include "stats/stats_report.h"

namespace {

struct StatsArgs {
  std::string file;
  bool json = false;
  int bins = 64;
  int top = 10;
  std::string filter;
  unsigned threads = 0;
  bool no_spectral = false;
  bool heavy_tail = false;
  bool no_compress = false;
  bool channels = false;
  bool all = false;
  double sample_mib = 4;
  int bench = 0;  // hidden: repetitions of the throughput benchmark
};

// Process CPU seconds (user + system): on a shared machine wall time also
// counts other people's work, CPU time does not.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Hidden benchmark mode for bench/stats_bench.sh: the element passes against
// a plain parallel read of the same bytes, in the same process.
int run_bench(const ptscope::Model& model, const ptscope::ModelStatsOptions& options, int reps) {
  using namespace ptscope;
  std::vector<const Tensor*> tensors;
  for (const auto& nt : model.tensors)
    if (nt.tensor) tensors.push_back(nt.tensor.get());
  read_baseline(tensors, options.stats.threads);  // fault the pages in first
  double best_read = 1e300, best_passes = 1e300, read_cpu = 1e300, passes_cpu = 1e300;
  uint64_t bytes = 0, stats_bytes = 0;
  StatsOptions core = options.stats;
  core.spectral = core.compression = false;
  for (int r = 0; r < reps; ++r) {
    double c0 = cpu_seconds();
    const ReadBaseline b = read_baseline(tensors, options.stats.threads);
    read_cpu = std::min(read_cpu, cpu_seconds() - c0);
    best_read = std::min(best_read, b.seconds);
    bytes = b.bytes;
    StatsTimings tm;
    c0 = cpu_seconds();
    compute_tensor_stats_batch(tensors, core, &tm);
    passes_cpu = std::min(passes_cpu, cpu_seconds() - c0);
    best_passes = std::min(best_passes, tm.pass1 + tm.pass2);
    stats_bytes = tm.bytes;
  }
  const ModelStats full = compute_model_stats(model, options);
  nlohmann::json j = {{"bytes", bytes},
                      {"stats_bytes", stats_bytes},
                      {"read_s", best_read},
                      {"read_gbps", double(bytes) / best_read / 1e9},
                      {"passes_s", best_passes},
                      {"passes_gbps", double(stats_bytes) / best_passes / 1e9},
                      {"throughput_ratio", (double(stats_bytes) / best_passes) / (double(bytes) / best_read)},
                      {"read_cpu_s", read_cpu},
                      {"passes_cpu_s", passes_cpu},
                      {"throughput_ratio_cpu", (double(stats_bytes) / passes_cpu) / (double(bytes) / read_cpu)},
                      {"full_pass1_s", full.timings.pass1},
                      {"full_pass2_s", full.timings.pass2},
                      {"full_spectral_s", full.timings.spectral},
                      {"full_compression_s", full.timings.compression},
                      {"full_total_s", full.timings.total},
                      {"threads", stats::resolve_threads(options.stats.threads)}};
  std::cout << j.dump(2) << "\n";
  return 0;
}

}  // namespace

void register_stats_command(CLI::App& app, int& exit_code) {
  using namespace ptscope;
  auto* cmd = app.add_subcommand("stats", "Weight statistics: moments, spectral norms, histograms, "
                                          "quantization sensitivity, pruning potential");
  auto args = std::make_shared<StatsArgs>();
  cmd->add_option("file", args->file, "PyTorch model file")->required();
  cmd->add_flag("--json", args->json, "Machine-readable output (schema ptscope.stats/1)");
  cmd->add_option("--bins", args->bins, "Histogram bins over [min, max] (default 64)")->check(CLI::Range(1, 1 << 24));
  cmd->add_option("--top", args->top, "Layers in each ranking (default 10)")->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--filter", args->filter, "Only tensors whose name matches this regex (ECMAScript, searched)");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all hardware threads)");
  cmd->add_flag("--no-spectral", args->no_spectral, "Skip spectral norms");
  cmd->add_flag("--spectral", args->heavy_tail,
                "Per-layer heavy-tailed spectral metrics with WeightWatcher's conventions (alpha, D, xmin, ...)");
  cmd->add_flag("--no-compress", args->no_compress, "Skip the zlib/zstd compressibility measurement");
  cmd->add_flag("--channels", args->channels, "Include every output channel's L2 norm in the JSON");
  cmd->add_flag("--all", args->all, "List every tensor in the table (default: first 200)");
  cmd->add_option("--compress-sample-mib", args->sample_mib,
                  "Bytes per tensor given to zlib/zstd, MiB (0 = all; default 4)")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--bench", args->bench, "")->group("");  // hidden, for bench/stats_bench.sh
  cmd->callback([args, &exit_code] {
    exit_code = cli::run_guarded([&] {
      ModelStatsOptions options;
      options.stats.bins = args->bins;
      options.top_k = args->top;
      options.filter = args->filter;
      options.stats.threads = args->threads;
      options.stats.spectral = !args->no_spectral;
      options.stats.compression = !args->no_compress;
      options.stats.keep_channel_norms = args->channels;
      options.stats.compress_options.sample_bytes = uint64_t(args->sample_mib * 1048576.0);
      auto model = load_model(args->file);
      if (args->bench > 0) return run_bench(*model, options, args->bench);
      const ModelStats ms = compute_model_stats(*model, options);
      std::optional<HeavyTailReport> heavy;
      if (args->heavy_tail) {
        HeavyTailOptions h;
        h.threads = args->threads;
        heavy = heavy_tail_analysis(*model, h);
      }
      if (args->json) {
        nlohmann::json j = model_stats_json(ms, options);
        if (heavy) j["heavy_tail"] = heavy_tail_json(*heavy);
        std::cout << j.dump(2) << "\n";
      } else {
        StatsTextOptions text;
        text.max_rows = args->all ? 0 : 200;
        std::cout << render_stats_text(ms, options, text);
        if (heavy) std::cout << render_heavy_tail_text(*heavy);
      }
      return 0;
    });
  });
}
