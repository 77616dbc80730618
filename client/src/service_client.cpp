#include "taskmill/service_client.h"

#include <algorithm>
#include <unordered_map>

#include "embedded_cluster.h"
#include "handshake.h"
#include "taskmill/errors.h"
#include "taskmill/status.h"
#include "taskmill/wire.h"

namespace taskmill {
namespace {

// Puts a reply that came as a frame of its own back into its result, where
// the tools built on this client read it; a frame the result names but the
// message lacks fails the result instead of passing it on empty.
void inline_reply(v1::JobResult& result, wire::Attachments& frames) {
  Payload reply;
  const Status s = wire::take_payload(result.reply_frame(), nullptr, frames, &reply);
  result.clear_reply_frame();
  if (s.is_ok()) {
    result.set_reply(reply.view().data(), reply.size());
    return;
  }
  const std::uint32_t attempt = result.attempt();
  const std::uint64_t id = result.id();
  result.Clear();
  result.set_id(id);
  result.set_attempt(attempt);
  result.set_outcome(v1::OUTCOME_FAILED);
  result.set_error_type("taskmill::ProtocolError");
  result.set_error_message("the coordinator sent a bad reply: " + s.message());
}

}  // namespace

ServiceClient::ServiceClient(const Config& config)
    : config_(config), dealer_(context_, zmq::socket_type::dealer), heartbeat_(config.heartbeat) {
  if (config_.coordinator.empty()) {
    embedded_ = std::make_unique<detail::EmbeddedCluster>(context_, config_);
    endpoint_ = embedded_->client_endpoint();
  } else {
    endpoint_ = config_.coordinator;
  }
  wire::configure(dealer_);
  dealer_.set(zmq::sockopt::routing_id, detail::random_client_id());
  const v1::Welcome welcome = detail::connect_client(context_, dealer_, endpoint_, config_, embedded_ != nullptr);
  if (welcome.heartbeat_ms() > 0) heartbeat_ = std::chrono::milliseconds(welcome.heartbeat_ms());
  last_sent_ = last_heard_ = Clock::now();
  if (embedded_) wait_for_a_worker();
}

ServiceClient::~ServiceClient() {
  v1::Envelope bye;
  bye.mutable_bye();
  dealer_.set(zmq::sockopt::linger, 200);  // let the goodbye leave before the socket closes
  wire::send(dealer_, bye);
  dealer_.close();
  embedded_.reset();
}

void ServiceClient::wait_for_a_worker() {
  // Local workers are this program started again; they join within a moment.
  const auto deadline = Clock::now() + std::max(config_.connect_timeout, std::chrono::milliseconds(10000));
  auto pause = std::chrono::milliseconds(5);
  while (true) {
    v1::Query query;
    query.mutable_stats();
    if (ask(query).stats().workers() > 0) return;
    if (Clock::now() >= deadline) throw Error("no local worker joined the embedded coordinator in time");
    pump(Clock::now() + pause, [] { return false; });
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

std::vector<std::uint64_t> ServiceClient::submit_detached(std::vector<v1::JobSpec> specs) {
  v1::Envelope envelope;
  std::vector<std::uint64_t> client_ids;
  for (v1::JobSpec& spec : specs) {
    spec.set_detached(true);
    if (spec.id() == 0) spec.set_id(++next_request_);
    client_ids.push_back(spec.id());
    *envelope.mutable_submit()->add_jobs() = std::move(spec);
  }
  accepted_.reset();
  request(envelope, [&] { return accepted_.has_value(); }, "acknowledge the submission");
  std::unordered_map<std::uint64_t, std::uint64_t> job_ids;
  for (const v1::AcceptedJob& job : accepted_->jobs()) job_ids[job.client_id()] = job.job_id();
  std::vector<std::uint64_t> ids;
  for (std::uint64_t client_id : client_ids) {
    auto at = job_ids.find(client_id);
    if (at == job_ids.end()) throw Error("the coordinator did not acknowledge every job");
    ids.push_back(at->second);
  }
  return ids;
}

void ServiceClient::submit(std::vector<v1::JobSpec> specs) {
  v1::Envelope envelope;
  for (v1::JobSpec& spec : specs) *envelope.mutable_submit()->add_jobs() = std::move(spec);
  send(envelope);
}

std::optional<v1::JobResult> ServiceClient::next_result(std::chrono::milliseconds wait) {
  pump(Clock::now() + wait, [&] { return !results_.empty(); });
  if (results_.empty()) return std::nullopt;
  v1::JobResult result = std::move(results_.front());
  results_.pop_front();
  return result;
}

v1::Answer ServiceClient::ask(v1::Query query) {
  const std::uint64_t request = ++next_request_;
  query.set_request_id(request);
  v1::Envelope envelope;
  *envelope.mutable_query() = std::move(query);
  answer_.reset();
  this->request(envelope, [&] { return answer_.has_value() && answer_->request_id() == request; }, "answer");
  return std::move(*answer_);
}

std::vector<v1::JobStatus> ServiceClient::wait_for_jobs(const std::vector<std::uint64_t>& ids,
                                                        std::optional<std::chrono::milliseconds> timeout, bool forget) {
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;
  std::unordered_map<std::uint64_t, v1::JobStatus> seen;
  std::vector<std::uint64_t> open(ids.begin(), ids.end());
  unknown_ids_.clear();
  // Polling keeps the coordinator free of per-waiter state; the pause grows
  // so that a long wait costs the coordinator about two queries a second.
  auto pause = std::chrono::milliseconds(10);
  while (!open.empty()) {
    v1::Query query;
    v1::JobsQuery& jobs = *query.mutable_jobs();
    for (std::uint64_t id : open) jobs.add_ids(id);
    jobs.set_with_result(true);
    jobs.set_forget(forget);
    v1::Answer answer = ask(std::move(query));
    for (std::uint64_t id : answer.unknown_ids()) unknown_ids_.push_back(id);
    std::vector<std::uint64_t> still_open;
    for (v1::JobStatus& status : *answer.mutable_jobs()) {
      const std::uint64_t id = status.job_id();
      if (status.state() != v1::JOB_STATE_FINISHED) still_open.push_back(id);
      seen[id] = std::move(status);
    }
    open.swap(still_open);
    if (open.empty() || (deadline && Clock::now() >= *deadline)) break;
    auto until = Clock::now() + pause;
    if (deadline) until = std::min(until, *deadline);
    pump(until, [] { return false; });
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
  std::vector<v1::JobStatus> statuses;
  for (std::uint64_t id : ids) {
    if (auto at = seen.find(id); at != seen.end()) statuses.push_back(at->second);
  }
  return statuses;
}

template <class Done>
void ServiceClient::request(v1::Envelope& envelope, Done done, const char* what) {
  for (int attempt = 1;; ++attempt) {
    forgotten_ = false;
    send(envelope);
    const bool answered = pump(Clock::now() + config_.connect_timeout, [&] { return done() || forgotten_; });
    if (!forgotten_) {
      if (answered) return;
      throw Error("the coordinator at " + endpoint_ + " did not " + what + " within " +
                  std::to_string(config_.connect_timeout.count()) + " ms");
    }
    // It no longer knows this client (it restarted, or this client was idle
    // past its liveness): introduce ourselves again and ask once more.
    if (attempt == 2) throw Error("the coordinator at " + endpoint_ + " keeps forgetting this client");
    detail::handshake(dealer_, endpoint_, config_.connect_timeout);
    last_sent_ = last_heard_ = Clock::now();
  }
}

template <class Done>
bool ServiceClient::pump(Clock::time_point deadline, Done done) {
  zmq::pollitem_t item{dealer_.handle(), 0, ZMQ_POLLIN, 0};
  // What arrived while this client was not listening counts before silence does.
  zmq::message_t frame;
  wire::Attachments frames;
  while (wire::receive(dealer_, &frame, &frames)) on_message(frame, frames);
  while (!done()) {
    beat_if_due();
    const auto now = Clock::now();
    if (now >= deadline) return false;
    if (!embedded_ && now - last_heard_ > heartbeat_ * config_.liveness) {
      throw Error("lost the coordinator at " + endpoint_ + ": it missed " + std::to_string(config_.liveness) +
                  " heartbeats");
    }
    auto wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), heartbeat_);
    wire::poll(&item, 1, std::max(wait, std::chrono::milliseconds(1)));
    while (wire::receive(dealer_, &frame, &frames)) on_message(frame, frames);
  }
  return true;
}

void ServiceClient::on_message(const zmq::message_t& frame, wire::Attachments& frames) {
  v1::Envelope envelope;
  if (!wire::decode(frame, &envelope).is_ok()) return;  // not from a coordinator we understand: ignore it
  last_heard_ = Clock::now();
  switch (envelope.body_case()) {
    case v1::Envelope::kAnswer:
      answer_ = std::move(*envelope.mutable_answer());
      return;
    case v1::Envelope::kAccepted:
      accepted_ = std::move(*envelope.mutable_accepted());
      return;
    case v1::Envelope::kResults:
      for (v1::JobResult& result : *envelope.mutable_results()->mutable_results()) {
        if (result.reply_frame() != 0) inline_reply(result, frames);
        results_.push_back(std::move(result));
      }
      return;
    case v1::Envelope::kError:
      if (envelope.error().code() == static_cast<std::uint32_t>(StatusCode::kFailedPrecondition)) {
        forgotten_ = true;  // "unknown peer": see request()
        last_heard_ = Clock::now();
        return;
      }
      throw Error("the coordinator at " + endpoint_ + " says: " + envelope.error().message());
    case v1::Envelope::kBye:
      throw Error("the coordinator at " + endpoint_ + " shut down");
    default:
      return;  // heartbeat, started, progress
  }
}

void ServiceClient::beat_if_due() {
  if (Clock::now() - last_sent_ < heartbeat_) return;
  v1::Envelope beat;
  beat.mutable_heartbeat();
  send(beat);
}

void ServiceClient::send(v1::Envelope& envelope) {
  if (!wire::send(dealer_, envelope)) throw Error("cannot send to the coordinator at " + endpoint_);
  last_sent_ = Clock::now();
}

}  // namespace taskmill
