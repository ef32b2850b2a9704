#include "parser/safetensors.h"

#include <algorithm>
#include <array>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ptscope {
namespace {

// safetensors/src/tensor.rs `Dtype` with `bitsize()`; the torch dtype is the
// one safetensors.torch maps it to. F4 elements are packed two to a byte, as
// torch.float4_e2m1fn_x2 holds them; F6 has no torch dtype and stays bytes.
constexpr std::array<SafetensorsDType, 22> kDTypes = {{
    {"BOOL", 8, DType::bool_},
    {"F4", 4, DType::float4_e2m1fn_x2},
    {"F6_E2M3", 6, DType::uint8},
    {"F6_E3M2", 6, DType::uint8},
    {"U8", 8, DType::uint8},
    {"I8", 8, DType::int8},
    {"F8_E5M2", 8, DType::float8_e5m2},
    {"F8_E4M3", 8, DType::float8_e4m3fn},
    {"F8_E8M0", 8, DType::float8_e8m0fnu},
    {"F8_E4M3FNUZ", 8, DType::float8_e4m3fnuz},
    {"F8_E5M2FNUZ", 8, DType::float8_e5m2fnuz},
    {"I16", 16, DType::int16},
    {"U16", 16, DType::uint16},
    {"F16", 16, DType::float16},
    {"BF16", 16, DType::bfloat16},
    {"I32", 32, DType::int32},
    {"U32", 32, DType::uint32},
    {"F32", 32, DType::float32},
    {"C64", 64, DType::complex64},
    {"F64", 64, DType::float64},
    {"I64", 64, DType::int64},
    {"U64", 64, DType::uint64},
}};

// The header's structure is three levels deep ({name: {shape: [..]}}); deeper
// nesting is never valid and is refused while parsing, before it costs memory.
constexpr int kMaxJsonDepth = 4;

[[noreturn]] void corrupt(const std::string& why) { throw Error(ErrorCode::corrupt, "safetensors header: " + why); }

std::string quoted(const std::string& name) {
  std::string s = name.size() > 80 ? name.substr(0, 80) + "..." : name;
  return "'" + s + "'";
}

// A JSON number that is a non-negative integer (serde's usize).
uint64_t as_size(const nlohmann::json& v, const std::string& what) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return uint64_t(v.get<int64_t>());
  corrupt(what + " is not a non-negative integer");
}

nlohmann::json parse_limited(std::string_view text) {
  std::set<std::string> top_keys;
  nlohmann::json::parser_callback_t guard = [&top_keys](int depth, nlohmann::json::parse_event_t event,
                                                          nlohmann::json& parsed) {
    if (depth > kMaxJsonDepth) corrupt("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && !top_keys.insert(parsed.get<std::string>()).second)
      corrupt("key " + quoted(parsed.get<std::string>()) + " appears twice");
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), guard, true);
  } catch (const nlohmann::json::exception& e) {
    corrupt(std::string("invalid JSON (") + e.what() + ")");
  }
}

}  // namespace

const SafetensorsDType* safetensors_dtype(std::string_view name) {
  for (const auto& d : kDTypes)
    if (d.name == name) return &d;
  return nullptr;
}

bool looks_like_safetensors(ByteSpan file) {
  if (file.size() < 10) return false;
  const uint64_t n = load_le64(file.data());
  if (n < 2 || n > kSafetensorsMaxHeaderBytes || n > file.size() - 8) return false;
  for (size_t i = 8; i < 8 + n && i < 24; ++i) {
    if (file[i] == '{') return true;
    if (file[i] != ' ' && file[i] != '\n' && file[i] != '\r' && file[i] != '\t') return false;
  }
  return false;
}

SafetensorsHeader parse_safetensors_header(ByteSpan file) {
  SafetensorsHeader h;
  if (file.size() < 8) throw Error(ErrorCode::truncated, "safetensors header: file shorter than the 8-byte header length");
  h.header_bytes = load_le64(file.data());
  if (h.header_bytes > kSafetensorsMaxHeaderBytes)
    throw Error(ErrorCode::limit_exceeded, "safetensors header: declared JSON length " + std::to_string(h.header_bytes) +
                                               " exceeds the " + std::to_string(kSafetensorsMaxHeaderBytes) + "-byte limit");
  if (h.header_bytes > file.size() - 8)
    throw Error(ErrorCode::truncated, "safetensors header: declared JSON length " + std::to_string(h.header_bytes) +
                                          " runs past the end of the " + std::to_string(file.size()) + "-byte file");
  h.data_offset = 8 + h.header_bytes;
  const std::string_view text(reinterpret_cast<const char*>(file.data() + 8), size_t(h.header_bytes));
  const nlohmann::json doc = parse_limited(text);
  if (!doc.is_object()) corrupt("the JSON is not an object");

  for (const auto& [key, value] : doc.items()) {
    if (key == "__metadata__") {
      if (value.is_null()) continue;
      if (!value.is_object()) corrupt("__metadata__ is not an object of strings");
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string()) corrupt("__metadata__ value of " + quoted(mk) + " is not a string");
        h.metadata.emplace(mk, mv.get<std::string>());
      }
      continue;
    }
    if (!value.is_object()) corrupt("tensor " + quoted(key) + " is not an object");
    SafetensorsEntry e;
    e.name = key;
    const auto dt = value.find("dtype");
    const auto shape = value.find("shape");
    const auto offsets = value.find("data_offsets");
    if (dt == value.end() || shape == value.end() || offsets == value.end())
      corrupt("tensor " + quoted(key) + " lacks dtype, shape or data_offsets");
    if (!dt->is_string()) corrupt("tensor " + quoted(key) + ": dtype is not a string");
    e.dtype = safetensors_dtype(dt->get<std::string>());
    if (!e.dtype) corrupt("tensor " + quoted(key) + ": unknown dtype " + quoted(dt->get<std::string>()));
    if (!shape->is_array()) corrupt("tensor " + quoted(key) + ": shape is not an array");
    if (!offsets->is_array() || offsets->size() != 2) corrupt("tensor " + quoted(key) + ": data_offsets is not [begin, end]");
    // Element count and bit count with overflow checks (ValidationOverflow).
    uint64_t numel = 1;
    for (const auto& d : *shape) {
      const uint64_t dim = as_size(d, "tensor " + quoted(key) + " shape entry");
      if (dim > uint64_t(std::numeric_limits<int64_t>::max()) ||
          (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / dim))
        corrupt("tensor " + quoted(key) + ": shape overflows");
      numel *= dim;
      e.shape.push_back(int64_t(dim));
    }
    if (numel > std::numeric_limits<uint64_t>::max() / e.dtype->bits) corrupt("tensor " + quoted(key) + ": shape overflows");
    const uint64_t bits = numel * e.dtype->bits;
    if (bits % 8 != 0) corrupt("tensor " + quoted(key) + ": " + std::to_string(numel) + " elements of " +
                               std::string(e.dtype->name) + " do not end on a byte boundary");
    e.begin = as_size((*offsets)[0], "tensor " + quoted(key) + " data_offsets");
    e.end = as_size((*offsets)[1], "tensor " + quoted(key) + " data_offsets");
    if (e.end < e.begin) corrupt("tensor " + quoted(key) + ": data_offsets end before they begin");
    if (e.end - e.begin != bits / 8)
      corrupt("tensor " + quoted(key) + ": data_offsets span " + std::to_string(e.end - e.begin) + " bytes but shape × " +
              std::string(e.dtype->name) + " needs " + std::to_string(bits / 8));
    for (const auto& [field, unused] : value.items())
      if (field != "dtype" && field != "shape" && field != "data_offsets") {
        h.warnings.push_back("tensor " + quoted(key) + " has an unknown field " + quoted(field) + " (ignored)");
        break;
      }
    h.tensors.push_back(std::move(e));
  }
  // Sorted by (begin, end), the spans must tile [0, data length) with no gap
  // and no overlap, and the data section must end at the end of the file.
  std::stable_sort(h.tensors.begin(), h.tensors.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t at = 0;
  for (const auto& e : h.tensors) {
    if (e.begin != at)
      corrupt("tensor " + quoted(e.name) + " starts at data offset " + std::to_string(e.begin) + ", expected " +
              std::to_string(at) + (e.begin < at ? " (spans overlap)" : " (gap between spans)"));
    at = e.end;
  }
  const uint64_t data_bytes = file.size() - h.data_offset;
  if (at != data_bytes)
    corrupt("the tensors cover " + std::to_string(at) + " bytes of data but the file holds " + std::to_string(data_bytes) +
            (at > data_bytes ? " (offsets out of range)" : " (bytes left uncovered)"));
  return h;
}

}  // namespace ptscope
