// taskmill-demo: counts the primes below a limit, split into ranges, once
// serially and once through an Executor, and prints both timings.
//
//   taskmill-demo --config configs/thread.toml --limit 10000000 --ranges 64
//
// The executor comes from configuration alone (--config, else $TASKMILL_CONFIG,
// else threads): the same binary runs on any backend.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "taskmill/executor.h"
#include "taskmill/init.h"
#include "taskmill/jobs/samples.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<taskmill::jobs::Range> split(std::int64_t limit, std::int64_t parts) {
  std::vector<taskmill::jobs::Range> ranges;
  for (std::int64_t i = 0; i < parts; ++i) {
    ranges.push_back(taskmill::jobs::make_range(limit * i / parts, limit * (i + 1) / parts));
  }
  return ranges;
}

}  // namespace

int main(int argc, char** argv) {
  taskmill::init(argc, argv);  // a worker process started by the executor serves jobs here
  CLI::App app{"Count primes below a limit, serially and through a taskmill Executor"};
  std::int64_t limit = 10'000'000;
  std::int64_t parts = 64;
  std::string config_path;
  app.add_option("--limit", limit, "count primes below this number")->check(CLI::Range(std::int64_t{2}, std::int64_t{1} << 40));
  app.add_option("--ranges", parts, "number of jobs to split the work into")->check(CLI::Range(1, 100000));
  app.add_option("--config", config_path, "executor configuration (TOML); default: $TASKMILL_CONFIG");
  CLI11_PARSE(app, argc, argv);

  try {
    const taskmill::Config config =
        config_path.empty() ? taskmill::Config::from_env() : taskmill::Config::load_file(config_path);
    const auto ranges = split(limit, parts);

    auto start = Clock::now();
    std::int64_t serial_total = 0;
    for (const auto& r : ranges) serial_total += taskmill::jobs::count_primes_in(r.lo(), r.hi());
    const double serial_s = seconds_since(start);

    start = Clock::now();
    taskmill::Executor executor(config);
    std::vector<taskmill::Future<std::int64_t>> futures;
    for (const auto& r : ranges) futures.push_back(executor.submit(taskmill::jobs::count_primes, r));
    std::int64_t parallel_total = 0;
    std::printf("%-28s %12s\n", "range", "primes");
    for (std::size_t i = 0; i < futures.size(); ++i) {
      const std::int64_t count = futures[i].get();
      parallel_total += count;
      if (i < 4 || i + 2 >= futures.size()) {
        std::printf("[%11lld, %11lld)  %12lld\n", static_cast<long long>(ranges[i].lo()),
                    static_cast<long long>(ranges[i].hi()), static_cast<long long>(count));
      } else if (i == 4) {
        std::printf("%28s\n", "...");
      }
    }
    const double parallel_s = seconds_since(start);

    std::printf("\nprimes below %lld: %lld (serial: %lld)\n", static_cast<long long>(limit),
                static_cast<long long>(parallel_total), static_cast<long long>(serial_total));
    std::printf("serial:   %.3f s\n", serial_s);
    const char* backend = config.backend == taskmill::BackendKind::kThread ? "thread backend"
                          : config.coordinator.empty()                      ? "process backend, embedded coordinator"
                                                                            : "process backend, coordinator service";
    std::printf("executor: %.3f s on %zu workers (%s), %lld jobs\n", parallel_s, executor.workers(), backend,
                static_cast<long long>(parts));
    std::printf("speed-up: %.2fx\n", serial_s / parallel_s);
    return parallel_total == serial_total ? 0 : 1;
  } catch (const taskmill::Error& e) {
    std::fprintf(stderr, "taskmill-demo: %s\n", e.what());
    return 2;
  }
}
