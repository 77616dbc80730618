#include "taskmill/detail/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <ctime>

namespace taskmill::detail {
namespace {

// The futex syscall reads the word's address; std::atomic<uint32_t> is
// layout-compatible with uint32_t (checked below).
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

std::uint32_t* address_of(const std::atomic<std::uint32_t>& word) {
  return const_cast<std::uint32_t*>(reinterpret_cast<const std::uint32_t*>(&word));
}

}  // namespace

void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const std::chrono::steady_clock::time_point* deadline) noexcept {
  timespec abs{};
  timespec* timeout = nullptr;
  if (deadline != nullptr) {
    // steady_clock is CLOCK_MONOTONIC, the clock FUTEX_WAIT_BITSET uses.
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline->time_since_epoch()).count();
    if (ns < 0) ns = 0;
    abs.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    abs.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    timeout = &abs;
  }
  syscall(SYS_futex, address_of(word), FUTEX_WAIT_BITSET_PRIVATE, expected, timeout, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

void futex_wake_all(const std::atomic<std::uint32_t>& word) noexcept {
  syscall(SYS_futex, address_of(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace taskmill::detail
