// Zip reader modelled on miniz as PyTorch builds it: the central directory is
// authoritative, its offsets are taken literally (no correction for prepended
// data), and member data starts after the *local* header. Anything odd but
// readable becomes a warning, because differences between this view and other
// zip readers' views are exactly what an auditor has to report.
#include "parser/zip_reader.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <new>
#include <optional>

#include "core/error.h"

namespace ptscope {
namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;     // PK\3\4
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;   // PK\1\2
constexpr uint32_t kEndRecordSignature = 0x06054b50;       // PK\5\6
constexpr uint32_t kZip64EndRecordSignature = 0x06064b50;  // PK\6\6
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;    // PK\6\7
constexpr uint64_t kLocalHeaderSize = 30;
constexpr uint64_t kCentralHeaderSize = 46;
constexpr uint64_t kEndRecordSize = 22;
constexpr uint64_t kZip64EndRecordSize = 56;
constexpr uint64_t kZip64LocatorSize = 20;
constexpr uint64_t kMaxCommentSize = 0xFFFF;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint32_t kSentinel32 = 0xFFFFFFFF;  // "the real value is in the zip64 structures"
constexpr uint16_t kSentinel16 = 0xFFFF;
// Bits 0 (encrypted), 5 (patched data), 6 (strong encryption): miniz, and so
// torch, refuses such members.
constexpr uint16_t kUnreadableFlags = 0x0001 | 0x0020 | 0x0040;
// Deflate tops out near 1032:1, which runs of zeros reach legitimately; only
// large members can do harm, so small ones skip the ratio limit.
constexpr uint64_t kRatioCheckMinBytes = uint64_t(1) << 20;
// Up to this much, or this multiple of the compressed size, a deflated
// member's declared size is allocated at once (one libdeflate call); above,
// the buffer grows with the real output (inflate_growing).
constexpr uint64_t kTrustedInflateBytes = uint64_t(64) << 20;
constexpr uint64_t kTrustedInflateRatio = 8;
// A hostile archive can repeat one anomaly a million times; list a few.
constexpr size_t kMaxWarningsPerKind = 20;

// True when [offset, offset + length) lies inside [0, limit), without overflow.
bool range_fits(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset <= limit && length <= limit - offset;
}

// A name fit for a one-line message: control bytes escaped, long names cut
// (at a UTF-8 character boundary).
std::string quoted(std::string_view name) {
  constexpr size_t kMaxShown = 120;
  size_t shown = std::min(name.size(), kMaxShown);
  while (shown > 0 && shown < name.size() && (uint8_t(name[shown]) & 0xC0) == 0x80) --shown;
  std::string out = "'";
  for (size_t i = 0; i < shown; ++i) {
    const uint8_t c = uint8_t(name[i]);
    if (c < 0x20 || c == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += char(c);
    }
  }
  if (shown < name.size()) out += "...";
  return out + "'";
}

std::string member_label(std::string_view name) { return "zip member " + quoted(name); }

std::string hex(uint32_t value, int digits) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%0*x", digits, value);
  return text;
}

// Ratios of absurd sizes overflow every integer type, so they are printed as doubles.
std::string ratio_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// Names that would escape an extraction folder: absolute, or with a ".." segment.
bool escapes_folder(std::string_view name) {
  if (!name.empty() && (name.front() == '/' || name.front() == '\\')) return true;
  for (size_t start = 0; start <= name.size();) {
    size_t stop = name.find_first_of("/\\", start);
    if (stop == std::string_view::npos) stop = name.size();
    if (name.substr(start, stop - start) == "..") return true;
    start = stop + 1;
  }
  return false;
}

std::string method_label(uint16_t method) {
  const char* known = nullptr;
  switch (method) {
    case 9: known = "deflate64"; break;
    case 12: known = "bzip2"; break;
    case 14: known = "lzma"; break;
    case 93: known = "zstd"; break;
    case 95: known = "xz"; break;
    default: break;
  }
  return std::to_string(method) + (known ? std::string(" (") + known + ")" : "");
}

// One kind of warning: the first few are kept, the rest only counted.
class WarningGroup {
 public:
  WarningGroup(std::vector<std::string>& out, std::string kind) : out_(out), kind_(std::move(kind)) {}
  void add(std::string message) {
    if (count_++ < kMaxWarningsPerKind) out_.push_back(std::move(message));
  }
  void finish() {
    if (count_ > kMaxWarningsPerKind)
      out_.push_back(std::to_string(count_ - kMaxWarningsPerKind) + " more " + kind_ + " not listed");
  }

 private:
  std::vector<std::string>& out_;
  std::string kind_;
  size_t count_ = 0;
};

struct EndRecords {
  uint64_t eocd_offset = 0;       // the classic end-of-central-directory record
  uint64_t end = 0;               // just past that record and its comment
  uint64_t structures_begin = 0;  // the zip64 end record when present, else the classic one
  uint64_t entries_on_disk = 0;
  uint64_t total_entries = 0;
  uint64_t cd_size = 0;
  uint64_t cd_offset = 0;
  uint32_t disk = 0;
  uint32_t cd_disk = 0;
  bool zip64 = false;
  std::string comment;
};

// The last end-record signature with room for a record after it, no further
// back than a maximal comment: miniz's search, so a record planted inside the
// comment wins here as it does in torch. An earlier signature in that window
// hints at a second archive (concatenated or nested) and is reported.
uint64_t find_end_record(ByteSpan bytes, std::vector<std::string>& warnings) {
  const uint64_t size = bytes.size();
  if (size < kEndRecordSize)
    throw Error(ErrorCode::not_pytorch, "not a zip archive (" + std::to_string(size) +
                                            " bytes, too short for an end-of-central-directory record)");
  const uint64_t last = size - kEndRecordSize;
  const uint64_t lowest = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
  std::optional<uint64_t> found;
  for (uint64_t pos = last + 1; pos-- > lowest;) {
    if (load_le32(bytes.data() + pos) != kEndRecordSignature) continue;
    if (!found) {
      found = pos;
      continue;
    }
    warnings.push_back("another end-of-central-directory signature at offset " + std::to_string(pos) +
                       ", before the one used at " + std::to_string(*found) + " (concatenated or nested archive?)");
    break;
  }
  if (!found)
    throw Error(ErrorCode::not_pytorch, "not a zip archive (no end-of-central-directory record in the last " +
                                            std::to_string(size - lowest) + " bytes)");
  return *found;
}

// Reads the zip64 end record the locator points at; its values replace the
// classic ones, as in miniz. A classic value that is not the 0xFFFF.. sentinel
// yet disagrees shows the archive to different readers differently.
void read_zip64_end_record(ByteSpan bytes, EndRecords& end, std::vector<std::string>& warnings) {
  const uint64_t locator_offset = end.eocd_offset - kZip64LocatorSize;
  const uint64_t record = load_le64(bytes.data() + locator_offset + 8);
  if (!range_fits(record, kZip64EndRecordSize, bytes.size()))
    throw Error(ErrorCode::truncated, "the zip64 end-of-central-directory record at offset " + std::to_string(record) +
                                          " lies past the end of the " + std::to_string(bytes.size()) + "-byte file");
  if (!range_fits(record, kZip64EndRecordSize, locator_offset))
    throw Error(ErrorCode::corrupt, "the zip64 end-of-central-directory record at offset " + std::to_string(record) +
                                        " overlaps its locator at offset " + std::to_string(locator_offset));
  const uint8_t* r = bytes.data() + record;
  if (load_le32(r) != kZip64EndRecordSignature)
    throw Error(ErrorCode::corrupt, "the zip64 locator points at offset " + std::to_string(record) +
                                        ", which holds no zip64 end-of-central-directory record");
  const uint64_t total_entries = load_le64(r + 32), cd_size = load_le64(r + 40), cd_offset = load_le64(r + 48);
  auto check = [&](const char* what, uint64_t classic, uint64_t sentinel, uint64_t zip64_value) {
    if (classic != sentinel && classic != zip64_value)
      warnings.push_back(std::string("the end-of-central-directory record gives ") + what + " " +
                         std::to_string(classic) + " but the zip64 record gives " + std::to_string(zip64_value) +
                         " (torch uses the zip64 value)");
  };
  check("an entry count of", end.total_entries, kSentinel16, total_entries);
  check("a central directory size of", end.cd_size, kSentinel32, cd_size);
  check("a central directory offset of", end.cd_offset, kSentinel32, cd_offset);
  end.zip64 = true;
  end.structures_begin = record;
  end.disk = load_le32(r + 16);
  end.cd_disk = load_le32(r + 20);
  end.entries_on_disk = load_le64(r + 24);
  end.total_entries = total_entries;
  end.cd_size = cd_size;
  end.cd_offset = cd_offset;
}

EndRecords read_end_records(ByteSpan bytes, std::vector<std::string>& warnings) {
  EndRecords end;
  end.eocd_offset = find_end_record(bytes, warnings);
  const uint8_t* r = bytes.data() + end.eocd_offset;
  const uint16_t comment_size = load_le16(r + 20);
  const uint64_t comment_offset = end.eocd_offset + kEndRecordSize;
  if (!range_fits(comment_offset, comment_size, bytes.size()))
    throw Error(ErrorCode::truncated, "the zip comment (" + std::to_string(comment_size) +
                                          " bytes) runs past the end of the file");
  end.comment.assign(reinterpret_cast<const char*>(r + kEndRecordSize), comment_size);
  end.end = comment_offset + comment_size;
  end.structures_begin = end.eocd_offset;
  end.disk = load_le16(r + 4);
  end.cd_disk = load_le16(r + 6);
  end.entries_on_disk = load_le16(r + 8);
  end.total_entries = load_le16(r + 10);
  end.cd_size = load_le32(r + 12);
  end.cd_offset = load_le32(r + 16);
  if (end.eocd_offset >= kZip64LocatorSize &&
      load_le32(bytes.data() + end.eocd_offset - kZip64LocatorSize) == kZip64LocatorSignature)
    read_zip64_end_record(bytes, end, warnings);
  // Some writers number the only disk 1; miniz accepts that as well.
  if (!((end.disk == 0 && end.cd_disk == 0) || (end.disk == 1 && end.cd_disk == 1)))
    throw Error(ErrorCode::unsupported, "multi-disk (spanned) zip archives are not supported (disk " +
                                            std::to_string(end.disk) + ", central directory on disk " +
                                            std::to_string(end.cd_disk) + ")");
  if (end.entries_on_disk != end.total_entries)
    warnings.push_back("the end-of-central-directory record counts " + std::to_string(end.entries_on_disk) +
                       " entries on this disk but " + std::to_string(end.total_entries) + " in total");
  return end;
}

// When data was prepended without adjusting offsets (a self-extractor stub, a
// concatenation) the directory really sits just before the end records. Only
// a hint in the error: torch does not correct offsets, so neither do we.
std::string shifted_directory_hint(ByteSpan bytes, const EndRecords& end) {
  if (end.cd_size > end.structures_begin) return "";
  const uint64_t actual = end.structures_begin - end.cd_size;
  if (actual <= end.cd_offset || !range_fits(actual, 4, bytes.size()) ||
      load_le32(bytes.data() + actual) != kCentralHeaderSignature)
    return "";
  return " (it seems to start at offset " + std::to_string(actual) + ": " + std::to_string(actual - end.cd_offset) +
         " bytes were prepended without adjusting offsets, which torch does not correct either)";
}

// Applies the zip64 extended-information extra field: only the values whose
// classic field holds 0xFFFFFFFF are present, in the order uncompressed size,
// compressed size, local header offset (then the disk, unused here).
void apply_zip64_extra(ZipEntry& entry, ByteSpan extra) {
  const bool want_uncompressed = entry.uncompressed_size == kSentinel32;
  const bool want_compressed = entry.compressed_size == kSentinel32;
  const bool want_offset = entry.local_header_offset == kSentinel32;
  if (!want_uncompressed && !want_compressed && !want_offset) return;
  for (size_t pos = 0; pos + 4 <= extra.size();) {
    const uint16_t id = load_le16(extra.data() + pos), length = load_le16(extra.data() + pos + 2);
    pos += 4;
    if (length > extra.size() - pos)
      throw Error(ErrorCode::corrupt, member_label(entry.name) + ": an extra field runs past the end of its extra data");
    if (id != kZip64ExtraId) {
      pos += length;
      continue;
    }
    const ByteSpan field = extra.subspan(pos, length);
    size_t used = 0;
    auto take = [&](uint64_t& value) {
      if (field.size() - used < 8)
        throw Error(ErrorCode::corrupt, member_label(entry.name) +
                                            ": the zip64 extra field is too short for the values it must hold");
      value = load_le64(field.data() + used);
      used += 8;
    };
    if (want_uncompressed) take(entry.uncompressed_size);
    if (want_compressed) take(entry.compressed_size);
    if (want_offset) take(entry.local_header_offset);
    return;
  }
  throw Error(ErrorCode::corrupt, member_label(entry.name) +
                                      " has a 0xFFFFFFFF size or offset but no zip64 extra field");
}

std::vector<ZipEntry> read_central_directory(ByteSpan bytes, const EndRecords& end, const ZipLimits& limits,
                                             std::vector<std::string>& warnings) {
  if (!range_fits(end.cd_offset, end.cd_size, bytes.size()))
    throw Error(ErrorCode::truncated, "the central directory (" + std::to_string(end.cd_size) + " bytes at offset " +
                                          std::to_string(end.cd_offset) + ") runs past the end of the " +
                                          std::to_string(bytes.size()) + "-byte file");
  if (end.total_entries > limits.max_entries)
    throw Error(ErrorCode::limit_exceeded, "the zip archive declares " + std::to_string(end.total_entries) +
                                               " entries, above the limit of " + std::to_string(limits.max_entries));
  std::vector<ZipEntry> entries;
  entries.reserve(std::min(end.total_entries, end.cd_size / kCentralHeaderSize));
  const uint64_t cd_end = end.cd_offset + end.cd_size;
  // Walks the directory by its size rather than the declared count, so entries
  // hidden beyond the count are still seen (and the mismatch reported).
  for (uint64_t pos = end.cd_offset; pos < cd_end;) {
    auto where = [&] {
      return "central directory entry #" + std::to_string(entries.size()) + " at offset " + std::to_string(pos);
    };
    if (entries.size() >= limits.max_entries)
      throw Error(ErrorCode::limit_exceeded, "the central directory holds more than " +
                                                 std::to_string(limits.max_entries) + " entries");
    if (!range_fits(pos, kCentralHeaderSize, cd_end))
      throw Error(ErrorCode::corrupt, where() + " is cut off by the end of the central directory");
    const uint8_t* h = bytes.data() + pos;
    if (load_le32(h) != kCentralHeaderSignature)
      throw Error(ErrorCode::corrupt, where() + " has no central header signature" +
                                          (entries.empty() ? shifted_directory_hint(bytes, end) : ""));
    const uint16_t name_size = load_le16(h + 28), extra_size = load_le16(h + 30), comment_size = load_le16(h + 32);
    const uint64_t record_size = kCentralHeaderSize + name_size + extra_size + comment_size;
    if (!range_fits(pos, record_size, cd_end))
      throw Error(ErrorCode::corrupt, where() + " runs past the end of the central directory");
    ZipEntry entry;
    entry.flags = load_le16(h + 8);
    entry.method = load_le16(h + 10);
    entry.crc32 = load_le32(h + 16);
    entry.compressed_size = load_le32(h + 20);
    entry.uncompressed_size = load_le32(h + 24);
    entry.local_header_offset = load_le32(h + 42);
    entry.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_size);
    apply_zip64_extra(entry, ByteSpan(h + kCentralHeaderSize + name_size, extra_size));
    entries.push_back(std::move(entry));
    pos += record_size;
  }
  if (entries.size() != end.total_entries)
    warnings.push_back("the end-of-central-directory record declares " + std::to_string(end.total_entries) +
                       " entries but the central directory holds " + std::to_string(entries.size()));
  return entries;
}

// Finds where the member's data starts. Only the local header's name and
// extra lengths matter (its extra carries torch's alignment padding); sizes
// stay those of the central directory since torch writes data descriptors.
void read_local_header(ZipEntry& entry, ByteSpan bytes, WarningGroup& name_mismatches,
                       WarningGroup& method_mismatches) {
  const uint64_t size = bytes.size();
  if (!range_fits(entry.local_header_offset, kLocalHeaderSize, size))
    throw Error(ErrorCode::truncated, member_label(entry.name) + ": the local header at offset " +
                                          std::to_string(entry.local_header_offset) + " lies past the end of the " +
                                          std::to_string(size) + "-byte file");
  const uint8_t* h = bytes.data() + entry.local_header_offset;
  if (load_le32(h) != kLocalHeaderSignature)
    throw Error(ErrorCode::corrupt, member_label(entry.name) + ": no local header signature at offset " +
                                        std::to_string(entry.local_header_offset));
  const uint16_t name_size = load_le16(h + 26), extra_size = load_le16(h + 28);
  const uint64_t name_offset = entry.local_header_offset + kLocalHeaderSize;
  if (!range_fits(name_offset, uint64_t(name_size) + extra_size, size))
    throw Error(ErrorCode::truncated, member_label(entry.name) + ": the local header's name and extra field run past "
                                                                 "the end of the file");
  entry.local_name.assign(reinterpret_cast<const char*>(h + kLocalHeaderSize), name_size);
  entry.data_offset = name_offset + name_size + extra_size;
  if (!range_fits(entry.data_offset, entry.compressed_size, size))
    throw Error(ErrorCode::truncated, member_label(entry.name) + ": its " + std::to_string(entry.compressed_size) +
                                          " bytes of data at offset " + std::to_string(entry.data_offset) +
                                          " run past the end of the " + std::to_string(size) + "-byte file");
  if (entry.local_name != entry.name)
    name_mismatches.add(member_label(entry.name) + " is named " + quoted(entry.local_name) +
                        " in its local header (torch uses the central name)");
  const uint16_t local_method = load_le16(h + 8);
  if (local_method != entry.method)
    method_mismatches.add(member_label(entry.name) + " has compression method " + std::to_string(local_method) +
                          " in its local header but " + std::to_string(entry.method) + " in the central directory");
}

// Members (local header through data) and the central directory must not
// share bytes: overlaps are how zip bombs and hidden-member tricks work.
void report_overlaps(const std::vector<ZipEntry>& entries, const EndRecords& end, std::vector<std::string>& warnings) {
  struct Span {
    uint64_t begin, end;
    size_t owner;  // index into entries; entries.size() for the central directory
  };
  std::vector<Span> spans;
  spans.reserve(entries.size() + 1);
  for (size_t i = 0; i < entries.size(); ++i)
    spans.push_back({entries[i].local_header_offset, entries[i].data_offset + entries[i].compressed_size, i});
  if (end.cd_size > 0) spans.push_back({end.cd_offset, end.cd_offset + end.cd_size, entries.size()});
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  auto label = [&](size_t owner) {
    return owner == entries.size() ? std::string("the central directory") : member_label(entries[owner].name);
  };
  WarningGroup overlaps(warnings, "overlapping members");
  const Span* furthest = nullptr;  // the span reaching furthest so far
  for (const Span& span : spans) {
    if (furthest && span.begin < furthest->end)
      overlaps.add(label(span.owner) + " overlaps " + label(furthest->owner) + " at offsets " +
                   std::to_string(span.begin) + "-" + std::to_string(std::min(span.end, furthest->end)));
    if (!furthest || span.end > furthest->end) furthest = &span;
  }
  overlaps.finish();
}

void report_layout(const ZipArchive& zip, const EndRecords& end, uint64_t file_size,
                   std::vector<std::string>& warnings) {
  if (zip.archive_begin() > 0)
    warnings.push_back(std::to_string(zip.archive_begin()) +
                       " bytes of prepended data before the first zip structure (offsets are not adjusted for it)");
  if (zip.archive_end() < file_size)
    warnings.push_back(std::to_string(file_size - zip.archive_end()) +
                       " bytes of appended data after the end-of-central-directory record");
  const uint64_t cd_end = end.cd_offset + end.cd_size;
  if (cd_end < end.structures_begin)
    warnings.push_back(std::to_string(end.structures_begin - cd_end) +
                       " unaccounted bytes between the central directory and the end-of-central-directory records");
  else if (cd_end > end.structures_begin)
    warnings.push_back("the central directory runs into the end-of-central-directory records");
}

Blob inflate_declared(const ZipEntry& entry, ByteSpan compressed, uint64_t size);

// Streams the member through zlib into a buffer that doubles as output
// arrives, never past the declared size: memory follows what the stream
// really holds.
Blob inflate_growing(const ZipEntry& entry, ByteSpan compressed, uint64_t size) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) throw std::bad_alloc();
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  std::vector<uint8_t> out;
  uint64_t produced = 0, consumed = 0;
  uint64_t capacity = std::min<uint64_t>(size, std::max<uint64_t>(compressed.size() * 4, uint64_t(1) << 20));
  for (;;) {
    if (produced == capacity) {
      if (capacity == size) {
        // full at the declared size: one more byte of output means the stream is longer
        uint8_t probe = 0;
        zs.next_out = &probe;
        zs.avail_out = 1;
        const uInt chunk = uInt(std::min<uint64_t>(compressed.size() - consumed, uint64_t(1) << 30));
        zs.next_in = const_cast<Bytef*>(compressed.data() + consumed);
        zs.avail_in = chunk;
        const int ret = inflate(&zs, Z_NO_FLUSH);
        if (ret == Z_STREAM_END && zs.avail_out == 1) break;
        if (zs.avail_out == 0)
          throw Error(ErrorCode::corrupt, member_label(entry.name) + " inflates to more than the " +
                                              std::to_string(size) + " bytes the central directory gives");
        if (ret != Z_OK && ret != Z_BUF_ERROR)
          throw Error(ErrorCode::corrupt, member_label(entry.name) + " holds an invalid deflate stream");
        consumed += chunk - zs.avail_in;
        if (ret == Z_BUF_ERROR || chunk == 0)
          throw Error(ErrorCode::corrupt, member_label(entry.name) + " holds a truncated deflate stream");
        continue;
      }
      capacity = std::min<uint64_t>(size, capacity * 2);
    }
    try {
      if (out.size() < capacity) out.resize(capacity);
    } catch (const std::bad_alloc&) {
      throw Error(ErrorCode::limit_exceeded, "cannot allocate " + std::to_string(capacity) + " bytes to inflate " +
                                                 member_label(entry.name));
    }
    const uInt in_chunk = uInt(std::min<uint64_t>(compressed.size() - consumed, uint64_t(1) << 30));
    const uInt out_chunk = uInt(std::min<uint64_t>(capacity - produced, uint64_t(1) << 30));
    zs.next_in = const_cast<Bytef*>(compressed.data() + consumed);
    zs.avail_in = in_chunk;
    zs.next_out = out.data() + produced;
    zs.avail_out = out_chunk;
    const int ret = inflate(&zs, Z_NO_FLUSH);
    consumed += in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (ret == Z_STREAM_END) break;
    if (ret == Z_BUF_ERROR && in_chunk == 0)
      throw Error(ErrorCode::corrupt, member_label(entry.name) + " holds a truncated deflate stream");
    if (ret != Z_OK && ret != Z_BUF_ERROR)
      throw Error(ErrorCode::corrupt, member_label(entry.name) + " holds an invalid deflate stream");
  }
  if (produced != size)
    throw Error(ErrorCode::corrupt, member_label(entry.name) + " inflates to " + std::to_string(produced) +
                                        " bytes, not the " + std::to_string(size) + " the central directory gives");
  out.resize(produced);
  return Blob::from_vector(std::move(out));
}

Blob inflate_member(const ZipEntry& entry, ByteSpan compressed, const ZipLimits& limits) {
  const uint64_t size = entry.uncompressed_size;
  if (size > limits.max_inflated_bytes)
    throw Error(ErrorCode::limit_exceeded, member_label(entry.name) + " would inflate to " + std::to_string(size) +
                                               " bytes, above the limit of " + std::to_string(limits.max_inflated_bytes));
  const double ratio = double(size) / double(std::max<uint64_t>(entry.compressed_size, 1));
  if (size > kRatioCheckMinBytes && ratio > limits.max_compression_ratio)
    throw Error(ErrorCode::limit_exceeded, member_label(entry.name) + " has a compression ratio of " +
                                               ratio_text(ratio) + ":1, above the limit of " +
                                               ratio_text(limits.max_compression_ratio) +
                                               ":1 (a decompression bomb?)");
  // The declared size is the file's claim, not a fact: allocate it up front
  // only while it is within a small multiple of the compressed bytes (what
  // real members need, and linear in the file); otherwise grow the buffer as
  // the stream really produces output, so a few MB declaring GBs cost MBs.
  const uint64_t trusted = std::max<uint64_t>(kTrustedInflateBytes, entry.compressed_size * kTrustedInflateRatio);
  if (size <= trusted) return inflate_declared(entry, compressed, size);
  return inflate_growing(entry, compressed, size);
}

Blob inflate_declared(const ZipEntry& entry, ByteSpan compressed, uint64_t size) {
  std::vector<uint8_t> out;
  try {
    out.resize(size);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::limit_exceeded, "cannot allocate " + std::to_string(size) + " bytes to inflate " +
                                               member_label(entry.name));
  }
  std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> decompressor(
      libdeflate_alloc_decompressor(), &libdeflate_free_decompressor);
  if (!decompressor) throw std::bad_alloc();
  uint8_t empty_output;  // libdeflate wants a valid pointer even for zero bytes
  size_t produced = 0;
  const libdeflate_result result =
      libdeflate_deflate_decompress(decompressor.get(), compressed.data(), compressed.size(),
                                    out.empty() ? &empty_output : out.data(), out.size(), &produced);
  if (result == LIBDEFLATE_INSUFFICIENT_SPACE)
    throw Error(ErrorCode::corrupt, member_label(entry.name) + " inflates to more than the " + std::to_string(size) +
                                        " bytes the central directory gives");
  if (result != LIBDEFLATE_SUCCESS)
    throw Error(ErrorCode::corrupt, member_label(entry.name) + " holds an invalid deflate stream");
  if (produced != size)
    throw Error(ErrorCode::corrupt, member_label(entry.name) + " inflates to " + std::to_string(produced) +
                                        " bytes, not the " + std::to_string(size) + " the central directory gives");
  return Blob::from_vector(std::move(out));
}

}  // namespace

ZipArchive ZipArchive::open(std::shared_ptr<const MappedFile> file, ZipLimits limits) {
  if (!file) throw Error(ErrorCode::usage, "ZipArchive::open needs a file");
  const ByteSpan bytes = file->bytes();
  ZipArchive zip;
  zip.file_ = std::move(file);
  zip.limits_ = limits;
  const EndRecords end = read_end_records(bytes, zip.warnings_);
  zip.zip64_ = end.zip64;
  zip.comment_ = end.comment;
  zip.archive_end_ = end.end;
  zip.entries_ = read_central_directory(bytes, end, limits, zip.warnings_);

  WarningGroup name_mismatches(zip.warnings_, "local/central name mismatches");
  WarningGroup method_mismatches(zip.warnings_, "local/central method mismatches");
  WarningGroup duplicates(zip.warnings_, "duplicate names");
  WarningGroup case_duplicates(zip.warnings_, "names differing only in case");
  WarningGroup escaping(zip.warnings_, "unsafe names");
  zip.archive_begin_ = zip.entries_.empty() ? end.cd_offset : UINT64_MAX;
  zip.index_by_name_.reserve(zip.entries_.size());
  zip.index_by_folded_name_.reserve(zip.entries_.size());
  for (size_t i = 0; i < zip.entries_.size(); ++i) {
    ZipEntry& entry = zip.entries_[i];
    read_local_header(entry, bytes, name_mismatches, method_mismatches);
    zip.archive_begin_ = std::min(zip.archive_begin_, entry.local_header_offset);
    const auto [exact, inserted] = zip.index_by_name_.emplace(entry.name, i);
    if (!inserted)
      duplicates.add("duplicate " + member_label(entry.name) + " (entries #" + std::to_string(exact->second) +
                     " and #" + std::to_string(i) + "; the first is used)");
    const auto [folded, folded_inserted] = zip.index_by_folded_name_.emplace(ascii_lower(entry.name), i);
    if (!folded_inserted && zip.entries_[folded->second].name != entry.name)
      case_duplicates.add("zip members " + quoted(zip.entries_[folded->second].name) + " and " + quoted(entry.name) +
                          " differ only in case (torch looks names up case-insensitively)");
    if (escapes_folder(entry.name))
      escaping.add(member_label(entry.name) + " has an absolute path or a '..' segment");
  }
  name_mismatches.finish();
  method_mismatches.finish();
  duplicates.finish();
  case_duplicates.finish();
  escaping.finish();
  report_layout(zip, end, bytes.size(), zip.warnings_);
  report_overlaps(zip.entries_, end, zip.warnings_);
  return zip;
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  const auto it = index_by_name_.find(name);
  return it == index_by_name_.end() ? nullptr : &entries_[it->second];
}

const ZipEntry* ZipArchive::find_case_insensitive(std::string_view name) const {
  const auto it = index_by_folded_name_.find(ascii_lower(name));
  return it == index_by_folded_name_.end() ? nullptr : &entries_[it->second];
}

Blob ZipArchive::read(const ZipEntry& entry, bool verify_crc, std::vector<std::string>* warnings) const {
  if (entry.flags & kUnreadableFlags)
    throw Error(ErrorCode::unsupported, member_label(entry.name) +
                                            (entry.encrypted() ? " is encrypted" : " uses strong encryption or patched data") +
                                            " (flags " + hex(entry.flags, 4) + ")");
  if (!range_fits(entry.data_offset, entry.compressed_size, file_->size()))
    throw Error(ErrorCode::truncated, member_label(entry.name) + ": its data runs past the end of the file");
  Blob blob;
  switch (entry.method) {
    case 0:
      if (entry.compressed_size != entry.uncompressed_size)
        throw Error(ErrorCode::corrupt, member_label(entry.name) + " is stored but its sizes differ (" +
                                            std::to_string(entry.compressed_size) + " compressed, " +
                                            std::to_string(entry.uncompressed_size) + " uncompressed)");
      blob = file_->slice(file_, entry.data_offset, entry.compressed_size);
      break;
    case 8:
      blob = inflate_member(entry, file_->bytes().subspan(entry.data_offset, entry.compressed_size), limits_);
      break;
    default:
      throw Error(ErrorCode::unsupported, member_label(entry.name) + " uses compression method " +
                                              method_label(entry.method) +
                                              "; only stored (0) and deflate (8) are supported");
  }
  if (verify_crc) {
    const uint32_t computed = crc32_of(blob.bytes);
    if (computed != entry.crc32) {
      std::string message = "CRC mismatch in " + member_label(entry.name) + " (stored " + hex(entry.crc32, 8) +
                            ", computed " + hex(computed, 8) + ")";
      if (!warnings) throw Error(ErrorCode::corrupt, message);
      warnings->push_back(std::move(message));
    }
  }
  return blob;
}

uint32_t crc32_of(ByteSpan bytes) {
  return uint32_t(crc32_z(crc32_z(0, nullptr, 0), bytes.data(), bytes.size()));
}

}  // namespace ptscope
