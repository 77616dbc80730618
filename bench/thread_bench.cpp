// thread_bench.cpp: W1-W3 of BENCHMARKS.md on taskmill's thread backend,
// and on two C++ references measured in the same run: a minimal thread pool
// (mutex, condition variable, std::deque of std::packaged_task) and oneTBB (a
// task_arena, one std::promise per job so that a future comes back).
//
//   W1  20,000 jobs returning their int64 argument: submit all, then get all.
//       Once one submit per job, once as map with chunks of 256 (taskmill:
//       Executor::map; references: one task per chunk). Figure: jobs/s.
//   W2  2,000 sequential submit -> get round trips after 100 warm-up.
//       Figures: p50 and p99 in microseconds.
//   W3  the `spin` job (busy on the thread CPU clock): a, 200 x 10 ms; b,
//       10,000 x 100 us; submit all, then get all. Efficiency = ideal / wall,
//       ideal = total CPU / 2 workers. Also on 2 plain threads taking the
//       jobs from a counter (raw_threads_thread_bench): the machine's ceiling in this run.
//
// Every pool has 2 workers; it is built, and warmed with 100 jobs, outside the
// timed region. Each figure is the median of 3 runs (1 with --quick). A wrong
// result exits with status 1.
//
//   taskmill-bench-thread [--quick] [--json FILE]
#include "bench_options.h"
#include "figures_json.h"
#include "median.h"
#include "spin_ceiling.h"
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <thread>
#include <vector>

#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"

#ifdef TASKMILL_BENCH_HAVE_TBB
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#endif

namespace {

constexpr std::int64_t kW1Jobs = 20'000;
constexpr std::int64_t kChunk = 256;
constexpr int kW2Trips = 2'000;
constexpr int kWarmup = 100;
constexpr std::size_t kWorkers = 2;
constexpr int kW3aJobs = 200;
constexpr std::int64_t kW3aMicros = 10'000;
constexpr int kW3bJobs = 10'000;
constexpr std::int64_t kW3bMicros = 100;

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "taskmill-bench-thread: wrong result: " << what << '\n';
  std::exit(1);
}

void check(std::int64_t got, std::int64_t want, const char* where) {
  if (got != want) fail(std::string(where) + ": got " + std::to_string(got) + ", want " + std::to_string(want));
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<std::int64_t> iota_inputs() {
  std::vector<std::int64_t> inputs(kW1Jobs);
  for (std::int64_t i = 0; i < kW1Jobs; ++i) inputs[i] = i;
  return inputs;
}

// taskmill's thread backend running the `identity` sample job.
class TaskmillPool {
 public:
  taskmill::Future<std::int64_t> submit(std::int64_t x) { return ex_.submit(taskmill::jobs::identity, x); }
  taskmill::Future<std::int64_t> spin(std::int64_t micros) { return ex_.submit(taskmill::jobs::spin, micros); }

  void map_identity(const std::vector<std::int64_t>& inputs) {
    taskmill::MapOptions options;
    options.chunksize = kChunk;
    auto replies = ex_.map(taskmill::jobs::identity, inputs, options);
    // Chunk by chunk, one get() per chunk: MapResult's own iterator calls
    // get() on the chunk at each reply, and W1 map counts per-job costs.
    std::int64_t i = 0;
    for (const auto& chunk : replies.chunks()) {
      for (std::int64_t reply : chunk.get()) check(reply, inputs[i++], "taskmill map");
    }
    check(i, static_cast<std::int64_t>(inputs.size()), "taskmill map count");
  }

 private:
  static taskmill::Config config() {
    taskmill::Config config;
    config.workers = kWorkers;
    return config;
  }

  taskmill::Executor ex_{config()};
};

// The thread pool anyone writes in 40 lines.
class MinimalPool {
 public:
  MinimalPool() {
    for (std::size_t i = 0; i < kWorkers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~MinimalPool() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  std::future<std::int64_t> run(std::function<std::int64_t()> fn) {
    std::packaged_task<std::int64_t()> task(std::move(fn));
    std::future<std::int64_t> future = task.get_future();
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    return future;
  }

 private:
  void work() {
    while (true) {
      std::packaged_task<std::int64_t()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<std::int64_t()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

#ifdef TASKMILL_BENCH_HAVE_TBB
// oneTBB: an arena of 2 worker threads (no slot kept for the submitting
// thread, which only waits on futures), one promise per job.
class TbbPool {
 public:
  TbbPool() { arena_.initialize(); }

  template <class F>
  std::future<std::int64_t> run(F fn) {
    // enqueue() calls its functor as const; the promise is the one mutable part.
    struct Task {
      F fn;
      mutable std::promise<std::int64_t> promise;
      void operator()() const { promise.set_value(fn()); }
    };
    Task task{std::move(fn), {}};
    std::future<std::int64_t> future = task.promise.get_future();
    arena_.enqueue(std::move(task));
    return future;
  }

 private:
  tbb::task_arena arena_{static_cast<int>(kWorkers), 0};
};
#endif

// A reference pool seen through the same calls as TaskmillPool.
template <class Pool>
class Reference {
 public:
  std::future<std::int64_t> submit(std::int64_t x) {
    return pool_.run([x] { return x; });
  }
  std::future<std::int64_t> spin(std::int64_t micros) {
    return pool_.run([micros] { return bench::spin_directly(micros); });
  }

  // One task per chunk of 256, each writing its replies into place.
  void map_identity(const std::vector<std::int64_t>& inputs) {
    const auto n = static_cast<std::int64_t>(inputs.size());
    std::vector<std::int64_t> replies(inputs.size());
    std::vector<std::future<std::int64_t>> chunks;
    for (std::int64_t lo = 0; lo < n; lo += kChunk) {
      const std::int64_t hi = std::min(n, lo + kChunk);
      chunks.push_back(pool_.run([&inputs, &replies, lo, hi] {
        for (std::int64_t k = lo; k < hi; ++k) replies[k] = inputs[k];
        return hi - lo;
      }));
    }
    std::int64_t count = 0;
    for (auto& chunk : chunks) count += chunk.get();
    check(count, n, "reference map count");
    for (std::int64_t i = 0; i < n; ++i) check(replies[i], inputs[i], "reference map");
  }

 private:
  Pool pool_;
};

template <class Pool>
void warm_up(Pool& pool) {
  for (int i = 0; i < kWarmup; ++i) check(pool.submit(i).get(), i, "warm-up");
}

// Submits `count` jobs, `submit(i)` each, then gets them in order, checking
// that job i returned `want(i)`; the seconds it took.
template <class Submit, class Want>
double submit_all_then_get_all(std::int64_t count, Submit submit, Want want, const char* where) {
  std::vector<decltype(submit(std::int64_t{0}))> futures;
  futures.reserve(static_cast<std::size_t>(count));
  const auto start = Clock::now();
  for (std::int64_t i = 0; i < count; ++i) futures.push_back(submit(i));
  for (std::int64_t i = 0; i < count; ++i) check(futures[static_cast<std::size_t>(i)].get(), want(i), where);
  return seconds_since(start);
}

template <class Pool>
double w1_submit() {
  Pool pool;
  warm_up(pool);
  const double seconds = submit_all_then_get_all(
      kW1Jobs, [&](std::int64_t i) { return pool.submit(i); }, [](std::int64_t i) { return i; }, "W1 submit");
  return static_cast<double>(kW1Jobs) / seconds;
}

template <class Pool>
double w1_map() {
  const std::vector<std::int64_t> inputs = iota_inputs();
  Pool pool;
  warm_up(pool);
  const auto start = Clock::now();
  pool.map_identity(inputs);
  return static_cast<double>(kW1Jobs) / seconds_since(start);
}

struct Latency {
  double p50_us;
  double p99_us;
};

template <class Pool>
Latency w2_round_trips() {
  Pool pool;
  warm_up(pool);
  std::vector<double> micros(kW2Trips);
  for (int i = 0; i < kW2Trips; ++i) {
    const auto start = Clock::now();
    check(pool.submit(i).get(), i, "W2");
    micros[i] = seconds_since(start) * 1e6;
  }
  std::sort(micros.begin(), micros.end());
  return {micros[kW2Trips / 2], micros[(kW2Trips * 99 + 99) / 100 - 1]};
}

template <class Pool>
double w3_efficiency(int count, std::int64_t micros) {
  Pool pool;
  warm_up(pool);
  const double seconds = submit_all_then_get_all(
      count, [&](std::int64_t) { return pool.spin(micros); }, [&](std::int64_t) { return micros; }, "W3 spin");
  const double ideal = static_cast<double>(count) * static_cast<double>(micros) / 1e6 / kWorkers;
  return ideal / seconds;
}

const std::vector<std::pair<std::string, std::string>> kColumns = {
    {"w1_submit_jobs_per_s", "W1 submit jobs/s"}, {"w1_map_jobs_per_s", "W1 map(256) jobs/s"},
    {"w2_p50_us", "W2 p50 us"},                   {"w2_p99_us", "W2 p99 us"},
    {"w3a_efficiency", "W3a eff."},                {"w3b_efficiency", "W3b eff."}};

// W1 and W2. Measured for every pool before any W3: CPUs that have just spun
// through W3 are awake, and a round trip on awake CPUs is 10x faster on
// these machines than on CPUs left idle, which would favour whoever came next.
template <class Pool>
Samples measure_w1_w2(int runs) {
  Samples samples;
  for (int r = 0; r < runs; ++r) {
    samples["w1_submit_jobs_per_s"].push_back(w1_submit<Pool>());
    samples["w1_map_jobs_per_s"].push_back(w1_map<Pool>());
    const Latency latency = w2_round_trips<Pool>();
    samples["w2_p50_us"].push_back(latency.p50_us);
    samples["w2_p99_us"].push_back(latency.p99_us);
  }
  return samples;
}

template <class Pool>
void measure_w3(int runs, Samples& out) {
  for (int r = 0; r < runs; ++r) {
    out["w3a_efficiency"].push_back(w3_efficiency<Pool>(kW3aJobs, kW3aMicros));
    out["w3b_efficiency"].push_back(w3_efficiency<Pool>(kW3bJobs, kW3bMicros));
  }
}

Samples measure_raw_threads(int runs) {
  Samples out;
  for (int r = 0; r < runs; ++r) {
    out["w3a_efficiency"].push_back(bench::w3_raw_threads(kW3aJobs, kW3aMicros, kWorkers));
    out["w3b_efficiency"].push_back(bench::w3_raw_threads(kW3bJobs, kW3bMicros, kWorkers));
  }
  return out;
}

struct Row {
  std::string key;   // JSON key
  std::string name;  // printed name
  Samples figures;  // every pass of each figure
};

void print_table(const std::vector<Row>& rows, int runs) {
  std::cout << "taskmill-bench-thread: " << kWorkers << " workers, median of " << runs << " run(s)\n"
            << std::left << std::setw(14) << "pool" << std::right;
  for (const auto& [key, label] : kColumns) std::cout << std::setw(20) << label;
  std::cout << '\n' << std::fixed;
  for (const Row& row : rows) {
    std::cout << std::left << std::setw(14) << row.name << std::right;
    for (const auto& [key, label] : kColumns) {
      auto at = row.figures.find(key);
      if (at == row.figures.end()) {
        std::cout << std::setw(20) << "-";
      } else {
        const double v = median(at->second);
        std::cout << std::setprecision(v < 10 ? 3 : 1) << std::setw(20) << v;
      }
    }
    std::cout << '\n';
  }
}

void write_json(const std::string& path, const std::vector<Row>& rows, int runs) {
  Pools pools;
  for (const Row& row : rows) pools[row.key] = row.figures;
  if (!write_figures_json(path, runs, pools, kWorkers)) {
    std::cerr << "taskmill-bench-thread: cannot write " << path << '\n';
    std::exit(2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions options =
      parse_bench_options(argc, argv, "taskmill-bench-thread: W1-W3 on the thread backend and the C++ references");
  const int runs = options.runs;
  const std::optional<std::string>& json_path = options.json_path;

  std::vector<Row> rows;
  rows.push_back({"taskmill_thread", "taskmill", measure_w1_w2<TaskmillPool>(runs)});
  rows.push_back({"minimal_pool", "minimal pool", measure_w1_w2<Reference<MinimalPool>>(runs)});
#ifdef TASKMILL_BENCH_HAVE_TBB
  // oneTBB keeps hardware_concurrency - 1 workers by default (1 here); allow
  // the two the arena asks for.
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, kWorkers + 1);
  rows.push_back({"onetbb", "oneTBB", measure_w1_w2<Reference<TbbPool>>(runs)});
#endif
  measure_w3<TaskmillPool>(runs, rows[0].figures);
  measure_w3<Reference<MinimalPool>>(runs, rows[1].figures);
#ifdef TASKMILL_BENCH_HAVE_TBB
  measure_w3<Reference<TbbPool>>(runs, rows[2].figures);
#endif
  // Its own name: the process bench measures the same ceiling in its own minutes.
  rows.push_back({"raw_threads_thread_bench", "2 threads", measure_raw_threads(runs)});

  print_table(rows, runs);
  if (json_path) write_json(*json_path, rows, runs);
  return 0;
}
