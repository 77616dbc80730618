#include "support/child_process.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <system_error>

extern char** environ;

namespace taskmill::testing {

struct ChildProcess::Impl {
  pid_t pid = -1;
  std::optional<int> status;  // set once reaped
  FILE* out = nullptr;        // the read ends of a piped stdout and stderr
  FILE* err = nullptr;

  ~Impl() {
    if (pid > 0 && !status) {
      ::kill(pid, SIGKILL);
      reap(0);
    }
    if (out != nullptr) std::fclose(out);
    if (err != nullptr) std::fclose(err);
  }

  // waitpid with `flags`; true once the child has been reaped.
  bool reap(int flags) {
    if (status) return true;
    int raw = 0;
    pid_t got;
    do got = ::waitpid(pid, &raw, flags);
    while (got < 0 && errno == EINTR);
    if (got != pid) return false;
    status = WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : WEXITSTATUS(raw);
    return true;
  }
};

namespace {

void check(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc > 0 ? rc : errno, std::generic_category(), what);
}

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe make_pipe() {
  int fds[2];
  check(::pipe2(fds, O_CLOEXEC), "pipe2");
  return {fds[0], fds[1]};
}

// Wires the child's fd `target` (1 or 2) as asked. Returns the parent's read
// end when it is a pipe, else -1; `child_ends` collects what to close after
// the spawn.
int wire_output(posix_spawn_file_actions_t* actions, int target, ChildProcess::Output how, const std::string& file,
                std::vector<int>& child_ends) {
  if (!file.empty()) {
    check(posix_spawn_file_actions_addopen(actions, target, file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644),
          "posix_spawn_file_actions_addopen");
    return -1;
  }
  switch (how) {
    case ChildProcess::Output::kInherit: return -1;
    case ChildProcess::Output::kNull:
      check(posix_spawn_file_actions_addopen(actions, target, "/dev/null", O_WRONLY, 0),
            "posix_spawn_file_actions_addopen");
      return -1;
    case ChildProcess::Output::kPipe: {
      const Pipe pipe = make_pipe();
      check(posix_spawn_file_actions_adddup2(actions, pipe.write, target), "posix_spawn_file_actions_adddup2");
      child_ends.push_back(pipe.write);
      return pipe.read;
    }
  }
  return -1;
}

// Writes `input` to `fd` and closes it. A child that ends without reading it
// must not end this process: SIGPIPE is blocked meanwhile, and one it raised
// taken off this thread before it is unblocked.
void feed_and_close(int fd, const std::string& input) {
  sigset_t pipe_only, before;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &before);
  for (std::size_t at = 0; at < input.size();) {
    const ssize_t n = ::write(fd, input.data() + at, input.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // it closed its stdin: what it did not read it did not want
    at += static_cast<std::size_t>(n);
  }
  ::close(fd);
  const timespec now{0, 0};
  while (sigtimedwait(&pipe_only, nullptr, &now) == SIGPIPE) {
  }
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

bool read_line_from(FILE* stream, std::string& line) {
  if (stream == nullptr) return false;
  char* buffer = nullptr;
  std::size_t capacity = 0;
  const ssize_t n = ::getline(&buffer, &capacity, stream);
  if (n >= 0) line.assign(buffer, static_cast<std::size_t>(n) - (n > 0 && buffer[n - 1] == '\n' ? 1 : 0));
  std::free(buffer);
  return n >= 0;
}

std::string read_rest_of(FILE* stream) {
  std::string all;
  if (stream == nullptr) return all;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, stream)) > 0;) all.append(chunk, n);
  return all;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args, const Options& options)
    : impl_(std::make_unique<Impl>()) {
  posix_spawn_file_actions_t actions;
  check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
  std::vector<int> child_ends;
  int out = -1, err = -1, in = -1;
  int rc = 0;
  std::exception_ptr failure;  // from setting the spawn up; raised once the fds are tidied
  try {
    const Pipe stdin_pipe = make_pipe();
    child_ends.push_back(stdin_pipe.read);
    in = stdin_pipe.write;
    check(posix_spawn_file_actions_adddup2(&actions, stdin_pipe.read, 0), "posix_spawn_file_actions_adddup2");
    out = wire_output(&actions, 1, options.out, options.out_file, child_ends);
    err = wire_output(&actions, 2, options.err, options.err_file, child_ends);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    rc = posix_spawnp(&impl_->pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  } catch (...) {
    failure = std::current_exception();
  }
  posix_spawn_file_actions_destroy(&actions);
  for (int fd : child_ends) ::close(fd);
  if (out >= 0) impl_->out = ::fdopen(out, "r");
  if (err >= 0) impl_->err = ::fdopen(err, "r");
  if (failure || rc != 0) {
    if (in >= 0) ::close(in);
    impl_->pid = -1;
    if (failure) std::rethrow_exception(failure);
    throw std::system_error(rc, std::generic_category(), "cannot start " + program);
  }
  feed_and_close(in, options.input);
}

ChildProcess::ChildProcess(ChildProcess&&) noexcept = default;
ChildProcess& ChildProcess::operator=(ChildProcess&&) noexcept = default;
ChildProcess::~ChildProcess() = default;

int ChildProcess::pid() const { return impl_->pid; }
bool ChildProcess::running() { return !impl_->reap(WNOHANG); }
void ChildProcess::kill(int signal) {
  if (!impl_->status) ::kill(impl_->pid, signal);
}
int ChildProcess::wait() {
  impl_->reap(0);
  return impl_->status.value_or(-1);
}

bool ChildProcess::read_line(std::string& line) { return read_line_from(impl_->out, line); }
bool ChildProcess::read_err_line(std::string& line) { return read_line_from(impl_->err, line); }
std::string ChildProcess::read_rest() { return read_rest_of(impl_->out); }
std::string ChildProcess::read_err_rest() { return read_rest_of(impl_->err); }

}  // namespace taskmill::testing
