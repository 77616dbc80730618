#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "support/contract.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"

using namespace taskmill::testing;
using taskmill::JobState;

namespace {

taskmill::JobError job_error_of(taskmill::Future<std::int64_t>& f) {
  try {
    f.get();
  } catch (const taskmill::JobError& e) {
    return e;
  }
  FAIL("get() did not throw a JobError");
  throw;
}

}  // namespace

TEST_CASE("a job's exception is re-raised by get() as a JobError with its type and message", "[contract][failure]") {
  auto ex = contract_executor(2);
  struct Case {
    std::string kind, type, message;
  };
  auto c = GENERATE(Case{"runtime_error", "std::runtime_error", "boom"},
                    Case{"out_of_range", "std::out_of_range", "index 7 of 3"},
                    Case{"custom", "taskmill::testing::CustomFailure", "custom failure"},
                    Case{"bad_alloc", "std::bad_alloc", "std::bad_alloc"},
                    Case{"int", "int", "a non-std::exception value was thrown"});
  auto f = ex.submit(throws, c.kind);
  taskmill::JobError e = job_error_of(f);
  CHECK(e.remote_type() == c.type);
  CHECK(std::string(e.what()) == c.message);
  CHECK(e.attempt() == 1);
  CHECK(f.state() == JobState::kFailed);
  CHECK(f.exception() != nullptr);
}

TEST_CASE("a job that throws CancelledError without being cancelled has failed", "[contract][failure]") {
  // Cancellation is an outcome the caller asks for; a job cannot claim it.
  auto ex = contract_executor(1);
  auto f = ex.submit(throws, std::string("cancelled"));
  taskmill::JobError e = job_error_of(f);
  CHECK(e.remote_type() == "taskmill::CancelledError");
  CHECK(f.state() == JobState::kFailed);
}

TEST_CASE("one failing job leaves the pool and the other jobs alone", "[contract][failure]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = contract_executor(workers);
  std::vector<taskmill::Future<std::int64_t>> fs;
  for (int i = 0; i < 40; ++i) fs.push_back(ex.submit(fail_on_13, i));
  for (int i = 0; i < 40; ++i) {
    if (i == 13) {
      CHECK_THROWS_WITH(fs[i].get(), "13 is unlucky");
    } else {
      CHECK(fs[i].get() == i);
    }
  }
}

TEST_CASE("a job past its deadline ends TIMED_OUT", "[contract][deadline]") {
  auto ex = contract_executor(1);
  auto gate = new_gate();
  auto f = ex.submit(until_cancel, gate, {.timeout = std::chrono::milliseconds(20)});
  CHECK_THROWS_AS(f.get(), taskmill::TimeoutError);
  CHECK(f.state() == JobState::kTimedOut);
}

TEST_CASE("a job whose deadline passes in the queue never starts", "[contract][deadline]") {
  auto ex = contract_executor(1);
  auto gate = new_gate();
  auto blockers = occupy_all(ex, gate);
  auto late = ex.submit(square, 99, {.timeout = std::chrono::nanoseconds(1)});
  late.wait_for(std::chrono::milliseconds(5));  // let the deadline pass for sure while every worker is busy
  open_gate(gate);
  CHECK_THROWS_WITH(late.get(), Catch::Contains("deadline before it started"));
  CHECK(late.state() == JobState::kTimedOut);
}
