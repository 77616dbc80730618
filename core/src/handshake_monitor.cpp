#include "taskmill/detail/handshake_monitor.h"

#include <zmq.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <unistd.h>

#include "taskmill/wire.h"

namespace taskmill::detail {
namespace {

std::string monitor_endpoint() {
  static std::atomic<std::uint64_t> next{0};
  return "inproc://taskmill-handshake-monitor-" + std::to_string(::getpid()) + "-" + std::to_string(next++);
}

std::string describe(std::uint16_t event, std::uint32_t value, const std::string& endpoint, bool using_curve) {
  const std::string address = "the coordinator at " + endpoint;
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
    return address + " refused this peer's key (ZAP status " + std::to_string(value) +
           "): its public key is not on the coordinator's allow-list";
  }
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
      return using_curve ? address + " does not use CurveZMQ, but this peer does (curve keys are configured)"
                         : address + " requires CurveZMQ: configure this peer's secret key and the coordinator's "
                                     "public key";
    }
    char code[16];
    std::snprintf(code, sizeof code, "0x%08x", static_cast<unsigned>(value));
    return "the handshake with " + address + " broke the protocol (libzmq error " + code + ")";
  }
  std::string why = "the handshake with " + address + " failed (" +
                    std::error_code(static_cast<int>(value), std::generic_category()).message() + ")";
  if (using_curve) why += ": is this peer's coordinator key the coordinator's public key?";
  return why;
}

}  // namespace

HandshakeMonitor::HandshakeMonitor(zmq::context_t& context, zmq::socket_t& watched, bool using_curve)
    : events_(context, zmq::socket_type::pair), using_curve_(using_curve) {
  const std::string endpoint = monitor_endpoint();
  const int events =
      ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
  if (zmq_socket_monitor(watched.handle(), endpoint.c_str(), events) != 0) throw zmq::error_t();
  events_.set(zmq::sockopt::linger, 0);
  events_.connect(endpoint);
}

std::optional<HandshakeFailure> HandshakeMonitor::next_failure() {
  while (true) {
    zmq::message_t head;
    wire::Attachments rest;  // the second frame names the endpoint; a monitor message has no more
    if (!wire::receive(events_, &head, &rest)) return std::nullopt;
    std::string address = rest.empty() ? std::string() : rest.front().to_string();
    if (head.size() != sizeof(std::uint16_t) + sizeof(std::uint32_t)) continue;
    std::uint16_t event = 0;
    std::uint32_t value = 0;
    std::memcpy(&event, head.data(), sizeof event);
    std::memcpy(&value, static_cast<const char*>(head.data()) + sizeof event, sizeof value);
    if (address.empty()) address = "(unknown address)";
    const bool fatal = event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;
    if (fatal || event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
      return HandshakeFailure{fatal, describe(event, value, address, using_curve_)};
    }
  }
}

}  // namespace taskmill::detail
