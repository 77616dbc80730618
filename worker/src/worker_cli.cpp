// The taskmill-worker command line, shared by taskmill-worker and by programs
// that build a worker with their own jobs linked in (the test suite's).
//
//   taskmill-worker --coordinator tcp://HOST:5555|unix://PATH [--slots N] [--jobs PLUGIN.so ...]
//                   [--curve-secret worker.key --coordinator-key coordinator.pub]
//
// Runs the jobs built into it (the sample jobs) and those registered by the
// plugins it loads (shared libraries whose Job objects register when loaded).
// SIGINT or SIGTERM: finish, say goodbye, exit 0.
#include <CLI/CLI.hpp>
#include <dlfcn.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "taskmill/curve.h"
#include "taskmill/detail/keep_freed_memory.h"
#include "taskmill/worker/cli.h"
#include "taskmill/worker/worker.h"

namespace taskmill::worker {
namespace {

Worker* running_worker = nullptr;

void on_stop_signal(int) {
  if (running_worker != nullptr) running_worker->stop();
}

// Both key files or neither; nullopt for neither. Prints why and returns false on failure.
bool load_keys(const std::string& secret, const std::string& coordinator_key, std::optional<curve::ClientKeys>* out) {
  if (secret.empty() && coordinator_key.empty()) return true;
  if (secret.empty() || coordinator_key.empty()) {
    std::fprintf(stderr, "taskmill-worker: CurveZMQ needs both --curve-secret and --coordinator-key\n");
    return false;
  }
  StatusOr<curve::KeyPair> own = curve::load_secret_key(secret);
  StatusOr<std::string> server = own.is_ok() ? curve::load_public_key(coordinator_key) : own.status();
  if (!server.is_ok()) {
    std::fprintf(stderr, "taskmill-worker: %s\n", server.status().message().c_str());
    return false;
  }
  *out = curve::ClientKeys{std::move(own).value(), std::move(server).value()};
  return true;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"taskmill-worker: runs jobs for a taskmill coordinator"};
  WorkerOptions options;
  std::vector<std::string> plugins;
  bool allow_exec = false;
  std::vector<std::string> allowed_programs;
  options.slots = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--coordinator", options.coordinator,
                 "the coordinator's address: tcp://HOST:PORT, ipc://PATH, or unix://PATH (its --unix-socket, on "
                 "this host: faster)")
      ->required();
  app.add_option("--slots", options.slots, "jobs run at once (default: hardware threads)")->check(CLI::Range(1, 4096));
  app.add_option("--jobs", plugins, "shared library of jobs to load (repeatable)")->check(CLI::ExistingFile);
  app.add_flag("--allow-exec", allow_exec, "let the exec job run any program (default: none)");
  std::uint64_t max_memory_mb = 0;
  app.add_option("--max-jobs", options.max_jobs, "start afresh (re-execute) after this many jobs (default: never)");
  app.add_option("--max-memory-mb", max_memory_mb,
                 "memory ceiling: a job running past it fails, and the worker starts afresh (default: none)");
  app.add_option("--allow-program", allowed_programs, "let the exec job run this program (repeatable)");
  std::string curve_secret;
  std::string coordinator_key;
  app.add_option("--curve-secret", curve_secret, "CurveZMQ: this worker's secret key file (mode 0600)");
  app.add_option("--coordinator-key", coordinator_key, "CurveZMQ: the coordinator's public key file");
  CLI11_PARSE(app, argc, argv);
  options.max_memory_bytes = max_memory_mb << 20;
  if (!load_keys(curve_secret, coordinator_key, &options.curve)) return 2;

  for (const std::string& plugin : plugins) {
    if (::dlopen(plugin.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
      std::fprintf(stderr, "taskmill-worker: cannot load %s: %s\n", plugin.c_str(), ::dlerror());
      return 2;
    }
  }
  // The exec job (jobs/) reads its policy from this variable; setting it here,
  // before any job runs, keeps the worker runtime free of the jobs library.
  if (allow_exec) {
    ::setenv("TASKMILL_EXEC_ALLOW", "any", 1);
  } else if (!allowed_programs.empty()) {
    std::string list;
    for (const std::string& p : allowed_programs) list += (list.empty() ? "" : ":") + p;
    ::setenv("TASKMILL_EXEC_ALLOW", list.c_str(), 1);
  } else {
    ::unsetenv("TASKMILL_EXEC_ALLOW");  // not inherited from whoever started us: the flags decide
  }
  taskmill::detail::keep_freed_memory();
  Worker worker(options);
  running_worker = &worker;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  std::printf("taskmill-worker: serving %s with %d slots\n", options.coordinator.c_str(), options.slots);
  std::fflush(stdout);
  const int status = worker.run();
  running_worker = nullptr;
  return status;
}

}  // namespace taskmill::worker
