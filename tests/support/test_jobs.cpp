#include "support/test_jobs.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>

#include "taskmill/errors.h"

namespace taskmill::testing {
namespace {

struct Gate {
  bool open = false;
  int waiters = 0;
};

struct Gates {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::int64_t, Gate> gates;
  std::int64_t next = 0;
  std::vector<std::int64_t> recorded;
};

Gates& gates() {
  static Gates g;
  return g;
}

}  // namespace

std::int64_t new_gate() {
  std::lock_guard lock(gates().mu);
  return ++gates().next;
}

void open_gate(std::int64_t id) {
  std::lock_guard lock(gates().mu);
  gates().gates[id].open = true;
  gates().cv.notify_all();
}

void wait_gate(std::int64_t id) {
  std::unique_lock lock(gates().mu);
  ++gates().gates[id].waiters;
  gates().cv.notify_all();
  gates().cv.wait(lock, [&] { return gates().gates[id].open; });
}

void wait_for_waiters(std::int64_t id, int count) {
  std::unique_lock lock(gates().mu);
  gates().cv.wait(lock, [&] { return gates().gates[id].waiters >= count; });
}

std::vector<std::int64_t> recorded() {
  std::lock_guard lock(gates().mu);
  return gates().recorded;
}

void clear_recorded() {
  std::lock_guard lock(gates().mu);
  gates().recorded.clear();
}

const Job<std::int64_t, std::int64_t> square{"test.square",
                                             [](const std::int64_t& x, JobContext&) -> std::int64_t { return x * x; }};

const Job<std::int64_t, std::int64_t> gated{"test.gated", [](const std::int64_t& gate, JobContext&) -> std::int64_t {
                                              wait_gate(gate);
                                              return gate;
                                            }};

const Job<std::int64_t, std::int64_t> until_cancel{
    "test.until_cancel", [](const std::int64_t& gate, JobContext& ctx) -> std::int64_t {
      {
        std::lock_guard lock(gates().mu);
        ++gates().gates[gate].waiters;
        gates().cv.notify_all();
      }
      while (!ctx.cancelled()) ctx.sleep_for(std::chrono::seconds(5));
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
                                               std::lock_guard lock(gates().mu);
                                               gates().recorded.push_back(x);
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

}  // namespace taskmill::testing
