// deadline.h: an optional point on the steady clock in 8 bytes, where
// std::optional<time_point> takes 16 (W8: every queued job holds one). Reads
// like the optional it replaces: `if (d && now >= *d)`, `d = now + t`,
// `d = std::nullopt`.
#pragma once

#include <chrono>
#include <optional>

namespace taskmill::coordinator {

class Deadline {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  Deadline() = default;
  Deadline(std::nullopt_t) {}
  Deadline(TimePoint at) : at_(at) {}

  explicit operator bool() const { return at_ != kNone; }
  bool has_value() const { return at_ != kNone; }
  // Only when has_value().
  TimePoint operator*() const { return at_; }

 private:
  // No reachable deadline: a timeout is capped at ten years (wire.h), and
  // the steady clock counts from boot.
  static constexpr TimePoint kNone = TimePoint::max();
  TimePoint at_ = kNone;
};

}  // namespace taskmill::coordinator
