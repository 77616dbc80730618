// taskmill-coordinator: the coordinator as a daemon.
//
//   taskmill-coordinator --listen tcp://0.0.0.0:5555 [--unix-socket PATH] [--journal FILE] [--config FILE]
//                        [--curve-secret FILE --allow-keys DIR_OR_FILE]
//
// Prints "listening on ADDRESS" once bound (with the real port when the
// address says tcp://HOST:*), and exits cleanly on SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "options_file.h"
#include "security_options.h"
#include "taskmill/coordinator/coordinator.h"
#include "taskmill/detail/keep_freed_memory.h"
#include "taskmill/errors.h"

int main(int argc, char** argv) {
  // A daemon of its own: the payloads passing through reuse its pages (an
  // embedded coordinator lives in the user's program, whose malloc is theirs).
  taskmill::detail::keep_freed_memory();
  CLI::App app{"taskmill-coordinator: queues jobs from clients and hands them to workers"};
  taskmill::coordinator::CoordinatorOptions options;
  std::string listen;
  std::string config_path;
  int heartbeat_ms = 0;
  int liveness = 0;
  int prefetch = taskmill::coordinator::CoordinatorOptions::kDefaultPrefetch;
  int result_ttl_s = 0;
  std::string journal;
  std::size_t max_jobs = 0;
  std::int64_t max_message_mb = 0;
  app.add_option("--listen", listen, "address for clients and workers, e.g. tcp://0.0.0.0:5555");
  std::string unix_socket;
  app.add_option("--unix-socket", unix_socket,
                 "a Unix socket for workers and executors on this host (their coordinator: unix://PATH): faster "
                 "than --listen, for this user's processes only (default: none)");
  app.add_option("--config", config_path,
                 "TOML file: listen, unix_socket, journal, heartbeat_ms, liveness, prefetch, max_jobs, result_ttl_s "
                 "(flags win)");
  app.add_option("--max-message-mb", max_message_mb, "larger frames are refused unread (default 512)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--max-jobs", max_jobs, "unfinished jobs held at most; more are rejected (default 1000000; 0: no bound)");
  app.add_option("--journal", journal,
                 "SQLite file recording accepted jobs and kept results; restart on it to lose nothing (default: none)");
  app.add_option("--heartbeat-ms", heartbeat_ms, "how often peers must speak (default 500)")->check(CLI::Range(10, 60000));
  app.add_option("--liveness", liveness, "missed heartbeats before a peer is gone (default 3)")->check(CLI::Range(1, 100));
  app.add_option("--prefetch", prefetch, "most jobs queued on a worker beyond its slots (each worker's window adapts below it to ~10 ms of work per slot, 16 MiB of payloads); taken back when another idles; 0: none (default 256)")->check(CLI::Range(0, 1024));
  app.add_option("--result-ttl", result_ttl_s, "seconds a detached job's result is kept unfetched (default 3600)")
      ->check(CLI::Range(1, 365 * 24 * 3600));
  taskmill::coordinator::SecurityFiles security;
  taskmill::coordinator::add_security_flags(app, security);
  CLI11_PARSE(app, argc, argv);

  // Signals are taken by sigwait below, never by a random thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    std::string file_listen;
    taskmill::coordinator::SecurityFiles file_security;
    if (!config_path.empty()) {
      taskmill::coordinator::load_options_file(config_path, options, &file_listen, &file_security);
    }
    if (listen.empty()) listen = file_listen;
    if (security.curve_secret.empty()) security.curve_secret = file_security.curve_secret;
    if (security.allow_keys.empty()) security.allow_keys = file_security.allow_keys;
    options.curve = taskmill::coordinator::load_server_keys(security);
    if (app.count("--heartbeat-ms") > 0) options.heartbeat = std::chrono::milliseconds(heartbeat_ms);
    if (app.count("--liveness") > 0) options.liveness = liveness;
    if (app.count("--prefetch") > 0) options.prefetch = prefetch;
    if (!journal.empty()) options.journal = journal;
    if (!unix_socket.empty()) options.unix_socket = unix_socket;
    if (app.count("--max-jobs") > 0) options.max_jobs = max_jobs;
    if (app.count("--max-message-mb") > 0) options.max_message_bytes = max_message_mb << 20;
    if (app.count("--result-ttl") > 0) options.result_ttl = std::chrono::seconds(result_ttl_s);
    if (listen.empty()) throw taskmill::ConfigError("an address to listen on is needed: --listen tcp://HOST:PORT");
    options.endpoints = {listen};
    zmq::context_t context;
    taskmill::coordinator::Coordinator coordinator(context, options);
    if (options.curve) {
      std::printf("taskmill-coordinator: CurveZMQ on, %zu client and worker keys allowed\n", options.curve->allowed.size());
    }
    std::printf("taskmill-coordinator: listening on %s\n", coordinator.endpoints().front().c_str());
    if (!options.unix_socket.empty()) {
      std::printf("taskmill-coordinator: and at unix://%s, for this host\n", options.unix_socket.c_str());
    }
    std::fflush(stdout);
    if (!options.curve && listen.starts_with("tcp://")) {  // after the address, which scripts look for; naming none
      std::fprintf(stderr, "taskmill-coordinator: warning: no CurveZMQ keys, so anyone who can reach this port may "
                           "submit and run jobs (see --curve-secret and --allow-keys)\n");
    }
    std::thread loop([&] {
      try {
        coordinator.run();
      } catch (const std::exception& e) {
        // Only the journal can fail the loop (a full disk): without it nothing
        // can be acknowledged, so stop rather than pretend.
        std::fprintf(stderr, "taskmill-coordinator: %s\n", e.what());
        std::_Exit(3);
      }
    });
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    coordinator.stop();
    loop.join();
    std::printf("taskmill-coordinator: stopped by signal %d\n", signal_number);
    return 0;
  } catch (const taskmill::Error& e) {
    std::fprintf(stderr, "taskmill-coordinator: %s\n", e.what());
    return 2;
  }
}
