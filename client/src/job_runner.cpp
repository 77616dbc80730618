#include "job_runner.h"

#include "taskmill/detail/exception_info.h"
#include "taskmill/errors.h"

namespace taskmill::detail {
namespace {

bool past(const std::optional<Clock::time_point>& deadline) { return deadline && Clock::now() >= *deadline; }

void finish_timed_out(SharedState& task, const char* when) {
  task.finish_with_error(JobState::kTimedOut,
                         std::make_exception_ptr(TimeoutError("job " + to_string(task.id()) + " " + when)));
}

// Call in a catch block.
void finish_from_exception(SharedState& task, int attempt) noexcept {
  const bool cancel_requested = task.cancel_flag().requested();
  const bool deadline_passed = past(task.placement().deadline);
  try {
    throw;
  } catch (const CancelledError&) {
    if (cancel_requested) {
      task.finish_with_error(JobState::kCancelled, std::make_exception_ptr(
                                                       CancelledError("job " + to_string(task.id()) + " was cancelled")));
      return;
    }
    if (deadline_passed) return finish_timed_out(task, "passed its deadline");
  } catch (const TimeoutError&) {
    if (deadline_passed) return finish_timed_out(task, "passed its deadline");
  } catch (...) {
  }
  ExceptionInfo info = describe_current_exception();
  task.finish_with_error(JobState::kFailed, std::make_exception_ptr(JobError(info.type, info.message, attempt)));
}

}  // namespace

void run_job(SharedState& task, int attempt) noexcept {
  if (!task.try_start()) return;  // cancelled while queued
  if (past(task.placement().deadline)) return finish_timed_out(task, "reached its deadline before it started");
  JobContext context(task.id(), attempt, &task.cancel_flag(), task.placement().deadline, &task);
  try {
    task.execute(context);
  } catch (...) {
    finish_from_exception(task, attempt);
  }
}

}  // namespace taskmill::detail
