// safetensors files: every tensor is a zero-copy view into the mapping (a
// private aligned copy only when the writer left a span misaligned for its
// element type, so that typed reads downstream stay well-defined).
#include <cstring>
#include <set>

#include "core/error.h"
#include "parser/loaders.h"
#include "parser/safetensors.h"

namespace ptscope {

void load_safetensors(std::shared_ptr<const MappedFile> file, const LoadOptions&, Model& model) {
  SafetensorsHeader h = parse_safetensors_header(file->bytes());
  model.kind = FileKind::safetensors;
  model.byteorder = "little";
  model.metadata = std::move(h.metadata);
  model.warnings.insert(model.warnings.end(), h.warnings.begin(), h.warnings.end());
  model.producer_hints.push_back("safetensors header of " + std::to_string(h.header_bytes) + " bytes, data from offset " +
                                 std::to_string(h.data_offset));
  if (auto fmt = model.metadata.find("format"); fmt != model.metadata.end())
    model.producer_hints.push_back("metadata format '" + fmt->second + "'");
  // safetensors.torch.save_model writes shared tensors once and records each
  // dropped name in the metadata as dropped → kept: a tie, shown as such.
  std::set<std::string> names;
  for (const auto& e : h.tensors) names.insert(e.name);
  for (const auto& [k, v] : model.metadata)
    if (!names.count(k) && names.count(v))
      model.producer_hints.push_back("tied " + k + " → " + v + " (written once by save_model; named in the metadata)");
  model.tensors.reserve(h.tensors.size());
  for (auto& e : h.tensors) {
    auto storage = std::make_shared<Storage>();
    storage->key = e.name;
    storage->record = e.name;
    storage->location = "cpu";
    storage->dtype = e.dtype->dtype;
    storage->declared_bytes = e.end - e.begin;
    storage->file_offset = h.data_offset + e.begin;
    storage->data = file->slice(file, storage->file_offset, storage->declared_bytes);
    const size_t align = itemsize(e.dtype->dtype);
    if (align > 1 && reinterpret_cast<uintptr_t>(storage->data.data()) % align != 0) {
      std::vector<uint8_t> copy(storage->data.bytes.begin(), storage->data.bytes.end());
      storage->data = Blob::from_vector(std::move(copy));
    }
    auto t = std::make_shared<Tensor>();
    t->dtype = e.dtype->dtype;
    t->shape = e.shape;
    if (e.dtype->bits == 4) {
      // float4_e2m1fn_x2 holds two elements per byte: torch's shape halves the last dim.
      if (!t->shape.empty() && t->shape.back() % 2 == 0) t->shape.back() /= 2;
      else t->shape = {int64_t(storage->declared_bytes)};
    } else if (e.dtype->bits == 6) {
      t->shape = {int64_t(storage->declared_bytes)};
      model.warnings.push_back("tensor '" + e.name + "' is " + std::string(e.dtype->name) +
                               " (6-bit, no torch dtype): listed as its packed bytes");
    }
    t->strides = contiguous_strides(t->shape);
    t->storage = std::move(storage);
    t->rebuild = std::string("safetensors ") + std::string(e.dtype->name);
    model.records.push_back(e.name);
    model.tensors.push_back({e.name, TensorRole::other, std::move(t)});
  }
}

}  // namespace ptscope
