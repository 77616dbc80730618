// outcome.h: how a job's exception maps to its outcome, the same way on a
// worker thread and in a worker process.
#pragma once

#include <exception>
#include <string>

#include "taskmill/ids.h"

namespace taskmill::detail {

struct JobFailure {
  JobState state;       // kFailed, kCancelled or kTimedOut
  std::string type;     // the thrown C++ type (kFailed)
  std::string message;
};

// Call in a catch block. CancelledError after a cancel request is CANCELLED;
// CancelledError or TimeoutError past the deadline is TIMED_OUT; anything
// else, including those two when nobody asked, is FAILED.
JobFailure classify_current_exception(bool cancel_requested, bool deadline_passed);

// The exception Future::get() throws for a job that ended in `failure`.
std::exception_ptr to_exception(JobId id, const JobFailure& failure, int attempt);

}  // namespace taskmill::detail
