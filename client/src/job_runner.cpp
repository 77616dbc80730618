#include "job_runner.h"

#include "taskmill/detail/outcome.h"
#include "taskmill/errors.h"

namespace taskmill::detail {
namespace {

bool past(const std::optional<Clock::time_point>& deadline) { return deadline && Clock::now() >= *deadline; }

}  // namespace

void run_job(SharedState& task, int attempt) noexcept {
  if (!task.try_start()) return;  // cancelled while queued
  if (past(task.placement().deadline)) {
    task.finish_with_error(JobState::kTimedOut,
                           to_exception(task.id(), {JobState::kTimedOut, "", "reached its deadline before it started"}, attempt));
    return;
  }
  JobContext context(task.id(), attempt, &task.cancel_flag(), task.placement().deadline, &task);
  try {
    task.execute(context);
  } catch (...) {
    JobFailure failure = classify_current_exception(task.cancel_flag().requested(), past(task.placement().deadline));
    task.finish_with_error(failure.state, to_exception(task.id(), failure, attempt));
  }
}

}  // namespace taskmill::detail
