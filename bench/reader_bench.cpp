// In-process timing of the reader, the counterpart of torch.load timed inside
// Python: median of N runs of load_model + building the info JSON, per file.
// Usage: ptscope_reader_bench REPEAT FILE...   (prints "FILE median_ms")
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/model.h"
#include "report/info_report.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s REPEAT FILE...\n", argv[0]);
    return 64;
  }
  const int repeat = std::max(1, std::atoi(argv[1]));
  for (int f = 2; f < argc; ++f) {
    std::vector<double> ms;
    size_t sink = 0;
    for (int r = 0; r < repeat + 1; ++r) {  // first run warms the page cache
      auto t0 = std::chrono::steady_clock::now();
      auto model = ptscope::load_model(argv[f]);
      sink += ptscope::info_json(*model).size();
      auto t1 = std::chrono::steady_clock::now();
      if (r > 0) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    std::printf("%s %.4f %zu\n", argv[f], ms[ms.size() / 2], sink);
  }
  return 0;
}
