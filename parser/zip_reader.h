// Zip archives over a memory mapping, as PyTorchStreamReader reads them:
// central directory (zip64 aware) is the truth, data offsets come from the
// local headers, stored members are zero-copy views, deflated ones inflate.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/bytes.h"

namespace ptscope {

struct ZipEntry {
  std::string name;              // name in the central directory
  std::string local_name;        // name in the local header (may differ: an anomaly)
  uint16_t method = 0;           // 0 stored, 8 deflated, others unsupported
  uint16_t flags = 0;            // general-purpose bit flags (bit 0 = encrypted)
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;  // absolute offset in the file
  uint64_t data_offset = 0;          // absolute offset of the member's data
  bool encrypted() const { return flags & 1; }
};

struct ZipLimits {
  uint64_t max_entries = 1u << 20;
  uint64_t max_inflated_bytes = uint64_t(16) << 30;  // per member
  // Deflate cannot exceed ~1032:1, so a higher declared ratio is a lie (a bomb).
  double max_compression_ratio = 1100.0;
};

class ZipArchive {
 public:
  // Parses the end-of-central-directory (searching back over a comment),
  // zip64 locator/record, every central entry and its local header. Throws
  // Error(not_pytorch) when there is no EOCD, Error(truncated/corrupt) on bad
  // offsets or sizes; anything odd but readable goes to warnings().
  static ZipArchive open(std::shared_ptr<const MappedFile> file, ZipLimits limits = {});

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // Exact name lookup; nullptr if absent. The first entry wins on duplicates.
  const ZipEntry* find(std::string_view name) const;
  // Case-insensitive lookup (how torch finds data.pkl in some versions).
  const ZipEntry* find_case_insensitive(std::string_view name) const;

  // Member bytes: stored → a view into the mapping; deflated → a new buffer.
  // CRC is checked when verify_crc; a mismatch appends to *warnings (or throws
  // Error(corrupt) when warnings is null). Unsupported methods and encrypted
  // members throw Error(unsupported).
  Blob read(const ZipEntry& entry, bool verify_crc = true,
            std::vector<std::string>* warnings = nullptr) const;

  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::shared_ptr<const MappedFile>& file() const { return file_; }
  // Where the archive's structures begin and end inside the file: the lowest
  // local header offset and the end of the EOCD record (+comment). Bytes before
  // or after are prepended/appended data (an audit finding).
  uint64_t archive_begin() const { return archive_begin_; }
  uint64_t archive_end() const { return archive_end_; }
  bool is_zip64() const { return zip64_; }
  const std::string& comment() const { return comment_; }

 private:
  std::shared_ptr<const MappedFile> file_;
  std::vector<ZipEntry> entries_;
  std::vector<std::string> warnings_;
  uint64_t archive_begin_ = 0, archive_end_ = 0;
  bool zip64_ = false;
  std::string comment_;
  ZipLimits limits_;
  // Lets find() take a string_view without building a std::string per lookup.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  using NameIndex = std::unordered_map<std::string, size_t, NameHash, std::equal_to<>>;
  // Name → index into entries_ (indices survive moves and copies of the archive).
  NameIndex index_by_name_;
  NameIndex index_by_folded_name_;  // keys ASCII-lowercased
};

// CRC-32 (IEEE) of a byte range.
uint32_t crc32_of(ByteSpan bytes);

}  // namespace ptscope
