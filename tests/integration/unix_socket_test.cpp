// A service's Unix socket (taskmill-coordinator --unix-socket PATH): workers
// and executors on the coordinator's host connect with unix://PATH and
// speak over a link instead of ZeroMQ. Real daemons throughout: jobs come
// back, a worker killed there is lost as soon as its connection ends, a
// worker that came first waits for the coordinator, an executor's jobs run
// again after the coordinator restarts and end with their client's link,
// the socket lets only its user in, and the path is refused when another
// listens on it.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/daemons.h"
#include "support/scratch_dir.h"
#include "support/test_jobs.h"
#include "support/link_peer.h"
#include "taskmill/codec.h"
#include "taskmill/coordinator/coordinator.h"
#include "taskmill/detail/stream_link.h"
#include "taskmill/errors.h"
#include "taskmill/executor.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;
namespace v1 = taskmill::v1;
using taskmill::detail::StreamLink;

namespace {

taskmill::Config service(const std::string& address) {
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.coordinator = address;
  return config;
}

// What a connection from the uid `uid` to `path` sees: "refused" (connect
// failed), "closed" (the coordinator hung up at once) or "open".
std::string connect_as(int uid, const std::string& path) {
  int result[2];
  REQUIRE(::pipe(result) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    char verdict = 'o';
    if (::setuid(static_cast<uid_t>(uid)) != 0) _exit(3);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      verdict = 'r';
    } else {
      timeval wait{.tv_sec = 5, .tv_usec = 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
      char byte = 0;
      if (::read(fd, &byte, 1) == 0) verdict = 'c';
    }
    (void)!::write(result[1], &verdict, 1);
    _exit(0);
  }
  ::close(result[1]);
  char verdict = '?';
  (void)!::read(result[0], &verdict, 1);
  ::close(result[0]);
  ::waitpid(child, nullptr, 0);
  return verdict == 'r' ? "refused" : verdict == 'c' ? "closed" : verdict == 'o' ? "open" : "no answer";
}

}  // namespace

TEST_CASE("workers at the Unix socket serve a service's jobs, and the socket goes with the coordinator",
          "[integration][unix-socket]") {
  ScratchDir scratch("unix-socket");
  const std::string socket = scratch / "workers";
  {
    auto coordinator = Daemon::coordinator({"--unix-socket", socket});
    struct stat file {};
    REQUIRE(::stat(socket.c_str(), &file) == 0);
    CHECK(S_ISSOCK(file.st_mode));
    CHECK((file.st_mode & 0777) == 0600);
    auto local = Daemon::worker("unix://" + socket);
    auto remote = Daemon::worker(coordinator.address());  // a tcp worker beside it
    taskmill::Executor ex(service(coordinator.address()));
    std::vector<taskmill::Future<std::int64_t>> futures;
    for (std::int64_t i = 0; i < 200; ++i) futures.push_back(ex.submit(square, i));
    for (std::int64_t i = 0; i < 200; ++i) CHECK(futures[i].get() == i * i);
    // Both ran jobs: a gated job on each at once.
    auto a = new_gate(), b = new_gate();
    auto fa = ex.submit(gated, a);
    auto fb = ex.submit(gated, b);
    wait_for_waiters(a, 1);
    wait_for_waiters(b, 1);
    CHECK(waiter_pid(a, 0) != waiter_pid(b, 0));
    CHECK((waiter_pid(a, 0) == local.pid() || waiter_pid(b, 0) == local.pid()));
    open_gate(a);
    open_gate(b);
    CHECK(fa.get() == a);
    CHECK(fb.get() == b);
    coordinator.kill(SIGTERM);
    CHECK(coordinator.wait() == 0);
  }
  CHECK_FALSE(std::filesystem::exists(socket));
}

TEST_CASE("a worker killed at the Unix socket is lost when its connection ends, not heartbeats later",
          "[integration][unix-socket]") {
  ScratchDir scratch("unix-socket");
  const std::string socket = scratch / "workers";
  // Heartbeats would take 100 s to give the worker up: the job's retry must not wait for them.
  auto coordinator = Daemon::coordinator({"--unix-socket", socket, "--heartbeat-ms", "1000", "--liveness", "100"});
  auto doomed = Daemon::worker("unix://" + socket);
  taskmill::Config config = service(coordinator.address());
  config.heartbeat = 1000ms;
  config.liveness = 100;
  taskmill::Executor ex(config);
  auto gate = new_gate();
  auto f = ex.submit(gated, gate);
  wait_for_waiters(gate, 1);
  REQUIRE(waiter_pid(gate, 0) == doomed.pid());
  auto survivor = Daemon::worker("unix://" + socket);
  doomed.kill(SIGKILL);
  CHECK(doomed.wait() == 128 + SIGKILL);
  wait_for_waiters(gate, 2);  // the job runs again, on the survivor
  CHECK(waiter_pid(gate, 1) == survivor.pid());
  open_gate(gate);
  CHECK(f.get() == gate);
}

TEST_CASE("a worker started before its coordinator joins once the Unix socket is there",
          "[integration][unix-socket]") {
  ScratchDir scratch("unix-socket");
  const std::string socket = scratch / "workers";
  auto early = Daemon::worker("unix://" + socket);
  std::this_thread::sleep_for(300ms);  // it dials and finds nobody
  auto coordinator = Daemon::coordinator({"--unix-socket", socket});
  taskmill::Executor ex(service(coordinator.address()));
  CHECK(ex.submit(square, 12).get() == 144);
}

TEST_CASE("the Unix socket lets in only the coordinator's user", "[integration][unix-socket]") {
  if (::geteuid() != 0) {
    WARN("not root: cannot act as another user here");
    return;
  }
  ScratchDir scratch("unix-socket");
  std::filesystem::permissions(scratch.path, std::filesystem::perms::owner_all | std::filesystem::perms::others_exec |
                                                 std::filesystem::perms::group_exec);
  const std::string socket = scratch / "workers";
  auto coordinator = Daemon::coordinator({"--unix-socket", socket});
  CHECK(connect_as(65534, socket) == "refused");  // nobody: the file is 0600
  CHECK(connect_as(0, socket) == "open");         // its own user: in, and kept until it speaks
  // The coordinator still serves.
  auto worker = Daemon::worker("unix://" + socket);
  taskmill::Executor ex(service(coordinator.address()));
  CHECK(ex.submit(square, 3).get() == 9);
}

TEST_CASE("a Unix socket's path is taken over only from a listener that is gone", "[integration][unix-socket]") {
  ScratchDir scratch("unix-socket");
  zmq::context_t context;
  int made = 0;
  auto options_at = [&made](const std::string& path) {
    taskmill::coordinator::CoordinatorOptions options;
    options.endpoints = {"inproc://unix-socket-test-" + std::to_string(++made)};
    options.unix_socket = path;
    return options;
  };
  SECTION("a file that is not a socket") {
    const std::string path = scratch / "file";
    std::ofstream(path) << "mine";
    CHECK_THROWS_WITH(taskmill::coordinator::Coordinator(context, options_at(path)),
                      Catch::Contains("unix://" + path) && Catch::Contains("not a socket"));
    CHECK(std::filesystem::file_size(path) == 4);  // untouched
  }
  SECTION("a live listener") {
    const std::string path = scratch / "live";
    taskmill::coordinator::Coordinator first(context, options_at(path));
    CHECK_THROWS_WITH(taskmill::coordinator::Coordinator(context, options_at(path)),
                      Catch::Contains("something listens there"));
  }
  SECTION("a socket left by a listener killed before it could remove it") {
    const std::string path = scratch / "stale";
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    ::close(fd);  // the file stays, and nobody listens
    taskmill::coordinator::Coordinator taken(context, options_at(path));
    CHECK(std::filesystem::is_socket(path));
  }
  SECTION("a path too long for a Unix socket") {
    const std::string path = scratch.path.string() + "/" + std::string(120, 'x');
    CHECK_THROWS_WITH(taskmill::coordinator::Coordinator(context, options_at(path)),
                      Catch::Contains("bytes long"));
  }
}

TEST_CASE("an executor at the Unix socket gets its results, and its jobs back after the coordinator restarts",
          "[integration][unix-socket]") {
  ScratchDir scratch("unix-socket");
  const std::string socket = scratch / "socket";
  std::optional<Daemon> coordinator(Daemon::coordinator({"--unix-socket", socket, "--heartbeat-ms", "100"}));
  auto worker = Daemon::worker("unix://" + socket, 2);  // the first run holds a slot: it ignores its cancel
  taskmill::Config config = service("unix://" + socket);
  config.heartbeat = 100ms;
  config.liveness = 30;  // 3 s of silence before the executor gives its jobs up: the restart takes less
  taskmill::Executor ex(config);
  auto squares = ex.map(square, std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8}, {.chunksize = 3}).get();
  CHECK(squares == std::vector<std::int64_t>{1, 4, 9, 16, 25, 36, 49, 64});
  auto gate = new_gate();
  auto f = ex.submit(gated, gate);
  wait_for_waiters(gate, 1);
  coordinator->kill(SIGKILL);  // no goodbye, its socket file left behind
  CHECK(coordinator->wait() == 128 + SIGKILL);
  coordinator.emplace(Daemon::coordinator({"--unix-socket", socket, "--heartbeat-ms", "100"}));
  // The worker and the executor dial the new one; the executor sends its job again, and it runs again.
  wait_for_waiters(gate, 2);
  open_gate(gate);
  CHECK(f.get() == gate);
  CHECK(ex.submit(square, 9).get() == 81);
}

TEST_CASE("a client whose link to the Unix socket closes takes its jobs with it", "[integration][unix-socket]") {
  ScratchDir scratch("unix-socket");
  const std::string socket = scratch / "socket";
  auto coordinator = Daemon::coordinator({"--unix-socket", socket});
  auto worker = Daemon::worker("unix://" + socket, 1);
  std::string why;
  const int fd = taskmill::detail::dial_unix_socket(socket, &why);
  REQUIRE(fd >= 0);
  auto client = std::make_unique<StreamLink>(fd);
  v1::Envelope hello;
  hello.mutable_hello()->set_kind(v1::PEER_KIND_CLIENT);
  REQUIRE(client->send(taskmill::wire::encode(hello)));
  REQUIRE(next_message(*client).has_welcome());
  auto gate = new_gate();
  v1::Envelope submit;
  v1::JobSpec* job = submit.mutable_submit()->add_jobs();
  job->set_id(1);
  job->set_job("test.until_cancel");
  job->set_payload(taskmill::Codec<std::int64_t>::encode(gate));
  REQUIRE(client->send(taskmill::wire::encode(submit)));
  wait_for_waiters(gate, 1);  // it runs on the only slot, until cancelled
  client.reset();             // the client's process ends: no goodbye
  // The slot is free again only if the coordinator cancelled the job with its client.
  taskmill::Executor ex(service("unix://" + socket));
  CHECK(ex.submit(square, 7).get() == 49);
}
