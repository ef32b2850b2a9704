// Builds small torch-like files in memory for error-path tests: a stored-only
// zip writer and a hand-assembled protocol-2 pickle of a one-tensor state_dict.
#pragma once
#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "parser/zip_reader.h"

namespace ptscope::test {

inline void put16(std::vector<uint8_t>& b, uint16_t v) { b.push_back(v & 0xff); b.push_back(v >> 8); }
inline void put32(std::vector<uint8_t>& b, uint32_t v) { for (int i = 0; i < 4; ++i) b.push_back((v >> (8 * i)) & 0xff); }

// Raw deflate (no zlib header), as zip method 8 stores it, at zlib's
// compression `level` (Z_BEST_SPEED ... Z_BEST_COMPRESSION).
inline std::string raw_deflate(const std::string& data, int level) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&stream, uLong(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = uInt(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = uInt(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

// `size` bytes from xorshift64 starting at `seed`: data deflate cannot shrink.
inline std::string incompressible_bytes(size_t size, uint64_t seed) {
  std::string out(size, '\0');
  uint64_t x = seed;
  for (char& c : out) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = char(x >> 56);
  }
  return out;
}

// Stored members only; enough for building torch archives by hand.
inline std::vector<uint8_t> build_stored_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::vector<uint8_t> out, central;
  for (const auto& [name, data] : members) {
    const uint32_t offset = uint32_t(out.size());
    const uint32_t crc = crc32_of(ByteSpan(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
    put32(out, 0x04034b50); put16(out, 20); put16(out, 0); put16(out, 0); put16(out, 0); put16(out, 0);
    put32(out, crc); put32(out, uint32_t(data.size())); put32(out, uint32_t(data.size()));
    put16(out, uint16_t(name.size())); put16(out, 0);
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), data.begin(), data.end());
    put32(central, 0x02014b50); put16(central, 20); put16(central, 20); put16(central, 0); put16(central, 0);
    put16(central, 0); put16(central, 0); put32(central, crc); put32(central, uint32_t(data.size()));
    put32(central, uint32_t(data.size())); put16(central, uint16_t(name.size())); put16(central, 0);
    put16(central, 0); put16(central, 0); put16(central, 0); put32(central, 0); put32(central, offset);
    central.insert(central.end(), name.begin(), name.end());
  }
  const uint32_t cd_offset = uint32_t(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, 0x06054b50); put16(out, 0); put16(out, 0); put16(out, uint16_t(members.size()));
  put16(out, uint16_t(members.size())); put32(out, uint32_t(central.size())); put32(out, cd_offset); put16(out, 0);
  return out;
}

// Pickle of {"w": _rebuild_tensor_v2(storage('0', FloatStorage, numel), offset, (size,), (1,), False, OrderedDict())}
inline std::string state_dict_pickle(uint8_t storage_numel, uint8_t offset, uint8_t size) {
  using namespace std::string_literals;  // the opcodes contain NUL bytes
  std::string p = "\x80\x02}q\x00(X\x01\x00\x00\x00w"s;
  p += "ctorch._utils\n_rebuild_tensor_v2\nq\x01("s;
  p += "(X\x07\x00\x00\x00storageq\x02" "ctorch\nFloatStorage\nq\x03X\x01\x00\x00\x00" "0X\x03\x00\x00\x00" "cpuK"s;
  p += char(storage_numel);
  p += "tq\x04QK"s;
  p += char(offset);
  p += "K"s;
  p += char(size);
  p += "\x85K\x01\x85\x89" "ccollections\nOrderedDict\nq\x05)RtRu."s;
  return p;
}

inline std::vector<uint8_t> build_state_dict_file(uint8_t storage_numel, uint8_t offset, uint8_t size,
                                                  size_t record_bytes) {
  return build_stored_zip({{"archive/data.pkl", state_dict_pickle(storage_numel, offset, size)},
                           {"archive/data/0", std::string(record_bytes, '\0')},
                           {"archive/version", "3\n"}});
}

}  // namespace ptscope::test
