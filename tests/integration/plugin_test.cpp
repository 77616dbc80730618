// taskmill-worker --jobs PLUGIN.so: jobs from a shared library, run by the
// stock worker program, submitted by a client that links the same job.
#include <catch2/catch.hpp>

#include "support/daemons.h"
#include "support/plugin_jobs.h"
#include "taskmill/executor.h"

using namespace taskmill::testing;

TEST_CASE("taskmill-worker runs the jobs of a plugin it loads", "[integration][process][plugin]") {
  auto coordinator = Daemon::coordinator();
  auto worker = Daemon::stock_worker(coordinator.address(), {"--jobs", TASKMILL_TEST_PLUGIN});
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.coordinator = coordinator.address();
  taskmill::Executor ex(config);
  CHECK(ex.submit(plugin_cube, 3).get() == 27);
  CHECK(ex.map(plugin_cube, {1, 2, 4}).get() == std::vector<std::int64_t>{1, 8, 64});
}

TEST_CASE("taskmill-worker refuses a plugin it cannot load, naming it", "[integration][process][plugin]") {
  ChildProcess worker(TASKMILL_WORKER_BIN, {"--coordinator", "tcp://127.0.0.1:9", "--jobs", "/etc/hostname"},
                      {.out = ChildProcess::Output::kInherit, .err = ChildProcess::Output::kPipe});
  const std::string all = worker.read_err_rest();
  CHECK(worker.wait() == 2);
  CHECK_THAT(all, Catch::Contains("cannot load /etc/hostname"));
}
