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

  // Serves jobs until stopped. Returns a process exit status: 0 after stop()
  // or a goodbye, 1 when an embedded worker lost its parent.
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
