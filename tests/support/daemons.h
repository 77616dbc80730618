// daemons.h: real taskmill-coordinator and worker processes for tests.
//
//   auto coordinator = Daemon::coordinator();          // tcp://127.0.0.1:<free port>
//   auto local = Daemon::coordinator_at("ipc:///tmp/dir/socket");
//   auto worker = Daemon::worker(coordinator.address());
//   worker.kill(SIGKILL);
//
// A Daemon still running when destroyed is killed with SIGKILL.
#pragma once

#include <signal.h>

#include <string>
#include <vector>

#include "support/child_process.h"

namespace taskmill::testing {

class Daemon {
 public:
  // taskmill-coordinator --listen tcp://127.0.0.1:* plus `args`; returns once it listens.
  static Daemon coordinator(std::vector<std::string> args = {}) { return coordinator_at("tcp://127.0.0.1:*", args); }
  // The same on a given address (to restart one where its peers expect it).
  static Daemon coordinator_at(const std::string& address, std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"--listen", address});
    Daemon d(TASKMILL_COORDINATOR_BIN, args);
    const std::string marker = "listening on ";  // then the address, tcp:// with its port or ipc://
    std::string line;
    while (d.child_.read_line(line)) {
      auto at = line.find(marker);
      if (at != std::string::npos) {
        d.address_ = line.substr(at + marker.size());
        break;
      }
    }
    return d;
  }
  // A worker with the test jobs, connected to `address`.
  static Daemon worker(const std::string& address, int slots = 1) {
    Daemon d(TASKMILL_TEST_WORKER_BIN, {"--coordinator", address, "--slots", std::to_string(slots)});
    std::string line;
    d.child_.read_line(line);  // "serving ..."
    return d;
  }

  // The stock taskmill-worker, with `args` after --coordinator ADDRESS.
  static Daemon stock_worker(const std::string& address, std::vector<std::string> args) {
    args.insert(args.begin(), {"--coordinator", address});
    Daemon d(TASKMILL_WORKER_BIN, args);
    std::string line;
    d.child_.read_line(line);  // "serving ..."
    return d;
  }

  const std::string& address() const { return address_; }
  int pid() const { return child_.pid(); }
  void kill(int signal) { child_.kill(signal); }
  // Waits for the process to end; its exit status (128+N after signal N).
  int wait() { return child_.wait(); }
  // The rest of what it printed (after it ended).
  std::string rest_of_output() { return child_.read_rest(); }

 private:
  Daemon(const std::string& program, const std::vector<std::string>& args) : child_(program, args) {}

  ChildProcess child_;
  std::string address_;
};

}  // namespace taskmill::testing
