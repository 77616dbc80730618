// local_pool.h: start N worker processes on this host and keep N running.
//
// Each worker is `command` (by default this very program, re-executed) with
// TASKMILL_WORKER_* variables in its environment that make taskmill::init()
// turn it into a worker. It talks to the coordinator over a link of its own
// (a socketpair, detail::StreamLink): the pool hands this end of each to
// `adopt_link` and the worker inherits the other, so no other process can
// reach either and there is no socket file to guard. A supervisor thread watches each child through a
// pidfd: when one exits it reports the exit to the coordinator at once (so
// its jobs are re-queued without waiting for missed heartbeats) and starts a
// replacement. Children started here die with this process (PR_SET_PDEATHSIG
// plus a parent check), so a killed caller leaves no workers behind.
//
// Thread-safety: construct and destroy on one thread; nothing else to call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

namespace taskmill::worker {

struct LocalPoolOptions {
  // Takes this end of a new worker's link, before the worker starts
  // (coordinator::Coordinator::adopt_link). Called on the supervisor's thread.
  std::function<void(int fd)> adopt_link;
  std::string supervisor_endpoint;   // where the supervisor reports exits (inproc://..., same context)
  int workers = 1;
  int slots_per_worker = 1;
  std::vector<std::string> command;  // program and arguments; empty: re-execute this program
  std::uint64_t max_jobs_per_worker = 0;  // WorkerOptions::max_jobs of each worker; 0: none
  std::uint64_t max_worker_memory = 0;    // WorkerOptions::max_memory_bytes; 0: none
};

class LocalWorkerPool {
 public:
  // Starts the workers. Throws taskmill::Error if the program cannot be started.
  LocalWorkerPool(zmq::context_t& context, LocalPoolOptions options);
  // stop(2 s).
  ~LocalWorkerPool();
  LocalWorkerPool(const LocalWorkerPool&) = delete;
  LocalWorkerPool& operator=(const LocalWorkerPool&) = delete;

  // Stops replacing workers, sends each SIGTERM, waits up to `grace` for
  // them to exit, then kills the rest.
  void stop(std::chrono::milliseconds grace);
  // Process ids of the running workers (for tests and `taskmill workers`).
  std::vector<int> pids() const;

 private:
  class Supervisor;
  std::unique_ptr<Supervisor> supervisor_;
};

// The environment variables a spawned worker finds.
inline constexpr const char* kWorkerEndpointEnv = "TASKMILL_WORKER_ENDPOINT";
inline constexpr const char* kWorkerSlotsEnv = "TASKMILL_WORKER_SLOTS";
inline constexpr const char* kWorkerParentEnv = "TASKMILL_WORKER_PARENT";
inline constexpr const char* kWorkerMaxJobsEnv = "TASKMILL_WORKER_MAX_JOBS";
inline constexpr const char* kWorkerMaxMemoryEnv = "TASKMILL_WORKER_MAX_MEMORY";

}  // namespace taskmill::worker
