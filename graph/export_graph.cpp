#include "graph/export_graph.h"

#include <map>
#include <set>

#include "core/error.h"
#include "core/format.h"
#include "graph/interpreter.h"
#include "parser/exported_program.h"

namespace ptscope::graph {
namespace {

// "torch.ops.aten.add.Tensor" → "aten::add.Tensor"; ".default" is the unnamed overload.
std::optional<std::string> registry_name(const std::string& target) {
  static const std::string prefix = "torch.ops.";
  if (target.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string rest = target.substr(prefix.size());
  const size_t a = rest.find('.');
  if (a == std::string::npos) return std::nullopt;
  const std::string ns = rest.substr(0, a);
  const size_t b = rest.find('.', a + 1);
  const std::string op = rest.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  const std::string overload = b == std::string::npos ? "" : rest.substr(b + 1);
  return ns + "::" + op + (overload.empty() || overload == "default" ? "" : "." + overload);
}

// serde enums → the c10 numbering the registry's rules use.
int64_t c10_memory_format(int64_t serde) {
  switch (serde) {
    case 1: return 0;  // contiguous
    case 2: return 2;  // channels_last
    case 3: return 3;  // channels_last_3d
    case 4: return 1;  // preserve
    default: return 0;
  }
}

class ExportGraphBuilder {
 public:
  ExportGraphBuilder(const Model& model, const GraphOptions& options)
      : model_(model), p_(*model.exported), options_(options) {}

  Graph run(std::vector<ModuleCall>* calls) {
    if (p_.nodes.empty() && p_.graph_outputs.empty()) {
      if (p_.aot_inductor)
        throw Error(ErrorCode::unsupported, "this AOTInductor package holds only compiled code (no exported program): "
                                            "ptscope lists it but never runs native code from a file");
      throw Error(ErrorCode::corrupt, "the exported program has an empty graph");
    }
    for (const auto& nt : model_.tensors) tensors_[nt.name] = nt.tensor;
    bind_inputs();
    add_leaves();
    for (size_t k = 0; k < p_.nodes.size(); ++k) run_node(p_.nodes[k], k);
    for (const auto& spec : p_.output_specs) {
      if (spec.kind != "user_output") {
        g_.notes.push_back("output " + (spec.arg.names.empty() ? std::string("?") : spec.arg.names[0]) + " is a " +
                           spec.kind + (spec.target.empty() ? "" : " of '" + spec.target + "'"));
        continue;
      }
      if (spec.arg.kind != ExportArg::Kind::tensor) continue;  // constants and sym ints returned as is
      g_.outputs.push_back(value_of(spec.arg.names[0], "the program's output"));
    }
    if (calls) {
      module_calls(*calls);
      for (auto& c : *calls)
        if (c.path.empty()) c.outputs = g_.outputs;  // the root's results are the program's
    }
    return std::move(g_);
  }

 private:
  // ---- inputs and their symbolic dims

  void bind_inputs() {
    std::vector<const ExportInputSpec*> users;
    for (const auto& s : p_.input_specs)
      if (s.kind == ExportInputSpec::Kind::user_input) {
        if (s.arg.kind == ExportArg::Kind::tensor) users.push_back(&s);
        else if (s.arg.kind == ExportArg::Kind::sym_int || s.arg.kind == ExportArg::Kind::other)
          throw Error(ErrorCode::unsupported, "the program takes a non-tensor input the graph front end cannot set");
      }
    // Explicit specs: by name, then the rest in order.
    for (const auto& spec : options_.inputs)
      if (spec.scalar) throw Error(ErrorCode::usage, "--input " + input_spec_string(spec) + ": the program's inputs are tensors");
    std::vector<std::string> names;
    for (const auto* u : users) names.push_back(u->arg.names[0]);
    const std::vector<const InputSpec*> given = match_input_specs(
        options_.inputs, names,
        [&](const InputSpec& spec) {
          return "--input " + spec.name + ": the program has no input '" + spec.name + "' (inputs: " + input_names(users) + ")";
        },
        [&] {
          return std::to_string(options_.inputs.size()) + " --input values for " + std::to_string(users.size()) +
                 " inputs of the program (" + input_names(users) + ")";
        });

    bool seq_used = false;
    for (size_t k = 0; k < users.size(); ++k) {
      const std::string& name = users[k]->arg.names[0];
      auto mit = p_.tensor_values.find(name);
      if (mit == p_.tensor_values.end()) throw Error(ErrorCode::corrupt, "input '" + name + "' has no recorded tensor_meta");
      const ExportTensorMeta& meta = mit->second;
      std::vector<int64_t> shape;
      DType dtype = meta.dtype;
      std::string why;
      if (given[k]) {
        shape = given[k]->shape;
        if (given[k]->dtype) dtype = *given[k]->dtype;
        why = "given";
        if (shape.size() != meta.sizes.size())
          throw Error(ErrorCode::usage, "--input " + name + ": the program takes a " + std::to_string(meta.sizes.size()) +
                                            "-d tensor, got " + format_shape(shape));
      } else if (k < p_.sample_inputs.size() && p_.sample_inputs[k] && p_.sample_inputs[k]->shape.size() == meta.sizes.size()) {
        shape = p_.sample_inputs[k]->shape;
        why = "the archive's sample input";
      } else {
        for (const auto& d : meta.sizes) {
          if (d.value) shape.push_back(*d.value);
          else if (d.hint) shape.push_back(*d.hint);
          else throw Error(ErrorCode::usage, "input '" + name + "' has a symbolic dim without a hint: pass --input");
        }
        why = "the shapes recorded at export";
      }
      if (options_.batch && !shape.empty() && !given[k]) shape[0] = *options_.batch;
      if (options_.seq && shape.size() >= 2 && !given[k] && !meta.sizes[1].value) {
        shape[1] = *options_.seq;
        seq_used = true;
      }
      for (size_t d = 0; d < shape.size(); ++d) bind_dim(name, d, meta.sizes[d], shape[d]);
      inputs_.push_back({name, shape, dtype});
      g_.notes.push_back("input " + name + ": " + format_shape(shape) + " " + std::string(dtype_name(dtype)) + " (" + why + ")");
    }
    if (options_.seq && !seq_used)
      throw Error(ErrorCode::usage, "--seq: the program has no dynamic sequence dim (dim 1 of every input is static)");
    // Compound dims of the inputs (s0*2 ...) must agree with the plain ones.
    for (size_t k = 0; k < users.size(); ++k) {
      const ExportTensorMeta& meta = p_.tensor_values.at(users[k]->arg.names[0]);
      for (size_t d = 0; d < meta.sizes.size(); ++d) {
        const auto& dim = meta.sizes[d];
        if (dim.value || export_plain_symbol(dim.expr) != "") continue;
        auto v = export_eval_expr(dim.expr, symbols_);
        if (v && *v != inputs_[k].shape[d])
          throw Error(ErrorCode::usage, "input '" + inputs_[k].name + "' dim " + std::to_string(d) + " must be " +
                                            dim.expr + " = " + std::to_string(*v) + ", got " + std::to_string(inputs_[k].shape[d]));
      }
    }
    for (const auto& [sym, v] : symbols_) g_.notes.push_back("symbolic dim " + sym + " = " + std::to_string(v) + range_text(sym));
  }

  // "[2, 32]" for a declared range, "" when the symbol has none.
  std::string range_bracket(const std::string& sym) const {
    auto it = p_.range_constraints.find(sym);
    if (it == p_.range_constraints.end()) return "";
    return "[" + (it->second.min ? std::to_string(*it->second.min) : std::string("-inf")) + ", " +
           (it->second.max ? std::to_string(*it->second.max) : std::string("inf")) + "]";
  }
  std::string range_text(const std::string& sym) const {
    const std::string r = range_bracket(sym);
    return r.empty() ? "" : " (range " + r + ")";
  }

  static std::string input_names(const std::vector<const ExportInputSpec*>& users) {
    std::string s;
    for (const auto* u : users) s += (s.empty() ? "" : ", ") + u->arg.names[0];
    return s.empty() ? "none" : s;
  }

  void bind_dim(const std::string& input, size_t d, const ExportSymInt& dim, int64_t value) {
    const std::string where = "input '" + input + "' dim " + std::to_string(d);
    if (value < 0) throw Error(ErrorCode::usage, where + ": negative size");
    if (dim.value) {
      if (*dim.value != value)
        throw Error(ErrorCode::usage, where + " is static (" + std::to_string(*dim.value) + ") in this program; got " +
                                          std::to_string(value) + " (export it with a dynamic dim to change it)");
      return;
    }
    const std::string sym = export_plain_symbol(dim.expr);
    if (sym.empty()) return;  // compound: checked once the plain symbols are bound
    auto r = p_.range_constraints.find(sym);
    if (r != p_.range_constraints.end() && ((r->second.min && value < *r->second.min) || (r->second.max && value > *r->second.max)))
      throw Error(ErrorCode::usage, where + " = " + std::to_string(value) + " is outside the range " +
                                        range_bracket(sym) + " declared for " + sym);
    auto [it, fresh] = symbols_.emplace(sym, value);
    if (!fresh && it->second != value)
      throw Error(ErrorCode::usage, where + " = " + std::to_string(value) + " but " + sym + " is already " +
                                        std::to_string(it->second) + " from another dim");
  }

  // ---- graph leaves in signature order

  void add_leaves() {
    size_t user = 0;
    for (const auto& s : p_.input_specs) {
      if (s.arg.kind != ExportArg::Kind::tensor) continue;
      const std::string& name = s.arg.names[0];
      if (s.kind == ExportInputSpec::Kind::user_input) {
        TensorMeta meta;
        meta.shape = inputs_[user].shape;
        meta.dtype = inputs_[user].dtype;
        const int id = g_.add_value(meta, Value::Kind::input, name);
        g_.inputs.push_back(id);
        values_[name] = id;
        ++user;
        continue;
      }
      auto t = tensors_.find(s.target);
      if (t == tensors_.end())
        throw Error(ErrorCode::corrupt, "the program's " + std::string(export_input_kind_name(s.kind)) + " '" + s.target +
                                            "' has no tensor in the archive");
      TensorMeta meta;
      meta.shape = t->second->shape;
      meta.dtype = t->second->dtype;
      check_recorded(name, "placeholder", "", meta);
      const int id = g_.add_value(meta, s.kind == ExportInputSpec::Kind::tensor_constant ? Value::Kind::constant
                                                                                       : Value::Kind::parameter,
                                  s.target);
      g_.values[size_t(id)].tensor = t->second;
      values_[name] = id;
    }
  }

  // ---- nodes

  int value_of(const std::string& name, const std::string& user) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw Error(ErrorCode::corrupt, user + " uses '" + name + "' before any node defines it");
    return it->second;
  }
  TensorMeta meta_of(const std::string& name, const std::string& user) const {
    const int id = value_of(name, user);
    TensorMeta m = g_.values[size_t(id)].meta;
    m.value_id = id;
    return m;
  }

  int64_t sym_value(const ExportSymInt& s, const std::string& user) const {
    if (s.value) return *s.value;
    if (!s.name.empty()) {
      auto it = sym_names_.find(s.name);
      if (it == sym_names_.end()) throw Error(ErrorCode::corrupt, user + " uses symbolic int '" + s.name + "' before it is defined");
      return it->second;
    }
    if (auto v = export_eval_expr(s.expr, symbols_)) return *v;
    throw Error(ErrorCode::unsupported, user + ": cannot evaluate the symbolic expression '" + s.expr.substr(0, 80) + "'");
  }

  ArgValue to_arg(const ExportArg& a, const std::string& user) const {
    using K = ExportArg::Kind;
    switch (a.kind) {
      case K::none: return NoneArg{};
      case K::tensor: return meta_of(a.names[0], user);
      case K::tensors:
      case K::optional_tensors: {
        std::vector<TensorMeta> list;
        for (const auto& n : a.names) list.push_back(n.empty() ? TensorMeta::none() : meta_of(n, user));
        return list;
      }
      case K::int_: return a.ints[0];
      case K::ints: return a.ints;
      case K::float_: return a.floats[0];
      case K::floats: return a.floats;
      case K::bool_: return a.ints[0] != 0;
      case K::bools: return a.ints;
      case K::string: return a.strings[0];
      case K::strings: throw Error(ErrorCode::unsupported, user + ": string-list arguments are not supported");
      case K::sym_int: return sym_value(a.syms[0], user);
      case K::sym_ints: {
        std::vector<int64_t> v;
        for (const auto& s : a.syms) v.push_back(sym_value(s, user));
        return v;
      }
      case K::scalar_type: {
        // serde ScalarType numbering → our DType (c10's numbering).
        static const std::map<int64_t, DType> map = {
            {1, DType::uint8}, {2, DType::int8}, {3, DType::int16}, {4, DType::int32}, {5, DType::int64},
            {6, DType::float16}, {7, DType::float32}, {8, DType::float64}, {12, DType::bool_}, {13, DType::bfloat16}};
        auto it = map.find(a.ints[0]);
        if (it == map.end()) throw Error(ErrorCode::unsupported, user + ": scalar type " + std::to_string(a.ints[0]) + " is not supported");
        return int64_t(it->second);
      }
      case K::memory_format: return c10_memory_format(a.ints[0]);
      case K::layout: return int64_t(0);  // strided (the only layout an aten graph here produces)
      case K::device: return a.strings[0];
      case K::other: break;
    }
    throw Error(ErrorCode::unsupported, user + " takes a '" + (a.strings.empty() ? std::string("?") : a.strings[0]) +
                                            "' argument, which the graph front end does not read");
  }

  // Integer ops on symbolic sizes (aten.sym_size, Python operators).
  bool run_sym_node(const ExportNode& n, const std::string& user) {
    auto out_name = [&]() -> std::string {
      if (n.outputs.size() != 1 || n.outputs[0].kind != ExportArg::Kind::sym_int || n.outputs[0].syms[0].name.empty())
        throw Error(ErrorCode::corrupt, user + " does not return one named symbolic int");
      return n.outputs[0].syms[0].name;
    };
    auto input = [&](const char* name, size_t pos) -> const ExportArg& {
      for (const auto& [k, v] : n.inputs)
        if (k == name) return v;
      if (pos < n.inputs.size()) return n.inputs[pos].second;
      throw Error(ErrorCode::corrupt, user + " lacks argument '" + name + "'");
    };
    auto int_of = [&](const ExportArg& a) -> int64_t {
      ArgValue v = to_arg(a, user);
      if (auto* i = std::get_if<int64_t>(&v)) return *i;
      throw Error(ErrorCode::corrupt, user + ": expected an integer argument");
    };
    if (n.target == "torch.ops.aten.sym_size.int") {
      const ExportArg& self = input("self", 0);
      if (self.kind != ExportArg::Kind::tensor) throw Error(ErrorCode::corrupt, user + ": sym_size of a non-tensor");
      const TensorMeta m = meta_of(self.names[0], user);
      int64_t dim = int_of(input("dim", 1));
      if (dim < 0) dim += int64_t(m.shape.size());
      if (dim < 0 || dim >= int64_t(m.shape.size())) throw Error(ErrorCode::corrupt, user + ": dim out of range");
      sym_names_[out_name()] = m.shape[size_t(dim)];
      return true;
    }
    if (n.target == "torch.ops.aten.sym_numel.default") {
      sym_names_[out_name()] = meta_of(input("self", 0).names.at(0), user).numel();
      return true;
    }
    static const std::set<std::string> binary = {"_operator.add", "_operator.sub", "_operator.mul", "_operator.floordiv",
                                                 "_operator.mod"};
    if (binary.count(n.target)) {
      if (n.inputs.size() != 2) throw Error(ErrorCode::corrupt, user + " takes two operands");
      const int64_t a = int_of(n.inputs[0].second), b = int_of(n.inputs[1].second);
      int64_t r = 0;
      const std::string& op = n.target;
      bool overflow = false;
      if (op == "_operator.add") overflow = __builtin_add_overflow(a, b, &r);
      else if (op == "_operator.sub") overflow = __builtin_sub_overflow(a, b, &r);
      else if (op == "_operator.mul") overflow = __builtin_mul_overflow(a, b, &r);
      else {
        if (b == 0) throw Error(ErrorCode::corrupt, user + " divides by zero");
        r = op == "_operator.floordiv" ? (a / b - ((a % b != 0) && ((a < 0) != (b < 0)))) : ((a % b + b) % b);
      }
      if (overflow) throw Error(ErrorCode::corrupt, user + " overflows");
      sym_names_[out_name()] = r;
      return true;
    }
    // Runtime checks and metadata asserts: no values, nothing to compute.
    static const std::set<std::string> checks = {
        "torch.ops.aten._assert_scalar.default", "torch.ops.aten._assert_tensor_metadata.default",
        "torch.ops.aten.sym_constrain_range.default", "torch.ops.aten.sym_constrain_range_for_size.default",
        "torch.ops.aten._assert_async.msg", "torch.ops.aten._assert_async.default"};
    return checks.count(n.target) > 0;
  }

  void run_node(const ExportNode& n, size_t index) {
    const std::string user = "node '" + (n.name.empty() ? "#" + std::to_string(index) : n.name) + "' (" + n.target + ")";
    if (run_sym_node(n, user)) return;
    auto op = registry_name(n.target);
    if (!op) throw Error(ErrorCode::unsupported, user + ": calls '" + n.target + "', which is not an aten operator");
    const OpRegistry& reg = op_registry();
    std::vector<std::pair<std::string, ArgValue>> kw;
    for (const auto& [name, arg] : n.inputs) kw.emplace_back(name, to_arg(arg, user));
    const OpDef* def = reg.find(*op);
    std::vector<ArgValue> bound;
    std::string why;
    if (def) {
      if (auto b = OpRegistry::bind(def->schema, {}, kw, &why)) bound = std::move(*b);
      else def = nullptr;
    }
    if (!def) {
      // An overload we register under another name, or a schema that grew: try every overload.
      const std::string base = op->substr(0, op->find('.', op->find("::") + 2));
      if (reg.overloads(base).empty())
        throw Error(ErrorCode::unsupported, user + ": " + *op + " is not in ptscope's op registry");
      try {
        auto r = reg.resolve(base, {}, kw);
        def = r.first;
        bound = std::move(r.second);
      } catch (const Error& e) {
        throw Error(ErrorCode::unsupported, user + ": " + e.what() + (why.empty() ? "" : " (" + why + ")"));
      }
    }
    std::vector<TensorMeta> outs;
    try {
      outs = def->shape(bound);
    } catch (const Error& e) {
      throw Error(e, user + ": " + e.what());
    }
    // torch's output names, flattened in order ("" for outputs it dropped).
    std::vector<std::string> names;
    for (const auto& o : n.outputs) {
      if (o.kind == ExportArg::Kind::tensor) names.push_back(o.names[0]);
      else if (o.kind == ExportArg::Kind::tensors || o.kind == ExportArg::Kind::optional_tensors)
        for (const auto& nm : o.names) names.push_back(nm);
      else if (o.kind == ExportArg::Kind::none) names.push_back("");
      else throw Error(ErrorCode::unsupported, user + " returns a non-tensor value the graph front end does not read");
    }
    if (names.size() != outs.size())
      throw Error(ErrorCode::corrupt, user + ": torch recorded " + std::to_string(names.size()) + " outputs, the " + def->schema.full_name() +
                                          " shape rule gives " + std::to_string(outs.size()));

    Node node;
    node.def = def;
    node.op = def->schema.full_name();
    node.category = def->category;
    node.args = bound;
    for (size_t k = 0; k < bound.size(); ++k) {
      const ArgValue& a = bound[k];
      if (auto* t = std::get_if<TensorMeta>(&a)) node.inputs.push_back(t->value_id);
      else if (auto* ts = std::get_if<std::vector<TensorMeta>>(&a)) {
        for (const auto& t : *ts)
          if (t.dtype != DType::undefined) node.inputs.push_back(t.value_id);
      } else {
        node.attrs.emplace_back(def->schema.args[k].name, a);
      }
    }
    try {
      node.cost = def->cost ? def->cost(bound, outs) : default_bytes(bound, outs);
    } catch (const Error& e) {
      throw Error(e, user + ": " + e.what());
    }
    scope_of(n, node);
    node.source = source_of(n.stack_trace);
    const int node_index = int(g_.nodes.size());
    node.is_view = def->is_view && !(def->copies && def->copies(bound, outs));
    const int base = node.is_view && !node.inputs.empty() ? node.inputs[0] : -1;
    for (size_t k = 0; k < outs.size(); ++k) {
      if (!names[k].empty()) check_recorded(names[k], n.name, node.op, outs[k]);
      const int id = g_.add_value(outs[k], Value::Kind::intermediate, "", node_index);
      g_.values[size_t(id)].view_of = base;
      node.outputs.push_back(id);
      if (!names[k].empty()) values_[names[k]] = id;
    }
    g_.nodes.push_back(std::move(node));
  }

  // Our shape rule against torch's recorded tensor_meta: a mismatch is a warning naming the node.
  void check_recorded(const std::string& value, const std::string& node, const std::string& op, const TensorMeta& ours) {
    auto it = p_.tensor_values.find(value);
    if (it == p_.tensor_values.end()) return;
    const ExportTensorMeta& rec = it->second;
    std::vector<int64_t> want;
    for (const auto& d : rec.sizes) {
      std::optional<int64_t> v = d.value;
      if (!v && !d.expr.empty()) v = export_eval_expr(d.expr, symbols_);
      if (!v) return;  // an expression we cannot evaluate: nothing to compare
      want.push_back(*v);
    }
    if (want == ours.shape && rec.dtype == ours.dtype) return;
    const std::string who = node.empty() ? "placeholder '" + value + "'" : "node '" + node + "' (" + op + ")";
    g_.notes.push_back("warning: " + who + ": our shape rule gives " + format_shape(ours.shape) + " " + std::string(dtype_name(ours.dtype)) +
                       ", torch recorded " + format_shape(want) + " " + std::string(dtype_name(rec.dtype)));
  }

  // nn_module_stack: "key,path,class;key,path,class" from the root down; the last is the innermost.
  void scope_of(const ExportNode& n, Node& node) {
    const std::string& s = n.nn_module_stack;
    size_t at = 0;
    while (at < s.size()) {
      size_t end = s.find(';', at);
      if (end == std::string::npos) end = s.size();
      const std::string entry = s.substr(at, end - at);
      at = end + 1;
      const size_t c1 = entry.find(','), c2 = entry.rfind(',');
      if (c1 == std::string::npos || c2 == c1) continue;
      const std::string path = entry.substr(c1 + 1, c2 - c1 - 1);
      if (path.find("_empty_nn_module_stack") != std::string::npos) continue;
      node.scope = path;
      node.scope_class = short_class_name(entry.substr(c2 + 1));
      classes_.emplace(path, node.scope_class);
    }
  }

  // stack_trace: 'File "x.py", line 12, in forward\n  code\n  File ...' outermost first;
  // the innermost frame outside torch's own package is the model's line.
  static std::string source_of(const std::string& trace) {
    std::string best, first;
    size_t at = 0;
    while ((at = trace.find("File \"", at)) != std::string::npos) {
      at += 6;
      const size_t q = trace.find('"', at);
      if (q == std::string::npos) break;
      const std::string file = trace.substr(at, q - at);
      const size_t ln = trace.find("line ", q);
      if (ln == std::string::npos) break;
      size_t e = ln + 5;
      while (e < trace.size() && std::isdigit(static_cast<unsigned char>(trace[e]))) ++e;
      const std::string where = file + ":" + trace.substr(ln + 5, e - ln - 5);
      if (first.empty()) first = where;
      if (file.find("/torch/") == std::string::npos && file.rfind("torch/", 0) != 0) best = where;
      at = e;
    }
    return best.empty() ? first : best;
  }

  // One call per module path: the contiguous run of nodes inside it.
  void module_calls(std::vector<ModuleCall>& calls) const {
    std::map<std::string, size_t> open;
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      const std::string& scope = g_.nodes[k].scope;
      for (size_t at = 0; at <= scope.size(); ++at) {
        if (at != 0 && at != scope.size() && scope[at] != '.') continue;  // "" (the root) and each dotted prefix
        const std::string path = scope.substr(0, at);
        auto it = open.find(path);
        if (it != open.end() && calls[it->second].end_node == k) {
          calls[it->second].end_node = k + 1;
          calls[it->second].outputs = g_.nodes[k].outputs;
          continue;
        }
        ModuleCall c;
        c.path = path;
        auto cls = classes_.find(path);
        c.class_name = cls != classes_.end() ? cls->second : "";
        c.method = "forward";
        c.first_node = k;
        c.end_node = k + 1;
        c.outputs = g_.nodes[k].outputs;
        open[path] = calls.size();
        calls.push_back(std::move(c));
      }
    }
  }

  struct UserInput {
    std::string name;
    std::vector<int64_t> shape;
    DType dtype;
  };

  const Model& model_;
  const ExportedProgram& p_;
  const GraphOptions& options_;
  Graph g_;
  std::map<std::string, std::shared_ptr<Tensor>> tensors_;  // state_dict / constant name → tensor
  std::map<std::string, int> values_;                        // graph tensor name → value id
  std::map<std::string, int64_t> symbols_;                   // s0 → bound size
  std::map<std::string, int64_t> sym_names_;                 // sym-int values made by nodes
  std::vector<UserInput> inputs_;
  std::map<std::string, std::string> classes_;              // module path → short class name
};

}  // namespace

Graph build_exported_graph(const Model& model, const GraphOptions& options, std::vector<ModuleCall>* calls) {
  if (!model.exported) throw Error(ErrorCode::usage, "not a torch.export program");
  return ExportGraphBuilder(model, options).run(calls);
}

}  // namespace ptscope::graph
