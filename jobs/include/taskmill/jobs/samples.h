// samples.h: sample jobs, registered under the names in quotes.
//
// "count_primes"  Range -> int64       primes in [lo, hi): real CPU work; polls cancellation
// "spin"          int64 -> int64       burns the given microseconds of this thread's CPU time
//                                      (CLOCK_THREAD_CPUTIME_ID) and returns them
// "identity"      int64 -> int64       returns its argument (W1, W2: the per-job overhead)
// "echo"          Bytes -> Bytes       returns its argument (W4)
// "byte_length"   Bytes -> int64       returns the argument's length (W4)
// "sleep"         double -> bool       sleeps that many seconds (true); ends CANCELLED if cancelled first
#pragma once

#include <cstdint>

#include "taskmill/codec.h"
#include "taskmill/job.h"
#include "taskmill/jobs/v1/samples.pb.h"

namespace taskmill::jobs {

using Range = taskmill::jobs::v1::Range;

Range make_range(std::int64_t lo, std::int64_t hi);

// The same computation count_primes runs, callable directly (for a serial baseline).
std::int64_t count_primes_in(std::int64_t lo, std::int64_t hi);

extern const Job<Range, std::int64_t> count_primes;
extern const Job<std::int64_t, std::int64_t> spin;
extern const Job<std::int64_t, std::int64_t> identity;
extern const Job<Bytes, Bytes> echo;
extern const Job<Bytes, std::int64_t> byte_length;
extern const Job<double, bool> sleep;

}  // namespace taskmill::jobs
