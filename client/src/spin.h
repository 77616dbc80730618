// spin.h: busy-wait helpers. A short spin before sleeping saves the futex
// round trip (several microseconds) when the event is about to happen.
#pragma once

#include <chrono>
#include <thread>

namespace taskmill::detail {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until `ready()` or `budget` has passed; returns ready(). Every 64
// pauses it yields: with more runnable threads than cores (the caller waiting
// in get() and the workers), a spinner must not keep the thread it waits for
// off the CPU.
template <class Ready>
bool spin_until(Ready ready, std::chrono::nanoseconds budget) noexcept {
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 1;; ++i) {
    if (ready()) return true;
    cpu_relax();
    if (i % 64 == 0) {
      if (std::chrono::steady_clock::now() - start > budget) return ready();
      std::this_thread::yield();
    }
  }
}

// How long a thread should spin before it sleeps, from how long its own
// recent waits lasted. Sleeping costs a futex call and, on a virtual machine,
// far more: the CPU left idle halts, and waking it takes tens of microseconds
// per hop of a round trip (W2's raw ZeroMQ round trip between two processes
// is ~120 us here, mostly CPUs coming out of halt). A thread that spins keeps
// its CPU awake, so the threads on the way run on the other one without
// waking it, and it sees its result at once. So a thread whose recent waits
// averaged under kMax spins up to kMax (its result usually comes sooner, and
// a spin that sees it ends there); one whose waits run longer spins only kMin
// and takes no CPU from the jobs it waits for.
// Not thread-safe: one per thread (thread_local).
class SpinBudget {
 public:
  static constexpr std::chrono::microseconds kMin{20};
  static constexpr std::chrono::microseconds kMax{500};

  std::chrono::nanoseconds budget() const noexcept { return mean_ <= kMax ? kMax : kMin; }
  // A wait (that did not find its event already there) lasted `waited`.
  void observe(std::chrono::nanoseconds waited) noexcept { mean_ = (3 * mean_ + waited) / 4; }

 private:
  std::chrono::nanoseconds mean_{0};
};

}  // namespace taskmill::detail
