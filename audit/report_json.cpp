// JSON audit output, schema ptscope.audit/1 (docs/audit.md describes it).
#include <nlohmann/json.hpp>

#include "audit/report.h"

namespace ptscope::audit {

namespace {

nlohmann::json finding_json(const Finding& f) {
  const RuleInfo* rule = find_rule(f.rule);
  nlohmann::json j = {{"rule", f.rule},
                      {"name", rule ? rule->name : ""},
                      {"severity", severity_name(f.severity)},
                      {"member", f.member},
                      {"offset", f.offset ? nlohmann::json(*f.offset) : nlohmann::json(nullptr)},
                      {"message", f.message},
                      {"waived", f.waived}};
  if (!f.global.empty()) j["global"] = f.global;
  if (!f.opcode.empty()) j["opcode"] = f.opcode;
  if (f.waived) j["waiver"] = f.waiver;
  return j;
}

nlohmann::json member_json(const MemberReport& m) {
  nlohmann::json imports = nlohmann::json::array();
  for (const auto& i : m.imports)
    imports.push_back({{"module", i.module},
                       {"name", i.name},
                       {"count", i.count},
                       {"first_offset", i.first_offset},
                       {"allowed", i.allowed},
                       {"severity", severity_name(i.severity)}});
  return {{"name", m.name},         {"role", m.role},         {"loader", m.loader},
          {"size", m.size},         {"protocol", m.protocol}, {"opcodes", m.opcodes},
          {"complete", m.complete}, {"imports", imports}};
}

}  // namespace

std::string render_json(const std::vector<AuditReport>& reports, const RunInfo& run) {
  nlohmann::json files = nlohmann::json::array();
  std::map<std::string, int> counts = {{"clean", 0}, {"suspicious", 0}, {"dangerous", 0}, {"error", 0}};
  int not_models = 0, waived = 0;
  for (const auto& r : reports) {
    nlohmann::json findings = nlohmann::json::array(), members = nlohmann::json::array();
    for (const auto& f : r.findings) {
      findings.push_back(finding_json(f));
      waived += f.waived;
    }
    for (const auto& m : r.members) members.push_back(member_json(m));
    const auto worst = r.max_severity();
    if (!r.is_model && r.errors.empty()) ++not_models;
    else ++counts[r.verdict()];
    files.push_back({{"path", r.path},
                     {"sha256", r.sha256},
                     {"size", r.size},
                     {"kind", r.kind},
                     {"is_model", r.is_model},
                     {"verdict", r.verdict()},
                     {"max_severity", worst ? nlohmann::json(severity_name(*worst)) : nlohmann::json(nullptr)},
                     {"weights_only_loadable", r.weights_only_loadable},
                     {"contains_code", r.contains_code},
                     {"loaded_pickle", r.loaded_pickle},
                     {"findings", findings},
                     {"members", members},
                     {"errors", r.errors},
                     {"notes", r.notes}});
  }
  nlohmann::json doc = {
      {"schema", "ptscope.audit/1"},
      {"tool", {{"name", "ptscope"}, {"version", run.tool_version}}},
      {"torch_version", run.torch_version},
      {"fail_on", run.fail_on ? nlohmann::json(severity_name(*run.fail_on)) : nlohmann::json("none")},
      {"exit_code", exit_code(reports, run)},
      {"summary",
       {{"files", reports.size()},
        {"clean", counts["clean"]},
        {"suspicious", counts["suspicious"]},
        {"dangerous", counts["dangerous"]},
        {"error", counts["error"]},
        {"not_models", not_models},
        {"waived_findings", waived}}},
      {"waiver_files", run.waiver_files},
      {"warnings", run.warnings},
      {"files", files}};
  // Names from hostile files need not be UTF-8: replace, never throw.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ptscope::audit
