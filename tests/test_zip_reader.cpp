// The zip reader against archives assembled here byte by byte (so every
// structure, sentinel and anomaly is under the test's control) and against
// the real torch files of the shared corpus.
#include <catch2/catch.hpp>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

#include "core/error.h"
#include "parser/zip_reader.h"
#include "test_paths.h"
#include "torch_file_builder.h"

using namespace ptscope;

namespace {

void put16(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 2; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void put32(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void put64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void put_text(std::vector<uint8_t>& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

void patch16(std::vector<uint8_t>& b, uint64_t at, uint64_t v) {
  for (int i = 0; i < 2; ++i) b.at(at + i) = uint8_t(v >> (8 * i));
}
void patch32(std::vector<uint8_t>& b, uint64_t at, uint64_t v) {
  for (int i = 0; i < 4; ++i) b.at(at + i) = uint8_t(v >> (8 * i));
}
void patch64(std::vector<uint8_t>& b, uint64_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.at(at + i) = uint8_t(v >> (8 * i));
}

uint32_t crc_of(std::string_view s) { return crc32_of(ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size())); }

std::string hex8(uint32_t value) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

// Central fields that move to a zip64 (0x0001) extra field, leaving 0xFFFFFFFF behind.
enum Zip64Field : unsigned { kZip64Uncompressed = 1, kZip64Compressed = 2, kZip64Offset = 4 };
constexpr unsigned kZip64All = kZip64Uncompressed | kZip64Compressed | kZip64Offset;

struct TestMember {
  std::string name = {};
  std::string data = {};
  uint16_t method = 0;          // 8 deflates `data`; any other method stores it under that id
  uint16_t flags = 0x0808;      // as torch writes: data descriptor + UTF-8 names
  std::string local_name = {};  // empty: the central name
  uint16_t alignment = 0;       // non-zero: an 'FB' local extra aligns the data to this
  unsigned zip64_fields = 0;    // Zip64Field bits
  std::optional<uint32_t> crc = {};  // overrides the real CRC
};

struct ZipOptions {
  bool zip64_end = false;  // zip64 end record + locator, sentinels in the classic record
  std::string comment = {};
  std::string prefix = {};  // bytes before the first member, counted in the offsets
  std::optional<uint16_t> declared_entries = {};
};

struct BuiltZip {
  std::vector<uint8_t> bytes;
  std::vector<uint64_t> local_offsets, central_offsets;
  uint64_t cd_offset = 0, eocd_offset = 0, zip64_record_offset = 0;
};

BuiltZip build_zip(const std::vector<TestMember>& members, const ZipOptions& options = {}) {
  BuiltZip zip;
  std::vector<uint8_t>& out = zip.bytes;
  put_text(out, options.prefix);
  std::vector<uint8_t> central;
  for (const TestMember& m : members) {
    const uint64_t offset = out.size();
    const std::string payload = m.method == 8 ? test::raw_deflate(m.data, Z_BEST_COMPRESSION) : m.data;
    const uint32_t crc = m.crc.value_or(crc_of(m.data));
    const std::string& local_name = m.local_name.empty() ? m.name : m.local_name;
    std::vector<uint8_t> local_extra;
    if (m.alignment) {
      const uint64_t unpadded = offset + 30 + local_name.size() + 4;
      const uint64_t padding = (m.alignment - unpadded % m.alignment) % m.alignment;
      put_text(local_extra, "FB");
      put16(local_extra, padding);
      local_extra.insert(local_extra.end(), padding, 'Z');
    }
    zip.local_offsets.push_back(offset);
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, m.flags);
    put16(out, m.method);
    put32(out, 0);  // time, date
    for (int i = 0; i < 3; ++i) put32(out, 0);  // CRC and sizes live in the data descriptor
    put16(out, local_name.size());
    put16(out, local_extra.size());
    put_text(out, local_name);
    out.insert(out.end(), local_extra.begin(), local_extra.end());
    put_text(out, payload);
    put32(out, 0x08074b50);
    put32(out, crc);
    put32(out, payload.size());
    put32(out, m.data.size());

    std::vector<uint8_t> central_extra;
    if (m.zip64_fields) {
      std::vector<uint8_t> values;
      if (m.zip64_fields & kZip64Uncompressed) put64(values, m.data.size());
      if (m.zip64_fields & kZip64Compressed) put64(values, payload.size());
      if (m.zip64_fields & kZip64Offset) put64(values, offset);
      put16(central_extra, 0x0001);
      put16(central_extra, values.size());
      central_extra.insert(central_extra.end(), values.begin(), values.end());
    }
    zip.central_offsets.push_back(central.size());  // relative until the directory is placed
    put32(central, 0x02014b50);
    put16(central, 45);
    put16(central, 20);
    put16(central, m.flags);
    put16(central, m.method);
    put32(central, 0);
    put32(central, crc);
    put32(central, m.zip64_fields & kZip64Compressed ? 0xFFFFFFFF : payload.size());
    put32(central, m.zip64_fields & kZip64Uncompressed ? 0xFFFFFFFF : m.data.size());
    put16(central, m.name.size());
    put16(central, central_extra.size());
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, m.zip64_fields & kZip64Offset ? 0xFFFFFFFF : offset);
    put_text(central, m.name);
    central.insert(central.end(), central_extra.begin(), central_extra.end());
  }
  zip.cd_offset = out.size();
  for (uint64_t& o : zip.central_offsets) o += zip.cd_offset;
  out.insert(out.end(), central.begin(), central.end());
  const uint16_t count = options.declared_entries.value_or(uint16_t(members.size()));
  if (options.zip64_end) {
    zip.zip64_record_offset = out.size();
    put32(out, 0x06064b50);
    put64(out, 44);
    put16(out, 45);
    put16(out, 45);
    put32(out, 0);
    put32(out, 0);
    put64(out, count);
    put64(out, count);
    put64(out, central.size());
    put64(out, zip.cd_offset);
    put32(out, 0x07064b50);
    put32(out, 0);
    put64(out, zip.zip64_record_offset);
    put32(out, 1);
  }
  zip.eocd_offset = out.size();
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, options.zip64_end ? 0xFFFF : count);
  put16(out, options.zip64_end ? 0xFFFF : count);
  put32(out, options.zip64_end ? 0xFFFFFFFF : central.size());
  put32(out, options.zip64_end ? 0xFFFFFFFF : zip.cd_offset);
  put16(out, options.comment.size());
  put_text(out, options.comment);
  return zip;
}

ZipArchive open_bytes(std::vector<uint8_t> bytes, ZipLimits limits = {}) {
  return ZipArchive::open(MappedFile::from_bytes(std::move(bytes), "<test>"), limits);
}

std::string text(const Blob& blob) { return std::string(reinterpret_cast<const char*>(blob.data()), blob.size()); }

std::string read_text(const ZipArchive& zip, std::string_view name) {
  const ZipEntry* entry = zip.find(name);
  REQUIRE(entry);
  return text(zip.read(*entry));
}

bool has_warning(const std::vector<std::string>& warnings, std::string_view needle) {
  for (const auto& w : warnings)
    if (w.find(needle) != std::string::npos) return true;
  return false;
}

ErrorCode error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("expected a ptscope::Error");
  return ErrorCode::usage;
}

ErrorCode open_error(std::vector<uint8_t> bytes, ZipLimits limits = {}) {
  return error_of([&] { open_bytes(std::move(bytes), limits); });
}

// What a consumer does with an archive: open it and read every member.
void open_and_read_all(std::vector<uint8_t> bytes, ZipLimits limits = {}) {
  const ZipArchive zip = open_bytes(std::move(bytes), limits);
  std::vector<std::string> warnings;
  for (const ZipEntry& e : zip.entries()) zip.read(e, true, &warnings);
}

std::string repeated_text(size_t size) {
  std::string s;
  while (s.size() < size) s += "def forward(self, x):\n    return self.linear(x)\n";
  s.resize(size);
  return s;
}

const std::vector<TestMember> kSmallArchive = {
    {.name = "archive/data.pkl", .data = "\x80\x02}q\x01."},
    {.name = "archive/code/model.py", .data = repeated_text(600), .method = 8},
    {.name = "archive/data/0", .data = std::string(16, '\x7f'), .alignment = 64},
};

}  // namespace

TEST_CASE("zip: stored and deflated members read back", "[zip]") {
  const std::string code = repeated_text(3000);
  const BuiltZip built = build_zip({{.name = "archive/data.pkl", .data = "pickle bytes"},
                                    {.name = "archive/code/x.py", .data = code, .method = 8},
                                    {.name = "archive/data/0", .data = ""},
                                    {.name = "archive/empty.py", .data = "", .method = 8}});
  const ZipArchive zip = open_bytes(built.bytes);
  CHECK(zip.warnings().empty());
  CHECK_FALSE(zip.is_zip64());
  CHECK(zip.archive_begin() == 0);
  CHECK(zip.archive_end() == built.bytes.size());
  CHECK(zip.comment().empty());
  REQUIRE(zip.entries().size() == 4);

  const ZipEntry& deflated = zip.entries()[1];
  CHECK(deflated.name == "archive/code/x.py");
  CHECK(deflated.local_name == deflated.name);
  CHECK(deflated.method == 8);
  CHECK(deflated.flags == 0x0808);
  CHECK(deflated.uncompressed_size == code.size());
  CHECK(deflated.compressed_size < code.size());
  CHECK(deflated.crc32 == crc_of(code));
  CHECK(deflated.local_header_offset == built.local_offsets[1]);
  CHECK(deflated.data_offset == built.local_offsets[1] + 30 + deflated.name.size());

  CHECK(read_text(zip, "archive/data.pkl") == "pickle bytes");
  CHECK(read_text(zip, "archive/code/x.py") == code);
  CHECK(read_text(zip, "archive/data/0").empty());
  CHECK(read_text(zip, "archive/empty.py").empty());
  CHECK(zip.find("archive/missing") == nullptr);
  CHECK(zip.find("ARCHIVE/DATA.PKL") == nullptr);
  CHECK(zip.find_case_insensitive("ARCHIVE/Data.Pkl") == &zip.entries()[0]);
}

TEST_CASE("zip: an empty archive opens with no entries", "[zip]") {
  const ZipArchive zip = open_bytes(build_zip({}).bytes);
  CHECK(zip.entries().empty());
  CHECK(zip.warnings().empty());
  CHECK(zip.archive_begin() == 0);
  CHECK(zip.archive_end() == 22);
}

TEST_CASE("zip: stored members are zero-copy views that outlive the archive", "[zip]") {
  auto file = MappedFile::from_bytes(build_zip(kSmallArchive).bytes);
  Blob stored, inflated;
  {
    const ZipArchive zip = ZipArchive::open(file);
    stored = zip.read(*zip.find("archive/data/0"));
    inflated = zip.read(*zip.find("archive/code/model.py"));
    CHECK(stored.is_view_of(file->data(), file->size()));
    CHECK(stored.data() == file->data() + zip.find("archive/data/0")->data_offset);
    CHECK_FALSE(inflated.is_view_of(file->data(), file->size()));
  }
  const std::weak_ptr<const MappedFile> watch = file;
  file.reset();
  CHECK_FALSE(watch.expired());  // the blob's owner keeps the mapping alive
  CHECK(text(stored) == std::string(16, '\x7f'));
  stored = Blob{};
  CHECK(watch.expired());
  CHECK(text(inflated) == repeated_text(600));
}

TEST_CASE("zip: 'FB' local extra padding aligns data to 64 bytes", "[zip]") {
  const BuiltZip built = build_zip({{.name = "archive/data.pkl", .data = "p", .alignment = 64},
                                    {.name = "archive/data/0", .data = std::string(100, 'a'), .alignment = 64},
                                    {.name = "archive/data/1", .data = std::string(7, 'b'), .alignment = 64}});
  const ZipArchive zip = open_bytes(built.bytes);
  CHECK(zip.warnings().empty());
  for (const ZipEntry& e : zip.entries()) {
    CHECK(e.data_offset % 64 == 0);
    // The central entries carry no extra, so only the local one can place the data.
    CHECK(e.data_offset > e.local_header_offset + 30 + e.name.size());
  }
  CHECK(read_text(zip, "archive/data/0") == std::string(100, 'a'));
  CHECK(read_text(zip, "archive/data/1") == std::string(7, 'b'));
}

TEST_CASE("zip: zip64 end records and extra fields", "[zip]") {
  const std::string big = repeated_text(5000);
  const std::vector<TestMember> members = {
      {.name = "archive/data.pkl", .data = "abc", .zip64_fields = kZip64All},
      {.name = "archive/code/a.py", .data = big, .method = 8, .zip64_fields = kZip64All},
      {.name = "archive/data/0", .data = "offset only", .zip64_fields = kZip64Offset},
      {.name = "archive/data/1", .data = "sizes only", .zip64_fields = kZip64Uncompressed | kZip64Compressed},
      {.name = "archive/version", .data = "3\n"}};
  BuiltZip built = build_zip(members, {.zip64_end = true});

  SECTION("read") {
    const ZipArchive zip = open_bytes(built.bytes);
    CHECK(zip.is_zip64());
    CHECK(zip.warnings().empty());
    REQUIRE(zip.entries().size() == members.size());
    for (size_t i = 0; i < members.size(); ++i) {
      CHECK(zip.entries()[i].local_header_offset == built.local_offsets[i]);
      CHECK(zip.entries()[i].uncompressed_size == members[i].data.size());
      CHECK(text(zip.read(zip.entries()[i])) == members[i].data);
    }
    CHECK(zip.entries()[1].compressed_size < big.size());
    CHECK(zip.archive_end() == built.bytes.size());
  }
  SECTION("the classic record disagreeing with the zip64 one is reported") {
    patch16(built.bytes, built.eocd_offset + 10, 4);
    CHECK(has_warning(open_bytes(built.bytes).warnings(), "zip64 record gives 5"));
  }
  SECTION("sentinels without a zip64 extra field") {
    const uint64_t extra_id = built.central_offsets[0] + 46 + members[0].name.size();
    patch16(built.bytes, extra_id, 0x9999);
    CHECK(open_error(built.bytes) == ErrorCode::corrupt);
  }
  SECTION("a zip64 extra field too short for its sentinels") {
    const uint64_t extra_length = built.central_offsets[0] + 46 + members[0].name.size() + 2;
    patch16(built.bytes, extra_length, 8);
    CHECK(open_error(built.bytes) == ErrorCode::corrupt);
  }
  SECTION("an extra field longer than the extra data") {
    const uint64_t extra_length = built.central_offsets[0] + 46 + members[0].name.size() + 2;
    patch16(built.bytes, extra_length, 0xFFFF);
    CHECK(open_error(built.bytes) == ErrorCode::corrupt);
  }
  SECTION("locator pointing past the end") {
    patch64(built.bytes, built.eocd_offset - 20 + 8, uint64_t(1) << 40);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("locator pointing at the last possible offset overflows nothing") {
    patch64(built.bytes, built.eocd_offset - 20 + 8, UINT64_MAX - 10);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("locator pointing at something else") {
    patch64(built.bytes, built.eocd_offset - 20 + 8, 0);
    CHECK(open_error(built.bytes) == ErrorCode::corrupt);
  }
  SECTION("zip64 central directory offset and size past the end") {
    patch64(built.bytes, built.zip64_record_offset + 48, uint64_t(1) << 63);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("zip64 central directory size that would overflow") {
    patch64(built.bytes, built.zip64_record_offset + 40, UINT64_MAX);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("absurd zip64 entry count") {
    patch64(built.bytes, built.zip64_record_offset + 24, uint64_t(1) << 62);
    patch64(built.bytes, built.zip64_record_offset + 32, uint64_t(1) << 62);
    CHECK(open_error(built.bytes) == ErrorCode::limit_exceeded);
  }
  SECTION("absurd zip64 sizes") {
    const uint64_t values = built.central_offsets[0] + 46 + members[0].name.size() + 4;
    patch64(built.bytes, values + 8, UINT64_MAX - 4);  // compressed size
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("absurd zip64 offset") {
    const uint64_t values = built.central_offsets[2] + 46 + members[2].name.size() + 4;
    patch64(built.bytes, values, UINT64_MAX - 4);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("absurd uncompressed size is refused when inflating, before allocating") {
    const uint64_t values = built.central_offsets[1] + 46 + members[1].name.size() + 4;
    patch64(built.bytes, values, uint64_t(1) << 50);
    const ZipArchive zip = open_bytes(built.bytes);
    CHECK(error_of([&] { zip.read(zip.entries()[1]); }) == ErrorCode::limit_exceeded);
  }
}

TEST_CASE("zip: comment after the end record", "[zip]") {
  const std::string comment = "written by a test, with bytes PK\x01\x02 inside";
  const BuiltZip built = build_zip(kSmallArchive, {.comment = comment});
  const ZipArchive zip = open_bytes(built.bytes);
  CHECK(zip.comment() == comment);
  CHECK(zip.archive_end() == built.bytes.size());
  CHECK(zip.warnings().empty());
  CHECK(read_text(zip, "archive/data/0") == std::string(16, '\x7f'));

  std::vector<uint8_t> cut = built.bytes;
  cut.pop_back();
  CHECK(open_error(cut) == ErrorCode::truncated);
}

TEST_CASE("zip: a local name differing from the central name", "[zip]") {
  const ZipArchive zip = open_bytes(
      build_zip({{.name = "archive/data.pkl", .data = "central wins", .local_name = "archive/other.pkl"}}).bytes);
  REQUIRE(zip.entries().size() == 1);
  CHECK(zip.entries()[0].local_name == "archive/other.pkl");
  CHECK(has_warning(zip.warnings(), "'archive/other.pkl' in its local header"));
  CHECK(zip.find("archive/other.pkl") == nullptr);
  CHECK(read_text(zip, "archive/data.pkl") == "central wins");
}

TEST_CASE("zip: a local method differing from the central one", "[zip]") {
  BuiltZip built = build_zip({{.name = "archive/data.pkl", .data = "x"}});
  patch16(built.bytes, built.local_offsets[0] + 8, 8);
  CHECK(has_warning(open_bytes(built.bytes).warnings(), "compression method 8 in its local header"));
}

TEST_CASE("zip: CRC mismatches warn, or throw without a warnings list", "[zip]") {
  const ZipArchive zip = open_bytes(build_zip({{.name = "a/stored", .data = "tampered", .crc = 0x12345678},
                                               {.name = "a/deflated", .data = repeated_text(400), .method = 8, .crc = 0},
                                               {.name = "a/good", .data = "fine"}})
                                        .bytes);
  std::vector<std::string> warnings;
  CHECK(text(zip.read(zip.entries()[0], true, &warnings)) == "tampered");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "CRC mismatch in zip member 'a/stored' (stored 0x12345678, computed " + hex8(crc_of("tampered")) + ")");
  CHECK(text(zip.read(zip.entries()[1], true, &warnings)) == repeated_text(400));
  CHECK(warnings.size() == 2);
  zip.read(zip.entries()[2], true, &warnings);
  CHECK(warnings.size() == 2);

  CHECK(error_of([&] { zip.read(zip.entries()[0]); }) == ErrorCode::corrupt);
  CHECK(error_of([&] { zip.read(zip.entries()[1], true, nullptr); }) == ErrorCode::corrupt);
  CHECK(text(zip.read(zip.entries()[0], false)) == "tampered");
  CHECK(zip.warnings().empty());  // CRCs are only checked on read
}

TEST_CASE("zip: every truncation of an archive is an error, never a crash", "[zip]") {
  for (const bool zip64 : {false, true}) {
    for (const std::string& comment : {std::string(), std::string("a comment")}) {
      const std::vector<uint8_t> full = build_zip(kSmallArchive, {.zip64_end = zip64, .comment = comment}).bytes;
      REQUIRE_NOTHROW(open_and_read_all(full));
      std::vector<size_t> accepted;
      for (size_t length = 0; length < full.size(); ++length) {
        try {
          open_and_read_all(std::vector<uint8_t>(full.begin(), full.begin() + length));
          accepted.push_back(length);
        } catch (const Error&) {
        }
      }
      INFO("zip64 " << zip64 << ", comment '" << comment << "'");
      CHECK(accepted.empty());
    }
  }
}

TEST_CASE("zip: single-byte corruptions are errors or warnings, never crashes", "[zip]") {
  const std::vector<uint8_t> full = build_zip(kSmallArchive, {.zip64_end = true}).bytes;
  ZipLimits limits;
  limits.max_inflated_bytes = 1 << 20;
  size_t opened = 0;
  for (size_t at = 0; at < full.size(); ++at) {
    for (const uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::vector<uint8_t> mutated = full;
      mutated[at] ^= mask;
      try {
        open_and_read_all(std::move(mutated), limits);
        ++opened;
      } catch (const Error&) {
      }
    }
  }
  CHECK(opened > 0);  // flips in member data or padding stay readable
}

TEST_CASE("zip: offsets and sizes pointing outside the file", "[zip]") {
  BuiltZip built = build_zip(kSmallArchive);
  const uint64_t size = built.bytes.size();
  SECTION("central directory offset") {
    patch32(built.bytes, built.eocd_offset + 16, 0xFFFFFFF0);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("central directory size") {
    patch32(built.bytes, built.eocd_offset + 12, 0xFFFFFFFE);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("local header offset past the end") {
    patch32(built.bytes, built.central_offsets[1] + 42, size + 100);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("local header offset at no local header") {
    patch32(built.bytes, built.central_offsets[1] + 42, built.local_offsets[1] + 1);
    CHECK(open_error(built.bytes) == ErrorCode::corrupt);
  }
  SECTION("compressed size past the end") {
    patch32(built.bytes, built.central_offsets[2] + 20, 0xFFFFFFF0);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("local name and extra lengths past the end") {
    patch16(built.bytes, built.local_offsets[2] + 26, 0xFFFF);
    patch16(built.bytes, built.local_offsets[2] + 28, 0xFFFF);
    CHECK(open_error(built.bytes) == ErrorCode::truncated);
  }
  SECTION("central name running past the central directory") {
    patch16(built.bytes, built.central_offsets[2] + 28, 0x4000);
    CHECK(open_error(built.bytes) == ErrorCode::corrupt);
  }
  SECTION("an error names the member") {
    patch32(built.bytes, built.central_offsets[1] + 42, size + 100);
    try {
      open_bytes(built.bytes);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("'archive/code/model.py'") != std::string::npos);
      CHECK(std::string(e.what()).find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("zip: the entry limit", "[zip]") {
  ZipLimits limits;
  limits.max_entries = 2;
  CHECK(open_error(build_zip(kSmallArchive).bytes, limits) == ErrorCode::limit_exceeded);
  // The directory holds more entries than its record admits to: still limited.
  CHECK(open_error(build_zip(kSmallArchive, {.declared_entries = 1}).bytes, limits) == ErrorCode::limit_exceeded);
  limits.max_entries = 3;
  CHECK(open_bytes(build_zip(kSmallArchive).bytes, limits).entries().size() == 3);
}

TEST_CASE("zip: entry count mismatch", "[zip]") {
  const ZipArchive more = open_bytes(build_zip(kSmallArchive, {.declared_entries = 7}).bytes);
  CHECK(more.entries().size() == 3);
  CHECK(has_warning(more.warnings(), "declares 7 entries but the central directory holds 3"));
  const ZipArchive fewer = open_bytes(build_zip(kSmallArchive, {.declared_entries = 1}).bytes);
  CHECK(fewer.entries().size() == 3);
  CHECK(has_warning(fewer.warnings(), "declares 1 entries but the central directory holds 3"));
}

TEST_CASE("zip: input that is not a zip archive", "[zip]") {
  auto message_of = [](std::vector<uint8_t> bytes) {
    try {
      open_bytes(std::move(bytes));
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::not_pytorch);
      return std::string(e.what());
    }
    FAIL("expected an error");
    return std::string();
  };
  CHECK(message_of({}).rfind("not a zip archive", 0) == 0);
  CHECK(message_of({'P', 'K', 3, 4}).rfind("not a zip archive", 0) == 0);
  const std::string legacy = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";
  CHECK(message_of(std::vector<uint8_t>(legacy.begin(), legacy.end())).rfind("not a zip archive", 0) == 0);
  std::vector<uint8_t> noise(200000);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = uint8_t(i * 2654435761u >> 13);
  CHECK(message_of(noise).rfind("not a zip archive", 0) == 0);
}

TEST_CASE("zip: encrypted members and unknown methods are refused on read", "[zip]") {
  const ZipArchive zip = open_bytes(build_zip({{.name = "a/encrypted", .data = "secret", .flags = 0x0809},
                                               {.name = "a/strong", .data = "secret", .flags = 0x0040},
                                               {.name = "a/bzip2", .data = "BZh91AY", .method = 12},
                                               {.name = "a/plain", .data = "fine"}})
                                        .bytes);
  CHECK(zip.entries()[0].encrypted());
  CHECK(error_of([&] { zip.read(zip.entries()[0]); }) == ErrorCode::unsupported);
  CHECK(error_of([&] { zip.read(zip.entries()[1]); }) == ErrorCode::unsupported);
  try {
    zip.read(zip.entries()[2]);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::unsupported);
    CHECK(std::string(e.what()).find("12 (bzip2)") != std::string::npos);
  }
  CHECK(read_text(zip, "a/plain") == "fine");
}

TEST_CASE("zip: decompression bombs are refused", "[zip]") {
  const std::string zeros(4 << 20, '\0');
  const ZipArchive zip = open_bytes(build_zip({{.name = "a/bomb", .data = zeros, .method = 8},
                                               {.name = "a/small", .data = std::string(512 << 10, '\0'), .method = 8}})
                                        .bytes);
  const ZipEntry& bomb = zip.entries()[0];
  REQUIRE(bomb.uncompressed_size / bomb.compressed_size > 500);

  ZipLimits strict;
  strict.max_compression_ratio = 100;
  const ZipArchive strict_zip = ZipArchive::open(zip.file(), strict);
  CHECK(error_of([&] { strict_zip.read(strict_zip.entries()[0]); }) == ErrorCode::limit_exceeded);
  CHECK(strict_zip.read(strict_zip.entries()[1]).size() == 512u << 10);  // under 1 MiB: no ratio limit

  ZipLimits small;
  small.max_inflated_bytes = 1 << 20;
  const ZipArchive small_zip = ZipArchive::open(zip.file(), small);
  CHECK(error_of([&] { small_zip.read(small_zip.entries()[0]); }) == ErrorCode::limit_exceeded);

  ZipLimits lenient;
  lenient.max_compression_ratio = 1e6;
  const ZipArchive lenient_zip = ZipArchive::open(zip.file(), lenient);
  CHECK(text(lenient_zip.read(lenient_zip.entries()[0])) == zeros);
}

TEST_CASE("zip: inflated size must match the central directory", "[zip]") {
  const std::string data = repeated_text(1000);
  BuiltZip built = build_zip({{.name = "a/x.py", .data = data, .method = 8}});
  const uint64_t uncompressed_field = built.central_offsets[0] + 24;
  SECTION("stream longer than declared") {
    patch32(built.bytes, uncompressed_field, data.size() - 1);
    const ZipArchive zip = open_bytes(built.bytes);
    CHECK(error_of([&] { zip.read(zip.entries()[0]); }) == ErrorCode::corrupt);
  }
  SECTION("stream shorter than declared") {
    patch32(built.bytes, uncompressed_field, data.size() + 1);
    const ZipArchive zip = open_bytes(built.bytes);
    CHECK(error_of([&] { zip.read(zip.entries()[0]); }) == ErrorCode::corrupt);
  }
  SECTION("not a deflate stream") {
    const ZipArchive zip = open_bytes(built.bytes);
    std::vector<uint8_t> broken = built.bytes;
    for (uint64_t i = 0; i < zip.entries()[0].compressed_size; ++i) broken[zip.entries()[0].data_offset + i] = 0xFF;
    const ZipArchive broken_zip = open_bytes(broken);
    CHECK(error_of([&] { broken_zip.read(broken_zip.entries()[0]); }) == ErrorCode::corrupt);
  }
}

// A deflated member that declares 4 GiB in a 4 MB file (a ratio deflate could
// reach, so no ratio check refuses it): the reader must not allocate the
// declared size, only what the stream produces, and then fail clearly.
TEST_CASE("zip: a 4 MB member declaring 4 GiB is refused without allocating it", "[zip]") {
  const std::string noise = test::incompressible_bytes(4 << 20, 0x9E3779B97F4A7C15ull);
  BuiltZip built = build_zip({{.name = "a/data.pkl", .data = std::string(8, 'p')},
                              {.name = "a/data/0", .data = noise, .method = 8}});
  patch32(built.bytes, built.central_offsets[1] + 24, 0xFFFFFFF0);
  const ZipArchive zip = open_bytes(built.bytes);
  const ZipEntry& big = zip.entries()[1];
  REQUIRE(big.uncompressed_size == 0xFFFFFFF0u);
  REQUIRE(big.compressed_size < (5u << 20));

  // in a child, so that its peak RSS is this read's alone
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    int code = 1;
    try {
      zip.read(big);
    } catch (const Error& e) {
      const std::string what = e.what();
      code = e.code() == ErrorCode::corrupt && what.find("not the 4294967280") != std::string::npos ? 0 : 2;
    }
    getrusage(RUSAGE_SELF, &after);
    if (code == 0 && after.ru_maxrss - before.ru_maxrss > 128 * 1024) code = 3;  // KiB
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // 1: no error, 2: wrong error, 3: more than 128 MiB grown

  // above 64 MiB and 8x its compressed size a member is inflated into a growing
  // buffer: true sizes read back, wrong ones in either direction are errors
  const std::string zeros(66 << 20, '\0');
  BuiltZip honest = build_zip({{.name = "a/data/0", .data = zeros, .method = 8}});
  {
    const ZipArchive ok = open_bytes(honest.bytes);
    REQUIRE(ok.entries()[0].compressed_size * 8 < zeros.size());
    const Blob blob = ok.read(ok.entries()[0]);
    CHECK(blob.size() == zeros.size());
    CHECK(std::memcmp(blob.data(), zeros.data(), zeros.size()) == 0);
  }
  for (uint64_t declared : {uint64_t(66 << 20) - 1, uint64_t(66 << 20) + 1}) {
    std::vector<uint8_t> bytes = honest.bytes;
    patch32(bytes, honest.central_offsets[0] + 24, declared);
    const ZipArchive lying = open_bytes(bytes);
    CHECK(error_of([&] { lying.read(lying.entries()[0]); }) == ErrorCode::corrupt);
  }
}

TEST_CASE("zip: a stored member whose sizes differ", "[zip]") {
  BuiltZip built = build_zip({{.name = "a/data/0", .data = "0123456789"}});
  patch32(built.bytes, built.central_offsets[0] + 24, 12);
  const ZipArchive zip = open_bytes(built.bytes);
  CHECK(error_of([&] { zip.read(zip.entries()[0]); }) == ErrorCode::corrupt);
}

TEST_CASE("zip: multi-disk archives are refused", "[zip]") {
  BuiltZip built = build_zip(kSmallArchive);
  patch16(built.bytes, built.eocd_offset + 4, 2);
  CHECK(open_error(built.bytes) == ErrorCode::unsupported);
  patch16(built.bytes, built.eocd_offset + 4, 1);
  patch16(built.bytes, built.eocd_offset + 6, 1);
  CHECK_NOTHROW(open_bytes(built.bytes));  // the only disk numbered 1 is accepted, as in miniz
}

TEST_CASE("zip: layout anomalies are reported", "[zip]") {
  SECTION("prepended data with offsets adjusted for it") {
    const std::string stub = "#!/bin/sh\nexec something\n";
    const BuiltZip built = build_zip(kSmallArchive, {.prefix = stub});
    const ZipArchive zip = open_bytes(built.bytes);
    CHECK(zip.archive_begin() == stub.size());
    CHECK(has_warning(zip.warnings(), std::to_string(stub.size()) + " bytes of prepended data"));
    CHECK(read_text(zip, "archive/data/0") == std::string(16, '\x7f'));
  }
  SECTION("prepended data with offsets left as they were") {
    std::vector<uint8_t> bytes(100, 'x');
    const BuiltZip built = build_zip(kSmallArchive);
    bytes.insert(bytes.end(), built.bytes.begin(), built.bytes.end());
    try {
      open_bytes(bytes);
      FAIL("torch does not correct offsets, so neither does the reader");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::corrupt);
      CHECK(std::string(e.what()).find("100 bytes were prepended") != std::string::npos);
    }
  }
  SECTION("appended data") {
    BuiltZip built = build_zip(kSmallArchive);
    const uint64_t end = built.bytes.size();
    put_text(built.bytes, "trailing junk");
    const ZipArchive zip = open_bytes(built.bytes);
    CHECK(zip.archive_end() == end);
    CHECK(has_warning(zip.warnings(), "13 bytes of appended data"));
  }
  SECTION("concatenated archives: the offsets lead into the first one, as in torch") {
    std::vector<uint8_t> bytes = build_zip({{.name = "archive/data.pkl", .data = "AAAA"}}).bytes;
    const std::vector<uint8_t> second = build_zip({{.name = "archive/data.pkl", .data = "BBBB"}}).bytes;
    bytes.insert(bytes.end(), second.begin(), second.end());
    const ZipArchive zip = open_bytes(bytes);
    CHECK(read_text(zip, "archive/data.pkl") == "AAAA");
    CHECK(has_warning(zip.warnings(), "another end-of-central-directory signature"));
    CHECK(has_warning(zip.warnings(), "unaccounted bytes between the central directory"));
  }
  SECTION("duplicate names: the first wins") {
    const ZipArchive zip = open_bytes(build_zip({{.name = "archive/data.pkl", .data = "first"},
                                                 {.name = "archive/data.pkl", .data = "second"}})
                                          .bytes);
    CHECK(has_warning(zip.warnings(), "duplicate zip member 'archive/data.pkl' (entries #0 and #1"));
    CHECK(read_text(zip, "archive/data.pkl") == "first");
  }
  SECTION("names differing only in case") {
    const ZipArchive zip = open_bytes(build_zip({{.name = "archive/DATA.PKL", .data = "upper"},
                                                 {.name = "archive/data.pkl", .data = "lower"}})
                                          .bytes);
    CHECK(has_warning(zip.warnings(), "differ only in case"));
    CHECK(zip.find_case_insensitive("archive/data.pkl")->name == "archive/DATA.PKL");
    CHECK(zip.find("archive/data.pkl")->name == "archive/data.pkl");
  }
  SECTION("names escaping the extraction folder") {
    const ZipArchive zip = open_bytes(build_zip({{.name = "../evil", .data = "1"},
                                                 {.name = "/etc/passwd", .data = "2"},
                                                 {.name = "archive/a/../../b", .data = "3"},
                                                 {.name = "archive/a..b/..c", .data = "4"}})
                                          .bytes);
    CHECK(has_warning(zip.warnings(), "'../evil' has an absolute path"));
    CHECK(has_warning(zip.warnings(), "'/etc/passwd' has an absolute path"));
    CHECK(has_warning(zip.warnings(), "'archive/a/../../b' has an absolute path"));
    CHECK_FALSE(has_warning(zip.warnings(), "'archive/a..b/..c'"));
  }
  SECTION("overlapping members") {
    BuiltZip built = build_zip({{.name = "a/one", .data = "same bytes"}, {.name = "a/two", .data = "other"}});
    patch32(built.bytes, built.central_offsets[1] + 42, built.local_offsets[0]);
    const ZipArchive zip = open_bytes(built.bytes);
    CHECK(has_warning(zip.warnings(), "overlaps"));
    CHECK(has_warning(zip.warnings(), "'a/one' in its local header"));
  }
  SECTION("many repeats of one anomaly are capped") {
    std::vector<TestMember> members(50, TestMember{.name = "archive/x", .data = "x"});
    const ZipArchive zip = open_bytes(build_zip(members).bytes);
    CHECK(zip.warnings().size() == 21);
    CHECK(has_warning(zip.warnings(), "29 more duplicate names not listed"));
  }
  SECTION("names with control bytes stay on one line") {
    const ZipArchive zip = open_bytes(build_zip({{.name = "a\nb", .data = "1"}, {.name = "a\nb", .data = "2"}}).bytes);
    REQUIRE(zip.warnings().size() == 1);
    CHECK(zip.warnings()[0].find("'a\\x0ab'") != std::string::npos);
  }
}

TEST_CASE("zip: crc32_of", "[zip]") {
  CHECK(crc_of("123456789") == 0xCBF43926u);
  CHECK(crc_of("") == 0u);
}

TEST_CASE("zip: every zip in the shared corpus opens and reads", "[zip][corpus]") {
  namespace fs = std::filesystem;
  const fs::path corpus = test::corpus_dir();
  if (!fs::is_directory(corpus)) {
    WARN("no corpus at " << corpus.string());
    return;
  }
  size_t archives = 0;
  for (const auto& item : fs::directory_iterator(corpus)) {
    if (!item.is_regular_file()) continue;
    char magic[4] = {};
    std::ifstream(item.path(), std::ios::binary).read(magic, 4);
    if (std::memcmp(magic, "PK\x03\x04", 4) != 0) continue;
    ++archives;
    INFO(item.path().string());
    const ZipArchive zip = ZipArchive::open(MappedFile::open(item.path().string()));
    CHECK_FALSE(zip.entries().empty());
    std::vector<std::string> warnings;
    for (const ZipEntry& e : zip.entries()) CHECK_NOTHROW(zip.read(e, true, &warnings));
  }
  INFO("zip archives in the corpus: " << archives);
  CHECK(archives > 0);
}
