// Real files written by others (../shared/corpus): each one opens, or fails
// with a clean error; kind and version agree with the corpus manifest.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/model.h"
#include "test_paths.h"

using namespace ptscope;
namespace fs = std::filesystem;

namespace {
struct ManifestRow {
  std::string file, kind;
  int64_t format_version = 0;
};

std::vector<ManifestRow> read_manifest() {
  std::vector<ManifestRow> rows;
  std::ifstream in(test::corpus_dir() + "/MANIFEST.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) cols.push_back(c);
    if (cols.size() < 8) continue;
    rows.push_back({cols[0], cols[6], std::stoll(cols[7])});
  }
  return rows;
}

std::string manifest_kind(FileKind k) {
  switch (k) {
    case FileKind::legacy_stream: return "legacy-non-zip";
    default: return file_kind_name(k);
  }
}
}  // namespace

TEST_CASE("every corpus file opens with the manifest's kind and version", "[corpus]") {
  if (!fs::exists(test::corpus_dir())) {
    WARN("no corpus at " << test::corpus_dir());
    return;
  }
  const auto rows = read_manifest();
  REQUIRE(rows.size() >= 40);
  size_t opened = 0;
  for (const auto& row : rows) {
    INFO(row.file);
    std::unique_ptr<Model> model;
    try {
      model = load_model(test::corpus_dir() + "/" + row.file);
    } catch (const Error& e) {
      FAIL_CHECK("failed to open: " << e.what());
      continue;
    }
    ++opened;
    CHECK(manifest_kind(model->kind) == row.kind);
    REQUIRE(model->format_version.has_value());
    CHECK(*model->format_version == row.format_version);
    for (const auto& t : model->tensors) {
      REQUIRE(t.tensor);
      if (t.tensor->storage && !t.tensor->storage->data_missing)
        CHECK(t.tensor->min_storage_bytes() <= t.tensor->storage->data.size());
    }
  }
  CHECK(opened == rows.size());
}
