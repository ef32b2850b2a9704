// libFuzzer target: the whole audit (kind dispatch, zip anomalies, legacy
// streams, tar, nested payloads, pickle analysis) and its JSON/SARIF output.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "audit/audit.h"
#include "audit/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ptscope::audit;
  AuditOptions options;
  options.compute_sha256 = false;
  options.max_nesting = 2;
  options.max_member_bytes = uint64_t(64) << 20;
  options.pickle_limits.max_ops = 1'000'000;
  options.pickle_limits.max_memo = 100'000;
  options.pickle_limits.max_stack_depth = 100'000;
  options.pickle_limits.max_string_bytes = uint64_t(16) << 20;
  options.pickle_limits.max_nesting = 1'000;
  AuditReport report = audit_bytes(std::vector<uint8_t>(data, data + size), "fuzz", options);
  RunInfo run;
  (void)render_json({report}, run);
  (void)render_sarif({report}, run);
  return 0;
}
