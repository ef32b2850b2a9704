// The interpreter's frame: construction, errors and where they happened,
// the code/ files and their classes, and calls (methods, functions, classes,
// torch.* namespaces). Objects and attributes are in interpreter_objects.cpp,
// statements in interpreter_exec.cpp, expressions in interpreter_eval.cpp,
// tensor ops in interpreter_ops.cpp and non-tensor ops in builtins.cpp.
#include "graph/interpreter.h"

#include "parser/class_index.h"
#include "parser/torchscript/parser.h"

namespace ptscope::graph {

using namespace ts;

std::string short_class_name(std::string_view qualname) {
  size_t dot = qualname.rfind('.');
  return std::string(dot == std::string_view::npos ? qualname : qualname.substr(dot + 1));
}

Interpreter::Interpreter(const Model& model, Graph& graph, TensorBackend& backend, InterpreterLimits limits,
                         std::shared_ptr<SourceCache> cache)
    : model_(model), graph_(graph), backend_(backend), limits_(limits), cache_(std::move(cache)) {
  if (!cache_) cache_ = std::make_shared<SourceCache>();
  // Archives without a version record are recent enough to need no upgraders.
  format_version_ = model.format_version.value_or(10);
  for (const auto& t : model.tensors)
    if (t.tensor) tensor_names_.emplace(t.tensor.get(), t.name);
  std::vector<const ModuleNode*> stack;
  if (model.root) stack.push_back(model.root.get());
  while (!stack.empty()) {
    const ModuleNode* n = stack.back();
    stack.pop_back();
    if (n->object) module_nodes_.emplace(n->object.get(), n);
    for (const auto& c : n->children) stack.push_back(c.get());
  }
}

Interpreter::~Interpreter() = default;

// ------------------------------------------------------------------ errors

std::string Interpreter::where() const {
  if (!loc_.file) return "<no source>";
  return *loc_.file + ":" + std::to_string(loc_.line);
}

std::string Interpreter::scope() const {
  if (frames_.empty() || !frames_.back()->scope) return "";
  const ObjBox* m = frames_.back()->scope;
  std::string cls = short_class_name(m->qualname);
  return m->path.empty() ? cls : m->path + " (" + cls + ")";
}

void Interpreter::fail(const std::string& message, ErrorCode code, ErrorCondition condition) const {
  // One line: registry messages list the schemas they tried on separate lines.
  std::string flat;
  for (size_t k = 0; k < message.size(); ++k) {
    if (message[k] != '\n') {
      flat += message[k];
      continue;
    }
    flat += "; ";
    while (k + 1 < message.size() && message[k + 1] == ' ') ++k;
  }
  throw LocatedError(code, where() + ": " + flat, condition);
}

void Interpreter::raise_at(const Loc& loc, const std::string& message, ErrorCode code) const {
  std::string w = loc.file ? *loc.file + ":" + std::to_string(loc.line) : where();
  throw LocatedError(code, w + ": " + message);
}

void Interpreter::data_dependent(const std::string& what) const {
  throw LocatedError(ErrorCode::unsupported,
                     "data-dependent control flow at " + where() + ": " + what + "; run with an executor",
                     ErrorCondition::data_dependent);
}

void Interpreter::step() {
  if (++steps_ > limits_.max_steps)
    fail("interpreter step limit (" + std::to_string(limits_.max_steps) + ") exceeded; is a loop unbounded?",
         ErrorCode::limit_exceeded);
}

// ------------------------------------------------------------ code/ files

const ts::Module* Interpreter::code_file(const std::string& qualifier) {
  std::string key = "code/";
  for (char c : qualifier) key += c == '.' ? '/' : c;
  key += ".py";
  auto it = cache_->files.find(key);
  if (it != cache_->files.end()) return it->second.get();
  auto src = model_.sources.find(key);
  std::unique_ptr<ts::Module> parsed;
  if (src != model_.sources.end()) parsed = std::make_unique<ts::Module>(parse_source(src->second, key));
  const ts::Module* out = parsed.get();
  cache_->files.emplace(key, std::move(parsed));
  return out;
}

const ClassInfo* Interpreter::find_class(const std::string& qualname) {
  auto it = cache_->classes.find(qualname);
  if (it != cache_->classes.end()) return it->second.get();
  std::unique_ptr<ClassInfo> info;
  size_t dot = qualname.rfind('.');
  if (dot != std::string::npos) {
    const ts::Module* file = code_file(qualname.substr(0, dot));
    if (file) {
      if (const ClassDef* def = file->find_class(std::string_view(qualname).substr(dot + 1))) {
        info = std::make_unique<ClassInfo>();
        info->qualname = qualname;
        info->short_name = qualname.substr(dot + 1);
        info->def = def;
        info->file = intern_file_name(file->file_name);
      }
    }
  }
  const ClassInfo* out = info.get();
  cache_->classes.emplace(qualname, std::move(info));
  return out;
}

const FunctionDef* Interpreter::find_function(const std::string& qualname, const std::string** file) {
  size_t dot = qualname.rfind('.');
  if (dot == std::string::npos) return nullptr;
  const ts::Module* m = code_file(qualname.substr(0, dot));
  if (!m) return nullptr;
  const FunctionDef* def = m->find_function(std::string_view(qualname).substr(dot + 1));
  if (def && file) *file = intern_file_name(m->file_name);
  return def;
}

Val Interpreter::resolve_qualified(const std::string& path) {
  if (path.rfind("__torch__.", 0) == 0) {
    if (const ClassInfo* cls = find_class(path)) return Val::klass(cls);
    const std::string* file = nullptr;
    if (const FunctionDef* def = find_function(path, &file)) return Val::function(def, path, file);
  }
  return Val::ns(path);
}

// ------------------------------------------------------------------ calls

Val Interpreter::call_method(const Val& obj, std::string_view name, Vals args, Kwargs kwargs) {
  const FunctionDef* def = find_method(obj, name);
  if (!def) {
    if (obj.is(VKind::object)) {
      // A callable attribute (function-typed) rather than a method.
      if (has_attr(obj, std::string(name))) return call_value(get_attr(obj, std::string(name)), std::move(args), std::move(kwargs));
      fail("'" + short_class_name(obj.as<ObjBox>().qualname) + "' object has no method '" + std::string(name) + "'");
    }
    fail(std::string("a ") + vkind_name(obj.kind) + " has no method '" + std::string(name) + "'");
  }
  const auto& o = obj.as<ObjBox>();
  if (!o.is_module || name.substr(0, 7) != "forward")
    return invoke(*def, obj, std::move(args), std::move(kwargs), o.is_module ? &o : nullptr);
  const size_t slot = calls_.size();
  calls_.push_back({o.path, short_class_name(o.qualname), std::string(name), {}, graph_.nodes.size(), 0});
  Val result = invoke(*def, obj, std::move(args), std::move(kwargs), &o);
  std::vector<Val> stack{result};
  while (!stack.empty()) {
    Val v = std::move(stack.back());
    stack.pop_back();
    if (v.is_tensor() && v.as<TensorBox>().placeholder < 0) calls_[slot].outputs.push_back(v.as<TensorBox>().meta.value_id);
    else if (v.is_sequence())
      for (auto it = v.items().rbegin(); it != v.items().rend(); ++it) stack.push_back(*it);
  }
  calls_[slot].end_node = graph_.nodes.size();
  return result;
}

Val Interpreter::invoke(const FunctionDef& def, const Val& self, Vals args, Kwargs kwargs, const ObjBox* module_scope,
                        std::shared_ptr<std::unordered_map<std::string_view, Val>> closure) {
  if (int(frames_.size()) >= limits_.max_call_depth)
    fail("call depth limit (" + std::to_string(limits_.max_call_depth) + ") exceeded in '" + def.name + "'",
         ErrorCode::limit_exceeded);
  step();
  Frame frame;
  frame.closure = std::move(closure);
  frame.scope = module_scope ? module_scope : (frames_.empty() ? nullptr : frames_.back()->scope);
  const Loc saved = loc_;
  struct Pop {
    Interpreter* in;
    Loc loc;
    ~Pop() {
      in->frames_.pop_back();
      in->loc_ = loc;
    }
  };
  frames_.push_back(&frame);
  Pop pop{this, saved};
  loc_ = def.loc;

  size_t next = 0;  // next positional argument
  const bool has_self = self.kind != VKind::none;
  for (size_t p = 0; p < def.params.size(); ++p) {
    const Param& param = def.params[p];
    if (p == 0 && has_self) {
      frame.vars[param.name] = self;
      continue;
    }
    if (param.kind == ParamKind::var_positional) {
      Vals rest(args.begin() + std::min(next, args.size()), args.end());
      next = args.size();
      frame.vars[param.name] = Val::tuple(std::move(rest));
      continue;
    }
    if (param.kind == ParamKind::var_keyword) continue;
    if (param.kind != ParamKind::keyword_only && next < args.size()) {
      frame.vars[param.name] = std::move(args[next++]);
      continue;
    }
    bool bound = false;
    for (auto& [k, v] : kwargs) {
      if (k == param.name) {
        frame.vars[param.name] = std::move(v);
        k.clear();
        bound = true;
        break;
      }
    }
    if (bound) continue;
    if (param.default_value) {
      frame.vars[param.name] = eval(*param.default_value);
      continue;
    }
    fail("'" + def.name + "' is missing argument '" + param.name + "'", ErrorCode::usage);
  }
  if (next < args.size())
    fail("'" + def.name + "' takes " + std::to_string(next) + " positional arguments but " +
             std::to_string(args.size()) + " were given",
         ErrorCode::usage);
  for (const auto& [k, v] : kwargs)
    if (!k.empty()) fail("'" + def.name + "' got an unexpected keyword argument '" + k + "'", ErrorCode::usage);

  exec_block(def.body);
  return std::move(frame.ret);
}

Val Interpreter::call_value(const Val& fn, Vals args, Kwargs kwargs) {
  switch (fn.kind) {
    case VKind::function: {
      const auto& f = fn.as<FuncBox>();
      return invoke(*f.def, Val(), std::move(args), std::move(kwargs), nullptr, f.closure);
    }
    case VKind::method: {
      const auto& m = fn.as<MethodBox>();
      const ObjBox* scope = m.self.is(VKind::object) && m.self.as<ObjBox>().is_module ? &m.self.as<ObjBox>() : nullptr;
      return invoke(*m.def, m.self, std::move(args), std::move(kwargs), scope);
    }
    case VKind::ns: return call_ns(fn.str(), std::move(args), std::move(kwargs));
    case VKind::klass: {
      const ClassInfo* cls = fn.as<ClassBox>().cls;
      const ClassDef& def = *cls->def;
      if (def.kind() == ClassKind::named_tuple) {
        Val t = Val::tuple({});
        auto& box = t.as<SeqBox>();
        box.named = cls->qualname;
        size_t next = 0;
        for (const auto& a : def.attributes()) {
          if (!a.type) continue;
          box.fields.push_back(a.name);
          Val v;
          bool bound = false;
          if (next < args.size()) {
            v = std::move(args[next++]);
            bound = true;
          } else {
            for (auto& [k, x] : kwargs)
              if (k == a.name) {
                v = x;
                bound = true;
              }
          }
          if (!bound) {
            if (!a.value) fail("NamedTuple '" + cls->short_name + "' is missing field '" + a.name + "'", ErrorCode::usage);
            v = eval(*a.value);
          }
          box.items.push_back(std::move(v));
        }
        return t;
      }
      if (def.kind() == ClassKind::enum_) {
        for (const auto& a : def.attributes()) {
          if (a.type || !a.value) continue;
          bool found = false;
          Val member = class_constant(*cls, a.name, &found);
          if (!args.empty() && val_equal(member.as<EnumBox>().value, args[0])) return member;
        }
        fail("no member of enum '" + cls->short_name + "' has that value", ErrorCode::corrupt);
      }
      Val obj = new_object(cls);
      if (def.find_method("__init__")) call_method(obj, "__init__", std::move(args), std::move(kwargs));
      return obj;
    }
    default: break;
  }
  fail(std::string("a ") + vkind_name(fn.kind) + " value is not callable");
}

Val Interpreter::new_object(const ClassInfo* cls) {
  Val v;
  v.kind = VKind::object;
  auto box = std::make_shared<ObjBox>();
  box->cls = cls;
  box->qualname = cls->qualname;
  box->state_applied = true;
  box->is_module = cls->def->kind() == ClassKind::module;
  v.box = box;
  return v;
}

Val Interpreter::call_ns(const std::string& path, Vals args, Kwargs kwargs) {
  auto starts = [&](std::string_view p) { return path.compare(0, p.size(), p) == 0; };
  if (starts("torch.")) {
    std::string rest = path.substr(6);
    if (rest == "device") return call_op("builtins::device", std::move(args), std::move(kwargs));
    if (rest == "jit._unwrap_optional" || rest == "_unwrap_optional")
      return call_op("aten::_unwrap_optional", std::move(args), std::move(kwargs));
    if (rest.rfind("jit.", 0) == 0 || rest.rfind("autograd.", 0) == 0) return call_op("builtins::" + rest, std::move(args), std::move(kwargs));
    if (rest.find('.') != std::string::npos) fail("unknown function 'torch." + rest + "'");
    return call_op("aten::" + rest, std::move(args), std::move(kwargs));
  }
  if (starts("ops.")) {
    std::string rest = path.substr(4);
    size_t dot = rest.find('.');
    if (dot == std::string::npos) fail("'ops." + rest + "' is a namespace, not an op");
    return call_op(rest.substr(0, dot) + "::" + rest.substr(dot + 1), std::move(args), std::move(kwargs));
  }
  if (starts("math.")) return call_op("aten::" + path.substr(5), std::move(args), std::move(kwargs));
  if (starts("builtins.")) return call_op("builtins::" + path.substr(9), std::move(args), std::move(kwargs));
  if (starts("__torch__.")) {
    Val v = get_attr(Val::ns(path.substr(0, path.rfind('.'))), path.substr(path.rfind('.') + 1));
    if (v.kind != VKind::ns) return call_value(v, std::move(args), std::move(kwargs));
    fail("no class or function '" + path + "' in the archive's code", ErrorCode::corrupt);
  }
  fail("unknown function '" + path + "'");
}

}  // namespace ptscope::graph
