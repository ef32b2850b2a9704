// parser/tar_header.h lists tar members as Python's tarfile does: held to the
// listing tarfile itself made of fixtures/tar/ (fixtures/make_tar_fixtures.py,
// EXPECTED.json): pax path/size overrides (extended and global), GNU long
// names and links, numeric field forms, ustar prefixes, data-less types,
// and where tarfile raises instead. Plus the audit's use of the listing.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "audit/audit.h"
#include "core/bytes.h"
#include "parser/tar_header.h"
#include "test_paths.h"

using namespace ptscope;
namespace fs = std::filesystem;

namespace {

nlohmann::json expected_listings() {
  std::ifstream in(test::fixture("tar/EXPECTED.json"));
  REQUIRE(in.good());
  nlohmann::json j;
  in >> j;
  return j;
}

bool has_finding(const audit::AuditReport& r, const std::string& rule, audit::Severity at_least,
                 const std::string& text = {}) {
  for (const auto& f : r.findings)
    if (f.rule == rule && f.severity >= at_least && f.message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("tar listing matches Python's tarfile on every fixture", "[tar][zip][reader]") {
  const auto expected = expected_listings();
  REQUIRE(expected.size() >= 15);
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    INFO(it.key());
    const auto file = MappedFile::open(test::fixture("tar/" + it.key()));
    const TarListing got = list_tar_members(file->bytes());
    const auto& want = it.value().at("members");
    CHECK((got.end == TarListing::End::read_error) == it.value().at("read_error").get<bool>());
    REQUIRE(got.members.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      INFO("member " << i);
      const auto& m = got.members[i];
      CHECK(m.name == want[i].at("name").get<std::string>());
      CHECK(std::string(1, m.type) == want[i].at("type").get<std::string>());
      CHECK(m.linkname == want[i].at("linkname").get<std::string>());
      CHECK(m.header_offset == want[i].at("offset").get<uint64_t>());
      CHECK(m.data_offset == want[i].at("offset_data").get<uint64_t>());
      if (want[i].at("size").is_number_unsigned() && want[i].at("size").get<uint64_t>() < (uint64_t(1) << 62))
        CHECK(m.size == want[i].at("size").get<uint64_t>());
      else
        CHECK(m.size >= (uint64_t(1) << 62));  // beyond int64: saturated, and the listing fails after it
    }
  }
}

TEST_CASE("tar listing: bounded on hostile headers", "[tar]") {
  // 10000 GNU long-name headers in a row: a chain tarfile recurses on; refused, not walked
  std::vector<uint8_t> bytes;
  auto header = [&](char type, uint64_t size) {
    std::vector<uint8_t> h(512, 0);
    std::memcpy(h.data(), "x", 1);
    std::snprintf(reinterpret_cast<char*>(h.data() + 100), 8, "%07o", 0644);
    std::snprintf(reinterpret_cast<char*>(h.data() + 108), 8, "%07o", 0);
    std::snprintf(reinterpret_cast<char*>(h.data() + 116), 8, "%07o", 0);
    std::snprintf(reinterpret_cast<char*>(h.data() + 124), 12, "%011llo", static_cast<unsigned long long>(size));
    std::snprintf(reinterpret_cast<char*>(h.data() + 136), 12, "%011o", 0);
    h[156] = uint8_t(type);
    std::memset(h.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (uint8_t c : h) sum += c;
    std::snprintf(reinterpret_cast<char*>(h.data() + 148), 8, "%06o", sum);
    bytes.insert(bytes.end(), h.begin(), h.end());
  };
  for (int i = 0; i < 10000; ++i) {
    header('L', 1);
    bytes.insert(bytes.end(), 512, 'n');
  }
  header('0', 0);
  auto listing = list_tar_members(ByteSpan(bytes.data(), bytes.size()));
  CHECK(listing.end == TarListing::End::read_error);
  CHECK(listing.members.empty());
  // a global header with 20000 records, then 2000 extended headers: linear, not 20000 x 2000 copies
  bytes.clear();
  std::string records;
  for (int i = 0; i < 20000; ++i) {
    const std::string body = " comment" + std::to_string(i) + "=x\n";
    std::string rec = std::to_string(body.size() + 2) + body;
    if (rec.size() != body.size() + 2) rec = std::to_string(body.size() + 3) + body;
    records += rec;
  }
  header('g', records.size());
  bytes.insert(bytes.end(), records.begin(), records.end());
  bytes.insert(bytes.end(), (512 - records.size() % 512) % 512, 0);
  const std::string one = "11 path=ab\n";  // an 11-byte record
  for (int i = 0; i < 2000; ++i) {
    header('x', one.size());
    bytes.insert(bytes.end(), one.begin(), one.end());
    bytes.insert(bytes.end(), 512 - one.size(), 0);
    header('0', 0);
  }
  bytes.insert(bytes.end(), 1024, 0);
  const auto start = std::chrono::steady_clock::now();
  listing = list_tar_members(ByteSpan(bytes.data(), bytes.size()));
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 2.0);
  REQUIRE(listing.members.size() == 2000);
  CHECK(listing.members[1999].name == "ab");
  CHECK(listing.end == TarListing::End::zero_block);
  // a size field of 8 GiB in a 1 KiB file: listed, nothing read, the listing fails at the next header
  bytes.clear();
  header('0', uint64_t(8) << 30);
  bytes.insert(bytes.end(), 512, 0);
  listing = list_tar_members(ByteSpan(bytes.data(), bytes.size()));
  REQUIRE(listing.members.size() == 1);
  CHECK(listing.members[0].available == 512);
  CHECK(listing.end == TarListing::End::read_error);
}

TEST_CASE("audit finds tar payloads where tarfile does, and links torch would follow", "[audit][tar]") {
  // the payload member is only where pax size/path put it
  for (const char* name : {"pax_size_reveals.tar", "pax_size_hides.tar", "pax_path.tar", "numeric_forms.tar",
                           "dir_with_size.tar", "gnu_longname.tar", "unknown_type.tar"}) {
    INFO(name);
    const auto r = audit::audit_file(test::fixture(std::string("tar/") + name));
    CHECK(r.kind == "legacy-tar");
    CHECK(has_finding(r, "PTS101", audit::Severity::dangerous, "os.system"));
  }
  const auto link = audit::audit_file(test::fixture("tar/symlink_pickle.tar"));
  CHECK(has_finding(link, "PTS209", audit::Severity::dangerous, "/etc/passwd"));
  const auto hides = audit::audit_file(test::fixture("tar/pax_size_hides.tar"));
  CHECK(has_finding(hides, "PTS209", audit::Severity::suspicious, "pax size"));
  // tarfile raises: the scan cannot be completed (exit 2), findings so far stay
  for (const char* name : {"truncated_data.tar", "bad_after_longname.tar", "pax_size_huge.tar"}) {
    INFO(name);
    const auto r = audit::audit_file(test::fixture(std::string("tar/") + name));
    CHECK(r.verdict() == "error");
  }
}
