// test_jobs.h: jobs the suites submit, and gates that hold a job until the
// test opens them (tests order events with gates, never with sleeps).
//
// Gates are files, so they work the same whether a job runs on a thread of
// the test or in a worker process: a job waiting at gate G announces itself
// with a file and polls for G's "open" file. The folder is
// $TASKMILL_TEST_GATES (default /tmp/taskmill-test-gates).
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "taskmill/job.h"

namespace taskmill::testing {

// A gate id no other test process uses; jobs given it block in wait_gate().
std::int64_t new_gate();
void open_gate(std::int64_t id);
// Blocks until the gate opens.
void wait_gate(std::int64_t id);
// Blocks until `count` jobs have reached gate `id`.
void wait_for_waiters(std::int64_t id, int count);
// The process id of the n-th (0-based) job that reached gate `id`.
int waiter_pid(std::int64_t id, int n);

// Values passed to "test.record" on threads of this process, in run order.
std::vector<std::int64_t> recorded();
void clear_recorded();

extern const Job<std::int64_t, std::int64_t> square;         // x * x
extern const Job<std::int64_t, std::int64_t> gated;          // waits at gate x (ignores cancellation), returns x
extern const Job<std::int64_t, std::int64_t> until_cancel;   // reaches gate x, then sleeps until cancelled
extern const Job<std::string, std::int64_t> throws;          // throws what its argument names
extern const Job<std::int64_t, std::int64_t> fail_on_13;     // throws std::invalid_argument for 13
extern const Job<std::int64_t, std::int64_t> record;         // appends x to recorded(), returns x
extern const Job<std::int64_t, std::uint64_t> own_id;        // JobContext::id().value
extern const Job<std::int64_t, std::int64_t> progress_then_gate;  // reports 0.5 "half way", waits at gate x
extern const Job<std::string, std::string> text;             // returns its argument
extern const Job<std::int64_t, std::int64_t> crash;          // kills its process: "segv" (x = 0) or abort (x = 1)
extern const Job<std::int64_t, std::int64_t> worker_pid;     // getpid() of the process running it
extern const Job<std::int64_t, std::int64_t> hog;            // holds N MiB of touched memory until cancelled (30 s at most)
// Touches and frees N blocks of 1 MiB twice; returns the page faults of its
// second time (0 when its process reuses freed memory, 256 per block when not).
extern const Job<std::int64_t, std::int64_t> refaults;

// The exception type "test.throw" throws for "custom".
struct CustomFailure : std::exception {
  const char* what() const noexcept override { return "custom failure"; }
};

}  // namespace taskmill::testing
