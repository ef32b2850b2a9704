// File-kind sniffing follows torch.load: a zip only when the file starts with
// a local header, then whatever Python's tarfile accepts (checksum, numeric
// fields; no "ustar" magic needed), then a pickle stream.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/model.h"
#include "parser/tar_header.h"

using namespace ptscope;

namespace {
ByteSpan span_of(const std::vector<uint8_t>& v) { return {v.data(), v.size()}; }

// A v7 tar header (no ustar magic) named `name`, with a correct checksum.
std::vector<uint8_t> v7_tar_block(const char* name, bool signed_sum = false) {
  std::vector<uint8_t> b(1024, 0);
  std::memcpy(b.data(), name, std::strlen(name));
  std::memcpy(b.data() + 100, "0000644", 7);
  std::memcpy(b.data() + 124, "00000000000", 11);
  if (signed_sum) b[200] = 0xE9;  // a high byte: the signed and unsigned sums differ
  int64_t sum = 256;
  for (size_t i = 0; i < 512; ++i)
    if (i < 148 || i >= 156) sum += signed_sum ? int64_t(int8_t(b[i])) : int64_t(b[i]);
  std::snprintf(reinterpret_cast<char*>(b.data() + 148), 8, "%06llo", static_cast<unsigned long long>(sum));
  return b;
}
}  // namespace

TEST_CASE("tar headers are recognised by checksum, as tarfile does", "[parser][kind]") {
  auto v7 = v7_tar_block("storages");
  CHECK(tar_header_valid(span_of(v7)));
  CHECK(sniff_kind(span_of(v7)) == FileKind::legacy_tar);
  CHECK(tar_header_valid(span_of(v7_tar_block("pickle", true))));  // tarfile accepts the signed sum too

  auto bad = v7;
  bad[0] = 'x';  // checksum no longer matches
  CHECK_FALSE(tar_header_valid(span_of(bad)));
  auto magic_only = std::vector<uint8_t>(1024, 'A');
  std::memcpy(magic_only.data() + 257, "ustar", 5);  // the magic alone is not enough
  CHECK_FALSE(tar_header_valid(span_of(magic_only)));
  auto bad_mode = v7_tar_block("x");
  bad_mode[100] = '9';  // not octal: "invalid header" even before the sum
  CHECK_FALSE(tar_header_valid(span_of(bad_mode)));
  CHECK_FALSE(tar_header_valid(span_of(std::vector<uint8_t>(512, 0))));  // end-of-archive block
  CHECK_FALSE(tar_header_valid(ByteSpan(v7.data(), 511)));              // truncated header
}

TEST_CASE("tarfile's numeric fields: octal text or base-256", "[parser][kind]") {
  auto field = [](std::string s) { return tar_numeric_field(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  CHECK(field(std::string("0000644\0", 8)) == 0644);
  CHECK(field(std::string(" 17 \0\0\0\0", 8)) == 017);
  CHECK(field(std::string("\0\0\0\0\0\0\0\0", 8)) == 0);
  CHECK(field(std::string("0o7_7\0\0\0", 8)) == 077);
  CHECK_FALSE(field(std::string("12 34\0\0\0", 8)));
  CHECK_FALSE(field(std::string("_7\0\0\0\0\0\0", 8)));
  CHECK_FALSE(field(std::string("8\0\0\0\0\0\0\0", 8)));
  CHECK(field(std::string("\x80\0\0\0\0\0\x01\x00", 8)) == 256);
  CHECK(field(std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8)) == -1);
}

TEST_CASE("the zip check comes first and needs a local header at offset 0", "[parser][kind]") {
  std::vector<uint8_t> zip_and_ptmf = {'P', 'K', 3, 4, 'P', 'T', 'M', 'F', 0, 0};
  CHECK(sniff_kind(span_of(zip_and_ptmf)) == FileKind::unknown_zip);
  std::vector<uint8_t> flatbuffer = {0, 0, 0, 0, 'P', 'T', 'M', 'F', 0, 0};
  CHECK(sniff_kind(span_of(flatbuffer)) == FileKind::mobile_flatbuffer);
  // A tar whose first member's name starts with the zip signature is a zip to torch.
  auto tar_named_pk = v7_tar_block("PK\x03\x04");
  CHECK(sniff_kind(span_of(tar_named_pk)) == FileKind::unknown_zip);
  // A zip later in the file does not make it a zip: a pickle stream here.
  std::vector<uint8_t> pickle_then_zip = {0x80, 0x02, 'N', '.', 'P', 'K', 3, 4};
  CHECK(sniff_kind(span_of(pickle_then_zip)) == FileKind::legacy_stream);
  const std::string proto0 = "L119547037146038801333356L\n.";
  CHECK(sniff_kind(ByteSpan(reinterpret_cast<const uint8_t*>(proto0.data()), proto0.size())) ==
        FileKind::legacy_stream);
  std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  CHECK_THROWS_AS(sniff_kind(span_of(text)), Error);
}
