// wait.h: wait for many futures at once, after concurrent.futures.wait and
// as_completed. Both take any range of futures (Future<R>, or FutureBase for
// mixed reply types).
//
//   auto [done, not_done] = taskmill::wait(futures, taskmill::ReturnWhen::kFirstCompleted);
//   for (const auto& f : taskmill::as_completed(futures, 10s)) use(f.get());
//
// Thread-safety: both may run concurrently with anything else on the futures.
#pragma once

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <type_traits>
#include <vector>

#include "taskmill/future.h"

namespace taskmill {

enum class ReturnWhen {
  kFirstCompleted,  // any future finished
  kFirstException,  // any future FAILED or TIMED_OUT; if none does, all finished
  kAllCompleted,
};

template <class F>
struct WaitResult {
  std::vector<F> done;
  std::vector<F> not_done;
};

namespace detail {

using Deadline = std::optional<Clock::time_point>;

inline Deadline deadline_after(std::optional<Clock::duration> timeout) {
  if (!timeout) return std::nullopt;
  return Clock::now() + *timeout;
}

// Blocks until `when` holds for `states` or the deadline passes.
void wait_states(const std::vector<SharedState*>& states, ReturnWhen when, Deadline deadline);

// Hands out indices of states in the order they finish.
class CompletionQueue {
 public:
  explicit CompletionQueue(const std::vector<SharedState*>& states);
  // The next finished index; throws TimeoutError if none finishes by `deadline`.
  std::size_t next(Deadline deadline);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

template <class Range>
using FutureOf = std::remove_cvref_t<std::ranges::range_value_t<Range>>;

template <class Range>
std::vector<SharedState*> states_of(const Range& futures) {
  std::vector<SharedState*> states;
  for (const FutureBase& f : futures) states.push_back(state_of(f).get());
  return states;
}

}  // namespace detail

// Waits until `when` holds or `timeout` passes, then splits the futures into
// those done and those not (each in input order). Never throws on timeout.
template <std::ranges::input_range Range>
  requires std::derived_from<detail::FutureOf<Range>, FutureBase>
WaitResult<detail::FutureOf<Range>> wait(const Range& futures, ReturnWhen when = ReturnWhen::kAllCompleted,
                                         std::optional<std::chrono::steady_clock::duration> timeout = {}) {
  detail::wait_states(detail::states_of(futures), when, detail::deadline_after(timeout));
  WaitResult<detail::FutureOf<Range>> result;
  for (const auto& f : futures) (f.done() ? result.done : result.not_done).push_back(f);
  return result;
}

// A range over the futures in the order they finish (those already done first).
// Advancing past the last one to finish before `timeout` (counted from the
// as_completed() call) throws TimeoutError.
template <class F>
class AsCompleted {
 public:
  AsCompleted(std::vector<F> futures, std::optional<std::chrono::steady_clock::duration> timeout)
      : futures_(std::move(futures)),
        queue_(detail::states_of(futures_)),
        deadline_(detail::deadline_after(timeout)) {}

  class iterator {
   public:
    using value_type = F;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    const F& operator*() const { return owner_->futures_[current_]; }
    const F* operator->() const { return &owner_->futures_[current_]; }
    iterator& operator++() {
      advance();
      return *this;
    }
    void operator++(int) { advance(); }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.yielded_ > it.owner_->size(); }

   private:
    friend class AsCompleted;
    explicit iterator(AsCompleted* owner) : owner_(owner) { advance(); }
    void advance() {
      if (++yielded_ <= owner_->size()) current_ = owner_->queue_.next(owner_->deadline_);
    }
    AsCompleted* owner_ = nullptr;
    std::size_t yielded_ = 0;
    std::size_t current_ = 0;
  };

  // Starts the iteration; call once.
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() const { return {}; }
  std::size_t size() const { return futures_.size(); }

 private:
  std::vector<F> futures_;
  detail::CompletionQueue queue_;
  detail::Deadline deadline_;
};

template <std::ranges::input_range Range>
  requires std::derived_from<detail::FutureOf<Range>, FutureBase>
AsCompleted<detail::FutureOf<Range>> as_completed(
    const Range& futures, std::optional<std::chrono::steady_clock::duration> timeout = {}) {
  return AsCompleted<detail::FutureOf<Range>>(
      std::vector<detail::FutureOf<Range>>(std::ranges::begin(futures), std::ranges::end(futures)), timeout);
}

}  // namespace taskmill
