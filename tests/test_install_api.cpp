// The public facade (include/ptscope/ptscope.h): Result, tensor views over
// strided storages, and the entry points' error behaviour. The installed
// package itself is tested by tests/install/run.sh.
#include <catch2/catch.hpp>

#include <cstring>
#include <thread>

#include "ptscope/ptscope.h"
#include "test_paths.h"

using namespace ptscope;

namespace {

std::vector<float> floats(const std::vector<uint8_t>& bytes) {
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

}  // namespace

TEST_CASE("Result holds a value or the Error", "[api]") {
  Result<int> ok = 7;
  CHECK(ok.ok());
  CHECK(*ok == 7);
  CHECK_THROWS_AS(ok.error(), Error);

  Result<int> bad = Error(ErrorCode::corrupt, "broken");
  CHECK_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::corrupt);
  CHECK_THROWS_WITH(bad.value(), "broken");

  auto oom = try_invoke([]() -> int { throw std::bad_alloc(); });
  CHECK(oom.error().code() == ErrorCode::limit_exceeded);
  auto bug = try_invoke([]() -> int { throw std::out_of_range("index 9"); });
  CHECK(bug.error().code() == ErrorCode::corrupt);
  CHECK(std::string(bug.error().what()) == "internal error: index 9");
}

TEST_CASE("try_ entry points return errors instead of throwing", "[api]") {
  auto missing = try_open(test::fixture("models/no-such-file.pt"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::io);
  CHECK_THROWS_AS(open(test::fixture("models/no-such-file.pt")), Error);

  CHECK_THROWS_AS(open_bytes(std::vector<uint8_t>(64, 'x'), "garbage"), Error);
  auto garbage = try_invoke([] { return open_bytes(std::vector<uint8_t>(64, 'x'), "garbage"); });
  CHECK(garbage.error().code() == ErrorCode::not_pytorch);
}

TEST_CASE("tensor views copy strided data in row-major order", "[api]") {
  auto model = open(test::fixture("models/shared_views.pth"));
  auto mat = find_tensor(*model, "mat");
  auto mat_t = find_tensor(*model, "mat_t");
  REQUIRE(mat);
  REQUIRE(mat_t);
  REQUIRE(mat_t->shape() == std::vector<int64_t>{4, 3});
  CHECK_FALSE(mat_t->is_contiguous());
  CHECK_THROWS_AS(mat_t->values<float>(), Error);  // no zero-copy span of a transposed view

  const auto m = mat->values<float>();
  const auto t = floats(mat_t->contiguous_bytes());
  REQUIRE(t.size() == 12);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) CHECK(t[size_t(i * 3 + j)] == m[size_t(j * 4 + i)]);

  // stride 0 (expand) repeats the row; as_strided with an offset
  auto expanded = find_tensor(*model, "expanded");
  const auto e = floats(expanded->contiguous_bytes());
  REQUIRE(e.size() == 12);
  for (int i = 1; i < 3; ++i)
    for (int j = 0; j < 4; ++j) CHECK(e[size_t(i * 4 + j)] == e[size_t(j)]);
  auto strided = find_tensor(*model, "as_strided");
  const auto base = find_tensor(*model, "base")->values<float>();
  const auto s = floats(strided->contiguous_bytes());  // shape [2, 2], strides [1, 3], offset 4 of `base`
  REQUIRE(s.size() == 4);
  CHECK(s[0] == base[4]);
  CHECK(s[1] == base[7]);
  CHECK(s[2] == base[5]);
  CHECK(s[3] == base[8]);
  CHECK(strided->bytes().size() == 5 * sizeof(float));  // elements 4..8 of the storage
}

TEST_CASE("typed views check the dtype and convert reduced precision", "[api]") {
  auto model = open(test::fixture("models/half_bf16.pth"));
  auto i64 = find_tensor(*model, "i64");
  REQUIRE(i64);
  CHECK(i64->values<int64_t>().size() == 6);
  CHECK_THROWS_AS(i64->values<int32_t>(), Error);
  auto bf16 = find_tensor(*model, "bf16");
  double sum = 0;
  for (double v : bf16->to_doubles()) sum += v;
  CHECK(sum == Approx(2.032958984375));
  CHECK(bf16->bytes().size() == 21 * 2);
  CHECK_FALSE(find_tensor(*model, "nope"));
  CHECK(tensors(*model).size() == model->tensors.size());
}

TEST_CASE("independent models on several threads", "[api]") {
  const std::string path = test::fixture("models/mlp_state_dict.pth");
  std::vector<std::string> reports(3);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < reports.size(); ++i)
    threads.emplace_back([&, i] {
      auto model = open(path);
      ModelStatsOptions options;
      options.stats.threads = 1;
      reports[i] = render(compute_stats(*model, options), Format::json, options);
    });
  for (auto& t : threads) t.join();
  // Timings differ between runs; everything before them must not.
  auto stable = [](const std::string& r) { return r.substr(0, r.find("\"timings\"")); };
  CHECK(stable(reports[0]) == stable(reports[1]));
  CHECK(stable(reports[0]) == stable(reports[2]));
}

TEST_CASE("reports render in every format", "[api]") {
  const std::string path = test::fixture("models/mlp_state_dict.pth");
  auto model = open(path);
  CHECK(render(*model).find("fc1.weight") != std::string::npos);
  CHECK(render(*model, Format::json).find(kInfoSchema) != std::string::npos);
  CHECK_THROWS_AS(render(*model, Format::sarif), Error);
  const auto report = run_audit(path);
  CHECK(render(report, Format::json).find("ptscope.audit/1") != std::string::npos);
  CHECK(render(report, Format::sarif).find("\"2.1.0\"") != std::string::npos);
  CHECK(std::string(version()) == PTSCOPE_VERSION_STRING);
}

TEST_CASE("op graph through the facade", "[api]") {
  auto model = open(test::fixture("models/resnet_tiny_scripted.pt"));
  std::vector<graph::ModuleCall> calls;
  auto g = try_build_op_graph(*model, {}, &calls);
  REQUIRE(g.ok());
  CHECK(g->totals().flops > 0);
  CHECK_FALSE(calls.empty());
  const GraphReport report{model.get(), &*g, &calls};
  CHECK(render(report, Format::json).find(kGraphSchema) != std::string::npos);
  CHECK_THROWS_AS(render(GraphReport{}, Format::text), Error);
  // A state_dict has no code to run.
  auto weights = open(test::fixture("models/mlp_state_dict.pth"));
  CHECK_FALSE(try_build_op_graph(*weights).ok());
}
