// Rendering audit results for people (text) and machines (JSON, SARIF 2.1.0),
// the CI exit code, and waivers (accepted findings, keyed by file hash).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"

namespace ptscope::audit {

// What the whole run was: shared by every renderer.
struct RunInfo {
  std::string tool_version;
  std::string torch_version;
  std::optional<Severity> fail_on = Severity::suspicious;  // nullopt: findings never fail
  bool allow_empty = false;
  std::vector<std::string> waiver_files;
  std::vector<std::string> warnings;  // e.g. expired waivers
};

// 0: every file scanned, nothing at or above fail_on; 1: findings at or above
// fail_on; 2: an error anywhere, or no model file at all (unless allow_empty).
int exit_code(const std::vector<AuditReport>& reports, const RunInfo& run);

struct TextOptions {
  bool verbose = false;  // info findings, imports inventory, notes
  bool color = false;
};
std::string render_text(const std::vector<AuditReport>& reports, const RunInfo& run, const TextOptions& options = {});
std::string render_json(const std::vector<AuditReport>& reports, const RunInfo& run);  // schema ptscope.audit/1
std::string render_sarif(const std::vector<AuditReport>& reports, const RunInfo& run);
// The rule catalogue as a table (for --list-rules and the docs).
std::string render_rules();

// A waiver accepts one rule's findings (or all, rule "*") in one exact file.
struct Waiver {
  std::string sha256;   // 64 lowercase hex digits
  std::string rule;     // "PTS100" or "*"
  std::string expires;  // "YYYY-MM-DD" or empty; expired waivers are ignored
  std::string reason;
  std::string origin;   // "file:line" for messages
};

// Reads a waiver file: lines "<sha256> <rule|*> [expires=YYYY-MM-DD] [# reason]",
// or JSON ({"waivers": [...]} or [...] of {"sha256","rule","expires","reason"}).
// Throws Error(usage) with the offending line on a syntax error.
std::vector<Waiver> load_waivers(const std::string& path);
// Marks matching findings waived. Returns warnings (expired waivers).
std::vector<std::string> apply_waivers(std::vector<AuditReport>& reports, const std::vector<Waiver>& waivers,
                                       const std::string& today);
// Today's date in UTC as YYYY-MM-DD.
std::string today_utc();

}  // namespace ptscope::audit
