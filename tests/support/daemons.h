// daemons.h: real taskmill-coordinator and worker processes for tests.
//
//   auto coordinator = Daemon::coordinator();          // tcp://127.0.0.1:<free port>
//   auto local = Daemon::coordinator_at("ipc:///tmp/dir/socket");
//   auto worker = Daemon::worker(coordinator.address());
//   worker.kill(SIGKILL);
//
// A Daemon still running when destroyed is killed with SIGKILL.
#pragma once

#include <boost/process.hpp>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

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
    while (std::getline(d.out_, line)) {
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
    std::getline(d.out_, line);  // "serving ..."
    return d;
  }

  // The stock taskmill-worker, with `args` after --coordinator ADDRESS.
  static Daemon stock_worker(const std::string& address, std::vector<std::string> args) {
    args.insert(args.begin(), {"--coordinator", address});
    Daemon d(TASKMILL_WORKER_BIN, args);
    std::string line;
    std::getline(d.out_, line);  // "serving ..."
    return d;
  }

  Daemon(Daemon&&) = default;
  ~Daemon() {
    if (child_ && child_->running()) {
      kill(SIGKILL);
      child_->wait();
    }
  }

  const std::string& address() const { return address_; }
  int pid() const { return child_->id(); }
  void kill(int signal) { ::kill(child_->id(), signal); }
  // Waits for the process to end; its exit status (128+N after signal N).
  int wait() {
    child_->wait();
    const int status = child_->native_exit_code();
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  }
  // The rest of what it printed (after it ended).
  std::string rest_of_output() {
    std::string all, line;
    while (std::getline(out_, line)) all += line + "\n";
    return all;
  }

 private:
  Daemon(const std::string& program, const std::vector<std::string>& args)
      : child_(std::make_unique<boost::process::child>(boost::process::exe = program, boost::process::args = args,
                                                       boost::process::std_out > out_)) {}

  boost::process::ipstream out_;
  std::unique_ptr<boost::process::child> child_;
  std::string address_;
};

}  // namespace taskmill::testing
