// fault_bench.cpp: W5 of BENCHMARKS.md: W3a (200 x spin(10 ms) on 2 workers)
// with one worker SIGKILLed 0.3 s in, on the process backend, embedded and as
// a service, next to W3a undisturbed in the same run.
//
//   embedded  the executor's own coordinator and 2 re-executed workers; the
//             local pool sees the child die at once and starts another.
//   service   taskmill-coordinator + 2 taskmill-worker daemons at its Unix
//             socket (as process_bench's service); nobody restarts the killed
//             one, the coordinator notices it when its connection ends (over
//             tcp it would take heartbeat x liveness, 500 ms x 3) and
//             requeues its jobs.
//
// Figures per deployment: jobs lost (a future that failed, did not complete
// within 60 s, or whose done-callback never ran), duplicate results (a
// done-callback run twice for one job; as a service also the coordinator's
// count of successes grown by more than the jobs submitted), the
// wall time of W3a and of W5 and their ratio. Lost or duplicated jobs fail the
// run (exit 1): they break the contract, they are not a slow figure.
//
//   taskmill-bench-fault [--quick] [--json FILE]
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench_options.h"
#include "bench_util.h"
#include "both_running.h"
#include "figures_json.h"
#include "private_folder.h"
#include "taskmill/executor.h"
#include "taskmill/init.h"
#include "taskmill/jobs/samples.h"
#include "taskmill/service_client.h"

namespace {

constexpr int kJobs = 200;
constexpr std::int64_t kMicros = 10'000;
constexpr std::size_t kWorkers = 2;
constexpr auto kKillAfter = std::chrono::milliseconds(300);

using bench::Clock;
using bench::die;
using taskmill::Executor;

// Spins `micros` of CPU, then says which process ran it: how the benchmark
// learns the pids of embedded workers (this program, re-executed).
const taskmill::Job<std::int64_t, std::int64_t> spin_pid{
    "bench.spin_pid", [](const std::int64_t& micros, taskmill::JobContext& ctx) -> std::int64_t {
      taskmill::jobs::spin(micros, ctx);
      return ::getpid();
    }};

Executor executor(const std::string& coordinator) {
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.workers = kWorkers;
  config.coordinator = coordinator;
  return Executor(config);
}

// The pids of both embedded workers: two 50 ms spins at once land on both.
std::vector<pid_t> embedded_worker_pids(Executor& ex) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto a = ex.submit(spin_pid, 50'000);
    auto b = ex.submit(spin_pid, 50'000);
    std::set<pid_t> pids{static_cast<pid_t>(a.get()), static_cast<pid_t>(b.get())};
    if (pids.size() == kWorkers) return {pids.begin(), pids.end()};
  }
  die("the two workers never ran jobs at once");
}

struct Run {
  double wall = 0;
  int lost = 0;
  int duplicates = 0;
};

// A job not back by then is lost: W3a takes about 1 s, and the service's
// coordinator gives up on a silent worker after 1.5 s.
constexpr auto kDeadline = std::chrono::seconds(60);

// The coordinator's count of jobs that succeeded since it started (service).
std::uint64_t succeeded_so_far(const std::string& coordinator) {
  taskmill::Config config;
  config.coordinator = coordinator;
  taskmill::ServiceClient client(config);
  taskmill::v1::Query query;
  query.mutable_stats();
  return client.ask(std::move(query)).stats().succeeded();
}

// W3a; when `victim` is set, that process is SIGKILLed kKillAfter in. With a
// `coordinator` (service), its count of successes must also grow by kJobs.
Run w3a(Executor& ex, std::optional<pid_t> victim, const std::string& coordinator) {
  const std::uint64_t succeeded_before = coordinator.empty() ? 0 : succeeded_so_far(coordinator);
  auto seen = std::make_shared<std::array<std::atomic<int>, kJobs>>();
  std::vector<taskmill::Future<std::int64_t>> futures;
  futures.reserve(kJobs);
  const auto start = Clock::now();
  for (int i = 0; i < kJobs; ++i) {
    futures.push_back(ex.submit(taskmill::jobs::spin, kMicros));
    futures.back().add_done_callback([seen, i](const auto&) { (*seen)[i].fetch_add(1); });
  }
  if (victim) {
    std::this_thread::sleep_until(start + kKillAfter);
    if (::kill(*victim, SIGKILL) != 0) die("cannot kill worker " + std::to_string(*victim));
  }
  Run run;
  std::vector<bool> completed(kJobs, false);
  for (int i = 0; i < kJobs; ++i) {
    auto& f = futures[i];
    if (!f.wait_until(start + kDeadline)) {
      ++run.lost;
      std::cerr << "  lost: job " << i << " never completed\n";
      continue;
    }
    try {
      bench::check(f.get(), kMicros, "W5 spin");
      completed[i] = true;
    } catch (const std::exception& e) {
      ++run.lost;
      std::cerr << "  lost: " << e.what() << '\n';
    }
  }
  run.wall = bench::seconds_since(start);
  // A future wakes its waiters before it runs its callbacks: give them a moment.
  const auto callbacks_deadline = Clock::now() + std::chrono::seconds(5);
  auto all_called = [&] {
    for (int i = 0; i < kJobs; ++i) {
      if (completed[i] && (*seen)[i].load() == 0) return false;
    }
    return true;
  };
  while (!all_called() && Clock::now() < callbacks_deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int i = 0; i < kJobs; ++i) {
    const int calls = (*seen)[i].load();
    if (completed[i] && calls == 0) {
      ++run.lost;
      std::cerr << "  lost: job " << i << "'s done-callback never ran\n";
    }
    run.duplicates += std::max(calls - 1, 0);
  }
  if (!coordinator.empty()) {
    // What the client's futures cannot show: the coordinator counting one job
    // twice (both the killed worker's run and the rerun reported as done).
    const std::uint64_t succeeded = succeeded_so_far(coordinator) - succeeded_before;
    if (succeeded > static_cast<std::uint64_t>(kJobs)) run.duplicates += static_cast<int>(succeeded - kJobs);
    if (succeeded < static_cast<std::uint64_t>(kJobs - run.lost)) {
      die("W5: the coordinator counted " + std::to_string(succeeded) + " successes for " + std::to_string(kJobs) +
          " jobs");
    }
  }
  return run;
}

void measure(const std::string& name, Samples& out) {
  std::optional<bench::Service> service;
  std::optional<bench::PrivateFolder> folder;  // the coordinator's Unix socket, which the workers dial
  if (name == "service") {
    folder.emplace("fault");
    service.emplace(TASKMILL_BENCH_COORDINATOR, TASKMILL_BENCH_WORKER, static_cast<int>(kWorkers),
                    std::vector<std::string>{"--unix-socket", folder->path() + "/socket"});
  }
  const std::string address = service ? service->address() : "";
  Run plain;
  {
    Executor ex = executor(address);
    bench::wait_both_running(ex);
    plain = w3a(ex, std::nullopt, address);
  }
  Executor ex = executor(address);
  bench::wait_both_running(ex);
  const pid_t victim = service ? service->worker_pids().front() : embedded_worker_pids(ex).front();
  const Run killed = w3a(ex, victim, address);
  if (killed.lost > 0 || killed.duplicates > 0 || plain.lost > 0 || plain.duplicates > 0) {
    die("W5 " + name + ": " + std::to_string(killed.lost) + " jobs lost, " + std::to_string(killed.duplicates) +
        " duplicated");
  }
  out["w3a_wall_s"].push_back(plain.wall);
  out["w5_wall_s"].push_back(killed.wall);
  out["w5_wall_over_w3a"].push_back(killed.wall / plain.wall);
  out["w5_wall_excess_s"].push_back(killed.wall - plain.wall);
  out["w5_lost"].push_back(killed.lost);
  out["w5_duplicates"].push_back(killed.duplicates);
  std::cout << "  " << std::left << std::setw(10) << name << std::fixed << std::setprecision(3) << "W3a "
            << plain.wall << " s, W5 " << killed.wall << " s, lost " << killed.lost << ", duplicated "
            << killed.duplicates << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  taskmill::init(argc, argv);  // an embedded worker (this program re-executed) serves jobs and exits here
  const BenchOptions options = parse_bench_options(argc, argv, "taskmill-bench-fault: W5");
  std::map<std::string, Samples> deployments;
  for (int r = 0; r < options.runs; ++r) {
    std::cout << "run " << r + 1 << " of " << options.runs << '\n';
    for (const char* d : {"embedded", "service"}) measure(d, deployments[d]);
  }
  if (options.json_path) {
    Pools pools;
    for (const auto& [name, samples] : deployments) pools["taskmill_process_" + name] = samples;
    if (!write_figures_json(*options.json_path, options.runs, pools)) die("cannot write " + *options.json_path, 2);
  }
  return 0;
}
