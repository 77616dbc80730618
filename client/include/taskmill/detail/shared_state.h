// shared_state.h: the state a Future shares with the backend running its job.
//
// One allocation per job holds the request, the result, the state word and the
// cancel flag. The state word moves QUEUED -> RUNNING -> terminal by CAS, and a
// "claimed" bit lets exactly one party (the job's runner, or cancel() of a
// queued job) write the result: every future sees exactly one outcome.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "taskmill/annotations.h"
#include "taskmill/cancellation.h"
#include "taskmill/ids.h"
#include "taskmill/job_context.h"
#include "taskmill/status.h"

namespace taskmill {

// A job's latest progress report (JobContext::report_progress).
struct Progress {
  double fraction = 0.0;
  std::string note;
};

namespace detail {

using Clock = std::chrono::steady_clock;

// Where and when a job may run: fixed at submit.
struct Placement {
  int priority = 0;
  std::optional<Clock::time_point> deadline;
};

// Told when a job's future is cancelled, so a remote backend can pass it on.
class CancelListener {
 public:
  virtual ~CancelListener() = default;
  virtual void on_cancel(JobId id) noexcept = 0;
};

// A job as it crosses a process boundary.
struct WireRequest {
  std::string_view job;  // the registered name
  std::string payload;   // the encoded request, or a taskmill.v1.Batch of them
  bool chunk = false;
};

class SharedState : public ProgressSink {
 public:
  SharedState(JobId id, Placement placement) noexcept : id_(id), placement_(placement) {}
  SharedState(const SharedState&) = delete;
  SharedState& operator=(const SharedState&) = delete;

  JobId id() const noexcept { return id_; }
  const Placement& placement() const noexcept { return placement_; }
  JobState state() const noexcept { return static_cast<JobState>(word_.load(std::memory_order_acquire) & kCodeMask); }
  bool done() const noexcept { return is_terminal(state()); }

  // Blocks until done, or until `deadline`; returns done().
  void wait() const noexcept;
  bool wait_until(Clock::time_point deadline) const noexcept;

  // The error get() throws; nullptr after success. Valid once done().
  std::exception_ptr error() const noexcept { return error_; }

  // QUEUED -> RUNNING. False if the job was cancelled (or otherwise finished) first.
  bool try_start() noexcept;
  // A queued job becomes CANCELLED (true); a running one has its flag raised
  // (false); a finished one is left alone (true only if it was cancelled).
  bool cancel() noexcept;
  // Raises the cancel flag a running job polls through JobContext.
  void request_cancel() noexcept { cancel_.request(); }
  const CancelFlag& cancel_flag() const noexcept { return cancel_; }

  // Ends the job with an error; false if it had already ended.
  bool finish_with_error(JobState final_state, std::exception_ptr error) noexcept;

  // Calls `fn` once the job is done: at once, on this thread, if it already
  // is; otherwise on the thread that finishes it. `fn` must not throw.
  void add_callback(std::function<void()> fn);

  Progress progress() const;
  void on_progress(double fraction, std::string_view note) override;

  // Runs the job and stores its result (tasks only; see JobTask).
  virtual void execute(JobContext& context);
  // Process backends: the job's name and encoded request (tasks only). A
  // request encoded at submit is moved out, not copied: the caller keeps it
  // from then on, and a second call returns an empty payload.
  virtual WireRequest encode_request();
  // Process backends: decodes the reply bytes and stores the result.
  virtual Status decode_reply(std::string_view bytes);

  // Set before the job is handed out; cancel() then reports to it.
  void set_cancel_listener(std::weak_ptr<CancelListener> listener) { listener_ = std::move(listener); }

 protected:
  // Claims the right to write the result. Exactly one caller ever gets true.
  bool try_claim() noexcept;
  // Publishes the result written after try_claim(): wakes waiters, runs callbacks.
  void publish(JobState final_state) noexcept;

 private:
  static constexpr std::uint32_t kCodeMask = 0xff;
  static constexpr std::uint32_t kClaimed = 1u << 30;  // a result is being written
  static constexpr std::uint32_t kWaiters = 1u << 31;  // someone sleeps on the word

  void run_callbacks() noexcept;
  void notify_cancel() noexcept;

  const JobId id_;
  const Placement placement_;
  mutable std::atomic<std::uint32_t> word_{static_cast<std::uint32_t>(JobState::kQueued)};  // waiters set a bit
  std::exception_ptr error_;  // written by the claimant before publish()
  CancelFlag cancel_;
  std::weak_ptr<CancelListener> listener_;
  std::atomic<bool> has_callbacks_{false};
  mutable std::mutex mu_;
  std::vector<std::function<void()>> callbacks_ TASKMILL_GUARDED_BY(mu_);
  Progress progress_ TASKMILL_GUARDED_BY(mu_);
};

// A SharedState with a value of type R.
template <class R>
class ValueState : public SharedState {
 public:
  using SharedState::SharedState;

  // Stores the job's result; false if the job had already ended.
  bool set_value(R&& value) {
    if (!try_claim()) return false;
    value_.emplace(std::move(value));
    publish(JobState::kSucceeded);
    return true;
  }
  // Valid once state() is kSucceeded.
  R& value() noexcept { return *value_; }

 private:
  std::optional<R> value_;
};

}  // namespace detail
}  // namespace taskmill
