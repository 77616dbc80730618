// taskmill-coordinator: the coordinator as a daemon.
//
//   taskmill-coordinator --listen tcp://0.0.0.0:5555 [--config FILE]
//
// Prints "listening on ADDRESS" once bound (with the real port when the
// address says tcp://HOST:*), and exits cleanly on SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "options_file.h"
#include "taskmill/coordinator/coordinator.h"
#include "taskmill/errors.h"

int main(int argc, char** argv) {
  CLI::App app{"taskmill-coordinator: queues jobs from clients and hands them to workers"};
  taskmill::coordinator::CoordinatorOptions options;
  std::string listen;
  std::string config_path;
  int heartbeat_ms = 0;
  int liveness = 0;
  int prefetch = taskmill::coordinator::CoordinatorOptions::kDefaultPrefetch;
  app.add_option("--listen", listen, "address for clients and workers, e.g. tcp://0.0.0.0:5555");
  app.add_option("--config", config_path, "TOML file: listen, heartbeat_ms, liveness, prefetch (flags win)");
  app.add_option("--heartbeat-ms", heartbeat_ms, "how often peers must speak (default 500)")->check(CLI::Range(10, 60000));
  app.add_option("--liveness", liveness, "missed heartbeats before a peer is gone (default 3)")->check(CLI::Range(1, 100));
  app.add_option("--prefetch", prefetch, "jobs queued on a worker beyond its slots, taken back when another idles (default 16)")->check(CLI::Range(0, 1024));
  CLI11_PARSE(app, argc, argv);

  // Signals are taken by sigwait below, never by a random thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    std::string file_listen;
    if (!config_path.empty()) taskmill::coordinator::load_options_file(config_path, options, &file_listen);
    if (listen.empty()) listen = file_listen;
    if (app.count("--heartbeat-ms") > 0) options.heartbeat = std::chrono::milliseconds(heartbeat_ms);
    if (app.count("--liveness") > 0) options.liveness = liveness;
    if (app.count("--prefetch") > 0) options.prefetch = prefetch;
    if (listen.empty()) throw taskmill::ConfigError("an address to listen on is needed: --listen tcp://HOST:PORT");
    options.endpoints = {listen};
    zmq::context_t context;
    taskmill::coordinator::Coordinator coordinator(context, options);
    std::printf("taskmill-coordinator: listening on %s\n", coordinator.endpoints().front().c_str());
    std::fflush(stdout);
    std::thread loop([&] { coordinator.run(); });
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
