// The worker's I/O thread (worker_loop.h): connecting and registering,
// sending, the coordinator's messages, heartbeats, draining and recycling.
#include "taskmill/worker/worker.h"

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "run_assignment.h"
#include "this_process.h"
#include "taskmill/log.h"
#include "worker_loop.h"

namespace taskmill::worker {
namespace {

// Results of a megabyte or two leave in one write (detail::SendBuffer).
std::unique_ptr<detail::StreamLink> new_link(int fd) {
  return std::make_unique<detail::StreamLink>(fd, wire::kDefaultMaxMessageBytes, detail::SendBuffer::kWholePayload);
}

}  // namespace

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
    if (linked()) {
      std::lock_guard lock(send_mu_);
      items[0].fd = link_ != nullptr ? link_->fd() : -1;  // null: not dialled yet, poll skips it
      items[0].events = ZMQ_POLLIN | (link_ != nullptr && link_->wants_write() ? ZMQ_POLLOUT : 0);
    } else {
      items[0].socket = dealer_->handle();
    }
    const Clock::duration look_again = note_started(Clock::now());
    auto timeout = draining_ ? std::chrono::milliseconds(10) : heartbeat_;
    if (look_again != Clock::duration::max()) {
      timeout = std::min(timeout, std::max(std::chrono::ceil<std::chrono::milliseconds>(look_again), kShortJob));
    }
    // Before the last look at what the slots finished: a result left after
    // it must see when the next look is, to wake this loop if that is late.
    will_look_by(Clock::now() + timeout);
    // Send what note_started() just queued before sleeping: a slot finishing
    // meanwhile wakes this loop only when nothing is waiting to be sent, so a
    // Started left unsent here would hold its job's result for a heartbeat.
    send_results();
    wire::poll(items, 2, timeout);
    if (items[1].revents & ZMQ_POLLIN) wake_.drain();
    zmq::message_t frame;
    wire::Attachments attachments;
    if (linked()) {
      if (items[0].revents & ZMQ_POLLOUT) {
        std::lock_guard lock(send_mu_);
        link_->flush();
      }
      while (true) {
        {
          std::lock_guard lock(send_mu_);
          if (link_ == nullptr || !link_->receive(&frame, &attachments)) break;
        }
        on_message(frame, attachments);  // may send or dial again: not under send_mu_
      }
      std::string error;
      bool closed = false;
      {
        std::lock_guard lock(send_mu_);
        closed = link_ != nullptr && link_->closed();
        if (closed) error = link_->error();
      }
      if (closed && !socket_path_.empty()) {
        // The coordinator stopped or died: dial again now, and at every tick
        // until it is back (a restarted one, with its journal, wants us).
        logger().warn("worker: lost the coordinator at {}{}; reconnecting", options_.coordinator,
                      error.empty() ? "" : ": " + error);
        connect();
      } else if (closed) {
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
  if (linked()) {
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

void Worker::Loop::connect() {
  if (!socket_path_.empty()) {
    std::lock_guard lock(send_mu_);
    dial();
  } else if (linked()) {
    // An inherited link cannot be dialled again: registering again goes over the same one.
    std::lock_guard lock(send_mu_);
    if (link_ == nullptr) link_ = new_link(link_fd_);
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

void Worker::Loop::dial() {
  link_.reset();
  std::string error;
  const int fd = detail::dial_unix_socket(socket_path_, &error);
  if (fd >= 0) {
    link_ = new_link(fd);
  } else if (connect_failures_said_.size() < 16 && connect_failures_said_.insert(error).second) {
    logger().warn("worker: cannot reach {} ({}); trying again", options_.coordinator, error);
  }
}

// A refused key or a security mismatch is said once, not at every reconnect.
void Worker::Loop::report_handshake_failures() {
  if (monitor_ == nullptr) return;  // a link has no handshake
  while (auto failure = monitor_->next_failure()) {
    if (connect_failures_said_.size() >= 16 || !connect_failures_said_.insert(failure->message).second) continue;
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
  if (linked()) {
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

bool Worker::Loop::tick(Clock::time_point now) {
  if (options_.embedded && options_.parent_pid != 0 && ::getppid() != options_.parent_pid) {
    exit_code_ = 1;
    return false;
  }
  bool beat_due = false;
  bool undialled = false;
  {
    std::lock_guard lock(send_mu_);
    beat_due = now - last_sent_ >= heartbeat_;
    undialled = !socket_path_.empty() && link_ == nullptr;
  }
  if (undialled) {
    // Nobody answered at the Unix socket: a dial is cheap, try every heartbeat.
    if (now - last_heard_ >= heartbeat_) connect();
    return true;
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


Worker::Worker(WorkerOptions options) : loop_(std::make_unique<Loop>(std::move(options))) {}
Worker::~Worker() = default;
int Worker::run() { return loop_->run(); }
void Worker::stop() noexcept { loop_->stop(); }

}  // namespace taskmill::worker
