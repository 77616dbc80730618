// prefetch_window.h: how many jobs a worker may hold beyond its slots, and
// how many in a row it should be given.
//
// Enough queued work to cover the round trip for short jobs (a slot whose
// next job is still in flight idles), little for long ones (a queued job
// waits behind the running one, and so would a later job of higher
// priority), and a bounded number of bytes (each queued payload sits in the
// worker's memory). So the window follows the expected run time of the jobs
// the worker is given (RunTimes): about kTargetMicros of work per slot, at
// most kMaxBytes of payloads, between 1 and the coordinator's --prefetch.
//
// Sending a job to another worker costs a message each way, tens of
// microseconds of CPU across the threads they wake; a job much shorter than
// that does not repay it by running in parallel. So short jobs go to one
// worker in runs of about kRunMicros of work (run_length), one message each.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace taskmill::coordinator {

class PrefetchWindow {
 public:
  static constexpr int kInitial = 16;               // while its jobs' run time is not known
  // Of queued work per slot. Each refill costs a message each way and a
  // wake-up of every thread on the way (~20 us of CPU each here); a window
  // twice as long halves them (W3b, 100 us jobs: half the context switches,
  // -25% CPU outside the jobs against 4 ms). It also bounds how long a
  // later job of higher priority can wait behind prefetched work.
  static constexpr double kTargetMicros = 10'000;
  static constexpr double kMaxBytes = 16 << 20;     // of queued payloads
  // Of work given to one worker in a row. Longer runs wake fewer workers:
  // with 512 workers, runs of 200 us put 20,000 no-op jobs on ~100 of them,
  // each woken cold (W7 at 512 workers 0.72-0.93x the rate at 2; 500 us:
  // 0.88-1.04x). Shorter runs end a burst more evenly (a service's
  // map(256), chunks of ~100 us: -12% at 500 us).
  static constexpr double kRunMicros = 500;

  // The jobs it is being given are expected to run this long (0: not known
  // yet, which keeps what it knew). The latest job's kind sets the window.
  void expect(double micros) {
    if (micros > 0) run_us_ = micros;
  }
  // A job of this size was assigned to it.
  void observe_payload(std::size_t bytes) { payload_bytes_ = average(payload_bytes_, static_cast<double>(bytes) + 1); }

  // Jobs beyond `slots`; 0 if `max` is 0 (prefetch off).
  int jobs(int slots, int max) const {
    if (max <= 0) return 0;
    double n = run_us_ > 0 ? slots * kTargetMicros / run_us_ : kInitial;
    if (payload_bytes_ > 0) n = std::min(n, kMaxBytes / payload_bytes_);
    return std::clamp(static_cast<int>(n), 1, max);
  }

  // Jobs expected to run `micros` each (0: not known) to give one worker in
  // a row, while it has room, before the next job goes to another; 1 for
  // jobs of unknown length.
  static int run_length(double micros) {
    return micros > 0 ? std::max(1, static_cast<int>(std::min(kRunMicros / micros, 1e6))) : 1;
  }

 private:
  // A moving average that follows a change of payload size within a few jobs.
  static double average(double mean, double sample) { return mean == 0 ? sample : 0.75 * mean + 0.25 * sample; }

  double run_us_ = 0;         // expected run time of its jobs; 0: not known
  double payload_bytes_ = 0;
};

}  // namespace taskmill::coordinator
