// run_assignment.h: run one assigned job from its encoded request.
#pragma once

#include "taskmill/cancellation.h"
#include "taskmill/job_context.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::worker {

// Runs the job the assignment names through the process's JobRegistry and
// returns its result, never throwing: an unknown job or a request that does
// not decode is REJECTED; the job's exception is FAILED (or CANCELLED /
// TIMED_OUT after a cancel or past the deadline, as on threads).
// `progress` receives the job's progress reports (may be null).
v1::JobResult run_assignment(const v1::Assignment& assignment, const CancelFlag& cancel, ProgressSink* progress);

}  // namespace taskmill::worker
