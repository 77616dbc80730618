// bench_util.h: what the process benchmark programs share: failing loudly,
// starting programs with posix_spawn, and the service deployment (the real
// taskmill-coordinator and taskmill-worker daemons).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

extern char** environ;

namespace bench {

using Clock = std::chrono::steady_clock;

[[noreturn]] inline void die(const std::string& what, int status = 1) {
  std::cerr << "taskmill bench: " << what << '\n';
  std::exit(status);
}

inline void check(std::int64_t got, std::int64_t want, const char* where) {
  if (got != want) {
    die(std::string("wrong result: ") + where + ": got " + std::to_string(got) + ", want " + std::to_string(want));
  }
}

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Starts `args` with stdout on `stdout_fd` (-1: inherited) and stdin from
// `stdin_fd` (-1: inherited). Dies if it cannot.
inline pid_t spawn(const std::vector<std::string>& args, int stdout_fd = -1, int stdin_fd = -1) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) die("cannot start " + args[0] + ": " + std::strerror(err), 2);
  return pid;
}

// Waits for `pid`; its exit status, or 128 + signal; -1 if it cannot be
// waited for (not our child), which no caller may take for success.
inline int wait_exit(pid_t pid) {
  int status = 0;
  pid_t got;
  while ((got = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (got < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A line of /proc/PID/status ("VmRSS", "VmHWM") in bytes; -1 if absent.
inline std::int64_t proc_status_bytes(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stoll(line.substr(key.size() + 1)) * 1024;  // "  1234 kB"
  }
  return -1;
}

// Children to kill should the benchmark die() before it stops them.
inline std::vector<pid_t>& live_daemons() {
  static std::vector<pid_t> pids;
  return pids;
}
inline void kill_live_daemons() {
  for (pid_t pid : live_daemons()) ::kill(pid, SIGKILL);
}
// An exception nobody caught (a future failed: the coordinator was lost, say)
// ends the benchmark as die() does: its message, and no daemon left behind.
[[noreturn]] inline void die_of_uncaught_exception() {
  std::string what = "an exception nobody caught";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      what = x.what();
    } catch (...) {
    }
  }
  kill_live_daemons();
  std::cerr << "taskmill bench: " << what << '\n';
  std::_Exit(1);
}

// taskmill-coordinator --listen tcp://127.0.0.1:* (unless `coordinator_args`
// say where) and `workers` x taskmill-worker --slots 1, stopped (workers
// first) when destroyed.
class Service {
 public:
  Service(const std::string& coordinator_path, const std::string& worker_path, int workers,
          const std::vector<std::string>& coordinator_args = {}) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) die("pipe failed", 2);
    pipe_ = out[0];
    static const bool registered = [] {
      std::atexit(kill_live_daemons);
      std::set_terminate(die_of_uncaught_exception);
      return true;
    }();
    (void)registered;
    std::vector<std::string> args{coordinator_path};
    if (std::find(coordinator_args.begin(), coordinator_args.end(), "--listen") == coordinator_args.end()) {
      args.insert(args.end(), {"--listen", "tcp://127.0.0.1:*"});
    }
    args.insert(args.end(), coordinator_args.begin(), coordinator_args.end());
    coordinator_ = spawn(args, out[1]);
    live_daemons().push_back(coordinator_);
    ::close(out[1]);
    address_ = read_address();
    // With a Unix socket, the workers connect there, as on the coordinator's host they would.
    std::string worker_address = address_;
    if (auto socket = std::find(coordinator_args.begin(), coordinator_args.end(), "--unix-socket");
        socket != coordinator_args.end() && socket + 1 != coordinator_args.end()) {
      worker_address = "unix://" + *(socket + 1);
    }
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    for (int i = 0; i < workers; ++i) {
      workers_.push_back(spawn({worker_path, "--coordinator", worker_address, "--slots", "1"}, null));
      live_daemons().push_back(workers_.back());
    }
    ::close(null);
  }
  ~Service() {
    for (pid_t w : workers_) stop(w);
    stop(coordinator_);
    ::close(pipe_);
  }
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const std::string& address() const { return address_; }
  pid_t coordinator_pid() const { return coordinator_; }
  const std::vector<pid_t>& worker_pids() const { return workers_; }

 private:
  static void stop(pid_t pid) {
    if (::kill(pid, SIGTERM) == 0) wait_exit(pid);
    std::erase(live_daemons(), pid);
  }

  // "taskmill-coordinator: listening on tcp://127.0.0.1:PORT"
  std::string read_address() {
    const std::string marker = "listening on ";
    std::string text;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      pollfd p{pipe_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(pipe_, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
      const auto at = text.find(marker);
      const auto eol = at == std::string::npos ? at : text.find('\n', at);
      if (eol != std::string::npos) return text.substr(at + marker.size(), eol - at - marker.size());
    }
    die("taskmill-coordinator did not say where it listens; it said: " + text, 2);
  }

  int pipe_ = -1;
  pid_t coordinator_ = 0;
  std::vector<pid_t> workers_;
  std::string address_;
};

}  // namespace bench
