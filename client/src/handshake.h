// handshake.h: how a client introduces itself to a coordinator (shared by
// the process backend and ServiceClient).
#pragma once

#include <chrono>
#include <string>

#include <zmq.hpp>

#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::detail {

// A routing id no other client of the coordinator has.
std::string random_client_id();

// Sends Hello as a client on `dealer` (already connected to `endpoint`) and
// waits for Welcome. Throws taskmill::Error if the coordinator refuses, or
// if none answers within `timeout`.
v1::Welcome handshake(zmq::socket_t& dealer, const std::string& endpoint, std::chrono::milliseconds timeout);

}  // namespace taskmill::detail
