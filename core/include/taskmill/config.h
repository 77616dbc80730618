// config.h: how an Executor is configured, from TOML or in code.
//
//   # configs/thread.toml                # configs/local.toml
//   backend = "thread"                    backend = "process"
//   workers = 4                           workers = 4
//                                         # coordinator = "tcp://10.0.0.5:5555"  (absent: embedded)
//
// backend = "thread": jobs run on threads of this process.
// backend = "process": jobs run in worker processes behind a coordinator. With
// no `coordinator` address the executor starts its own (embedded mode) and
// `workers` local worker processes; with one, it submits to that service.
//
// Config::from_env() reads the file named by TASKMILL_CONFIG, so a program
// switches backends without a rebuild. Loading refuses an unknown key, a value
// of the wrong type or out of range with a ConfigError naming the file, the
// line, the key and what was expected.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace taskmill {

// What submit() does when max_pending jobs are unfinished.
enum class WhenFull {
  kBlock,  // wait until one finishes
  kFail,   // throw QueueFullError
};

enum class BackendKind {
  kThread,   // jobs run on a pool of threads in the caller's process
  kProcess,  // jobs run in worker processes behind a coordinator
};

struct Config {
  BackendKind backend = BackendKind::kThread;
  // Worker threads, or (embedded process backend) worker processes.
  // Default (0): std::thread::hardware_concurrency().
  std::size_t workers = 0;
  // Process backend: the coordinator to submit to: tcp://HOST:PORT,
  // ipc://PATH, or unix://PATH, its Unix socket on this host (taskmill-
  // coordinator --unix-socket: faster, no ZeroMQ, no keys needed).
  // Default: empty, meaning start an embedded one.
  std::string coordinator;
  // Process backend: times a job runs again after its worker died, before it
  // fails with "worker lost". Default: 3.
  int max_retries = 3;
  // Process backend: peers speak at least this often; `liveness` silent
  // intervals mean a peer is gone. Defaults: 500 ms, 3.
  std::chrono::milliseconds heartbeat{500};
  int liveness = 3;
  // Process backend: how long to wait for the coordinator to answer when the
  // executor starts. Default: 5 s.
  std::chrono::milliseconds connect_timeout{5000};
  // Embedded process backend: recycle each worker process after this many
  // jobs, or when its memory passes this many MiB (a job running then fails
  // with taskmill::MemoryLimitExceeded). 0: never. Defaults: 0, 0.
  std::uint64_t max_jobs_per_worker = 0;
  std::uint64_t max_worker_memory_mb = 0;
  // Backpressure: at most this many jobs (map: chunks) submitted and not yet
  // finished; submit() past it blocks or throws QueueFullError, as
  // `when_full` says. A map larger than the bound waits until nothing is
  // pending. Default: 0, no bound.
  std::size_t max_pending = 0;
  WhenFull when_full = WhenFull::kBlock;
  // Process backend with a coordinator service: CurveZMQ key files (from
  // `taskmill keygen`): this client's secret key (mode 0600) and the
  // coordinator's public key. Both or neither. Default: none (plaintext).
  std::string curve_secret;
  std::string coordinator_key;
  // Round-trip every request and reply through its codec even on threads, so
  // a program tested on threads behaves as it will across processes.
  // Default: false (objects are handed over as they are).
  bool serialize = false;
  // Code only, not in TOML: run once on each worker thread before its first
  // job. If it throws, every job of the executor fails with its error.
  std::function<void()> initializer;

  // Throws ConfigError.
  static Config load_file(const std::filesystem::path& path);
  // `source` names the text in error messages. Throws ConfigError.
  static Config parse(std::string_view toml, std::string_view source = "<config>");
  // The file named by $TASKMILL_CONFIG if set, the defaults otherwise.
  static Config from_env();

  // `workers`, or the hardware thread count when it is 0.
  std::size_t resolved_workers() const;
};

}  // namespace taskmill
