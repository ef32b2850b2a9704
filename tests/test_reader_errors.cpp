// Broken, truncated and foreign input: always a ptscope::Error with a reason,
// never a crash, hang or unbounded allocation.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/error.h"
#include "core/model.h"
#include "test_paths.h"
#include "torch_file_builder.h"

using namespace ptscope;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::unique_ptr<Model> load_bytes(std::vector<uint8_t> bytes) {
  return load_model(MappedFile::from_bytes(std::move(bytes), "<test>"));
}

ErrorCode error_of(std::vector<uint8_t> bytes) {
  try {
    load_bytes(std::move(bytes));
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("expected an error");
  return ErrorCode::usage;
}

}  // namespace

TEST_CASE("hand-built state_dict loads", "[reader][errors]") {
  auto model = load_bytes(test::build_state_dict_file(10, 2, 5, 40));
  REQUIRE(model->tensors.size() == 1);
  CHECK(model->tensors[0].name == "w");
  CHECK(model->tensors[0].tensor->shape == std::vector<int64_t>{5});
  CHECK(model->tensors[0].tensor->storage_offset == 2);
  CHECK(model->kind == FileKind::torch_save_zip);
}

TEST_CASE("storage record shorter than declared is an error", "[reader][errors]") {
  CHECK(error_of(test::build_state_dict_file(10, 0, 10, 39)) == ErrorCode::corrupt);
}

TEST_CASE("tensor view past its storage is an error", "[reader][errors]") {
  CHECK(error_of(test::build_state_dict_file(10, 6, 5, 40)) == ErrorCode::corrupt);
}

TEST_CASE("missing storage record is an error", "[reader][errors]") {
  auto bytes = test::build_stored_zip({{"archive/data.pkl", test::state_dict_pickle(4, 0, 4)}, {"archive/version", "3\n"}});
  CHECK(error_of(bytes) == ErrorCode::corrupt);
}

TEST_CASE("foreign input is rejected as not PyTorch", "[reader][errors]") {
  CHECK(error_of({}) == ErrorCode::not_pytorch);
  std::string text = "hello, this is not a model\n";
  CHECK(error_of(std::vector<uint8_t>(text.begin(), text.end())) == ErrorCode::not_pytorch);
  // A zip without a top folder and without data.pkl.
  CHECK(error_of(test::build_stored_zip({{"readme.txt", "hi"}})) == ErrorCode::not_pytorch);
  CHECK(error_of(test::build_stored_zip({{"folder/readme.txt", "hi"}})) == ErrorCode::not_pytorch);
}

TEST_CASE("recognised but unread kinds say what they are", "[reader][errors]") {
  std::vector<uint8_t> preview = {'P', 'Y', 'T', 'O', 'R', 'C', 'H', '1', 0, 0, 0, 0};
  CHECK(error_of(preview) == ErrorCode::unsupported);
  // model.json archives are read; an empty definition is corrupt, not foreign.
  CHECK(error_of(test::build_stored_zip({{"m/model.json", "{}"}, {"m/version", "1\n"}})) == ErrorCode::corrupt);
  CHECK(error_of(test::build_stored_zip({{"m/model.json", "not json"}, {"m/version", "1\n"}})) == ErrorCode::corrupt);
  std::vector<uint8_t> flatbuffer = {0x1c, 0, 0, 0, 'P', 'T', 'M', 'F', 0, 0, 0, 0};
  CHECK(error_of(flatbuffer) == ErrorCode::unsupported);
}

TEST_CASE("missing file and directory are io errors", "[reader][errors]") {
  CHECK_THROWS_AS(load_model(std::string("/nonexistent/model.pt")), Error);
  try {
    load_model(test::source_dir());
    FAIL("directory accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::io);
  }
}

TEST_CASE("every prefix of real fixtures fails cleanly", "[reader][errors][truncation]") {
  for (const char* name : {"models/mlp_state_dict.pth", "models/resnet_tiny_scripted.pt", "models/legacy_stream.pth",
                           "models/legacy_tar.pth", "models/mobile.ptl"}) {
    const auto bytes = read_file(test::fixture(name));
    REQUIRE(!bytes.empty());
    INFO(name);
    // Dense near both ends (headers, central directory), sparse in between.
    std::vector<size_t> cuts;
    for (size_t i = 0; i < std::min<size_t>(bytes.size(), 600); ++i) cuts.push_back(i);
    for (size_t i = 0; i < std::min<size_t>(bytes.size(), 600); ++i) cuts.push_back(bytes.size() - 1 - i);
    for (size_t i = 600; i < bytes.size(); i += std::max<size_t>(1, bytes.size() / 300)) cuts.push_back(i);
    for (size_t cut : cuts) {
      std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + cut);
      try {
        load_bytes(std::move(prefix));
      } catch (const Error&) {
      }
    }
  }
  SUCCEED("no crash on any prefix");
}

TEST_CASE("random corruption never crashes", "[reader][errors][fuzz]") {
  std::mt19937 rng(1234);
  for (const char* name : {"models/checkpoint.pth", "models/resnet_tiny_scripted.pt", "models/legacy_stream.pth",
                           "models/quantized_int8.pt"}) {
    const auto bytes = read_file(test::fixture(name));
    REQUIRE(!bytes.empty());
    for (int round = 0; round < 300; ++round) {
      auto copy = bytes;
      const int flips = 1 + int(rng() % 8);
      for (int f = 0; f < flips; ++f) copy[rng() % copy.size()] = uint8_t(rng());
      try {
        auto model = load_bytes(std::move(copy));
        // Whatever loads must be safe to walk.
        for (const auto& t : model->tensors) (void)t.tensor->numel();
      } catch (const Error&) {
      }
    }
  }
  SUCCEED("no crash");
}

TEST_CASE("a real torch.export archive is read as one", "[reader][errors]") {
  // Was "recognised but not read"; the .pt2 reader's own tests are tests/test_pt2.cpp.
  auto m = load_model(test::fixture("models/t2_exported.pt2"));
  CHECK(m->kind == FileKind::exported_program);
  REQUIRE(m->exported);
  CHECK(m->tensors.size() == 2);
}
