// libFuzzer target: the safetensors header (length, JSON with limits, dtypes,
// shapes, offsets tiling the data) and the zero-copy reader on arbitrary bytes.
// Errors are expected; crashes, overflows and unbounded allocations are bugs.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/model.h"
#include "parser/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ptscope;
  try {
    const SafetensorsHeader h = parse_safetensors_header(ByteSpan(data, size));
    // A valid header: every span lies inside the file, as the reader relies on.
    for (const auto& e : h.tensors)
      if (e.end > size - h.data_offset || e.begin > e.end) __builtin_trap();
  } catch (const Error&) {
  }
  try {
    auto model = load_model(MappedFile::from_bytes(std::vector<uint8_t>(data, data + size), "fuzz.safetensors"));
    for (const auto& nt : model->tensors)
      if (nt.tensor && nt.tensor->numel() > 0 && nt.tensor->min_storage_bytes() > nt.tensor->storage->data.size())
        __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
