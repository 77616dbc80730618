// executors.h: executors as the suites build them, from configuration alone.
#pragma once

#include <cstddef>

#include "taskmill/executor.h"

namespace taskmill::testing {

inline Executor executor_with(std::size_t workers, bool serialize = false) {
  Config config;
  config.workers = workers;
  config.serialize = serialize;
  return Executor(config);
}

}  // namespace taskmill::testing
