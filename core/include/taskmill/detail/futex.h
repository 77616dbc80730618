// futex.h: wait on and wake a 32-bit atomic word (Linux futex), with an
// absolute deadline, which std::atomic::wait cannot take.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace taskmill::detail {

// Blocks while `word` holds `expected`, until woken, or until `deadline` if
// given. May return spuriously: callers re-check their condition.
void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const std::chrono::steady_clock::time_point* deadline) noexcept;

// Wakes every thread blocked in futex_wait on `word`.
void futex_wake_all(const std::atomic<std::uint32_t>& word) noexcept;

}  // namespace taskmill::detail
