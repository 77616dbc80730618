// service_client.h: a direct line to a coordinator, for tools (the taskmill
// CLI is built on it): submit jobs by name with encoded requests, attached or
// detached, and ask the coordinator about jobs, workers, its catalog and its
// counters. Programs that run their own jobs want Executor (executor.h).
//
//   taskmill::Config config;
//   config.coordinator = "tcp://10.0.0.5:5555";     // empty: an embedded coordinator
//   taskmill::ServiceClient client(config);
//   taskmill::v1::JobSpec spec;
//   spec.set_job("count_primes");
//   spec.set_payload(range.SerializeAsString());
//   std::uint64_t id = client.submit_detached({spec}).front();
//   taskmill::v1::JobStatus status = client.wait_for_jobs({id}).front();
//
// Detached jobs outlive the client; the coordinator keeps their results until
// a query fetches them (forget) or its result_ttl passes. Attached jobs are
// cancelled when the client goes away, like an Executor's.
//
// The client beats only while one of its calls waits: one left idle for longer
// than the coordinator's liveness is forgotten (its attached jobs cancelled),
// and its next call introduces it again.
//
// Thread-safety: none. Use a ServiceClient from one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "taskmill/config.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill {

namespace detail {
class EmbeddedCluster;
}

class ServiceClient {
 public:
  // Connects to config.coordinator. With none, starts an embedded coordinator
  // and config.workers local worker processes (this program, re-executed: call
  // taskmill::init() first in main) for the client's lifetime, and waits until
  // a worker has joined. Throws taskmill::Error if no coordinator answers
  // within config.connect_timeout.
  explicit ServiceClient(const Config& config);
  // Says goodbye: attached jobs not finished are cancelled; detached ones go on.
  ~ServiceClient();
  ServiceClient(const ServiceClient&) = delete;
  ServiceClient& operator=(const ServiceClient&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  bool embedded() const { return embedded_ != nullptr; }

  // Submits detached jobs (spec.detached is set here) and returns the
  // coordinator's id for each, in order. spec.id may be left 0.
  std::vector<std::uint64_t> submit_detached(std::vector<v1::JobSpec> specs);

  // Submits attached jobs; spec.id is the caller's and must be unique per
  // client. Their results come back through next_result().
  void submit(std::vector<v1::JobSpec> specs);
  // The next result of an attached job (id: the caller's), waiting up to
  // `wait`; nullopt if none arrived in time.
  std::optional<v1::JobResult> next_result(std::chrono::milliseconds wait);

  // Sends `query` and returns its answer. Throws taskmill::Error if the
  // coordinator answers with an error or not within config.connect_timeout.
  v1::Answer ask(v1::Query query);

  // Polls the coordinator until every job in `ids` has finished (or is
  // unknown to it), or `timeout` passes; returns the last statuses seen, in
  // order, with their replies. Unknown ids are left out (see unknown_ids()).
  std::vector<v1::JobStatus> wait_for_jobs(const std::vector<std::uint64_t>& ids,
                                           std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                                           bool forget = false);
  // The ids the last wait_for_jobs() found unknown to the coordinator.
  const std::vector<std::uint64_t>& unknown_ids() const { return unknown_ids_; }

 private:
  using Clock = std::chrono::steady_clock;

  void wait_for_a_worker();
  // Sends `envelope` and reads until `done()`; says hello again and resends
  // once if the coordinator has forgotten this client. Throws Error naming
  // `what` it did not do in time.
  template <class Done>
  void request(v1::Envelope& envelope, Done done, const char* what);
  // Reads what arrives until `done()` or `deadline`; false on the deadline.
  template <class Done>
  bool pump(Clock::time_point deadline, Done done);
  // `frames` are the message's parts after its envelope: the replies of 64 KiB
  // or more, which the coordinator sends as frames of their own.
  void on_message(const zmq::message_t& frame, std::vector<zmq::message_t>& frames);
  void beat_if_due();
  void send(v1::Envelope& envelope);

  Config config_;
  zmq::context_t context_;
  std::unique_ptr<detail::EmbeddedCluster> embedded_;
  std::string endpoint_;
  zmq::socket_t dealer_;
  std::chrono::milliseconds heartbeat_;
  Clock::time_point last_sent_;
  Clock::time_point last_heard_;
  std::uint64_t next_request_ = 0;
  bool forgotten_ = false;  // the coordinator said "unknown peer"
  std::optional<v1::Answer> answer_;
  std::optional<v1::Accepted> accepted_;
  std::deque<v1::JobResult> results_;
  std::vector<std::uint64_t> unknown_ids_;
};

}  // namespace taskmill
