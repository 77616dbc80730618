#include "taskmill/ids.h"

namespace taskmill {

std::string to_string(JobId id) { return "j-" + std::to_string(id.value); }

std::string_view to_string(JobState state) {
  switch (state) {
    case JobState::kQueued: return "QUEUED";
    case JobState::kRunning: return "RUNNING";
    case JobState::kSucceeded: return "SUCCEEDED";
    case JobState::kFailed: return "FAILED";
    case JobState::kCancelled: return "CANCELLED";
    case JobState::kTimedOut: return "TIMED_OUT";
  }
  return "UNKNOWN";
}

}  // namespace taskmill
