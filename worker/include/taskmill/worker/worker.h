// worker.h: the worker runtime: connects to a coordinator, registers its job
// catalog, runs assigned jobs on its slots, and sends results back.
//
//   taskmill::worker::Worker w({.coordinator = "tcp://10.0.0.5:5555", .slots = 4});
//   return w.run();   // until stop(), a signal handler's stop(), or (embedded) the coordinator's goodbye
//
// Heartbeats come from the worker's I/O thread, never from a thread running a
// job, so a long CPU-bound job cannot make a healthy worker look dead. A
// worker that stops hearing the coordinator reconnects and registers again
// (service mode), or exits (embedded mode: its coordinator lives in its parent).
//
// Thread-safety: run() on one thread; stop() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "taskmill/curve.h"

namespace taskmill::worker {

struct WorkerOptions {
  std::string coordinator;  // tcp://HOST:PORT or ipc://PATH
  int slots = 1;            // jobs run at once
  // Embedded: exit when the coordinator says goodbye or the parent process
  // `parent_pid` is gone. Default: false (reconnect when the coordinator is silent).
  bool embedded = false;
  int parent_pid = 0;
  std::chrono::milliseconds heartbeat{500};  // until the coordinator's Welcome says otherwise
  int liveness = 3;
  // Recycling, the remedy for leaks. After `max_jobs` jobs the worker leaves
  // gracefully and starts afresh: an embedded worker's run() returns
  // kRecycled (its supervisor starts a new one); any other worker replaces
  // its process with a new run of the same program and arguments (execv).
  // 0: never. Default: 0.
  std::uint64_t max_jobs = 0;
  // A ceiling on the worker's resident memory, checked every heartbeat.
  // Passed while jobs run: those jobs fail with taskmill::MemoryLimitExceeded
  // and the process ends at once (only its end frees the memory), starting
  // afresh as above. Passed while idle: it leaves gracefully, as after max_jobs.
  // Judged on what is left once the memory malloc keeps for reuse is handed
  // back (detail::keep_freed_memory). 0: none. Default: 0.
  std::uint64_t max_memory_bytes = 0;
  // CurveZMQ: this worker's key pair and the coordinator's public key. A
  // refused key is logged (error level) and retried like a silent
  // coordinator. Default: none (plaintext).
  std::optional<curve::ClientKeys> curve;
};

class Worker {
 public:
  explicit Worker(WorkerOptions options);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // What run() returns (and the process exit status) when the worker should
  // be replaced by a fresh process (max_jobs, max_memory_bytes).
  static constexpr int kRecycled = 75;

  // Serves jobs until stopped. Returns a process exit status: 0 after stop()
  // or a goodbye, 1 when an embedded worker lost its parent, kRecycled.
  int run();
  // Makes the worker leave gracefully: it takes no new jobs, finishes the
  // ones it holds and reports them, says goodbye, and run() returns.
  // Async-signal-safe (it writes an eventfd).
  void stop() noexcept;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace taskmill::worker
