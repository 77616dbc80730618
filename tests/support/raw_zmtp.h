// raw_zmtp.h: the listening end of ZMTP 3.0 (RFC 23, NULL mechanism) spoken
// by hand over a ZMQ_STREAM socket, so that a test can send a taskmill daemon
// that connects to it (a worker) what libzmq never would: a frame header
// announcing more bytes than the daemon's ZMQ_MAXMSGSIZE allows.
//
//   RawZmtp coordinator("tcp://127.0.0.1:*", "ROUTER");   // a worker connects to coordinator.address()
//   const std::string peer = coordinator.accept();
//   coordinator.send_message(peer, welcome);
//   coordinator.send_frame_header(peer, std::uint64_t{1} << 40);
//   coordinator.await_disconnect(peer);
//
// Every wait fails the test (Catch REQUIRE) after 10 s.
#pragma once

#include <catch2/catch.hpp>

#include <zmq.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

namespace taskmill::testing {

class RawZmtp {
 public:
  // Binds `address`. `socket_type`: what this end says it is in its READY.
  RawZmtp(const std::string& address, std::string socket_type) : socket_type_(std::move(socket_type)) {
    stream_.set(zmq::sockopt::linger, 0);
    stream_.set(zmq::sockopt::rcvtimeo, 10000);
    stream_.bind(address);
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
      send(peer, greeting);
      const std::string ready = std::string("\x05READY\x0bSocket-Type", 18) + std::string("\0\0\0", 3) +
                                static_cast<char>(socket_type_.size()) + socket_type_;
      send(peer, std::string(1, '\x04') + static_cast<char>(ready.size()) + ready);
      buffer_.clear();
      greeted_ = false;
      return peer;
    }
  }
  // One message frame holding `envelope`.
  void send_message(const std::string& peer, v1::Envelope& envelope) {
    const std::string body = wire::encode(envelope).to_string();
    send(peer, long_header(body.size()) + body);
  }
  // A long-frame header announcing `size` bytes, and none of them.
  void send_frame_header(const std::string& peer, std::uint64_t size) { send(peer, long_header(size)); }
  // Returns once `peer` has disconnected.
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
        if (wire::decode(frame, &envelope).is_ok()) return envelope;
      }
    }
  }

 private:
  static std::string long_header(std::uint64_t size) {
    std::string header(1, '\x02');
    for (int shift = 56; shift >= 0; shift -= 8) header += static_cast<char>((size >> shift) & 0xff);
    return header;
  }
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
  std::string socket_type_;
  std::string buffer_;    // bytes of the accepted connection not parsed yet
  bool greeted_ = false;  // its greeting has been read
};

}  // namespace taskmill::testing
