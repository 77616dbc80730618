#include "handshake.h"

#include <poll.h>
#include <unistd.h>

#include <thread>

#include <optional>
#include <random>

#include "taskmill/curve.h"
#include "taskmill/errors.h"
#include "taskmill/wire.h"

namespace taskmill::detail {

namespace {

using Clock = std::chrono::steady_clock;

// The keys `config` names, or nullopt for none. Throws ConfigError.
std::optional<curve::ClientKeys> client_keys(const Config& config) {
  if (config.curve_secret.empty() && config.coordinator_key.empty()) return std::nullopt;
  StatusOr<curve::KeyPair> own = curve::load_secret_key(config.curve_secret);
  if (!own.is_ok()) throw ConfigError(own.status().message());
  StatusOr<std::string> server = curve::load_public_key(config.coordinator_key);
  if (!server.is_ok()) throw ConfigError(server.status().message());
  return curve::ClientKeys{std::move(own).value(), std::move(server).value()};
}

}  // namespace

v1::Envelope client_hello() {
  v1::Envelope hello;
  hello.mutable_hello()->set_kind(v1::PEER_KIND_CLIENT);
  hello.mutable_hello()->set_pid(static_cast<std::uint32_t>(::getpid()));
  return hello;
}

std::string random_client_id() {
  std::random_device random;
  return "c-" + std::to_string(random()) + "-" + std::to_string(random());
}

v1::Welcome connect_client(zmq::context_t& context, zmq::socket_t& dealer, const std::string& endpoint,
                           const Config& config, bool embedded) {
  if (!unix_socket_path_of(endpoint).empty()) {
    throw ConfigError("coordinator address " + endpoint + ": a coordinator's Unix socket serves executors and "
                      "workers; this client needs its tcp:// or ipc:// address");
  }
  const std::optional<curve::ClientKeys> keys = embedded ? std::nullopt : client_keys(config);
  if (keys) curve::make_client(dealer, *keys);
  HandshakeMonitor monitor(context, dealer, keys.has_value());
  dealer.connect(endpoint);
  v1::Welcome welcome = handshake(dealer, endpoint, config.connect_timeout, &monitor);
  zmq_socket_monitor(dealer.handle(), nullptr, 0);  // connected: no more handshakes to explain
  return welcome;
}

v1::Welcome connect_client_link(const std::string& path, const std::string& endpoint,
                                std::chrono::milliseconds timeout, std::unique_ptr<StreamLink>* link) {
  const auto deadline = Clock::now() + timeout;
  std::string why;
  while (true) {
    if (const int fd = dial_unix_socket(path, &why); fd >= 0) {
      *link = std::make_unique<StreamLink>(fd);
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (auto welcome = handshake_link(**link, endpoint, std::max(left, std::chrono::milliseconds(1)))) {
        return *welcome;
      }
      why = (*link)->closed() ? "it hung up" : "it did not answer";
      link->reset();
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // not there yet: it may be starting
  }
  throw Error("no coordinator answered at " + endpoint + " within " + std::to_string(timeout.count()) + " ms (" +
              why + ")");
}

std::optional<v1::Welcome> handshake_link(StreamLink& link, const std::string& endpoint,
                                          std::chrono::milliseconds timeout) {
  v1::Envelope hello = client_hello();
  link.send(wire::encode(hello));
  const auto deadline = Clock::now() + timeout;
  while (!link.closed()) {
    zmq::message_t frame;
    wire::Attachments ignored;
    while (link.receive(&frame, &ignored)) {
      v1::Envelope reply;
      if (!wire::decode(frame, &reply).is_ok()) continue;
      if (reply.has_error()) {
        throw Error("the coordinator at " + endpoint + " refused this client: " + reply.error().message());
      }
      if (reply.has_welcome()) return reply.welcome();
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || link.closed()) break;
    pollfd item{link.fd(), static_cast<short>(POLLIN | (link.wants_write() ? POLLOUT : 0)), 0};
    ::poll(&item, 1, static_cast<int>(left.count()));
    if (item.revents & POLLOUT) link.flush();
  }
  return std::nullopt;
}

v1::Welcome handshake(zmq::socket_t& dealer, const std::string& endpoint, std::chrono::milliseconds timeout,
                      HandshakeMonitor* monitor) {
  v1::Envelope hello = client_hello();
  wire::send(dealer, hello);
  zmq::pollitem_t items[] = {{dealer.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, 0, ZMQ_POLLIN, 0}};
  if (monitor != nullptr) items[1].socket = monitor->events().handle();
  const auto deadline = Clock::now() + timeout;
  std::string handshake_failure;  // the last one: said if nobody answers in time
  while (Clock::now() < deadline) {
    wire::poll(items, monitor != nullptr ? 2 : 1,
               std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    while (monitor != nullptr) {
      auto failure = monitor->next_failure();
      if (!failure) break;
      if (failure->fatal) throw Error("cannot connect: " + failure->message);
      handshake_failure = failure->message;
    }
    zmq::message_t frame;
    wire::Attachments ignored;  // a Welcome or Error is one frame
    if (!wire::receive(dealer, &frame, &ignored)) continue;
    v1::Envelope reply;
    if (!wire::decode(frame, &reply).is_ok()) continue;
    if (reply.has_error()) throw Error("the coordinator at " + endpoint + " refused this client: " + reply.error().message());
    if (reply.has_welcome()) return reply.welcome();
  }
  throw Error("no coordinator answered at " + endpoint + " within " + std::to_string(timeout.count()) + " ms" +
              (handshake_failure.empty() ? "" : " (" + handshake_failure + ")"));
}

}  // namespace taskmill::detail
