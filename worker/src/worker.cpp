#include "taskmill/worker/worker.h"

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <algorithm>
#include <deque>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include "run_assignment.h"
#include "taskmill/annotations.h"
#include "taskmill/detail/wake_fd.h"
#include "taskmill/job.h"
#include "taskmill/log.h"
#include "taskmill/wire.h"

namespace taskmill::worker {
namespace {

using Clock = std::chrono::steady_clock;

// A job still running this long after it started is reported Started; one
// that finishes sooner is not (its result says it ran), which saves a message
// per job on short jobs while Future::running() still works for long ones.
constexpr auto kReportStartedAfter = std::chrono::milliseconds(1);

std::string host_and_pid() {
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

// Adds `file` and everything it imports to `set`, each once.
void add_file(const google::protobuf::FileDescriptor* file, std::unordered_set<std::string>& seen,
              google::protobuf::FileDescriptorSet& set) {
  if (!seen.insert(file->name()).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) add_file(file->dependency(i), seen, set);
  file->CopyTo(set.add_file());
}

v1::Envelope hello_message(int slots) {
  v1::Envelope envelope;
  v1::Hello* hello = envelope.mutable_hello();
  hello->set_kind(v1::PEER_KIND_WORKER);
  hello->set_name(host_and_pid());
  hello->set_slots(static_cast<std::uint32_t>(slots));
  hello->set_pid(static_cast<std::uint32_t>(::getpid()));
  std::unordered_set<std::string> files;
  for (const JobInfo* job : JobRegistry::global().list()) {
    v1::JobType* type = hello->add_catalog();
    type->set_name(job->name);
    type->set_request_type(job->request_type->full_name());
    type->set_reply_type(job->reply_type->full_name());
    add_file(job->request_type->file(), files, *hello->mutable_descriptors());
    add_file(job->reply_type->file(), files, *hello->mutable_descriptors());
  }
  return envelope;
}

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
      : options_(std::move(options)), heartbeat_(options_.heartbeat), liveness_(options_.liveness) {}

  int run();
  void stop() noexcept {
    stopping_.store(true);
    wake_.notify();
  }

 private:
  void connect();
  void send(v1::Envelope& envelope);
  void on_message(const zmq::message_t& frame);
  void on_assign(v1::Assign& assign);
  void on_cancel(const v1::Cancel& cancel);
  void on_revoke(const v1::Revoke& revoke);
  // Moves jobs running for kReportStartedAfter to started_; true while some
  // job may still need reporting (the loop must wake again within 1 ms).
  bool note_started(Clock::time_point now);
  void send_results();
  bool tick(Clock::time_point now);
  void slot_main();
  void stop_slots();
  void record_progress(std::uint64_t id, std::uint64_t session, double fraction, std::string_view note);
  bool holds_jobs();

  WorkerOptions options_;
  zmq::context_t context_{1};
  std::unique_ptr<zmq::socket_t> dealer_;
  detail::WakeFd wake_;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;  // shared with the slot threads
  std::condition_variable work_cv_;
  // Assigned, not started; with when it came (its timeout counts from then).
  struct Queued {
    v1::Assignment assignment;
    Clock::time_point received;
  };
  std::deque<Queued> queue_ TASKMILL_GUARDED_BY(mu_);
  // A job on a slot. `session` counts registrations: after a reconnect the
  // coordinator has given up on earlier sessions' jobs (their ids may even be
  // reused by a restarted coordinator), so their results are dropped.
  struct RunningJob {
    std::uint64_t id;
    std::uint64_t session;
    std::shared_ptr<CancelFlag> cancel;
    Clock::time_point since;
    bool reported = false;  // Started sent
  };
  std::vector<RunningJob> running_ TASKMILL_GUARDED_BY(mu_);
  std::uint64_t session_ TASKMILL_GUARDED_BY(mu_) = 0;
  std::vector<v1::JobResult> finished_ TASKMILL_GUARDED_BY(mu_);
  std::vector<std::uint64_t> started_ TASKMILL_GUARDED_BY(mu_);
  std::unordered_map<std::uint64_t, std::pair<double, std::string>> progress_ TASKMILL_GUARDED_BY(mu_);  // latest only
  bool slots_stop_ TASKMILL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> slots_;

  // I/O thread only.
  std::chrono::milliseconds heartbeat_;
  int liveness_;
  std::chrono::milliseconds backoff_{0};
  Clock::time_point last_heard_;
  Clock::time_point last_sent_;
  int exit_code_ = 0;
  bool draining_ = false;
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
    items[0].socket = dealer_->handle();
    const bool unreported = note_started(Clock::now());
    auto timeout = draining_ ? std::chrono::milliseconds(10) : heartbeat_;
    if (unreported) timeout = std::min<std::chrono::milliseconds>(timeout, kReportStartedAfter);
    wire::poll(items, 2, timeout);
    if (items[1].revents & ZMQ_POLLIN) wake_.drain();
    zmq::message_t frame;
    while (dealer_->recv(frame, zmq::recv_flags::dontwait)) on_message(frame);
    note_started(Clock::now());
    send_results();
    if (!tick(Clock::now())) break;
  }
  stop_slots();
  send_results();
  v1::Envelope bye;
  bye.mutable_bye();
  send(bye);
  return exit_code_;
}

bool Worker::Loop::holds_jobs() {
  std::lock_guard lock(mu_);
  return !queue_.empty() || !running_.empty() || !finished_.empty();
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
  dealer_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  wire::configure(*dealer_);
  std::random_device random;
  dealer_->set(zmq::sockopt::routing_id, "w-" + host_and_pid() + "-" + std::to_string(random()));
  dealer_->connect(options_.coordinator);
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

void Worker::Loop::send(v1::Envelope& envelope) {
  wire::send(*dealer_, envelope);
  last_sent_ = Clock::now();
}

void Worker::Loop::on_message(const zmq::message_t& frame) {
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
      return on_assign(*envelope.mutable_assign());
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

void Worker::Loop::on_assign(v1::Assign& assign) {
  {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    for (v1::Assignment& a : *assign.mutable_jobs()) queue_.push_back({std::move(a), now});
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

bool Worker::Loop::note_started(Clock::time_point now) {
  std::lock_guard lock(mu_);
  // A queued job starts when a slot frees; a slot freeing wakes this loop
  // with its result, so only a free slot with work waiting needs a timer.
  bool unreported = !queue_.empty() && running_.size() < static_cast<std::size_t>(options_.slots);
  for (RunningJob& job : running_) {
    if (job.reported || job.session != session_) continue;
    if (now - job.since >= kReportStartedAfter) {
      job.reported = true;
      started_.push_back(job.id);
    } else {
      unreported = true;
    }
  }
  return unreported;
}

void Worker::Loop::send_results() {
  v1::Envelope started;
  v1::Envelope progress;
  v1::Envelope results;
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
  }
  if (started.started().ids_size() > 0) send(started);
  if (progress.progress().reports_size() > 0) send(progress);
  if (results.results().results_size() > 0) send(results);
}

bool Worker::Loop::tick(Clock::time_point now) {
  if (options_.embedded && options_.parent_pid != 0 && ::getppid() != options_.parent_pid) {
    exit_code_ = 1;
    return false;
  }
  if (now - last_sent_ >= heartbeat_) {
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
    Clock::time_point received;
    auto cancel = std::make_shared<CancelFlag>();
    std::uint64_t session = 0;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&]() TASKMILL_REQUIRES(mu_) { return slots_stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      assignment = std::move(queue_.front().assignment);
      received = queue_.front().received;
      queue_.pop_front();
      session = session_;
      // Not reported yet: the I/O thread says Started if it runs past
      // kReportStartedAfter (it polls that often while it holds work).
      running_.push_back({assignment.id(), session, cancel, Clock::now()});
    }
    JobProgress progress(*this, assignment.id(), session);
    v1::JobResult result = run_assignment(assignment, received, *cancel, &progress);
    bool was_idle = false;
    {
      std::lock_guard lock(mu_);
      std::erase_if(running_, [&](const RunningJob& j) { return j.cancel == cancel; });
      if (session != session_) continue;  // given up on by the coordinator: nobody wants it
      progress_.erase(assignment.id());  // the result says it all
      was_idle = finished_.empty() && started_.empty();
      finished_.push_back(std::move(result));
    }
    if (was_idle) wake_.notify();  // one wake-up per batch of results, not per result
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
