// run_assignment.h: run one assigned job from its encoded request.
#pragma once

#include <chrono>
#include <string_view>

#include "taskmill/cancellation.h"
#include "taskmill/job_context.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::worker {

// Runs the job the assignment names through the process's JobRegistry and
// returns its result, never throwing: an unknown job or a request that does
// not decode is REJECTED; the job's exception is FAILED (or CANCELLED /
// TIMED_OUT after a cancel or past the deadline, as on threads).
// `progress` receives the job's progress reports (may be null). The
// assignment's timeout counts from `received`; a job past it before it starts
// is TIMED_OUT without running. `payload`: its request (the assignment's
// own, or the frame it named).
v1::JobResult run_assignment(const v1::Assignment& assignment, std::string_view payload,
                             std::chrono::steady_clock::time_point received, const CancelFlag& cancel,
                             ProgressSink* progress);

}  // namespace taskmill::worker
