// backend.h: what an Executor needs from the thing that runs its jobs.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "taskmill/detail/shared_state.h"
#include "taskmill/options.h"

namespace taskmill::detail {

using TaskPtr = std::shared_ptr<SharedState>;

// Thread-safety: every member function may be called concurrently.
class Backend {
 public:
  virtual ~Backend() = default;

  // Queues the job. Throws ShutdownError after shutdown().
  virtual void submit(TaskPtr task) = 0;
  // Queues every job at once, in order. Throws ShutdownError (queuing none).
  virtual void submit_batch(std::vector<TaskPtr>& tasks) = 0;
  virtual void shutdown(const ShutdownOptions& options) = 0;
  virtual std::size_t worker_count() const = 0;
  // True when jobs cross a process boundary: requests are then encoded at
  // submit and kept only in that form (see JobTask).
  virtual bool encodes_requests() const { return false; }

  JobId next_id() noexcept { return JobId{next_id_.fetch_add(1, std::memory_order_relaxed) + 1}; }

 private:
  std::atomic<std::uint64_t> next_id_{0};
};

}  // namespace taskmill::detail
