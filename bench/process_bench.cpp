// process_bench.cpp: W1-W4 of BENCHMARKS.md on taskmill's process backend, 2
// workers, in its two deployments:
//
//   embedded  Config{backend = process, workers = 2}: the executor runs its own
//             coordinator thread and re-executes this program as 2 workers
//             (hence taskmill::init() first thing in main).
//   service   this program starts the real daemons, taskmill-coordinator
//             --listen tcp://127.0.0.1:* --unix-socket DIR/socket and 2 x
//             taskmill-worker --coordinator unix://DIR/socket --slots 1 (the
//             workers on the coordinator's host, as one deploys them there),
//             and connects with Config{coordinator = "tcp://...", workers = 2}:
//             a client from anywhere.
//   service_unix  the same daemons, the client at the Unix socket too
//             (coordinator = "unix://DIR/socket"): a client on their host.
//
//   W1   20,000 `identity` jobs: submit all, then get all; and the same as
//        map(identity, inputs, {.chunksize = 256}). jobs/s
//   W2   2,000 sequential submit -> get round trips of `identity` after 100
//        warm-up. p50 and p99 in microseconds
//   W3a  200 x spin(10,000 us); W3b 10,000 x spin(100 us). Efficiency =
//        ideal / wall, ideal = total CPU / 2 workers (1.0 s and 0.5 s).
//        Beside it, in each run, the same spins on 2 plain threads (the
//        machine's ceiling: raw_threads). And the CPU the executor's
//        processes used outside the jobs, per job (caller, coordinator,
//        workers' I/O threads, ZeroMQ's), and the workers' share of it: on
//        2 busy CPUs, what stretches the wall time. microseconds
//   W4   500 jobs each sending 1 MiB of taskmill::Bytes: `byte_length`
//        (returns the length), then `echo` (returns the bytes). MiB/s of requests
//
// Each workload gets a fresh executor; its construction, the wait until both
// workers run jobs, and 100 warm-up jobs are outside the timed region. Each
// figure is the median of 3 runs (1 with --quick). A wrong result exits 1.
//
//   taskmill-bench-process [--quick] [--json FILE]
//   For profiling and experiments:
//     --only PREFIX    only the workloads whose figures start so (w1, w2, w3b, w4_echo...)
//     --deployment D   only embedded, service or service_unix
//     --prefetch N     start the service coordinator with --prefetch N (default: its own)
//     --journal FILE   start the service coordinator with --journal FILE (what durability costs)
//     --service-over ipc   the service's ZeroMQ socket on ipc:// instead of tcp (one host's choice)
//     --workers-over tcp   the service's workers at that socket too, as from another host (no service_unix)
#include <sys/types.h>  // pid_t

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "both_running.h"
#include "cpu_time.h"
#include "figures_json.h"
#include "median.h"
#include "private_folder.h"
#include "spin_ceiling.h"
#include "taskmill/executor.h"
#include "taskmill/init.h"
#include "taskmill/jobs/samples.h"

namespace {

constexpr std::int64_t kW1Jobs = 20'000;
constexpr std::size_t kChunk = 256;
constexpr int kW2Trips = 2'000;
constexpr int kWarmup = 100;
constexpr int kW3aJobs = 200;
constexpr std::int64_t kW3aMicros = 10'000;
constexpr int kW3bJobs = 10'000;
constexpr std::int64_t kW3bMicros = 100;
constexpr int kW4Jobs = 500;
constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kWorkers = 2;

using bench::Clock;
using taskmill::Executor;
namespace jobs = taskmill::jobs;

using bench::check;
using bench::die;
using bench::seconds_since;

struct Options {
  int runs = 3;
  std::optional<std::string> json_path;
  std::string only;                        // figure key prefix
  std::vector<std::string> deployments{"embedded", "service", "service_unix"};
  std::optional<std::string> prefetch;     // for the service coordinator
  std::optional<std::string> journal;      // for the service coordinator
  bool over_ipc = false;                   // the service's ZeroMQ socket: ipc:// in a private folder, not tcp
  bool workers_over_socket = false;        // the service's workers: through its ZeroMQ socket, not its Unix socket
};

// ---- an executor ready to measure ----

// Built, both workers seen running jobs at once, then warmed with 100 jobs.
Executor ready_executor(const std::string& coordinator) {
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.workers = kWorkers;
  config.coordinator = coordinator;
  Executor ex(config);
  bench::wait_both_running(ex);
  for (int i = 0; i < kWarmup; ++i) check(ex.submit(jobs::identity, i).get(), i, "warm-up");
  return ex;
}

// ---- the workloads: each returns its figure ----

double w1_submit(Executor& ex) {
  std::vector<taskmill::Future<std::int64_t>> futures;
  futures.reserve(kW1Jobs);
  const auto start = Clock::now();
  for (std::int64_t i = 0; i < kW1Jobs; ++i) futures.push_back(ex.submit(jobs::identity, i));
  for (std::int64_t i = 0; i < kW1Jobs; ++i) check(futures[i].get(), i, "W1 submit");
  return static_cast<double>(kW1Jobs) / seconds_since(start);
}

double w1_map(Executor& ex) {
  std::vector<std::int64_t> inputs(kW1Jobs);
  for (std::int64_t i = 0; i < kW1Jobs; ++i) inputs[i] = i;
  const auto start = Clock::now();
  std::int64_t i = 0;
  for (std::int64_t reply : ex.map(jobs::identity, inputs, {.chunksize = kChunk})) check(reply, i++, "W1 map");
  const double elapsed = seconds_since(start);
  check(i, kW1Jobs, "W1 map count");
  return static_cast<double>(kW1Jobs) / elapsed;
}

std::pair<double, double> w2_round_trips(Executor& ex) {
  std::vector<double> micros(kW2Trips);
  for (int i = 0; i < kW2Trips; ++i) {
    const auto start = Clock::now();
    check(ex.submit(jobs::identity, i).get(), i, "W2");
    micros[i] = seconds_since(start) * 1e6;
  }
  std::sort(micros.begin(), micros.end());
  return {micros[kW2Trips / 2], micros[(kW2Trips * 99 + 99) / 100 - 1]};
}

struct W3Figures {
  double efficiency;
  // CPU outside the jobs, us per job: all the executor's processes, and the
  // workers' share of it. -1: not measured (no schedstat).
  double cpu_outside_us_per_job;
  double workers_cpu_outside_us_per_job;
};

// `workers`: the worker processes; `others`: the rest of the executor (this
// process, and a service's coordinator). The CPU they use outside the jobs is
// what they use less the jobs' own, which runs on the workers.
W3Figures w3_run(Executor& ex, int count, std::int64_t micros, const std::vector<pid_t>& workers,
                 const std::vector<pid_t>& others) {
  std::vector<taskmill::Future<std::int64_t>> futures;
  futures.reserve(count);
  const std::int64_t workers_before = bench::cpu_ns_of(workers);
  const std::int64_t others_before = bench::cpu_ns_of(others);
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) futures.push_back(ex.submit(jobs::spin, micros));
  for (auto& f : futures) check(f.get(), micros, "W3 spin");
  const double wall = seconds_since(start);
  const double workers_us = static_cast<double>(bench::cpu_ns_of(workers) - workers_before) / 1e3;
  const double others_us = static_cast<double>(bench::cpu_ns_of(others) - others_before) / 1e3;
  const double ideal = static_cast<double>(count) * static_cast<double>(micros) / 1e6 / kWorkers;
  const double workers_outside = (workers_us - static_cast<double>(count) * static_cast<double>(micros)) / count;
  if (workers_before < 0) return {ideal / wall, -1, -1};
  return {ideal / wall, workers_outside + others_us / count, workers_outside};
}

taskmill::Bytes one_mib() {
  taskmill::Bytes data;
  data.data.resize(kMiB);
  std::uint32_t x = 12345;
  for (char& c : data.data) c = static_cast<char>((x = x * 1664525 + 1013904223) >> 24);
  return data;
}

template <class Rep>
double w4_mib_per_s(Executor& ex, const taskmill::Job<taskmill::Bytes, Rep>& job, const taskmill::Bytes& data) {
  std::vector<taskmill::Future<Rep>> futures;
  futures.reserve(kW4Jobs);
  const auto start = Clock::now();
  for (int i = 0; i < kW4Jobs; ++i) futures.push_back(ex.submit(job, data));
  for (auto& f : futures) f.wait();
  const double elapsed = seconds_since(start);
  for (auto& f : futures) {
    if constexpr (std::is_same_v<Rep, taskmill::Bytes>) {
      if (!(f.get() == data)) die("wrong result: W4 echo returned other bytes");
    } else {
      check(f.get(), static_cast<std::int64_t>(kMiB), "W4 byte_length");
    }
  }
  return kW4Jobs / elapsed;  // one MiB per request
}

// ---- runs, medians, output ----

const std::vector<std::pair<std::string, std::string>> kFigures = {
    {"w1_submit_jobs_per_s", "W1 submit jobs/s"},
    {"w1_map_jobs_per_s", "W1 map(256) jobs/s"},
    {"w2_p50_us", "W2 p50 us"},
    {"w2_p99_us", "W2 p99 us"},
    {"w3a_efficiency", "W3a efficiency"},
    {"w3a_cpu_outside_us_per_job", "W3a non-job CPU us/job"},
    {"w3a_workers_cpu_outside_us_per_job", "  of it in workers"},
    {"w3b_efficiency", "W3b efficiency"},
    {"w3b_cpu_outside_us_per_job", "W3b non-job CPU us/job"},
    {"w3b_workers_cpu_outside_us_per_job", "  of it in workers"},
    {"w4_len_mib_per_s", "W4 len MiB/s"},
    {"w4_echo_mib_per_s", "W4 echo MiB/s"}};

void note(Samples& out, const std::string& name, const std::string& key, double value) {
  out[key].push_back(value);
  std::cout << "  " << std::left << std::setw(12) << name << std::setw(20) << key << std::right << std::fixed
            << std::setprecision(value < 10 ? 3 : 1) << std::setw(14) << value << std::endl;
}

// Where the executors of one deployment run, for W3's CPU figures.
struct Processes {
  std::vector<pid_t> idle;     // the other deployment's daemons: children of this process, not this executor's
  std::vector<pid_t> workers;  // the service's workers; empty: the embedded executor's, found when it runs
};

void measure_once(const std::string& coordinator, const Processes& processes, const taskmill::Bytes& data,
                  Samples& out, const std::string& name, const std::string& only) {
  auto note = [&](const std::string& key, double value) { ::note(out, name, key, value); };
  // Each workload on a fresh executor, if --only lets it.
  auto run = [&](const std::string& key, auto&& workload) {
    if (!key.starts_with(only)) return;
    Executor ex = ready_executor(coordinator);
    workload(ex, key);
  };
  run("w1_submit_jobs_per_s", [&](Executor& ex, const std::string& key) { note(key, w1_submit(ex)); });
  run("w1_map_jobs_per_s", [&](Executor& ex, const std::string& key) { note(key, w1_map(ex)); });
  run("w2_p", [&](Executor& ex, const std::string&) {
    auto [p50, p99] = w2_round_trips(ex);
    note("w2_p50_us", p50);
    note("w2_p99_us", p99);
  });
  auto w3 = [&](const std::string& id, int count, std::int64_t micros) {
    run(id + "_efficiency", [&](Executor& ex, const std::string& key) {
      std::vector<pid_t> others = bench::self_and_children(processes.idle);  // this one, and the daemons or workers
      std::vector<pid_t> workers = processes.workers;
      if (workers.empty()) workers.assign(others.begin() + 1, others.end());  // embedded: all but this one
      std::erase_if(others, [&](pid_t p) { return std::ranges::find(workers, p) != workers.end(); });
      const W3Figures f = w3_run(ex, count, micros, workers, others);
      note(key, f.efficiency);
      if (f.cpu_outside_us_per_job >= 0) {
        note(id + "_cpu_outside_us_per_job", f.cpu_outside_us_per_job);
        note(id + "_workers_cpu_outside_us_per_job", f.workers_cpu_outside_us_per_job);
      }
    });
  };
  w3("w3a", kW3aJobs, kW3aMicros);
  w3("w3b", kW3bJobs, kW3bMicros);
  run("w4_len_mib_per_s", [&](Executor& ex, const std::string& key) { note(key, w4_mib_per_s(ex, jobs::byte_length, data)); });
  run("w4_echo_mib_per_s", [&](Executor& ex, const std::string& key) { note(key, w4_mib_per_s(ex, jobs::echo, data)); });
}

// The fewest threads a job of a process executor wakes (spin_ceiling.h).
constexpr int kWakeupsPerJob = 3;

// W3 with no executor (w3_raw_threads), next to taskmill's in each run; W3a
// also with each job waking kWakeupsPerJob sleeping threads.
void measure_raw_threads(std::map<std::string, Samples>& pools, const std::string& only) {
  Samples& out = pools["raw_threads"];
  if (std::string("w3a_efficiency").starts_with(only)) {
    note(out, "raw_threads", "w3a_efficiency", bench::w3_raw_threads(kW3aJobs, kW3aMicros, kWorkers));
    note(pools["raw_threads_woken"], "raw_threads_woken", "w3a_efficiency",
         bench::w3_raw_threads_woken(kW3aJobs, kW3aMicros, kWorkers, kWakeupsPerJob));
  }
  if (std::string("w3b_efficiency").starts_with(only)) {
    note(out, "raw_threads", "w3b_efficiency", bench::w3_raw_threads(kW3bJobs, kW3bMicros, kWorkers));
  }
}

void print_summary(const std::map<std::string, Samples>& deployments, int runs) {
  std::cout << "\ntaskmill-bench-process: " << kWorkers << " workers, median of " << runs << " run(s)\n"
            << std::left << std::setw(22) << "figure" << std::right << std::setw(14) << "embedded" << std::setw(14)
            << "service" << std::setw(14) << "service_unix" << std::setw(14) << "raw_threads" << std::setw(14)
            << "+3 wake-ups" << '\n';
  for (const auto& [key, label] : kFigures) {
    std::cout << std::left << std::setw(22) << label << std::right << std::fixed;
    for (const char* d : {"embedded", "service", "service_unix", "raw_threads", "raw_threads_woken"}) {
      auto at = deployments.find(d);
      if (at == deployments.end() || !at->second.contains(key)) {
        std::cout << std::setw(14) << "-";
        continue;
      }
      const double v = median(at->second.at(key));
      std::cout << std::setprecision(v < 10 ? 3 : 1) << std::setw(14) << v;
    }
    std::cout << '\n';
  }
}

void write_json(const std::string& path, const std::map<std::string, Samples>& deployments, int runs) {
  Pools pools;
  for (const auto& [name, samples] : deployments) {
    // raw_threads* are references, not taskmill.
    pools[(name.starts_with("raw_threads") ? "" : "taskmill_process_") + name] = samples;
  }
  if (!write_figures_json(path, runs, pools, kWorkers)) die("cannot write " + path, 2);
}

}  // namespace

int main(int argc, char** argv) {
  taskmill::init(argc, argv);  // an embedded worker (this program re-executed) serves jobs and exits here
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--quick") {
      options.runs = 1;
    } else if (arg == "--json" && has_value) {
      options.json_path = argv[++i];
    } else if (arg == "--only" && has_value) {
      options.only = argv[++i];
    } else if (arg == "--deployment" && has_value && (argv[i + 1] == std::string("embedded") ||
                                                      argv[i + 1] == std::string("service") ||
                                                      argv[i + 1] == std::string("service_unix"))) {
      options.deployments = {argv[++i]};
    } else if (arg == "--prefetch" && has_value) {
      options.prefetch = argv[++i];
    } else if (arg == "--journal" && has_value) {
      options.journal = argv[++i];
    } else if (arg == "--service-over" && has_value && (argv[i + 1] == std::string("tcp") ||
                                                        argv[i + 1] == std::string("ipc"))) {
      options.over_ipc = argv[++i] == std::string("ipc");
    } else if (arg == "--workers-over" && has_value && (argv[i + 1] == std::string("tcp") ||
                                                        argv[i + 1] == std::string("unix"))) {
      options.workers_over_socket = argv[++i] == std::string("tcp");
    } else {
      die("usage: taskmill-bench-process [--quick] [--json FILE] [--only PREFIX] [--deployment embedded|service|service_unix] "
          "[--prefetch N] [--journal FILE] [--service-over tcp|ipc] [--workers-over unix|tcp]",
          2);
    }
  }
  const taskmill::Bytes data = one_mib();
  std::map<std::string, Samples> deployments;
  bench::PrivateFolder socket_folder("bench");  // the service's unix and ipc sockets; outlives the service
  std::optional<bench::Service> service;
  if (options.workers_over_socket) std::erase(options.deployments, "service_unix");  // no Unix socket then
  if (std::ranges::any_of(options.deployments, [](const std::string& d) { return d.starts_with("service"); })) {
    std::vector<std::string> args;
    if (options.prefetch) args = {"--prefetch", *options.prefetch};
    if (options.journal) args.insert(args.end(), {"--journal", *options.journal});
    if (options.over_ipc) args.insert(args.end(), {"--listen", "ipc://" + socket_folder.path() + "/coordinator"});
    if (!options.workers_over_socket) args.insert(args.end(), {"--unix-socket", socket_folder.path() + "/socket"});
    service.emplace(TASKMILL_BENCH_COORDINATOR, TASKMILL_BENCH_WORKER, static_cast<int>(kWorkers), args);
    std::cout << "taskmill-bench-process: service coordinator at " << service->address()
              << (options.prefetch ? " with --prefetch " + *options.prefetch : std::string())
              << (options.journal ? " with --journal " + *options.journal : std::string())
              << (options.workers_over_socket ? ", its workers through it" : ", its workers at its Unix socket")
              << '\n';
  }
  for (int r = 0; r < options.runs; ++r) {
    std::cout << "run " << r + 1 << " of " << options.runs << '\n';
    for (const std::string& d : options.deployments) {
      Processes processes;
      if (service && d.starts_with("service")) {
        processes.workers = service->worker_pids();
      } else if (service) {
        processes.idle = service->worker_pids();
        processes.idle.push_back(service->coordinator_pid());
      }
      const std::string address = d == "service" ? service->address()
                                  : d == "service_unix" ? "unix://" + socket_folder.path() + "/socket"
                                                        : "";
      measure_once(address, processes, data, deployments[d], d, options.only);
    }
    measure_raw_threads(deployments, options.only);
  }
  print_summary(deployments, options.runs);
  if (options.json_path) write_json(*options.json_path, deployments, options.runs);
  return 0;
}
