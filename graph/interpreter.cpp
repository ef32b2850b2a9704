// The evaluator: statements, expressions, calls, objects and attributes.
// Tensor ops go to the registry (interpreter_ops.cpp), non-tensor ops to the
// builtins (builtins.cpp).
#include "graph/interpreter.h"

#include <cmath>
#include <limits>

#include "parser/class_index.h"
#include "parser/torchscript/parser.h"

namespace ptscope::graph {

using namespace ts;

namespace {

bool is_name(const Expr& e, std::string_view id) {
  const Name* n = e.as<Name>();
  return n && n->id == id;
}

// Dotted text of an attribute chain (`__torch__.a.B`), or "" when it is not one.
std::string dotted(const Expr& e) {
  if (const Name* n = e.as<Name>()) return n->id;
  if (const Attribute* a = e.as<Attribute>()) {
    std::string base = dotted(*a->value);
    return base.empty() ? "" : base + "." + a->attr;
  }
  return "";
}

}  // namespace

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
    if (const ClassInfo* cls = find_class(path)) {
      Val v;
      v.kind = VKind::klass;
      auto box = std::make_shared<ClassBox>();
      box->cls = cls;
      v.box = box;
      return v;
    }
    const std::string* file = nullptr;
    if (const FunctionDef* def = find_function(path, &file)) {
      Val v;
      v.kind = VKind::function;
      auto box = std::make_shared<FuncBox>();
      box->def = def;
      box->qualname = path;
      box->file = file;
      v.box = box;
      return v;
    }
  }
  return Val::ns(path);
}

// ------------------------------------------------------ objects and tensors

Val Interpreter::root() {
  if (root_.kind != VKind::none) return root_;
  if (model_.object && model_.object->kind == PyKind::object && !model_.sources.empty()) {
    root_ = object_val(model_.object);
  } else if (model_.kind == FileKind::torchscript && model_.root && !model_.sources.empty()) {
    root_ = legacy_module(model_.root.get());  // model.json era: no data.pkl object
  } else {
    throw Error(ErrorCode::unsupported,
                std::string("the file is a ") + file_kind_name(model_.kind) +
                    " without TorchScript code; a graph needs a scripted or traced model (torch.jit.save)");
  }
  return root_;
}

Val Interpreter::legacy_module(const ModuleNode* node) {
  auto it = legacy_objects_.find(node);
  if (it != legacy_objects_.end()) return it->second;
  Val v;
  v.kind = VKind::object;
  auto box = std::make_shared<ObjBox>();
  box->qualname = node->class_name;
  box->node = node;
  box->path = node->path;
  box->is_module = true;
  v.box = box;
  legacy_objects_.emplace(node, v);
  return v;
}

Val Interpreter::object_val(const PyRef& obj) {
  auto it = objects_.find(obj.get());
  if (it != objects_.end()) return it->second;
  const std::string qualname = obj->qualname();
  const ClassInfo* cls = find_class(qualname);
  Val v;
  if (cls && cls->def->kind() == ClassKind::enum_) {
    // Enums pickle as the class called with the member's value.
    Val value = obj->args && !obj->args->items.empty() ? from_py(obj->args->items[0], "", "") : Val();
    v.kind = VKind::enum_value;
    auto box = std::make_shared<EnumBox>();
    box->qualname = qualname;
    box->value = value;
    for (const auto& a : cls->def->attributes()) {
      if (a.type || !a.value) continue;
      bool found = false;
      Val member = class_constant(*cls, a.name, &found);
      if (found && val_equal(member.as<EnumBox>().value, value)) box->name = a.name;
    }
    v.box = box;
  } else if (qualname == "torch.device") {
    std::string text = obj->args && !obj->args->items.empty() && obj->args->items[0]->kind == PyKind::string
                           ? obj->args->items[0]->s
                           : "cpu";
    if (obj->args && obj->args->items.size() > 1 && obj->args->items[1]->kind == PyKind::integer)
      text += ":" + std::to_string(obj->args->items[1]->i);
    v = Val::device(text);
  } else {
    v.kind = VKind::object;
    auto box = std::make_shared<ObjBox>();
    box->cls = cls;
    box->qualname = qualname;
    box->py = obj;
    auto node = module_nodes_.find(obj.get());
    if (node != module_nodes_.end()) {
      box->node = node->second;
      box->path = node->second->path;
    }
    box->is_module = box->node || (cls && cls->def->kind() == ClassKind::module);
    v.box = box;
  }
  objects_.emplace(obj.get(), v);
  return v;
}

Val Interpreter::tensor_val(const std::shared_ptr<Tensor>& t, const std::string& name, bool constant) {
  auto it = tensors_.find(t.get());
  if (it != tensors_.end()) return it->second;
  TensorMeta meta;
  meta.shape = t->shape;
  meta.dtype = t->dtype;
  auto table_name = tensor_names_.find(t.get());
  const std::string& value_name = table_name != tensor_names_.end() ? table_name->second : name;
  int id = graph_.add_value(meta, constant ? Value::Kind::constant : Value::Kind::parameter, value_name);
  graph_.values[size_t(id)].tensor = t;
  meta.value_id = id;
  Val v;
  v.kind = VKind::tensor;
  auto box = std::make_shared<TensorBox>();
  box->meta = meta;
  v.box = box;
  if (t->requires_grad) requires_grad_.insert(id);
  // Small tensors' elements let traced scalar arithmetic fold (shape-only runs stay exact).
  const auto& info = dtype_info(t->dtype);
  if (t->numel() <= 64 && !info.is_quantized && !info.is_complex && t->layout == Layout::strided && t->storage &&
      !t->storage->data_missing && t->data()) {
    std::vector<double> values;
    values.reserve(size_t(t->numel()));
    try {
      for_each_as_double(*t, [&](double x) { values.push_back(x); });
      known_[id] = std::move(values);
    } catch (const Error&) {
      // Unreadable elements just stay unknown.
    }
  }
  tensors_.emplace(t.get(), v);
  return v;
}

Val Interpreter::new_input(const std::string& name, TensorMeta meta) {
  int id = graph_.add_value(meta, Value::Kind::input, name);
  graph_.inputs.push_back(id);
  meta.value_id = id;
  Val v;
  v.kind = VKind::tensor;
  auto box = std::make_shared<TensorBox>();
  box->meta = std::move(meta);
  v.box = box;
  return v;
}

Val Interpreter::new_constant(TensorMeta meta, std::optional<std::vector<double>> known, std::string name) {
  int id = graph_.add_value(meta, Value::Kind::constant, std::move(name));
  meta.value_id = id;
  graph_.values[size_t(id)].elements = known;
  if (known) known_[id] = std::move(*known);
  Val v;
  v.kind = VKind::tensor;
  auto box = std::make_shared<TensorBox>();
  box->meta = std::move(meta);
  v.box = box;
  return v;
}

Val Interpreter::new_placeholder(int index) {
  Val v;
  v.kind = VKind::tensor;
  auto box = std::make_shared<TensorBox>();
  box->placeholder = index;
  box->meta.dtype = DType::float32;
  v.box = box;
  return v;
}

std::optional<std::vector<double>> Interpreter::tensor_values(const Val& t) {
  if (!t.is_tensor()) return std::nullopt;
  const auto& box = t.as<TensorBox>();
  if (box.placeholder >= 0) return std::nullopt;
  auto it = known_.find(box.meta.value_id);
  if (it != known_.end()) return it->second;
  return backend_.values(box.meta);
}

void Interpreter::set_known(const Val& t, std::vector<double> values) {
  if (t.is_tensor()) known_[t.as<TensorBox>().meta.value_id] = std::move(values);
}

bool Interpreter::requires_grad(const Val& t) const {
  return t.is_tensor() && requires_grad_.count(t.as<TensorBox>().meta.value_id) > 0;
}

Val Interpreter::from_py(const PyRef& v, const std::string& owner_path, const std::string& attr, int depth) {
  if (!v) return Val();
  // Pickles can build self-containing lists; objects are converted lazily, per attribute.
  if (depth > 256) fail("attribute '" + attr + "' nests containers too deeply", ErrorCode::limit_exceeded);
  auto join = [&](const std::string& a) { return owner_path.empty() ? a : owner_path + "." + a; };
  switch (v->kind) {
    case PyKind::none: return Val();
    case PyKind::boolean: return Val::boolean(v->b);
    case PyKind::integer: return Val::integer(v->i);
    case PyKind::floating: return Val::floating(v->f);
    case PyKind::complex: {
      Val c;
      c.kind = VKind::complex;
      auto box = std::make_shared<ComplexBox>();
      box->re = v->f;
      box->im = v->imag;
      c.box = box;
      return c;
    }
    case PyKind::string:
    case PyKind::bytes:
    case PyKind::bytearray: return Val::string(v->s);
    case PyKind::tuple:
    case PyKind::list:
    case PyKind::set:
    case PyKind::frozenset: {
      Vals items;
      items.reserve(v->items.size());
      for (size_t k = 0; k < v->items.size(); ++k)
        items.push_back(from_py(v->items[k], join(attr), std::to_string(k), depth + 1));
      return v->kind == PyKind::tuple ? Val::tuple(std::move(items)) : Val::list(std::move(items));
    }
    case PyKind::dict: {
      Val d;
      d.kind = VKind::dict;
      auto box = std::make_shared<DictBox>();
      for (const auto& [k, x] : v->entries) {
        Val key = from_py(k, "", "", depth + 1);
        std::string sub = key.kind == VKind::string ? key.str() : val_str(key);
        box->items.emplace_back(key, from_py(x, join(attr), sub, depth + 1));
      }
      d.box = box;
      return d;
    }
    case PyKind::tensor: return tensor_val(v->tensor, join(attr), false);
    case PyKind::object: return object_val(v);
    case PyKind::global: return Val::ns(v->module + "." + v->name);
    default:
      fail(std::string("attribute '") + attr + "' holds a pickled " + py_kind_name(v->kind) + ", which code cannot use");
  }
}

Val Interpreter::class_constant(const ClassInfo& cls, const std::string& name, bool* found) {
  const ClassAttribute* a = cls.def->find_attribute(name);
  *found = false;
  if (!a || !a->value) return Val();
  *found = true;
  const Loc saved = loc_;
  Val value = eval(*a->value);
  loc_ = saved;
  if (cls.def->kind() == ClassKind::enum_ && !a->type) {
    Val e;
    e.kind = VKind::enum_value;
    auto box = std::make_shared<EnumBox>();
    box->qualname = cls.qualname;
    box->name = name;
    box->value = value;
    e.box = box;
    return e;
  }
  return value;
}

void Interpreter::apply_setstate(ObjBox& o, const Val& self) {
  o.state_applied = true;
  if (!o.cls || !o.py || !o.py->state) return;
  const FunctionDef* setstate = o.cls->def->find_method("__setstate__");
  if (!setstate) return;
  Val state = from_py(o.py->state, o.path, "__state__");
  invoke(*setstate, self, {state}, {}, nullptr);
}

const FunctionDef* Interpreter::find_method(const Val& obj, std::string_view name) {
  if (!obj.is(VKind::object)) return nullptr;
  const auto& o = obj.as<ObjBox>();
  if (o.cls) return o.cls->def->find_method(name);
  if (o.node && !o.py) {
    // model.json archives keep each module's methods as free functions in its own code file.
    const ModuleNode* root = model_.root.get();
    std::vector<std::string> keys;
    if (o.node == root) keys.push_back(root->class_name);
    keys.push_back(root->class_name + "." + o.path);
    keys.push_back(o.path);
    for (const auto& k : keys) {
      auto src = model_.sources.find("code/" + k + ".py");
      if (src == model_.sources.end()) continue;
      const ts::Module* m = code_file(k);
      if (m)
        if (const FunctionDef* def = m->find_function(name)) return def;
    }
    if (o.node == root && model_.sources.size() == 1) {
      std::string k = model_.sources.begin()->first;
      k = k.substr(5, k.size() - 8);  // strip "code/" and ".py"
      if (k.find('/') == std::string::npos && k.find('.') == std::string::npos)
        if (const ts::Module* m = code_file(k)) return m->find_function(name);
    }
  }
  return nullptr;
}

bool Interpreter::has_attr(const Val& obj, const std::string& name) {
  if (!obj.is(VKind::object)) return false;
  auto& o = obj.as<ObjBox>();
  if (o.attrs.count(name)) return true;
  if (o.py && o.py->state && o.py->state->kind == PyKind::dict && o.py->state->get(name)) return true;
  if (o.cls && (o.cls->def->find_attribute(name) || o.cls->def->find_method(name))) return true;
  if (o.node && !o.py) {
    for (const auto& c : o.node->children)
      if (c->name == name) return true;
    if (tensor_names_by_path(o.path, name)) return true;
  }
  return false;
}

const std::shared_ptr<Tensor>* Interpreter::tensor_names_by_path(const std::string& path, const std::string& name) {
  const std::string full = path.empty() ? name : path + "." + name;
  for (const auto& t : model_.tensors)
    if (t.name == full) return &t.tensor;
  return nullptr;
}

Val Interpreter::get_attr(const Val& obj, const std::string& name) {
  switch (obj.kind) {
    case VKind::object: {
      auto& o = obj.as<ObjBox>();
      if (!o.state_applied && o.cls && o.py && o.cls->def->find_method("__setstate__")) apply_setstate(o, obj);
      auto it = o.attrs.find(name);
      if (it != o.attrs.end()) return it->second;
      if (o.py && o.py->state && o.py->state->kind == PyKind::dict) {
        if (PyRef v = o.py->state->get(name)) {
          Val x = from_py(v, o.path, name);
          o.attrs.emplace(name, x);
          return x;
        }
      }
      if (o.cls) {
        bool found = false;
        Val c = class_constant(*o.cls, name, &found);
        if (found) {
          o.attrs.emplace(name, c);
          return c;
        }
        if (const FunctionDef* m = o.cls->def->find_method(name)) {
          Val v;
          v.kind = VKind::method;
          auto box = std::make_shared<MethodBox>();
          box->self = obj;
          box->def = m;
          box->name = name;
          v.box = box;
          return v;
        }
        // Declared but absent from the pickle: Optional attributes left unset.
        if (const ClassAttribute* a = o.cls->def->find_attribute(name); a && a->type && !o.py) return Val::uninit();
      }
      if (o.node && !o.py) {
        for (const auto& c : o.node->children)
          if (c->name == name) return legacy_module(c.get());
        if (auto* t = tensor_names_by_path(o.path, name)) {
          Val x = tensor_val(*t, o.path.empty() ? name : o.path + "." + name, false);
          o.attrs.emplace(name, x);
          return x;
        }
        if (const FunctionDef* m = find_method(obj, name)) {
          Val v;
          v.kind = VKind::method;
          auto box = std::make_shared<MethodBox>();
          box->self = obj;
          box->def = m;
          box->name = name;
          v.box = box;
          return v;
        }
      }
      fail("'" + short_class_name(o.qualname) + "' object has no attribute '" + name + "'");
    }
    case VKind::ns: {
      const std::string& base = obj.str();
      if (base == "torch") {
        // Python spellings of dtypes and layouts are ints in TorchScript.
        if (auto d = dtype_from_name(name); d && name != "long" && name != "int" && name != "float")
          return Val::integer(int64_t(*d));
        if (name == "long") return Val::integer(int64_t(DType::int64));
        if (name == "int") return Val::integer(int64_t(DType::int32));
        if (name == "float") return Val::integer(int64_t(DType::float32));
        if (name == "strided" || name == "contiguous_format") return Val::integer(0);
        if (name == "preserve_format") return Val::integer(1);
        if (name == "channels_last") return Val::integer(2);
      }
      std::string path = base + "." + name;
      auto it = resolved_.find(path);
      if (it != resolved_.end()) return it->second;
      Val v = resolve_qualified(path);
      resolved_.emplace(path, v);
      return v;
    }
    case VKind::klass: {
      const ClassInfo* cls = obj.as<ClassBox>().cls;
      bool found = false;
      Val c = class_constant(*cls, name, &found);
      if (found) return c;
      if (const FunctionDef* m = cls->def->find_method(name)) {
        Val v;
        v.kind = VKind::function;
        auto box = std::make_shared<FuncBox>();
        box->def = m;
        box->qualname = cls->qualname + "." + name;
        box->file = cls->file;
        v.box = box;
        return v;
      }
      fail("class '" + cls->short_name + "' has no attribute '" + name + "'");
    }
    case VKind::tuple: {
      const auto& s = obj.as<SeqBox>();
      for (size_t k = 0; k < s.fields.size() && k < s.items.size(); ++k)
        if (s.fields[k] == name) return s.items[k];
      break;
    }
    case VKind::enum_value:
      if (name == "value") return obj.as<EnumBox>().value;
      if (name == "name") return Val::string(obj.as<EnumBox>().name);
      break;
    case VKind::device: {
      const std::string& d = obj.str();
      size_t colon = d.find(':');
      if (name == "type") return Val::string(d.substr(0, colon));
      if (name == "index") return colon == std::string::npos ? Val() : Val::integer(std::stoll(d.substr(colon + 1)));
      break;
    }
    case VKind::complex:
      if (name == "real") return Val::floating(obj.as<ComplexBox>().re);
      if (name == "imag") return Val::floating(obj.as<ComplexBox>().im);
      break;
    case VKind::tensor: {
      // Python attribute syntax on tensors.
      if (name == "shape") return call_op("aten::size", {obj});
      if (name == "ndim") return call_op("aten::dim", {obj});
      if (name == "T") return call_op("aten::numpy_T", {obj});
      if (name == "data") return obj;
      return call_op("prim::" + name, {obj});
    }
    default: break;
  }
  fail(std::string("'") + vkind_name(obj.kind) + "' value has no attribute '" + name + "'");
}

void Interpreter::set_attr(const Val& obj, const std::string& name, Val value) {
  if (!obj.is(VKind::object)) fail(std::string("cannot set attribute '") + name + "' on a " + vkind_name(obj.kind));
  auto& o = obj.as<ObjBox>();
  if (!o.state_applied && o.cls && o.py && o.cls->def->find_method("__setstate__")) {
    // Assignments made by __setstate__ itself land here with state_applied already set.
    apply_setstate(o, obj);
  }
  o.attrs[name] = std::move(value);
}

Val Interpreter::pickled_state(const Val& obj) {
  if (!obj.is(VKind::object) || !obj.as<ObjBox>().py) return Val();
  const auto& o = obj.as<ObjBox>();
  return from_py(o.py->state, o.path, "state");
}

int64_t Interpreter::module_len(const Val& obj) {
  if (const FunctionDef* len = find_method(obj, "__len__")) {
    Val n = invoke(*len, obj, {}, {}, nullptr);
    if (n.kind == VKind::integer) return n.i;
  }
  // No __len__: count the "0", "1", ... submodules.
  int64_t n = 0;
  while (has_attr(obj, std::to_string(n))) ++n;
  return n;
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

// ------------------------------------------------------------- statements

Interpreter::Flow Interpreter::exec_block(const Block& block) {
  for (const auto& s : block) {
    Flow f = exec(*s);
    if (f != Flow::normal) return f;
  }
  return Flow::normal;
}

Interpreter::Flow Interpreter::exec(const Stmt& s) {
  step();
  loc_ = s.loc;
  Frame& frame = *frames_.back();
  if (const Assign* a = s.as<Assign>()) {
    Val v = eval(*a->value);
    for (const auto& t : a->targets) assign(*t, v);
    return Flow::normal;
  }
  if (const ExprStmt* e = s.as<ExprStmt>()) {
    eval(*e->value);
    return Flow::normal;
  }
  if (const If* i = s.as<If>()) {
    Val test = eval(*i->test);
    loc_ = s.loc;
    return exec_block(truthy(test, "if condition") ? i->body : i->orelse);
  }
  if (const Return* r = s.as<Return>()) {
    frame.ret = r->value ? eval(*r->value) : Val();
    return Flow::return_;
  }
  if (const AnnAssign* a = s.as<AnnAssign>()) {
    if (!a->value) return Flow::normal;
    Val v = eval(*a->value);
    annotate_value(*a->annotation, v);
    assign(*a->target, v);
    return Flow::normal;
  }
  if (const For* f = s.as<For>()) return exec_for(*f);
  if (const While* w = s.as<While>()) {
    int64_t n = 0;
    while (true) {
      loc_ = s.loc;
      Val test = eval(*w->test);
      loc_ = s.loc;
      if (!truthy(test, "while condition")) break;
      if (++n > limits_.max_loop_iterations)
        fail("while loop ran more than " + std::to_string(limits_.max_loop_iterations) + " iterations",
             ErrorCode::limit_exceeded);
      Flow fl = exec_block(w->body);
      if (fl == Flow::break_) return Flow::normal;
      if (fl == Flow::return_) return fl;
    }
    return exec_block(w->orelse);
  }
  if (const AugAssign* a = s.as<AugAssign>()) {
    Val cur = eval(*a->target);
    Val rhs = eval(*a->value);
    assign(*a->target, binary(a->op, cur, rhs));
    return Flow::normal;
  }
  if (s.is<Pass>()) return Flow::normal;
  if (s.is<Break>()) return Flow::break_;
  if (s.is<Continue>()) return Flow::continue_;
  if (const Raise* r = s.as<Raise>()) {
    std::string msg = r->exc ? val_str(eval(*r->exc)) : "exception";
    loc_ = s.loc;
    fail("the model raises: " + msg, ErrorCode::unsupported);
  }
  if (const Assert* a = s.as<Assert>()) {
    Val test = eval(*a->test);
    loc_ = s.loc;
    if (!truthy(test, "assert")) {
      std::string msg = a->msg ? val_str(eval(*a->msg)) : "";
      loc_ = s.loc;
      fail("assertion failed" + (msg.empty() ? std::string() : ": " + msg), ErrorCode::unsupported);
    }
    return Flow::normal;
  }
  if (const With* w = s.as<With>()) {
    for (const auto& item : w->items) {
      Val ctx = eval(*item.context);
      if (item.var) assign(*item.var, ctx);
    }
    return exec_block(w->body);
  }
  if (const Delete* d = s.as<Delete>()) {
    for (const auto& t : d->targets) {
      if (const Name* n = t->as<Name>()) {
        frame.vars.erase(n->id);
      } else if (const Subscript* sub = t->as<Subscript>()) {
        Val container = eval(*sub->value);
        Val key = eval(*sub->index);
        call_op("aten::__delitem__", {container, key});
      }
    }
    return Flow::normal;
  }
  if (const FunctionDef* def = s.as<FunctionDef>()) {
    // A nested def (fork bodies): it sees the enclosing frame's variables.
    auto closure = std::make_shared<std::unordered_map<std::string_view, Val>>(frame.vars);
    if (frame.closure)
      for (const auto& [k, v] : *frame.closure) closure->emplace(k, v);
    Val fn;
    fn.kind = VKind::function;
    auto box = std::make_shared<FuncBox>();
    box->def = def;
    box->qualname = def->name;
    box->file = def->loc.file;
    box->closure = closure;
    fn.box = box;
    frame.vars[def->name] = fn;
    return Flow::normal;
  }
  if (s.is<Global>() || s.is<Import>()) return Flow::normal;
  fail("unsupported statement");
}

Interpreter::Flow Interpreter::exec_for(const For& f) {
  int64_t count = 0;
  auto body = [&](Val item) -> std::optional<Flow> {
    if (++count > limits_.max_loop_iterations)
      fail("for loop ran more than " + std::to_string(limits_.max_loop_iterations) + " iterations",
           ErrorCode::limit_exceeded);
    assign(*f.target, std::move(item));
    Flow fl = exec_block(f.body);
    if (fl == Flow::break_) return Flow::normal;
    if (fl == Flow::return_) return fl;
    return std::nullopt;
  };
  const Loc loop_loc = loc_;
  // range() without materialising the list
  if (const Call* c = f.iter->as<Call>(); c && is_name(*c->func, "range") && c->keywords.empty()) {
    Vals a;
    for (const auto& e : c->args) a.push_back(eval(*e));
    loc_ = loop_loc;
    int64_t lo = 0, hi = 0, st = 1;
    auto as_int = [&](const Val& v) -> int64_t {
      if (v.kind == VKind::integer) return v.i;
      if (v.kind == VKind::boolean) return v.b;
      return call_op("builtins::int", {v}).i;
    };
    if (a.size() == 1) hi = as_int(a[0]);
    else if (a.size() >= 2) lo = as_int(a[0]), hi = as_int(a[1]);
    if (a.size() == 3) st = as_int(a[2]);
    if (a.empty() || a.size() > 3) fail("range() takes 1 to 3 arguments", ErrorCode::usage);
    if (st == 0) fail("range() step must not be zero", ErrorCode::usage);
    for (int64_t k = lo; st > 0 ? k < hi : k > hi; k += st)
      if (auto fl = body(Val::integer(k))) return *fl;
    return exec_block(f.orelse);
  }
  Val it = eval(*f.iter);
  loc_ = loop_loc;
  Vals items;
  switch (it.kind) {
    case VKind::list:
    case VKind::tuple: items = it.items(); break;  // a copy: the body may mutate the list
    case VKind::dict:
      for (const auto& [k, v] : it.as<DictBox>().items) items.push_back(k);
      break;
    case VKind::string:
      for (char ch : it.str()) items.push_back(Val::string(std::string(1, ch)));
      break;
    case VKind::object:
      if (it.as<ObjBox>().is_module) {
        int64_t n = module_len(it);
        for (int64_t k = 0; k < n; ++k) items.push_back(get_attr(it, std::to_string(k)));
        break;
      }
      [[fallthrough]];
    case VKind::tensor: {
      if (it.kind == VKind::tensor) {
        Val n = call_op("aten::len", {it});
        for (int64_t k = 0; k < n.i; ++k) items.push_back(call_op("aten::select", {it, Val::integer(0), Val::integer(k)}));
        break;
      }
      [[fallthrough]];
    }
    default: fail(std::string("cannot iterate over a ") + vkind_name(it.kind));
  }
  for (auto& item : items)
    if (auto fl = body(std::move(item))) return *fl;
  return exec_block(f.orelse);
}

void Interpreter::assign(const Expr& target, Val value) {
  if (const Name* n = target.as<Name>()) {
    frames_.back()->vars[n->id] = std::move(value);
    return;
  }
  if (target.is<Tuple>() || target.is<List>()) {
    const ExprList& elts = target.is<Tuple>() ? target.as<Tuple>()->elts : target.as<List>()->elts;
    Vals items;
    if (value.is_sequence()) {
      items = value.items();
    } else if (value.is_tensor()) {
      Val n = call_op("aten::len", {value});
      for (int64_t k = 0; k < n.i; ++k) items.push_back(call_op("aten::select", {value, Val::integer(0), Val::integer(k)}));
    } else {
      fail(std::string("cannot unpack a ") + vkind_name(value.kind));
    }
    if (items.size() != elts.size())
      fail("cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(elts.size()) + " names",
           ErrorCode::corrupt);
    for (size_t k = 0; k < elts.size(); ++k) assign(*elts[k], std::move(items[k]));
    return;
  }
  if (const Attribute* a = target.as<Attribute>()) {
    set_attr(eval(*a->value), a->attr, std::move(value));
    return;
  }
  if (const Subscript* s = target.as<Subscript>()) {
    Val container = eval(*s->value);
    Val key = eval(*s->index);
    call_op("aten::_set_item", {container, key, std::move(value)});
    return;
  }
  fail("unsupported assignment target");
}

// Records an empty list's element type from its annotation (List[Tensor] → "Tensor").
void Interpreter::annotate_value(const Expr& type, const Val& v) {
  if (v.kind != VKind::list) return;
  const Subscript* s = type.as<Subscript>();
  if (!s || !is_name(*s->value, "List")) return;
  if (const Name* elem = s->index->as<Name>()) v.as<SeqBox>().elem_type = elem->id;
  else if (const Subscript* inner = s->index->as<Subscript>(); inner && is_name(*inner->value, "Optional"))
    if (const Name* e = inner->index->as<Name>()) v.as<SeqBox>().elem_type = e->id + "?";
}

// ------------------------------------------------------------ expressions

Val Interpreter::lookup(const std::string& name) {
  Frame& f = *frames_.back();
  auto it = f.vars.find(name);
  // An uninitialized(T) placeholder may be copied around; only using it is an error.
  if (it != f.vars.end()) return it->second;
  if (f.closure) {
    auto c = f.closure->find(name);
    if (c != f.closure->end()) return c->second;
  }
  if (name == "torch" || name == "ops" || name == "__torch__" || name == "math" || name == "CONSTANTS")
    return Val::ns(name);
  if (name == "inf") return Val::floating(std::numeric_limits<double>::infinity());
  if (name == "nan") return Val::floating(std::numeric_limits<double>::quiet_NaN());
  static const char* const kBuiltins[] = {"int", "float", "bool", "str", "len", "range", "print", "list", "tuple",
                                          "dict", "min", "max", "abs", "sorted", "round", "divmod", "sum", "any",
                                          "all", "ord", "chr", "enumerate", "zip", "hash", "complex", "pow"};
  for (const char* b : kBuiltins)
    if (name == b) return Val::ns(std::string("builtins.") + b);
  fail("name '" + name + "' is not defined", ErrorCode::corrupt);
}

Val Interpreter::eval(const Expr& e) {
  if (const Call* c = e.as<Call>()) return eval_call(e, *c);
  if (const Name* n = e.as<Name>()) return lookup(n->id);
  if (const Attribute* a = e.as<Attribute>()) return eval_attribute(*a);
  if (const IntLit* i = e.as<IntLit>()) return Val::integer(i->value);
  if (e.is<NoneLit>()) return Val();
  if (const BoolLit* b = e.as<BoolLit>()) return Val::boolean(b->value);
  if (const FloatLit* fl = e.as<FloatLit>()) return Val::floating(fl->value);
  if (const StrLit* s = e.as<StrLit>()) {
    if (s->kind == StrKind::fstring) fail("f-strings are not supported");
    return Val::string(s->value);
  }
  if (const Subscript* s = e.as<Subscript>()) return eval_subscript(*s);
  if (const Tuple* t = e.as<Tuple>()) {
    Vals items;
    items.reserve(t->elts.size());
    for (const auto& x : t->elts) items.push_back(eval(*x));
    return Val::tuple(std::move(items));
  }
  if (const List* l = e.as<List>()) {
    Vals items;
    items.reserve(l->elts.size());
    for (const auto& x : l->elts) {
      if (const Starred* st = x->as<Starred>()) {
        Val v = eval(*st->value);
        if (!v.is_sequence()) fail("cannot unpack a non-sequence with *");
        for (const auto& y : v.items()) items.push_back(y);
      } else {
        items.push_back(eval(*x));
      }
    }
    return Val::list(std::move(items));
  }
  if (const UnaryOp* u = e.as<UnaryOp>()) {
    Val v = eval(*u->operand);
    switch (u->op) {
      case UnaryOpKind::not_: return Val::boolean(!truthy(v, "not"));
      case UnaryOpKind::neg: return call_op("aten::neg", {v});
      case UnaryOpKind::pos: return v;
      case UnaryOpKind::invert: return call_op("aten::__invert__", {v});
    }
  }
  if (const BinOp* b = e.as<BinOp>()) {
    Val l = eval(*b->left);
    Val r = eval(*b->right);
    return binary(b->op, l, r);
  }
  if (const BoolOp* b = e.as<BoolOp>()) {
    Val l = eval(*b->left);
    bool t = truthy(l, b->op == BoolOpKind::and_ ? "and" : "or");
    if (b->op == BoolOpKind::and_ ? !t : t) return l;
    return eval(*b->right);
  }
  if (const Compare* c = e.as<Compare>()) {
    Val left = eval(*c->left);
    Val result;
    for (size_t k = 0; k < c->ops.size(); ++k) {
      Val right = eval(*c->comparators[k]);
      result = compare(c->ops[k], left, right);
      if (k + 1 < c->ops.size() && !truthy(result, "comparison")) return result;
      left = std::move(right);
    }
    return result;
  }
  if (const IfExp* i = e.as<IfExp>()) return truthy(eval(*i->test), "conditional expression") ? eval(*i->body) : eval(*i->orelse);
  if (const Dict* d = e.as<Dict>()) {
    Val v;
    v.kind = VKind::dict;
    auto box = std::make_shared<DictBox>();
    for (size_t k = 0; k < d->keys.size(); ++k) {
      Val key = eval(*d->keys[k]);
      Val value = eval(*d->values[k]);
      if (Val* slot = box->find(key)) *slot = std::move(value);
      else box->items.emplace_back(std::move(key), std::move(value));
    }
    v.box = box;
    return v;
  }
  if (e.is<ImagLit>()) {
    Val c;
    c.kind = VKind::complex;
    auto box = std::make_shared<ComplexBox>();
    box->im = e.as<ImagLit>()->value;
    c.box = box;
    return c;
  }
  if (const Set* s = e.as<Set>()) {
    Vals items;
    for (const auto& x : s->elts) items.push_back(eval(*x));
    return Val::list(std::move(items));
  }
  if (e.is<EllipsisLit>()) return Val::ns("builtins.Ellipsis");
  raise_at(e.loc, "unsupported expression: " + to_source(e), ErrorCode::unsupported);
}

Val Interpreter::eval_attribute(const Attribute& a) {
  if (is_name(*a.value, "CONSTANTS") && frames_.back()->vars.count("CONSTANTS") == 0) {
    if (a.attr.size() < 2 || a.attr[0] != 'c') fail("bad constant reference CONSTANTS." + a.attr, ErrorCode::corrupt);
    size_t index = 0;
    try {
      index = std::stoul(a.attr.substr(1));
    } catch (const std::exception&) {
      fail("bad constant reference CONSTANTS." + a.attr, ErrorCode::corrupt);
    }
    if (index >= model_.constants.size())
      fail("CONSTANTS." + a.attr + " is out of range (constants.pkl has " + std::to_string(model_.constants.size()) +
               ")",
           ErrorCode::corrupt);
    if (constants_.size() != model_.constants.size()) constants_.resize(model_.constants.size(), Val::uninit());
    Val& slot = constants_[index];
    if (slot.kind == VKind::uninit) {
      const PyRef& c = model_.constants[index];
      slot = c && c->kind == PyKind::tensor ? tensor_val(c->tensor, "CONSTANTS." + a.attr, true) : from_py(c, "CONSTANTS", a.attr);
      if (slot.is(VKind::object) && slot.as<ObjBox>().path.empty()) slot.as<ObjBox>().path = "CONSTANTS." + a.attr;
    }
    return slot;
  }
  Val base = eval(*a.value);
  return get_attr(base, a.attr);
}

Val Interpreter::eval_subscript(const Subscript& s) {
  Val base = eval(*s.value);
  if (const Slice* sl = s.index->as<Slice>()) {
    Val lo = sl->lower ? eval(*sl->lower) : Val();
    Val hi = sl->upper ? eval(*sl->upper) : Val();
    Val st = sl->step ? eval(*sl->step) : Val::integer(1);
    if (base.is_tensor())
      return call_op("aten::slice", {base, Val::integer(0), lo, hi, st});
    return call_op("aten::slice", {base, lo, hi, st});
  }
  if (base.is_tensor()) {
    // Python indexing on tensors: ints select, slices slice, None adds a dim, one dim at a time.
    std::vector<const Expr*> idx;
    if (const Tuple* t = s.index->as<Tuple>()) {
      for (const auto& x : t->elts) idx.push_back(x.get());
    } else {
      idx.push_back(s.index.get());
    }
    Val cur = base;
    int64_t dim = 0;
    for (const Expr* x : idx) {
      if (const Slice* sl = x->as<Slice>()) {
        Val lo = sl->lower ? eval(*sl->lower) : Val();
        Val hi = sl->upper ? eval(*sl->upper) : Val();
        Val st = sl->step ? eval(*sl->step) : Val::integer(1);
        cur = call_op("aten::slice", {cur, Val::integer(dim), lo, hi, st});
        ++dim;
      } else if (x->is<NoneLit>()) {
        cur = call_op("aten::unsqueeze", {cur, Val::integer(dim)});
        ++dim;
      } else {
        Val k = eval(*x);
        if (k.is_tensor()) {
          cur = call_op("aten::index", {cur, Val::list({k})});
          ++dim;
        } else {
          cur = call_op("aten::select", {cur, Val::integer(dim), k});
        }
      }
    }
    return cur;
  }
  Val key = eval(*s.index);
  return call_op("aten::__getitem__", {base, key});
}

void Interpreter::eval_args(const Call& c, Vals& args, Kwargs& kwargs) {
  args.reserve(c.args.size());
  for (const auto& a : c.args) {
    if (const Starred* st = a->as<Starred>()) {
      Val v = eval(*st->value);
      if (!v.is_sequence()) fail("cannot unpack a non-sequence with *");
      for (const auto& x : v.items()) args.push_back(x);
    } else {
      args.push_back(eval(*a));
    }
  }
  for (const auto& k : c.keywords) {
    if (k.name.empty()) fail("**kwargs calls are not supported");
    kwargs.emplace_back(k.name, eval(*k.value));
  }
}

Val Interpreter::eval_call(const Expr& e, const Call& c) {
  step();
  if (const Name* n = c.func->as<Name>()) {
    auto& vars = frames_.back()->vars;
    if (!vars.count(n->id)) {
      static const char* const kForms[] = {"annotate", "unchecked_cast", "uninitialized", "isinstance",
                                           "getattr",  "hasattr",        "fork",          "range"};
      for (const char* f : kForms)
        if (n->id == f) return special_form(e, n->id, c);
    }
  }
  if (const Attribute* a = c.func->as<Attribute>()) {
    Val recv = eval(*a->value);
    if (recv.kind == VKind::klass && a->attr == "__new__") return new_object(recv.as<ClassBox>().cls);
    Vals args;
    Kwargs kwargs;
    eval_args(c, args, kwargs);
    loc_ = e.loc;
    switch (recv.kind) {
      case VKind::object:
        if (find_method(recv, a->attr)) return call_method(recv, a->attr, std::move(args), std::move(kwargs));
        return call_value(get_attr(recv, a->attr), std::move(args), std::move(kwargs));
      case VKind::ns: {
        if (recv.str() == "CONSTANTS") break;
        Val fn = get_attr(recv, a->attr);
        loc_ = e.loc;
        return call_value(fn, std::move(args), std::move(kwargs));
      }
      case VKind::tensor:
      case VKind::list:
      case VKind::string:
      case VKind::dict: {
        // Python method syntax: x.size(0), l.append(v), "{}".format(v)
        args.insert(args.begin(), recv);
        std::string op = "aten::" + a->attr;
        if (recv.kind == VKind::list && a->attr == "copy") op = "aten::list";
        return call_op(op, std::move(args), std::move(kwargs));
      }
      default: break;
    }
    Val fn = get_attr(recv, a->attr);
    loc_ = e.loc;
    return call_value(fn, std::move(args), std::move(kwargs));
  }
  Val fn = eval(*c.func);
  Vals args;
  Kwargs kwargs;
  eval_args(c, args, kwargs);
  loc_ = e.loc;
  return call_value(fn, std::move(args), std::move(kwargs));
}

Val Interpreter::special_form(const Expr& e, const std::string& name, const Call& c) {
  auto need = [&](size_t n) {
    if (c.args.size() < n) raise_at(e.loc, name + "() needs " + std::to_string(n) + " arguments", ErrorCode::corrupt);
  };
  if (name == "annotate" || name == "unchecked_cast") {
    need(2);
    Val v = eval(*c.args[1]);
    if (name == "annotate") annotate_value(*c.args[0], v);
    // Traced code passes sizes as 0-d tensors where a number is expected
    // (`torch.arange(0, annotate(number, _2))`): TorchScript's implicit
    // Tensor → Scalar/int/float conversion, on the tensor's known value.
    const Name* target = c.args[0]->as<Name>();
    if (v.is_tensor() && target && (target->id == "number" || target->id == "int" || target->id == "float")) {
      auto values = tensor_values(v);
      if (!values || values->size() != 1) data_dependent(name + "(" + target->id + ", ...) of a computed tensor");
      const auto& info = dtype_info(v.as<TensorBox>().meta.dtype);
      const bool integral = !info.is_floating && !info.is_complex && target->id != "float";
      return integral || target->id == "int" ? Val::integer(int64_t((*values)[0])) : Val::floating((*values)[0]);
    }
    return v;
  }
  if (name == "uninitialized") return Val::uninit();
  if (name == "isinstance") {
    need(2);
    Val v = eval(*c.args[0]);
    return Val::boolean(matches_type(v, *c.args[1]));
  }
  if (name == "getattr" || name == "hasattr") {
    need(2);
    Val obj = eval(*c.args[0]);
    Val attr = eval(*c.args[1]);
    loc_ = e.loc;
    if (attr.kind != VKind::string) fail(name + "() needs a string attribute name", ErrorCode::corrupt);
    if (name == "hasattr") return Val::boolean(has_attr(obj, attr.str()));
    if (c.args.size() > 2 && !has_attr(obj, attr.str())) return eval(*c.args[2]);
    return get_attr(obj, attr.str());
  }
  if (name == "fork") {
    need(1);
    Val fn = eval(*c.args[0]);
    Vals args;
    for (size_t k = 1; k < c.args.size(); ++k) args.push_back(eval(*c.args[k]));
    Kwargs kwargs;
    for (const auto& kw : c.keywords) kwargs.emplace_back(kw.name, eval(*kw.value));
    loc_ = e.loc;
    Val fut;
    fut.kind = VKind::future;
    auto box = std::make_shared<FutureBox>();
    box->value = call_value(fn, std::move(args), std::move(kwargs));
    fut.box = box;
    return fut;
  }
  // range() outside a for statement: a list
  Vals args;
  Kwargs kwargs;
  eval_args(c, args, kwargs);
  loc_ = e.loc;
  return call_op("builtins::range", std::move(args), std::move(kwargs));
}

bool Interpreter::matches_type(const Val& v, const Expr& type) {
  if (const Tuple* alts = type.as<Tuple>()) {
    for (const auto& t : alts->elts)
      if (matches_type(v, *t)) return true;
    return false;
  }
  if (const Name* n = type.as<Name>()) {
    const std::string& t = n->id;
    if (t == "Tensor") return v.is_tensor();
    if (t == "int") return v.kind == VKind::integer;
    if (t == "float") return v.kind == VKind::floating;
    if (t == "bool") return v.kind == VKind::boolean;
    if (t == "str") return v.kind == VKind::string;
    if (t == "complex") return v.kind == VKind::complex;
    if (t == "number" || t == "Scalar") return v.is_number();
    if (t == "NoneType" || t == "None") return v.is_none();
    if (t == "Device") return v.kind == VKind::device;
    if (t == "Any") return true;
    if (t == "list" || t == "List") return v.kind == VKind::list;
    if (t == "tuple" || t == "Tuple") return v.kind == VKind::tuple;
    if (t == "dict" || t == "Dict") return v.kind == VKind::dict;
    return false;
  }
  if (type.is<NoneLit>()) return v.is_none();
  if (const Subscript* s = type.as<Subscript>()) {
    std::string head = dotted(*s->value);
    std::vector<const Expr*> params;
    if (const Tuple* t = s->index->as<Tuple>()) {
      for (const auto& x : t->elts) params.push_back(x.get());
    } else {
      params.push_back(s->index.get());
    }
    if (head == "Optional") return v.is_none() || matches_type(v, *params[0]);
    if (head == "Union") {
      for (const Expr* p : params)
        if (matches_type(v, *p)) return true;
      return false;
    }
    if (head == "List") {
      if (v.kind != VKind::list) return false;
      const auto& box = v.as<SeqBox>();
      if (box.items.empty()) {
        const Name* elem = params[0]->as<Name>();
        return box.elem_type.empty() || !elem || box.elem_type == elem->id;
      }
      for (const auto& x : box.items)
        if (!matches_type(x, *params[0])) return false;
      return true;
    }
    if (head == "Tuple") {
      if (v.kind != VKind::tuple) return false;
      const auto& items = v.items();
      if (params.size() == 1 && params[0]->is<Tuple>() && params[0]->as<Tuple>()->elts.empty()) return items.empty();
      if (items.size() != params.size()) return false;
      for (size_t k = 0; k < items.size(); ++k)
        if (!matches_type(items[k], *params[k])) return false;
      return true;
    }
    if (head == "Dict") {
      if (v.kind != VKind::dict) return false;
      for (const auto& [k, x] : v.as<DictBox>().items)
        if (!matches_type(k, *params[0]) || (params.size() > 1 && !matches_type(x, *params[1]))) return false;
      return true;
    }
    if (head == "Future") return v.kind == VKind::future;
    return false;
  }
  std::string qual = dotted(type);
  if (!qual.empty()) {
    if (v.kind == VKind::object) return v.as<ObjBox>().qualname == qual;
    if (v.kind == VKind::tuple) return v.as<SeqBox>().named == qual;
    if (v.kind == VKind::enum_value) return v.as<EnumBox>().qualname == qual;
  }
  return false;
}

Val Interpreter::binary(BinOpKind op, const Val& a, const Val& b) {
  const char* name = nullptr;
  switch (op) {
    case BinOpKind::add: name = "aten::add"; break;
    case BinOpKind::sub: name = "aten::sub"; break;
    case BinOpKind::mul: name = "aten::mul"; break;
    case BinOpKind::div: name = "aten::div"; break;
    case BinOpKind::floordiv: name = "aten::floordiv"; break;
    case BinOpKind::mod: name = "aten::remainder"; break;
    case BinOpKind::pow: name = "aten::pow"; break;
    case BinOpKind::matmul: name = "aten::matmul"; break;
    case BinOpKind::lshift: name = "aten::__lshift__"; break;
    case BinOpKind::rshift: name = "aten::__rshift__"; break;
    case BinOpKind::bit_or: name = "aten::__or__"; break;
    case BinOpKind::bit_xor: name = "aten::__xor__"; break;
    case BinOpKind::bit_and: name = "aten::__and__"; break;
  }
  if (op == BinOpKind::floordiv && (a.is_tensor() || b.is_tensor())) name = "aten::floor_divide";
  return call_op(name, {a, b});
}

Val Interpreter::compare(CmpOpKind op, const Val& a, const Val& b) {
  switch (op) {
    case CmpOpKind::eq: return call_op("aten::eq", {a, b});
    case CmpOpKind::ne: return call_op("aten::ne", {a, b});
    case CmpOpKind::lt: return call_op("aten::lt", {a, b});
    case CmpOpKind::le: return call_op("aten::le", {a, b});
    case CmpOpKind::gt: return call_op("aten::gt", {a, b});
    case CmpOpKind::ge: return call_op("aten::ge", {a, b});
    case CmpOpKind::is: return Val::boolean(val_identical(a, b));
    case CmpOpKind::is_not: return Val::boolean(!val_identical(a, b));
    case CmpOpKind::in: return call_op("aten::__contains__", {b, a});
    case CmpOpKind::not_in: return Val::boolean(!truthy(call_op("aten::__contains__", {b, a})));
  }
  return Val();
}

bool Interpreter::truthy(const Val& v, const char* context) {
  switch (v.kind) {
    case VKind::none: return false;
    case VKind::boolean: return v.b;
    case VKind::integer: return v.i != 0;
    case VKind::floating: return v.f != 0;
    case VKind::string: return !v.str().empty();
    case VKind::list:
    case VKind::tuple: return !v.items().empty();
    case VKind::dict: return !v.as<DictBox>().items.empty();
    case VKind::tensor: {
      if (v.as<TensorBox>().placeholder >= 0 && observer_) return truthy(observer_->consumed("builtins::bool", {v}, {}), context);
      if (auto values = tensor_values(v); values && values->size() == 1) return (*values)[0] != 0;
      if (v.as<TensorBox>().meta.numel() != 1)
        fail("bool() of a tensor with " + std::to_string(v.as<TensorBox>().meta.numel()) +
                 " elements is ambiguous (" + context + ")",
             ErrorCode::corrupt);
      data_dependent(std::string(context) == "bool()" ? "bool() of a tensor"
                                                      : std::string("bool() of a tensor (") + context + ")");
    }
    case VKind::uninit: fail("an uninitialized value is used", ErrorCode::corrupt);
    default: return true;
  }
}

}  // namespace ptscope::graph
