#include "zap_handler.h"

#include <spdlog/spdlog.h>
#include <zmq.h>

#include <array>
#include <cstdint>

#include "taskmill/curve.h"
#include "taskmill/errors.h"
#include "taskmill/log.h"
#include "taskmill/wire.h"

namespace taskmill::coordinator {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr std::size_t kMaxRequestFrames = 16;  // a request has 6 or 7; more is not a ZAP request

std::string z85(const std::string& binary) {
  std::array<char, 41> text{};
  if (binary.size() != 32 || zmq_z85_encode(text.data(), reinterpret_cast<const std::uint8_t*>(binary.data()), 32) == nullptr) {
    return "(not a key)";
  }
  return text.data();
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, const std::vector<std::string>& allowed)
    : socket_(context, zmq::socket_type::rep) {
  for (const std::string& key : allowed) {
    std::array<std::uint8_t, 32> binary{};
    if (!curve::is_key(key) || zmq_z85_decode(binary.data(), key.c_str()) == nullptr) {
      throw Error("coordinator: '" + key + "' is not a CurveZMQ public key");
    }
    allowed_.emplace(reinterpret_cast<const char*>(binary.data()), binary.size());
  }
  socket_.set(zmq::sockopt::linger, 0);
  try {
    socket_.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    throw Error(std::string("coordinator: cannot serve ZAP at ") + kZapEndpoint + ": " + e.what());
  }
  thread_ = std::thread([this] { serve(); });
}

ZapHandler::~ZapHandler() {
  stop_.notify();
  thread_.join();
}

void ZapHandler::serve() {
  zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, stop_.fd(), ZMQ_POLLIN, 0}};
  try {
    while (true) {
      wire::poll(items, 2, std::chrono::milliseconds(-1));
      if (items[1].revents & ZMQ_POLLIN) break;
      if (items[0].revents & ZMQ_POLLIN) answer_one();
    }
  } catch (const zmq::error_t& e) {  // ETERM: the context is shutting down under us
    logger().warn("coordinator: the ZAP handler stopped: {}", e.what());
  }
  socket_.close();  // on this thread, which has owned it since the thread began
}

// One request: version, request id, domain, address, identity, mechanism, credentials...
// The reply: version, request id, status code, status text, user id, metadata.
void ZapHandler::answer_one() {
  std::vector<zmq::message_t> request;
  bool more = true;
  while (more) {
    zmq::message_t part;
    if (!socket_.recv(part, zmq::recv_flags::dontwait)) break;  // a whole message arrives at once
    more = part.more();
    if (request.size() < kMaxRequestFrames) request.push_back(std::move(part));
  }
  if (request.empty()) return;
  std::string status = "500";
  std::string text = "malformed ZAP request";
  std::string user;
  if (request.size() >= 6 && request[0].to_string_view() == "1.0") {
    const std::string mechanism = request[5].to_string();
    const std::string address = request[3].to_string();
    if (mechanism == "CURVE" && request.size() == 7 && allowed_.contains(request[6].to_string())) {
      status = "200";
      text = "OK";
      user = z85(request[6].to_string());
      logger().info("coordinator: accepted CurveZMQ key {} from {}", user, address);
    } else {
      status = "400";
      text = mechanism == "CURVE" ? "key not allowed" : "CurveZMQ required";
      logger().warn("coordinator: refused a {} peer from {}{}", mechanism, address,
                    mechanism == "CURVE" && request.size() == 7 ? " with key " + z85(request[6].to_string()) : "");
    }
  }
  const std::string request_id = request.size() >= 2 ? request[1].to_string() : "";
  const std::string reply[] = {"1.0", request_id, status, text, user, ""};
  for (std::size_t i = 0; i < std::size(reply); ++i) {
    (void)socket_.send(zmq::buffer(reply[i]), i + 1 < std::size(reply) ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

}  // namespace taskmill::coordinator
