#include "core/model.h"

#include <iterator>
#include <unordered_set>

#include "core/enum_names.h"

namespace ptscope {

const char* file_kind_name(FileKind kind) {
  static constexpr const char* kNames[] = {
      "torchscript",   "torchscript-mobile", "torch.save-zip",    "legacy-stream", "legacy-tar",  "legacy-torchscript",
      "torch.package", "exported-program",   "mobile-flatbuffer", "unknown-zip",   "safetensors", "checkpoint-folder"};
  static_assert(std::size(kNames) == enum_count(FileKind::checkpoint_folder));
  return enum_name(kind, kNames, "unknown");
}

const char* tensor_role_name(TensorRole role) {
  static constexpr const char* kNames[] = {"parameter", "buffer", "attribute", "constant", "state", "tensor"};
  static_assert(std::size(kNames) == enum_count(TensorRole::other));
  return enum_name(role, kNames, "tensor");
}

std::string ModuleNode::short_class_name() const {
  std::string n = class_name;
  size_t dot = n.rfind('.');
  return dot == std::string::npos ? n : n.substr(dot + 1);
}

int64_t Model::n_parameter_elements() const {
  int64_t n = 0;
  for (const auto& t : tensors)
    if (t.is_parameter()) n += t.tensor->numel();
  return n;
}

int64_t Model::n_buffers() const {
  int64_t n = 0;
  for (const auto& t : tensors) n += t.is_buffer();
  return n;
}

int64_t Model::n_buffer_elements() const {
  int64_t n = 0;
  for (const auto& t : tensors)
    if (t.is_buffer() && t.tensor) n += t.tensor->numel();
  return n;
}

uint64_t Model::tensor_bytes() const {
  std::unordered_set<const Storage*> seen;
  uint64_t total = 0;
  for (const auto& t : tensors) {
    const Storage* s = t.tensor->storage.get();
    if (s && seen.insert(s).second) total += s->declared_bytes;
  }
  return total;
}

}  // namespace ptscope
