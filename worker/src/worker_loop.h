// worker_loop.h: the worker's event loop, shared by the files that implement
// it: worker.cpp (the I/O thread: connecting, sending, the coordinator's
// messages, heartbeats, recycling) and slots.cpp (the slot threads running
// jobs, and what they report: results, Started, progress).
// Thread-safety: the I/O thread owns the loop; slots share what mu_ guards,
// and on a link what send_mu_ guards.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "taskmill/annotations.h"
#include "taskmill/cancellation.h"
#include "taskmill/detail/handshake_monitor.h"
#include "taskmill/detail/stream_link.h"
#include "taskmill/detail/wake_fd.h"
#include "taskmill/job.h"
#include "taskmill/payload.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"
#include "taskmill/worker/worker.h"

namespace taskmill::worker {

namespace v1 = taskmill::v1;

using Clock = std::chrono::steady_clock;

// A job still running this long after it started is reported Started; one
// that finishes sooner is not (its result says it ran), which saves a message
// each way per job for short jobs and commands while Future::running() still
// works for long ones. A report costs about four thread wake-ups across the
// processes it crosses (60-70 us of CPU per job on the 2-vCPU machines of
// docs/performance.md); after 50 ms that is ~0.1% of the job, after 10 ms 1%.
// A person watching `taskmill list` does not see 50 ms.
inline constexpr auto kReportStartedAfter = std::chrono::milliseconds(50);

// A job that ends sooner than this, with more queued behind it, may leave its
// result for the I/O thread to send with the next ones, so that thread polls
// this often while such jobs run. A result may so wait up to this long while
// its worker is busy (a lone job's goes at once); in exchange commands and
// other jobs of a millisecond or two go back a few per message instead of one
// each, with a wake-up of every thread on the way per message (W6: +17%
// jobs/s against 1 ms). While the jobs run longer than this the I/O thread
// does not poll for them: their results wake it, and so does a short one
// that would otherwise wait past kShortJob for its next look (io_looks_by_).
inline constexpr auto kShortJob = std::chrono::milliseconds(5);

// Results of short jobs gathered before a slot sends them (on a link) or
// wakes the I/O thread to, while it still has queued work: at least this many, and as many as are still queued
// (half the coordinator's prefetch window comes back while the other half
// runs, so the refill arrives before the queue runs dry).
inline constexpr std::size_t kResultBatch = 8;

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
        link_fd_(detail::link_fd_of(options_.coordinator)),
        socket_path_(detail::unix_socket_path_of(options_.coordinator)),
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
  // Records that the I/O thread, about to sleep, looks again by `by`.
  void will_look_by(Clock::time_point by);
  // Sends what the slots finished, started and reported. True if some of it
  // waits in a link's queue for the socket (the I/O thread must write it).
  bool send_results();
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
  // The coordinator address is fd://N (an embedded worker's link to its
  // parent's coordinator, inherited) or unix://PATH (a service's worker
  // socket, dialled): we speak over a detail::StreamLink instead of dealer_.
  // A link is not a ZeroMQ socket: any thread may write to it under
  // send_mu_, so a slot sends its results itself rather than waking the I/O
  // thread to. -1 and empty: neither (a DEALER to options_.coordinator).
  const int link_fd_;
  const std::string socket_path_;
  bool linked() const noexcept { return link_fd_ >= 0 || !socket_path_.empty(); }
  // Dials socket_path_ anew; link_ stays null if nobody answers (tick() tries again).
  void dial() TASKMILL_REQUIRES(send_mu_);
  zmq::context_t context_{1};
  std::unique_ptr<zmq::socket_t> dealer_;
  std::unique_ptr<detail::HandshakeMonitor> monitor_;  // of dealer_
  std::mutex send_mu_;  // before mu_ when both are held
  std::unique_ptr<detail::StreamLink> link_ TASKMILL_GUARDED_BY(send_mu_);
  Clock::time_point last_sent_ TASKMILL_GUARDED_BY(send_mu_);
  std::set<std::string> connect_failures_said_;  // each logged once; a few kinds at most
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
  // When the I/O thread, asleep, looks at finished_ next without being woken
  // (it set this before polling), so that a slot can tell whether a result
  // it leaves there goes within kShortJob.
  Clock::time_point io_looks_by_ TASKMILL_GUARDED_BY(mu_) = Clock::time_point::max();
  // How long the job a slot finished last ran (0: none yet). While it is
  // kShortJob or more the I/O thread expects long jobs and does not poll for
  // their results: each is a wake-up, 10-40 us of CPU here, taken from the
  // jobs on a machine whose CPUs are all running them (W3a).
  Clock::duration last_run_ TASKMILL_GUARDED_BY(mu_){};
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

}  // namespace taskmill::worker
