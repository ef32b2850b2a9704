// libFuzzer target: the TorchScript source parser (code/**.py of archives),
// and printing back what it parsed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "parser/torchscript/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ptscope;
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  try {
    ts::Module module = ts::parse_source(source, "fuzz.py");
    (void)ts::to_source(module);
  } catch (const Error&) {
  }
  return 0;
}
