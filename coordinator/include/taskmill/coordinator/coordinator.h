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
// Thread-safety: construct, then call run() on one thread; stop() and
// endpoints() may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

namespace taskmill::coordinator {

struct CoordinatorOptions {
  // Addresses to bind: tcp://HOST:PORT (PORT may be * for any free one),
  // ipc://PATH, inproc://NAME.
  std::vector<std::string> endpoints;
  // How often peers must say something. Default: 500 ms.
  std::chrono::milliseconds heartbeat{500};
  // Missed heartbeats before a peer is declared gone. Default: 3.
  int liveness = 3;
  // Jobs assigned to a worker beyond its free slots, to hide the round trip.
  // Only while no worker has a free slot; when one goes idle, unstarted
  // prefetched jobs are taken back from the others (Revoke), so a job never
  // waits behind a busy slot while a worker that could run it idles.
  // Default: kDefaultPrefetch.
  static constexpr int kDefaultPrefetch = 16;
  int prefetch = kDefaultPrefetch;
  // Accept a supervisor's reports of worker exits (embedded mode only). Default: false.
  bool accept_supervisor = false;
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

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace taskmill::coordinator
