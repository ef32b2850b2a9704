// SARIF 2.1.0 for GitHub/GitLab code scanning. Model files are binary, so a
// result points at the file (line 1) and names the member and byte offset in
// a logical location, the message and the properties.
#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>

#include "audit/report.h"
#include "core/format.h"

namespace ptscope::audit {

namespace {

// A severity in SARIF's words: its level, and the CVSS-like score GitHub ranks alerts by.
struct SarifSeverity {
  const char* level;
  const char* security_severity;
};

SarifSeverity sarif_severity(Severity s) {
  switch (s) {
    case Severity::dangerous: return {"error", "9.0"};
    case Severity::suspicious: return {"warning", "5.0"};
    case Severity::info: return {"note", "1.0"};
  }
  return {"note", "1.0"};
}

// A relative URI with forward slashes and percent-encoding, as code scanning
// matches results to repository paths.
std::string artifact_uri(const std::string& path, bool& relative) {
  namespace fs = std::filesystem;
  std::string p = path;
  relative = !fs::path(path).is_absolute();
  if (relative) {
    p = fs::path(path).lexically_normal().generic_string();
    if (p.rfind("./", 0) == 0) p = p.substr(2);
  }
  std::string out = relative ? "" : "file://";
  for (unsigned char c : p) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += fmt("%%%02X", c);
    }
  }
  return out;
}

nlohmann::json location_json(const AuditReport& r, const std::string& member, std::optional<uint64_t> offset) {
  bool relative = true;
  nlohmann::json artifact = {{"uri", artifact_uri(r.path, relative)}};
  if (relative) artifact["uriBaseId"] = "%SRCROOT%";
  nlohmann::json loc = {{"physicalLocation", {{"artifactLocation", artifact}, {"region", {{"startLine", 1}}}}}};
  if (!member.empty() || offset) {
    std::string name = member.empty() ? std::string("(file)") : member;
    if (offset) name += "@" + std::to_string(*offset);
    loc["logicalLocations"] = nlohmann::json::array({{{"fullyQualifiedName", name}, {"kind", "object"}}});
  }
  return loc;
}

}  // namespace

std::string render_sarif(const std::vector<AuditReport>& reports, const RunInfo& run) {
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, size_t> index;
  auto add_rule = [&](const char* id, const char* name, Severity s, const std::string& summary, const std::string& help) {
    index[id] = rules.size();
    rules.push_back({{"id", id},
                     {"name", name},
                     {"shortDescription", {{"text", summary}}},
                     {"fullDescription", {{"text", help}}},
                     {"help", {{"text", help}}},
                     {"defaultConfiguration", {{"level", sarif_severity(s).level}}},
                     {"properties",
                      {{"tags", {"security", "pytorch", "pickle"}},
                       {"security-severity", sarif_severity(s).security_severity},
                       {"precision", "high"}}}});
  };
  add_rule("PTS001", "scan-error", Severity::dangerous, "Part of the file could not be scanned",
           "The scan is incomplete (unreadable member, malformed structure, limit): the file is not vouched for.");
  for (const auto& r : audit_rules()) add_rule(r.id, r.name, r.severity, r.summary, r.help);

  nlohmann::json results = nlohmann::json::array();
  bool errors = false;
  for (const auto& r : reports) {
    for (const auto& f : r.findings) {
      if (f.severity == Severity::info) continue;  // notes stay in text/JSON; alerts must be actionable
      const auto it = index.find(f.rule);
      const std::string identity =
          r.sha256 + "|" + f.rule + "|" + f.member + "|" + f.global + "|" + std::to_string(f.offset.value_or(0));
      nlohmann::json result = {
          {"ruleId", f.rule},
          {"ruleIndex", it == index.end() ? 0 : it->second},
          {"level", sarif_severity(f.severity).level},
          {"message",
           {{"text", f.message + (f.member.empty() ? "" : " [" + f.member +
                                                           (f.offset ? "@" + std::to_string(*f.offset) : "") + "]")}}},
          {"locations", nlohmann::json::array({location_json(r, f.member, f.offset)})},
          {"partialFingerprints",
           {{"ptscopeFinding/v1",
             sha256_hex(reinterpret_cast<const uint8_t*>(identity.data()), identity.size())}}},
          {"properties",
           {{"sha256", r.sha256},
            {"kind", r.kind},
            {"severity", severity_name(f.severity)},
            {"weights_only_loadable", r.weights_only_loadable},
            {"contains_code", r.contains_code}}}};
      if (!f.global.empty()) result["properties"]["global"] = f.global;
      if (f.waived)
        result["suppressions"] = nlohmann::json::array({{{"kind", "external"}, {"justification", f.waiver}}});
      results.push_back(std::move(result));
    }
    for (const auto& e : r.errors) {
      errors = true;
      results.push_back({{"ruleId", "PTS001"},
                         {"ruleIndex", 0},
                         {"level", "error"},
                         {"message", {{"text", e}}},
                         {"locations", nlohmann::json::array({location_json(r, "", std::nullopt)})},
                         {"properties", {{"sha256", r.sha256}, {"kind", r.kind}}}});
    }
  }
  nlohmann::json notifications = nlohmann::json::array();
  for (const auto& w : run.warnings) notifications.push_back({{"level", "warning"}, {"message", {{"text", w}}}});
  nlohmann::json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       nlohmann::json::array(
           {{{"tool",
              {{"driver",
                {{"name", "ptscope"},
                 {"semanticVersion", run.tool_version},
                 {"version", run.tool_version},
                 {"rules", rules}}}}},
             {"invocations",
              nlohmann::json::array({{{"executionSuccessful", !errors},
                                      {"exitCode", exit_code(reports, run)},
                                      {"toolExecutionNotifications", notifications}}})},
             {"properties", {{"torch_version", run.torch_version}}},
             {"results", results}}})}};
  // Names from hostile files need not be UTF-8: replace, never throw.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ptscope::audit
