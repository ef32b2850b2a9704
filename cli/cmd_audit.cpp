// `ptscope audit PATH... [--format text|json|sarif] [--fail-on LEVEL] [--torch-version X.Y]`
// Static security audit for CI; exit codes 0 clean, 1 findings, 2 errors, 64 usage.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "audit/report.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "parser/checkpoint_folder.h"

namespace ptscope::cli {

namespace {

namespace fs = std::filesystem;

struct AuditArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string fail_on = "suspicious";
  std::string torch_version = "latest";
  std::vector<std::string> waiver_files;
  std::vector<std::string> allowed_globals;
  std::string output;
  int jobs = 0;
  bool allow_empty = false;
  bool verbose = false;
  bool list_rules = false;
};

// Files to scan, in a stable order; paths that cannot be walked become error entries.
std::vector<std::string> collect_files(const std::vector<std::string>& paths, std::vector<audit::AuditReport>& failures) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      audit::AuditReport r;
      r.path = p;
      r.kind = "missing";
      r.errors.push_back("cannot open '" + p + "': no such file or directory");
      failures.push_back(std::move(r));
      continue;
    }
    if (!fs::is_directory(st)) {
      files.push_back(p);
      // A checkpoint index: its shards are what loading it reads, so they are audited too.
      try {
        for (const auto& shard : checkpoint_index_shards(p))
          if (std::find(files.begin(), files.end(), shard) == files.end()) files.push_back(shard);
      } catch (const Error& e) {
        audit::AuditReport r;
        r.path = p;
        r.kind = "checkpoint-index";
        r.errors.push_back(e.what());
        failures.push_back(std::move(r));
      }
      continue;
    }
    std::vector<std::string> found;
    // Symlinked directories are not followed: a link cycle must not hang CI.
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code fec;
      if (it->is_regular_file(fec)) found.push_back(it->path().string());
    }
    if (ec) {
      audit::AuditReport r;
      r.path = p;
      r.kind = "directory";
      r.errors.push_back("cannot walk '" + p + "': " + ec.message());
      failures.push_back(std::move(r));
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::vector<audit::AuditReport> scan_all(const std::vector<std::string>& files, const audit::AuditOptions& options,
                                         int jobs) {
  std::vector<audit::AuditReport> reports(files.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      try {
        reports[i] = audit::audit_file(files[i], options);
      } catch (const std::exception& e) {  // unopenable file, out of memory: never fail open
        reports[i] = audit::AuditReport{};
        reports[i].path = files[i];
        reports[i].kind = "unreadable";
        reports[i].errors.push_back(e.what());
      }
    }
  };
  const size_t n = std::min<size_t>(size_t(std::max(jobs, 1)), std::max<size_t>(files.size(), 1));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return reports;
}

int run_audit(const AuditArgs& args) {
  if (args.list_rules) {
    std::cout << audit::render_rules();
    return 0;
  }
  if (args.paths.empty()) throw Error(ErrorCode::usage, "audit: give at least one file or directory");
  audit::AuditOptions options;
  const auto version = audit::TorchVersion::parse(args.torch_version);
  if (!version) throw Error(ErrorCode::usage, "audit: --torch-version expects X.Y (e.g. 2.6), not '" + args.torch_version + "'");
  if (!version->at_least(audit::kOldestTorch.major, audit::kOldestTorch.minor))
    throw Error(ErrorCode::usage, "audit: torch " + version->str() + " has no weights_only loader (it arrived in 1.13)");
  options.torch_version = *version;
  options.allowed_globals = args.allowed_globals;

  audit::RunInfo run;
  run.tool_version = PTSCOPE_VERSION;
  run.allow_empty = args.allow_empty;
  run.waiver_files = args.waiver_files;
  run.fail_on = args.fail_on == "none" ? std::nullopt : audit::parse_severity(args.fail_on);
  const audit::TorchVersion& latest = audit::kLatestTorch;
  if (version->major > latest.major || (version->major == latest.major && version->minor > latest.minor)) {
    run.warnings.push_back("torch " + version->str() + " is newer than the newest known table; auditing against " +
                           latest.str());
    options.torch_version = latest;
  }
  run.torch_version = options.torch_version.str();
  std::vector<audit::Waiver> waivers;
  for (const auto& w : args.waiver_files) {
    auto loaded = audit::load_waivers(w);
    waivers.insert(waivers.end(), loaded.begin(), loaded.end());
  }

  std::vector<audit::AuditReport> reports;
  const std::vector<std::string> files = collect_files(args.paths, reports);
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const int jobs = args.jobs > 0 ? args.jobs : int(std::min(hw, 4u));
  auto scanned = scan_all(files, options, jobs);
  reports.insert(reports.end(), std::make_move_iterator(scanned.begin()), std::make_move_iterator(scanned.end()));
  for (auto& r : reports)
    if (r.torch_version.empty()) r.torch_version = run.torch_version;
  auto expired = audit::apply_waivers(reports, waivers, audit::today_utc());
  run.warnings.insert(run.warnings.end(), expired.begin(), expired.end());
  if (!args.allow_empty && std::none_of(reports.begin(), reports.end(), [](const auto& r) { return r.is_model; }))
    run.warnings.push_back("no model or pickle file was found to audit (use --allow-empty to accept that)");

  std::string text;
  if (args.format == "json") {
    text = audit::render_json(reports, run);
  } else if (args.format == "sarif") {
    text = audit::render_sarif(reports, run);
  } else {
    audit::TextOptions t;
    t.verbose = args.verbose;
    t.color = args.output.empty() && isatty(STDOUT_FILENO);
    text = audit::render_text(reports, run, t);
  }
  if (args.output.empty()) {
    std::cout << text;
  } else {
    std::ofstream out(args.output, std::ios::binary);
    if (!out || !(out << text)) throw Error(ErrorCode::io, "cannot write '" + args.output + "'");
  }
  return audit::exit_code(reports, run);
}

}  // namespace

void register_audit_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("audit", "Security audit: would torch.load(weights_only=True) accept the file, "
                                          "does it carry code, what could run when it is unpickled");
  auto args = std::make_shared<AuditArgs>();
  cmd->add_option("paths", args->paths, "Files and directories (walked recursively); the kind comes from the bytes");
  cmd->add_option("--format", args->format, "Output: text, json (schema ptscope.audit/1) or sarif (2.1.0)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--fail-on", args->fail_on, "Exit 1 on findings at or above: info, suspicious, dangerous, none")
      ->check(CLI::IsMember({"info", "suspicious", "dangerous", "none"}));
  cmd->add_option("--torch-version", args->torch_version,
                  "torch version whose weights_only loader to model (1.13 .. " + audit::kLatestTorch.str() + ", latest)");
  // One value per occurrence, so that the paths after it stay paths.
  cmd->add_option("--waivers", args->waiver_files, "Waiver file: lines '<sha256> <rule-id|*> [expires=YYYY-MM-DD] [# why]' or JSON")
      ->allow_extra_args(false);
  cmd->add_option("--allow-global", args->allowed_globals,
                  "Treat module.name as allowlisted, like torch.serialization.add_safe_globals (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", args->output, "Write the report to this file instead of stdout");
  cmd->add_option("-j,--jobs", args->jobs, "Files scanned in parallel (default: up to 4)")->check(CLI::Range(1, 256));
  cmd->add_flag("--allow-empty", args->allow_empty, "Exit 0 when no model file is found");
  cmd->add_flag("-v,--verbose", args->verbose, "Text output: info findings, imports of every pickle, reader notes");
  cmd->add_flag("--list-rules", args->list_rules, "Print the rule catalogue and exit");
  cmd->callback([args, &exit_code] { exit_code = run_guarded([&] { return run_audit(*args); }); });
}

}  // namespace ptscope::cli
