// A program written against the installed headers only, built twice by
// run.sh: through the CMake package's static target and through pkg-config
// (shared library). It exercises the facade on a fixture and exits non-zero
// on the first mismatch.
//   ptscope-consumer FIXTURES_DIR
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <ptscope/ptscope.h>

namespace {

int failures = 0;
void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}

double sum_of(const ptscope::Model& model, const char* name) {
  double s = 0;
  for (float v : ptscope::find_tensor(model, name)->values<float>()) s += v;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 64;
  const std::string dir = argv[1];
  const std::string mlp = dir + "/models/mlp_state_dict.pth";

  expect(std::string(ptscope::version()) == PTSCOPE_VERSION_STRING, "version() matches <ptscope/version.h>");

  // Errors as values, and the same error as an exception from value().
  auto missing = ptscope::try_open(dir + "/no-such-file.pt");
  expect(!missing && missing.error().code() == ptscope::ErrorCode::io, "try_open reports io for a missing file");
  bool threw = false;
  try {
    (void)missing.value();
  } catch (const ptscope::Error& e) {
    threw = e.code() == ptscope::ErrorCode::io;
  }
  expect(threw, "Result::value() rethrows the stored Error");

  auto model = ptscope::open(mlp);
  expect(model->kind == ptscope::FileKind::torch_save_zip, "kind");
  const auto views = ptscope::tensors(*model);
  expect(!views.empty() && views.front().name() == "fc1.weight", "tensor table order");
  auto w = ptscope::find_tensor(*model, "fc1.weight");
  expect(w && w->dtype() == ptscope::DType::float32 && w->shape() == std::vector<int64_t>{32, 16} &&
             w->strides() == std::vector<int64_t>{16, 1},
         "fc1.weight dtype/shape/strides");
  expect(w->values<float>().size() == 512 && w->bytes().size() == 512 * 4, "typed zero-copy span");
  expect(std::fabs(sum_of(*model, "fc1.weight") - -4.054196834564209) < 1e-4, "fc1.weight sum matches torch");
  bool mismatch = false;
  try {
    (void)w->values<double>();
  } catch (const ptscope::Error& e) {
    mismatch = e.code() == ptscope::ErrorCode::usage;
  }
  expect(mismatch, "values<double>() on float32 throws Error(usage)");

  // Views keep their storage (and the mapping) alive after the Model is gone.
  model.reset();
  expect(w->contiguous_bytes().size() == 512 * 4 && std::fabs(w->to_doubles()[0]) < 10, "view outlives its Model");

  // Independent models on different threads.
  std::vector<double> sums(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < sums.size(); ++i)
    threads.emplace_back([&, i] { sums[i] = sum_of(*ptscope::open(mlp), "fc2.weight"); });
  for (auto& t : threads) t.join();
  for (double s : sums) expect(s == sums[0] && std::fabs(s - 4.103779643657617) < 1e-4, "same sums on every thread");

  // Analyses and reports.
  auto again = ptscope::open(mlp);
  ptscope::ModelStatsOptions options;
  options.stats.threads = 2;
  auto stats = ptscope::try_compute_stats(*again, options);
  expect(stats.ok() && stats->tensors.size() == views.size(), "compute_stats");
  if (stats) expect(ptscope::render(*stats, ptscope::Format::json, options).find("ptscope.stats/1") != std::string::npos,
                    "stats JSON schema id");
  expect(ptscope::render(*again, ptscope::Format::json).find("ptscope.info/1") != std::string::npos, "info JSON");
  auto report = ptscope::run_audit(mlp);
  expect(report.verdict() == "clean", "audit verdict of a plain state_dict");
  expect(ptscope::render(report, ptscope::Format::sarif).find("2.1.0") != std::string::npos, "SARIF");
  auto sarif = ptscope::try_invoke([&] { return ptscope::render(*again, ptscope::Format::sarif); });
  expect(!sarif && sarif.error().code() == ptscope::ErrorCode::usage, "SARIF only for audits");

  std::printf("consumer: %s (ptscope %s, CUDA %s)\n", failures ? "FAILED" : "ok", ptscope::version(),
              ptscope::has_cuda() ? "yes" : "no");
  return failures ? 1 : 0;
}
