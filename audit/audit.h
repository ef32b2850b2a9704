// Static security audit of PyTorch model files: would torch.load(weights_only=True)
// of a given torch version accept the file, does it carry code, and what in
// it could run when it is unpickled? Nothing from the file is ever executed.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/policy.h"
#include "parser/pickle.h"

namespace ptscope::audit {

// One rule of the audit: stable id, short name, the severity it usually has.
struct RuleInfo {
  const char* id;        // "PTS101"
  const char* name;      // "dangerous-global"
  Severity severity;     // default; some findings of a rule are graded up or down
  const char* summary;   // one line
  const char* help;      // what it means and what to do
};
const std::vector<RuleInfo>& audit_rules();
const RuleInfo* find_rule(std::string_view id);

struct Finding {
  std::string rule;     // "PTS101"
  Severity severity = Severity::suspicious;
  std::string member;   // zip member, legacy section or nested payload; "" for the file itself
  std::optional<uint64_t> offset;  // byte offset inside `member` (inside the file when member is "")
  std::string message;
  std::string global;   // "os.system" when the finding is about a global
  std::string opcode;   // "REDUCE" when it is about an opcode
  bool waived = false;
  std::string waiver;   // the waiver's reason, when waived
};

// Every global a pickle imports, allowed or not.
struct ImportRecord {
  std::string module, name;
  uint64_t count = 0;
  uint64_t first_offset = 0;
  bool allowed = false;
  Severity severity = Severity::info;  // info when allowed
};

struct MemberReport {
  std::string name;      // member / section label
  std::string role;      // "data.pkl (torch.load)", "constants.pkl", "legacy pickle 4 (object)", ...
  std::string loader;    // "weights_only" | "torchscript"
  uint64_t size = 0;
  int protocol = -1;     // from PROTO; -1 when absent
  uint64_t opcodes = 0;
  bool complete = false;  // the pickle parsed up to its STOP
  std::vector<ImportRecord> imports;
};

struct AuditReport {
  std::string path;
  uint64_t size = 0;
  std::string sha256;
  std::string kind;            // "torch.save-zip", "torchscript", "legacy-stream", "legacy-tar", "pickle", ...
  std::string torch_version;   // the version the verdict is for
  bool is_model = true;        // false: not something torch.load reads (skipped, info only)
  bool weights_only_loadable = false;
  bool contains_code = false;  // TorchScript, torch.package, .pt2, mobile bytecode
  std::string loaded_pickle;   // the member torch.load unpickles, if any
  std::vector<Finding> findings;
  std::vector<MemberReport> members;
  std::vector<std::string> errors;  // unreadable parts: the scan is incomplete (exit 2)
  std::vector<std::string> notes;   // reader warnings and other observations

  // Highest severity among findings that are not waived; nullopt when none.
  std::optional<Severity> max_severity() const;
  // "clean" | "suspicious" | "dangerous" | "error" (errors win).
  std::string verdict() const;
};

struct AuditOptions {
  TorchVersion torch_version = kLatestTorch;
  std::vector<std::string> allowed_globals;  // like torch.serialization.add_safe_globals
  int max_nesting = 4;                       // archives / pickles inside each other
  bool compute_sha256 = true;
  uint64_t max_member_bytes = uint64_t(16) << 30;  // largest zip member / gzip content inflated
  PickleLimits pickle_limits = default_pickle_limits();

  static PickleLimits default_pickle_limits() {
    PickleLimits l;
    l.max_ops = 50'000'000;
    l.max_memo = 10'000'000;
    l.max_stack_depth = 1'000'000;
    l.max_nesting = 5'000;
    return l;
  }
};

// Audits one file. Never throws for a bad file: problems become findings or
// errors in the report. Throws Error(io) only when the file cannot be opened.
AuditReport audit_file(const std::string& path, const AuditOptions& options = {});
// Audits bytes already in memory (tests, nested payloads); `name` labels them.
AuditReport audit_bytes(std::vector<uint8_t> bytes, const std::string& name, const AuditOptions& options = {});

// SHA-256 as 64 lowercase hex digits.
std::string sha256_hex(const uint8_t* data, size_t size);

}  // namespace ptscope::audit
