#include "command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace taskmill::jobs::detail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kDefaultMaxOutput = std::size_t{1} << 20;
constexpr auto kTermGrace = std::chrono::seconds(1);  // SIGTERM, then SIGKILL after this

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

struct Pipe {
  Fd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("exec: pipe: ") + std::strerror(errno));
  return {Fd(fds[0]), Fd(fds[1])};
}

// Output kept up to a limit; the rest is read and dropped.
struct Capture {
  std::string data;
  bool truncated = false;
  std::size_t limit;

  // False at end of file.
  bool read_from(Fd& fd) {
    char buffer[65536];
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) return false;
    const std::size_t keep = std::min(static_cast<std::size_t>(n), limit - std::min(limit, data.size()));
    data.append(buffer, keep);
    truncated = truncated || keep < static_cast<std::size_t>(n);
    return true;
  }
};

std::vector<std::string> environment_of(const v1::ExecRequest& request) {
  std::vector<std::string> env;
  if (!request.clear_env()) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      if (!request.env().contains(entry.substr(0, entry.find('=')))) env.push_back(std::move(entry));
    }
  }
  for (const auto& [name, value] : request.env()) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

pid_t spawn(const v1::ExecRequest& request, Pipe& in, Pipe& out, Pipe& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
  if (!request.cwd().empty()) posix_spawn_file_actions_addchdir_np(&actions, request.cwd().c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);     // the worker's blocked signals are not the command's
  posix_spawnattr_setsigdefault(&attr, &all);   // nor its ignored ones (SIGPIPE)
  posix_spawnattr_setpgroup(&attr, 0);          // a group of its own, to end it whole
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> args(request.argv().begin(), request.argv().end());
  std::vector<std::string> env = environment_of(request);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0].c_str(), &actions, &attr, pointers_to(args).data(), pointers_to(env).data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("exec: cannot run '" + args[0] + "': " + std::strerror(rc));
  return pid;
}

// Blocks SIGPIPE on this thread while it feeds a command's stdin, so a command
// that exits early makes write() fail instead of killing the worker.
class NoSigpipe {
 public:
  NoSigpipe() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &saved_);
  }
  ~NoSigpipe() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    timespec zero{};
    while (::sigtimedwait(&pipe_only, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }

 private:
  sigset_t saved_;
};

}  // namespace

v1::ExecReply run_command(const v1::ExecRequest& request, JobContext& ctx) {
  NoSigpipe no_sigpipe;
  Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
  const auto start = Clock::now();
  const pid_t pid = spawn(request, in, out, err);
  in.read.reset();
  out.write.reset();
  err.write.reset();
  for (int fd : {in.write.get(), out.read.get(), err.read.get()}) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  const std::size_t limit = request.max_output_bytes() > 0 ? request.max_output_bytes() : kDefaultMaxOutput;
  Capture stdout_capture{.data = {}, .truncated = false, .limit = limit};
  Capture stderr_capture{.data = {}, .truncated = false, .limit = limit};
  std::size_t stdin_sent = 0;
  if (request.stdin().empty()) in.write.reset();
  std::optional<Clock::time_point> time_limit;
  if (request.time_limit_seconds() > 0) {
    time_limit = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(request.time_limit_seconds()));
  }

  int status = 0;
  bool exited = false;
  bool limit_hit = false;
  bool stopped_for_cancel = false;
  std::optional<Clock::time_point> kill_at;  // SIGTERM sent: SIGKILL at this time
  std::optional<Clock::time_point> give_up_reading;
  while (!exited || out.read.open() || err.read.open()) {
    std::vector<pollfd> fds;
    auto watch = [&](const Fd& fd, short events) {
      if (fd.open()) fds.push_back({fd.get(), events, 0});
    };
    watch(out.read, POLLIN);
    watch(err.read, POLLIN);
    watch(in.write, POLLOUT);
    if (!exited) watch(pidfd, POLLIN);
    ::poll(fds.data(), fds.size(), 20);

    if (out.read.open() && !stdout_capture.read_from(out.read)) out.read.reset();
    if (err.read.open() && !stderr_capture.read_from(err.read)) err.read.reset();
    if (in.write.open()) {
      ssize_t n = ::write(in.write.get(), request.stdin().data() + stdin_sent, request.stdin().size() - stdin_sent);
      if (n > 0) stdin_sent += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || stdin_sent == request.stdin().size()) in.write.reset();
    }
    const auto now = Clock::now();
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      ::kill(-pid, SIGKILL);  // what it left behind in its group dies with it
      give_up_reading = now + std::chrono::seconds(2);  // a grandchild outside the group may hold the pipes
    }
    if (exited && give_up_reading && now > *give_up_reading) break;
    const bool stop_for_limit = time_limit && now >= *time_limit;
    if (!exited && !kill_at && (ctx.cancelled() || stop_for_limit)) {
      stopped_for_cancel = !stop_for_limit;
      limit_hit = stop_for_limit;
      ::kill(-pid, SIGTERM);
      kill_at = now + kTermGrace;
    }
    if (!exited && kill_at && now >= *kill_at) ::kill(-pid, SIGKILL);
  }
  if (!exited) ::waitpid(pid, &status, 0);
  if (stopped_for_cancel) ctx.throw_if_cancelled();

  v1::ExecReply reply;
  if (WIFSIGNALED(status)) {
    reply.set_signal(WTERMSIG(status));
    reply.set_exit_code(128 + WTERMSIG(status));
  } else {
    reply.set_exit_code(WEXITSTATUS(status));
  }
  reply.set_stdout(std::move(stdout_capture.data));
  reply.set_stderr(std::move(stderr_capture.data));
  reply.set_stdout_truncated(stdout_capture.truncated);
  reply.set_stderr_truncated(stderr_capture.truncated);
  reply.set_time_limit_hit(limit_hit);
  reply.set_seconds(std::chrono::duration<double>(Clock::now() - start).count());
  return reply;
}

}  // namespace taskmill::jobs::detail
