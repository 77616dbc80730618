#include "taskmill/job_context.h"

#include <algorithm>

#include "taskmill/errors.h"
#include "taskmill/log.h"

namespace taskmill {

bool JobContext::cancelled() const noexcept {
  return (cancel_ != nullptr && cancel_->requested()) || past_deadline();
}

void JobContext::throw_if_cancelled() const {
  if (cancel_ != nullptr && cancel_->requested()) throw CancelledError();
  if (past_deadline()) throw TimeoutError("job passed its deadline");
}

bool JobContext::sleep_for(Clock::duration duration) const noexcept {
  auto until = Clock::now() + duration;
  if (deadline_) until = std::min(until, *deadline_);
  if (cancel_ != nullptr) {
    cancel_->wait_until(until);
  } else {
    CancelFlag never;
    never.wait_until(until);
  }
  return !cancelled();
}

void JobContext::report_progress(double fraction, std::string_view note) const {
  if (progress_ != nullptr) progress_->on_progress(std::clamp(fraction, 0.0, 1.0), note);
}

spdlog::logger& JobContext::log() const { return logger(); }

}  // namespace taskmill
