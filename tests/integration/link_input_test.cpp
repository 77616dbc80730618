// A coordinator fed bad input on a local worker's link (the socketpair an
// embedded coordinator reaches its workers over): the test adopts one end
// into a real coordinator and plays the worker on the other. A frame that
// is not an Envelope is answered with an error; a part over the size limit
// ends the link and loses the worker; the coordinator keeps serving. A
// worker that says goodbye and exits with a heartbeat unread (so the kernel
// resets its link) left; one that exits without a goodbye broke its link.
#include <catch2/catch.hpp>
#include <poll.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "support/link_peer.h"
#include "taskmill/config.h"
#include "taskmill/coordinator/coordinator.h"
#include "taskmill/detail/stream_link.h"
#include "taskmill/log.h"
#include "taskmill/service_client.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

namespace v1 = taskmill::v1;
using taskmill::detail::StreamLink;
using taskmill::testing::next_message;
using namespace std::chrono_literals;

namespace {

// The worker's end of a link the coordinator adopted.
std::unique_ptr<StreamLink> linked_worker(taskmill::coordinator::Coordinator& coordinator) {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  coordinator.adopt_link(fds[0]);
  return std::make_unique<StreamLink>(fds[1]);
}

void send(StreamLink& link, v1::Envelope envelope) { REQUIRE(link.send(taskmill::wire::encode(envelope))); }

v1::Envelope hello(const std::string& name) {
  v1::Envelope envelope;
  envelope.mutable_hello()->set_kind(v1::PEER_KIND_WORKER);
  envelope.mutable_hello()->set_name(name);
  envelope.mutable_hello()->set_slots(1);
  envelope.mutable_hello()->add_catalog()->set_name("test.anything");
  return envelope;
}

// A linked worker that said hello as `name` and was welcomed.
std::unique_ptr<StreamLink> registered_worker(taskmill::coordinator::Coordinator& coordinator, const std::string& name) {
  auto link = linked_worker(coordinator);
  send(*link, hello(name));
  REQUIRE(next_message(*link).has_welcome());
  return link;
}

// Waits until the coordinator has written to `link` and leaves it unread:
// closing the link then makes the kernel reset it.
void leave_unread(StreamLink& link) {
  pollfd readable{link.fd(), POLLIN, 0};
  REQUIRE(::poll(&readable, 1, 5000) == 1);
}

int workers_named(taskmill::ServiceClient& observer, const std::string& name) {
  v1::Query query;
  query.mutable_workers();
  int count = 0;
  const v1::Answer answer = observer.ask(query);
  for (const v1::WorkerStatus& w : answer.workers()) count += w.name() == name ? 1 : 0;
  return count;
}

// A real coordinator on a thread of the test, at a tcp port, and an observer
// client's configuration for it.
struct CoordinatorOnThread {
  explicit CoordinatorOnThread(std::chrono::milliseconds heartbeat)
      : coordinator(context, {.endpoints = {"tcp://127.0.0.1:*"}, .heartbeat = heartbeat}) {
    observer.coordinator = coordinator.endpoints().front();
    loop = std::thread([this] { coordinator.run(); });
  }
  ~CoordinatorOnThread() {
    coordinator.stop();
    loop.join();
  }
  zmq::context_t context;
  taskmill::coordinator::Coordinator coordinator;
  taskmill::Config observer;
  std::thread loop;
};

}  // namespace

TEST_CASE("a coordinator answers a bad frame on a worker's link, ends a link that breaks its framing, and keeps serving",
          "[integration][link]") {
  CoordinatorOnThread running(std::chrono::milliseconds(2000));
  taskmill::coordinator::Coordinator& coordinator = running.coordinator;
  {
    taskmill::ServiceClient observer(running.observer);
    auto link = registered_worker(coordinator, "linked-a");
    CHECK(workers_named(observer, "linked-a") == 1);

    // Not an Envelope: refused with a reason, and the worker stays.
    REQUIRE(link->send(zmq::message_t(std::string("\xff\xff not protobuf"))));
    const v1::Envelope error = next_message(*link);
    REQUIRE(error.has_error());
    CHECK(error.error().code() == static_cast<std::uint32_t>(taskmill::StatusCode::kInvalidArgument));
    CHECK(workers_named(observer, "linked-a") == 1);

    // A part claiming a terabyte, over the 512 MiB limit: the coordinator
    // ends the link rather than wait for it or allocate it.
    std::string header(8, '\0');
    const std::uint64_t size = std::uint64_t{1} << 40;
    for (int i = 0; i < 8; ++i) header[i] = static_cast<char>((size >> (8 * i)) & 0xff);
    REQUIRE(::write(link->fd(), header.data(), header.size()) == 8);
    CHECK(next_message(*link).body_case() == v1::Envelope::BODY_NOT_SET);
    CHECK(link->closed());
    for (int i = 0; i < 100 && workers_named(observer, "linked-a") > 0; ++i) std::this_thread::sleep_for(20ms);
    CHECK(workers_named(observer, "linked-a") == 0);

    // Everyone else is still served: a new link registers as before.
    auto another = registered_worker(coordinator, "linked-b");
    CHECK(workers_named(observer, "linked-b") == 1);
  }
}

TEST_CASE("a coordinator takes a reset after a worker's goodbye as its leaving, and one without as a broken link",
          "[integration][link]") {
  // The coordinator's log, seen through a sink of our own; nothing else
  // logs while it is added or removed.
  auto seen = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  spdlog::logger& log = taskmill::logger();
  const spdlog::level::level_enum level = log.level();
  log.set_level(spdlog::level::warn);
  log.sinks().push_back(seen);
  const auto warned_of = [&](const std::string& text) {
    for (const std::string& line : seen->last_formatted()) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  };
  {
    CoordinatorOnThread running(std::chrono::milliseconds(100));
    taskmill::coordinator::Coordinator& coordinator = running.coordinator;
    taskmill::ServiceClient observer(running.observer);
    auto leaving = registered_worker(coordinator, "leaving");
    leave_unread(*leaving);
    v1::Envelope bye;
    bye.mutable_bye();
    send(*leaving, bye);
    leaving->flush();
    leaving.reset();
    for (int i = 0; i < 250 && workers_named(observer, "leaving") > 0; ++i) std::this_thread::sleep_for(20ms);
    CHECK(workers_named(observer, "leaving") == 0);

    // The same exit without the goodbye: the reset is a fault, and said.
    auto breaking = registered_worker(coordinator, "breaking");
    leave_unread(*breaking);
    breaking.reset();
    for (int i = 0; i < 250 && !warned_of("worker breaking lost"); ++i) std::this_thread::sleep_for(20ms);
    CHECK(warned_of("closed a link: reading: Connection reset by peer"));
    CHECK(warned_of("worker breaking lost"));
    // The first link ended before the second began, so its end was read by
    // now: one link closed in error, not two.
    int closed_in_error = 0;
    for (const std::string& line : seen->last_formatted()) {
      closed_in_error += line.find("closed a link") != std::string::npos ? 1 : 0;
      CHECK(line.find("leaving") == std::string::npos);
    }
    CHECK(closed_in_error == 1);
  }  // the coordinator's thread has ended here
  log.sinks().pop_back();
  log.set_level(level);
}
