// Large payloads travel as frames of their own beside the Envelope
// (docs/protocol.md, "Sockets and framing"): byte for byte through both
// process deployments, kept by the coordinator for a retry after SIGKILL, and
// a frame index that points nowhere fails only its own job.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "support/daemons.h"
#include "support/executors.h"
#include "support/test_jobs.h"
#include "taskmill/codec.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"
#include "taskmill/payload.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;
using taskmill::Bytes;
namespace v1 = taskmill::v1;

namespace {

// `size` bytes that differ from one request to the next and along each one,
// so a payload swapped, truncated or shifted would not compare equal.
Bytes pattern(std::size_t size, int seed) {
  Bytes bytes;
  bytes.data.resize(size);
  for (std::size_t i = 0; i < size; ++i) {
    bytes.data[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed)) % 251);
  }
  return bytes;
}

// Around the size where payloads leave the protobuf for a frame, and well past it.
const std::vector<std::size_t> kSizes = {taskmill::Payload::kFrameBytes - 1, taskmill::Payload::kFrameBytes,
                                         std::size_t{1} << 20, std::size_t{3} << 20};

void round_trips(taskmill::Executor& ex) {
  int seed = 0;
  for (std::size_t size : kSizes) {
    const Bytes request = pattern(size, ++seed);
    auto echoed = ex.submit(taskmill::jobs::echo, request);
    auto length = ex.submit(taskmill::jobs::byte_length, request);
    CHECK(echoed.get() == request);
    CHECK(length.get() == static_cast<std::int64_t>(size));
  }
}

}  // namespace

TEST_CASE("requests and replies of 64 KiB and more arrive byte for byte, embedded", "[integration][process]") {
  taskmill::Executor ex(embedded_config(2));
  round_trips(ex);
}

TEST_CASE("requests and replies of 64 KiB and more arrive byte for byte through the daemons",
          "[integration][process][service]") {
  auto coordinator = Daemon::coordinator();
  auto worker = Daemon::worker(coordinator.address());
  taskmill::Executor ex(service_config(coordinator.address()));
  round_trips(ex);
}

TEST_CASE("SIGKILL of a worker holding large requests loses none: each runs again from the coordinator's copy",
          "[integration][process][fault]") {
  taskmill::Executor ex(embedded_config(2));
  auto gate = new_gate();
  auto marker = ex.submit(gated, gate);  // one worker's slot held, so that it is prefetched to
  wait_for_waiters(gate, 1);
  const int victim = waiter_pid(gate, 0);
  std::vector<Bytes> requests;
  std::vector<taskmill::Future<Bytes>> echoes;
  for (int i = 0; i < 40; ++i) {
    requests.push_back(pattern(std::size_t{256} << 10, i));
    echoes.push_back(ex.submit(taskmill::jobs::echo, requests.back()));
  }
  open_gate(gate);
  echoes.front().wait();
  ::kill(victim, SIGKILL);
  for (int i = 0; i < 40; ++i) CHECK(echoes[i].get() == requests[i]);
  CHECK(marker.get() == gate);
}

TEST_CASE("a coordinator restarted without a journal gets a large request again from its client, not a copy",
          "[integration][process][service][recovery]") {
  std::optional<Daemon> coordinator;
  coordinator.emplace(Daemon::coordinator({"--heartbeat-ms", "300", "--liveness", "5"}));
  const std::string address = coordinator->address();
  auto worker = Daemon::worker(address, 1);
  taskmill::Config config = service_config(address);
  config.heartbeat = 300ms;
  config.liveness = 5;
  taskmill::Executor ex(config);
  auto gate = new_gate();
  auto held = ex.submit(gated, gate);
  wait_for_waiters(gate, 1);
  const Bytes request = pattern(std::size_t{1} << 20, 7);
  auto echoed = ex.submit(taskmill::jobs::echo, request);  // queued behind the gate, then forgotten
  coordinator.reset();  // SIGKILL
  coordinator.emplace(Daemon::coordinator_at(address, {"--heartbeat-ms", "300", "--liveness", "5"}));
  std::this_thread::sleep_for(700ms);  // the client finds it and resubmits both
  open_gate(gate);
  CHECK(echoed.get() == request);
  CHECK(held.get() == gate);
}

TEST_CASE("a job naming a payload frame its message lacks is rejected, and its neighbours run",
          "[integration][process][service]") {
  auto coordinator = Daemon::coordinator();
  auto worker = Daemon::worker(coordinator.address());
  zmq::context_t context;
  zmq::socket_t rogue(context, zmq::socket_type::dealer);
  rogue.set(zmq::sockopt::linger, 0);
  rogue.set(zmq::sockopt::rcvtimeo, 10000);
  rogue.connect(coordinator.address());
  v1::Envelope hello;
  hello.mutable_hello()->set_kind(v1::PEER_KIND_CLIENT);
  rogue.send(taskmill::wire::encode(hello), zmq::send_flags::none);
  zmq::message_t welcome;
  REQUIRE(rogue.recv(welcome));

  v1::Envelope submit;
  v1::JobSpec* framed = submit.mutable_submit()->add_jobs();
  framed->set_id(1);
  framed->set_job("test.square");
  framed->set_payload_frame(1);
  v1::JobSpec* dangling = submit.mutable_submit()->add_jobs();
  dangling->set_id(2);
  dangling->set_job("test.square");
  dangling->set_payload_frame(7);
  rogue.send(taskmill::wire::encode(submit), zmq::send_flags::sndmore);
  const std::string seven = taskmill::Codec<std::int64_t>::encode(7);
  rogue.send(zmq::buffer(seven), zmq::send_flags::none);

  std::map<std::uint64_t, v1::JobResult> results;
  while (results.size() < 2) {
    zmq::message_t frame;
    REQUIRE(rogue.recv(frame));
    v1::Envelope envelope;
    REQUIRE(taskmill::wire::decode(frame, &envelope).is_ok());
    for (const v1::JobResult& r : envelope.results().results()) CHECK(results.emplace(r.id(), r).second);
  }
  REQUIRE(results[1].outcome() == v1::OUTCOME_SUCCEEDED);
  std::int64_t squared = 0;
  REQUIRE(taskmill::Codec<std::int64_t>::decode(results[1].reply(), &squared).is_ok());
  CHECK(squared == 49);
  CHECK(results[2].outcome() == v1::OUTCOME_REJECTED);
  CHECK(results[2].error_type() == "taskmill::ProtocolError");
  CHECK_THAT(results[2].error_message(), Catch::Contains("payload frame 7 named, but the message has 1"));
}
