// Human-readable audit output, the exit code and the rules table.
#include <cctype>
#include <cstdio>
#include <map>
#include <sstream>

#include "audit/report.h"

namespace ptscope::audit {

int exit_code(const std::vector<AuditReport>& reports, const RunInfo& run) {
  bool any_model = false, errors = false, failing = false;
  for (const auto& r : reports) {
    any_model = any_model || r.is_model;
    errors = errors || !r.errors.empty();
    if (!r.is_model) continue;  // a README beside the models is not audited, so it cannot fail
    const auto worst = r.max_severity();
    if (run.fail_on && worst && *worst >= *run.fail_on) failing = true;
  }
  if (errors) return 2;
  if (!any_model && !run.allow_empty) return 2;  // nothing was audited: never pass silently
  return failing ? 1 : 0;
}

namespace {

const char* paint(Severity s, bool color) {
  if (!color) return "";
  switch (s) {
    case Severity::dangerous: return "\x1b[1;31m";
    case Severity::suspicious: return "\x1b[33m";
    case Severity::info: return "\x1b[2m";
  }
  return "";
}

std::string location(const Finding& f) {
  std::string out = f.member.empty() ? std::string("(file)") : f.member;
  if (f.offset) out += "@" + std::to_string(*f.offset);
  return out;
}

}  // namespace

std::string render_text(const std::vector<AuditReport>& reports, const RunInfo& run, const TextOptions& options) {
  std::ostringstream out;
  const char* reset = options.color ? "\x1b[0m" : "";
  std::map<std::string, int> verdicts;
  int skipped = 0, waived = 0;
  for (const auto& r : reports) {
    if (!r.is_model && r.errors.empty() && !options.verbose) {
      // Files that are not models at all: one line, only when asked.
      ++skipped;
      continue;
    }
    const std::string verdict = r.verdict();
    ++verdicts[verdict];
    std::string upper = verdict;
    for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
    const auto worst = r.max_severity();
    out << r.path << ": " << paint(worst.value_or(Severity::info), options.color && verdict != "clean") << upper
        << reset << "  [" << r.kind << "; weights_only@" << r.torch_version << ": "
        << (r.weights_only_loadable ? "loads" : "refused") << (r.contains_code ? "; contains code" : "")
        << (r.kind == "safetensors" ? "; cannot carry code" : "") << "]";
    if (!r.sha256.empty()) out << "  sha256:" << r.sha256.substr(0, 16);
    out << "\n";
    for (const auto& f : r.findings) {
      if (f.waived) {
        ++waived;
        if (!options.verbose) continue;
      }
      if (f.severity == Severity::info && !options.verbose) continue;
      out << "  " << paint(f.severity, options.color) << severity_name(f.severity) << reset << " " << f.rule << " "
          << location(f) << ": " << f.message << (f.waived ? "  (waived: " + f.waiver + ")" : "") << "\n";
    }
    for (const auto& e : r.errors) out << "  error: " << e << "\n";
    if (options.verbose) {
      if (!r.loaded_pickle.empty()) out << "  torch.load unpickles: " << r.loaded_pickle << "\n";
      for (const auto& m : r.members) {
        out << "  pickle " << m.name << " (" << m.role << ", " << m.loader << ", protocol " << m.protocol << ", "
            << m.opcodes << " opcodes" << (m.complete ? "" : ", incomplete") << ")\n";
        for (const auto& i : m.imports)
          out << "    " << (i.allowed ? "allowed   " : severity_name(i.severity)) << (i.allowed ? "" : " ")
              << i.module << "." << i.name << " x" << i.count << " @" << i.first_offset << "\n";
      }
      for (const auto& n : r.notes) out << "  note: " << n << "\n";
    }
  }
  for (const auto& w : run.warnings) out << "warning: " << w << "\n";
  out << "\n" << reports.size() << " file(s): ";
  const char* order[] = {"clean", "suspicious", "dangerous", "error"};
  bool first = true;
  for (const char* v : order) {
    out << (first ? "" : ", ") << verdicts[v] << " " << v;
    first = false;
  }
  if (skipped) out << ", " << skipped << " not a model (skipped)";
  if (waived) out << ", " << waived << " finding(s) waived";
  out << ".";
  if (run.fail_on) out << " Failing on " << severity_name(*run.fail_on) << " and above.";
  out << "\n";
  return out.str();
}

std::string render_rules() {
  std::ostringstream out;
  for (const auto& r : audit_rules()) {
    char head[64];
    std::snprintf(head, sizeof head, "%-7s %-22s %-10s ", r.id, r.name, severity_name(r.severity));
    out << head << r.summary << "\n";
  }
  return out.str();
}

}  // namespace ptscope::audit
