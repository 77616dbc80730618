// contract.h: what the contract suite runs against. The suite is the same
// program for every backend; TASKMILL_CONFIG alone picks the backend (threads
// when unset, an embedded process backend, or a coordinator service).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "support/test_jobs.h"
#include "taskmill/executor.h"

namespace taskmill::testing {

// The configured executor, with `workers` workers where the backend starts its
// own (threads, embedded processes); a service keeps the workers it has.
inline Executor contract_executor(std::size_t workers = 2) {
  Config config = Config::from_env();
  if (config.backend == BackendKind::kThread || config.coordinator.empty()) config.workers = workers;
  return Executor(config);
}

// Occupies every worker with a job waiting at `gate`, and returns once all run.
inline std::vector<Future<std::int64_t>> occupy_all(Executor& ex, std::int64_t gate) {
  std::vector<Future<std::int64_t>> blockers;
  for (std::size_t i = 0; i < ex.workers(); ++i) blockers.push_back(ex.submit(gated, gate));
  wait_for_waiters(gate, static_cast<int>(ex.workers()));
  return blockers;
}

// Waits until the executor reports the job running (on processes the news
// travels a little behind the job itself).
inline void wait_running(const FutureBase& f) {
  while (!f.running() && !f.done()) f.wait_for(std::chrono::milliseconds(1));
}

}  // namespace taskmill::testing
