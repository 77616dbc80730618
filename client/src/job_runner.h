// job_runner.h: run one queued job to its outcome, on the calling thread.
#pragma once

#include "taskmill/detail/shared_state.h"

namespace taskmill::detail {

// Starts `task` unless it was cancelled or its deadline passed while queued,
// runs it, and stores exactly one outcome: the reply, or the error that maps
// what the job threw (CancelledError after a cancel -> CANCELLED,
// TimeoutError past the deadline -> TIMED_OUT, anything else -> FAILED with
// a JobError naming the thrown type).
void run_job(SharedState& task, int attempt) noexcept;

}  // namespace taskmill::detail
