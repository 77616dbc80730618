// libFuzzer target: one frame from a peer, through a real Coordinator's loop.
//
// The coordinator runs on its own thread over inproc://, as in embedded mode,
// and lives for the whole fuzzing run. Each input is: one byte choosing what
// the fuzzing peer says it is (client, worker or supervisor), then the frame.
// The peer sends Hello, the frame, Bye and a marker, and waits for the
// coordinator's answer to the marker (an Envelope of an unknown protocol
// version, numbered per input, which is answered from any peer): the
// coordinator must have read the frame and the goodbye and still answer, so
// nothing of one input is still being handled when the next one, or exit(),
// comes. Every reply is decoded and checked. A crash, a sanitizer
// report, or a coordinator that stops answering (10 s) fails the run.
#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "taskmill/coordinator/coordinator.h"
#include "taskmill/log.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

namespace {

namespace v1 = taskmill::v1;
using Clock = std::chrono::steady_clock;

struct Harness {
  zmq::context_t context;
  taskmill::coordinator::Coordinator coordinator{
      context, {.endpoints = {"inproc://fuzz-coordinator"}, .heartbeat = std::chrono::milliseconds(50),
                .accept_supervisor = true}};
  std::thread loop{[this] { coordinator.run(); }};
  zmq::socket_t peer{context, zmq::socket_type::dealer};
  std::uint32_t inputs = 0;

  Harness() {
    taskmill::wire::configure(peer);
    peer.set(zmq::sockopt::routing_id, "fuzz-peer");
    peer.connect("inproc://fuzz-coordinator");
  }
};

Harness* harness = nullptr;

// libFuzzer ends the process with exit(): stop the loop before the statics it uses go.
void stop_harness() {
  harness->coordinator.stop();
  harness->loop.join();
}

void send_frame(zmq::socket_t& socket, const void* data, std::size_t size) {
  if (!socket.send(zmq::const_buffer(data, size), zmq::send_flags::none)) std::abort();
}

void send_envelope(zmq::socket_t& socket, v1::Envelope& envelope) {
  if (!taskmill::wire::send(socket, envelope)) std::abort();
}

// Reads replies until the coordinator's Error about the marker version.
void await_marker(zmq::socket_t& socket, std::uint32_t marker) {
  const std::string expected = "protocol version " + std::to_string(marker) + " ";
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  while (Clock::now() < deadline) {
    taskmill::wire::poll(&item, 1, std::chrono::milliseconds(100));
    zmq::message_t frame;
    taskmill::wire::Attachments attachments;
    while (taskmill::wire::receive(socket, &frame, &attachments)) {
      v1::Envelope reply;
      if (!taskmill::wire::decode(frame, &reply).is_ok()) {
        std::fprintf(stderr, "the coordinator sent a frame that does not decode\n");
        std::abort();
      }
      if (reply.has_error() && reply.error().message().starts_with(expected)) return;
    }
  }
  std::fprintf(stderr, "the coordinator stopped answering\n");
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (harness == nullptr) {
    // The log's statics first, so that they outlive stop_harness(): exit()
    // destroys statics in the reverse order of their making.
    taskmill::logger();
    harness = new Harness;  // for the whole run
    std::atexit(stop_harness);
  }
  if (size == 0) return 0;
  static constexpr v1::PeerKind kKinds[] = {v1::PEER_KIND_CLIENT, v1::PEER_KIND_WORKER, v1::PEER_KIND_SUPERVISOR};
  v1::Envelope hello;
  hello.mutable_hello()->set_kind(kKinds[data[0] % 3]);
  hello.mutable_hello()->set_slots(2);
  hello.mutable_hello()->add_catalog()->set_name("fuzz.job");
  send_envelope(harness->peer, hello);

  send_frame(harness->peer, data + 1, size - 1);

  const std::uint32_t marker = 1000 + harness->inputs++;
  v1::Envelope probe;
  probe.mutable_heartbeat();
  probe.set_version(marker);
  const std::string bytes = probe.SerializeAsString();  // not wire::encode(), which stamps the current version
  v1::Envelope bye;
  bye.mutable_bye();
  send_envelope(harness->peer, bye);
  send_frame(harness->peer, bytes.data(), bytes.size());
  await_marker(harness->peer, marker);
  return 0;
}
