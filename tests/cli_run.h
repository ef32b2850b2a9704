// Runs the ptscope program (or any shell command) the way a user would and
// captures its output and exit status, for the CLI tests.
#pragma once
#include <cstdio>
#include <string>
#include <sys/wait.h>

#include "test_paths.h"

namespace ptscope::test {

struct CliResult {
  int status = -1;  // exit status; -1 when killed by a signal or not started
  std::string out;  // stdout (and stderr when merged)
};

// `command` through /bin/sh; stderr is left alone unless the command redirects it.
inline CliResult run_shell(const std::string& command) {
  CliResult r;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int raw = pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

// `ptscope ARGS` in `cwd` (default: the test's), stderr merged into the output or discarded.
inline CliResult run_ptscope(const std::string& args, bool merge_stderr, const std::string& cwd = "") {
  return run_shell((cwd.empty() ? "" : "cd '" + cwd + "' && ") + cli_binary() + " " + args +
                   (merge_stderr ? " 2>&1" : " 2>/dev/null"));
}

}  // namespace ptscope::test
