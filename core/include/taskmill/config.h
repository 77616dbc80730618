// config.h: how an Executor is configured, from TOML or in code.
//
//   # configs/thread.toml
//   backend = "thread"     # "thread": jobs run on threads of this process
//   workers = 4            # Default: the number of hardware threads
//   serialize = false      # round-trip requests and replies through their codecs
//
// Config::from_env() reads the file named by TASKMILL_CONFIG, so a program
// switches backends without a rebuild. Loading refuses an unknown key, a value
// of the wrong type or out of range with a ConfigError naming the file, the
// line, the key and what was expected.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace taskmill {

enum class BackendKind {
  kThread,  // jobs run on a pool of threads in the caller's process
};

struct Config {
  BackendKind backend = BackendKind::kThread;
  // Worker threads. Default (0): std::thread::hardware_concurrency().
  std::size_t workers = 0;
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
