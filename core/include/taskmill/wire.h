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
#include <vector>

#include "taskmill/payload.h"
#include "taskmill/status.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::wire {

inline constexpr std::uint32_t kProtocolVersion = 2;
// Default: 512 MiB. Larger frames are dropped by libzmq (ZMQ_MAXMSGSIZE).
inline constexpr std::int64_t kDefaultMaxMessageBytes = std::int64_t{512} << 20;

// LINGER 0, unlimited HWM, ZMQ_MAXMSGSIZE.
void configure(zmq::socket_t& socket, std::int64_t max_message_bytes = kDefaultMaxMessageBytes);

// Serializes `envelope`, stamping the protocol version.
zmq::message_t encode(v1::Envelope& envelope);

// Parses one frame; kInvalidArgument for bytes that are not an Envelope, an
// unknown version, or an empty body.
Status decode(const zmq::message_t& frame, v1::Envelope* out);

// The frames after a message's Envelope: its large payloads, named by
// 1-based index (JobSpec.payload_frame, Assignment.payload_frame,
// JobResult.reply_frame).
using Attachments = std::vector<zmq::message_t>;
// The most frames a message may carry after its Envelope.
inline constexpr std::size_t kMaxAttachments = 4096;

// Puts `payload` in `envelope`'s message: returns the index to name it by if
// it is framed (shared onto `attachments`), else 0 after `set_inline` was
// called with its bytes.
template <typename SetInline>
std::uint32_t attach(Payload& payload, Attachments& attachments, SetInline&& set_inline) {
  if (!payload.framed()) {
    set_inline(payload.view());
    return 0;
  }
  attachments.push_back(payload.share());
  return static_cast<std::uint32_t>(attachments.size());
}

// Moves `bytes` into a frame of its own at the end of `attachments`, without
// a copy, if it is large (Payload::kFrameBytes or more), and returns the
// frame's index; leaves it and returns 0 otherwise.
std::uint32_t frame_if_large(std::string* bytes, Attachments& attachments);

// The payload a field names: frame `index` (1-based) of `attachments`, or the
// inline bytes when index is 0 (moved out of `inline_bytes`).
// kInvalidArgument for an index past the frames.
Status take_payload(std::uint32_t index, std::string* inline_bytes, Attachments& attachments, Payload* out);

// DEALER side: [frame][attachments...]. False if it could not be queued.
bool send(zmq::socket_t& dealer, v1::Envelope& envelope, Attachments* attachments = nullptr);
// ROUTER side: [peer][frame][attachments...]. False if the peer is unknown or gone.
bool send_to(zmq::socket_t& router, std::string_view peer, v1::Envelope& envelope,
             Attachments* attachments = nullptr);

// A message received on a ROUTER: who sent it, its Envelope frame and the
// frames after it.
struct RoutedFrame {
  std::string peer;
  zmq::message_t frame;
  Attachments attachments;
};
// Reads one whole message without blocking; nullopt if none is waiting or a
// signal interrupted the read (as poll() below).
// Messages without an Envelope frame or with more than kMaxAttachments after
// it are read and dropped (malformed = true), so a bad peer cannot wedge the
// socket.
std::optional<RoutedFrame> receive_routed(zmq::socket_t& router, bool* malformed);

// DEALER side: reads one whole message without blocking into `frame` and
// `attachments` (cleared first); false if none is waiting or a signal
// interrupted the read. Frames past kMaxAttachments are read and dropped.
bool receive(zmq::socket_t& dealer, zmq::message_t* frame, Attachments* attachments);

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
