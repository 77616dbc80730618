// thread_backend.h: runs jobs on a pool of threads in this process.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ready_queue.h"
#include "taskmill/annotations.h"
#include "taskmill/detail/backend.h"

namespace taskmill::detail {

// Workers sleep on a condition variable when there is nothing to do, but one
// of them at a time spins briefly first, so that a job submitted right after
// another starts without a futex wake-up (the W2 round trip). A worker that
// takes a job and sees more queued wakes one more sleeper, so a burst of jobs
// fans out to every worker without the submitter paying for each wake. A
// worker running jobs of a few microseconds takes several per lock
// (thread_backend.cpp, kShortJob), and an idle worker takes over the ones
// another took but has not started.
//
// Thread-safety: every member function may be called concurrently.
class ThreadBackend final : public Backend {
 public:
  ThreadBackend(std::size_t workers, std::function<void()> initializer);
  ~ThreadBackend() override;

  void submit(TaskPtr task) override;
  void submit_batch(std::vector<TaskPtr>& tasks) override;
  void shutdown(const ShutdownOptions& options) override;
  std::size_t worker_count() const override { return threads_.size(); }

 private:
  void worker_main(std::size_t slot);
  // Waits for work and moves the next job, or several short ones, into
  // `batch`; false once closed and drained. `finished` holds the last batch
  // while the lock is held, so none of it is freed under the lock.
  bool take(std::size_t slot, bool short_jobs, std::vector<TaskPtr>& batch, std::vector<TaskPtr>& finished);
  // A job another worker took with others and has not started, or null.
  TaskPtr unstarted_job_of_another(std::size_t slot) TASKMILL_REQUIRES(mu_);
  void spin_for_work() noexcept;
  void fail_broken(SharedState& task);
  void join_workers();

  std::mutex mu_;
  std::condition_variable work_cv_;
  ReadyQueue queue_ TASKMILL_GUARDED_BY(mu_);
  // The jobs each worker took, so shutdown can raise their cancel flags.
  std::vector<std::vector<TaskPtr>> running_ TASKMILL_GUARDED_BY(mu_);
  std::size_t sleeping_ TASKMILL_GUARDED_BY(mu_) = 0;
  bool closed_ TASKMILL_GUARDED_BY(mu_) = false;

  std::atomic<std::size_t> queued_{0};  // queue_.size(), readable without the lock
  std::atomic<bool> spinning_{false};   // a worker is spinning for work
  std::atomic<bool> closing_{false};
  std::atomic<bool> cancelling_{false};  // shutdown(cancel_pending): taken jobs not started are cancelled

  std::function<void()> initializer_;
  std::atomic<bool> broken_{false};  // an initializer threw
  std::mutex broken_mu_;
  std::string broken_type_ TASKMILL_GUARDED_BY(broken_mu_);
  std::string broken_message_ TASKMILL_GUARDED_BY(broken_mu_);

  std::vector<std::thread> threads_;
  std::once_flag joined_;
};

}  // namespace taskmill::detail
