// test_jobs.h: jobs the suites submit, and gates that hold a job until the
// test opens them (tests order events with gates, never with sleeps).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "taskmill/job.h"

namespace taskmill::testing {

// A fresh gate id; jobs given it block in wait_gate() until open_gate(id).
std::int64_t new_gate();
void open_gate(std::int64_t id);
// Blocks until the gate opens.
void wait_gate(std::int64_t id);
// Blocks until `count` jobs are waiting at gate `id`.
void wait_for_waiters(std::int64_t id, int count);

// Values passed to "test.record", in the order the jobs ran.
std::vector<std::int64_t> recorded();
void clear_recorded();

extern const Job<std::int64_t, std::int64_t> square;         // x * x
extern const Job<std::int64_t, std::int64_t> gated;          // waits at gate x (ignores cancellation), returns x
extern const Job<std::int64_t, std::int64_t> until_cancel;   // signals gate x's waiters, then sleeps until cancelled
extern const Job<std::string, std::int64_t> throws;          // throws what its argument names
extern const Job<std::int64_t, std::int64_t> fail_on_13;     // throws std::invalid_argument for 13
extern const Job<std::int64_t, std::int64_t> record;         // appends x to recorded(), returns x
extern const Job<std::int64_t, std::uint64_t> own_id;        // JobContext::id().value
extern const Job<std::int64_t, std::int64_t> progress_then_gate;  // reports 0.5 "half way", waits at gate x
extern const Job<std::string, std::string> text;             // returns its argument

// The exception type "test.throw" throws for "custom".
struct CustomFailure : std::exception {
  const char* what() const noexcept override { return "custom failure"; }
};

}  // namespace taskmill::testing
