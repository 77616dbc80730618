// options_file.h: the daemon's TOML configuration file.
//
//   listen = "tcp://0.0.0.0:5555"
//   unix_socket = "/run/taskmill/workers.sock"   # workers and executors on this host: unix://PATH
//   journal = "/var/lib/taskmill/journal.db"   # durable jobs and results (SQLite)
//   heartbeat_ms = 500
//   liveness = 3
//   prefetch = 1
//   max_jobs = 1000000    # unfinished jobs held at most (0: no bound)
//   result_ttl_s = 3600   # how long a detached job's result waits to be fetched
//   curve_secret = "coordinator.key"   # CurveZMQ (security_options.h); relative
//   allow_keys = "keys/"               # paths are from the file's directory
#pragma once

#include <filesystem>
#include <string>

#include "security_options.h"
#include "taskmill/coordinator/coordinator.h"

namespace taskmill::coordinator {

// Overwrites the options the file sets. Throws ConfigError naming the file,
// the line and the key for an unknown key or a bad value.
void load_options_file(const std::filesystem::path& path, CoordinatorOptions& options, std::string* listen,
                       SecurityFiles* security);

}  // namespace taskmill::coordinator
