// Recovery after faults that take time to show: a supervisor that has been
// quiet, a worker draining a long job, a worker that was given up on and
// comes back, a coordinator restarted under its clients and workers. Sleeps
// here only let a fault develop; no assertion depends on how long anything took.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "support/daemons.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;

namespace {

taskmill::Config service(const std::string& address, std::chrono::milliseconds heartbeat, int liveness) {
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.coordinator = address;
  config.heartbeat = heartbeat;
  config.liveness = liveness;
  return config;
}

bool reached_twice(std::int64_t gate) {
  return std::filesystem::exists("/tmp/taskmill-test-gates/gate-" + std::to_string(gate) + ".w1");
}

}  // namespace

TEST_CASE("a worker crash long after start is still reported at once by the supervisor", "[integration][recovery]") {
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.workers = 2;
  config.max_retries = 1;
  taskmill::Executor ex(config);
  std::this_thread::sleep_for(2s);  // longer than liveness x heartbeat: a quiet supervisor must not be dropped
  try {
    ex.submit(crash, 0).get();
    FAIL("a crashing job returned");
  } catch (const taskmill::JobError& e) {
    CHECK_THAT(e.what(), Catch::Contains("SIGSEGV"));  // the supervisor's report, not missed heartbeats
  }
}

TEST_CASE("a draining worker keeps beating while it finishes a long job, which runs once", "[integration][recovery]") {
  auto coordinator = Daemon::coordinator({"--heartbeat-ms", "100", "--liveness", "3"});
  auto leaving = Daemon::worker(coordinator.address());
  taskmill::Executor ex(service(coordinator.address(), 100ms, 3));
  auto gate = new_gate();
  auto f = ex.submit(gated, gate);
  wait_for_waiters(gate, 1);
  auto staying = Daemon::worker(coordinator.address());
  leaving.kill(SIGTERM);
  std::this_thread::sleep_for(1s);  // the job outlasts several heartbeat periods
  open_gate(gate);
  CHECK(f.get() == gate);
  CHECK(leaving.wait() == 0);
  CHECK_FALSE(reached_twice(gate));
}

TEST_CASE("a worker given up on and back again drops its old job and serves new ones", "[integration][recovery]") {
  auto coordinator = Daemon::coordinator({"--heartbeat-ms", "100", "--liveness", "3"});
  auto worker = Daemon::worker(coordinator.address(), 1);
  taskmill::Executor ex(service(coordinator.address(), 100ms, 3));
  auto gate = new_gate();
  auto f = ex.submit(until_cancel, gate);
  wait_for_waiters(gate, 1);
  worker.kill(SIGSTOP);
  std::this_thread::sleep_for(800ms);  // the coordinator gives the worker up and re-queues the job
  f.cancel();                          // ... which the cancel then ends
  CHECK_THROWS_AS(f.get(), taskmill::CancelledError);
  worker.kill(SIGCONT);  // it comes back, registers anew, and must drop the abandoned job
  CHECK(ex.submit(square, 3).get() == 9);
}

TEST_CASE("a coordinator restarted on its address: clients resubmit, and no stale result lands on a new job",
          "[integration][recovery]") {
  std::optional<Daemon> coordinator;
  coordinator.emplace(Daemon::coordinator({"--heartbeat-ms", "300", "--liveness", "5"}));
  const std::string address = coordinator->address();
  auto worker = Daemon::worker(address, 1);
  taskmill::Executor ex(service(address, 300ms, 5));
  auto gate = new_gate();
  auto a = ex.submit(gated, gate);
  wait_for_waiters(gate, 1);
  auto b = ex.submit(square, 5);
  coordinator.reset();  // SIGKILL: every queued job is forgotten
  coordinator.emplace(Daemon::coordinator_at(address, {"--heartbeat-ms", "300", "--liveness", "5"}));
  std::this_thread::sleep_for(700ms);  // client and worker find it, say hello; the client resubmits a and b
  open_gate(gate);
  CHECK(b.get() == 25);
  CHECK(a.get() == gate);
}
