#include "status_report.h"

#include <algorithm>
#include <vector>

namespace taskmill::coordinator {

namespace {

void common_fields(std::uint64_t id, const Job& job, v1::JobStatus& status) {
  status.set_job_id(id);
  status.set_job(job.name);
  status.set_attempt(job.attempt);
  status.set_priority(job.priority);
  status.set_detached(job.detached);
  status.set_cancel_requested(job.cancel_requested);
  status.set_submitted_unix_ms(std::int64_t{job.submitted_unix_s} * 1000);
  status.set_started_unix_ms(std::int64_t{job.started_unix_s} * 1000);
}

}  // namespace

v1::JobState state_of(const Job& job) {
  // A job a worker holds but has not started (prefetched) is still queued.
  return job.worker.empty() || job.started_unix_s == 0 ? v1::JOB_STATE_QUEUED : v1::JOB_STATE_RUNNING;
}

v1::JobStatus live_status(std::uint64_t id, const Job& job, const Worker* worker, const JobProgress* progress) {
  v1::JobStatus status;
  common_fields(id, job, status);
  status.set_state(state_of(job));
  if (worker != nullptr && status.state() == v1::JOB_STATE_RUNNING) status.set_worker(worker->name);
  if (progress != nullptr) {
    status.set_progress(progress->fraction);
    status.set_progress_note(progress->note);
  }
  return status;
}

v1::JobStatus finished_status(std::uint64_t id, const Job& job, v1::JobResult&& result) {
  v1::JobStatus status;
  common_fields(id, job, status);
  status.set_state(v1::JOB_STATE_FINISHED);
  status.set_outcome(result.outcome());
  status.set_attempt(std::max(job.attempt, result.attempt()));
  status.set_finished_unix_ms(unix_ms_now());
  if (result.outcome() == v1::OUTCOME_SUCCEEDED) status.set_progress(1);
  status.set_reply(std::move(*result.mutable_reply()));
  status.set_error_type(std::move(*result.mutable_error_type()));
  status.set_error_message(std::move(*result.mutable_error_message()));
  return status;
}

v1::WorkerStatus worker_status(const Worker& worker) {
  v1::WorkerStatus status;
  status.set_name(worker.name);
  status.set_pid(worker.pid);
  status.set_slots(static_cast<std::uint32_t>(worker.slots));
  status.set_running(static_cast<std::uint32_t>(worker.assigned.size()));
  status.set_done(worker.done);
  status.set_draining(worker.draining);
  status.set_joined_unix_ms(worker.joined_unix_ms);
  std::vector<std::string> jobs(worker.catalog.begin(), worker.catalog.end());
  std::sort(jobs.begin(), jobs.end());
  for (std::string& job : jobs) status.add_jobs(std::move(job));
  return status;
}

}  // namespace taskmill::coordinator
