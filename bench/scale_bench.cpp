// scale_bench.cpp: W7 and W8 of BENCHMARKS.md, against the real
// taskmill-coordinator daemon (tcp://127.0.0.1).
//
//   W7  dispatch cost as the pool grows: W1 (20,000 `identity` jobs, one
//       submit each, then get all) through one coordinator with 2, 64 and 512
//       connected workers. The workers are taskmill::worker::Worker objects,
//       each on its own thread with its own socket, in this process; the
//       client is an Executor in this process too. After one untimed pass,
//       kTimedPasses timed ones at each size: jobs/s per pool size is their
//       median (one pass lasts ~70 ms, too short to stand alone on a shared
//       machine), and jobs/s at 512 / jobs/s at 2. Beside each: the CPU
//       seconds the coordinator and this process (client and workers) used
//       per pass, to tell which side a slowdown comes from.
//   W8  1,000,000 queued no-op jobs with no worker attached: the
//       coordinator's memory per queued job, (VmRSS after - VmRSS before) /
//       jobs, and its peak (VmHWM). The client speaks the wire protocol
//       directly (one Submit per 10,000 jobs); it knows every Submit was
//       taken in when the coordinator answers a Cancel sent after them.
//
//   taskmill-bench-scale [--quick] [--json FILE]
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "bench_options.h"
#include "bench_util.h"
#include "figures_json.h"
#include "median.h"
#include "taskmill/codec.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"
#include "taskmill/wire.h"
#include "taskmill/worker/worker.h"

namespace {

constexpr std::int64_t kW1Jobs = 20'000;
constexpr int kWarmup = 100;
constexpr std::uint64_t kW8Jobs = 1'000'000;
constexpr int kW8Batch = 10'000;

using bench::Clock;
using bench::die;
namespace v1 = taskmill::v1;

// Sleeps a little and names the thread that ran it: a slot thread belongs to
// one worker, so distinct names mean distinct workers took part.
const taskmill::Job<std::int64_t, std::int64_t> slot_id{
    "bench.slot_id", [](const std::int64_t& millis, taskmill::JobContext&) -> std::int64_t {
      std::this_thread::sleep_for(std::chrono::milliseconds(millis));
      return static_cast<std::int64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()));
    }};

// `count` in-process workers of one slot each, connected to `address`.
class ThreadWorkers {
 public:
  ThreadWorkers(const std::string& address, int count) {
    for (int i = 0; i < count; ++i) {
      workers_.push_back(std::make_unique<taskmill::worker::Worker>(
          taskmill::worker::WorkerOptions{.coordinator = address, .slots = 1}));
      threads_.emplace_back([w = workers_.back().get()] { w->run(); });
    }
  }
  ~ThreadWorkers() {
    for (auto& w : workers_) w->stop();
    for (auto& t : threads_) t.join();
  }

 private:
  std::vector<std::unique_ptr<taskmill::worker::Worker>> workers_;
  std::vector<std::thread> threads_;
};

taskmill::Executor client(const std::string& address, std::size_t workers) {
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.workers = workers;
  config.coordinator = address;
  return taskmill::Executor(config);
}

// Returns once `count` distinct workers have each run a job.
void wait_registered(taskmill::Executor& ex, int count) {
  std::set<std::int64_t> seen;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (static_cast<int>(seen.size()) < count) {
    if (Clock::now() > deadline) die("only " + std::to_string(seen.size()) + " of " + std::to_string(count) + " workers ran jobs");
    std::vector<taskmill::Future<std::int64_t>> futures;
    for (int i = 0; i < count; ++i) futures.push_back(ex.submit(slot_id, 20));
    for (auto& f : futures) seen.insert(f.get());
  }
}

// CPU seconds (user + system, all threads) that process `pid` has used.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // After "pid (comm) ", whose comm may hold spaces: state is field 3,
  // utime and stime are fields 14 and 15.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) die("cannot read /proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(close + 2));
  std::string skipped;
  for (int field = 3; field < 14; ++field) fields >> skipped;
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

constexpr int kTimedPasses = 5;

struct W7 {
  double jobs_per_s;         // the median pass
  double coordinator_cpu_s;  // per pass, while the timed jobs ran
  double bench_cpu_s;        // per pass, this process: the client and every worker
};

W7 w7_run(const std::string& address, pid_t coordinator, int workers) {
  ThreadWorkers pool(address, workers);
  taskmill::Executor ex = client(address, static_cast<std::size_t>(workers));
  wait_registered(ex, workers);
  for (int i = 0; i < kWarmup; ++i) bench::check(ex.submit(taskmill::jobs::identity, i).get(), i, "W7 warm-up");
  std::vector<taskmill::Future<std::int64_t>> futures;
  futures.reserve(kW1Jobs);
  // One untimed pass first, at every pool size alike: the figure is the
  // steady cost of dispatch, not the first touch of 512 idle workers' memory.
  for (std::int64_t i = 0; i < kW1Jobs; ++i) futures.push_back(ex.submit(taskmill::jobs::identity, i));
  for (std::int64_t i = 0; i < kW1Jobs; ++i) bench::check(futures[i].get(), i, "W7 warm-up");
  const double coordinator_cpu = cpu_seconds(coordinator);
  const double bench_cpu = cpu_seconds(::getpid());
  std::vector<double> rates;
  for (int pass = 0; pass < kTimedPasses; ++pass) {
    futures.clear();
    const auto start = Clock::now();
    for (std::int64_t i = 0; i < kW1Jobs; ++i) futures.push_back(ex.submit(taskmill::jobs::identity, i));
    for (std::int64_t i = 0; i < kW1Jobs; ++i) bench::check(futures[i].get(), i, "W7");
    rates.push_back(static_cast<double>(kW1Jobs) / bench::seconds_since(start));
  }
  return {median(rates), (cpu_seconds(coordinator) - coordinator_cpu) / kTimedPasses,
          (cpu_seconds(::getpid()) - bench_cpu) / kTimedPasses};
}

// ---- W8 ----

v1::Envelope receive(zmq::socket_t& dealer) {
  zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    taskmill::wire::poll(&item, 1, std::chrono::milliseconds(1000));
    zmq::message_t frame;
    if (!dealer.recv(frame, zmq::recv_flags::dontwait)) continue;
    v1::Envelope envelope;
    if (!taskmill::wire::decode(frame, &envelope).is_ok()) die("W8: the coordinator sent a bad frame");
    if (envelope.has_heartbeat()) continue;
    return envelope;
  }
  die("W8: the coordinator did not answer");
}

struct Memory {
  double bytes_per_job;
  double peak_bytes;
};

Memory w8_memory(const std::string& address, pid_t coordinator) {
  zmq::context_t context(1);
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  taskmill::wire::configure(dealer);
  dealer.set(zmq::sockopt::routing_id, "bench-w8-client");
  dealer.connect(address);
  v1::Envelope hello;
  hello.mutable_hello()->set_kind(v1::PEER_KIND_CLIENT);
  taskmill::wire::send(dealer, hello);
  if (!receive(dealer).has_welcome()) die("W8: no welcome");
  const std::int64_t before = bench::proc_status_bytes(coordinator, "VmRSS");
  for (std::uint64_t id = 1; id <= kW8Jobs;) {
    v1::Envelope submit;
    for (int i = 0; i < kW8Batch && id <= kW8Jobs; ++i, ++id) {
      v1::JobSpec* spec = submit.mutable_submit()->add_jobs();
      spec->set_id(id);
      spec->set_job("identity");
      spec->set_payload(taskmill::Codec<std::int64_t>::encode(static_cast<std::int64_t>(id)));
      spec->set_max_retries(3);
    }
    taskmill::wire::send(dealer, submit);
  }
  v1::Envelope cancel;
  cancel.mutable_cancel()->add_ids(kW8Jobs);
  taskmill::wire::send(dealer, cancel);
  v1::Envelope answer = receive(dealer);
  if (!answer.has_results() || answer.results().results_size() != 1 || answer.results().results(0).id() != kW8Jobs ||
      answer.results().results(0).outcome() != v1::OUTCOME_CANCELLED) {
    die("wrong result: W8: the cancel of the last queued job was not answered CANCELLED");
  }
  const std::int64_t after = bench::proc_status_bytes(coordinator, "VmRSS");
  const std::int64_t peak = bench::proc_status_bytes(coordinator, "VmHWM");
  if (before < 0 || after < 0 || peak < 0) die("W8: cannot read the coordinator's memory in /proc");
  v1::Envelope bye;
  bye.mutable_bye();
  taskmill::wire::send(dealer, bye);
  return {static_cast<double>(after - before) / static_cast<double>(kW8Jobs - 1), static_cast<double>(peak)};
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions options = parse_bench_options(argc, argv, "taskmill-bench-scale: W7 and W8");
  std::map<std::string, std::vector<double>> samples;
  auto note = [&](const std::string& key, double value) {
    samples[key].push_back(value);
    std::cout << "  " << std::left << std::setw(26) << key << std::right << std::fixed << std::setprecision(2)
              << std::setw(14) << value << std::endl;
  };
  for (int r = 0; r < options.runs; ++r) {
    std::cout << "run " << r + 1 << " of " << options.runs << std::endl;
    for (int workers : {2, 64, 512}) {
      bench::Service service(TASKMILL_BENCH_COORDINATOR, TASKMILL_BENCH_WORKER, 0);
      const W7 w7 = w7_run(service.address(), service.coordinator_pid(), workers);
      note("w7_jobs_per_s_" + std::to_string(workers), w7.jobs_per_s);
      note("w7_coordinator_cpu_s_" + std::to_string(workers), w7.coordinator_cpu_s);
      note("w7_bench_cpu_s_" + std::to_string(workers), w7.bench_cpu_s);
    }
    note("w7_ratio_512_over_2", samples["w7_jobs_per_s_512"].back() / samples["w7_jobs_per_s_2"].back());
    bench::Service service(TASKMILL_BENCH_COORDINATOR, TASKMILL_BENCH_WORKER, 0);
    const Memory m = w8_memory(service.address(), service.coordinator_pid());
    note("w8_bytes_per_queued_job", m.bytes_per_job);
    note("w8_coordinator_peak_bytes", m.peak_bytes);
  }
  if (options.json_path) {
    if (!write_figures_json(*options.json_path, options.runs, {{"taskmill_process_service", samples}})) {
      die("cannot write " + *options.json_path, 2);
    }
  }
  return 0;
}
