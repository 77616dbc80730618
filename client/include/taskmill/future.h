// future.h: the handle submit() returns, after concurrent.futures.Future.
//
//   taskmill::Future<std::int64_t> f = ex.submit(count_primes, range);
//   if (f.wait_for(1s)) std::cout << f.get() << '\n';
//   f.add_done_callback([](const auto& done) { ... });
//
// get() returns the reply, or throws JobError (the job threw), CancelledError
// (it was cancelled) or TimeoutError (it passed its deadline).
//
// Thread-safety: every member function may be called concurrently, on the
// same Future or on copies of it. Copies share one state.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "taskmill/detail/shared_state.h"
#include "taskmill/ids.h"

namespace taskmill {

class FutureBase;
namespace detail {
const std::shared_ptr<SharedState>& state_of(const FutureBase& future);
}

// What every Future<R> can do without knowing R; wait() and as_completed()
// take any of them.
class FutureBase {
 public:
  FutureBase() = default;
  explicit FutureBase(std::shared_ptr<detail::SharedState> state) : state_(std::move(state)) {}

  // False for a default-constructed Future; every other call needs a valid one.
  bool valid() const noexcept { return state_ != nullptr; }
  JobId id() const noexcept { return state_->id(); }
  JobState state() const noexcept { return state_->state(); }
  bool done() const noexcept { return state_->done(); }
  bool running() const noexcept { return state() == JobState::kRunning; }
  bool cancelled() const noexcept { return state() == JobState::kCancelled; }

  // Cancels the job if it has not started and returns true (true also if it
  // was cancelled before). A running job is asked to stop through its
  // JobContext and false is returned: it may still finish normally.
  bool cancel() noexcept { return state_->cancel(); }

  void wait() const noexcept { state_->wait(); }
  // True if the job finished within `timeout`.
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) const noexcept {
    return state_->wait_until(detail::Clock::now() +
                              std::chrono::ceil<detail::Clock::duration>(timeout));
  }
  bool wait_until(std::chrono::steady_clock::time_point deadline) const noexcept {
    return state_->wait_until(deadline);
  }

  // Waits, then returns the exception get() would throw, or nullptr.
  std::exception_ptr exception() const noexcept {
    wait();
    return state_->error();
  }

  // The job's latest progress report.
  Progress progress() const { return state_->progress(); }

 protected:
  friend const std::shared_ptr<detail::SharedState>& detail::state_of(const FutureBase&);
  std::shared_ptr<detail::SharedState> state_;
};

namespace detail {
inline const std::shared_ptr<SharedState>& state_of(const FutureBase& future) { return future.state_; }
}  // namespace detail

template <class R>
class Future : public FutureBase {
 public:
  using value_type = R;

  Future() = default;
  explicit Future(std::shared_ptr<detail::ValueState<R>> state) : FutureBase(std::move(state)) {}

  // Waits for the job and returns its reply; throws JobError, CancelledError
  // or TimeoutError. The reference lives as long as this Future.
  const R& get() const& {
    wait();
    if (state() != JobState::kSucceeded) std::rethrow_exception(state_->error());
    return typed().value();
  }
  // On a temporary Future (`ex.submit(...).get()`), returns the reply by value.
  R get() && {
    wait();
    if (state() != JobState::kSucceeded) std::rethrow_exception(state_->error());
    if (state_.use_count() == 1) return std::move(typed().value());
    return typed().value();
  }

  // Calls fn(future) once the job is done: at once if it is, otherwise on the
  // thread that finishes the job (a pool thread, the client's I/O thread, or
  // the embedded coordinator's thread), so keep it short: it may submit more
  // jobs, but must not wait for one. `fn` must not throw.
  template <class F>
    requires std::is_invocable_v<F&, const Future<R>&>
  void add_done_callback(F fn) const {
    state_->add_callback([self = *this, fn = std::move(fn)]() mutable noexcept { fn(self); });
  }

  // A Future of fn(done_future), run like a done callback. If fn throws, the
  // new Future fails with that exception as a JobError.
  template <class F, class U = std::invoke_result_t<F&, const Future<R>&>>
    requires(!std::is_void_v<U>)
  Future<U> then(F fn) const;

 private:
  detail::ValueState<R>& typed() const noexcept { return static_cast<detail::ValueState<R>&>(*state_); }
};

namespace detail {
// Fails `state` with the exception in flight, as a JobError. Call in a catch block.
void fail_with_current_exception(SharedState& state) noexcept;
}  // namespace detail

template <class R>
template <class F, class U>
  requires(!std::is_void_v<U>)
Future<U> Future<R>::then(F fn) const {
  auto next = std::make_shared<detail::ValueState<U>>(id(), detail::Placement{});
  add_done_callback([next, fn = std::move(fn)](const Future<R>& done) mutable noexcept {
    try {
      next->set_value(fn(done));
    } catch (...) {
      detail::fail_with_current_exception(*next);
    }
  });
  return Future<U>(std::move(next));
}

}  // namespace taskmill
