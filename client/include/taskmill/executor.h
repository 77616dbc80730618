// executor.h: run registered jobs in parallel and get futures back. Start here.
//
//   const taskmill::Job<std::int64_t, std::int64_t> square{
//       "square", [](const std::int64_t& x, taskmill::JobContext&) { return x * x; }};
//
//   int main() {
//     auto ex = taskmill::Executor::from_config();   // backend chosen by $TASKMILL_CONFIG
//     taskmill::Future<std::int64_t> f = ex.submit(square, 7);
//     std::cout << f.get() << '\n';                  // 49
//     for (std::int64_t y : ex.map(square, {1, 2, 3})) std::cout << y << '\n';
//   }
//
// The backend comes from the Config (config.h), never from code: a program
// written against Executor runs unchanged on any backend.
//
// Thread-safety: every member function may be called concurrently, except that
// an Executor must not be destroyed while another thread uses it.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <ranges>
#include <string_view>
#include <type_traits>
#include <vector>

#include "taskmill/config.h"
#include "taskmill/detail/admission.h"
#include "taskmill/detail/backend.h"
#include "taskmill/detail/tasks.h"
#include "taskmill/errors.h"
#include "taskmill/future.h"
#include "taskmill/job.h"
#include "taskmill/map_result.h"
#include "taskmill/options.h"

namespace taskmill {

class Executor {
 public:
  // An executor with the default Config: threads, one per hardware thread.
  Executor();
  explicit Executor(Config config);
  // Config::from_env(): the file named by $TASKMILL_CONFIG, or the defaults.
  static Executor from_config();
  // Throws ConfigError.
  static Executor from_file(const std::filesystem::path& path);

  Executor(Executor&&) noexcept;
  Executor& operator=(Executor&&) noexcept;
  // shutdown({.wait = true}).
  ~Executor();

  // Queues `job` with `request` and returns at once (with Config::max_pending
  // set, it first waits for room, or throws QueueFullError).
  // Throws ShutdownError after shutdown().
  template <class Req, class Rep>
  [[nodiscard]] Future<Rep> submit(const Job<Req, Rep>& job, std::type_identity_t<Req> request,
                                   const SubmitOptions& options = {}) {
    return submit_function<Req, Rep>(job.name(), job.function(), std::move(request), options);
  }

  // The same, naming the job: `ex.submit<std::int64_t>("square", std::int64_t{7})`.
  // Throws UnknownJobError if no job has that name, std::invalid_argument if
  // it takes or returns other types.
  template <class Rep, class Req>
  [[nodiscard]] Future<Rep> submit(std::string_view job_name, Req request, const SubmitOptions& options = {}) {
    auto function = find_job_function<Req, Rep>(job_name);
    return submit_function<Req, Rep>(JobRegistry::global().find(job_name)->name, function, std::move(request), options);
  }

  // Runs `job` over every request, options.chunksize requests per job, and
  // returns the replies in input order. Throws ShutdownError (queuing nothing).
  template <class Req, class Rep, std::ranges::input_range Range>
    requires std::convertible_to<std::ranges::range_reference_t<Range>, Req>
  [[nodiscard]] MapResult<Rep> map(const Job<Req, Rep>& job, Range&& requests, const MapOptions& options = {});

  template <class Req, class Rep>
  [[nodiscard]] MapResult<Rep> map(const Job<Req, Rep>& job, std::initializer_list<std::type_identity_t<Req>> requests,
                                   const MapOptions& options = {}) {
    return map<Req, Rep, std::initializer_list<Req>>(job, std::move(requests), options);
  }

  // Stops accepting jobs. See ShutdownOptions for waiting and cancelling.
  // Safe to call more than once.
  void shutdown(const ShutdownOptions& options = {});

  // How many jobs can run at once.
  std::size_t workers() const;

 private:
  template <class Req, class Rep>
  Future<Rep> submit_function(std::string_view name, typename Job<Req, Rep>::Function function, Req request,
                              const SubmitOptions& options);

  detail::Backend& backend() const;
  static detail::Placement placement(int priority, const std::optional<std::chrono::steady_clock::duration>& timeout);

  // Hands a place taken from admission_ back when `task` finishes.
  void release_when_done(detail::SharedState& task) const;

  std::unique_ptr<detail::Backend> backend_;
  std::shared_ptr<detail::Admission> admission_;  // null: no bound on pending jobs
  bool serialize_ = false;
};

template <class Req, class Rep>
Future<Rep> Executor::submit_function(std::string_view name, typename Job<Req, Rep>::Function function, Req request,
                                      const SubmitOptions& options) {
  detail::Backend& runner = backend();
  if (admission_) admission_->acquire(1);
  auto task = std::make_shared<detail::JobTask<Req, Rep>>(runner.next_id(), placement(options.priority, options.timeout),
                                                          name, function, std::move(request), serialize_,
                                                          runner.encodes_requests());
  release_when_done(*task);
  Future<Rep> future(task);
  runner.submit(std::move(task));
  return future;
}

template <class Req, class Rep, std::ranges::input_range Range>
  requires std::convertible_to<std::ranges::range_reference_t<Range>, Req>
MapResult<Rep> Executor::map(const Job<Req, Rep>& job, Range&& requests, const MapOptions& options) {
  detail::Backend& runner = backend();
  const std::size_t chunksize = options.chunksize == 0 ? 1 : options.chunksize;
  const detail::Placement where = placement(options.priority, options.timeout);
  std::vector<detail::TaskPtr> tasks;
  std::vector<Future<std::vector<Rep>>> chunks;
  std::size_t total = 0;
  std::vector<Req> batch;
  auto flush = [&] {
    auto task = std::make_shared<detail::ChunkTask<Req, Rep>>(runner.next_id(), where, job.name(), job.function(),
                                                              std::move(batch), serialize_, runner.encodes_requests());
    chunks.emplace_back(task);
    tasks.push_back(std::move(task));
    batch = {};
  };
  for (auto&& request : requests) {
    if (batch.empty()) batch.reserve(chunksize);
    batch.emplace_back(std::forward<decltype(request)>(request));
    ++total;
    if (batch.size() == chunksize) flush();
  }
  if (!batch.empty()) flush();
  if (admission_) {
    admission_->acquire(tasks.size());
    for (const detail::TaskPtr& task : tasks) release_when_done(*task);
  }
  runner.submit_batch(tasks);
  return MapResult<Rep>(std::move(chunks), total);
}

}  // namespace taskmill
