// Each subcommand lives in its own file and registers itself on the app.
// `exit_code` is where a command's callback leaves the process exit status.
#pragma once
#include <CLI/CLI.hpp>

namespace ptscope::cli {

void register_info_command(CLI::App& app, int& exit_code);
void register_audit_command(CLI::App& app, int& exit_code);
void register_graph_command(CLI::App& app, int& exit_code);
void register_profile_command(CLI::App& app, int& exit_code);
void register_analyze_command(CLI::App& app, int& exit_code);
void register_sweep_command(CLI::App& app, int& exit_code);
void register_diff_command(CLI::App& app, int& exit_code);

}  // namespace ptscope::cli

void register_stats_command(CLI::App& app, int& exit_code);
