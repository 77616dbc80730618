#include "taskmill/detail/shared_state.h"

#include <stdexcept>

#include "spin.h"
#include "taskmill/detail/exception_info.h"
#include "taskmill/detail/futex.h"
#include "taskmill/errors.h"
#include "taskmill/future.h"

namespace taskmill::detail {
namespace {

// This thread's recent waits, which set how long wait() spins before sleeping.
thread_local SpinBudget wait_spin;

}  // namespace

void SharedState::wait() const noexcept {
  if (done()) return;
  const auto start = Clock::now();
  if (!spin_until([this] { return done(); }, wait_spin.budget())) {
    while (true) {
      std::uint32_t word = word_.load(std::memory_order_acquire);
      if (is_terminal(static_cast<JobState>(word & kCodeMask))) break;
      if ((word & kWaiters) == 0 && !word_.compare_exchange_weak(word, word | kWaiters)) continue;
      futex_wait(word_, word | kWaiters, nullptr);
    }
  }
  wait_spin.observe(Clock::now() - start);
}

bool SharedState::wait_until(Clock::time_point deadline) const noexcept {
  if (done()) return true;
  while (Clock::now() < deadline) {
    std::uint32_t word = word_.load(std::memory_order_acquire);
    if (is_terminal(static_cast<JobState>(word & kCodeMask))) return true;
    if ((word & kWaiters) == 0 && !word_.compare_exchange_weak(word, word | kWaiters)) continue;
    futex_wait(word_, word | kWaiters, &deadline);
  }
  return done();
}

bool SharedState::try_start() noexcept {
  std::uint32_t word = word_.load(std::memory_order_relaxed);
  while ((word & ~kWaiters) == static_cast<std::uint32_t>(JobState::kQueued)) {
    const std::uint32_t running = (word & kWaiters) | static_cast<std::uint32_t>(JobState::kRunning);
    if (word_.compare_exchange_weak(word, running, std::memory_order_acq_rel)) return true;
  }
  return false;
}

bool SharedState::try_claim() noexcept {
  std::uint32_t word = word_.load(std::memory_order_relaxed);
  while ((word & kClaimed) == 0 && !is_terminal(static_cast<JobState>(word & kCodeMask))) {
    if (word_.compare_exchange_weak(word, word | kClaimed, std::memory_order_acq_rel)) return true;
  }
  return false;
}

void SharedState::publish(JobState final_state) noexcept {
  const std::uint32_t before = word_.exchange(static_cast<std::uint32_t>(final_state), std::memory_order_seq_cst);
  if ((before & kWaiters) != 0) futex_wake_all(word_);
  if (has_callbacks_.load(std::memory_order_seq_cst)) run_callbacks();
}

bool SharedState::cancel() noexcept {
  std::uint32_t word = word_.load(std::memory_order_relaxed);
  while ((word & ~kWaiters) == static_cast<std::uint32_t>(JobState::kQueued)) {
    if (word_.compare_exchange_weak(word, word | kClaimed, std::memory_order_acq_rel)) {
      error_ = std::make_exception_ptr(CancelledError("job " + to_string(id_) + " was cancelled"));
      publish(JobState::kCancelled);
      notify_cancel();
      return true;
    }
  }
  if (static_cast<JobState>(word & kCodeMask) == JobState::kRunning) {
    cancel_.request();
    notify_cancel();
    return false;
  }
  wait();  // a result is being written right now: report what it turns out to be
  return state() == JobState::kCancelled;
}

bool SharedState::finish_with_error(JobState final_state, std::exception_ptr error) noexcept {
  if (!try_claim()) return false;
  error_ = std::move(error);
  publish(final_state);
  return true;
}

void SharedState::add_callback(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    callbacks_.push_back(std::move(fn));
    has_callbacks_.store(true, std::memory_order_seq_cst);
  }
  // Either publish() sees has_callbacks_ or we see the job done (both seq_cst);
  // run_callbacks() hands each callback to exactly one of us.
  if (is_terminal(static_cast<JobState>(word_.load(std::memory_order_seq_cst) & kCodeMask))) run_callbacks();
}

void SharedState::run_callbacks() noexcept {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mu_);
    ready.swap(callbacks_);
  }
  for (auto& fn : ready) fn();
}

Progress SharedState::progress() const {
  std::lock_guard lock(mu_);
  return progress_;
}

void SharedState::on_progress(double fraction, std::string_view note) {
  std::lock_guard lock(mu_);
  progress_.fraction = fraction;
  progress_.note.assign(note);
}

void SharedState::execute(JobContext&) {
  throw std::logic_error("taskmill: execute() called on a state that carries no job");
}

void SharedState::notify_cancel() noexcept {
  if (auto listener = listener_.lock()) listener->on_cancel(id_);
}

WireRequest SharedState::encode_request() {
  throw std::logic_error("taskmill: encode_request() called on a state that carries no job");
}

Status SharedState::decode_reply(std::string_view) {
  return {StatusCode::kInternal, "this state takes no reply from the wire"};
}

void fail_with_current_exception(SharedState& state) noexcept {
  ExceptionInfo info = describe_current_exception();
  state.finish_with_error(JobState::kFailed, std::make_exception_ptr(JobError(info.type, info.message)));
}

}  // namespace taskmill::detail
