// handshake_monitor.h: why a connection's ZMTP handshake failed, seen from the
// connecting side (a client or a worker), so that a refused key is reported as
// such instead of as silence.
//
//   HandshakeMonitor monitor(context, dealer, /*using_curve=*/true);   // before connect()
//   dealer.connect(address);
//   ...
//   if (auto failure = monitor.next_failure(); failure && failure->fatal) throw Error(failure->message);
//
// It reads libzmq's socket monitor events (ZMQ_EVENT_HANDSHAKE_FAILED_*) from
// an inproc PAIR socket. Not thread-safe: owned by the thread that owns the
// watched socket. It may outlive the watched socket (events stop coming).
#pragma once

#include <zmq.hpp>

#include <optional>
#include <string>

namespace taskmill::detail {

struct HandshakeFailure {
  // The peer refused our key (ZAP) or speaks another security mechanism:
  // retrying cannot help. Otherwise the handshake broke off (a wrong server
  // key looks like this, and so does a peer restarting mid-handshake).
  bool fatal = false;
  std::string message;
};

class HandshakeMonitor {
 public:
  // Throws zmq::error_t if libzmq cannot monitor the socket.
  HandshakeMonitor(zmq::context_t& context, zmq::socket_t& watched, bool using_curve);
  HandshakeMonitor(const HandshakeMonitor&) = delete;
  HandshakeMonitor& operator=(const HandshakeMonitor&) = delete;

  // The next handshake failure among the events waiting, without blocking;
  // nullopt if there is none.
  std::optional<HandshakeFailure> next_failure();
  // For zmq::poll: readable when an event waits.
  zmq::socket_t& events() noexcept { return events_; }

 private:
  zmq::socket_t events_;
  bool using_curve_;
};

}  // namespace taskmill::detail
