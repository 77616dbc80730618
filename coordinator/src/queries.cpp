// The query protocol (docs/protocol.md, "Detached jobs and queries"): what
// the coordinator tells taskmill status, result, wait, cancel, list, workers,
// catalog and stats.
#include <algorithm>
#include <vector>

#include "loop.h"
#include "taskmill/wire.h"

namespace taskmill::coordinator {

void Coordinator::Loop::on_query(const std::string& peer, v1::Query& query) {
  v1::Envelope envelope;
  v1::Answer& answer = *envelope.mutable_answer();
  answer.set_request_id(query.request_id());
  switch (query.what_case()) {
    case v1::Query::kJobs:
      answer_jobs(query.jobs(), answer);
      break;
    case v1::Query::kList:
      answer_list(query.list(), answer);
      break;
    case v1::Query::kWorkers:
      workers_.for_each([&](const Worker& worker) { *answer.add_workers() = worker_status(worker); });
      break;
    case v1::Query::kCatalog:
      *answer.mutable_catalog() = catalog_.snapshot(workers_, query.catalog().all_known());
      break;
    case v1::Query::kStats:
      *answer.mutable_stats() = stats(Clock::now());
      break;
    case v1::Query::WHAT_NOT_SET:
      return reply_error(peer, StatusCode::kInvalidArgument, "a query must ask for jobs, list, workers, catalog or stats");
  }
  flush();  // a cancel's own results go out before the answer that reports them
  send_to(peer, envelope);
}

void Coordinator::Loop::answer_jobs(const v1::JobsQuery& query, v1::Answer& answer) {
  if (query.cancel()) {
    for (std::uint64_t id : query.ids()) cancel_job(id);
  }
  for (std::uint64_t id : query.ids()) {
    if (const Job* job = jobs_.find(id)) {
      auto progress = progress_.find(id);
      *answer.add_jobs() = live_status(id, *job, job->worker.empty() ? nullptr : workers_.find(job->worker),
                                       progress == progress_.end() ? nullptr : &progress->second);
    } else if (const v1::JobStatus* done = finished_.find(id)) {
      v1::JobStatus& status = *answer.add_jobs() = *done;
      if (!query.with_result()) status.clear_reply();
      if (query.forget()) {
        finished_.erase(id);
        if (journal_) journal_->result_dropped(id);
      }
    } else {
      answer.add_unknown_ids(id);
    }
  }
}

void Coordinator::Loop::answer_list(const v1::ListQuery& query, v1::Answer& answer) {
  const v1::JobState wanted = query.state();
  auto wants = [&](v1::JobState state) { return wanted == v1::JOB_STATE_UNSPECIFIED || wanted == state; };
  std::vector<v1::JobStatus> listed;
  jobs_.for_each([&](std::uint64_t id, const Job& job) {
    if (!wants(state_of(job))) return;
    auto progress = progress_.find(id);
    listed.push_back(live_status(id, job, job.worker.empty() ? nullptr : workers_.find(job.worker),
                                 progress == progress_.end() ? nullptr : &progress->second));
  });
  if (wants(v1::JOB_STATE_FINISHED)) {
    for (const auto& [id, status] : finished_.all()) {
      listed.push_back(status);
      listed.back().clear_reply();
    }
  }
  // Oldest first; ids grow with submission, so they break ties in a millisecond.
  std::sort(listed.begin(), listed.end(), [](const v1::JobStatus& a, const v1::JobStatus& b) {
    return std::pair(a.submitted_unix_ms(), a.job_id()) < std::pair(b.submitted_unix_ms(), b.job_id());
  });
  const std::size_t limit = query.limit() == 0 ? 1000 : query.limit();
  const std::size_t skip = listed.size() > limit ? listed.size() - limit : 0;  // keep the newest
  for (std::size_t i = skip; i < listed.size(); ++i) *answer.add_jobs() = std::move(listed[i]);
}

v1::Stats Coordinator::Loop::stats(Clock::time_point now) const {
  v1::Stats stats;
  std::uint64_t running = 0;
  std::uint32_t slots = 0;
  workers_.for_each([&](const Worker& worker) {
    running += worker.assigned.size();
    slots += static_cast<std::uint32_t>(worker.slots);
  });
  stats.set_running(running);
  stats.set_queued(jobs_.size() > running ? jobs_.size() - running : 0);
  stats.set_succeeded(throughput_.succeeded());
  stats.set_failed(throughput_.failed());
  stats.set_cancelled(throughput_.cancelled());
  stats.set_workers(static_cast<std::uint32_t>(workers_.size()));
  stats.set_slots(slots);
  stats.set_jobs_per_second(throughput_.rate(now));
  stats.set_stored_results(finished_.size());
  stats.set_uptime_seconds(std::chrono::duration<double>(now - started_).count());
  return stats;
}

}  // namespace taskmill::coordinator
