#include "taskmill/worker/worker.h"

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <deque>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>


#include "run_assignment.h"
#include "this_process.h"
#include "taskmill/annotations.h"
#include "taskmill/detail/handshake_monitor.h"
#include "taskmill/detail/stream_link.h"
#include "taskmill/detail/wake_fd.h"
#include "taskmill/job.h"
#include "taskmill/log.h"
#include "taskmill/wire.h"

namespace taskmill::worker {
namespace {

using Clock = std::chrono::steady_clock;

// A job still running this long after it started is reported Started; one
// that finishes sooner is not (its result says it ran), which saves a message
// each way per job for short jobs and commands while Future::running() still
// works for long ones. A report costs about four thread wake-ups across the
// processes it crosses (60-70 us of CPU per job on the 2-vCPU machines of
// docs/performance.md); after 50 ms that is ~0.1% of the job, after 10 ms 1%.
// A person watching `taskmill list` does not see 50 ms.
constexpr auto kReportStartedAfter = std::chrono::milliseconds(50);

// A job that ends sooner than this, with more queued behind it, may leave its
// result for the I/O thread to send with the next ones, so that thread polls
// this often while one runs. A result may so wait up to this long while its
// worker is busy (a lone job's goes at once); in exchange commands and other
// jobs of a millisecond or two go back a few per message instead of one each,
// with a wake-up of every thread on the way per message (W6: +17% jobs/s
// against 1 ms).
constexpr auto kShortJob = std::chrono::milliseconds(5);

// Results of short jobs gathered before a slot wakes the I/O thread while it
// still has queued work: at least this many, and as many as are still queued
// (half the coordinator's prefetch window comes back while the other half
// runs, so the refill arrives before the queue runs dry).
constexpr std::size_t kResultBatch = 8;

}  // namespace

class Worker::Loop {
  // Routes one running job's progress reports to the I/O thread.
  class JobProgress final : public ProgressSink {
   public:
    JobProgress(Loop& loop, std::uint64_t id, std::uint64_t session) : loop_(loop), id_(id), session_(session) {}
    void on_progress(double fraction, std::string_view note) override {
      loop_.record_progress(id_, session_, fraction, note);
    }

   private:
    Loop& loop_;
    std::uint64_t id_;
    std::uint64_t session_;
  };

 public:
  explicit Loop(WorkerOptions options)
      : options_(std::move(options)),
        linked_(detail::link_fd_of(options_.coordinator) >= 0),
        heartbeat_(options_.heartbeat),
        liveness_(options_.liveness) {}

  int run();
  void stop() noexcept {
    stopping_.store(true);
    wake_.notify();
  }

 private:
  void connect();
  void report_handshake_failures();
  void send(v1::Envelope& envelope, wire::Attachments* attachments = nullptr);
  void send_locked(v1::Envelope& envelope, wire::Attachments* attachments = nullptr) TASKMILL_REQUIRES(send_mu_);
  void on_message(const zmq::message_t& frame, wire::Attachments& attachments);
  void on_assign(v1::Assign& assign, wire::Attachments& attachments);
  void on_cancel(const v1::Cancel& cancel);
  void on_revoke(const v1::Revoke& revoke);
  // Moves jobs running for kReportStartedAfter to started_; returns how soon
  // the loop must look again (Clock::duration::max(): no sooner than it would).
  Clock::duration note_started(Clock::time_point now);
  void send_results();
  bool tick(Clock::time_point now);
  void slot_main();
  void stop_slots();
  void record_progress(std::uint64_t id, std::uint64_t session, double fraction, std::string_view note);
  bool holds_jobs();
  // Recycling: due after max_jobs, or when memory passed its ceiling.
  bool recycle_due(Clock::time_point now);
  // Fails the running jobs for memory; false if none ran.
  bool fail_running_jobs_for_memory(std::uint64_t resident);
  [[noreturn]] void exit_now(int status);
  // Sends what is queued (up to a second), then closes the socket and context.
  void close_sockets();

  WorkerOptions options_;
  // The coordinator address is fd://N: an embedded worker's link to its
  // parent's coordinator (detail::StreamLink) instead of dealer_. A link is
  // not a ZeroMQ socket: any thread may write to it under send_mu_, so a
  // slot sends its results itself rather than waking the I/O thread to.
  const bool linked_;
  zmq::context_t context_{1};
  std::unique_ptr<zmq::socket_t> dealer_;
  std::unique_ptr<detail::HandshakeMonitor> monitor_;  // of dealer_
  std::mutex send_mu_;  // before mu_ when both are held
  std::unique_ptr<detail::StreamLink> link_ TASKMILL_GUARDED_BY(send_mu_);
  Clock::time_point last_sent_ TASKMILL_GUARDED_BY(send_mu_);
  std::set<std::string> handshake_failures_said_;  // each logged once; a few kinds at most
  detail::WakeFd wake_;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;  // shared with the slot threads
  std::condition_variable work_cv_;
  // Assigned, not started; with when it came (its timeout counts from then).
  struct Queued {
    v1::Assignment assignment;
    Payload payload;  // its request, moved out of the assignment or its frame
    Clock::time_point received;
  };
  std::deque<Queued> queue_ TASKMILL_GUARDED_BY(mu_);
  // A job on a slot. `session` counts registrations: after a reconnect the
  // coordinator has given up on earlier sessions' jobs (their ids may even be
  // reused by a restarted coordinator), so their results are dropped.
  struct RunningJob {
    std::uint64_t id;
    std::uint32_t attempt;
    std::uint64_t session;
    std::shared_ptr<CancelFlag> cancel;
    Clock::time_point since;
    bool reported = false;  // Started sent
  };
  std::vector<RunningJob> running_ TASKMILL_GUARDED_BY(mu_);
  std::uint64_t jobs_started_ TASKMILL_GUARDED_BY(mu_) = 0;
  std::uint64_t jobs_done_ TASKMILL_GUARDED_BY(mu_) = 0;
  // Recycling after max_jobs: the slots take no more. Jobs still queued here
  // go back to the coordinator with the goodbye.
  bool quota_reached() const TASKMILL_REQUIRES(mu_) {
    return options_.max_jobs > 0 && jobs_started_ >= options_.max_jobs;
  }
  std::uint64_t session_ TASKMILL_GUARDED_BY(mu_) = 0;
  std::vector<v1::JobResult> finished_ TASKMILL_GUARDED_BY(mu_);
  bool io_woken_ TASKMILL_GUARDED_BY(mu_) = false;  // a slot woke the I/O thread for finished_
  std::vector<std::uint64_t> started_ TASKMILL_GUARDED_BY(mu_);
  std::unordered_map<std::uint64_t, std::pair<double, std::string>> progress_ TASKMILL_GUARDED_BY(mu_);  // latest only
  bool slots_stop_ TASKMILL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> slots_;

  // I/O thread only.
  std::chrono::milliseconds heartbeat_;
  int liveness_;
  std::chrono::milliseconds backoff_{0};
  Clock::time_point last_heard_;
  int exit_code_ = 0;
  bool draining_ = false;
  Clock::time_point next_memory_check_;
};


int Worker::Loop::run() {
  if (options_.embedded) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the parent's death kills us too
    if (options_.parent_pid != 0 && ::getppid() != options_.parent_pid) return 1;  // it died before prctl
  }
  for (int i = 0; i < options_.slots; ++i) slots_.emplace_back([this] { slot_main(); });
  connect();
  zmq::pollitem_t items[] = {{nullptr, 0, ZMQ_POLLIN, 0}, {nullptr, wake_.fd(), ZMQ_POLLIN, 0}};
  while (true) {
    if (!draining_ && recycle_due(Clock::now())) {
      exit_code_ = Worker::kRecycled;
      stopping_.store(true);
    }
    if (stopping_.load() && !draining_) {
      // Leave gracefully: no new jobs; finish and report the ones running,
      // give back the prefetched ones not started (another worker runs
      // them sooner), then Bye.
      draining_ = true;
      v1::Envelope drain;
      drain.mutable_drain();
      send(drain);
      v1::Revoke all;
      all.set_count(std::numeric_limits<std::uint32_t>::max());
      on_revoke(all);
    }
    if (draining_ && !holds_jobs()) break;
    if (linked_) {
      std::lock_guard lock(send_mu_);
      items[0].fd = link_->fd();
      items[0].events = ZMQ_POLLIN | (link_->wants_write() ? ZMQ_POLLOUT : 0);
    } else {
      items[0].socket = dealer_->handle();
    }
    const Clock::duration look_again = note_started(Clock::now());
    // Send what note_started() just queued before sleeping: a slot finishing
    // meanwhile wakes this loop only when nothing is waiting to be sent, so a
    // Started left unsent here would hold its job's result for a heartbeat.
    send_results();
    auto timeout = draining_ ? std::chrono::milliseconds(10) : heartbeat_;
    if (look_again != Clock::duration::max()) {
      timeout = std::min(timeout, std::max(std::chrono::ceil<std::chrono::milliseconds>(look_again), kShortJob));
    }
    wire::poll(items, 2, timeout);
    if (items[1].revents & ZMQ_POLLIN) wake_.drain();
    zmq::message_t frame;
    wire::Attachments attachments;
    if (linked_) {
      if (items[0].revents & ZMQ_POLLOUT) {
        std::lock_guard lock(send_mu_);
        link_->flush();
      }
      while (true) {
        {
          std::lock_guard lock(send_mu_);
          if (!link_->receive(&frame, &attachments)) break;
        }
        on_message(frame, attachments);  // may send: not under send_mu_
      }
      std::string error;
      bool closed = false;
      {
        std::lock_guard lock(send_mu_);
        closed = link_->closed();
        error = link_->error();
      }
      if (closed) {
        // The coordinator ended the link (it stopped, or refused what we
        // sent): nobody is left to report to. Our supervisor starts another.
        if (!error.empty()) logger().error("worker: the link to the coordinator broke: {}", error);
        std::lock_guard lock(mu_);
        queue_.clear();
        for (RunningJob& job : running_) job.cancel->request();
        exit_code_ = 1;
        break;
      }
    } else {
      while (wire::receive(*dealer_, &frame, &attachments)) on_message(frame, attachments);
    }
    report_handshake_failures();
    note_started(Clock::now());
    send_results();
    if (!tick(Clock::now())) break;
  }
  stop_slots();
  send_results();
  v1::Envelope bye;
  bye.mutable_bye();
  send(bye);
  // The last results and the goodbye must leave before the process does (an
  // embedded worker's caller ends it with _Exit): the coordinator should
  // learn from us, not from our exit, that we are gone.
  close_sockets();
  if (exit_code_ == Worker::kRecycled && !options_.embedded) restart_self(Worker::kRecycled);
  return exit_code_;
}

bool Worker::Loop::recycle_due(Clock::time_point now) {
  if (options_.max_jobs > 0) {
    std::lock_guard lock(mu_);
    if (jobs_done_ >= options_.max_jobs) {
      logger().info("worker: recycling after {} jobs", jobs_done_);
      return true;
    }
  }
  if (options_.max_memory_bytes == 0 || now < next_memory_check_) return false;
  next_memory_check_ = now + heartbeat_;
  std::uint64_t resident = resident_bytes();
  if (resident <= options_.max_memory_bytes) return false;
  resident = resident_after_trim();  // free memory kept for reuse is not the jobs'
  if (resident <= options_.max_memory_bytes) return false;
  if (fail_running_jobs_for_memory(resident)) {
    logger().warn("worker: memory {} passed its limit of {} while jobs ran: failing them and exiting",
                  mebibytes(resident), mebibytes(options_.max_memory_bytes));
    send_results();
    v1::Envelope bye;
    bye.mutable_bye();
    send(bye);
    exit_now(Worker::kRecycled);
  }
  logger().info("worker: recycling: memory {} passed its limit of {}", mebibytes(resident),
                mebibytes(options_.max_memory_bytes));
  return true;
}

bool Worker::Loop::fail_running_jobs_for_memory(std::uint64_t resident) {
  std::lock_guard lock(mu_);
  bool failed_any = false;
  for (const RunningJob& job : running_) {
    if (job.session != session_) continue;
    failed_any = true;
    v1::JobResult result;
    result.set_id(job.id);
    result.set_attempt(job.attempt);
    result.set_outcome(v1::OUTCOME_FAILED);
    result.set_error_type("taskmill::MemoryLimitExceeded");
    result.set_error_message("the worker's memory (" + mebibytes(resident) + ") passed its limit of " +
                             mebibytes(options_.max_memory_bytes) + " while this job ran");
    finished_.push_back(std::move(result));
  }
  return failed_any;
}

void Worker::Loop::close_sockets() {
  if (linked_) {
    std::lock_guard lock(send_mu_);
    if (link_ != nullptr) link_->flush_for(std::chrono::milliseconds(1000));
    link_.reset();
  }
  if (dealer_ != nullptr) {
    dealer_->set(zmq::sockopt::linger, 1000);
    dealer_->close();
  }
  monitor_.reset();
  context_.close();  // returns once the lingering messages are out (or a second passed)
}

void Worker::Loop::exit_now(int status) {
  // The jobs' threads cannot be stopped; the process must end. Let the
  // results and the goodbye leave first: the coordinator should read them
  // before it hears of this exit from anyone else.
  close_sockets();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (!options_.embedded) restart_self(Worker::kRecycled);
  std::fflush(nullptr);
  std::_Exit(status);
}

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

void Worker::Loop::connect() {
  if (linked_) {
    // A link cannot be dialled again: registering again goes over the same one.
    std::lock_guard lock(send_mu_);
    if (link_ == nullptr) link_ = std::make_unique<detail::StreamLink>(detail::link_fd_of(options_.coordinator));
  } else {
    dealer_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
    wire::configure(*dealer_);
    std::random_device random;
    dealer_->set(zmq::sockopt::routing_id, "w-" + host_and_pid() + "-" + std::to_string(random()));
    if (options_.curve) curve::make_client(*dealer_, *options_.curve);
    monitor_ = std::make_unique<detail::HandshakeMonitor>(context_, *dealer_, options_.curve.has_value());
    dealer_->connect(options_.coordinator);
  }
  {
    // A new session: the coordinator re-queued or forgot what it gave us before.
    std::lock_guard lock(mu_);
    ++session_;
    queue_.clear();
    for (RunningJob& job : running_) job.cancel->request();
    finished_.clear();
    started_.clear();
    progress_.clear();
  }
  v1::Envelope hello = hello_message(options_.slots);
  send(hello);
  last_heard_ = Clock::now();
}

// A refused key or a security mismatch is said once, not at every reconnect.
void Worker::Loop::report_handshake_failures() {
  if (monitor_ == nullptr) return;  // a link has no handshake
  while (auto failure = monitor_->next_failure()) {
    if (handshake_failures_said_.size() >= 16 || !handshake_failures_said_.insert(failure->message).second) continue;
    if (failure->fatal) {
      logger().error("worker: {}", failure->message);
    } else {
      logger().warn("worker: {}", failure->message);
    }
  }
}

void Worker::Loop::send(v1::Envelope& envelope, wire::Attachments* attachments) {
  std::lock_guard lock(send_mu_);
  send_locked(envelope, attachments);
}

void Worker::Loop::send_locked(v1::Envelope& envelope, wire::Attachments* attachments) {
  if (linked_) {
    if (link_ != nullptr) link_->send(wire::encode(envelope), attachments);  // null: closed for exit
  } else {
    wire::send(*dealer_, envelope, attachments);
  }
  last_sent_ = Clock::now();
}

void Worker::Loop::on_message(const zmq::message_t& frame, wire::Attachments& attachments) {
  v1::Envelope envelope;
  if (Status s = wire::decode(frame, &envelope); !s.is_ok()) {
    logger().warn("worker: dropped a bad message from the coordinator: {}", s.message());
    return;
  }
  last_heard_ = Clock::now();
  backoff_ = std::chrono::milliseconds(0);
  switch (envelope.body_case()) {
    case v1::Envelope::kWelcome:
      heartbeat_ = std::chrono::milliseconds(std::max<std::uint32_t>(envelope.welcome().heartbeat_ms(), 10));
      liveness_ = static_cast<int>(std::max<std::uint32_t>(envelope.welcome().liveness(), 1));
      return;
    case v1::Envelope::kAssign:
      return on_assign(*envelope.mutable_assign(), attachments);
    case v1::Envelope::kCancel:
      return on_cancel(envelope.cancel());
    case v1::Envelope::kRevoke:
      return on_revoke(envelope.revoke());
    case v1::Envelope::kBye:
      if (options_.embedded) {
        stopping_.store(true);
      } else {
        connect();  // the coordinator is restarting: register again once it is back
      }
      return;
    case v1::Envelope::kError:
      if (envelope.error().code() == static_cast<std::uint32_t>(StatusCode::kFailedPrecondition)) {
        connect();  // it forgot us (restarted, or gave us up): a new session
      } else {
        logger().warn("worker: the coordinator says: {}", envelope.error().message());
      }
      return;
    default:
      return;  // heartbeat, or a kind a worker ignores
  }
}

void Worker::Loop::on_assign(v1::Assign& assign, wire::Attachments& attachments) {
  if (draining_) {
    // Sent before the coordinator read our Drain: a leaving worker starts
    // nothing new, so the jobs go straight back to be run elsewhere.
    v1::Envelope returned;
    for (const v1::Assignment& a : assign.jobs()) returned.mutable_returned()->add_ids(a.id());
    send(returned);
    return;
  }
  {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    for (v1::Assignment& a : *assign.mutable_jobs()) {
      Payload payload;
      if (Status s = wire::take_payload(a.payload_frame(), a.mutable_payload(), attachments, &payload); !s.is_ok()) {
        v1::JobResult result;
        result.set_id(a.id());
        result.set_attempt(a.attempt());
        result.set_outcome(v1::OUTCOME_REJECTED);
        result.set_error_type("taskmill::ProtocolError");
        result.set_error_message(s.message());
        finished_.push_back(std::move(result));  // sent with this turn's results
        continue;
      }
      queue_.push_back({std::move(a), std::move(payload), now});
    }
  }
  work_cv_.notify_all();
}

void Worker::Loop::on_cancel(const v1::Cancel& cancel) {
  std::lock_guard lock(mu_);
  for (std::uint64_t id : cancel.ids()) {
    auto at = std::find_if(running_.begin(), running_.end(),
                           [&](const RunningJob& j) { return j.id == id && j.session == session_; });
    if (at != running_.end()) {
      at->cancel->request();
      continue;
    }
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->assignment.id() != id) continue;
      v1::JobResult result;
      result.set_id(id);
      result.set_attempt(it->assignment.attempt());
      result.set_outcome(v1::OUTCOME_CANCELLED);
      result.set_error_message("job was cancelled");
      finished_.push_back(std::move(result));
      queue_.erase(it);
      break;
    }
  }
}

void Worker::Loop::on_revoke(const v1::Revoke& revoke) {
  v1::Envelope returned;
  returned.mutable_returned();  // sent even when empty
  {
    std::lock_guard lock(mu_);
    // From the back: the jobs that would have started last. Reported in
    // assignment order, so the coordinator can requeue them in that order.
    const std::size_t count = std::min<std::size_t>(revoke.count(), queue_.size());
    for (auto it = queue_.end() - static_cast<std::ptrdiff_t>(count); it != queue_.end(); ++it) {
      returned.mutable_returned()->add_ids(it->assignment.id());
    }
    queue_.erase(queue_.end() - static_cast<std::ptrdiff_t>(count), queue_.end());
  }
  send(returned);  // always, so that the coordinator knows the revoke is over
}

Clock::duration Worker::Loop::note_started(Clock::time_point now) {
  std::lock_guard lock(mu_);
  // A slot ending a job of kShortJob or more wakes this loop with its result;
  // one ending a younger job may not (slot_main). So the loop looks again
  // when a running job turns kShortJob old or is due to be reported, and
  // within kShortJob while a slot is about to take a queued job.
  Clock::duration next = Clock::duration::max();
  if (!queue_.empty() && running_.size() < static_cast<std::size_t>(options_.slots)) next = kShortJob;
  for (RunningJob& job : running_) {
    if (job.reported || job.session != session_) continue;
    const auto age = now - job.since;
    if (age >= kReportStartedAfter) {
      job.reported = true;
      started_.push_back(job.id);
      continue;
    }
    next = std::min<Clock::duration>(next, age < kShortJob ? kShortJob - age : kReportStartedAfter - age);
  }
  return next;
}

void Worker::Loop::send_results() {
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
  if (results.results().results_size() == 0) return;
  wire::Attachments frames;
  for (v1::JobResult& r : *results.mutable_results()->mutable_results()) {
    r.set_reply_frame(wire::frame_if_large(r.mutable_reply(), frames));
  }
  send_locked(results, &frames);
}

bool Worker::Loop::tick(Clock::time_point now) {
  if (options_.embedded && options_.parent_pid != 0 && ::getppid() != options_.parent_pid) {
    exit_code_ = 1;
    return false;
  }
  bool beat_due = false;
  {
    std::lock_guard lock(send_mu_);
    beat_due = now - last_sent_ >= heartbeat_;
  }
  if (beat_due) {
    v1::Envelope beat;
    beat.mutable_heartbeat();
    send(beat);
  }
  if (now - last_heard_ > heartbeat_ * liveness_ + backoff_) {
    if (options_.embedded) {
      // The coordinator lives in our parent, which is alive (checked above):
      // silence means it is busy, not gone. Keep waiting.
      last_heard_ = now;
      return true;
    }
    // Paranoid Pirate: reconnect, waiting longer each time up to a cap.
    backoff_ = std::min(std::max(backoff_ * 2, heartbeat_), heartbeat_ * 32);
    logger().warn("worker: lost the coordinator at {}; reconnecting", options_.coordinator);
    connect();
  }
  return true;
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
    const Clock::duration ran = Clock::now() - began;
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
      // kShortJob while such a job runs (note_started) and sends its result
      // with the next ones. After a longer job, with nothing more to run, or
      // once a batch has gathered (kResultBatch), it wakes.
      finished_.push_back(std::move(result));
      const bool short_job = ran < kShortJob;
      const bool more_work = !queue_.empty() && !quota_reached();
      const bool batch_full = finished_.size() >= std::max(kResultBatch, queue_.size());
      wake_io = !io_woken_ && (!short_job || !more_work || batch_full);
      io_woken_ = io_woken_ || wake_io;
    }
    if (!wake_io) continue;
    if (!linked_) {
      wake_.notify();
      continue;
    }
    send_results();  // straight onto the link: no I/O thread between the result and the coordinator
    bool unsent = false;
    {
      std::lock_guard lock(send_mu_);
      unsent = link_ != nullptr && link_->wants_write();
    }
    if (unsent) wake_.notify();  // the I/O thread writes the rest as the socket takes it
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

Worker::Worker(WorkerOptions options) : loop_(std::make_unique<Loop>(std::move(options))) {}
Worker::~Worker() = default;
int Worker::run() { return loop_->run(); }
void Worker::stop() noexcept { loop_->stop(); }

}  // namespace taskmill::worker
