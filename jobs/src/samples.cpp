#include "taskmill/jobs/samples.h"

#include <time.h>

#include <chrono>

namespace taskmill::jobs {
namespace {

bool is_prime(std::int64_t n) {
  if (n < 2) return false;
  if (n < 4) return true;
  if (n % 2 == 0) return false;
  for (std::int64_t d = 3; d * d <= n; d += 2) {
    if (n % d == 0) return false;
  }
  return true;
}

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

Range make_range(std::int64_t lo, std::int64_t hi) {
  Range r;
  r.set_lo(lo);
  r.set_hi(hi);
  return r;
}

std::int64_t count_primes_in(std::int64_t lo, std::int64_t hi) {
  std::int64_t count = 0;
  for (std::int64_t n = lo; n < hi; ++n) count += is_prime(n) ? 1 : 0;
  return count;
}

const Job<Range, std::int64_t> count_primes{
    "count_primes", [](const Range& range, JobContext& ctx) -> std::int64_t {
      constexpr std::int64_t kStep = 4096;  // numbers between cancellation checks
      std::int64_t count = 0;
      for (std::int64_t lo = range.lo(); lo < range.hi(); lo += kStep) {
        ctx.throw_if_cancelled();
        count += count_primes_in(lo, std::min(lo + kStep, range.hi()));
      }
      return count;
    }};

const Job<std::int64_t, std::int64_t> spin{
    "spin", [](const std::int64_t& micros, JobContext& ctx) -> std::int64_t {
      const std::int64_t until = thread_cpu_ns() + micros * 1000;
      for (unsigned i = 0; thread_cpu_ns() < until; ++i) {
        if (i % 1024 == 0) ctx.throw_if_cancelled();
      }
      return micros;
    }};

const Job<std::int64_t, std::int64_t> identity{"identity",
                                               [](const std::int64_t& x, JobContext&) -> std::int64_t { return x; }};

const Job<Bytes, Bytes> echo{"echo", [](const Bytes& data, JobContext&) -> Bytes { return data; }};

const Job<Bytes, std::int64_t> byte_length{
    "byte_length",
    [](const Bytes& data, JobContext&) -> std::int64_t { return static_cast<std::int64_t>(data.data.size()); }};

const Job<double, bool> sleep{"sleep", [](const double& seconds, JobContext& ctx) -> bool {
                                ctx.sleep_for(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(seconds)));
                                ctx.throw_if_cancelled();
                                return true;
                              }};

}  // namespace taskmill::jobs
