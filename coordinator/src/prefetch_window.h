// prefetch_window.h: how many jobs a worker may hold beyond its slots.
//
// Enough queued work to cover the round trip for short jobs (a slot whose
// next job is still in flight idles), little for long ones (a queued job
// waits behind the running one, and so would a later job of higher
// priority), and a bounded number of bytes (each queued payload sits in the
// worker's memory). So the window follows what the worker reports: about
// kTargetMicros of work per slot, at most kMaxBytes of payloads, between 1
// and the coordinator's --prefetch.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace taskmill::coordinator {

class PrefetchWindow {
 public:
  static constexpr int kInitial = 16;               // before the worker has reported a job's run time
  static constexpr double kTargetMicros = 4'000;    // of queued work per slot
  static constexpr double kMaxBytes = 16 << 20;     // of queued payloads

  // A job on this worker ran this long (measured by the worker).
  void observe_run(std::uint64_t micros) { run_us_ = average(run_us_, static_cast<double>(micros) + 1); }
  // A job of this size was assigned to it.
  void observe_payload(std::size_t bytes) { payload_bytes_ = average(payload_bytes_, static_cast<double>(bytes) + 1); }

  // Jobs beyond `slots`; 0 if `max` is 0 (prefetch off).
  int jobs(int slots, int max) const {
    if (max <= 0) return 0;
    double n = run_us_ > 0 ? slots * kTargetMicros / run_us_ : kInitial;
    if (payload_bytes_ > 0) n = std::min(n, kMaxBytes / payload_bytes_);
    return std::clamp(static_cast<int>(n), 1, max);
  }

 private:
  // Moving averages that follow a change of workload within a few jobs.
  static double average(double mean, double sample) { return mean == 0 ? sample : 0.75 * mean + 0.25 * sample; }

  double run_us_ = 0;         // 0: nothing measured yet
  double payload_bytes_ = 0;
};

}  // namespace taskmill::coordinator
