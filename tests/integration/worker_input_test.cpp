// A running worker fed bad input by its coordinator: the test binds a ROUTER
// that plays the coordinator, and sends the real taskmill-test-worker garbage,
// truncated frames, other protocol versions, bodies meant for others, extra
// frames and unknown jobs. The worker must drop each (or reject the job) and
// keep serving, in the same session: it never had to reconnect. A frame
// above ZMQ_MAXMSGSIZE, sent by hand over ZMTP, costs only the connection.
#include <catch2/catch.hpp>

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

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

TEST_CASE("a worker drops bad frames from its coordinator, rejects unknown jobs, and keeps serving",
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
  future_version.set_version(2);  // by hand: encode() would stamp version 1
  coordinator.send_frames({future_version.SerializeAsString()});
  v1::Envelope no_body;
  no_body.set_version(1);
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

  std::map<std::uint64_t, v1::JobResult> outcomes;
  while (outcomes.size() < 3) {
    v1::Envelope envelope = coordinator.receive();
    if (envelope.has_started()) {
      for (std::uint64_t id : envelope.started().ids()) CHECK(id >= 10);
    }
    for (const v1::JobResult& r : envelope.results().results()) {
      CHECK(outcomes.emplace(r.id(), r).second);  // one result per job
    }
  }
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes.count(1) + outcomes.count(2) == 0);
  CHECK(outcomes[10].outcome() == v1::OUTCOME_REJECTED);
  CHECK_THAT(outcomes[10].error_message(), Catch::Contains("no job named 'no.such.job'"));
  CHECK(outcomes[11].outcome() == v1::OUTCOME_FAILED);
  REQUIRE(outcomes[12].outcome() == v1::OUTCOME_SUCCEEDED);
  std::int64_t reply = 0;
  REQUIRE(taskmill::Codec<std::int64_t>::decode(outcomes[12].reply(), &reply).is_ok());
  CHECK(reply == 49);
  worker.kill(SIGTERM);  // still serving: it leaves cleanly
  CHECK(worker.wait() == 0);
}

namespace {

// The coordinator's end of ZMTP 3.0 spoken by hand over a ZMQ_STREAM socket
// (RFC 23, NULL mechanism), so that the test can send what libzmq never
// would: a frame header announcing more bytes than ZMQ_MAXMSGSIZE allows.
class RawCoordinator {
 public:
  RawCoordinator() {
    stream_.set(zmq::sockopt::linger, 0);
    stream_.set(zmq::sockopt::rcvtimeo, 10000);
    stream_.bind("tcp://127.0.0.1:*");
  }
  std::string address() { return stream_.get(zmq::sockopt::last_endpoint); }

  // Waits for a connection, greets it and sends READY. Returns its id.
  std::string accept() {
    while (true) {
      auto [peer, bytes] = next();
      if (!bytes.empty()) continue;  // the rest of an old connection
      std::string greeting(64, '\0');
      greeting[0] = '\xff';
      greeting[9] = '\x7f';
      greeting[10] = 3;  // version 3.0
      greeting.replace(12, 4, "NULL");
      greeting[32] = 0;  // as-server: no (NULL has no roles)
      send(peer, greeting);
      const std::string ready_body = std::string("\x05READY\x0bSocket-Type", 18) + std::string("\0\0\0\x06ROUTER", 10);
      send(peer, std::string(1, '\x04') + static_cast<char>(ready_body.size()) + ready_body);
      buffer_.clear();
      greeted_ = false;
      return peer;
    }
  }
  // One message frame.
  void send_message(const std::string& peer, v1::Envelope& envelope) {
    const std::string body = taskmill::wire::encode(envelope).to_string();
    std::string header(1, '\x02');  // a long frame: 8 bytes of size
    for (int shift = 56; shift >= 0; shift -= 8) header += static_cast<char>((body.size() >> shift) & 0xff);
    send(peer, header + body);
  }
  // A long-frame header announcing `size` bytes, and none of them.
  void send_frame_header(const std::string& peer, std::uint64_t size) {
    std::string header(1, '\x02');
    for (int shift = 56; shift >= 0; shift -= 8) header += static_cast<char>((size >> shift) & 0xff);
    send(peer, header);
  }
  // Returns once `peer` has disconnected; fails the test after 10 s.
  void await_disconnect(const std::string& peer) {
    while (true) {
      auto [from, bytes] = next();
      if (from == peer && bytes.empty()) return;
    }
  }
  // The next message frame from `peer` that decodes as an Envelope (commands
  // are skipped); nullopt if `peer` hangs up first.
  std::optional<v1::Envelope> next_envelope(const std::string& peer) {
    while (true) {
      auto [from, bytes] = next();
      if (from == peer && bytes.empty()) return std::nullopt;
      if (from != peer) continue;
      buffer_ += bytes;
      if (!greeted_ && buffer_.size() >= 64) {
        buffer_.erase(0, 64);
        greeted_ = true;
      }
      while (greeted_ && buffer_.size() >= 2) {
        const auto flags = static_cast<unsigned char>(buffer_[0]);
        const std::size_t header = (flags & 0x02) != 0 ? 9 : 2;
        if (buffer_.size() < header) break;
        std::uint64_t size = 0;
        for (std::size_t i = 1; i < header; ++i) size = (size << 8) | static_cast<unsigned char>(buffer_[i]);
        if (buffer_.size() < header + size) break;
        const std::string body = buffer_.substr(header, size);
        buffer_.erase(0, header + size);
        if ((flags & 0x04) != 0) continue;  // a command: READY
        v1::Envelope envelope;
        zmq::message_t frame(body.data(), body.size());
        if (taskmill::wire::decode(frame, &envelope).is_ok()) return envelope;
      }
    }
  }

 private:
  std::pair<std::string, std::string> next() {
    zmq::message_t id;
    zmq::message_t data;
    REQUIRE(stream_.recv(id));
    REQUIRE(stream_.recv(data));
    return {id.to_string(), data.to_string()};
  }
  void send(const std::string& peer, const std::string& bytes) {
    REQUIRE(stream_.send(zmq::buffer(peer), zmq::send_flags::sndmore));
    REQUIRE(stream_.send(zmq::buffer(bytes), zmq::send_flags::none));
  }

  zmq::context_t context_;
  zmq::socket_t stream_{context_, zmq::socket_type::stream};
  std::string buffer_;   // bytes of the accepted connection not parsed yet
  bool greeted_ = false;  // its greeting has been read
};

}  // namespace

// libzmq treats a frame over ZMQ_MAXMSGSIZE as a protocol error: it closes
// the connection unread and does not reconnect that socket; the worker's own
// liveness check (heartbeat x liveness, here minutes) would connect again.
TEST_CASE("a frame over the worker's size limit is refused unread: the connection drops and the worker lives on",
          "[integration][process][worker]") {
  RawCoordinator coordinator;
  auto worker = Daemon::worker(coordinator.address());
  const std::string first = coordinator.accept();
  const auto hello = coordinator.next_envelope(first);
  REQUIRE(hello);
  REQUIRE(hello->has_hello());
  v1::Envelope welcome;
  welcome.mutable_welcome()->set_heartbeat_ms(60000);  // so that only the big frame can end the connection
  welcome.mutable_welcome()->set_liveness(3);
  coordinator.send_message(first, welcome);
  coordinator.send_frame_header(first, std::uint64_t{1} << 40);  // a TiB: it would wait for it, if it read on
  coordinator.await_disconnect(first);
  worker.kill(SIGTERM);  // alive, and leaves cleanly
  CHECK(worker.wait() == 0);
}
