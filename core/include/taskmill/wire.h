// wire.h: Envelope framing over ZeroMQ (proto/taskmill/v1/taskmill.proto).
//
// Every decode is checked: a frame that is not an Envelope, or carries another
// protocol version, becomes a Status, never an exception or a crash. Sockets
// are set up alike everywhere: LINGER 0 (closing never blocks), no high-water
// mark drops (credit-based flow control bounds the queues), and a maximum
// message size, so an oversized frame is refused by libzmq before it is read.
#pragma once

#include <zmq.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "taskmill/status.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::wire {

inline constexpr std::uint32_t kProtocolVersion = 1;
// Default: 512 MiB. Larger frames are dropped by libzmq (ZMQ_MAXMSGSIZE).
inline constexpr std::int64_t kDefaultMaxMessageBytes = std::int64_t{512} << 20;

// LINGER 0, unlimited HWM, ZMQ_MAXMSGSIZE.
void configure(zmq::socket_t& socket, std::int64_t max_message_bytes = kDefaultMaxMessageBytes);

// Serializes `envelope`, stamping the protocol version.
zmq::message_t encode(v1::Envelope& envelope);

// Parses one frame; kInvalidArgument for bytes that are not an Envelope, an
// unknown version, or an empty body.
Status decode(const zmq::message_t& frame, v1::Envelope* out);

// DEALER side: one frame. False if it could not be queued.
bool send(zmq::socket_t& dealer, v1::Envelope& envelope);
// ROUTER side: [peer][frame]. False if the peer is unknown or gone.
bool send_to(zmq::socket_t& router, std::string_view peer, v1::Envelope& envelope);

// A message received on a ROUTER: who sent it and its single payload frame.
struct RoutedFrame {
  std::string peer;
  zmq::message_t frame;
};
// Reads one whole message without blocking; nullopt if none is waiting.
// Messages with a frame count other than [peer][frame] are read and dropped
// (malformed = true), so a bad peer cannot wedge the socket.
std::optional<RoutedFrame> receive_routed(zmq::socket_t& router, bool* malformed);

// A timeout a peer sent, in milliseconds, capped at ten years so that adding
// it to a clock reading cannot overflow.
inline std::chrono::milliseconds timeout_from_wire(std::uint64_t ms) {
  constexpr std::uint64_t kMaxMs = std::uint64_t{10} * 365 * 24 * 3600 * 1000;
  return std::chrono::milliseconds(std::min(ms, kMaxMs));
}

// zmq::poll that treats a signal's interruption as "nothing ready" instead of
// throwing, so a SIGTERM handler can stop a loop without tearing it down.
int poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout);

// How long an event loop reads its socket before it sends again: a tenth of a
// heartbeat. A loop sends nothing while it reads, and its peers give it up
// after `liveness` heartbeats of silence; a flood of large messages read to
// the end had them do so (320 MiB of 1 MiB payloads, either way).
inline std::chrono::milliseconds read_budget(std::chrono::milliseconds heartbeat) { return heartbeat / 10; }

// Names the body kind, for logs and errors.
std::string_view body_name(const v1::Envelope& envelope);

}  // namespace taskmill::wire
