// Where the suite finds committed fixtures and the shared corpus.
#pragma once
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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
// Names of the files directly in fixtures/<dir> that end in `suffix`, sorted; none when the folder is missing.
inline std::vector<std::string> fixture_names(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(fixture(dir), ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) out.push_back(std::move(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace ptscope::test
