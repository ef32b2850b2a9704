#include "report/info_report.h"

#include <sstream>
#include <unordered_map>

#include "core/trainable.h"
#include "core/weights.h"
#include "report/format.h"
#include "report/info_pt2.h"

namespace ptscope {
namespace {


void render_tree(const ModuleNode& node, const std::string& indent, bool last, bool root, std::ostringstream& os) {
  std::string label = root ? "(root)" : node.name;
  os << indent << (root ? "" : (last ? "└─ " : "├─ ")) << label << ": " << node.short_class_name();
  if (!node.parameters.empty() || !node.buffers.empty()) {
    os << "  [";
    for (size_t i = 0; i < node.parameters.size(); ++i) os << (i ? ", " : "") << node.parameters[i];
    if (!node.buffers.empty()) {
      os << (node.parameters.empty() ? "" : "; ") << "buffers: ";
      for (size_t i = 0; i < node.buffers.size(); ++i) os << (i ? ", " : "") << node.buffers[i];
    }
    os << "]";
  }
  os << "\n";
  std::string child_indent = root ? "" : indent + (last ? "   " : "│  ");
  for (size_t i = 0; i < node.children.size(); ++i)
    render_tree(*node.children[i], child_indent, i + 1 == node.children.size(), false, os);
}

nlohmann::json module_json(const ModuleNode& node) {
  nlohmann::json j;
  j["name"] = node.name;
  j["path"] = node.path;
  j["class"] = node.class_name;
  j["parameters"] = node.parameters;
  j["buffers"] = node.buffers;
  nlohmann::json attrs = nlohmann::json::object();
  for (const auto& [k, v] : node.attributes) attrs[k] = v;
  j["attributes"] = attrs;
  j["children"] = nlohmann::json::array();
  for (const auto& c : node.children) j["children"].push_back(module_json(*c));
  return j;
}

std::string quant_text(const Tensor& t) {
  if (t.quant.scheme == QScheme::none) return "";
  std::ostringstream os;
  os << qscheme_name(t.quant.scheme);
  if (t.quant.scheme == QScheme::per_tensor_affine || t.quant.scheme == QScheme::per_tensor_symmetric)
    os << " scale=" << t.quant.scale << " zp=" << t.quant.zero_point;
  else
    os << " axis=" << t.quant.axis;
  return os.str();
}

}  // namespace

// Filled through object_t::emplace: one insert per key, where operator[] and
// initializer lists build and convert intermediate values (this runs once per
// tensor, and `info` on a 300-tensor model spends most of its time here).
nlohmann::json tensor_json(const NamedTensor& nt) {
  using Json = nlohmann::json;
  const Tensor& t = *nt.tensor;
  Json::object_t j;
  j.emplace("name", nt.name);
  j.emplace("role", tensor_role_name(nt.role));
  j.emplace("is_parameter", nt.is_parameter());
  j.emplace("is_buffer", nt.is_buffer());
  j.emplace("dtype", std::string(dtype_name(t.dtype)));
  j.emplace("shape", t.shape);
  j.emplace("strides", t.strides);
  j.emplace("storage_offset", t.storage_offset);
  j.emplace("numel", t.numel());
  j.emplace("nbytes", t.nbytes());
  j.emplace("contiguous", t.is_contiguous());
  j.emplace("requires_grad", t.requires_grad);
  j.emplace("layout", layout_name(t.layout));
  if (!t.subclass.empty()) j.emplace("subclass", t.subclass);
  if (t.storage) {
    Json::object_t s;
    s.emplace("key", t.storage->key);
    s.emplace("record", t.storage->record);
    s.emplace("location", t.storage->location);
    s.emplace("dtype", std::string(dtype_name(t.storage->dtype)));
    s.emplace("nbytes", t.storage->declared_bytes);
    s.emplace("file_offset", t.storage->file_offset);
    s.emplace("compressed", t.storage->compressed);
    s.emplace("byteswapped", t.storage->swapped);
    j.emplace("storage", std::move(s));
  } else {
    j.emplace("storage", nullptr);
  }
  if (t.quant.scheme != QScheme::none) {
    Json::object_t q;
    q.emplace("scheme", qscheme_name(t.quant.scheme));
    if (t.quant.scales) {
      q.emplace("axis", t.quant.axis);
      q.emplace("n_channels", t.quant.scales->numel());
    } else {
      q.emplace("scale", t.quant.scale);
      q.emplace("zero_point", t.quant.zero_point);
    }
    j.emplace("quant", std::move(q));
  } else {
    j.emplace("quant", nullptr);
  }
  return Json(std::move(j));
}

nlohmann::json info_json(const Model& m) {
  nlohmann::json j;
  j["schema"] = kInfoSchema;
  j["file"] = m.path;
  j["file_size"] = m.file_size;
  j["kind"] = file_kind_name(m.kind);
  j["format_version"] = m.format_version ? nlohmann::json(*m.format_version) : nlohmann::json(nullptr);
  j["archive_name"] = m.archive_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.archive_name);
  j["byteorder"] = m.byteorder.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.byteorder);
  j["serialization_id"] = m.serialization_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.serialization_id);
  j["storage_alignment"] = m.storage_alignment ? nlohmann::json(*m.storage_alignment) : nlohmann::json(nullptr);
  j["pickle_protocol"] = m.pickle_protocol;
  j["producer_hints"] = m.producer_hints;
  j["modules"] = m.root ? module_json(*m.root) : nlohmann::json(nullptr);
  nlohmann::json::array_t tensors;
  tensors.reserve(m.tensors.size());
  const auto roles = weight_roles(m);
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    tensors.push_back(tensor_json(m.tensors[i]));
    // The role every command counts by (core/weights.h), also for a plain state_dict.
    tensors.back()["weight_role"] = roles[i] == WeightRole::parameter ? "parameter"
                                    : roles[i] == WeightRole::buffer  ? "buffer"
                                                                      : "none";
  }
  j["tensors"] = std::move(tensors);
  j["n_tensors"] = m.tensors.size();
  const WeightTotals w = weight_totals(m);
  j["n_parameters"] = w.parameter_elements;
  j["n_buffers"] = w.buffer_tensors;
  j["parameter_bytes"] = w.parameter_bytes;
  j["buffer_bytes"] = w.buffer_bytes;
  j["roles_declared"] = w.roles_declared;
  nlohmann::json ties = nlohmann::json::array();
  for (const auto& [name, target] : w.ties) ties.push_back({{"name", name}, {"tied_to", target}});
  j["ties"] = ties;
  j["shards"] = m.shards;
  nlohmann::json config = nlohmann::json::object();
  for (const auto& [k, v] : m.config) config[k] = v;
  j["config"] = config;
  j["metadata"] = m.metadata;
  const ParameterSplit split = trainable_split(m);
  j["n_trainable_parameters"] = split.trainable;
  j["n_non_trainable_parameters"] = split.frozen;
  j["tensor_bytes"] = m.tensor_bytes();
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& [path, text] : m.sources) sources.push_back({{"path", path}, {"bytes", text.size()}});
  j["sources"] = sources;
  if (m.bytecode) {
    nlohmann::json bc;
    bc["version"] = m.bytecode->version;
    bc["functions"] = nlohmann::json::array();
    for (const auto& f : m.bytecode->functions)
      bc["functions"].push_back({{"name", f.qualname},
                                 {"n_instructions", f.instructions.size()},
                                 {"operators", f.operators},
                                 {"n_constants", f.n_constants},
                                 {"register_size", f.register_size}});
    j["mobile_bytecode"] = bc;
  } else {
    j["mobile_bytecode"] = nullptr;
  }
  j["exported_program"] = m.exported ? exported_program_json(*m.exported) : nlohmann::json(nullptr);
  j["records"] = m.records;
  j["warnings"] = m.warnings;
  return j;
}

std::string render_info_text(const Model& m, const InfoOptions& options) {
  std::ostringstream os;
  os << "file        " << m.path << " (" << format_bytes(m.file_size) << ")\n";
  os << "kind        " << file_kind_name(m.kind) << "\n";
  os << "format      ";
  if (m.format_version) os << "version " << *m.format_version;
  else os << "version -";
  if (!m.archive_name.empty()) os << ", archive folder '" << m.archive_name << "'";
  if (m.pickle_protocol) os << ", pickle protocol " << m.pickle_protocol;
  os << ", byteorder " << (m.byteorder.empty() ? "not recorded (little assumed)" : m.byteorder) << "\n";
  if (!m.serialization_id.empty()) os << "serial id   " << m.serialization_id << "\n";
  for (const auto& h : m.producer_hints) os << "producer    " << h << "\n";
  if (m.bytecode) {
    size_t ops = 0, ins = 0;
    for (const auto& f : m.bytecode->functions) { ops += f.operators.size(); ins += f.instructions.size(); }
    os << "bytecode    version " << m.bytecode->version << ", " << m.bytecode->functions.size() << " functions, "
       << ins << " instructions, " << ops << " operator slots\n";
  }
  if (!m.sources.empty()) os << "code        " << m.sources.size() << " source files\n";
  if (m.exported) os << exported_program_text(*m.exported);
  if (!m.shards.empty()) {
    os << "shards      " << m.shards.size() << ":";
    for (const auto& r : m.records) os << "\n              " << r;
    os << "\n";
  }
  if (!m.config.empty()) {
    os << "config      ";
    for (size_t i = 0; i < m.config.size(); ++i)
      os << (i ? ", " : "") << m.config[i].first << "=" << m.config[i].second;
    os << "\n";
  }
  for (const auto& [k, v] : m.metadata) os << "metadata    " << k << " = " << (v.size() > 120 ? v.substr(0, 120) + "..." : v) << "\n";
  const WeightTotals weights = weight_totals(m);
  std::unordered_map<std::string, std::string> tied;
  for (const auto& [name, target] : weights.ties) tied.emplace(name, target);
  if (options.show_tree && m.root) {
    os << "\nmodules\n";
    render_tree(*m.root, "", true, true, os);
  }
  TextTable table({"name", "role", "dtype", "shape", "strides", "storage", "offset", "bytes", "notes"},
                  {false, false, false, false, false, false, true, true, false});
  size_t shown = 0;
  for (const auto& nt : m.tensors) {
    if (options.max_tensor_rows && shown++ >= options.max_tensor_rows) break;
    const Tensor& t = *nt.tensor;
    std::string notes = quant_text(t);
    if (!t.is_contiguous()) notes += notes.empty() ? "view" : ", view";
    if (t.layout != Layout::strided) notes += std::string(notes.empty() ? "" : ", ") + layout_name(t.layout);
    if (t.storage && t.storage->swapped) notes += notes.empty() ? "byteswapped" : ", byteswapped";
    if (!t.subclass.empty()) notes += (notes.empty() ? "" : ", ") + t.subclass;
    if (auto it = tied.find(nt.name); it != tied.end()) notes += (notes.empty() ? "tied to " : ", tied to ") + it->second;
    table.add_row({nt.name.empty() ? "(root)" : nt.name, tensor_role_name(nt.role), std::string(dtype_name(t.dtype)),
                   format_shape(t.shape), format_shape(t.strides), t.storage ? t.storage->key : "-",
                   std::to_string(t.storage_offset), std::to_string(t.nbytes()), notes});
  }
  os << "\ntensors\n" << table.render();
  if (options.max_tensor_rows && m.tensors.size() > options.max_tensor_rows)
    os << "... " << (m.tensors.size() - options.max_tensor_rows) << " more (use --all)\n";
  const ParameterSplit split = trainable_split(m);
  os << "\ntotals      " << m.tensors.size() << " tensors, " << format_count(double(weights.parameter_elements))
     << " parameters (" << weights.parameter_elements << " elements, " << format_bytes(weights.parameter_bytes)
     << "; trainable " << format_count(double(split.trainable)) << ", non-trainable " << format_count(double(split.frozen))
     << "), " << weights.buffer_tensors << " buffers, " << format_bytes(m.tensor_bytes()) << " of tensor data\n";
  if (!weights.roles_declared && !m.tensors.empty())
    os << "            (a state_dict: floating tensors counted as parameters, running statistics and integer "
          "tensors as buffers)\n";
  for (const auto& [name, target] : weights.ties)
    os << "tied        " << name << " → " << target << " (same storage region, counted once)\n";
  for (const auto& w : m.warnings) os << "warning     " << w << "\n";
  return os.str();
}

}  // namespace ptscope
