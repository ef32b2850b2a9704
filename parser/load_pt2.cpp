// torch.export archives (.pt2, torch.export.save / torch._inductor
// aoti_compile_and_package), read after the layout of
// torch/export/pt2_archive/_package.py and the schema of
// torch/_export/serde/schema.py:
//   archive_format ("pt2"), archive_version ("0"), byteorder,
//   models/<model>.json                 the serialized ExportedProgram,
//   data/weights/<model>_weights_config.json + data/weights/weight_<k>
//   data/constants/<model>_constants_config.json + data/constants/tensor_<k>
//   data/sample_inputs/<model>.pt        torch.save((args, kwargs))
//   data/aotinductor/<model>/...         AOTInductor code (never loaded)
// Raw weight records are the untyped storage bytes of a tensor (shared by
// every tensor that aliases it, so ties survive): they become zero-copy
// storages. Pickled records (tensor subclasses, AOTInductor weights) are
// torch.save archives read by our own reader. JSON is parsed with size and
// depth limits; fields a newer schema adds are ignored with a warning on the
// version, never guessed at.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "core/error.h"
#include "core/tensor.h"
#include "parser/exported_program.h"
#include "parser/json_limited.h"
#include "parser/loaders.h"
#include "parser/zip_reader.h"

namespace ptscope {

using nlohmann::json;

namespace {

constexpr int64_t kNewestArchiveVersion = 0;
constexpr int64_t kNewestSchemaMajor = 8, kNewestSchemaMinor = 20;
constexpr uint64_t kMaxProgramJson = uint64_t(256) << 20;
constexpr uint64_t kMaxConfigJson = uint64_t(64) << 20;
constexpr uint64_t kMaxNestedArchive = uint64_t(1) << 30;

// A .pt2 holds torch.save archives (sample inputs, pickled weights); those
// must not hold further programs.
thread_local int nested_loads = 0;

// ---- typed access to the JSON, each failure naming where it happened

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw Error(ErrorCode::corrupt, where + ": " + what);
}

const json& field(const json& obj, const char* key, const std::string& where) {
  if (!obj.is_object()) bad(where, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) bad(where, std::string("missing '") + key + "'");
  return *it;
}
const json* opt_field(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}
int64_t get_int(const json& v, const std::string& where) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned() && v.get<uint64_t>() <= uint64_t(INT64_MAX)) return int64_t(v.get<uint64_t>());
  bad(where, "expected an integer");
}
double get_float(const json& v, const std::string& where) {
  if (v.is_number()) return v.get<double>();
  // serde writes non-finite floats as strings
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "Infinity" || s == "inf") return HUGE_VAL;
    if (s == "-Infinity" || s == "-inf") return -HUGE_VAL;
    if (s == "NaN" || s == "nan") return NAN;
  }
  bad(where, "expected a number");
}
std::string get_string(const json& v, const std::string& where) {
  if (!v.is_string()) bad(where, "expected a string");
  return v.get<std::string>();
}
bool get_bool(const json& v, const std::string& where) {
  if (!v.is_boolean()) bad(where, "expected a boolean");
  return v.get<bool>();
}
const json& get_array(const json& v, const std::string& where) {
  if (!v.is_array()) bad(where, "expected an array");
  return v;
}
// A schema union is an object with exactly one set field.
std::pair<std::string, const json*> union_field(const json& v, const std::string& where) {
  if (!v.is_object() || v.empty()) bad(where, "expected a one-field union object");
  for (auto it = v.begin(); it != v.end(); ++it)
    if (!it->is_null()) return {it.key(), &*it};
  return {v.begin().key(), &*v.begin()};
}

std::optional<DType> dtype_of_scalar_type(int64_t t) {
  switch (t) {  // schema.ScalarType
    case 1: return DType::uint8;
    case 2: return DType::int8;
    case 3: return DType::int16;
    case 4: return DType::int32;
    case 5: return DType::int64;
    case 6: return DType::float16;
    case 7: return DType::float32;
    case 8: return DType::float64;
    case 9: return DType::complex32;
    case 10: return DType::complex64;
    case 11: return DType::complex128;
    case 12: return DType::bool_;
    case 13: return DType::bfloat16;
    case 28: return DType::uint16;
    case 29: return DType::float8_e4m3fn;
    case 30: return DType::float8_e5m2;
    case 31: return DType::float8_e4m3fnuz;
    case 32: return DType::float8_e5m2fnuz;
    case 33: return DType::float8_e8m0fnu;
    case 34: return DType::uint32;
    case 35: return DType::uint64;
    default: return std::nullopt;
  }
}

ExportSymInt parse_sym_int(const json& v, const std::string& where) {
  ExportSymInt s;
  auto [kind, val] = union_field(v, where);
  if (kind == "as_int") {
    s.value = get_int(*val, where);
  } else if (kind == "as_name") {
    s.name = get_string(*val, where);
  } else if (kind == "as_expr") {
    if (val->is_string()) {  // early 2.x wrote the expression as a bare string
      s.expr = val->get<std::string>();
    } else {
      s.expr = get_string(field(*val, "expr_str", where), where + ".expr_str");
      if (const json* h = opt_field(*val, "hint"))
        if (const json* i = opt_field(*h, "as_int")) s.hint = get_int(*i, where + ".hint");
    }
  } else {
    bad(where, "unknown SymInt kind '" + kind + "'");
  }
  return s;
}

ExportTensorMeta parse_tensor_meta(const json& v, const std::string& where) {
  ExportTensorMeta m;
  const int64_t st = get_int(field(v, "dtype", where), where + ".dtype");
  auto d = dtype_of_scalar_type(st);
  if (!d) bad(where, "unknown scalar type " + std::to_string(st));
  m.dtype = *d;
  const json& sizes = get_array(field(v, "sizes", where), where + ".sizes");
  for (size_t k = 0; k < sizes.size(); ++k) m.sizes.push_back(parse_sym_int(sizes[k], where + ".sizes"));
  if (const json* rg = opt_field(v, "requires_grad")) m.requires_grad = get_bool(*rg, where + ".requires_grad");
  if (const json* dev = opt_field(v, "device")) {
    m.device = get_string(field(*dev, "type", where + ".device"), where + ".device");
    if (const json* i = opt_field(*dev, "index")) m.device += ":" + std::to_string(get_int(*i, where + ".device"));
  }
  return m;
}

ExportArg parse_arg(const json& v, const std::string& where) {
  using K = ExportArg::Kind;
  ExportArg a;
  auto [kind, val] = union_field(v, where);
  auto tensor_name = [&](const json& t) { return get_string(field(t, "name", where), where); };
  if (kind == "as_none") {
    a.kind = K::none;
  } else if (kind == "as_tensor") {
    a.kind = K::tensor;
    a.names.push_back(tensor_name(*val));
  } else if (kind == "as_tensors") {
    a.kind = K::tensors;
    for (const auto& t : get_array(*val, where)) a.names.push_back(tensor_name(t));
  } else if (kind == "as_optional_tensors") {
    a.kind = K::optional_tensors;
    for (const auto& t : get_array(*val, where)) {
      auto [k2, v2] = union_field(t, where);
      a.names.push_back(k2 == "as_tensor" ? tensor_name(*v2) : "");
    }
  } else if (kind == "as_optional_tensor") {
    auto [k2, v2] = union_field(*val, where);
    if (k2 == "as_tensor") {
      a.kind = K::tensor;
      a.names.push_back(tensor_name(*v2));
    } else {
      a.kind = K::none;
    }
  } else if (kind == "as_int") {
    a.kind = K::int_;
    a.ints.push_back(get_int(*val, where));
  } else if (kind == "as_ints") {
    a.kind = K::ints;
    for (const auto& i : get_array(*val, where)) a.ints.push_back(get_int(i, where));
  } else if (kind == "as_float") {
    a.kind = K::float_;
    a.floats.push_back(get_float(*val, where));
  } else if (kind == "as_floats") {
    a.kind = K::floats;
    for (const auto& f : get_array(*val, where)) a.floats.push_back(get_float(f, where));
  } else if (kind == "as_bool") {
    a.kind = K::bool_;
    a.ints.push_back(get_bool(*val, where));
  } else if (kind == "as_bools") {
    a.kind = K::bools;
    for (const auto& b : get_array(*val, where)) a.ints.push_back(get_bool(b, where));
  } else if (kind == "as_string") {
    a.kind = K::string;
    a.strings.push_back(get_string(*val, where));
  } else if (kind == "as_strings") {
    a.kind = K::strings;
    for (const auto& s : get_array(*val, where)) a.strings.push_back(get_string(s, where));
  } else if (kind == "as_sym_int") {
    a.kind = K::sym_int;
    a.syms.push_back(parse_sym_int(*val, where));
  } else if (kind == "as_sym_ints") {
    a.kind = K::sym_ints;
    for (const auto& s : get_array(*val, where)) a.syms.push_back(parse_sym_int(s, where));
  } else if (kind == "as_scalar_type") {
    a.kind = K::scalar_type;
    a.ints.push_back(get_int(*val, where));
  } else if (kind == "as_memory_format") {
    a.kind = K::memory_format;
    a.ints.push_back(get_int(*val, where));
  } else if (kind == "as_layout") {
    a.kind = K::layout;
    a.ints.push_back(get_int(*val, where));
  } else if (kind == "as_device") {
    a.kind = K::device;
    a.strings.push_back(get_string(field(*val, "type", where), where));
  } else {
    // Graphs (higher-order ops), custom objects, sym floats/bools, operators,
    // and kinds a newer schema adds: kept by name, refused where used.
    a.kind = K::other;
    a.strings.push_back(kind);
  }
  return a;
}

// ---- the program

void parse_signature(const json& sig, ExportedProgram& p) {
  const std::string where = "graph_signature";
  for (const auto& s : get_array(field(sig, "input_specs", where), where + ".input_specs")) {
    // (not a structured binding: the lambda below captures it)
    const auto field_of = union_field(s, where + ".input_specs");
    const std::string& kind = field_of.first;
    const json* v = field_of.second;
    ExportInputSpec spec;
    using K = ExportInputSpec::Kind;
    const std::string w = where + ".input_specs." + kind;
    auto tensor_arg = [&](const char* target_key) {
      ExportArg a;
      a.kind = ExportArg::Kind::tensor;
      a.names.push_back(get_string(field(field(*v, "arg", w), "name", w), w));
      spec.arg = a;
      spec.target = get_string(field(*v, target_key, w), w);
    };
    if (kind == "user_input") {
      spec.kind = K::user_input;
      spec.arg = parse_arg(field(*v, "arg", w), w);
    } else if (kind == "parameter") {
      spec.kind = K::parameter;
      tensor_arg("parameter_name");
    } else if (kind == "buffer") {
      spec.kind = K::buffer;
      tensor_arg("buffer_name");
      if (const json* ps = opt_field(*v, "persistent")) spec.persistent = get_bool(*ps, w);
    } else if (kind == "tensor_constant") {
      spec.kind = K::tensor_constant;
      tensor_arg("tensor_constant_name");
    } else if (kind == "custom_obj") {
      spec.kind = K::custom_obj;
      spec.arg.kind = ExportArg::Kind::other;
      spec.arg.names.push_back(get_string(field(field(*v, "arg", w), "name", w), w));
      spec.target = get_string(field(*v, "custom_obj_name", w), w);
    } else if (kind == "token") {
      spec.kind = K::token;
      spec.arg.kind = ExportArg::Kind::other;
      spec.arg.names.push_back(get_string(field(field(*v, "arg", w), "name", w), w));
    } else if (kind == "constant_input") {
      spec.kind = K::constant_input;
      spec.arg.kind = ExportArg::Kind::other;
      spec.arg.names.push_back(get_string(field(*v, "name", w), w));
    } else {
      bad(where, "unknown input spec kind '" + kind + "'");
    }
    p.input_specs.push_back(std::move(spec));
  }
  for (const auto& s : get_array(field(sig, "output_specs", where), where + ".output_specs")) {
    auto [kind, v] = union_field(s, where + ".output_specs");
    ExportOutputSpec spec;
    spec.kind = kind;
    const std::string w = where + ".output_specs." + kind;
    const json& arg = field(*v, "arg", w);
    if (kind == "user_output") {
      spec.arg = parse_arg(arg, w);
    } else {
      spec.arg.kind = ExportArg::Kind::tensor;
      spec.arg.names.push_back(get_string(field(arg, "name", w), w));
      for (const char* key : {"buffer_name", "parameter_name", "user_input_name"})
        if (const json* t = opt_field(*v, key)) spec.target = get_string(*t, w);
    }
    p.output_specs.push_back(std::move(spec));
  }
}

void parse_program(const json& j, const std::string& where, ExportedProgram& p, std::vector<std::string>& warnings) {
  if (const json* sv = opt_field(j, "schema_version")) {
    p.schema_major = get_int(field(*sv, "major", where), where + ".schema_version");
    p.schema_minor = get_int(field(*sv, "minor", where), where + ".schema_version");
    if (p.schema_major > kNewestSchemaMajor ||
        (p.schema_major == kNewestSchemaMajor && p.schema_minor > kNewestSchemaMinor))
      warnings.push_back("export schema version " + std::to_string(p.schema_major) + "." +
                         std::to_string(p.schema_minor) + " is newer than " + std::to_string(kNewestSchemaMajor) + "." +
                         std::to_string(kNewestSchemaMinor) + ", the newest known; reading the fields known to it");
  }
  if (const json* tv = opt_field(j, "torch_version")) p.torch_version = get_string(*tv, where + ".torch_version");
  if (const json* ov = opt_field(j, "opset_version")) {
    if (!ov->is_object()) bad(where, "opset_version is not an object");
    for (auto it = ov->begin(); it != ov->end(); ++it) p.opset_version[it.key()] = get_int(*it, where + ".opset_version");
  }
  if (const json* vs = opt_field(j, "verifiers"))
    for (const auto& v : get_array(*vs, where + ".verifiers")) p.verifiers.push_back(get_string(v, where + ".verifiers"));
  if (const json* rc = opt_field(j, "range_constraints")) {
    if (!rc->is_object()) bad(where, "range_constraints is not an object");
    for (auto it = rc->begin(); it != rc->end(); ++it) {
      ExportedProgram::Range r;
      const std::string w = where + ".range_constraints." + it.key();
      if (const json* mn = opt_field(*it, "min_val")) r.min = get_int(*mn, w);
      if (const json* mx = opt_field(*it, "max_val")) r.max = get_int(*mx, w);
      p.range_constraints[it.key()] = r;
    }
  }
  const json& gm = field(j, "graph_module", where);
  const json& g = field(gm, "graph", where + ".graph_module");
  const std::string gw = where + ".graph";
  for (const auto& a : get_array(field(g, "inputs", gw), gw + ".inputs")) p.graph_inputs.push_back(parse_arg(a, gw + ".inputs"));
  for (const auto& a : get_array(field(g, "outputs", gw), gw + ".outputs")) p.graph_outputs.push_back(parse_arg(a, gw + ".outputs"));
  const json& tvals = field(g, "tensor_values", gw);
  if (!tvals.is_object()) bad(gw, "tensor_values is not an object");
  for (auto it = tvals.begin(); it != tvals.end(); ++it)
    p.tensor_values[it.key()] = parse_tensor_meta(*it, gw + ".tensor_values." + it.key());
  if (const json* sv = opt_field(g, "sym_int_values")) {
    if (!sv->is_object()) bad(gw, "sym_int_values is not an object");
    for (auto it = sv->begin(); it != sv->end(); ++it)
      p.sym_int_values[it.key()] = parse_sym_int(*it, gw + ".sym_int_values." + it.key());
  }
  const json& nodes = get_array(field(g, "nodes", gw), gw + ".nodes");
  p.nodes.reserve(nodes.size());
  for (size_t k = 0; k < nodes.size(); ++k) {
    const json& n = nodes[k];
    const std::string nw = gw + ".nodes[" + std::to_string(k) + "]";
    ExportNode node;
    node.target = get_string(field(n, "target", nw), nw + ".target");
    if (const json* nm = opt_field(n, "name")) node.name = get_string(*nm, nw + ".name");
    for (const auto& in : get_array(field(n, "inputs", nw), nw + ".inputs"))
      node.inputs.emplace_back(get_string(field(in, "name", nw), nw + ".inputs"), parse_arg(field(in, "arg", nw), nw + ".inputs"));
    for (const auto& out : get_array(field(n, "outputs", nw), nw + ".outputs")) node.outputs.push_back(parse_arg(out, nw + ".outputs"));
    if (const json* md = opt_field(n, "metadata")) {
      if (const json* st = opt_field(*md, "stack_trace")) node.stack_trace = get_string(*st, nw + ".stack_trace");
      if (const json* ms = opt_field(*md, "nn_module_stack")) node.nn_module_stack = get_string(*ms, nw + ".nn_module_stack");
    }
    p.nodes.push_back(std::move(node));
  }
  parse_signature(field(gm, "signature", where + ".graph_module"), p);
}

// ---- archive reading

class Pt2Reader {
 public:
  Pt2Reader(const ZipArchive& zip, std::string prefix, const LoadOptions& options, Model& model)
      : zip_(zip), prefix_(std::move(prefix)), options_(options), model_(model) {}

  void run() {
    auto program = std::make_shared<ExportedProgram>();
    p_ = program.get();
    if (has("serialized_exported_program.json")) {
      read_legacy_archive();
      model_.exported = std::move(program);
      return;
    }
    read_format_records();
    for (const auto& r : model_.records) {
      if (r.rfind("data/aotinductor/", 0) == 0) {
        p_->aot_inductor = true;
        if (const ZipEntry* e = record(r)) p_->aot_artifacts.emplace_back(r, e->uncompressed_size);
      }
    }
    choose_model();
    if (!p_->model_name.empty() && has("models/" + p_->model_name + ".json")) {
      const json j = read_json("models/" + p_->model_name + ".json", kMaxProgramJson);
      parse_program(j, "models/" + p_->model_name + ".json", *p_, model_.warnings);
    } else if (!p_->aot_inductor) {
      throw Error(ErrorCode::corrupt, "torch.export archive has no models/*.json program");
    }
    read_payloads("data/weights/", "weights");
    read_payloads("data/constants/", "constants");
    if (p_->aot_inductor) read_aoti_weights();
    if (p_->aot_inductor && model_.tensors.empty()) read_aoti_constants_info();
    read_sample_inputs();
    assign_roles();
    build_module_tree();
    add_hints();
    drop_nested_eocd_warnings();
    model_.exported = std::move(program);
  }

  // The zip reader notes an inner end-of-central-directory record (a possible
  // concatenated archive); inside a data/ or .pt member (sample inputs, pickled
  // weights, the 2.1-2.5 layout's members are torch.save archives) that is the
  // expected layout, not a finding.
  void drop_nested_eocd_warnings() {
    static const std::string prefix = "another end-of-central-directory signature at offset ";
    auto& w = model_.warnings;
    w.erase(std::remove_if(w.begin(), w.end(),
                           [&](const std::string& text) {
                             if (text.rfind(prefix, 0) != 0) return false;
                             uint64_t at = 0;
                             const char* b = text.data() + prefix.size();
                             if (std::from_chars(b, text.data() + text.size(), at).ec != std::errc()) return false;
                             for (const auto& e : zip_.entries())
                               if (e.method == 0 && at >= e.data_offset && at < e.data_offset + e.compressed_size &&
                                   (e.name.rfind(prefix_ + "data/", 0) == 0 ||
                                    (e.name.size() > 3 && e.name.compare(e.name.size() - 3, 3, ".pt") == 0)))
                                 return true;
                             return false;
                           }),
            w.end());
  }

 private:
  const ZipEntry* record(const std::string& name) const { return zip_.find(prefix_ + name); }
  bool has(const std::string& name) const { return record(name) != nullptr; }

  Blob read_member(const ZipEntry& e, uint64_t limit, const std::string& what) {
    if (e.uncompressed_size > limit)
      throw Error(ErrorCode::limit_exceeded, what + " is " + std::to_string(e.uncompressed_size) + " bytes, over the " +
                                                 std::to_string(limit) + "-byte limit");
    return zip_.read(e, options_.verify_crc, &model_.warnings);
  }
  json read_json(const std::string& name, uint64_t limit) {
    const ZipEntry* e = record(name);
    if (!e) throw Error(ErrorCode::corrupt, "torch.export archive lacks " + name);
    Blob b = read_member(*e, limit, name);
    return parse_json_limited(b.bytes, name, JsonLimits{size_t(limit), 64});
  }
  std::string read_small_text(const std::string& name) {
    const ZipEntry* e = record(name);
    if (!e) return {};
    Blob b = read_member(*e, 4096, name);
    std::string s(reinterpret_cast<const char*>(b.data()), b.size());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
  }

  void read_format_records() {
    const std::string format = read_small_text("archive_format");
    if (!format.empty() && format != "pt2")
      throw Error(ErrorCode::unsupported, "archive_format record says '" + format.substr(0, 40) + "', not 'pt2'");
    const std::string version = read_small_text("archive_version");
    if (!version.empty()) {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
      if (ec != std::errc() || ptr != version.data() + version.size() || v < 0)
        throw Error(ErrorCode::corrupt, "archive_version record holds '" + version.substr(0, 40) + "', not a version number");
      p_->archive_version = v;
      if (v > kNewestArchiveVersion)
        model_.warnings.push_back("pt2 archive version " + version + " is newer than " +
                                  std::to_string(kNewestArchiveVersion) + ", the newest known; reading what is known");
    }
  }

  // torch.export.save writes one program, "model"; packages may hold several.
  void choose_model() {
    std::vector<std::string> names;
    for (const auto& r : model_.records)
      if (r.rfind("models/", 0) == 0 && r.size() > 12 && r.compare(r.size() - 5, 5, ".json") == 0 &&
          r.find('/', 7) == std::string::npos)
        names.push_back(r.substr(7, r.size() - 12));
    if (names.empty()) {
      // AOTInductor packages name their model by the folder under data/aotinductor/.
      for (const auto& r : model_.records)
        if (r.rfind("data/aotinductor/", 0) == 0) {
          const size_t slash = r.find('/', 17);
          if (slash != std::string::npos) {
            p_->model_name = r.substr(17, slash - 17);
            break;
          }
        }
      return;
    }
    auto it = std::find(names.begin(), names.end(), "model");
    p_->model_name = it != names.end() ? *it : names.front();
    if (names.size() > 1) {
      std::string others;
      for (const auto& n : names)
        if (n != p_->model_name) others += (others.empty() ? "" : ", ") + n;
      model_.warnings.push_back("archive holds " + std::to_string(names.size()) + " programs; reading '" +
                                p_->model_name + "' (also: " + others + ")");
    }
  }

  // torch 2.1-2.5 (torch.export.save before the pt2 archive format): a plain
  // zip with serialized_exported_program.json, serialized_state_dict.pt,
  // serialized_constants.pt and serialized_example_inputs.pt (torch.save
  // archives of a dict, a dict and (args, kwargs)) and a "major.minor" version.
  void read_legacy_archive() {
    p_->model_name = "model";
    p_->archive_version = -1;  // before archive versions existed
    const std::string version = read_small_text("version");
    if (!version.empty()) model_.producer_hints.push_back("torch.export archive of torch 2.1-2.5, schema version record " + version.substr(0, 20));
    const json j = read_json("serialized_exported_program.json", kMaxProgramJson);
    parse_program(j, "serialized_exported_program.json", *p_, model_.warnings);
    for (const char* name : {"serialized_state_dict.pt", "serialized_constants.pt"}) {
      const ZipEntry* e = record(name);
      if (!e) continue;
      auto nested = load_nested(*e, name);
      for (auto& nt : nested->tensors)
        model_.tensors.push_back({nt.name, std::string(name) == "serialized_state_dict.pt" ? TensorRole::parameter : TensorRole::constant, nt.tensor});
    }
    if (const ZipEntry* e = record("serialized_example_inputs.pt")) {
      auto nested = load_nested(*e, "serialized_example_inputs.pt");
      for (const auto& nt : nested->tensors)
        if (nt.name.rfind("0.", 0) == 0) p_->sample_inputs.push_back(nt.tensor);
    }
    assign_roles();
    build_module_tree();
    add_hints();
    drop_nested_eocd_warnings();
  }

  // A torch.save archive inside the .pt2, read by our own reader.
  std::unique_ptr<Model> load_nested(const ZipEntry& e, const std::string& what) {
    if (nested_loads > 0) throw Error(ErrorCode::corrupt, what + " is an archive inside a nested archive");
    Blob b = read_member(e, kMaxNestedArchive, what);
    auto file = MappedFile::from_bytes(std::vector<uint8_t>(b.data(), b.data() + b.size()), what);
    struct Depth {  // counts this load while it runs, however it ends
      Depth() { ++nested_loads; }
      ~Depth() { --nested_loads; }
    };
    std::unique_ptr<Model> m;
    try {
      Depth depth;
      m = load_model(file, options_);
    } catch (const Error& err) {
      throw Error(err.code(), what + ": " + err.what());
    }
    if (m->kind != FileKind::torch_save_zip && m->kind != FileKind::legacy_stream)
      throw Error(ErrorCode::corrupt, what + " is a " + std::string(file_kind_name(m->kind)) + ", not a torch.save archive");
    for (const auto& w : m->warnings) model_.warnings.push_back(what + ": " + w);
    return m;
  }

  // A raw record: the untyped storage of one or more tensors (shared by name).
  std::shared_ptr<Storage> raw_storage(const std::string& dir, const std::string& path_name, DType dtype,
                                       const std::string& device, const std::string& owner) {
    auto it = storages_.find(dir + path_name);
    if (it != storages_.end()) return it->second;
    if (path_name.empty() || path_name.find('/') != std::string::npos || path_name.find("..") != std::string::npos)
      throw Error(ErrorCode::corrupt, owner + ": payload path '" + path_name.substr(0, 60) + "' is not a record name");
    const ZipEntry* e = record(dir + path_name);
    if (!e) throw Error(ErrorCode::corrupt, owner + " is stored in " + dir + path_name + ", which is not in the archive");
    auto s = std::make_shared<Storage>();
    s->key = path_name;
    s->record = dir + path_name;
    s->location = device;
    s->dtype = dtype;
    s->compressed = e->method != 0;
    if (!s->compressed) s->file_offset = e->data_offset;
    // Stored records are views of the mapping, not hashed (as for torch.save archives: listing a
    // model reads no tensor byte); deflated ones are checked as they inflate.
    s->data = zip_.read(*e, options_.verify_crc && s->compressed, &model_.warnings);
    s->declared_bytes = s->data.size();
    storages_.emplace(dir + path_name, s);
    return s;
  }

  static void check_view(const Tensor& t, const std::string& owner) {
    if (t.storage_offset < 0) throw Error(ErrorCode::corrupt, owner + ": negative storage offset");
    uint64_t numel = 1;
    for (size_t d = 0; d < t.shape.size(); ++d) {
      if (t.shape[d] < 0 || t.strides[d] < 0) throw Error(ErrorCode::corrupt, owner + ": negative size or stride");
      if (__builtin_mul_overflow(numel, uint64_t(t.shape[d]), &numel) || numel > (uint64_t(1) << 56))
        throw Error(ErrorCode::corrupt, owner + ": element count overflows");
      if (t.shape[d] > 0 && uint64_t(t.strides[d]) > (uint64_t(1) << 56))
        throw Error(ErrorCode::corrupt, owner + ": stride out of range");
    }
    if (uint64_t(t.storage_offset) > (uint64_t(1) << 56)) throw Error(ErrorCode::corrupt, owner + ": storage offset out of range");
    if (numel == 0) return;
    // Last element's offset, computed unsigned with overflow checks (a hostile
    // size x stride must not overflow before it is compared with the record).
    uint64_t last = uint64_t(t.storage_offset), need = 0;
    for (size_t d = 0; d < t.shape.size(); ++d) {
      uint64_t step = 0;
      if (__builtin_mul_overflow(uint64_t(t.shape[d] - 1), uint64_t(t.strides[d]), &step) ||
          __builtin_add_overflow(last, step, &last))
        throw Error(ErrorCode::corrupt, owner + ": view extent overflows");
    }
    if (__builtin_mul_overflow(last + 1, uint64_t(itemsize(t.dtype)), &need))
      throw Error(ErrorCode::corrupt, owner + ": view extent overflows");
    if (t.storage && need > t.storage->data.size())
      throw Error(ErrorCode::corrupt, owner + " needs " + std::to_string(need) + " bytes of " + t.storage->record +
                                          ", which holds " + std::to_string(t.storage->data.size()));
  }

  static std::vector<int64_t> concrete(const std::vector<ExportSymInt>& dims, const std::string& owner, const char* what) {
    std::vector<int64_t> out;
    for (const auto& d : dims) {
      if (!d.value) throw Error(ErrorCode::corrupt, owner + ": " + what + " is symbolic for a stored tensor");
      out.push_back(*d.value);
    }
    return out;
  }

  // data/<kind>/<model>_<kind>_config.json: name → PayloadMeta.
  void read_payloads(const std::string& dir, const std::string& kind) {
    const std::string config = dir + p_->model_name + "_" + kind + "_config.json";
    if (!has(config)) {
      if (kind == "weights" && has("data/weights/" + p_->model_name + ".pt"))
        read_legacy_weights("data/weights/" + p_->model_name + ".pt");
      return;
    }
    const json j = read_json(config, kMaxConfigJson);
    const json& entries = field(j, "config", config);
    if (!entries.is_object()) bad(config, "'config' is not an object");
    const TensorRole role = kind == "weights" ? TensorRole::parameter : TensorRole::constant;
    for (auto it = entries.begin(); it != entries.end(); ++it) {
      const std::string name = it.key();
      const std::string owner = kind.substr(0, kind.size() - 1) + " '" + name + "'";
      const std::string where = config + "." + name;
      const std::string path_name = get_string(field(*it, "path_name", where), where + ".path_name");
      bool use_pickle = false;
      if (const json* up = opt_field(*it, "use_pickle")) use_pickle = get_bool(*up, where);
      if (path_name.rfind("custom_obj_", 0) == 0 || path_name.rfind("opaque_obj_", 0) == 0) {
        custom_objects_.push_back(name);
        continue;  // a pickled TorchBind object: scanned by audit, not a tensor
      }
      std::shared_ptr<Tensor> t;
      if (use_pickle) {
        const ZipEntry* e = record(dir + path_name);
        if (!e) throw Error(ErrorCode::corrupt, owner + " is stored in " + dir + path_name + ", which is not in the archive");
        auto nested = load_nested(*e, dir + path_name);
        if (nested->tensors.empty()) throw Error(ErrorCode::corrupt, owner + ": " + dir + path_name + " holds no tensor");
        t = nested->tensors.front().tensor;
      } else {
        const ExportTensorMeta meta = parse_tensor_meta(field(*it, "tensor_meta", where), where + ".tensor_meta");
        const json& tm = field(*it, "tensor_meta", where);
        t = std::make_shared<Tensor>();
        t->dtype = meta.dtype;
        t->requires_grad = meta.requires_grad;
        t->shape = concrete(meta.sizes, owner, "size");
        std::vector<ExportSymInt> strides;
        for (const auto& s : get_array(field(tm, "strides", where), where + ".strides"))
          strides.push_back(parse_sym_int(s, where + ".strides"));
        t->strides = concrete(strides, owner, "stride");
        if (t->strides.size() != t->shape.size())
          throw Error(ErrorCode::corrupt, owner + ": " + std::to_string(t->shape.size()) + " sizes but " +
                                              std::to_string(t->strides.size()) + " strides");
        if (const json* so = opt_field(tm, "storage_offset")) {
          const ExportSymInt off = parse_sym_int(*so, where + ".storage_offset");
          if (!off.value) throw Error(ErrorCode::corrupt, owner + ": storage offset is symbolic");
          t->storage_offset = *off.value;
        }
        if (const json* lay = opt_field(tm, "layout"); lay && get_int(*lay, where + ".layout") != 7)
          throw Error(ErrorCode::unsupported, owner + " has a non-strided layout (" + std::to_string(get_int(*lay, where)) + ")");
        t->storage = raw_storage(dir, path_name, meta.dtype, meta.device, owner);
        if (t->storage->data.size() % itemsize(meta.dtype) != 0)
          throw Error(ErrorCode::corrupt, owner + ": " + t->storage->record + " holds " +
                                              std::to_string(t->storage->data.size()) + " bytes, not a whole number of " +
                                              std::string(dtype_name(meta.dtype)) + " elements");
        t->rebuild = "pt2 " + kind + " record";
        check_view(*t, owner);
      }
      bool is_param = false;
      if (const json* ip = opt_field(*it, "is_param")) is_param = get_bool(*ip, where);
      model_.tensors.push_back({name, kind == "weights" ? (is_param ? TensorRole::parameter : TensorRole::buffer) : role, t});
    }
  }

  // Earlier pt2 archives stored the whole state_dict as one torch.save archive
  // (torch's _load_state_dict still reads it).
  void read_legacy_weights(const std::string& name) {
    auto nested = load_nested(*record(name), name);
    for (auto& nt : nested->tensors) model_.tensors.push_back({nt.name, TensorRole::parameter, nt.tensor});
  }

  // AOTInductor packages without models/*.json: data/aotinductor/<m>/weights_config.json
  // maps each weight to a pickled record with its view (file, shape, stride, offset).
  void read_aoti_weights() {
    const std::string config = "data/aotinductor/" + p_->model_name + "/weights_config.json";
    if (!has(config)) return;
    if (!model_.tensors.empty()) return;  // a models/*.json program's own configs already named them
    const json j = read_json(config, kMaxConfigJson);
    if (!j.is_object()) bad(config, "expected an object");
    std::map<std::string, std::shared_ptr<Tensor>> bases;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string owner = "AOTInductor weight '" + it.key() + "'";
      const json& v = get_array(*it, config);
      if (v.size() != 4) bad(config + "." + it.key(), "expected [file, shape, stride, offset]");
      const std::string file = get_string(v[0], config);
      if (file.find('/') != std::string::npos || file.find("..") != std::string::npos)
        bad(config + "." + it.key(), "record name '" + file.substr(0, 60) + "' is not a plain name");
      auto b = bases.find(file);
      if (b == bases.end()) {
        const ZipEntry* e = record("data/weights/" + file);
        if (!e) throw Error(ErrorCode::corrupt, owner + " is stored in data/weights/" + file + ", which is not in the archive");
        auto nested = load_nested(*e, "data/weights/" + file);
        if (nested->tensors.empty()) throw Error(ErrorCode::corrupt, owner + ": data/weights/" + file + " holds no tensor");
        b = bases.emplace(file, nested->tensors.front().tensor).first;
      }
      auto t = std::make_shared<Tensor>(*b->second);
      t->shape.clear();
      t->strides.clear();
      for (const auto& d : get_array(v[1], config)) t->shape.push_back(get_int(d, config));
      for (const auto& d : get_array(v[2], config)) t->strides.push_back(get_int(d, config));
      t->storage_offset = get_int(v[3], config);
      if (t->shape.size() != t->strides.size()) bad(config + "." + it.key(), "shape and stride ranks differ");
      check_view(*t, owner);
      model_.tensors.push_back({it.key(), TensorRole::parameter, t});
    }
  }

  // AOTInductor packages whose weights are compiled into the .so: the
  // generated wrapper source declares each constant (constants_info_[i].name,
  // dtype, shape, stride, original_fqn, type). Listed with their metadata;
  // the bytes stay inside the shared object, which is never opened.
  void read_aoti_constants_info() {
    const std::string dir = "data/aotinductor/" + p_->model_name + "/";
    for (const auto& r : model_.records) {
      if (r.rfind(dir, 0) != 0 || r.size() < 12 || r.compare(r.size() - 12, 12, ".wrapper.cpp") != 0) continue;
      const ZipEntry* e = record(r);
      Blob b = read_member(*e, kMaxConfigJson, r);
      const std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
      struct Info {
        std::string name, fqn, dtype, type;
        std::vector<int64_t> shape, stride;
        bool has_shape = false;
      };
      std::map<uint64_t, Info> infos;
      static constexpr std::string_view key = "constants_info_[";
      size_t at = 0;
      while ((at = text.find(key, at)) != std::string_view::npos) {
        at += key.size();
        uint64_t idx = 0;
        auto [ptr, ec] = std::from_chars(text.data() + at, text.data() + text.size(), idx);
        if (ec != std::errc() || idx > (1u << 20)) continue;
        size_t pos = size_t(ptr - text.data());
        if (text.substr(pos, 2) != "].") continue;
        pos += 2;
        const size_t eq = text.find(" = ", pos), end = text.find(';', pos);
        if (eq == std::string_view::npos || end == std::string_view::npos || eq > end || end - pos > 4096) continue;
        const std::string_view field = text.substr(pos, eq - pos), value = text.substr(eq + 3, end - eq - 3);
        Info& info = infos[idx];
        auto quoted = [&] { return value.size() >= 2 && value.front() == '"' ? std::string(value.substr(1, value.size() - 2)) : std::string(); };
        auto ints = [&] {
          std::vector<int64_t> v;
          size_t i = 0;
          while (i < value.size()) {
            while (i < value.size() && !(std::isdigit(static_cast<unsigned char>(value[i])))) ++i;
            if (i >= value.size()) break;
            int64_t x = 0;
            auto [p2, ec2] = std::from_chars(value.data() + i, value.data() + value.size(), x);
            if (ec2 != std::errc()) break;
            v.push_back(x);
            i = size_t(p2 - value.data());
          }
          return v;
        };
        if (field == "name") info.name = quoted();
        else if (field == "original_fqn") info.fqn = quoted();
        else if (field == "dtype") info.dtype = std::string(value);
        else if (field == "type") info.type = std::string(value);
        else if (field == "shape") info.shape = ints(), info.has_shape = true;
        else if (field == "stride") info.stride = ints();
        at = end;
      }
      for (const auto& [idx, info] : infos) {
        if (!info.has_shape) continue;
        auto t = std::make_shared<Tensor>();
        static constexpr std::string_view dtype_prefix = "cached_torch_dtype_";
        const size_t dp = info.dtype.find(dtype_prefix);
        auto d = dp == std::string::npos ? std::nullopt : dtype_from_name(info.dtype.substr(dp + dtype_prefix.size()));
        t->dtype = d.value_or(DType::uint8);
        t->shape = info.shape;
        t->strides = info.stride.size() == info.shape.size() ? info.stride : contiguous_strides(info.shape);
        auto storage = std::make_shared<Storage>();
        storage->key = info.name;
        storage->record = r;
        storage->data_missing = true;  // compiled into the shared object
        t->storage = storage;
        t->rebuild = "AOTInductor constant (data in the compiled .so, not read)";
        const TensorRole role = info.type.find("Parameter") != std::string::npos ? TensorRole::parameter
                                : info.type.find("Buffer") != std::string::npos  ? TensorRole::buffer
                                                                                 : TensorRole::constant;
        model_.tensors.push_back({info.fqn.empty() ? info.name : info.fqn, role, t});
      }
      if (!infos.empty())
        model_.warnings.push_back(std::to_string(infos.size()) + " AOTInductor constants are compiled into the package's "
                                  "shared object: listed from " + r + " without their data");
      return;
    }
  }

  void read_sample_inputs() {
    const std::string name = "data/sample_inputs/" + p_->model_name + ".pt";
    const ZipEntry* e = record(name);
    if (!e) return;
    auto nested = load_nested(*e, name);
    // torch.save((args, kwargs)): args' tensors are named "0.<k>".
    for (const auto& nt : nested->tensors)
      if (nt.name.rfind("0.", 0) == 0) p_->sample_inputs.push_back(nt.tensor);
  }

  // Roles and names from the signature: parameters, buffers (persistent or
  // not), lifted constants. The configs' names are the state_dict names.
  void assign_roles() {
    std::map<std::string, TensorRole> roles;
    for (const auto& s : p_->input_specs) {
      switch (s.kind) {
        case ExportInputSpec::Kind::parameter: roles[s.target] = TensorRole::parameter; break;
        case ExportInputSpec::Kind::buffer: roles[s.target] = TensorRole::buffer; break;
        case ExportInputSpec::Kind::tensor_constant: roles[s.target] = TensorRole::constant; break;
        default: break;
      }
    }
    std::set<std::string> seen;
    for (auto& nt : model_.tensors) {
      if (!seen.insert(nt.name).second)
        throw Error(ErrorCode::corrupt, "tensor '" + nt.name + "' is listed twice in the weights and constants configs");
      auto it = roles.find(nt.name);
      if (it != roles.end()) nt.role = it->second;
    }
    // The configs are JSON objects (no order kept): list tensors in the signature's order,
    // which is the module's registration order (parameters, then buffers, then constants).
    std::map<std::string, size_t> order;
    for (const auto& spec : p_->input_specs)
      if (!spec.target.empty()) order.emplace(spec.target, order.size());
    std::stable_sort(model_.tensors.begin(), model_.tensors.end(), [&](const NamedTensor& a, const NamedTensor& b) {
      auto ia = order.find(a.name), ib = order.find(b.name);
      const size_t ka = ia == order.end() ? order.size() : ia->second, kb = ib == order.end() ? order.size() : ib->second;
      return ka < kb;
    });
    if (p_->aot_inductor && p_->input_specs.empty()) return;
    for (const auto& [name, role] : roles)
      if (!seen.count(name))
        throw Error(ErrorCode::corrupt, "the program's signature names " + std::string(tensor_role_name(role)) + " '" + name +
                                            "', which no weights or constants record holds");
  }

  // The module tree from nn_module_stack ("key,path,class;..." per node) and
  // the state_dict names.
  void build_module_tree() {
    std::map<std::string, std::string> classes;  // path → class
    for (const auto& n : p_->nodes) {
      size_t at = 0;
      const std::string& s = n.nn_module_stack;
      while (at < s.size()) {
        size_t end = s.find(';', at);
        if (end == std::string::npos) end = s.size();
        const std::string entry = s.substr(at, end - at);
        const size_t c1 = entry.find(','), c2 = entry.rfind(',');
        if (c1 != std::string::npos && c2 != c1) {
          const std::string path = entry.substr(c1 + 1, c2 - c1 - 1), cls = entry.substr(c2 + 1);
          if (path.find("_empty_nn_module_stack") == std::string::npos) classes.emplace(path, cls);
        }
        at = end + 1;
      }
    }
    if (classes.empty() && model_.tensors.empty()) return;
    auto root = std::make_unique<ModuleNode>();
    root->class_name = classes.count("") ? classes[""] : "torch.export.ExportedProgram";
    auto node_at = [&](const std::string& path) {
      ModuleNode* cur = root.get();
      size_t at = 0;
      while (at < path.size()) {
        size_t dot = path.find('.', at);
        if (dot == std::string::npos) dot = path.size();
        const std::string part = path.substr(at, dot - at), full = path.substr(0, dot);
        ModuleNode* next = nullptr;
        for (auto& c : cur->children)
          if (c->name == part) next = c.get();
        if (!next) {
          auto child = std::make_unique<ModuleNode>();
          child->name = part;
          child->path = full;
          auto cl = classes.find(full);
          child->class_name = cl != classes.end() ? cl->second : "torch.nn.Module";
          next = child.get();
          cur->children.push_back(std::move(child));
        }
        cur = next;
        at = dot + 1;
      }
      return cur;
    };
    for (const auto& [path, cls] : classes)
      if (!path.empty()) node_at(path);
    for (const auto& nt : model_.tensors) {
      const size_t dot = nt.name.rfind('.');
      ModuleNode* owner = dot == std::string::npos ? root.get() : node_at(nt.name.substr(0, dot));
      const std::string leaf = dot == std::string::npos ? nt.name : nt.name.substr(dot + 1);
      if (nt.role == TensorRole::parameter) owner->parameters.push_back(leaf);
      else if (nt.role == TensorRole::buffer) owner->buffers.push_back(leaf);
    }
    model_.root = std::move(root);
  }

  void add_hints() {
    auto& h = model_.producer_hints;
    if (p_->archive_version >= 0)
      h.push_back("torch.export archive version " + std::to_string(p_->archive_version) + ", program '" + p_->model_name + "'");
    if (p_->schema_major)
      h.push_back("export schema " + std::to_string(p_->schema_major) + "." + std::to_string(p_->schema_minor) +
                  (p_->torch_version.empty() ? "" : ", written by torch " + p_->torch_version));
    if (!p_->opset_version.empty()) {
      std::string s;
      for (const auto& [ns, v] : p_->opset_version) s += (s.empty() ? "" : ", ") + ns + " " + std::to_string(v);
      h.push_back("opsets: " + s);
    }
    if (!p_->verifiers.empty()) {
      std::string s;
      for (const auto& v : p_->verifiers) s += (s.empty() ? "" : ", ") + v;
      h.push_back("dialect: " + s);
    }
    if (p_->aot_inductor)
      h.push_back("AOTInductor package: " + std::to_string(p_->aot_artifacts.size()) +
                  " compiled artifacts (native code, never loaded by ptscope)");
    if (!custom_objects_.empty())
      h.push_back(std::to_string(custom_objects_.size()) + " pickled custom objects (TorchBind) in data/constants/");
  }

  const ZipArchive& zip_;
  std::string prefix_;
  const LoadOptions& options_;
  Model& model_;
  ExportedProgram* p_ = nullptr;
  std::map<std::string, std::shared_ptr<Storage>> storages_;
  std::vector<std::string> custom_objects_;
};

}  // namespace

const char* export_input_kind_name(ExportInputSpec::Kind kind) {
  switch (kind) {
    case ExportInputSpec::Kind::user_input: return "user input";
    case ExportInputSpec::Kind::parameter: return "parameter";
    case ExportInputSpec::Kind::buffer: return "buffer";
    case ExportInputSpec::Kind::tensor_constant: return "constant";
    case ExportInputSpec::Kind::custom_obj: return "custom object";
    case ExportInputSpec::Kind::token: return "effect token";
    case ExportInputSpec::Kind::constant_input: return "constant input";
  }
  return "?";
}

void load_exported_program(const ZipArchive& zip, const std::string& prefix, const LoadOptions& options, Model& model) {
  Pt2Reader(zip, prefix, options, model).run();
}

}  // namespace ptscope
