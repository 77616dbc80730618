// executors.h: executors as the suites build them, from configuration alone.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "taskmill/executor.h"

namespace taskmill::testing {

inline Executor executor_with(std::size_t workers, bool serialize = false) {
  Config config;
  config.workers = workers;
  config.serialize = serialize;
  return Executor(config);
}

// The process backend with `workers` worker processes of its own.
inline Config embedded_config(std::size_t workers, int max_retries = 3) {
  Config config;
  config.backend = BackendKind::kProcess;
  config.workers = workers;
  config.max_retries = max_retries;
  return config;
}

// The process backend as a client of the coordinator at `address`, with
// heartbeats short enough for a test to see a lost peer soon.
inline Config service_config(const std::string& address) {
  Config config;
  config.backend = BackendKind::kProcess;
  config.coordinator = address;
  config.heartbeat = std::chrono::milliseconds(100);
  return config;
}

}  // namespace taskmill::testing
