// Turns the generic value tree of a torch pickle into torch values, in place:
// persistent ids become Storages, `_rebuild_*` calls become Tensors sharing
// those storages, OrderedDict/Size/bytes/typed lists become plain containers.
// In-place rewriting keeps memo aliasing: a tensor referenced twice is one node.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model.h"
#include "parser/pickle.h"

namespace ptscope {

// Finds a storage's bytes: called with (key, dtype, declared bytes); returns
// the storage with data filled (or data_missing set). Shared per key.
struct StorageResolver {
  std::function<std::shared_ptr<Storage>(const std::string& key, DType dtype, uint64_t declared_bytes,
                                         const std::string& location)> fetch;
};

class TorchRebuilder {
 public:
  TorchRebuilder(bool big_endian, std::vector<std::string>* warnings)
      : big_endian_(big_endian), warnings_(warnings) {}

  // persistent_load for the zip and TorchScript formats:
  // ('storage', <StorageClass global>, key, location, numel).
  PyRef load_storage_pid(const PyRef& pid, const StorageResolver& resolver);

  // Rewrites every recognised torch object reachable from root (post-order,
  // iterative, each node once). Throws Error(corrupt) for a tensor whose view
  // does not fit its storage.
  void rebuild(const PyRef& root);

  // Tensor table for `build_tensor_from_id(i)` (model.json-era archives).
  void set_tensor_table(std::vector<std::shared_ptr<Tensor>> table) { tensor_table_ = std::move(table); }

  // Tensors created so far (for tests and counters).
  size_t tensors_built() const { return tensors_built_; }

 private:
  bool rebuild_node(PyValue& node);
  std::shared_ptr<Tensor> tensor_from_args(const std::string& fn, const std::vector<PyRef>& a);
  void check_view(const Tensor& t, const std::string& fn);
  void swap_storage_if_needed(Storage& s, DType dtype);
  void warn(std::string message);

  bool big_endian_;
  std::vector<std::string>* warnings_;
  size_t tensors_built_ = 0;
  std::map<std::string, PyRef> storages_;  // by key: storages are shared
  std::vector<std::shared_ptr<Tensor>> tensor_table_;
};

// Storage dtype from the storage-type value in a persistent id: a global
// torch.<X>Storage, torch.UntypedStorage (bytes) or an already-mapped int.
DType storage_dtype_of(const PyRef& storage_type);

// The Python value that stands for a storage in the unpickled object.
PyRef storage_value(std::shared_ptr<Storage> storage);

}  // namespace ptscope
