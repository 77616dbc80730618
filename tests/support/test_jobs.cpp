#include "support/test_jobs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <vector>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>
#include <thread>

#include "taskmill/errors.h"

namespace taskmill::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path gates_dir() {
  const char* dir = std::getenv("TASKMILL_TEST_GATES");
  fs::path path = dir != nullptr && *dir != '\0' ? fs::path(dir) : fs::path("/tmp/taskmill-test-gates");
  fs::create_directories(path);
  return path;
}

fs::path gate_file(std::int64_t id, const std::string& suffix) {
  return gates_dir() / ("gate-" + std::to_string(id) + suffix);
}

// Announces one more job at the gate: files .w0, .w1, ... created exclusively.
void arrive(std::int64_t id) {
  for (int n = 0;; ++n) {
    int fd = ::open(gate_file(id, ".w" + std::to_string(n)).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd >= 0) {
      const std::string pid = std::to_string(::getpid());
      [[maybe_unused]] auto written = ::write(fd, pid.data(), pid.size());
      ::close(fd);
      return;
    }
  }
}

std::mutex recorded_mu;
std::vector<std::int64_t> recorded_values;

}  // namespace

std::int64_t new_gate() {
  static std::atomic<std::int64_t> next{0};
  static const std::int64_t salt = std::random_device{}() & 0xfffff;
  // Unique across the processes sharing the folder, even a later one with a reused pid.
  return (salt << 40) | ((static_cast<std::int64_t>(::getpid()) & 0xffffff) << 16) | (++next & 0xffff);
}

void open_gate(std::int64_t id) {
  int fd = ::open(gate_file(id, ".open").c_str(), O_CREAT | O_WRONLY, 0600);
  if (fd >= 0) ::close(fd);
}

void wait_gate(std::int64_t id) {
  arrive(id);
  while (!fs::exists(gate_file(id, ".open"))) std::this_thread::sleep_for(1ms);
}

void wait_for_waiters(std::int64_t id, int count) {
  while (!fs::exists(gate_file(id, ".w" + std::to_string(count - 1)))) std::this_thread::sleep_for(1ms);
}

int waiter_pid(std::int64_t id, int n) {
  const fs::path file = gate_file(id, ".w" + std::to_string(n));
  while (true) {  // the pid is written just after the file appears
    int fd = ::open(file.c_str(), O_RDONLY);
    char buffer[32] = {};
    auto got = fd >= 0 ? ::read(fd, buffer, sizeof buffer - 1) : -1;
    if (fd >= 0) ::close(fd);
    if (got > 0) return std::atoi(buffer);
    std::this_thread::sleep_for(1ms);
  }
}

std::vector<std::int64_t> recorded() {
  std::lock_guard lock(recorded_mu);
  return recorded_values;
}

void clear_recorded() {
  std::lock_guard lock(recorded_mu);
  recorded_values.clear();
}

const Job<std::int64_t, std::int64_t> square{"test.square",
                                             [](const std::int64_t& x, JobContext&) -> std::int64_t { return x * x; }};

const Job<std::int64_t, std::int64_t> gated{"test.gated", [](const std::int64_t& gate, JobContext&) -> std::int64_t {
                                              wait_gate(gate);
                                              return gate;
                                            }};

const Job<std::int64_t, std::int64_t> until_cancel{"test.until_cancel",
                                                   [](const std::int64_t& gate, JobContext& ctx) -> std::int64_t {
                                                     arrive(gate);
                                                     while (!ctx.cancelled()) ctx.sleep_for(5s);
                                                     ctx.throw_if_cancelled();
                                                     return gate;
                                                   }};

const Job<std::string, std::int64_t> throws{"test.throw", [](const std::string& what, JobContext&) -> std::int64_t {
                                              if (what == "runtime_error") throw std::runtime_error("boom");
                                              if (what == "out_of_range") throw std::out_of_range("index 7 of 3");
                                              if (what == "custom") throw CustomFailure();
                                              if (what == "int") throw 42;
                                              if (what == "bad_alloc") throw std::bad_alloc();
                                              if (what == "cancelled") throw CancelledError("job gave up on its own");
                                              return 0;
                                            }};

const Job<std::int64_t, std::int64_t> fail_on_13{"test.fail_on_13",
                                                  [](const std::int64_t& x, JobContext&) -> std::int64_t {
                                                    if (x == 13) throw std::invalid_argument("13 is unlucky");
                                                    return x;
                                                  }};

const Job<std::int64_t, std::int64_t> record{"test.record", [](const std::int64_t& x, JobContext&) -> std::int64_t {
                                               std::lock_guard lock(recorded_mu);
                                               recorded_values.push_back(x);
                                               return x;
                                             }};

const Job<std::int64_t, std::uint64_t> own_id{
    "test.own_id", [](const std::int64_t&, JobContext& ctx) -> std::uint64_t { return ctx.id().value; }};

const Job<std::int64_t, std::int64_t> progress_then_gate{
    "test.progress_then_gate", [](const std::int64_t& gate, JobContext& ctx) -> std::int64_t {
      ctx.report_progress(0.5, "half way");
      wait_gate(gate);
      return gate;
    }};

const Job<std::string, std::string> text{"test.text",
                                         [](const std::string& s, JobContext&) -> std::string { return s; }};

const Job<std::int64_t, std::int64_t> crash{"test.crash", [](const std::int64_t& how, JobContext&) -> std::int64_t {
                                              ::signal(SIGSEGV, SIG_DFL);  // no sanitizer report, just the death
                                              ::signal(SIGABRT, SIG_DFL);
                                              ::raise(how == 0 ? SIGSEGV : SIGABRT);
                                              return how;
                                            }};

const Job<std::int64_t, std::int64_t> worker_pid{
    "test.worker_pid", [](const std::int64_t&, JobContext&) -> std::int64_t { return ::getpid(); }};

const Job<std::int64_t, std::int64_t> hog{"test.hog", [](const std::int64_t& mib, JobContext& ctx) -> std::int64_t {
                                            std::vector<char> memory(static_cast<std::size_t>(mib) << 20);
                                            for (std::size_t i = 0; i < memory.size(); i += 4096) memory[i] = 1;
                                            ctx.sleep_for(std::chrono::seconds(30));
                                            return memory[memory.size() / 2] + mib - 1;
                                          }};

const Job<std::int64_t, std::int64_t> refaults{"test.refaults", [](const std::int64_t& blocks, JobContext&) {
  const auto touch_and_free = [&] {
    std::vector<std::unique_ptr<char[]>> held;
    for (std::int64_t b = 0; b < blocks; ++b) {
      held.emplace_back(new char[1 << 20]);
      volatile char* bytes = held.back().get();  // volatile: the stores, and so the blocks, stay
      for (int i = 0; i < (1 << 20); i += 4096) bytes[i] = 1;
    }
  };
  touch_and_free();
  rusage before{}, after{};
  ::getrusage(RUSAGE_THREAD, &before);
  touch_and_free();
  ::getrusage(RUSAGE_THREAD, &after);
  return static_cast<std::int64_t>(after.ru_minflt - before.ru_minflt);
}};

}  // namespace taskmill::testing
