// The slot threads: each takes the next queued job, runs it, and hands its
// result to be sent (worker_loop.h).
#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>

#include "run_assignment.h"
#include "worker_loop.h"

namespace taskmill::worker {

bool Worker::Loop::holds_jobs() {
  std::lock_guard lock(mu_);
  return (!queue_.empty() && !quota_reached()) || !running_.empty() || !finished_.empty();
}

void Worker::Loop::record_progress(std::uint64_t id, std::uint64_t session, double fraction, std::string_view note) {
  bool was_idle = false;
  {
    std::lock_guard lock(mu_);
    if (session != session_) return;
    was_idle = finished_.empty() && started_.empty() && progress_.empty();
    progress_[id] = {fraction, std::string(note)};
  }
  if (was_idle) wake_.notify();
}

Clock::duration Worker::Loop::note_started(Clock::time_point now) {
  std::lock_guard lock(mu_);
  // A slot ending a job of kShortJob or more wakes this loop with its result;
  // one ending a younger job may not (slot_main). So while the jobs are short
  // the loop looks again when a running job turns kShortJob old, and within
  // kShortJob while a slot is about to take a queued job. While they are long
  // a short one's slot wakes it instead (io_looks_by_ is too far off). It also
  // looks when a running job is due to be reported.
  const bool short_jobs = last_run_ < kShortJob;
  Clock::duration next = Clock::duration::max();
  if (short_jobs && !queue_.empty() && running_.size() < static_cast<std::size_t>(options_.slots)) next = kShortJob;
  for (RunningJob& job : running_) {
    if (job.reported || job.session != session_) continue;
    const auto age = now - job.since;
    if (age >= kReportStartedAfter) {
      job.reported = true;
      started_.push_back(job.id);
      continue;
    }
    next = std::min<Clock::duration>(next, short_jobs && age < kShortJob ? kShortJob - age : kReportStartedAfter - age);
  }
  return next;
}

void Worker::Loop::will_look_by(Clock::time_point by) {
  std::lock_guard lock(mu_);
  io_looks_by_ = by;
}

bool Worker::Loop::send_results() {
  v1::Envelope started;
  v1::Envelope progress;
  v1::Envelope results;
  // Taken and sent under one lock, so that a Started never follows its
  // job's result when a slot and the I/O thread both send.
  std::lock_guard send_lock(send_mu_);
  {
    std::lock_guard lock(mu_);
    for (std::uint64_t id : started_) started.mutable_started()->add_ids(id);
    for (auto& [id, report] : progress_) {
      v1::ProgressReport* r = progress.mutable_progress()->add_reports();
      r->set_id(id);
      r->set_fraction(report.first);
      r->set_note(std::move(report.second));
    }
    progress_.clear();
    for (v1::JobResult& r : finished_) *results.mutable_results()->add_results() = std::move(r);
    started_.clear();
    finished_.clear();
    io_woken_ = false;
  }
  if (started.started().ids_size() > 0) send_locked(started);
  if (progress.progress().reports_size() > 0) send_locked(progress);
  if (results.results().results_size() > 0) {
    wire::Attachments frames;
    for (v1::JobResult& r : *results.mutable_results()->mutable_results()) {
      r.set_reply_frame(wire::frame_if_large(r.mutable_reply(), frames));
    }
    send_locked(results, &frames);
  }
  return link_ != nullptr && link_->wants_write();
}

void Worker::Loop::slot_main() {
  while (true) {
    v1::Assignment assignment;
    Payload payload;
    Clock::time_point received;
    Clock::time_point began;
    auto cancel = std::make_shared<CancelFlag>();
    std::uint64_t session = 0;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&]() TASKMILL_REQUIRES(mu_) { return slots_stop_ || (!queue_.empty() && !quota_reached()); });
      if (queue_.empty() || quota_reached()) return;
      ++jobs_started_;
      assignment = std::move(queue_.front().assignment);
      payload = std::move(queue_.front().payload);
      received = queue_.front().received;
      queue_.pop_front();
      session = session_;
      began = Clock::now();
      // Not reported yet: the I/O thread says Started if it runs past
      // kReportStartedAfter (note_started() times its polls for that).
      running_.push_back({assignment.id(), assignment.attempt(), session, cancel, began});
    }
    JobProgress progress(*this, assignment.id(), session);
    v1::JobResult result = run_assignment(assignment, payload.view(), received, *cancel, &progress);
    const Clock::time_point ended = Clock::now();
    const Clock::duration ran = ended - began;
    // At least 1: the coordinator reads 0 as "not measured".
    result.set_run_us(static_cast<std::uint64_t>(
        std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::microseconds>(ran).count())));
    bool wake_io = false;
    {
      std::lock_guard lock(mu_);
      auto self = std::find_if(running_.begin(), running_.end(), [&](const RunningJob& j) { return j.cancel == cancel; });
      if (self != running_.end()) running_.erase(self);
      ++jobs_done_;
      if (session != session_) continue;  // given up on by the coordinator: nobody wants it
      progress_.erase(assignment.id());  // the result says it all
      // One wake-up per batch of results, not per result. A short job
      // followed by more queued work needs none: the I/O thread polls within
      // kShortJob while such jobs run (note_started) and sends its result
      // with the next ones. After a longer job, with nothing more to run,
      // once a batch has gathered (kResultBatch), or when the I/O thread,
      // expecting long jobs, would not look within kShortJob, it wakes.
      finished_.push_back(std::move(result));
      last_run_ = ran;
      const bool short_job = ran < kShortJob;
      const bool more_work = !queue_.empty() && !quota_reached();
      const bool batch_full = finished_.size() >= std::max(kResultBatch, queue_.size());
      const bool looked_at_soon = io_looks_by_ <= ended + kShortJob;
      wake_io = !io_woken_ && (!short_job || !more_work || batch_full || !looked_at_soon);
      io_woken_ = io_woken_ || wake_io;
    }
    if (!wake_io) continue;
    // On a link, straight to the coordinator: no I/O thread in between,
    // unless the socket cannot take it all now.
    if (!linked() || send_results()) wake_.notify();
  }
}

void Worker::Loop::stop_slots() {
  {
    std::lock_guard lock(mu_);
    slots_stop_ = true;  // the drain emptied the queue: the slots are idle
  }
  work_cv_.notify_all();
  for (std::thread& t : slots_) t.join();
}

}  // namespace taskmill::worker
