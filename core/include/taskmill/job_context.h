// job_context.h: what a running job may ask of the executor running it.
//
//   std::int64_t count_primes(const Range& r, taskmill::JobContext& ctx) {
//     for (auto n = r.lo(); n < r.hi(); ++n) {
//       if (n % 4096 == 0) ctx.throw_if_cancelled();   // cooperative cancel
//       ...
//     }
//   }
//
// Cancellation is cooperative: Future::cancel() on a running job, or its
// deadline passing, makes cancelled() true; the job stops by returning or by
// calling throw_if_cancelled(). A job that never looks simply runs to the end.
//
// Thread-safety: a JobContext belongs to the thread running its job; only
// cancelled()/deadline() may be read from threads the job starts itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "taskmill/cancellation.h"
#include "taskmill/ids.h"

namespace spdlog {
class logger;
}

namespace taskmill {

// Receives a job's progress reports. Implemented by the executor.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void on_progress(double fraction, std::string_view note) = 0;
};

class JobContext {
 public:
  using Clock = std::chrono::steady_clock;

  // Made by the executor that runs the job; `cancel` and `progress` outlive it.
  JobContext(JobId id, int attempt, const CancelFlag* cancel,
             std::optional<Clock::time_point> deadline, ProgressSink* progress) noexcept
      : id_(id), attempt_(attempt), cancel_(cancel), deadline_(deadline), progress_(progress) {}

  JobId id() const noexcept { return id_; }
  // 1 on the first run; higher when the job is run again after its worker died.
  int attempt() const noexcept { return attempt_; }
  std::optional<Clock::time_point> deadline() const noexcept { return deadline_; }

  // True once the job was cancelled or its deadline passed.
  bool cancelled() const noexcept;
  // Throws CancelledError if cancelled, TimeoutError if past the deadline.
  void throw_if_cancelled() const;
  // Sleeps for `duration`, waking early on cancellation or at the deadline.
  // Returns false if it woke early.
  bool sleep_for(Clock::duration duration) const noexcept;

  // Reports how far the job is, `fraction` in [0, 1] (clamped); Future::progress()
  // shows the latest report.
  void report_progress(double fraction, std::string_view note = {}) const;

  // The taskmill logger (include <spdlog/spdlog.h> to use it).
  spdlog::logger& log() const;

 private:
  bool past_deadline() const noexcept { return deadline_ && Clock::now() >= *deadline_; }

  JobId id_;
  int attempt_;
  const CancelFlag* cancel_;
  std::optional<Clock::time_point> deadline_;
  ProgressSink* progress_;
};

}  // namespace taskmill
