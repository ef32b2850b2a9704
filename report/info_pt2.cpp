#include "report/info_pt2.h"

#include <sstream>

namespace ptscope {
namespace {

std::string dim_text(const ExportSymInt& d) {
  if (d.value) return std::to_string(*d.value);
  const std::string sym = export_plain_symbol(d.expr);
  return sym.empty() ? d.expr : sym;
}

std::string meta_text(const ExportedProgram& p, const std::string& name) {
  auto it = p.tensor_values.find(name);
  if (it == p.tensor_values.end()) return "";
  std::string s = "[";
  for (size_t k = 0; k < it->second.sizes.size(); ++k) s += (k ? ", " : "") + dim_text(it->second.sizes[k]);
  return s + "] " + std::string(dtype_name(it->second.dtype));
}

nlohmann::json meta_json(const ExportedProgram& p, const std::string& name) {
  auto it = p.tensor_values.find(name);
  if (it == p.tensor_values.end()) return nullptr;
  nlohmann::json shape = nlohmann::json::array();
  for (const auto& d : it->second.sizes) shape.push_back(d.value ? nlohmann::json(*d.value) : nlohmann::json(dim_text(d)));
  return {{"shape", shape}, {"dtype", std::string(dtype_name(it->second.dtype))}};
}

std::string arg_name(const ExportArg& a) {
  if (!a.names.empty()) return a.names[0];
  if (a.kind == ExportArg::Kind::none) return "None";
  if (!a.ints.empty()) return std::to_string(a.ints[0]);
  return "-";
}

}  // namespace

nlohmann::json exported_program_json(const ExportedProgram& p) {
  nlohmann::json j;
  j["model_name"] = p.model_name;
  j["archive_version"] = p.archive_version;
  j["schema_version"] = p.schema_major ? nlohmann::json(std::to_string(p.schema_major) + "." + std::to_string(p.schema_minor))
                                       : nlohmann::json(nullptr);
  j["torch_version"] = p.torch_version.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.torch_version);
  j["opset_version"] = p.opset_version;
  j["verifiers"] = p.verifiers;
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& s : p.input_specs) {
    nlohmann::json in = {{"kind", export_input_kind_name(s.kind)}, {"name", arg_name(s.arg)}};
    if (!s.target.empty()) in["target"] = s.target;
    if (s.kind == ExportInputSpec::Kind::buffer) in["persistent"] = s.persistent;
    if (!s.arg.names.empty()) in["meta"] = meta_json(p, s.arg.names[0]);
    inputs.push_back(in);
  }
  j["inputs"] = inputs;
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& s : p.output_specs) {
    nlohmann::json out = {{"kind", s.kind}, {"name", arg_name(s.arg)}};
    if (!s.target.empty()) out["target"] = s.target;
    if (!s.arg.names.empty()) out["meta"] = meta_json(p, s.arg.names[0]);
    outputs.push_back(out);
  }
  j["outputs"] = outputs;
  nlohmann::json dims = nlohmann::json::object();
  for (const auto& [sym, r] : p.range_constraints)
    dims[sym] = {{"min", r.min ? nlohmann::json(*r.min) : nlohmann::json(nullptr)},
                 {"max", r.max ? nlohmann::json(*r.max) : nlohmann::json(nullptr)}};
  j["symbolic_dims"] = dims;
  j["n_nodes"] = p.nodes.size();
  j["n_sample_inputs"] = p.sample_inputs.size();
  j["aot_inductor"] = p.aot_inductor;
  nlohmann::json arts = nlohmann::json::array();
  for (const auto& [name, bytes] : p.aot_artifacts) arts.push_back({{"record", name}, {"bytes", bytes}});
  j["aot_artifacts"] = arts;
  return j;
}

std::string exported_program_text(const ExportedProgram& p) {
  std::ostringstream os;
  size_t params = 0, buffers = 0, constants = 0;
  for (const auto& s : p.input_specs) {
    params += s.kind == ExportInputSpec::Kind::parameter;
    buffers += s.kind == ExportInputSpec::Kind::buffer;
    constants += s.kind == ExportInputSpec::Kind::tensor_constant;
  }
  if (!p.input_specs.empty() || !p.nodes.empty())
    os << "program     " << p.nodes.size() << " graph nodes; placeholders: " << params << " parameters, " << buffers
       << " buffers, " << constants << " constants\n";
  for (const auto& s : p.input_specs)
    if (s.kind == ExportInputSpec::Kind::user_input)
      os << "input       " << arg_name(s.arg) << (s.arg.names.empty() ? "" : " " + meta_text(p, s.arg.names[0])) << "\n";
  for (const auto& s : p.output_specs)
    os << "output      " << arg_name(s.arg) << (s.arg.names.empty() ? "" : " " + meta_text(p, s.arg.names[0]))
       << (s.kind == "user_output" ? "" : " (" + s.kind + (s.target.empty() ? "" : " of " + s.target) + ")") << "\n";
  for (const auto& [sym, r] : p.range_constraints)
    os << "dynamic dim " << sym << " in [" << (r.min ? std::to_string(*r.min) : "-inf") << ", "
       << (r.max ? std::to_string(*r.max) : "inf") << "]\n";
  if (!p.sample_inputs.empty()) os << "sample      " << p.sample_inputs.size() << " sample input tensors saved with the program\n";
  for (const auto& [name, bytes] : p.aot_artifacts) os << "aoti        " << name << " (" << bytes << " bytes, not loaded)\n";
  return os.str();
}

}  // namespace ptscope
