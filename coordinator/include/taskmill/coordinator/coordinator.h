// coordinator.h: the coordinator: one event loop that queues jobs from
// clients and hands them to workers.
//
//   zmq::context_t context;
//   taskmill::coordinator::Coordinator c(context, {.endpoints = {"tcp://127.0.0.1:5555"}});
//   std::thread loop([&] { c.run(); });
//   ...
//   c.stop();
//   loop.join();
//
// The daemon (taskmill-coordinator) and the embedded mode of the process
// backend both wrap this class. It owns all its state on the thread that
// calls run(): no locks on the hot path. Per job it does O(log n) work.
//
// Thread-safety: construct, then call run() on one thread; stop(),
// endpoints() and adopt_link() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "taskmill/curve.h"

namespace taskmill::v1 {
class Envelope;
}

namespace taskmill::coordinator {

// A client in the coordinator's own process, served on the loop's thread
// without a socket (the embedded process backend): its messages are handed
// over as objects, never serialised, and no thread sits between its submits
// and dispatch. It is registered from the start and never expires.
class LocalClient {
 public:
  virtual ~LocalClient() = default;
  // Polled by the loop: readable when take() has something.
  virtual int wake_fd() const noexcept = 0;
  // On the loop's thread, each time wake_fd() is readable: the client's
  // messages since the last call, appended to `out`.
  virtual void take(std::vector<v1::Envelope>& out) = 0;
  // On the loop's thread: a message for the client, and the frames its
  // large replies are in (JobResult.reply_frame, as over a socket).
  virtual void deliver(v1::Envelope& envelope, std::vector<zmq::message_t>& frames) = 0;
};

struct CoordinatorOptions {
  // Addresses to bind: tcp://HOST:PORT (PORT may be * for any free one),
  // ipc://PATH, inproc://NAME.
  std::vector<std::string> endpoints;
  // A Unix socket to listen on for processes on this host, as a path
  // (LinkListener): workers (`taskmill-worker --coordinator unix://PATH`)
  // and executors (Config::coordinator = "unix://PATH") then speak over a
  // link, as embedded workers do, without ZeroMQ's I/O threads (two of the
  // three thread wake-ups per message). Only processes of the coordinator's
  // own user (or root) are accepted; CurveZMQ does not apply. Default: none.
  std::string unix_socket;
  // How often peers must say something. Default: 500 ms.
  std::chrono::milliseconds heartbeat{500};
  // Missed heartbeats before a peer is declared gone. Default: 3.
  int liveness = 3;
  // The most jobs assigned to a worker beyond its free slots, to hide the
  // round trip. Each worker's window adapts below it: about 10 ms of queued
  // work per slot (from the run times it reports; 16 jobs until the first),
  // at most 16 MiB of payloads, at least 1. Only while no worker has a free
  // slot; when one goes idle, unstarted prefetched jobs are taken back from
  // the others (Revoke), so a job never waits behind a busy slot while a
  // worker that could run it idles. 0: no prefetch. Default: kDefaultPrefetch.
  static constexpr int kDefaultPrefetch = 256;
  int prefetch = kDefaultPrefetch;
  // The journal file (SQLite): every accepted job and kept result is recorded
  // there before it is acknowledged, and read back at start, so a coordinator
  // restarted on the same file loses nothing. Empty: no journal. Default: empty.
  std::string journal;
  // Backpressure: unfinished jobs the coordinator holds at most; a job
  // submitted past it ends REJECTED (taskmill::QueueFullError) at once.
  // 0: no bound. Default: 1,000,000.
  std::size_t max_jobs = 1'000'000;
  // Frames larger than this are refused by libzmq before they are read (the
  // sender's connection is dropped). Default: 512 MiB.
  std::int64_t max_message_bytes = std::int64_t{512} << 20;
  // How long the result of a detached job is kept when nobody fetches it. Default: 1 hour.
  std::chrono::seconds result_ttl{3600};
  // Accept a supervisor's reports of worker exits (embedded mode only). Default: false.
  bool accept_supervisor = false;
  // A client in this process, served without a socket; it must outlive the
  // coordinator's run(). Default: none.
  LocalClient* local_client = nullptr;
  // CurveZMQ on every endpoint: the coordinator's key pair, and the public
  // keys of the clients and workers it accepts (checked by a ZAP handler the
  // coordinator runs in `context`, so only one such coordinator per context).
  // A peer without an allowed key is refused before any message of it is
  // read. Default: none (no security: for ipc:// and inproc:// only).
  std::optional<curve::ServerKeys> curve;
};

class Coordinator {
 public:
  // Binds every endpoint. Throws taskmill::Error naming the endpoint that failed.
  Coordinator(zmq::context_t& context, CoordinatorOptions options);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Runs until stop(); then tells every worker and client goodbye.
  void run();
  // Makes run() return soon. Idempotent.
  void stop() noexcept;
  // The bound endpoints, with wildcard ports resolved (tcp://127.0.0.1:41235).
  const std::vector<std::string>& endpoints() const noexcept;
  // Takes `fd`, this end of a connected Unix stream socket whose other end a
  // local worker process speaks on (detail::StreamLink; the embedded
  // process backend's workers, which skip ZeroMQ's I/O threads that way).
  // The worker registers over it as over a socket; the link's end is the
  // worker's. Any thread; before or during run().
  void adopt_link(int fd);

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace taskmill::coordinator
