// process_backend.h: runs jobs in worker processes behind a coordinator,
// embedded in this process or a service reached by address.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "embedded_cluster.h"
#include "taskmill/annotations.h"
#include "taskmill/config.h"
#include "taskmill/detail/backend.h"
#include "taskmill/detail/stream_link.h"
#include "taskmill/detail/wake_fd.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

namespace taskmill::detail {

// Jobs and cancels waiting for the I/O thread. Shared with every submitted
// state as its CancelListener, through a weak_ptr: a future cancelled after
// the executor is gone finds nobody to tell, and that is fine.
struct Outbox final : CancelListener {
  std::mutex mu;
  std::condition_variable drained;
  std::vector<TaskPtr> tasks TASKMILL_GUARDED_BY(mu);
  std::vector<std::uint64_t> cancels TASKMILL_GUARDED_BY(mu);
  std::size_t in_flight TASKMILL_GUARDED_BY(mu) = 0;  // submitted, no outcome yet
  bool closed TASKMILL_GUARDED_BY(mu) = false;
  bool cancel_all TASKMILL_GUARDED_BY(mu) = false;
  WakeFd wake;

  void on_cancel(JobId id) noexcept override;
};

// Submits are batched into one message per wake-up, and results complete
// futures as they arrive; the submitting threads only touch the Outbox.
// With a coordinator by address, an I/O thread of ours owns the DEALER socket,
// or, for its Unix socket (unix://PATH), a link (detail::StreamLink), which
// skips ZeroMQ's I/O threads and is dialled again if it closes.
// Embedded, the coordinator's own thread does that work (we are its
// LocalClient): no socket and no thread between a submit and dispatch, and
// done-callbacks run on the coordinator's thread.
//
// Thread-safety: every public member function may be called concurrently.
class ProcessBackend final : public Backend, private coordinator::LocalClient {
 public:
  // Starts the embedded cluster or connects to `config.coordinator`, and
  // waits for the coordinator's welcome. Throws taskmill::Error if nobody
  // answers within config.connect_timeout, or at once if the coordinator
  // refuses this client's CurveZMQ key or wants another security mechanism;
  // ConfigError if the key files named by `config` cannot be used.
  explicit ProcessBackend(const Config& config);
  ~ProcessBackend() override;

  void submit(TaskPtr task) override;
  void submit_batch(std::vector<TaskPtr>& tasks) override;
  void shutdown(const ShutdownOptions& options) override;
  std::size_t worker_count() const override { return workers_; }
  bool encodes_requests() const override { return true; }

 private:
  // Connects, says hello, and adopts the coordinator's heartbeat and liveness.
  void handshake();
  void io_main();
  // LocalClient: the embedded coordinator's thread calls these.
  int wake_fd() const noexcept override { return outbox_->wake.fd(); }
  void take(std::vector<v1::Envelope>& out) override;
  void deliver(v1::Envelope& envelope, wire::Attachments& frames) override { on_envelope(envelope, frames); }
  // True on the thread that completes futures (I/O or embedded coordinator).
  bool on_completing_thread() const;
  // The link closed: dial again (the coordinator restarted) and send what is
  // pending again, as to a coordinator that forgot us; nothing if nobody answers yet.
  void redial();
  // Moves the Outbox's jobs and cancels out as messages.
  void send_outbox();
  // To the coordinator: through the socket, or to the local queue.
  void send(v1::Envelope& envelope, wire::Attachments* frames = nullptr);
  void send_pending(std::vector<TaskPtr>& tasks, std::vector<std::uint64_t>& cancels, bool cancel_all);
  void on_message(const zmq::message_t& frame, wire::Attachments& frames);
  void on_envelope(v1::Envelope& envelope, wire::Attachments& frames);
  void on_results(v1::Results& results, wire::Attachments& frames);
  void complete(SharedState& task, v1::JobResult& result, wire::Attachments& frames);
  void fail_all_pending(const std::string& why);
  void finished(std::size_t count);
  void resubmit_pending(bool say_hello);
  void stop_io();

  Config config_;
  std::string endpoint_;
  std::size_t workers_ = 0;
  zmq::context_t context_{1};
  std::unique_ptr<EmbeddedCluster> embedded_;
  bool local_ = false;  // embedded: we are the coordinator's LocalClient
  std::thread::id coordinator_thread_;  // embedded
  std::unique_ptr<zmq::socket_t> dealer_;  // the I/O thread's once it runs
  std::string link_path_;                  // unix://PATH: PATH, and then link_ instead of dealer_
  std::unique_ptr<StreamLink> link_;       // the I/O thread's once it runs; null while redialling
  std::shared_ptr<Outbox> outbox_ = std::make_shared<Outbox>();
  std::atomic<bool> io_stop_{false};
  std::thread io_;
  std::once_flag stopped_;

  // The completing thread only (I/O thread, or the embedded coordinator's).
  std::unordered_map<std::uint64_t, TaskPtr> pending_;
  // Service: each pending job's encoded request, taken from its task when
  // first sent and shared into every Submit of it since (a coordinator that
  // restarts without a journal needs it again), so it is never copied.
  std::unordered_map<std::uint64_t, Payload> requests_;
  std::vector<v1::Envelope> local_queue_;  // embedded: messages for take()
  bool in_take_ = false;
  std::chrono::steady_clock::time_point last_heard_;
  std::chrono::steady_clock::time_point last_sent_;
  std::chrono::milliseconds silence_limit_{0};  // set by the handshake, before the I/O thread starts
};

}  // namespace taskmill::detail
