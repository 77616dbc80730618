// link_peer.h: playing a coordinator's peer on a link (detail::StreamLink)
// in tests, as a raw worker or client would.
//
//   v1::Envelope reply = next_message(link);   // the next one not a heartbeat
#pragma once

#include <catch2/catch.hpp>
#include <poll.h>

#include <chrono>

#include "taskmill/detail/stream_link.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

namespace taskmill::testing {

// The next message on `link` other than a heartbeat; an empty Envelope if
// none came within `wait` or the link closed.
inline v1::Envelope next_message(detail::StreamLink& link,
                                 std::chrono::milliseconds wait = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + wait;
  zmq::message_t frame;
  wire::Attachments attachments;
  while (std::chrono::steady_clock::now() < until && !link.closed()) {
    link.flush();
    if (!link.receive(&frame, &attachments)) {
      pollfd readable{link.fd(), POLLIN, 0};
      ::poll(&readable, 1, 20);
      continue;
    }
    v1::Envelope envelope;
    REQUIRE(wire::decode(frame, &envelope).is_ok());
    if (!envelope.has_heartbeat()) return envelope;
  }
  return {};
}

}  // namespace taskmill::testing
