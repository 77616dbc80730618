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

}  // namespace taskmill::detail
