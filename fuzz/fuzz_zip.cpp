// libFuzzer target: the zip reader (central directory, zip64, local headers,
// inflate, CRC) on arbitrary bytes. Errors are expected; crashes are bugs.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "parser/zip_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ptscope;
  auto file = MappedFile::from_bytes(std::vector<uint8_t>(data, data + size), "fuzz.zip");
  try {
    ZipLimits limits;
    limits.max_inflated_bytes = uint64_t(64) << 20;  // keep one input's work bounded
    ZipArchive zip = ZipArchive::open(file, limits);
    size_t n = 0;
    for (const auto& entry : zip.entries()) {
      if (++n > 64) break;
      std::vector<std::string> warnings;
      try {
        Blob blob = zip.read(entry, true, &warnings);
        (void)blob;
      } catch (const Error&) {
      }
      (void)zip.find_case_insensitive(entry.name);
    }
  } catch (const Error&) {
  }
  return 0;
}
