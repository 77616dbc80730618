// payload.h: a job's encoded request or reply as it moves between processes.
//
// It is held in a ZeroMQ message, so a large one travels as its own frame
// (docs/protocol.md, "Sockets and framing") without being copied: a string
// handed in is adopted, not copied; a frame received is kept as it is; and
// share() gives a second frame over the same bytes, reference-counted, for
// the coordinator to send while it keeps the payload for a retry. A small one
// is copied into the message (at most 33 bytes need no allocation at all).
#pragma once

#include <zmq.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace taskmill {

class Payload {
 public:
  // From this size up a payload travels as a frame of its own; below it,
  // inline in its protobuf, where one more copy costs less than a frame.
  static constexpr std::size_t kFrameBytes = std::size_t{64} << 10;

  Payload() = default;
  explicit Payload(std::string&& bytes);
  explicit Payload(std::string_view bytes) : message_(bytes.data(), bytes.size()) {}
  explicit Payload(zmq::message_t&& frame) noexcept : message_(std::move(frame)) {}

  std::string_view view() const noexcept { return {static_cast<const char*>(message_.data()), message_.size()}; }
  std::size_t size() const noexcept { return message_.size(); }
  bool empty() const noexcept { return message_.size() == 0; }
  // Travels as a frame of its own (kFrameBytes or more).
  bool framed() const noexcept { return size() >= kFrameBytes; }

  // A frame over the same bytes, for a socket to send (and free when sent).
  zmq::message_t share();

 private:
  zmq::message_t message_;
};

}  // namespace taskmill
