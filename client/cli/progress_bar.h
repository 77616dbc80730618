// progress_bar.h: "[=====>     ] 120/2000  35.2/s  ETA 53s" on stderr while
// a map runs, redrawn at most ten times a second; nothing when stderr is not
// a terminal (so logs and pipes stay clean).
#pragma once

#include <chrono>
#include <cstddef>

namespace taskmill::cli {

class ProgressBar {
 public:
  // Shown only if `enabled` and stderr is a terminal.
  ProgressBar(std::size_t total, bool enabled);
  // Erases the bar.
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::size_t done, std::size_t failed);

 private:
  using Clock = std::chrono::steady_clock;
  std::size_t total_;
  bool shown_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace taskmill::cli
