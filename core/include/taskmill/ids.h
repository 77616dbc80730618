// ids.h: job identifiers and job states shared by every side.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace taskmill {

// Identifies one job within the executor that accepted it. Cheap to copy.
struct JobId {
  std::uint64_t value = 0;
  friend bool operator==(JobId, JobId) = default;
  friend auto operator<=>(JobId, JobId) = default;
};

std::string to_string(JobId id);  // "j-42"

// QUEUED -> RUNNING -> one of the four terminal states.
enum class JobState : std::uint8_t {
  kQueued,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled,
  kTimedOut,
};

std::string_view to_string(JobState state);  // "QUEUED", "RUNNING", ...

constexpr bool is_terminal(JobState s) { return s >= JobState::kSucceeded; }

}  // namespace taskmill
