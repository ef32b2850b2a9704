#include "core/model.h"

#include <unordered_set>

namespace ptscope {

const char* file_kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::torchscript: return "torchscript";
    case FileKind::torchscript_mobile: return "torchscript-mobile";
    case FileKind::torch_save_zip: return "torch.save-zip";
    case FileKind::legacy_stream: return "legacy-stream";
    case FileKind::legacy_tar: return "legacy-tar";
    case FileKind::legacy_torchscript: return "legacy-torchscript";
    case FileKind::torch_package: return "torch.package";
    case FileKind::exported_program: return "exported-program";
    case FileKind::mobile_flatbuffer: return "mobile-flatbuffer";
    case FileKind::unknown_zip: return "unknown-zip";
    case FileKind::safetensors: return "safetensors";
    case FileKind::checkpoint_folder: return "checkpoint-folder";
  }
  return "unknown";
}

const char* tensor_role_name(TensorRole role) {
  switch (role) {
    case TensorRole::parameter: return "parameter";
    case TensorRole::buffer: return "buffer";
    case TensorRole::attribute: return "attribute";
    case TensorRole::constant: return "constant";
    case TensorRole::state: return "state";
    case TensorRole::other: return "tensor";
  }
  return "tensor";
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
