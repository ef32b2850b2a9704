#include "parser/naming.h"

#include "parser/packed_params.h"

#include <unordered_set>

#include "core/error.h"

namespace ptscope {
namespace {

constexpr int kMaxDepth = 256;

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

bool is_parameter_node(const PyValue& v) {
  return v.kind == PyKind::tensor && v.module == "torch.nn.parameter" && v.name == "Parameter";
}

// The __dict__ of a pickled object: BUILD state as a dict, or the dict part of
// a (dict, slotstate) tuple.
PyRef object_dict(const PyValue& obj) {
  if (!obj.state) return nullptr;
  if (obj.state->kind == PyKind::dict) return obj.state;
  if (obj.state->kind == PyKind::tuple && !obj.state->items.empty() && obj.state->items[0]->kind == PyKind::dict)
    return obj.state->items[0];
  return nullptr;
}

PyRef dict_get(const PyRef& dict, std::string_view key) {
  if (!dict) return nullptr;
  PyRef found;
  for (const auto& [k, v] : dict->entries)
    if (k->kind == PyKind::string && k->s == key) found = v;
  return found;
}

bool is_nn_module(const PyValue& obj) {
  if (obj.kind != PyKind::object) return false;
  PyRef d = object_dict(obj);
  return d && dict_get(d, "_parameters") && dict_get(d, "_modules");
}

class SavedObjectNamer {
 public:
  explicit SavedObjectNamer(std::vector<NamedTensor>& out) : out_(out) {}

  void walk(const PyRef& v, const std::string& path, int depth, TensorRole role, ModuleNode* module) {
    if (!v || depth > kMaxDepth) return;
    if (v->kind == PyKind::tensor) {
      TensorRole r = is_parameter_node(*v) ? TensorRole::parameter : role;
      out_.push_back({path, r, v->tensor});
      return;
    }
    if (on_path_.count(v.get())) return;  // cycles built through the memo
    on_path_.insert(v.get());
    switch (v->kind) {
      case PyKind::dict:
        for (const auto& [k, val] : v->entries) walk(val, join(path, key_to_path_component(k)), depth + 1, role, module);
        break;
      case PyKind::list:
      case PyKind::tuple:
      case PyKind::set:
      case PyKind::frozenset:
        for (size_t i = 0; i < v->items.size(); ++i) walk(v->items[i], join(path, std::to_string(i)), depth + 1, role, module);
        break;
      case PyKind::object:
        if (is_nn_module(*v)) walk_module(*v, path, depth, module);
        else walk_object(*v, path, depth, role, module);
        break;
      default:
        break;
    }
    on_path_.erase(v.get());
  }

  std::unique_ptr<ModuleNode> root_module;

 private:
  void walk_object(const PyValue& obj, const std::string& path, int depth, TensorRole role, ModuleNode* module) {
    if (PyRef d = object_dict(obj)) walk(d, path, depth + 1, role, module);
    else if (obj.state) walk(obj.state, path, depth + 1, role, module);
    for (size_t i = 0; i < obj.items.size(); ++i) walk(obj.items[i], join(path, std::to_string(i)), depth + 1, role, module);
    for (const auto& [k, val] : obj.entries) walk(val, join(path, key_to_path_component(k)), depth + 1, role, module);
  }

  void walk_module(const PyValue& obj, const std::string& path, int depth, ModuleNode* parent) {
    auto node = std::make_unique<ModuleNode>();
    node->path = path;
    node->name = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
    node->class_name = obj.qualname();
    ModuleNode* self = node.get();
    if (parent) parent->children.push_back(std::move(node));
    else if (!root_module) root_module = std::move(node);
    else self = nullptr;  // a second top-level module: names only

    PyRef d = object_dict(obj);
    std::unordered_set<std::string> non_persistent;
    if (PyRef np = dict_get(d, "_non_persistent_buffers_set"))
      for (const auto& item : np->items)
        if (item->kind == PyKind::string) non_persistent.insert(item->s);
    if (PyRef params = dict_get(d, "_parameters"))
      for (const auto& [k, val] : params->entries) {
        if (!val || val->kind != PyKind::tensor) continue;
        std::string name = key_to_path_component(k);
        out_.push_back({join(path, name), TensorRole::parameter, val->tensor});
        if (self) self->parameters.push_back(name);
      }
    if (PyRef buffers = dict_get(d, "_buffers"))
      for (const auto& [k, val] : buffers->entries) {
        if (!val || val->kind != PyKind::tensor) continue;
        std::string name = key_to_path_component(k);
        if (non_persistent.count(name)) continue;  // not part of state_dict
        out_.push_back({join(path, name), TensorRole::buffer, val->tensor});
        if (self) self->buffers.push_back(name);
      }
    if (self && d)
      for (const auto& [k, val] : d->entries) {
        if (k->kind != PyKind::string || k->s.empty() || k->s[0] == '_' || !val) continue;
        if (val->kind == PyKind::object || val->kind == PyKind::tensor) continue;
        self->attributes.emplace_back(k->s, py_repr(val, 80));
      }
    if (PyRef modules = dict_get(d, "_modules"))
      for (const auto& [k, val] : modules->entries) {
        if (!val) continue;
        std::string child = join(path, key_to_path_component(k));
        if (val->kind == PyKind::object && is_nn_module(*val)) {
          if (on_path_.count(val.get())) continue;
          on_path_.insert(val.get());
          walk_module(*val, child, depth + 1, self);
          on_path_.erase(val.get());
        }
      }
  }

  std::vector<NamedTensor>& out_;
  std::unordered_set<const PyValue*> on_path_;
};

class ScriptModuleNamer {
 public:
  ScriptModuleNamer(const ClassIndex& classes, std::vector<NamedTensor>& out) : classes_(classes), out_(out) {}

  std::unique_ptr<ModuleNode> walk(const PyRef& obj, const std::string& name, const std::string& path, int depth) {
    auto node = std::make_unique<ModuleNode>();
    node->name = name;
    node->path = path;
    node->class_name = obj->qualname();
    node->object = obj;
    if (depth > kMaxDepth || on_path_.count(obj.get())) return node;
    on_path_.insert(obj.get());
    const ClassDecl* decl = classes_.find(node->class_name);
    auto declared = [](const std::vector<std::string>& names, const std::string& n) {
      for (const auto& x : names)
        if (x == n) return true;
      return false;
    };
    PyRef state = obj->state;
    if (state && state->kind == PyKind::dict) {
      for (const auto& [k, val] : state->entries) {
        if (!val) continue;
        const std::string attr = key_to_path_component(k);
        const std::string child_path = join(path, attr);
        if (val->kind == PyKind::tensor) {
          TensorRole role = TensorRole::attribute;
          if (decl && declared(decl->parameters, attr)) { role = TensorRole::parameter; node->parameters.push_back(attr); }
          else if (decl && declared(decl->buffers, attr)) { role = TensorRole::buffer; node->buffers.push_back(attr); }
          out_.push_back({child_path, role, val->tensor});
        } else if (val->kind == PyKind::object && is_module_object(*val)) {
          node->children.push_back(walk(val, attr, child_path, depth + 1));
        } else if (val->kind == PyKind::object && is_packed_weight_class(*val) && emit_packed(val->state, child_path)) {
          node->attributes.emplace_back(attr, py_repr(val, 80));
        } else {
          collect_nested_tensors(val, child_path, depth + 1);
          node->attributes.emplace_back(attr, py_repr(val, 80));
        }
      }
    } else if (state) {
      // Classes with __getstate__ (TorchBind packed params, custom classes). Quantized
      // modules return a tuple holding their weight and bias: those are the module's parameters.
      const bool quantized_module = node->class_name.find("quantized") != std::string::npos;
      if (quantized_module) {
        const size_t before = out_.size();
        if (emit_packed(state, path)) {
          node->parameters.push_back("weight");
          if (out_.size() - before > 1) node->parameters.push_back("bias");
        }
      }
      collect_nested_tensors(state, join(path, "__state__"), depth + 1);
    }
    on_path_.erase(obj.get());
    return node;
  }

 private:
  bool is_module_object(const PyValue& v) const {
    const ClassDecl* d = classes_.find(v.qualname());
    if (d) return d->is_module();
    // Unknown class but module-shaped state (a `training` flag): treat as a module.
    return v.state && v.state->kind == PyKind::dict && v.state->get("training") != nullptr;
  }

  // The weight and bias inside a packed object (or a quantized module's state tuple) as
  // parameters of the module that owns them; false when the state holds no weight.
  bool emit_packed(const PyRef& state, const std::string& path) {
    const auto w = find_packed_weights(state);
    if (!w) return false;
    const std::string owner = packed_owner_path(path);
    out_.push_back({join(owner, "weight"), TensorRole::parameter, w->weight});
    packed_.insert(w->weight.get());
    if (w->bias) {
      out_.push_back({join(owner, "bias"), TensorRole::parameter, w->bias});
      packed_.insert(w->bias.get());
    }
    return true;
  }

  // Tensors held inside non-module attributes (lists, dicts, objects).
  void collect_nested_tensors(const PyRef& v, const std::string& path, int depth) {
    if (!v || depth > kMaxDepth) return;
    if (v->kind == PyKind::tensor) {
      if (!packed_.count(v->tensor.get())) out_.push_back({path, TensorRole::attribute, v->tensor});
      return;
    }
    if (on_path_.count(v.get())) return;
    on_path_.insert(v.get());
    for (size_t i = 0; i < v->items.size(); ++i) collect_nested_tensors(v->items[i], join(path, std::to_string(i)), depth + 1);
    for (const auto& [k, val] : v->entries) collect_nested_tensors(val, join(path, key_to_path_component(k)), depth + 1);
    if (v->kind == PyKind::object && v->state) collect_nested_tensors(v->state, path, depth + 1);
    on_path_.erase(v.get());
  }

  const ClassIndex& classes_;
  std::vector<NamedTensor>& out_;
  std::unordered_set<const PyValue*> on_path_;
  std::unordered_set<const Tensor*> packed_;  // already named as a packed weight or bias
};

}  // namespace

std::string key_to_path_component(const PyRef& key) {
  if (!key) return "None";
  switch (key->kind) {
    case PyKind::string: return key->s;
    case PyKind::integer: return std::to_string(key->i);
    case PyKind::boolean: return key->b ? "True" : "False";
    case PyKind::none: return "None";
    default: return py_repr(key, 60);
  }
}

std::unique_ptr<ModuleNode> name_saved_object(const PyRef& root, std::vector<NamedTensor>& out) {
  SavedObjectNamer namer(out);
  namer.walk(root, "", 0, TensorRole::other, nullptr);
  return std::move(namer.root_module);
}

std::unique_ptr<ModuleNode> name_script_module(const PyRef& root, const ClassIndex& classes,
                                               std::vector<NamedTensor>& out) {
  if (!root || root->kind != PyKind::object)
    throw Error(ErrorCode::corrupt, "data.pkl does not hold a module object but " + py_repr(root, 60));
  ScriptModuleNamer namer(classes, out);
  return namer.walk(root, "", "", 0);
}

}  // namespace ptscope
