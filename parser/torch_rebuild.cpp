#include "parser/torch_rebuild.h"

#include <algorithm>

#include "core/error.h"

namespace ptscope {
namespace {

bool as_int(const PyRef& v, int64_t& out) {
  if (!v) return false;
  if (v->kind == PyKind::integer) { out = v->i; return true; }
  if (v->kind == PyKind::boolean) { out = v->b; return true; }
  return false;
}

bool as_double(const PyRef& v, double& out) {
  if (!v) return false;
  if (v->kind == PyKind::floating) { out = v->f; return true; }
  int64_t i;
  if (as_int(v, i)) { out = double(i); return true; }
  return false;
}

// A view of the items, not a copy: every object node asks for its arguments.
const std::vector<PyRef>& seq_items(const PyRef& v) {
  static const std::vector<PyRef> none;
  if (!v) return none;
  if (v->kind == PyKind::tuple || v->kind == PyKind::list) return v->items;
  // torch.Size((..)) before it is rewritten, or a typed list built by REDUCE.
  if (v->kind == PyKind::object && v->args && !v->args->items.empty()) return seq_items(v->args->items[0]);
  return none;
}

std::vector<int64_t> int_list(const PyRef& v, const char* what, const std::string& fn) {
  std::vector<int64_t> out;
  for (const auto& item : seq_items(v)) {
    int64_t x;
    if (!as_int(item, x)) throw Error(ErrorCode::corrupt, fn + ": " + what + " holds a non-integer");
    out.push_back(x);
  }
  return out;
}

bool truthy(const PyRef& v) {
  if (!v) return false;
  if (v->kind == PyKind::boolean) return v->b;
  if (v->kind == PyKind::integer) return v->i != 0;
  return false;
}

std::optional<DType> dtype_of_global(const PyRef& v) {
  if (!v || v->kind != PyKind::global || v->module != "torch") return std::nullopt;
  return dtype_from_name(v->name);
}

std::optional<QScheme> qscheme_of(const PyRef& v) {
  if (!v) return std::nullopt;
  if (v->kind == PyKind::integer && v->i >= 0 && v->i <= 4) return static_cast<QScheme>(v->i);
  if (v->kind != PyKind::global || v->module != "torch") return std::nullopt;
  for (QScheme s : {QScheme::per_tensor_affine, QScheme::per_channel_affine, QScheme::per_tensor_symmetric,
                    QScheme::per_channel_symmetric, QScheme::per_channel_affine_float_qparams})
    if (v->name == qscheme_name(s)) return s;
  return std::nullopt;
}

std::optional<Layout> layout_of(const PyRef& v) {
  if (!v) return std::nullopt;
  if (v->kind == PyKind::integer) {
    switch (v->i) {  // C++ pickler numbering (current)
      case 0: return Layout::strided;
      case 1: return Layout::sparse_coo;
      case 2: return Layout::sparse_csr;
      case 4: return Layout::sparse_csc;
      case 5: return Layout::sparse_bsr;
      case 6: return Layout::sparse_bsc;
      default: return std::nullopt;
    }
  }
  std::string name;
  if (v->kind == PyKind::global) name = v->name;
  // torch.serialization._get_layout("torch.sparse_coo") → object with a string arg.
  if (v->kind == PyKind::object && v->args && !v->args->items.empty() &&
      v->args->items[0]->kind == PyKind::string)
    name = v->args->items[0]->s;
  if (name.rfind("torch.", 0) == 0) name = name.substr(6);
  // The layouts a saved tensor may name here (not mkldnn or jagged).
  for (Layout l : {Layout::strided, Layout::sparse_coo, Layout::sparse_csr, Layout::sparse_csc, Layout::sparse_bsr,
                   Layout::sparse_bsc})
    if (name == layout_name(l)) return l;
  return std::nullopt;
}

bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) {
  if (a != 0 && b > UINT64_MAX / a) return false;
  out = a * b;
  return true;
}

}  // namespace

DType storage_dtype_of(const PyRef& storage_type) {
  if (!storage_type) throw Error(ErrorCode::corrupt, "storage persistent id without a storage type");
  if (storage_type->kind == PyKind::integer && is_valid_dtype(int(storage_type->i)))
    return static_cast<DType>(storage_type->i);
  if (storage_type->kind == PyKind::global) {
    const std::string& n = storage_type->name;
    if (n == "UntypedStorage" || n == "_UntypedStorage") return DType::uint8;
    if (auto d = dtype_from_storage_class(n)) return *d;
  }
  // StorageType objects or TypedStorage built by a REDUCE.
  if (storage_type->kind == PyKind::object && !storage_type->name.empty()) {
    if (auto d = dtype_from_storage_class(storage_type->name)) return *d;
  }
  throw Error(ErrorCode::corrupt, "unknown storage type " + py_repr(storage_type, 80));
}

void TorchRebuilder::warn(std::string message) {
  if (warnings_) warnings_->push_back(std::move(message));
}

PyRef TorchRebuilder::load_storage_pid(const PyRef& pid, const StorageResolver& resolver) {
  const auto& items = seq_items(pid);
  if (items.empty() || items[0]->kind != PyKind::string || items[0]->s != "storage") {
    // Unknown persistent ids (e.g. torch.package 'module' refs) stay opaque.
    auto node = std::make_shared<PyValue>();
    node->kind = PyKind::persistent;
    node->args = pid;
    warn("unrecognised persistent id " + py_repr(pid, 80));
    return node;
  }
  if (items.size() < 5) throw Error(ErrorCode::corrupt, "storage persistent id has " +
                                                            std::to_string(items.size()) + " fields, expected 5");
  const DType dtype = storage_dtype_of(items[1]);
  std::string key;
  if (items[2]->kind == PyKind::string) key = items[2]->s;
  else if (items[2]->kind == PyKind::integer) key = std::to_string(items[2]->i);
  else throw Error(ErrorCode::corrupt, "storage key is not a string: " + py_repr(items[2], 60));
  std::string location = items[3]->kind == PyKind::string ? items[3]->s : py_repr(items[3], 40);
  int64_t numel = 0;
  if (!as_int(items[4], numel) || numel < 0)
    throw Error(ErrorCode::corrupt, "storage " + key + " has an invalid element count");
  if (auto it = storages_.find(key); it != storages_.end()) return it->second;

  uint64_t declared = 0;
  if (!checked_mul(uint64_t(numel), itemsize(dtype), declared))
    throw Error(ErrorCode::corrupt, "storage " + key + " size overflows");
  auto storage = resolver.fetch(key, dtype, declared, location);
  PyRef node = storage_value(std::move(storage));
  storages_[key] = node;
  return node;
}

PyRef storage_value(std::shared_ptr<Storage> storage) {
  auto node = std::make_shared<PyValue>();
  node->kind = PyKind::storage;
  node->storage = std::move(storage);
  return node;
}

void TorchRebuilder::swap_storage_if_needed(Storage& s, DType dtype) {
  if (!big_endian_ || s.swapped || s.data_missing) return;
  const size_t unit = dtype_info(dtype).swap_unit;
  s.swapped = true;
  if (unit <= 1) return;
  std::vector<uint8_t> out(s.data.bytes.begin(), s.data.bytes.end());
  for (size_t i = 0; i + unit <= out.size(); i += unit) std::reverse(out.begin() + i, out.begin() + i + unit);
  s.data = Blob::from_vector(std::move(out));
}

void TorchRebuilder::check_view(const Tensor& t, const std::string& fn) {
  if (t.shape.size() != t.strides.size())
    throw Error(ErrorCode::corrupt, fn + ": size has " + std::to_string(t.shape.size()) + " dims but stride has " +
                                        std::to_string(t.strides.size()));
  if (t.storage_offset < 0) throw Error(ErrorCode::corrupt, fn + ": negative storage offset");
  uint64_t numel = 1;
  for (size_t d = 0; d < t.shape.size(); ++d) {
    if (t.shape[d] < 0 || t.strides[d] < 0) throw Error(ErrorCode::corrupt, fn + ": negative size or stride");
    if (!checked_mul(numel, uint64_t(t.shape[d]), numel) || numel > (uint64_t(1) << 56))
      throw Error(ErrorCode::corrupt, fn + ": element count overflows");
    if (t.shape[d] > 0 && uint64_t(t.strides[d]) > (uint64_t(1) << 56))
      throw Error(ErrorCode::corrupt, fn + ": stride out of range");
  }
  if (!t.storage || t.storage->data_missing) return;
  const uint64_t need = t.min_storage_bytes();
  if (need > t.storage->data.size())
    throw Error(ErrorCode::corrupt, fn + ": tensor of shape [" +
                                        [&] {
                                          std::string s;
                                          for (size_t i = 0; i < t.shape.size(); ++i)
                                            s += (i ? "," : "") + std::to_string(t.shape[i]);
                                          return s;
                                        }() +
                                        "] needs " + std::to_string(need) + " bytes of storage '" + t.storage->key +
                                        "' but it holds " + std::to_string(t.storage->data.size()));
}

std::shared_ptr<Tensor> TorchRebuilder::tensor_from_args(const std::string& fn, const std::vector<PyRef>& a) {
  auto t = std::make_shared<Tensor>();
  t->rebuild = fn;
  auto need = [&](size_t n) {
    if (a.size() < n) throw Error(ErrorCode::corrupt, fn + " called with " + std::to_string(a.size()) +
                                                           " arguments, expected at least " + std::to_string(n));
  };
  auto take_storage = [&](const PyRef& v) {
    if (!v || v->kind != PyKind::storage || !v->storage)
      throw Error(ErrorCode::corrupt, fn + ": first argument is not a storage but " + py_repr(v, 60));
    return v->storage;
  };
  auto read_metadata = [&](const PyRef& md) {
    if (!md || md->kind != PyKind::dict) return;
    for (auto& [k, v] : md->entries) {
      if (k->kind != PyKind::string) continue;
      if (k->s == "conj") t->conj = truthy(v);
      if (k->s == "neg") t->neg = truthy(v);
    }
  };
  if (fn == "_rebuild_tensor_v2" || fn == "_rebuild_tensor" || fn == "_rebuild_tensor_v3" || fn == "_rebuild_qtensor") {
    need(4);
    t->storage = take_storage(a[0]);
    t->dtype = t->storage->dtype;
    if (!as_int(a[1], t->storage_offset)) throw Error(ErrorCode::corrupt, fn + ": storage offset is not an integer");
    t->shape = int_list(a[2], "size", fn);
    t->strides = int_list(a[3], "stride", fn);
    if (fn == "_rebuild_tensor_v2") {
      if (a.size() > 4) t->requires_grad = truthy(a[4]);
      if (a.size() > 6) read_metadata(a[6]);
    } else if (fn == "_rebuild_tensor_v3") {
      need(7);
      t->requires_grad = truthy(a[4]);
      auto d = dtype_of_global(a[6]);
      if (!d) throw Error(ErrorCode::corrupt, fn + ": unknown dtype " + py_repr(a[6], 60));
      t->dtype = *d;
      if (a.size() > 7) read_metadata(a[7]);
    } else if (fn == "_rebuild_qtensor" && a.size() >= 6 && a[4] &&
               (a[4]->kind == PyKind::floating || a[4]->kind == PyKind::integer) && a[5] &&
               a[5]->kind == PyKind::integer) {
      // torch 1.3: (storage, offset, size, stride, scale, zero_point, requires_grad, hooks),
      // per-tensor affine only; 1.4 replaced scale and zero_point by a quantizer tuple.
      t->quant.scheme = QScheme::per_tensor_affine;
      if (!as_double(a[4], t->quant.scale)) throw Error(ErrorCode::corrupt, fn + ": bad scale");
      t->quant.zero_point = a[5]->i;
      if (a.size() > 6) t->requires_grad = truthy(a[6]);
    } else if (fn == "_rebuild_qtensor") {
      need(5);
      const auto& q = seq_items(a[4]);
      if (q.empty()) throw Error(ErrorCode::corrupt, fn + ": missing quantizer parameters");
      auto scheme = qscheme_of(q[0]);
      if (!scheme) throw Error(ErrorCode::corrupt, fn + ": unknown qscheme " + py_repr(q[0], 60));
      t->quant.scheme = *scheme;
      if (*scheme == QScheme::per_tensor_affine || *scheme == QScheme::per_tensor_symmetric) {
        if (q.size() < 3 || !as_double(q[1], t->quant.scale) || !as_int(q[2], t->quant.zero_point))
          throw Error(ErrorCode::corrupt, fn + ": bad per-tensor quantizer parameters");
      } else {
        if (q.size() < 4 || q[1]->kind != PyKind::tensor || q[2]->kind != PyKind::tensor ||
            !as_int(q[3], t->quant.axis))
          throw Error(ErrorCode::corrupt, fn + ": bad per-channel quantizer parameters");
        t->quant.scales = q[1]->tensor;
        t->quant.zero_points = q[2]->tensor;
        // Python writes per_channel_affine for float qparams too: the zero point dtype tells.
        if (*scheme == QScheme::per_channel_affine && dtype_info(q[2]->tensor->dtype).is_floating)
          t->quant.scheme = QScheme::per_channel_affine_float_qparams;
      }
      if (a.size() > 5) t->requires_grad = truthy(a[5]);
    }
    swap_storage_if_needed(*t->storage, t->dtype);
    check_view(*t, fn);
    return t;
  }
  // Tensors without storage: (dtype, size, stride) from argument `first` on.
  auto storageless = [&](size_t first) {
    auto d = dtype_of_global(a[first]);
    t->dtype = d ? *d : DType::float32;
    t->shape = int_list(a[first + 1], "size", fn);
    t->strides = int_list(a[first + 2], "stride", fn);
  };
  if (fn == "_rebuild_meta_tensor_no_storage") {
    need(3);
    storageless(0);
    if (a.size() > 3) t->requires_grad = truthy(a[3]);
    check_view(*t, fn);
    return t;
  }
  if (fn == "_rebuild_wrapper_subclass") {
    need(5);
    storageless(1);
    as_int(a[4], t->storage_offset);
    if (a[0] && a[0]->kind == PyKind::global) t->subclass = a[0]->module + "." + a[0]->name;
    check_view(*t, fn);
    return t;
  }
  return nullptr;
}

bool TorchRebuilder::rebuild_node(PyValue& node) {
  if (node.kind != PyKind::object || !node.callable || node.callable->kind != PyKind::global) return false;
  const std::string& mod = node.callable->module;
  const std::string& fn = node.callable->name;
  const std::vector<PyRef>& args = seq_items(node.args);
  auto become_tensor = [&](std::shared_ptr<Tensor> t) {
    node.kind = PyKind::tensor;
    node.tensor = std::move(t);
    ++tensors_built_;
  };

  if (mod == "torch._utils") {
    if (fn == "_rebuild_parameter" || fn == "_rebuild_parameter_with_state") {
      if (args.empty() || args[0]->kind != PyKind::tensor)
        throw Error(ErrorCode::corrupt, fn + ": first argument is not a tensor");
      auto t = std::make_shared<Tensor>(*args[0]->tensor);
      if (args.size() > 1) t->requires_grad = truthy(args[1]);
      t->rebuild = fn;
      node.kind = PyKind::tensor;
      node.tensor = std::move(t);
      node.module = "torch.nn.parameter";  // marks the value as a Parameter for naming
      node.name = "Parameter";
      return true;
    }
    // torch 1.10-1.12 wrote CSR tensors through their own function with the same arguments.
    if (fn == "_rebuild_sparse_tensor" || fn == "_rebuild_sparse_csr_tensor") {
      if (args.size() < 2) throw Error(ErrorCode::corrupt, fn + ": missing arguments");
      auto t = std::make_shared<Tensor>();
      t->rebuild = fn;
      // Python form (layout, (indices, values, size[, coalesced])); C++ form (layout:int, size, rg, parts...).
      auto layout = layout_of(args[0]);
      t->layout = layout ? *layout : Layout::sparse_coo;
      std::vector<PyRef> parts = seq_items(args[1]);
      if (args[1]->kind != PyKind::tuple && args.size() > 2) parts.assign(args.begin() + 1, args.end());
      for (const auto& p : parts) {
        if (p->kind == PyKind::tensor) t->sparse_parts.push_back(p->tensor);
        else if ((p->kind == PyKind::tuple || p->kind == PyKind::list || p->kind == PyKind::object) && t->shape.empty())
          t->shape = int_list(p, "size", fn);
      }
      if (!t->sparse_parts.empty()) t->dtype = t->sparse_parts.back()->dtype;
      t->strides.assign(t->shape.size(), 0);
      warn("sparse tensor (" + std::string(layout_name(t->layout)) + ") recognised; shown with its components");
      become_tensor(std::move(t));
      return true;
    }
    if (fn == "_rebuild_nested_tensor") {
      auto t = std::make_shared<Tensor>();
      t->rebuild = fn;
      t->layout = Layout::jagged;
      if (!args.empty() && args[0]->kind == PyKind::tensor) {
        t->sparse_parts.push_back(args[0]->tensor);
        t->dtype = args[0]->tensor->dtype;
      }
      warn("nested tensor recognised; shown with its buffer");
      become_tensor(std::move(t));
      return true;
    }
    if (fn == "_rebuild_device_tensor_from_cpu_tensor") {
      if (args.empty() || args[0]->kind != PyKind::tensor) throw Error(ErrorCode::corrupt, fn + ": missing tensor");
      become_tensor(std::make_shared<Tensor>(*args[0]->tensor));
      return true;
    }
    if (auto t = tensor_from_args(fn, args)) {
      become_tensor(std::move(t));
      return true;
    }
    return false;
  }
  // (func, type, args[, dict]): torch 1.7 wrote _rebuild_from_type for tensor subclasses,
  // 1.8 and later _rebuild_from_type_v2 with the subclass's state.
  if (mod == "torch._tensor" && (fn == "_rebuild_from_type_v2" || fn == "_rebuild_from_type")) {
    // (func, new_type, args, state): rebuild the base tensor with func(*args).
    if (args.size() < 3 || args[0]->kind != PyKind::global)
      throw Error(ErrorCode::corrupt, "_rebuild_from_type_v2: malformed arguments");
    PyValue inner;
    inner.kind = PyKind::object;
    inner.callable = args[0];
    inner.args = args[2];
    if (!rebuild_node(inner) || inner.kind != PyKind::tensor)
      throw Error(ErrorCode::corrupt, "_rebuild_from_type_v2: inner function " + args[0]->qualname() +
                                          " did not produce a tensor");
    auto t = inner.tensor;
    if (args[1]->kind == PyKind::global) {
      std::string type = args[1]->qualname();
      if (type == "torch.nn.parameter.Parameter") {
        node.module = "torch.nn.parameter";
        node.name = "Parameter";
      } else if (type != "torch.Tensor") {
        t->subclass = type;
      }
    }
    node.kind = PyKind::tensor;
    node.tensor = t;
    return true;
  }
  if (mod == "collections" && (fn == "OrderedDict" || fn == "defaultdict" || fn == "Counter")) {
    node.kind = PyKind::dict;  // entries were filled by SETITEMS; state holds _metadata
    for (const auto& a : args) {
      // OrderedDict([(k, v), ...]) form.
      if (a->kind == PyKind::list)
        for (const auto& pair : a->items)
          if (pair->kind == PyKind::tuple && pair->items.size() == 2) node.entries.emplace_back(pair->items[0], pair->items[1]);
    }
    return true;
  }
  if (mod == "torch" && fn == "Size") {
    node.items = args.empty() ? std::vector<PyRef>{} : seq_items(args[0]);
    node.kind = PyKind::tuple;
    return true;
  }
  if (mod == "torch.jit._pickle" || mod == "__main__") {
    if (fn == "build_intlist" || fn == "build_tensorlist" || fn == "build_doublelist" ||
        fn == "build_boollist" || fn == "IntList") {
      node.items = args.empty() ? std::vector<PyRef>{} : seq_items(args[0]);
      node.kind = PyKind::list;
      return true;
    }
    if ((fn == "build_tensor_from_id" || fn == "TensorID") && !args.empty()) {
      int64_t id = -1;
      if (!as_int(args[0], id) || id < 0 || size_t(id) >= tensor_table_.size())
        throw Error(ErrorCode::corrupt, fn + ": tensor id " + py_repr(args[0], 20) + " is not in the tensor table");
      become_tensor(tensor_table_[size_t(id)]);
      return true;
    }
    if (fn == "restore_type_tag" && !args.empty()) {
      // Adopt the container's contents; the type string is informational.
      const PyRef c = args[0];
      node.kind = c->kind;
      node.items = c->items;
      node.entries = c->entries;
      node.tensor = c->tensor;
      node.s = c->s;
      node.i = c->i;
      node.f = c->f;
      node.b = c->b;
      return true;
    }
  }
  if (mod == "_codecs" && fn == "encode" && !args.empty() && args[0]->kind == PyKind::string) {
    // bytes at protocol 2: (latin1-decoded text, 'latin1') → the original bytes.
    std::string out;
    const std::string& s = args[0]->s;
    for (size_t i = 0; i < s.size();) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) { out.push_back(char(c)); ++i; }
      else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
        out.push_back(char(((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F)));
        i += 2;
      } else { out.push_back(char(c)); ++i; }
    }
    node.kind = PyKind::bytes;
    node.s = std::move(out);
    return true;
  }
  if (mod == "builtins" || mod == "__builtin__") {
    if ((fn == "set" || fn == "frozenset") ) {
      node.items = args.empty() ? std::vector<PyRef>{} : seq_items(args[0]);
      node.kind = fn == "set" ? PyKind::set : PyKind::frozenset;
      return true;
    }
    if (fn == "bytearray" && !args.empty() && (args[0]->kind == PyKind::bytes || args[0]->kind == PyKind::string)) {
      node.s = args[0]->s;
      node.kind = PyKind::bytearray;
      return true;
    }
    if (fn == "complex" && args.size() == 2) {
      double re = 0, im = 0;
      as_double(args[0], re);
      as_double(args[1], im);
      node.kind = PyKind::complex;
      node.f = re;
      node.imag = im;
      return true;
    }
  }
  return false;
}

void TorchRebuilder::rebuild(const PyRef& root) {
  if (!root) return;
  // Iterative post-order over the DAG: children before parents, each node
  // once (PyValue::rebuilt marks the visited ones; a tree is rebuilt once).
  std::vector<std::pair<PyValue*, bool>> stack;
  stack.emplace_back(root.get(), false);
  auto push_children = [&](PyValue* n) {
    auto push = [&](const PyRef& c) {
      if (c && !c->rebuilt) stack.emplace_back(c.get(), false);
    };
    for (const auto& c : n->items) push(c);
    for (const auto& [k, v] : n->entries) { push(k); push(v); }
    push(n->callable);
    push(n->args);
    push(n->state);
    push(n->kwargs);
  };
  while (!stack.empty()) {
    auto [n, expanded] = stack.back();
    if (n->rebuilt) { stack.pop_back(); continue; }
    if (!expanded) {
      stack.back().second = true;
      push_children(n);
      continue;
    }
    stack.pop_back();
    n->rebuilt = true;
    rebuild_node(*n);
  }
}

}  // namespace ptscope
