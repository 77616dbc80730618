// commands_bench.cpp: W6 of BENCHMARKS.md: 2,000 command jobs running
// `true`, two at a time, by
//   taskmill    `taskmill map -j 2 -- true ::: 1 ... 2000` (embedded
//               coordinator, 2 workers, the built-in exec job)
//   parallel    GNU parallel -j2 true ::: 1 ... 2000 (skipped if not installed)
//   xargs       xargs -P2 -n1 true, the inputs on stdin
//   posix_spawn this program spawning `true` with 2 children in flight: the floor
// Figure: jobs/s, each the median of 3 runs (1 with --quick). A tool that
// exits non-zero (or a `true` that fails) fails the run.
//
//   taskmill-bench-commands [--quick] [--json FILE]
#include <algorithm>
#include <iomanip>
#include <map>

#include "bench_options.h"
#include "bench_util.h"
#include "figures_json.h"

namespace {

constexpr int kJobs = 2'000;

using bench::Clock;
using bench::die;

std::vector<std::string> inputs() {
  std::vector<std::string> out;
  for (int i = 1; i <= kJobs; ++i) out.push_back(std::to_string(i));
  return out;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t at = 0; at <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', at), dirs.size());
    if (::access((dirs.substr(at, end - at) + "/" + program).c_str(), X_OK) == 0) return true;
    at = end + 1;
  }
  return false;
}

// Runs `args` to completion with stdout to /dev/null and stdin from `stdin_path`.
double tool_jobs_per_s(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null") {
  const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const int in = ::open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (null < 0 || in < 0) die("cannot open /dev/null or " + stdin_path, 2);
  const auto start = Clock::now();
  const int status = bench::wait_exit(bench::spawn(args, null, in));
  const double elapsed = bench::seconds_since(start);
  ::close(null);
  ::close(in);
  if (status != 0) die("wrong result: " + args[0] + " exited with status " + std::to_string(status));
  return kJobs / elapsed;
}

double posix_spawn_jobs_per_s() {
  const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const auto start = Clock::now();
  int started = 0;
  int running = 0;
  while (started < kJobs || running > 0) {
    if (started < kJobs && running < 2) {
      bench::spawn({"true", std::to_string(++started)}, null);
      ++running;
      continue;
    }
    int status = 0;
    if (::waitpid(-1, &status, 0) < 0) die("waitpid failed", 2);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("wrong result: a `true` failed");
    --running;
  }
  const double elapsed = bench::seconds_since(start);
  ::close(null);
  return kJobs / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions options = parse_bench_options(argc, argv, "taskmill-bench-commands: W6");
  const std::vector<std::string> in = inputs();
  char list_path[] = "/tmp/taskmill-w6-XXXXXX";  // mkstemp() fills in the X's
  const int list = ::mkstemp(list_path);
  if (list < 0) die("cannot create an input file", 2);
  {
    std::string text;
    for (const std::string& s : in) text += s + "\n";
    if (::write(list, text.data(), text.size()) != static_cast<ssize_t>(text.size())) die("cannot write inputs", 2);
    ::close(list);
  }
  std::vector<std::string> taskmill{TASKMILL_BENCH_CLI, "map", "-j", "2", "--", "true", ":::"};
  taskmill.insert(taskmill.end(), in.begin(), in.end());
  std::vector<std::string> parallel{"parallel", "-j2", "true", ":::"};
  parallel.insert(parallel.end(), in.begin(), in.end());
  const bool have_parallel = on_path("parallel");
  if (!have_parallel) std::cout << "GNU parallel not installed: its reference is skipped\n";

  std::map<std::string, std::vector<double>> samples;
  for (int r = 0; r < options.runs; ++r) {
    std::cout << "run " << r + 1 << " of " << options.runs << std::endl;
    samples["taskmill_process_embedded"].push_back(tool_jobs_per_s(taskmill));
    samples["xargs"].push_back(tool_jobs_per_s({"xargs", "-P2", "-n1", "true"}, list_path));
    samples["posix_spawn"].push_back(posix_spawn_jobs_per_s());
    if (have_parallel) samples["gnu_parallel"].push_back(tool_jobs_per_s(parallel));
    for (const auto& [name, values] : samples) {
      std::cout << "  " << std::left << std::setw(28) << name << std::right << std::fixed << std::setprecision(0)
                << std::setw(10) << values.back() << " jobs/s\n";
    }
  }
  ::unlink(list_path);
  if (options.json_path) {
    Pools tools;  // one figure per tool, each its own pool
    for (const auto& [name, values] : samples) tools[name]["w6_jobs_per_s"] = values;
    if (!write_figures_json(*options.json_path, options.runs, tools)) die("cannot write " + *options.json_path, 2);
  }
  return 0;
}
