// Internal to the audit: the state one file's scan shares between the
// container and pickle layers (policy, report being filled, nesting).
#pragma once
#include <functional>
#include <map>
#include <string>
#include <tuple>

#include "audit/audit.h"
#include "core/bytes.h"
#include "parser/pickle.h"

namespace ptscope::audit {

class Context {
 public:
  Context(const AuditOptions& options, AuditReport& report)
      : options_(options), policy_(options.torch_version, options.allowed_globals), report_(report) {}

  const AuditOptions& options() const { return options_; }
  const Policy& policy() const { return policy_; }
  AuditReport& report() { return report_; }

  // Adds a finding. A hostile file can repeat one construct a million times,
  // so after kMaxRepeats findings with the same rule, member and global only
  // a count is kept (summarised by finish()).
  void add(const char* rule, Severity severity, const std::string& member, std::optional<uint64_t> offset,
           std::string message, std::string global = {}, std::string opcode = {});
  // Something could not be read: the scan is incomplete and exits 2.
  void error(const std::string& member, const std::string& message);
  void note(std::string message);
  void finish();

  // Audits bytes found inside a member (nested zip, pickle in a constant,
  // unreferenced zip data). Set by the file-level driver.
  std::function<void(ByteSpan bytes, const std::string& label)> scan_nested;
  int depth = 0;  // how deep in nested payloads the current scan is
  // Bytes inflated so far for this file (zip members, gzip, hidden headers):
  // bounded by inflate_budget() so that cost stays linear in the file size.
  uint64_t inflated = 0;
  uint64_t inflate_budget() const { return (uint64_t(256) << 20) + 16 * report_.size; }
  // Owns the links of every pickle value made for this file, so reference
  // cycles built through the memo are freed when the file's scan ends.
  std::shared_ptr<PyNodeTracker> tracker = std::make_shared<PyNodeTracker>();

 private:
  static constexpr int kMaxRepeats = 20;
  const AuditOptions& options_;
  Policy policy_;
  AuditReport& report_;
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<int, Severity>> repeats_;
};

// A short, printable rendering of raw bytes (names from hostile files).
std::string printable(std::string_view s, size_t max = 80);

}  // namespace ptscope::audit
