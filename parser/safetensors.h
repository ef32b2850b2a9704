// The safetensors format: an 8-byte little-endian header length, a JSON header
// naming every tensor's dtype, shape and byte span, then the data section.
// Validation follows the reference implementation (huggingface/safetensors,
// safetensors/src/tensor.rs `read_metadata` / `Metadata::validate`): the spans,
// sorted by offset, must tile the data section exactly, each span must be the
// shape's element count times the dtype's width. We are stricter in two places
// where serde silently keeps the last value: duplicate keys are an error.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/dtype.h"

namespace ptscope {

// The reference implementation's limit on the JSON header (MAX_HEADER_SIZE).
constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

struct SafetensorsDType {
  std::string_view name;  // "F32", "BF16", "F8_E4M3", ...
  unsigned bits;          // element width in bits (F4: 4, F6_*: 6)
  DType dtype;            // how we hold it; uint8 for the packed sub-byte kinds without a torch dtype
};
// Every dtype safetensors 0.8 knows; nullptr for any other name.
const SafetensorsDType* safetensors_dtype(std::string_view name);

struct SafetensorsEntry {
  std::string name;
  const SafetensorsDType* dtype = nullptr;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte span within the data section
};

struct SafetensorsHeader {
  uint64_t header_bytes = 0;   // N, the JSON length
  uint64_t data_offset = 0;    // 8 + N: where the data section starts in the file
  std::vector<SafetensorsEntry> tensors;  // sorted by offset (the order of the bytes)
  std::map<std::string, std::string> metadata;  // "__metadata__"
  std::vector<std::string> warnings;
};

// Cheap sniff: a plausible header length followed by '{'.
bool looks_like_safetensors(ByteSpan file);

// Parses and validates the header of a whole file. Throws Error (corrupt,
// truncated or limit_exceeded) naming the first rule that is broken.
SafetensorsHeader parse_safetensors_header(ByteSpan file);

}  // namespace ptscope
