// handshake.h: how a client connects and introduces itself to a coordinator
// (shared by the process backend and ServiceClient).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "taskmill/config.h"
#include "taskmill/detail/handshake_monitor.h"
#include "taskmill/detail/stream_link.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::detail {

// A routing id no other client of the coordinator has.
std::string random_client_id();

// What a client says first: Hello, as a client, with its process id.
v1::Envelope client_hello();

// Connects `dealer` to `endpoint`, with the CurveZMQ keys `config` names
// (curve_secret, coordinator_key) unless `embedded`, says Hello and waits
// for Welcome. Throws ConfigError for bad key files, and taskmill::Error if
// the coordinator refuses this client (its key, or its Hello) or none
// answers within config.connect_timeout.
v1::Welcome connect_client(zmq::context_t& context, zmq::socket_t& dealer, const std::string& endpoint,
                           const Config& config, bool embedded);

// A coordinator's Unix socket (unix://PATH, detail::StreamLink): dials it,
// trying again until `timeout`, says Hello and waits for Welcome. No keys:
// the socket admits only the coordinator's user. Throws taskmill::Error as
// connect_client() does; *link is the connected link on return.
v1::Welcome connect_client_link(const std::string& path, const std::string& endpoint,
                                std::chrono::milliseconds timeout, std::unique_ptr<StreamLink>* link);
// Says Hello on `link` and waits up to `timeout` for Welcome; nullopt if the
// link closed or nothing came. Throws taskmill::Error if the coordinator refused.
std::optional<v1::Welcome> handshake_link(StreamLink& link, const std::string& endpoint,
                                          std::chrono::milliseconds timeout);

// Says Hello on an already connected `dealer` and waits for Welcome, as above;
// `monitor` (optional) explains a failed handshake.
v1::Welcome handshake(zmq::socket_t& dealer, const std::string& endpoint, std::chrono::milliseconds timeout,
                      HandshakeMonitor* monitor = nullptr);

}  // namespace taskmill::detail
