// cancellation.h: the flag through which a running job learns it should stop.
//
// A CancelFlag is owned by whoever runs the job (the executor); the job reads
// it through JobContext. Thread-safe: request() may race with any reader.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace taskmill {

class CancelFlag {
 public:
  using Clock = std::chrono::steady_clock;

  // Sets the flag and wakes every thread in wait_until(). Idempotent.
  void request() noexcept;
  bool requested() const noexcept { return word_.load(std::memory_order_acquire) != 0; }
  // Blocks until request() or `deadline`; returns requested().
  bool wait_until(Clock::time_point deadline) const noexcept;

 private:
  std::atomic<std::uint32_t> word_{0};
};

}  // namespace taskmill
