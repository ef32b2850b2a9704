// Byte ranges that keep their backing memory alive: a view into the file
// mapping (zero copy) or into a heap buffer (inflated or byte-swapped data).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ptscope {

using ByteSpan = std::span<const uint8_t>;

struct Blob {
  ByteSpan bytes;
  std::shared_ptr<const void> owner;  // keeps `bytes` valid

  size_t size() const { return bytes.size(); }
  const uint8_t* data() const { return bytes.data(); }
  bool is_view_of(const void* base, size_t length) const {
    auto* b = static_cast<const uint8_t*>(base);
    return bytes.data() >= b && bytes.data() + bytes.size() <= b + length;
  }
  static Blob from_vector(std::vector<uint8_t> v) {
    auto holder = std::make_shared<std::vector<uint8_t>>(std::move(v));
    return Blob{ByteSpan(holder->data(), holder->size()), holder};
  }
};

// Read-only memory mapping of a whole file. Shared so that every Blob cut from
// it keeps the mapping alive after the archive object is gone.
class MappedFile {
 public:
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  // Wraps bytes already in memory (tests, embedded callers); copies them.
  static std::shared_ptr<const MappedFile> from_bytes(std::vector<uint8_t> bytes,
                                                      std::string name = "<memory>");
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  ByteSpan bytes() const { return {data_, size_}; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // A Blob viewing [offset, offset+length) of the mapping; bounds-checked.
  Blob slice(std::shared_ptr<const MappedFile> self, uint64_t offset, uint64_t length) const;

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::vector<uint8_t> owned_;
  std::string path_;
};

// Little-endian readers with the bounds check done by the caller.
inline uint16_t load_le16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
inline uint64_t load_le64(const uint8_t* p) {
  return uint64_t(load_le32(p)) | (uint64_t(load_le32(p + 4)) << 32);
}

}  // namespace ptscope
