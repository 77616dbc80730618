// admission.h: the bound on an executor's unfinished jobs (Config::max_pending).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "taskmill/config.h"
#include "taskmill/annotations.h"

namespace taskmill::detail {

class Admission {
 public:
  Admission(std::size_t limit, WhenFull when_full) : limit_(limit), when_full_(when_full) {}

  // Takes `n` places: waits while they would pass the limit (unless nothing
  // is pending, so a batch larger than the limit still goes alone), or throws
  // QueueFullError when told to fail.
  void acquire(std::size_t n);
  // Gives `n` places back. Never blocks; safe from any thread.
  void release(std::size_t n) noexcept;

 private:
  const std::size_t limit_;
  const WhenFull when_full_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::size_t pending_ TASKMILL_GUARDED_BY(mu_) = 0;
};

}  // namespace taskmill::detail
