// What the container scanners share (internal to audit/): container_scan.cpp
// decides the kind and drives zip_scan.cpp, legacy_scan.cpp and tar_scan.cpp,
// which scan nested bytes through it again.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "audit/context.h"
#include "core/bytes.h"

namespace ptscope::audit {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50, kDescriptorSig = 0x08074b50;

inline bool has_sig(ByteSpan b, uint64_t pos, uint32_t sig) {
  return pos + 4 <= b.size() && load_le32(b.data() + pos) == sig;
}

// A private copy of bytes found inside the file, scanned as a file of its own.
std::shared_ptr<const MappedFile> copy_of(ByteSpan bytes, const std::string& name);

// Scans an archive or stream found inside the file as a file of its own, one
// nesting level down (the caller checks the nesting limit).
void scan_inner_file(Context& ctx, std::shared_ptr<const MappedFile> file, const std::string& label);

inline bool starts_zip(ByteSpan b) { return b.size() >= 4 && std::memcmp(b.data(), "PK\x03\x04", 4) == 0; }

// ---------------------------------------------------------------- bounded inflation

// Largest member content kept in memory (a pickle or nested archive).
constexpr uint64_t kKeepMax = uint64_t(256) << 20;
// What is kept of a member no loader reads: enough to recognise a pickle or an archive.
constexpr uint64_t kSniffBytes = uint64_t(64) << 10;

struct Inflated {
  std::vector<uint8_t> bytes;  // the first `keep` bytes of the output
  uint64_t produced = 0;
  uint32_t crc = 0;            // of everything produced (valid when complete)
  bool complete = false;       // reached the end of the deflate stream
  bool over_budget = false;    // stopped: the output passed `limit`
  bool corrupt = false;
};

// Streams a deflate stream (raw, or gzip with window_bits 16+15) through a
// fixed scratch buffer: memory is `keep` bytes whatever the stream declares,
// and work stops after `limit` output bytes (or once `keep` bytes are there
// when `stop_when_kept`).
Inflated inflate_stream(ByteSpan in, uint64_t keep, uint64_t limit, bool stop_when_kept, int window_bits = -15);

// ---------------------------------------------------------------- end records

struct EndRecord {
  uint64_t pos = 0;               // PK\5\6
  uint64_t end = 0;               // past the record and its comment
  uint64_t structures_begin = 0;  // zip64 end record if any, else pos
  uint64_t cd_field = 0;          // central directory offset as recorded
  uint64_t cd_size = 0;
  uint64_t base = 0;              // bytes prepended to this archive (its offsets are relative to base)
};
// Every plausible end-of-central-directory record in the file (zip_scan.cpp).
std::vector<EndRecord> find_end_records(ByteSpan b);

// ---------------------------------------------------------------- the scanners

// A zip archive (zip_scan.cpp).
void scan_zip(Context& ctx, std::shared_ptr<const MappedFile> file, const std::string& label, bool top);

// Pickles one after another, then raw storages (legacy_scan.cpp). Returns how
// many bytes it accounted for; `secondary`: the file was recognised as
// another format first, and a first pickle that does not parse leaves no trace.
uint64_t scan_legacy(Context& ctx, ByteSpan bytes, const std::string& label, bool top, bool secondary = false);

// A legacy tar checkpoint (tar_scan.cpp).
void scan_tar(Context& ctx, ByteSpan bytes, const std::string& label, bool top);

}  // namespace ptscope::audit
