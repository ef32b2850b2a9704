// File-level driver of the audit: maps the file, hashes it, runs the
// container scan (which calls the pickle scan), orders the findings.
#include "audit/audit.h"

#include <algorithm>

#include "audit/container_scan.h"
#include "audit/context.h"
#include "audit/pickle_scan.h"
#include "core/error.h"

namespace ptscope::audit {

std::optional<Severity> AuditReport::max_severity() const {
  std::optional<Severity> worst;
  for (const auto& f : findings)
    if (!f.waived && (!worst || f.severity > *worst)) worst = f.severity;
  return worst;
}

std::string AuditReport::verdict() const {
  if (!errors.empty()) return "error";
  const auto worst = max_severity();
  if (!worst || *worst == Severity::info) return "clean";
  return severity_name(*worst);
}

namespace {

AuditReport audit_mapped(std::shared_ptr<const MappedFile> file, const std::string& path, const AuditOptions& options) {
  AuditReport report;
  report.path = path;
  report.size = file->size();
  report.torch_version = options.torch_version.str();
  report.kind = "unknown";
  if (options.compute_sha256) report.sha256 = sha256_hex(file->data(), file->size());
  Context ctx(options, report);
  ctx.scan_nested = [&ctx](ByteSpan bytes, const std::string& label) {
    if (bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) {
      scan_container(ctx, MappedFile::from_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()), label),
                     label + "!", false);
      return;
    }
    scan_guessed_pickle(ctx, bytes, label, "pickle inside a constant");
  };
  try {
    scan_container(ctx, file, "", true);
  } catch (const Error& e) {
    // The scanners turn file problems into findings; anything escaping is a
    // limit or a reader failure, and the scan is incomplete.
    ctx.error("", e.what());
  } catch (const std::bad_alloc&) {
    ctx.error("", "out of memory while scanning");
  }
  ctx.finish();
  if (!report.is_model) report.weights_only_loadable = false;
  // Worst first, then by place: stable, diffable output.
  std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.member != b.member) return a.member < b.member;
    return a.offset.value_or(0) < b.offset.value_or(0);
  });
  return report;
}

}  // namespace

AuditReport audit_file(const std::string& path, const AuditOptions& options) {
  return audit_mapped(MappedFile::open(path), path, options);
}

AuditReport audit_bytes(std::vector<uint8_t> bytes, const std::string& name, const AuditOptions& options) {
  return audit_mapped(MappedFile::from_bytes(std::move(bytes), name), name, options);
}

}  // namespace ptscope::audit
