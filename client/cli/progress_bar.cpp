#include "progress_bar.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace taskmill::cli {

namespace {
constexpr int kWidth = 30;
}

ProgressBar::ProgressBar(std::size_t total, bool enabled) : total_(total), shown_(enabled && ::isatty(STDERR_FILENO)) {}

ProgressBar::~ProgressBar() {
  if (shown_) std::fputs("\r\033[K", stderr);
}

void ProgressBar::update(std::size_t done, std::size_t failed) {
  if (!shown_) return;
  const auto now = Clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double fraction = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string eta = "?";
  if (rate > 0) eta = std::to_string(static_cast<long>(static_cast<double>(total_ - done) / rate + 0.5)) + "s";
  std::fprintf(stderr, "\r\033[K[%s] %zu/%zu  %.1f/s  ETA %s", bar.c_str(), done, total_, rate, eta.c_str());
  if (failed > 0) std::fprintf(stderr, "  %zu failed", failed);
  std::fflush(stderr);
}

}  // namespace taskmill::cli
