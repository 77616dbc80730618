#include "taskmill/wire.h"

#include <limits>

namespace taskmill::wire {

void configure(zmq::socket_t& socket, std::int64_t max_message_bytes) {
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndhwm, 0);
  socket.set(zmq::sockopt::rcvhwm, 0);
  socket.set(zmq::sockopt::maxmsgsize, max_message_bytes);
}

zmq::message_t encode(v1::Envelope& envelope) {
  envelope.set_version(kProtocolVersion);
  zmq::message_t frame(envelope.ByteSizeLong());
  envelope.SerializeWithCachedSizesToArray(static_cast<std::uint8_t*>(frame.data()));
  return frame;
}

Status decode(const zmq::message_t& frame, v1::Envelope* out) {
  if (frame.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return invalid_argument("frame of " + std::to_string(frame.size()) + " bytes is too large");
  }
  if (!out->ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    return invalid_argument("malformed envelope (" + std::to_string(frame.size()) + " bytes)");
  }
  if (out->version() != kProtocolVersion) {
    return invalid_argument("protocol version " + std::to_string(out->version()) + " is not supported (this is " +
                            std::to_string(kProtocolVersion) + ")");
  }
  if (out->body_case() == v1::Envelope::BODY_NOT_SET) return invalid_argument("envelope without a body");
  return {};
}

bool send(zmq::socket_t& dealer, v1::Envelope& envelope) {
  zmq::message_t frame = encode(envelope);
  return dealer.send(frame, zmq::send_flags::dontwait).has_value();
}

bool send_to(zmq::socket_t& router, std::string_view peer, v1::Envelope& envelope) {
  zmq::message_t frame = encode(envelope);
  zmq::message_t to(peer.data(), peer.size());
  try {
    if (!router.send(to, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
    return router.send(frame, zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    return false;  // EHOSTUNREACH under ROUTER_MANDATORY: the peer is gone
  }
}

std::optional<RoutedFrame> receive_routed(zmq::socket_t& router, bool* malformed) {
  *malformed = false;
  zmq::message_t peer;
  if (!router.recv(peer, zmq::recv_flags::dontwait)) return std::nullopt;
  RoutedFrame out{peer.to_string(), zmq::message_t()};
  int frames = 1;
  bool more = peer.more();
  while (more) {
    zmq::message_t part;
    (void)router.recv(part, zmq::recv_flags::none);  // the rest of a message is already here
    more = part.more();
    if (++frames == 2) out.frame = std::move(part);
  }
  if (frames != 2) *malformed = true;
  return out;
}

int poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout) {
  try {
    return zmq::poll(items, count, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return 0;
    throw;
  }
}

std::string_view body_name(const v1::Envelope& envelope) {
  switch (envelope.body_case()) {
    case v1::Envelope::kHello: return "hello";
    case v1::Envelope::kWelcome: return "welcome";
    case v1::Envelope::kSubmit: return "submit";
    case v1::Envelope::kAssign: return "assign";
    case v1::Envelope::kResults: return "results";
    case v1::Envelope::kStarted: return "started";
    case v1::Envelope::kCancel: return "cancel";
    case v1::Envelope::kWorkerExited: return "worker_exited";
    case v1::Envelope::kHeartbeat: return "heartbeat";
    case v1::Envelope::kBye: return "bye";
    case v1::Envelope::kError: return "error";
    case v1::Envelope::kProgress: return "progress";
    case v1::Envelope::kDrain: return "drain";
    case v1::Envelope::kQuery: return "query";
    case v1::Envelope::kAnswer: return "answer";
    case v1::Envelope::kAccepted: return "accepted";
    case v1::Envelope::kRevoke: return "revoke";
    case v1::Envelope::kReturned: return "returned";
    case v1::Envelope::BODY_NOT_SET: break;
  }
  return "none";
}

}  // namespace taskmill::wire
