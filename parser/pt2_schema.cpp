// The serialized ExportedProgram of a .pt2 archive (models/<name>.json), after
// the schema of torch/_export/serde/schema.py: typed and validated into
// parser/exported_program.h, fields a newer schema adds ignored with a
// warning on the version, never guessed at.
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "parser/pt2_schema.h"

namespace ptscope::pt2 {
namespace {

constexpr int64_t kNewestSchemaMajor = 8, kNewestSchemaMinor = 20;

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {

ExportArg parse_arg(const json& v, const std::string& where) {
  using K = ExportArg::Kind;
  ExportArg a;
  // (not a structured binding: the lambdas below capture it)
  const auto field_of = union_field(v, where);
  const std::string& kind = field_of.first;
  const json* val = field_of.second;
  auto tensor_name = [&](const json& t) { return get_string(field(t, "name", where), where); };
  // A value kind and its list kind ("as_int" and "as_ints", ...) decode their
  // elements alike into the same field.
  auto one_or_list = [&](const char* one_name, K one, K list, auto& into, auto&& decode) {
    const size_t n = std::strlen(one_name);
    if (kind == one_name) {
      a.kind = one;
      into.push_back(decode(*val));
    } else if (kind.size() == n + 1 && kind.back() == 's' && kind.compare(0, n, one_name) == 0) {
      a.kind = list;
      for (const auto& x : get_array(*val, where)) into.push_back(decode(x));
    } else {
      return false;
    }
    return true;
  };
  auto int_of = [&](const json& x) { return get_int(x, where); };
  auto float_of = [&](const json& x) { return get_float(x, where); };
  auto bool_of = [&](const json& x) { return int64_t(get_bool(x, where)); };
  auto string_of = [&](const json& x) { return get_string(x, where); };
  auto sym_of = [&](const json& x) { return parse_sym_int(x, where); };
  if (kind == "as_none") {
    a.kind = K::none;
  } else if (one_or_list("as_tensor", K::tensor, K::tensors, a.names, tensor_name) ||
             one_or_list("as_int", K::int_, K::ints, a.ints, int_of) ||
             one_or_list("as_float", K::float_, K::floats, a.floats, float_of) ||
             one_or_list("as_bool", K::bool_, K::bools, a.ints, bool_of) ||
             one_or_list("as_string", K::string, K::strings, a.strings, string_of) ||
             one_or_list("as_sym_int", K::sym_int, K::sym_ints, a.syms, sym_of)) {
    // decoded
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

}  // namespace

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

}  // namespace ptscope::pt2
