// A worker's memory. Recycling, the remedy for leaks: after
// max_jobs_per_worker jobs a worker is replaced by a fresh process, and a job
// that takes its worker past max_worker_memory fails as such while the pool
// goes on. And the memory jobs free is kept for the next ones.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/daemons.h"
#include "support/executors.h"
#include "support/processes.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"
#include "taskmill/service_client.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;

namespace {

taskmill::Config embedded(std::uint64_t max_jobs, std::uint64_t max_memory_mb) {
  taskmill::Config config = embedded_config(1);
  config.heartbeat = 100ms;
  config.max_jobs_per_worker = max_jobs;
  config.max_worker_memory_mb = max_memory_mb;
  return config;
}

}  // namespace

TEST_CASE("an embedded worker is replaced by a fresh process after max_jobs_per_worker jobs", "[integration][recycling]") {
  taskmill::Executor ex(embedded(2, 0));
  std::map<std::int64_t, int> jobs_by_pid;
  std::string order;  // which worker ran each job, for the failure message
  for (int i = 0; i < 6; ++i) {  // one at a time
    const std::int64_t pid = ex.submit(worker_pid, 0).get();
    ++jobs_by_pid[pid];
    order += std::to_string(pid) + " ";
  }
  INFO("the workers' pids, job by job: " << order);
  CHECK(jobs_by_pid.size() == 3);
  for (const auto& [pid, jobs] : jobs_by_pid) CHECK(jobs == 2);
}

TEST_CASE("a job that takes its worker past max_worker_memory fails as such, and the next runs on a fresh worker",
          "[integration][recycling]") {
  taskmill::Executor ex(embedded(0, 200));
  const std::int64_t first = ex.submit(worker_pid, 0).get();
  auto f = ex.submit(hog, 400);
  try {
    f.get();
    FAIL("a job holding 400 MiB finished under a 200 MiB ceiling");
  } catch (const taskmill::JobError& e) {
    CHECK(e.remote_type() == "taskmill::MemoryLimitExceeded");
    CHECK_THAT(e.what(), Catch::Contains("passed its limit of 200 MiB"));
  }
  CHECK(ex.submit(worker_pid, 0).get() != first);
}

TEST_CASE("taskmill-worker --max-jobs starts afresh on its own and keeps serving", "[integration][recycling][service]") {
  auto coordinator = Daemon::coordinator();
  auto worker = Daemon::stock_worker(coordinator.address(), {"--slots", "1", "--max-jobs", "2"});
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.coordinator = coordinator.address();
  taskmill::Executor ex(config);
  for (std::int64_t i = 0; i < 5; ++i) CHECK(ex.submit(taskmill::jobs::identity, i).get() == i);
  // The same process (execv keeps the pid), on its third start: it has done at most 2 jobs.
  taskmill::ServiceClient client(config);
  taskmill::v1::Query query;
  query.mutable_workers();
  const auto answer = client.ask(query);
  REQUIRE(answer.workers_size() == 1);
  CHECK(answer.workers(0).pid() == static_cast<std::uint32_t>(worker.pid()));
  CHECK(answer.workers(0).done() <= 2);
}

// Both kinds of worker process keep what their jobs free for the next jobs:
// payload buffers of a megabyte are reused, not faulted in afresh each time.
TEST_CASE("a worker process reuses the memory its jobs free", "[integration][recycling][service]") {
#ifdef TASKMILL_SANITIZED
  WARN("not checked under a sanitizer: its allocator is not malloc's");
  return;
#endif
  constexpr std::int64_t kBlocks = 16;  // 4,096 pages of 1 MiB blocks, each faulted in when not reused
  taskmill::Executor embedded_ex(embedded(0, 0));
  CHECK(embedded_ex.submit(refaults, kBlocks).get() < 256);

  auto coordinator = Daemon::coordinator();
  auto worker = Daemon::worker(coordinator.address());
  taskmill::Executor service_ex(service_config(coordinator.address()));
  CHECK(service_ex.submit(refaults, kBlocks).get() < 256);
}

TEST_CASE("a coordinator daemon reuses the memory the payloads passing through it free", "[integration][recycling][service]") {
#ifdef TASKMILL_SANITIZED
  WARN("not checked under a sanitizer: its allocator is not malloc's");
  return;
#endif
  auto coordinator = Daemon::coordinator();
  auto worker = Daemon::worker(coordinator.address());
  taskmill::Executor ex(service_config(coordinator.address()));
  taskmill::Bytes mib;
  mib.data.assign(std::size_t{1} << 20, 'x');
  const auto sixteen_echoes = [&] {  // at once: the coordinator holds them all, then frees them
    std::vector<taskmill::Future<taskmill::Bytes>> echoes;
    for (int i = 0; i < 16; ++i) echoes.push_back(ex.submit(taskmill::jobs::echo, mib));
    for (auto& echoed : echoes) REQUIRE(echoed.get() == mib);
  };
  for (int i = 0; i < 2; ++i) sixteen_echoes();  // the coordinator's heap grows to what the payloads need
  const long before = minor_faults(coordinator.pid());
  REQUIRE(before >= 0);
  for (int i = 0; i < 8; ++i) sixteen_echoes();
  // 256 MiB through it. Left to glibc's own thresholds the coordinator faulted
  // in 17,000-27,000 pages for that in 3 runs of 4 (1,480 in the fourth);
  // keeping what it frees, 540-2,315 in 4 (a heap growing by a few MiB more).
  CHECK(minor_faults(coordinator.pid()) - before < 4096);
}
