#include "run_assignment.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "taskmill/detail/batch.h"
#include "taskmill/detail/outcome.h"
#include "taskmill/job.h"
#include "taskmill/wire.h"

namespace taskmill::worker {
namespace {

using Clock = std::chrono::steady_clock;

v1::Outcome to_outcome(JobState state) {
  switch (state) {
    case JobState::kCancelled: return v1::OUTCOME_CANCELLED;
    case JobState::kTimedOut: return v1::OUTCOME_TIMED_OUT;
    default: return v1::OUTCOME_FAILED;
  }
}

void reject(v1::JobResult& result, const std::string& type, const std::string& message) {
  result.set_outcome(v1::OUTCOME_REJECTED);
  result.set_error_type(type);
  result.set_error_message(message);
}

// A chunk: a Batch of requests in, a Batch of replies out, in order.
std::string run_chunk(const JobInfo& job, std::string_view payload, JobContext& context) {
  std::vector<std::string_view> requests;
  if (!detail::split_batch(payload, &requests).is_ok()) throw CodecError("malformed batch of requests");
  std::string replies;
  for (std::string_view request : requests) {
    context.throw_if_cancelled();
    detail::append_batch_item(replies, job.run_encoded(request, context));
  }
  return replies;
}

}  // namespace

v1::JobResult run_assignment(const v1::Assignment& assignment, std::string_view payload, Clock::time_point received,
                             const CancelFlag& cancel, ProgressSink* progress) {
  v1::JobResult result;
  result.set_id(assignment.id());
  result.set_attempt(assignment.attempt());
  const JobInfo* job = JobRegistry::global().find(assignment.job());
  if (job == nullptr) {
    reject(result, "taskmill::UnknownJobError", "this worker has no job named '" + assignment.job() + "'");
    return result;
  }
  std::optional<Clock::time_point> deadline;
  if (assignment.timeout_ms() > 0) deadline = received + wire::timeout_from_wire(assignment.timeout_ms());
  JobContext context(JobId{assignment.client_id()}, static_cast<int>(assignment.attempt()), &cancel, deadline, progress);
  if (deadline && Clock::now() >= *deadline) {
    // Prefetched, it waited in this worker's queue past its deadline: like a
    // job that times out in the coordinator's queue, it never starts.
    result.set_outcome(v1::OUTCOME_TIMED_OUT);
    result.set_error_message("reached its deadline before it started");
    return result;
  }
  try {
    context.throw_if_cancelled();
    result.set_reply(assignment.chunk() ? run_chunk(*job, payload, context) : job->run_encoded(payload, context));
    result.set_outcome(v1::OUTCOME_SUCCEEDED);
  } catch (...) {
    detail::JobFailure failure =
        detail::classify_current_exception(cancel.requested(), deadline && Clock::now() >= *deadline);
    result.set_outcome(to_outcome(failure.state));
    result.set_error_type(failure.type);
    result.set_error_message(failure.message);
  }
  return result;
}

}  // namespace taskmill::worker
