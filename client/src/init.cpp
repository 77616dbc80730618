#include "taskmill/init.h"

#include <csignal>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "spawned_worker.h"
#include "taskmill/detail/keep_freed_memory.h"
#include "taskmill/worker/local_pool.h"
#include "taskmill/worker/worker.h"

namespace taskmill {
namespace {

worker::Worker* serving = nullptr;

void on_stop_signal(int) {
  if (serving != nullptr) serving->stop();
}

int env_int(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : 0;
}

std::uint64_t env_uint64(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::strtoull(value, nullptr, 10) : 0;
}

}  // namespace

void init(int, char**) { detail::serve_if_spawned_worker(); }

namespace detail {

void serve_if_spawned_worker() {
  const char* endpoint = std::getenv(worker::kWorkerEndpointEnv);
  if (endpoint == nullptr || *endpoint == '\0') return;
  worker::WorkerOptions options{.coordinator = endpoint,
                                .slots = std::max(1, env_int(worker::kWorkerSlotsEnv)),
                                .embedded = true,
                                .parent_pid = env_int(worker::kWorkerParentEnv),
                                .max_jobs = env_uint64(worker::kWorkerMaxJobsEnv),
                                .max_memory_bytes = env_uint64(worker::kWorkerMaxMemoryEnv)};
  // Not for the programs our jobs start: they are not our workers.
  for (const char* name : {worker::kWorkerEndpointEnv, worker::kWorkerSlotsEnv, worker::kWorkerParentEnv,
                           worker::kWorkerMaxJobsEnv, worker::kWorkerMaxMemoryEnv}) {
    ::unsetenv(name);
  }
  detail::keep_freed_memory();
  worker::Worker w(options);
  serving = &w;
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, SIG_IGN);  // a Ctrl-C reaches the whole process group; the parent decides
  const int status = w.run();
  serving = nullptr;
  std::fflush(nullptr);
  std::_Exit(status);  // no static destructors: the parent's state was never ours
}

}  // namespace detail
}  // namespace taskmill
