// Where the suite finds committed fixtures and the shared corpus.
#pragma once
#include <fstream>
#include <sstream>
#include <string>

namespace ptscope::test {
inline std::string source_dir() { return PTSCOPE_SOURCE_DIR; }
inline std::string fixture(const std::string& rel) { return source_dir() + "/fixtures/" + rel; }
// ../shared/corpus beside the checkout (present in CI and on developer machines).
inline std::string corpus_dir() { return source_dir() + "/../shared/corpus"; }
inline std::string cli_binary() { return PTSCOPE_BINARY; }
// A whole file's bytes ("" when it cannot be read; tests check what they expect in it).
inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
}  // namespace ptscope::test
