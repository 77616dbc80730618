#include "taskmill/worker/local_pool.h"

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <thread>

#include "taskmill/annotations.h"
#include "taskmill/detail/stream_link.h"
#include "taskmill/detail/wake_fd.h"
#include "taskmill/errors.h"
#include "taskmill/log.h"
#include "taskmill/wire.h"
#include "taskmill/worker/worker.h"

#include <spdlog/spdlog.h>

namespace bp = boost::process;

namespace taskmill::worker {
namespace {

using Clock = std::chrono::steady_clock;

// This program's arguments after argv[0], so a re-executed worker parses the
// same command line as its parent before taskmill::init() takes over.
std::vector<std::string> own_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    args.emplace_back(all, start, end - start);
    start = end + 1;
  }
  if (!args.empty()) args.erase(args.begin());
  return args;
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const char* name = ::sigabbrev_np(WTERMSIG(status));
    return "killed by signal " + std::to_string(WTERMSIG(status)) + (name != nullptr ? std::string(" (SIG") + name + ")" : "");
  }
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

class LocalWorkerPool::Supervisor {
 public:
  Supervisor(zmq::context_t& context, LocalPoolOptions options) : context_(context), options_(std::move(options)) {
    std::promise<void> started;
    auto ready = started.get_future();
    thread_ = std::thread([this, &started] { main(started); });
    try {
      ready.get();
    } catch (...) {
      thread_.join();
      throw;
    }
  }

  void stop(std::chrono::milliseconds grace) {
    if (!thread_.joinable()) return;
    grace_ = grace;
    stopping_.store(true);
    wake_.notify();
    thread_.join();
  }

  std::vector<int> pids() const {
    std::lock_guard lock(mu_);
    return pids_;
  }

 private:
  struct Child {
    std::unique_ptr<bp::child> process;
    int pidfd = -1;
    Clock::time_point started;
    int quick_deaths = 0;  // in a row, each within a second of its start
  };

  // Runs on the supervisor thread, so PR_SET_PDEATHSIG in the children ties
  // them to a thread that lives as long as the pool.
  void main(std::promise<void>& started) {
    try {
      if (!options_.adopt_link) throw Error("local pool: LocalPoolOptions::adopt_link is required (who takes the workers' links)");
      report_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
      wire::configure(*report_);
      report_->connect(options_.supervisor_endpoint);
      v1::Envelope hello;
      hello.mutable_hello()->set_kind(v1::PEER_KIND_SUPERVISOR);
      wire::send(*report_, hello);
      for (int i = 0; i < options_.workers; ++i) children_.push_back(spawn());
      publish_pids();
    } catch (...) {
      kill_all();
      started.set_exception(std::current_exception());
      return;
    }
    started.set_value();
    watch();
    shut_down();
  }

  Child spawn() {
    std::string program = options_.command.empty() ? std::string("/proc/self/exe") : options_.command.front();
    std::vector<std::string> args = options_.command.empty()
                                        ? own_arguments()
                                        : std::vector<std::string>(options_.command.begin() + 1, options_.command.end());
    // Both ends close on exec; the child clears the flag on its own end
    // between fork and exec, so no other program this process starts gets it.
    int link[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, link) != 0) {
      throw Error(std::string("cannot make a link for a worker: ") + std::strerror(errno));
    }
    const int ours = link[0];
    const int theirs = link[1];
    bp::environment env = boost::this_process::environment();
    // set(), not operator[]: Boost 1.74's find() reads past the end of shorter entries.
    env.set(kWorkerEndpointEnv, detail::link_endpoint(theirs));
    env.set(kWorkerSlotsEnv, std::to_string(options_.slots_per_worker));
    env.set(kWorkerParentEnv, std::to_string(::getpid()));
    env.set(kWorkerMaxJobsEnv, std::to_string(options_.max_jobs_per_worker));
    env.set(kWorkerMaxMemoryEnv, std::to_string(options_.max_worker_memory));
    // Embedded workers are the caller's own program: they may run its commands
    // (the exec job) unless the caller set a policy of its own.
    if (std::getenv("TASKMILL_EXEC_ALLOW") == nullptr) env.set("TASKMILL_EXEC_ALLOW", "any");
    Child child;
    try {
      child.process = std::make_unique<bp::child>(
          bp::exe = program, bp::args = args, env,
          bp::extend::on_exec_setup = [theirs](auto&) { ::fcntl(theirs, F_SETFD, 0); });
    } catch (const bp::process_error& e) {
      ::close(ours);
      ::close(theirs);
      throw Error("cannot start a worker process (" + program + "): " + e.what());
    }
    ::close(theirs);
    options_.adopt_link(ours);
    child.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child.process->id(), 0));
    child.started = Clock::now();
    return child;
  }

  void watch() {
    while (!stopping_.load()) {
      std::vector<pollfd> fds{{wake_.fd(), POLLIN, 0}};
      bool vacant = false;  // a slot whose restart failed: try again each second
      for (const Child& c : children_) {
        fds.push_back({c.pidfd, POLLIN, 0});  // poll() ignores a negative fd
        vacant = vacant || c.pidfd < 0;
      }
      ::poll(fds.data(), fds.size(), vacant ? 1000 : -1);
      if (fds[0].revents & POLLIN) wake_.drain();
      for (Child& c : children_) {
        if (c.pidfd >= 0 || stopping_.load()) continue;
        try {
          c = spawn();
        } catch (const Error& e) {
          logger().error("local pool: {}", e.what());
        }
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP)) == 0 || stopping_.load()) continue;
        Child& c = children_[i - 1];
        const int pid = c.process->id();
        const int status = reap(c);
        const bool recycled = WIFEXITED(status) && WEXITSTATUS(status) == Worker::kRecycled;
        const std::string reason = describe_exit(status);
        logger().warn("local pool: worker {} {}; starting another", pid, reason);
        v1::Envelope exited;
        exited.mutable_worker_exited()->set_pid(static_cast<std::uint32_t>(pid));
        exited.mutable_worker_exited()->set_reason(reason);
        exited.mutable_worker_exited()->set_recycled(recycled);
        wire::send(*report_, exited);
        // Workers that keep dying at once (a crash loop) are restarted after
        // a pause; one killed once, however young, is replaced at once (its
        // jobs are waiting for it), and so is one recycled after its quota
        // of jobs, however quickly it ran them.
        const bool quick = !recycled && Clock::now() - c.started < std::chrono::seconds(1);
        const int quick_deaths = quick ? c.quick_deaths + 1 : 0;
        if (quick_deaths >= 2) {
          wake_.drain();
          pollfd wake{wake_.fd(), POLLIN, 0};
          ::poll(&wake, 1, 500);
          if (stopping_.load()) break;
        }
        try {
          c = spawn();
          c.quick_deaths = quick_deaths;
        } catch (const Error& e) {
          logger().error("local pool: {}", e.what());
        }
      }
      publish_pids();
    }
  }

  // Its wait status.
  int reap(Child& c) {
    c.process->wait();
    if (c.pidfd >= 0) ::close(c.pidfd);
    c.pidfd = -1;
    return c.process->native_exit_code();
  }

  void shut_down() {
    const auto deadline = Clock::now() + grace_;
    // A worker still starting never heard the coordinator's goodbye: tell every one.
    for (Child& c : children_) {
      if (c.pidfd >= 0) ::kill(c.process->id(), SIGTERM);
    }
    for (Child& c : children_) {
      if (c.pidfd < 0) continue;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd fd{c.pidfd, POLLIN, 0};
      if (left <= 0 || ::poll(&fd, 1, static_cast<int>(left)) <= 0) ::kill(c.process->id(), SIGKILL);
      reap(c);
    }
    children_.clear();
    publish_pids();
    report_.reset();
  }

  void kill_all() {
    for (Child& c : children_) {
      if (c.pidfd < 0) continue;
      ::kill(c.process->id(), SIGKILL);
      reap(c);
    }
    children_.clear();
    report_.reset();
  }

  void publish_pids() {
    std::lock_guard lock(mu_);
    pids_.clear();
    for (const Child& c : children_) {
      if (c.pidfd >= 0) pids_.push_back(c.process->id());
    }
  }

  zmq::context_t& context_;
  LocalPoolOptions options_;
  std::thread thread_;
  detail::WakeFd wake_;
  std::atomic<bool> stopping_{false};
  std::chrono::milliseconds grace_{2000};
  // Supervisor thread only.
  std::unique_ptr<zmq::socket_t> report_;
  std::vector<Child> children_;

  mutable std::mutex mu_;
  std::vector<int> pids_ TASKMILL_GUARDED_BY(mu_);
};

LocalWorkerPool::LocalWorkerPool(zmq::context_t& context, LocalPoolOptions options)
    : supervisor_(std::make_unique<Supervisor>(context, std::move(options))) {}

LocalWorkerPool::~LocalWorkerPool() { stop(std::chrono::seconds(2)); }

void LocalWorkerPool::stop(std::chrono::milliseconds grace) { supervisor_->stop(grace); }

std::vector<int> LocalWorkerPool::pids() const { return supervisor_->pids(); }

}  // namespace taskmill::worker
