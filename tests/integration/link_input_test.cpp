// A coordinator fed bad input on a local worker's link (the socketpair an
// embedded coordinator reaches its workers over): the test adopts one end
// into a real coordinator and plays the worker on the other. A frame that
// is not an Envelope is answered with an error; a part over the size limit
// ends the link and loses the worker; the coordinator keeps serving.
#include <catch2/catch.hpp>
#include <poll.h>
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

int workers_named(taskmill::ServiceClient& observer, const std::string& name) {
  v1::Query query;
  query.mutable_workers();
  int count = 0;
  const v1::Answer answer = observer.ask(query);
  for (const v1::WorkerStatus& w : answer.workers()) count += w.name() == name ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("a coordinator answers a bad frame on a worker's link, ends a link that breaks its framing, and keeps serving",
          "[integration][link]") {
  zmq::context_t context;
  taskmill::coordinator::Coordinator coordinator(
      context, {.endpoints = {"tcp://127.0.0.1:*"}, .heartbeat = std::chrono::milliseconds(2000)});
  std::thread loop([&] { coordinator.run(); });
  taskmill::Config config;
  config.coordinator = coordinator.endpoints().front();
  {
    taskmill::ServiceClient observer(config);
    auto link = linked_worker(coordinator);
    send(*link, hello("linked-a"));
    REQUIRE(next_message(*link).has_welcome());
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
    auto another = linked_worker(coordinator);
    send(*another, hello("linked-b"));
    REQUIRE(next_message(*another).has_welcome());
    CHECK(workers_named(observer, "linked-b") == 1);
  }
  coordinator.stop();
  loop.join();
}
