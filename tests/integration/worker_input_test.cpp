// A running worker fed bad input by its coordinator: the test binds a ROUTER
// that plays the coordinator, and sends the real taskmill-test-worker garbage,
// truncated frames, other protocol versions, bodies meant for others, extra
// frames and unknown jobs. The worker must drop each (or reject the job) and
// keep serving, in the same session: it never had to reconnect. (Frames over
// the size limit: oversized_frame_test.cpp.)
#include <catch2/catch.hpp>

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "support/daemons.h"
#include "taskmill/codec.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

using namespace taskmill::testing;
namespace v1 = taskmill::v1;

namespace {

class FakeCoordinator {
 public:
  FakeCoordinator() {
    router_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::rcvtimeo, 10000);
    router_.bind("tcp://127.0.0.1:*");
  }
  std::string address() { return router_.get(zmq::sockopt::last_endpoint); }

  // The next envelope the worker sends, other than a heartbeat. Remembers who sent it.
  v1::Envelope receive() {
    while (true) {
      zmq::message_t peer;
      zmq::message_t frame;
      REQUIRE(router_.recv(peer));
      REQUIRE(peer.more());
      REQUIRE(router_.recv(frame));
      REQUIRE_FALSE(frame.more());
      v1::Envelope envelope;
      REQUIRE(taskmill::wire::decode(frame, &envelope).is_ok());  // the worker only ever sends good frames
      if (worker_.empty()) worker_ = peer.to_string();
      REQUIRE(peer.to_string() == worker_);  // one session: the worker never reconnected
      if (!envelope.has_heartbeat()) return envelope;
    }
  }
  void send_frames(std::initializer_list<std::string> frames) {
    REQUIRE(router_.send(zmq::buffer(worker_), zmq::send_flags::sndmore));
    std::size_t left = frames.size();
    for (const std::string& frame : frames) {
      REQUIRE(router_.send(zmq::buffer(frame), --left > 0 ? zmq::send_flags::sndmore : zmq::send_flags::none));
    }
  }
  void send(v1::Envelope& envelope) { send_frames({taskmill::wire::encode(envelope).to_string()}); }

 private:
  zmq::context_t context_;
  zmq::socket_t router_{context_, zmq::socket_type::router};
  std::string worker_;
};

v1::Envelope assign(std::uint64_t id, const std::string& job, const std::string& payload) {
  v1::Envelope envelope;
  v1::Assignment* a = envelope.mutable_assign()->add_jobs();
  a->set_id(id);
  a->set_attempt(1);
  a->set_job(job);
  a->set_payload(payload);
  a->set_client_id(id);
  return envelope;
}

std::string int64_payload(std::int64_t value) { return taskmill::Codec<std::int64_t>::encode(value); }

}  // namespace

TEST_CASE("a worker drops bad frames from its coordinator, rejects unknown jobs and frames, and keeps serving",
          "[integration][process][worker]") {
  FakeCoordinator coordinator;
  auto worker = Daemon::worker(coordinator.address());
  REQUIRE(coordinator.receive().has_hello());
  v1::Envelope welcome;
  welcome.mutable_welcome()->set_heartbeat_ms(60000);  // no liveness deadline can pass during the test
  welcome.mutable_welcome()->set_liveness(3);
  coordinator.send(welcome);

  // Each of these would run job 1 or 2 if the worker read it as an Assign.
  v1::Envelope first = assign(1, "test.square", int64_payload(6));
  const std::string good = taskmill::wire::encode(first).to_string();
  coordinator.send_frames({"\xff\x01 not a protobuf"});
  coordinator.send_frames({good.substr(0, good.size() / 2)});  // truncated
  v1::Envelope future_version = assign(2, "test.square", int64_payload(6));
  future_version.set_version(taskmill::wire::kProtocolVersion + 1);  // by hand: encode() stamps the current one
  coordinator.send_frames({future_version.SerializeAsString()});
  v1::Envelope no_body;
  no_body.set_version(taskmill::wire::kProtocolVersion);
  coordinator.send_frames({no_body.SerializeAsString(), "and a second frame"});
  v1::Envelope not_for_workers;
  not_for_workers.mutable_submit()->add_jobs()->set_job("test.square");
  coordinator.send(not_for_workers);
  v1::Envelope results;
  results.mutable_results()->add_results()->set_id(1);
  coordinator.send(results);
  coordinator.send_frames({std::string()});  // an empty frame

  // Then jobs: one it does not have, one with a payload that does not decode, one good.
  v1::Envelope unknown = assign(10, "no.such.job", int64_payload(1));
  coordinator.send(unknown);
  v1::Envelope bad_payload = assign(11, "test.square", "\xff\xff\xff");
  coordinator.send(bad_payload);
  v1::Envelope square = assign(12, "test.square", int64_payload(7));
  coordinator.send(square);
  // A request in a frame of its own, and one naming a frame its message lacks.
  v1::Envelope framed = assign(13, "test.square", "");
  framed.mutable_assign()->mutable_jobs(0)->set_payload_frame(1);
  coordinator.send_frames({taskmill::wire::encode(framed).to_string(), int64_payload(8)});
  v1::Envelope missing_frame = assign(14, "test.square", "");
  missing_frame.mutable_assign()->mutable_jobs(0)->set_payload_frame(2);
  coordinator.send_frames({taskmill::wire::encode(missing_frame).to_string(), int64_payload(9)});

  std::map<std::uint64_t, v1::JobResult> outcomes;
  while (outcomes.size() < 5) {
    v1::Envelope envelope = coordinator.receive();
    if (envelope.has_started()) {
      for (std::uint64_t id : envelope.started().ids()) CHECK(id >= 10);
    }
    for (const v1::JobResult& r : envelope.results().results()) {
      CHECK(outcomes.emplace(r.id(), r).second);  // one result per job
    }
  }
  REQUIRE(outcomes.size() == 5);
  CHECK(outcomes.count(1) + outcomes.count(2) == 0);
  CHECK(outcomes[10].outcome() == v1::OUTCOME_REJECTED);
  CHECK_THAT(outcomes[10].error_message(), Catch::Contains("no job named 'no.such.job'"));
  CHECK(outcomes[11].outcome() == v1::OUTCOME_FAILED);
  REQUIRE(outcomes[12].outcome() == v1::OUTCOME_SUCCEEDED);
  std::int64_t reply = 0;
  REQUIRE(taskmill::Codec<std::int64_t>::decode(outcomes[12].reply(), &reply).is_ok());
  CHECK(reply == 49);
  REQUIRE(outcomes[13].outcome() == v1::OUTCOME_SUCCEEDED);
  REQUIRE(taskmill::Codec<std::int64_t>::decode(outcomes[13].reply(), &reply).is_ok());
  CHECK(reply == 64);
  CHECK(outcomes[14].outcome() == v1::OUTCOME_REJECTED);
  CHECK_THAT(outcomes[14].error_message(), Catch::Contains("payload frame 2 named, but the message has 1"));
  worker.kill(SIGTERM);  // still serving: it leaves cleanly
  CHECK(worker.wait() == 0);
}
