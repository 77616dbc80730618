// fake_worker.h: a worker the test plays itself over a real socket. It says
// Hello with the catalog the test gives (any job names, any .proto files),
// sends no heartbeats (give its coordinator a long --heartbeat-ms), and sees
// every message the coordinator sends it.
#pragma once

#include <catch2/catch.hpp>
#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"

namespace taskmill::testing {

class FakeWorker {
 public:
  // Registers as `name` with one slot, offering `jobs` (see job()) and
  // `descriptors` (the .proto files their types come from).
  FakeWorker(zmq::context_t& context, const std::string& address, const std::string& name,
             const std::vector<v1::JobType>& jobs, const google::protobuf::FileDescriptorSet& descriptors = {})
      : dealer_(context, zmq::socket_type::dealer) {
    wire::configure(dealer_);
    dealer_.set(zmq::sockopt::routing_id, name);
    dealer_.connect(address);
    v1::Envelope hello;
    hello.mutable_hello()->set_kind(v1::PEER_KIND_WORKER);
    hello.mutable_hello()->set_name(name);
    hello.mutable_hello()->set_slots(1);
    for (const v1::JobType& job : jobs) *hello.mutable_hello()->add_catalog() = job;
    *hello.mutable_hello()->mutable_descriptors() = descriptors;
    wire::send(dealer_, hello);
    REQUIRE(next(std::chrono::seconds(10)).has_welcome());
  }

  // A catalog entry; its types may stay empty when no test reads them.
  static v1::JobType job(const std::string& name, const std::string& request_type = "",
                         const std::string& reply_type = "") {
    v1::JobType type;
    type.set_name(name);
    type.set_request_type(request_type);
    type.set_reply_type(reply_type);
    return type;
  }

  // The next message other than a heartbeat, or an empty Envelope after `wait`.
  v1::Envelope next(std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      zmq::pollitem_t item{dealer_.handle(), 0, ZMQ_POLLIN, 0};
      wire::poll(&item, 1, std::chrono::milliseconds(20));
      zmq::message_t frame;
      if (!dealer_.recv(frame, zmq::recv_flags::dontwait)) continue;
      v1::Envelope envelope;
      REQUIRE(wire::decode(frame, &envelope).is_ok());
      if (!envelope.has_heartbeat()) return envelope;
    }
    return {};
  }

  // Answers each assigned job: it succeeded, having run `run_us`.
  void finish(const v1::Assign& assign, std::uint64_t run_us) {
    v1::Envelope results;
    for (const v1::Assignment& a : assign.jobs()) {
      v1::JobResult* r = results.mutable_results()->add_results();
      r->set_id(a.id());
      r->set_attempt(a.attempt());
      r->set_outcome(v1::OUTCOME_SUCCEEDED);
      r->set_run_us(run_us);
    }
    wire::send(dealer_, results);
  }

 private:
  zmq::socket_t dealer_;
};

}  // namespace taskmill::testing
