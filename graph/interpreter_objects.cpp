// The interpreter's object model: the root module and its submodules, pickled
// objects and tensors as values, class constants, and attribute access
// (get/set, methods, __setstate__).
#include "graph/interpreter.h"

#include <cmath>
#include <limits>

namespace ptscope::graph {

using namespace ts;

namespace {

// A tensor value with its graph metadata (value_id already set).
Val tensor_of(TensorMeta meta) {
  Val v;
  v.kind = VKind::tensor;
  auto box = std::make_shared<TensorBox>();
  box->meta = std::move(meta);
  v.box = box;
  return v;
}

}  // namespace

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
  Val v = tensor_of(meta);
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
  return tensor_of(std::move(meta));
}

Val Interpreter::new_constant(TensorMeta meta, std::optional<std::vector<double>> known, std::string name) {
  int id = graph_.add_value(meta, Value::Kind::constant, std::move(name));
  meta.value_id = id;
  graph_.values[size_t(id)].elements = known;
  if (known) known_[id] = std::move(*known);
  return tensor_of(std::move(meta));
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
        if (const FunctionDef* m = o.cls->def->find_method(name)) return Val::method(obj, m, name);
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
        if (const FunctionDef* m = find_method(obj, name)) return Val::method(obj, m, name);
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
      if (const FunctionDef* m = cls->def->find_method(name)) return Val::function(m, cls->qualname + "." + name, cls->file);
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

}  // namespace ptscope::graph
