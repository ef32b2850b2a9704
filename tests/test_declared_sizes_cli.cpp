// The reader behind `ptscope info` on a 4 MB checkpoint whose storage record
// is deflated but declares 4 GiB: one clear error line, exit 2, and a small
// peak RSS (the declared size is never allocated: parser/zip_reader.cpp).
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_paths.h"
#include "torch_file_builder.h"

using namespace ptscope;
namespace fs = std::filesystem;

namespace {

struct Member {
  std::string name, data;
  bool deflate = false;
  uint32_t declared = 0;  // uncompressed size written in both headers (0: the true size)
};

std::vector<uint8_t> build_zip(const std::vector<Member>& members) {
  using test::put16;
  using test::put32;
  std::vector<uint8_t> out, central;
  for (const auto& m : members) {
    const std::string payload = m.deflate ? test::raw_deflate(m.data, Z_BEST_SPEED) : m.data;
    const uint32_t crc = crc32_of(ByteSpan(reinterpret_cast<const uint8_t*>(m.data.data()), m.data.size()));
    const uint32_t usize = m.declared ? m.declared : uint32_t(m.data.size());
    const uint16_t method = m.deflate ? 8 : 0;
    const uint32_t offset = uint32_t(out.size());
    put32(out, 0x04034b50); put16(out, 20); put16(out, 0); put16(out, method); put32(out, 0);
    put32(out, crc); put32(out, uint32_t(payload.size())); put32(out, usize);
    put16(out, uint16_t(m.name.size())); put16(out, 0);
    out.insert(out.end(), m.name.begin(), m.name.end());
    out.insert(out.end(), payload.begin(), payload.end());
    put32(central, 0x02014b50); put16(central, 20); put16(central, 20); put16(central, 0); put16(central, method);
    put32(central, 0); put32(central, crc); put32(central, uint32_t(payload.size())); put32(central, usize);
    put16(central, uint16_t(m.name.size())); put16(central, 0); put16(central, 0); put16(central, 0);
    put16(central, 0); put32(central, 0); put32(central, offset);
    central.insert(central.end(), m.name.begin(), m.name.end());
  }
  const uint32_t cd = uint32_t(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, 0x06054b50); put16(out, 0); put16(out, 0); put16(out, uint16_t(members.size()));
  put16(out, uint16_t(members.size())); put32(out, uint32_t(central.size())); put32(out, cd); put16(out, 0);
  return out;
}

}  // namespace

TEST_CASE("info on a 4 MB file declaring a 4 GiB member: one error, exit 2, small RSS", "[reader][zip][cli]") {
  const std::string noise = test::incompressible_bytes(4 << 20, 0x2545F4914F6CDD1Dull);
  const auto bytes = build_zip({{"archive/data.pkl", test::state_dict_pickle(4, 0, 4)},
                                {"archive/data/0", noise, true, 0xFFFFFFF0u},
                                {"archive/version", "3\n"}});
  REQUIRE(bytes.size() < (5u << 20));
  const fs::path dir = fs::temp_directory_path() / ("ptscope_declared_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "declared_4gib.pt").string(), log = (dir / "out.txt").string();
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));

  // The child's peak RSS counts what it shared with this process before exec,
  // so the bound is relative to this process's own peak.
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(test::cli_binary().c_str(), "ptscope", "info", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  REQUIRE(wait4(pid, &status, 0, &usage) == pid);
  std::stringstream buffer;
  buffer << std::ifstream(log).rdbuf();
  const std::string out = buffer.str();
  INFO(out);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(out.find("inflates to 4194304 bytes, not the 4294967280") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  CHECK(usage.ru_maxrss < self.ru_maxrss + 256 * 1024);  // KiB: the 4 GiB are never allocated
  fs::remove_all(dir);
}
