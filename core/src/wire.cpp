#include "taskmill/wire.h"

#include <cerrno>
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

Status take_payload(std::uint32_t index, std::string* inline_bytes, Attachments& attachments, Payload* out) {
  if (index == 0) {
    *out = Payload(std::move(*inline_bytes));
    return {};
  }
  if (index > attachments.size()) {
    return invalid_argument("payload frame " + std::to_string(index) + " named, but the message has " +
                            std::to_string(attachments.size()) + " after its envelope");
  }
  // Shared, not moved: two fields naming one frame get the same bytes.
  zmq::message_t shared;
  shared.copy(attachments[index - 1]);
  *out = Payload(std::move(shared));
  return {};
}

std::uint32_t frame_if_large(std::string* bytes, Attachments& attachments) {
  if (bytes->size() < Payload::kFrameBytes) return 0;
  Payload adopted(std::move(*bytes));
  bytes->clear();
  attachments.push_back(adopted.share());
  return static_cast<std::uint32_t>(attachments.size());
}

namespace {

bool send_attachments(zmq::socket_t& socket, Attachments* attachments) {
  if (attachments == nullptr) return true;
  for (std::size_t i = 0; i < attachments->size(); ++i) {
    const auto more = i + 1 < attachments->size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    if (!socket.send((*attachments)[i], more | zmq::send_flags::dontwait)) return false;
  }
  return true;
}

zmq::send_flags more_if(const Attachments* attachments) {
  return attachments != nullptr && !attachments->empty() ? zmq::send_flags::sndmore : zmq::send_flags::none;
}

}  // namespace

bool send(zmq::socket_t& dealer, v1::Envelope& envelope, Attachments* attachments) {
  zmq::message_t frame = encode(envelope);
  if (!dealer.send(frame, more_if(attachments) | zmq::send_flags::dontwait)) return false;
  return send_attachments(dealer, attachments);
}

bool send_to(zmq::socket_t& router, std::string_view peer, v1::Envelope& envelope, Attachments* attachments) {
  zmq::message_t frame = encode(envelope);
  zmq::message_t to(peer.data(), peer.size());
  try {
    if (!router.send(to, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
    if (!router.send(frame, more_if(attachments) | zmq::send_flags::dontwait)) return false;
    return send_attachments(router, attachments);
  } catch (const zmq::error_t&) {
    return false;  // EHOSTUNREACH under ROUTER_MANDATORY: the peer is gone
  }
}

namespace {

// The rest of a message whose first part has been read: it is already here.
// False if it had more than kMaxAttachments frames (those are dropped).
bool read_rest(zmq::socket_t& socket, bool more, Attachments* attachments) {
  bool fits = true;
  while (more) {
    zmq::message_t part;
    (void)socket.recv(part, zmq::recv_flags::none);
    more = part.more();
    if (attachments->size() < kMaxAttachments) {
      attachments->push_back(std::move(part));
    } else {
      fits = false;
    }
  }
  return fits;
}

// The first part of a message if one is waiting. A signal interrupting the
// read is nothing waiting yet: the message, if any, stays queued for the next
// poll (as poll() below treats EINTR).
bool receive_first(zmq::socket_t& socket, zmq::message_t* part) {
  try {
    return socket.recv(*part, zmq::recv_flags::dontwait).has_value();
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;
    throw;
  }
}

}  // namespace

std::optional<RoutedFrame> receive_routed(zmq::socket_t& router, bool* malformed) {
  *malformed = false;
  zmq::message_t peer;
  if (!receive_first(router, &peer)) return std::nullopt;
  RoutedFrame out{peer.to_string(), zmq::message_t(), {}};
  if (!peer.more()) {
    *malformed = true;
    return out;
  }
  (void)router.recv(out.frame, zmq::recv_flags::none);
  if (!read_rest(router, out.frame.more(), &out.attachments)) *malformed = true;
  return out;
}

bool receive(zmq::socket_t& dealer, zmq::message_t* frame, Attachments* attachments) {
  attachments->clear();
  if (!receive_first(dealer, frame)) return false;
  (void)read_rest(dealer, frame->more(), attachments);
  return true;
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
