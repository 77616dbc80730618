#include "taskmill/detail/outcome.h"

#include "taskmill/detail/exception_info.h"
#include "taskmill/errors.h"

namespace taskmill::detail {

JobFailure classify_current_exception(bool cancel_requested, bool deadline_passed) {
  try {
    throw;
  } catch (const CancelledError&) {
    if (cancel_requested) return {JobState::kCancelled, "", "job was cancelled"};
    if (deadline_passed) return {JobState::kTimedOut, "", "job passed its deadline"};
  } catch (const TimeoutError&) {
    if (deadline_passed) return {JobState::kTimedOut, "", "job passed its deadline"};
  } catch (...) {
  }
  ExceptionInfo info = describe_current_exception();
  return {JobState::kFailed, std::move(info.type), std::move(info.message)};
}

std::exception_ptr to_exception(JobId id, const JobFailure& failure, int attempt) {
  switch (failure.state) {
    case JobState::kCancelled:
      return std::make_exception_ptr(CancelledError("job " + to_string(id) + " was cancelled"));
    case JobState::kTimedOut:
      return std::make_exception_ptr(TimeoutError("job " + to_string(id) + " " + failure.message));
    default:
      return std::make_exception_ptr(JobError(failure.type, failure.message, attempt));
  }
}

}  // namespace taskmill::detail
