#include "thread_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "job_runner.h"
#include "spin.h"
#include "taskmill/detail/exception_info.h"
#include "taskmill/errors.h"

namespace taskmill::detail {
namespace {

// How long an idle worker spins before it sleeps.
constexpr std::chrono::microseconds kIdleSpin{50};

// A worker whose last jobs took under kShortJob each takes up to kMaxBatch
// queued jobs at once, but never more than its share of half the queue: each
// lock it takes then serves several jobs, instead of the submitter and the
// workers trading the lock (and its cache line) once per job. Long jobs, and
// a short queue (the tail of a run), go one at a time. A job taken along with
// others may still prove long: a worker that finds the queue empty takes one
// the others took but have not started, so none sits idle while another
// holds work. Whoever starts a job first runs it (SharedState::try_start).
constexpr std::chrono::nanoseconds kShortJob{2000};
constexpr std::size_t kMaxBatch = 32;

thread_local const ThreadBackend* current_backend = nullptr;

}  // namespace

ThreadBackend::ThreadBackend(std::size_t workers, std::function<void()> initializer)
    : initializer_(std::move(initializer)) {
  {
    std::lock_guard lock(mu_);
    running_.resize(workers);
    for (std::vector<TaskPtr>& batch : running_) batch.reserve(kMaxBatch);
  }
  threads_.reserve(workers);
  for (std::size_t slot = 0; slot < workers; ++slot) threads_.emplace_back([this, slot] { worker_main(slot); });
}

ThreadBackend::~ThreadBackend() { shutdown(ShutdownOptions{.wait = true, .cancel_pending = false}); }

void ThreadBackend::submit(TaskPtr task) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) throw ShutdownError();
    queue_.push(std::move(task));
    queued_.fetch_add(1, std::memory_order_release);
    wake = sleeping_ > 0 && !spinning_.load(std::memory_order_relaxed);
  }
  if (wake) work_cv_.notify_one();
}

void ThreadBackend::submit_batch(std::vector<TaskPtr>& tasks) {
  std::size_t wake = 0;
  {
    std::lock_guard lock(mu_);
    if (closed_) throw ShutdownError();
    for (TaskPtr& task : tasks) queue_.push(std::move(task));
    queued_.fetch_add(tasks.size(), std::memory_order_release);
    wake = std::min(sleeping_, tasks.size());
  }
  for (std::size_t i = 0; i < wake; ++i) work_cv_.notify_one();
}

void ThreadBackend::shutdown(const ShutdownOptions& options) {
  std::vector<TaskPtr> pending;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    closing_.store(true, std::memory_order_relaxed);
    if (options.cancel_pending) {
      pending = queue_.drain();
      queued_.store(0, std::memory_order_relaxed);
      cancelling_.store(true, std::memory_order_relaxed);
      for (std::vector<TaskPtr>& batch : running_) {
        for (TaskPtr& task : batch) task->request_cancel();
      }
    }
  }
  work_cv_.notify_all();
  for (TaskPtr& task : pending) task->cancel();
  // A job that shuts down its own executor cannot wait for itself.
  if (options.wait && current_backend != this) join_workers();
}

void ThreadBackend::join_workers() {
  std::call_once(joined_, [this] {
    for (std::thread& t : threads_) t.join();
  });
}

void ThreadBackend::worker_main(std::size_t slot) {
  current_backend = this;
  if (initializer_) {
    try {
      initializer_();
    } catch (...) {
      ExceptionInfo info = describe_current_exception();
      std::lock_guard lock(broken_mu_);
      broken_type_ = info.type;
      broken_message_ = "worker initializer failed: " + info.message;
      broken_.store(true, std::memory_order_release);
    }
  }
  std::vector<TaskPtr> batch, finished;
  batch.reserve(kMaxBatch);
  finished.reserve(kMaxBatch);
  bool short_jobs = false;
  while (take(slot, short_jobs, batch, finished)) {
    const auto start = std::chrono::steady_clock::now();
    for (const TaskPtr& task : batch) {
      if (broken_.load(std::memory_order_acquire)) {
        fail_broken(*task);
      } else if (task != batch.front() && cancelling_.load(std::memory_order_relaxed)) {
        task->cancel();  // taken with the first, not started: as if still queued
      } else {
        run_job(*task, 1);
      }
    }
    short_jobs = std::chrono::steady_clock::now() - start < kShortJob * static_cast<std::int64_t>(batch.size());
  }
}

void ThreadBackend::fail_broken(SharedState& task) {
  if (!task.try_start()) return;
  std::lock_guard lock(broken_mu_);
  task.finish_with_error(JobState::kFailed, std::make_exception_ptr(JobError(broken_type_, broken_message_)));
}

void ThreadBackend::spin_for_work() noexcept {
  if (queued_.load(std::memory_order_relaxed) > 0) return;
  bool expected = false;
  if (!spinning_.compare_exchange_strong(expected, true)) return;  // one spinner is enough
  spin_until(
      [this] {
        return queued_.load(std::memory_order_acquire) > 0 || closing_.load(std::memory_order_relaxed);
      },
      kIdleSpin);
  spinning_.store(false);
}

bool ThreadBackend::take(std::size_t slot, bool short_jobs, std::vector<TaskPtr>& batch,
                         std::vector<TaskPtr>& finished) {
  batch.clear();  // running_[slot] still holds them: none is freed here
  spin_for_work();
  {
    std::unique_lock lock(mu_);
    running_[slot].swap(finished);  // the last batch, freed after the lock (a large reply, say)
    while (queue_.empty() && !closed_) {
      if (TaskPtr held = unstarted_job_of_another(slot)) {
        batch.push_back(std::move(held));
        break;
      }
      ++sleeping_;
      work_cv_.wait(lock);
      --sleeping_;
    }
    if (batch.empty()) {
      if (queue_.empty()) return false;  // closed and drained
      const std::size_t share = queue_.size() / (2 * running_.size());
      const std::size_t count = short_jobs ? std::clamp<std::size_t>(share, 1, kMaxBatch) : 1;
      for (std::size_t i = 0; i < count; ++i) batch.push_back(queue_.pop());
      queued_.fetch_sub(count, std::memory_order_relaxed);
      // `share` leaves the queue non-empty whenever `count` > 1, so a
      // sleeper woken here finds work, or a job held here to take.
      if (!queue_.empty() && sleeping_ > 0 && !spinning_.load(std::memory_order_relaxed)) work_cv_.notify_one();
    }
    running_[slot].assign(batch.begin(), batch.end());
  }
  finished.clear();
  return true;
}

TaskPtr ThreadBackend::unstarted_job_of_another(std::size_t slot) {
  for (std::size_t other = 0; other < running_.size(); ++other) {
    if (other == slot) continue;
    const std::vector<TaskPtr>& taken = running_[other];
    // The last first, farthest from where its worker is; the first is the
    // one it starts at once.
    for (std::size_t i = taken.size(); i > 1; --i) {
      if (taken[i - 1]->state() == JobState::kQueued) return taken[i - 1];
    }
  }
  return nullptr;
}

}  // namespace taskmill::detail
