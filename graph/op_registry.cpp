// The op registry: schema-driven argument binding and overload resolution.
#include "graph/op_registry.h"

#include <cctype>
#include <cstdlib>
#include <limits>
#include <type_traits>

#include "core/error.h"
#include "graph/op_rules.h"

namespace ptscope::graph {
namespace {

// Enum-like identifiers PyTorch schemas use as defaults, as TorchScript ints.
std::optional<int64_t> enum_default(std::string_view s) {
  struct Named { std::string_view name; int64_t value; };
  static constexpr Named kNamed[] = {
      {"contiguous_format", 0}, {"preserve_format", 1}, {"channels_last", 2}, {"channels_last_3d", 3},
      {"Mean", 1}, {"Sum", 2}, {"strided", 0}, {"long", 4}, {"float", 6}, {"int", 3}, {"double", 7},
  };
  for (const auto& n : kNamed)
    if (n.name == s) return n.value;
  return std::nullopt;
}

// Parses a default as written in a schema into a value; coercion to the
// parameter's type happens afterwards, as for caller-supplied values.
ArgValue parse_literal(std::string_view text, const std::string& context) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  if (text == "None") return NoneArg{};
  if (text == "True") return true;
  if (text == "False") return false;
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front())
    return std::string(text.substr(1, text.size() - 2));
  if (auto e = enum_default(text)) return *e;
  if (text.front() == '[') {
    if (text.back() != ']') throw Error(ErrorCode::usage, "bad list default in " + context);
    std::string_view body = trim(text.substr(1, text.size() - 2));
    std::vector<int64_t> ints;
    std::vector<double> floats;
    bool any_float = false;
    while (!body.empty()) {
      size_t comma = body.find(',');
      ArgValue item = parse_literal(body.substr(0, comma), context);
      if (auto* i = std::get_if<int64_t>(&item)) {
        ints.push_back(*i);
        floats.push_back(double(*i));
      } else if (auto* d = std::get_if<double>(&item)) {
        any_float = true;
        floats.push_back(*d);
      } else if (auto* b = std::get_if<bool>(&item)) {  // bool[3] defaults travel as ints
        ints.push_back(*b);
        floats.push_back(*b);
      } else {
        throw Error(ErrorCode::usage, "unsupported list default in " + context);
      }
      if (comma == std::string_view::npos) break;
      body = trim(body.substr(comma + 1));
    }
    if (any_float) return floats;
    return ints;
  }
  std::string s(text);
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  bool looks_float = s.find_first_of(".eE") != std::string::npos;
  if (!looks_float) {
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (end && *end == '\0') return int64_t(v);
  }
  double d = std::strtod(s.c_str(), &end);
  if (end && *end == '\0' && end != s.c_str()) return d;
  throw Error(ErrorCode::usage, "unsupported default '" + s + "' in " + context);
}

// Converts a value to a schema parameter type, or nullopt when it does not fit.
std::optional<ArgValue> coerce(std::string type, const ArgValue& v) {
  const bool is_none = std::holds_alternative<NoneArg>(v);
  if (!type.empty() && type.back() == '?') {
    if (is_none) return v;
    type.pop_back();
  }
  if (is_none) return std::nullopt;
  // Lists: "int[]", "int[2]", "Tensor[]", "Tensor?[]".
  if (!type.empty() && type.back() == ']') {
    size_t open = type.rfind('[');
    std::string elem = type.substr(0, open);
    std::string size_text = type.substr(open + 1, type.size() - open - 2);
    const size_t fixed = size_text.empty() ? 0 : std::stoul(size_text);
    if (elem == "Tensor" || elem == "Tensor?") {
      if (auto* ts = std::get_if<std::vector<TensorMeta>>(&v)) {
        if (elem == "Tensor")
          for (const auto& t : *ts)
            if (t.dtype == DType::undefined) return std::nullopt;
        return v;
      }
      // An empty list literal carries no element type.
      if (auto* is = std::get_if<std::vector<int64_t>>(&v); is && is->empty()) return std::vector<TensorMeta>{};
      if (auto* ds = std::get_if<std::vector<double>>(&v); ds && ds->empty()) return std::vector<TensorMeta>{};
      return std::nullopt;
    }
    if (elem == "int" || elem == "SymInt" || elem == "bool") {
      // Like TorchScript, the size of `int[2]` only matters for a bare int:
      // lists of any length bind and the op checks them (`int[1] dim` takes [0, 2]).
      if (std::holds_alternative<std::vector<int64_t>>(v)) return v;
      if (auto* ds = std::get_if<std::vector<double>>(&v); ds && ds->empty()) return std::vector<int64_t>{};
      // A fixed-size int list accepts one int for every entry (`stride=1`).
      if (fixed) {
        if (auto* i = std::get_if<int64_t>(&v)) return std::vector<int64_t>(fixed, *i);
        if (auto* b = std::get_if<bool>(&v); b && elem != "bool") return std::vector<int64_t>(fixed, *b);
      }
      return std::nullopt;
    }
    if (elem == "float") {
      if (std::holds_alternative<std::vector<double>>(v)) return v;
      if (auto* is = std::get_if<std::vector<int64_t>>(&v)) return std::vector<double>(is->begin(), is->end());
      return std::nullopt;
    }
    return std::nullopt;  // Dimname[], str[] ...: not supported
  }
  if (type == "Tensor") {
    if (std::holds_alternative<TensorMeta>(v)) return v;
    return std::nullopt;
  }
  if (type == "Scalar") {
    if (std::holds_alternative<bool>(v) || std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v))
      return v;
    return std::nullopt;
  }
  if (type == "int" || type == "SymInt" || type == "ScalarType" || type == "Layout" || type == "MemoryFormat") {
    if (auto* i = std::get_if<int64_t>(&v)) return *i;
    if (auto* b = std::get_if<bool>(&v); b && (type == "int" || type == "SymInt")) return int64_t(*b);
    return std::nullopt;
  }
  if (type == "float") {
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* i = std::get_if<int64_t>(&v)) return double(*i);
    if (auto* b = std::get_if<bool>(&v)) return double(*b);
    return std::nullopt;
  }
  if (type == "bool") {
    if (std::holds_alternative<bool>(v)) return v;
    return std::nullopt;
  }
  if (type == "str" || type == "Device") {  // devices travel as their text ("cpu", "cuda:0")
    if (std::holds_alternative<std::string>(v)) return v;
    return std::nullopt;
  }
  return std::nullopt;  // Generator, Dimname, Storage ...: only None fits (handled above)
}

std::string call_string(std::string_view name, const std::vector<ArgValue>& positional,
                        const std::vector<std::pair<std::string, ArgValue>>& keywords) {
  std::string s = std::string(name) + "(";
  bool first = true;
  for (const auto& v : positional) {
    s += (first ? "" : ", ") + arg_to_string(v);
    first = false;
  }
  for (const auto& [k, v] : keywords) {
    s += (first ? "" : ", ") + k + "=" + arg_to_string(v);
    first = false;
  }
  return s + ")";
}

}  // namespace

const char* op_category_name(OpCategory c) {
  switch (c) {
    case OpCategory::conv: return "conv";
    case OpCategory::matmul: return "matmul";
    case OpCategory::attention: return "attention";
    case OpCategory::norm: return "norm";
    case OpCategory::activation: return "activation";
    case OpCategory::pooling: return "pooling";
    case OpCategory::elementwise: return "elementwise";
    case OpCategory::reduction: return "reduction";
    case OpCategory::shape: return "shape";
    case OpCategory::embedding: return "embedding";
    case OpCategory::other: return "other";
  }
  return "other";
}

OpDef& OpRegistry::add(std::string_view schema_text, OpCategory category) {
  auto def = std::make_unique<OpDef>();
  def->schema = parse_schema(schema_text);
  def->category = category;
  def->keeps_shape = category == OpCategory::activation || category == OpCategory::elementwise;
  const std::string full = def->schema.full_name();
  if (by_full_name_.count(full)) throw Error(ErrorCode::usage, "op " + full + " registered twice");
  OpDef* raw = def.get();
  defs_.push_back(std::move(def));
  by_full_name_.emplace(full, raw);
  by_name_[raw->schema.name].push_back(raw);
  return *raw;
}

const std::vector<const OpDef*>& OpRegistry::overloads(std::string_view name) const {
  static const std::vector<const OpDef*> kNone;
  auto it = by_name_.find(name);
  return it == by_name_.end() ? kNone : it->second;
}

const OpDef* OpRegistry::find(std::string_view full_name) const {
  auto it = by_full_name_.find(full_name);
  return it == by_full_name_.end() ? nullptr : it->second;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(by_full_name_.size());
  for (const auto& [name, def] : by_full_name_) out.push_back(name);
  return out;
}

std::optional<std::vector<ArgValue>> OpRegistry::bind(const Schema& schema, const std::vector<ArgValue>& positional,
                                                      const std::vector<std::pair<std::string, ArgValue>>& keywords,
                                                      std::string* why) {
  auto reject = [&](const std::string& reason) -> std::optional<std::vector<ArgValue>> {
    if (why) *why = reason;
    return std::nullopt;
  };
  const auto& params = schema.args;
  size_t max_positional = 0;
  while (max_positional < params.size() && !params[max_positional].kwarg_only) ++max_positional;
  if (positional.size() > max_positional)
    return reject("takes at most " + std::to_string(max_positional) + " positional arguments, got " +
                  std::to_string(positional.size()));
  std::vector<std::optional<ArgValue>> slots(params.size());
  auto place = [&](size_t i, const ArgValue& v) -> bool {
    auto c = coerce(schema_base_type(params[i].type), v);
    if (!c) return false;
    slots[i] = std::move(*c);
    return true;
  };
  for (size_t i = 0; i < positional.size(); ++i)
    if (!place(i, positional[i]))
      return reject("argument '" + params[i].name + "' must be " + params[i].type + ", got " +
                    arg_kind_name(positional[i].index()) + " " + arg_to_string(positional[i]));
  for (const auto& [key, value] : keywords) {
    size_t i = 0;
    while (i < params.size() && params[i].name != key) ++i;
    if (i == params.size()) return reject("no argument named '" + key + "'");
    if (slots[i]) return reject("argument '" + key + "' given twice");
    if (!place(i, value))
      return reject("argument '" + key + "' must be " + params[i].type + ", got " + arg_kind_name(value.index()) + " " +
                    arg_to_string(value));
  }
  std::vector<ArgValue> out;
  out.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    if (!slots[i]) {
      if (!params[i].default_value) return reject("missing argument '" + params[i].name + "'");
      ArgValue lit = parse_literal(*params[i].default_value, schema.text);
      auto c = coerce(schema_base_type(params[i].type), lit);
      if (!c)
        throw Error(ErrorCode::usage, "default '" + *params[i].default_value + "' does not fit " + params[i].type +
                                          " in " + schema.text);
      slots[i] = std::move(*c);
    }
    out.push_back(std::move(*slots[i]));
  }
  return out;
}

std::pair<const OpDef*, std::vector<ArgValue>> OpRegistry::resolve(
    std::string_view name, const std::vector<ArgValue>& positional,
    const std::vector<std::pair<std::string, ArgValue>>& keywords) const {
  const auto& candidates = overloads(name);
  if (candidates.empty())
    throw Error(ErrorCode::unsupported,
                "unknown op " + call_string(name, positional, keywords) + ": add it to the registry",
                ErrorCondition::unknown_op);
  std::string tried;
  for (const OpDef* def : candidates) {
    std::string why;
    if (auto bound = bind(def->schema, positional, keywords, &why)) return {def, std::move(*bound)};
    tried += "\n  " + def->schema.text + ": " + why;
  }
  throw Error(ErrorCode::unsupported,
              "no overload of " + std::string(name) + " accepts " + call_string(name, positional, keywords) +
                  "; tried:" + tried);
}

double BackwardCost::total() const {
  double t = shared;
  for (double g : grads) t += g;
  return t;
}

OpCost default_bytes(const std::vector<ArgValue>& args, const std::vector<TensorMeta>& outputs) {
  OpCost c;
  for (const auto& a : args) {
    if (auto* t = std::get_if<TensorMeta>(&a)) {
      c.bytes_read += t->nbytes();
    } else if (auto* ts = std::get_if<std::vector<TensorMeta>>(&a)) {
      for (const auto& x : *ts)
        if (x.dtype != DType::undefined) c.bytes_read += x.nbytes();
    }
  }
  for (const auto& o : outputs) c.bytes_written += o.nbytes();
  return c;
}

const OpRegistry& op_registry() {
  // Built on first use; C++ guarantees one thread-safe initialisation.
  static const OpRegistry registry = [] {
    OpRegistry r;
    using namespace rules;
    for (auto* register_family :
         {&register_conv_ops, &register_matmul_ops, &register_attention_ops, &register_norm_ops,
          &register_activation_ops, &register_pooling_ops, &register_elementwise_ops, &register_reduction_ops,
          &register_shape_ops, &register_embedding_ops, &register_other_ops, &register_recurrent_ops})
      register_family(r);
    return r;
  }();
  return registry;
}

}  // namespace ptscope::graph
