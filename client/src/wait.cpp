#include "taskmill/wait.h"

#include <condition_variable>
#include <deque>
#include <mutex>

#include "taskmill/annotations.h"
#include "taskmill/errors.h"

namespace taskmill::detail {
namespace {

bool is_exception(JobState s) { return s == JobState::kFailed || s == JobState::kTimedOut; }

// Counts completions reported by done-callbacks; outlives the wait() call
// (a callback may fire after wait() returned), hence shared ownership.
struct WaitGroup {
  std::mutex mu;
  std::condition_variable cv;
  std::size_t finished TASKMILL_GUARDED_BY(mu) = 0;
  bool failed TASKMILL_GUARDED_BY(mu) = false;
};

}  // namespace

void wait_states(const std::vector<SharedState*>& states, ReturnWhen when, Deadline deadline) {
  auto group = std::make_shared<WaitGroup>();
  for (SharedState* state : states) {
    state->add_callback([group, state]() noexcept {
      std::lock_guard lock(group->mu);
      ++group->finished;
      group->failed = group->failed || is_exception(state->state());
      group->cv.notify_all();
    });
  }
  const std::size_t total = states.size();
  auto satisfied = [&]() TASKMILL_REQUIRES(group->mu) {
    switch (when) {
      case ReturnWhen::kFirstCompleted: return group->finished > 0 || total == 0;
      case ReturnWhen::kFirstException: return group->failed || group->finished == total;
      case ReturnWhen::kAllCompleted: return group->finished == total;
    }
    return true;
  };
  std::unique_lock lock(group->mu);
  if (deadline) {
    group->cv.wait_until(lock, *deadline, satisfied);
  } else {
    group->cv.wait(lock, satisfied);
  }
}

struct CompletionQueue::Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::size_t> finished TASKMILL_GUARDED_BY(mu);
};

CompletionQueue::CompletionQueue(const std::vector<SharedState*>& states) : shared_(std::make_shared<Shared>()) {
  for (std::size_t i = 0; i < states.size(); ++i) {
    states[i]->add_callback([shared = shared_, i]() noexcept {
      std::lock_guard lock(shared->mu);
      shared->finished.push_back(i);
      shared->cv.notify_one();
    });
  }
}

std::size_t CompletionQueue::next(Deadline deadline) {
  std::unique_lock lock(shared_->mu);
  auto ready = [this]() TASKMILL_REQUIRES(shared_->mu) { return !shared_->finished.empty(); };
  if (deadline) {
    if (!shared_->cv.wait_until(lock, *deadline, ready)) {
      throw TimeoutError("as_completed: futures still unfinished when the timeout passed");
    }
  } else {
    shared_->cv.wait(lock, ready);
  }
  std::size_t index = shared_->finished.front();
  shared_->finished.pop_front();
  return index;
}

}  // namespace taskmill::detail
