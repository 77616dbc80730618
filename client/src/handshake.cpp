#include "handshake.h"

#include <unistd.h>

#include <random>

#include "taskmill/errors.h"
#include "taskmill/wire.h"

namespace taskmill::detail {

std::string random_client_id() {
  std::random_device random;
  return "c-" + std::to_string(random()) + "-" + std::to_string(random());
}

v1::Welcome handshake(zmq::socket_t& dealer, const std::string& endpoint, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  v1::Envelope hello;
  hello.mutable_hello()->set_kind(v1::PEER_KIND_CLIENT);
  hello.mutable_hello()->set_pid(static_cast<std::uint32_t>(::getpid()));
  wire::send(dealer, hello);
  zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    wire::poll(&item, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    zmq::message_t frame;
    if (!dealer.recv(frame, zmq::recv_flags::dontwait)) continue;
    v1::Envelope reply;
    if (!wire::decode(frame, &reply).is_ok()) continue;
    if (reply.has_error()) throw Error("the coordinator at " + endpoint + " refused this client: " + reply.error().message());
    if (reply.has_welcome()) return reply.welcome();
  }
  throw Error("no coordinator answered at " + endpoint + " within " + std::to_string(timeout.count()) + " ms");
}

}  // namespace taskmill::detail
