#include "taskmill/detail/admission.h"

#include "taskmill/errors.h"

namespace taskmill::detail {

void Admission::acquire(std::size_t n) {
  std::unique_lock lock(mu_);
  auto fits = [&] { return pending_ == 0 || pending_ + n <= limit_; };
  if (!fits()) {
    if (when_full_ == WhenFull::kFail) {
      throw QueueFullError("max_pending (" + std::to_string(limit_) + ") jobs are unfinished");
    }
    freed_.wait(lock, fits);
  }
  pending_ += n;
}

void Admission::release(std::size_t n) noexcept {
  {
    std::lock_guard lock(mu_);
    pending_ -= n;
  }
  freed_.notify_all();
}

}  // namespace taskmill::detail
