// A one-line progress bar on stderr, drawn only when stderr is a terminal
// (so logs and pipes stay clean): "[######------] 3/7 weight statistics".
#pragma once
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace ptscope::cli {

class ProgressBar {
 public:
  ProgressBar() : enabled_(isatty(STDERR_FILENO) != 0) {}
  ~ProgressBar() { clear(); }
  void update(std::string_view what, int step, int steps) {
    if (!enabled_ || steps <= 0) return;
    constexpr int kWidth = 24;
    const int filled = std::min(kWidth, std::max(0, kWidth * step / steps));
    std::string line = "\r[" + std::string(size_t(filled), '#') + std::string(size_t(kWidth - filled), '-') + "] " +
                       std::to_string(step) + "/" + std::to_string(steps) + " " + std::string(what);
    if (line.size() > 100) line.resize(100);
    const size_t shown = line.size();
    if (shown < last_) line += std::string(last_ - shown, ' ');
    last_ = shown;
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }
  void clear() {
    if (!enabled_ || last_ == 0) return;
    std::fputs(("\r" + std::string(last_, ' ') + "\r").c_str(), stderr);
    std::fflush(stderr);
    last_ = 0;
  }

 private:
  bool enabled_;
  size_t last_ = 0;
};

}  // namespace ptscope::cli
