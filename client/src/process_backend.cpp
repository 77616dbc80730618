#include "process_backend.h"

#include <spdlog/spdlog.h>

#include "handshake.h"
#include "taskmill/detail/outcome.h"
#include "taskmill/errors.h"
#include "taskmill/log.h"
#include "taskmill/wire.h"

namespace taskmill::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Submit messages are cut at this many jobs or bytes, whichever comes first.
constexpr int kMaxJobsPerMessage = 4096;
// Payload bytes per Submit message. Small enough that glibc serves its frame
// (and the coordinator's copy) from reused heap memory: a frame of 32 MiB or
// more is mapped afresh each time, and every page of it faults on both sides
// (W4 service at 32 MiB: 0.9-1.2M page faults, and once a client stalled long
// enough to miss its heartbeats; at 4 MiB: 0.69-0.72M). Many small jobs
// still go in one message (kMaxJobsPerMessage).
constexpr std::size_t kMaxBytesPerMessage = std::size_t{4} << 20;

std::exception_ptr error_of(JobId id, const v1::JobResult& r) {
  const int attempt = static_cast<int>(r.attempt());
  switch (r.outcome()) {
    case v1::OUTCOME_FAILED:
      return to_exception(id, {JobState::kFailed, r.error_type(), r.error_message()}, attempt);
    case v1::OUTCOME_CANCELLED:
      return to_exception(id, {JobState::kCancelled, "", r.error_message()}, attempt);
    case v1::OUTCOME_TIMED_OUT:
      return to_exception(id, {JobState::kTimedOut, "", r.error_message()}, attempt);
    case v1::OUTCOME_WORKER_LOST:
    case v1::OUTCOME_REJECTED:
      return std::make_exception_ptr(JobError(r.error_type(), r.error_message(), attempt));
    default:
      return std::make_exception_ptr(JobError("taskmill::ProtocolError", "the coordinator sent an unknown outcome"));
  }
}

JobState state_of(v1::Outcome outcome) {
  switch (outcome) {
    case v1::OUTCOME_CANCELLED: return JobState::kCancelled;
    case v1::OUTCOME_TIMED_OUT: return JobState::kTimedOut;
    default: return JobState::kFailed;
  }
}

}  // namespace

void Outbox::on_cancel(JobId id) noexcept {
  {
    std::lock_guard lock(mu);
    cancels.push_back(id.value);
  }
  wake.notify();
}

ProcessBackend::ProcessBackend(const Config& config) : config_(config) {
  if (config_.coordinator.empty()) {
    local_ = true;  // before the coordinator's thread starts calling us
    embedded_ = std::make_unique<EmbeddedCluster>(context_, config_, static_cast<coordinator::LocalClient*>(this));
    coordinator_thread_ = embedded_->coordinator_thread();
    endpoint_ = embedded_->client_endpoint();
    workers_ = config_.resolved_workers();
    return;  // served on the coordinator's thread: no socket, no handshake
  }
  endpoint_ = config_.coordinator;
  workers_ = config_.workers;
  link_path_ = unix_socket_path_of(endpoint_);
  if (link_path_.empty()) {
    dealer_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
    wire::configure(*dealer_);
    dealer_->set(zmq::sockopt::routing_id, random_client_id());
  }
  handshake();
  io_ = std::thread([this] { io_main(); });
}

ProcessBackend::~ProcessBackend() {
  shutdown(ShutdownOptions{.wait = true, .cancel_pending = false});
  stop_io();
}

void ProcessBackend::handshake() {
  const v1::Welcome welcome = link_path_.empty()
                                   ? connect_client(context_, *dealer_, endpoint_, config_, embedded_ != nullptr)
                                   : connect_client_link(link_path_, endpoint_, config_.connect_timeout, &link_);
  // The coordinator beats at its own pace, which may be slower than ours:
  // it is gone only after the longer of the two silences.
  silence_limit_ = std::max(config_.heartbeat, std::chrono::milliseconds(welcome.heartbeat_ms())) *
                   std::max<int>(config_.liveness, static_cast<int>(welcome.liveness()));
  last_heard_ = Clock::now();
}

void ProcessBackend::submit(TaskPtr task) {
  task->set_cancel_listener(outbox_);
  bool was_empty = false;
  {
    std::lock_guard lock(outbox_->mu);
    if (outbox_->closed) throw ShutdownError();
    was_empty = outbox_->tasks.empty();
    outbox_->tasks.push_back(std::move(task));
    ++outbox_->in_flight;
  }
  // Jobs already waiting mean a wake-up is on its way: the I/O thread takes
  // them all at once, so a burst of submits costs one eventfd write, not one each.
  if (was_empty) outbox_->wake.notify();
}

void ProcessBackend::submit_batch(std::vector<TaskPtr>& tasks) {
  for (TaskPtr& task : tasks) task->set_cancel_listener(outbox_);
  bool was_empty = false;
  {
    std::lock_guard lock(outbox_->mu);
    if (outbox_->closed) throw ShutdownError();
    was_empty = outbox_->tasks.empty();
    for (TaskPtr& task : tasks) outbox_->tasks.push_back(std::move(task));
    outbox_->in_flight += tasks.size();
  }
  if (was_empty) outbox_->wake.notify();
}

void ProcessBackend::shutdown(const ShutdownOptions& options) {
  {
    std::lock_guard lock(outbox_->mu);
    outbox_->closed = true;
    outbox_->cancel_all = outbox_->cancel_all || options.cancel_pending;
  }
  outbox_->wake.notify();
  // From a done-callback (run on the completing thread) waiting would wait for itself.
  if (!options.wait || on_completing_thread()) return;
  std::unique_lock lock(outbox_->mu);
  outbox_->drained.wait(lock, [this]() TASKMILL_REQUIRES(outbox_->mu) { return outbox_->in_flight == 0; });
}

void ProcessBackend::stop_io() {
  std::call_once(stopped_, [this] {
    if (io_.joinable()) {
      io_stop_.store(true);
      outbox_->wake.notify();
      io_.join();
    }
    dealer_.reset();
    link_.reset();
    embedded_.reset();  // its thread calls us no more
  });
}

bool ProcessBackend::on_completing_thread() const {
  const auto self = std::this_thread::get_id();
  return local_ ? self == coordinator_thread_ : self == io_.get_id();
}

void ProcessBackend::take(std::vector<v1::Envelope>& out) {
  outbox_->wake.drain();
  in_take_ = true;
  send_outbox();
  in_take_ = false;
  for (v1::Envelope& envelope : local_queue_) out.push_back(std::move(envelope));
  local_queue_.clear();
}

void ProcessBackend::send(v1::Envelope& envelope, wire::Attachments* frames) {
  if (local_) {
    local_queue_.push_back(std::move(envelope));
    // Sent from a delivery (not from take()): the coordinator's loop must look again.
    if (!in_take_) outbox_->wake.notify();
    return;
  }
  if (dealer_ != nullptr) {
    wire::send(*dealer_, envelope, frames);
  } else if (link_ != nullptr) {
    link_->send(wire::encode(envelope), frames);
  }  // else: redialling; what matters is sent again once connected (resubmit_pending)
  last_sent_ = Clock::now();
}

void ProcessBackend::send_outbox() {
  std::vector<TaskPtr> tasks;
  std::vector<std::uint64_t> cancels;
  bool cancel_all = false;
  {
    std::lock_guard lock(outbox_->mu);
    tasks.swap(outbox_->tasks);
    cancels.swap(outbox_->cancels);
    cancel_all = std::exchange(outbox_->cancel_all, false);
  }
  send_pending(tasks, cancels, cancel_all);
}

void ProcessBackend::io_main() {
  zmq::pollitem_t items[] = {{nullptr, -1, ZMQ_POLLIN, 0}, {nullptr, outbox_->wake.fd(), ZMQ_POLLIN, 0}};
  constexpr auto kRedialEvery = std::chrono::milliseconds(50);
  while (!io_stop_.load()) {
    auto timeout = config_.heartbeat;
    if (dealer_ != nullptr) {
      items[0].socket = dealer_->handle();
    } else if (link_ != nullptr) {
      items[0].fd = link_->fd();
      items[0].events = ZMQ_POLLIN | (link_->wants_write() ? ZMQ_POLLOUT : 0);
    } else {
      items[0].fd = -1;  // redialling: poll skips it
      timeout = std::min(timeout, kRedialEvery);
    }
    wire::poll(items, 2, timeout);
    if (items[1].revents & ZMQ_POLLIN) outbox_->wake.drain();
    if (link_ != nullptr && (items[0].revents & ZMQ_POLLOUT)) link_->flush();
    if (!link_path_.empty() && link_ == nullptr) redial();
    send_outbox();
    // Bounded, so that a heartbeat still leaves while a flood of replies is
    // read (the coordinator gives a silent client up and cancels its jobs).
    const auto until = Clock::now() + wire::read_budget(config_.heartbeat);
    zmq::message_t frame;
    wire::Attachments frames;
    if (dealer_ != nullptr) {
      while (Clock::now() < until && wire::receive(*dealer_, &frame, &frames)) on_message(frame, frames);
    } else {
      while (link_ != nullptr && Clock::now() < until && link_->receive(&frame, &frames)) on_message(frame, frames);
      if (link_ != nullptr && link_->closed()) {
        logger().warn("client: lost the coordinator at {}{}; reconnecting", endpoint_,
                      link_->error().empty() ? "" : ": " + link_->error());
        link_.reset();
        redial();
      }
    }
    const auto now = Clock::now();
    if (now - last_sent_ >= config_.heartbeat) {
      v1::Envelope beat;
      beat.mutable_heartbeat();
      send(beat);
    }
    if (now - last_heard_ > silence_limit_ && !pending_.empty()) {
      fail_all_pending("lost the coordinator at " + endpoint_ + ": it missed " + std::to_string(config_.liveness) +
                       " heartbeats");
    }
  }
  v1::Envelope bye;
  bye.mutable_bye();
  if (dealer_ != nullptr) {
    dealer_->set(zmq::sockopt::linger, 200);  // let the goodbye leave before the socket closes
    wire::send(*dealer_, bye);
  } else if (link_ != nullptr) {
    link_->send(wire::encode(bye));
    link_->flush_for(std::chrono::milliseconds(200));
  }
}

void ProcessBackend::redial() {
  std::string why;
  const int fd = dial_unix_socket(link_path_, &why);
  if (fd < 0) return;  // not back yet; the silence limit fails what is pending if it never is
  auto link = std::make_unique<StreamLink>(fd);
  try {
    if (!handshake_link(*link, endpoint_, config_.connect_timeout)) return;
  } catch (const Error& e) {
    logger().error("client: {}", e.what());
    return;
  }
  link_ = std::move(link);
  last_heard_ = Clock::now();
  // A new link is a new client to the coordinator: it dropped our jobs with the old one.
  resubmit_pending(/*say_hello=*/false);  // handshake_link said it
}

void ProcessBackend::send_pending(std::vector<TaskPtr>& tasks, std::vector<std::uint64_t>& cancels, bool cancel_all) {
  v1::Envelope submit;
  wire::Attachments frames;  // its large payloads (never embedded: those move as objects)
  std::size_t bytes = 0;
  std::size_t already_done = 0;
  auto flush = [&] {
    if (submit.submit().jobs_size() == 0) return;
    send(submit, &frames);
    submit.Clear();
    frames.clear();
    bytes = 0;
  };
  for (TaskPtr& task : tasks) {
    if (task->done()) {  // cancelled before it left this process
      ++already_done;
      continue;
    }
    if (const auto& deadline = task->placement().deadline; deadline && Clock::now() >= *deadline) {
      // Its deadline passed before it left this process: it never starts,
      // whatever delays the coordinator and the worker would add in flight.
      task->finish_with_error(JobState::kTimedOut,
                              to_exception(task->id(), {JobState::kTimedOut, "", "reached its deadline before it started"}, 0));
      ++already_done;
      continue;
    }
    // Taken, not copied: embedded, the coordinator keeps the request from
    // now on; as a service, requests_ does.
    WireRequest request = task->encode_request();
    v1::JobSpec* spec = submit.mutable_submit()->add_jobs();
    spec->set_id(task->id().value);
    spec->set_job(std::string(request.job));
    if (local_) {
      bytes += request.payload.size();
      spec->set_payload(std::move(request.payload));
    } else {
      // A resubmission finds its request here (its task gave it up).
      Payload& kept = requests_.try_emplace(task->id().value, std::move(request.payload)).first->second;
      bytes += kept.size();
      spec->set_payload_frame(
          wire::attach(kept, frames, [spec](std::string_view b) { spec->set_payload(b.data(), b.size()); }));
    }
    spec->set_chunk(request.chunk);
    spec->set_priority(task->placement().priority);
    spec->set_max_retries(static_cast<std::uint32_t>(config_.max_retries));
    if (const auto& deadline = task->placement().deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      spec->set_timeout_ms(static_cast<std::uint64_t>(std::max<std::int64_t>(left, 1)));
    }
    pending_.emplace(task->id().value, std::move(task));
    if (submit.submit().jobs_size() >= kMaxJobsPerMessage || bytes >= kMaxBytesPerMessage) flush();
  }
  flush();
  if (cancel_all) {
    for (auto& [id, task] : pending_) {
      task->cancel();  // reports back through on_cancel: the ids arrive in the next batch
    }
  }
  if (!cancels.empty()) {
    v1::Envelope cancel;
    for (std::uint64_t id : cancels) {
      if (pending_.contains(id)) cancel.mutable_cancel()->add_ids(id);
    }
    if (cancel.cancel().ids_size() > 0) send(cancel);
  }
  finished(already_done);
}

void ProcessBackend::on_message(const zmq::message_t& frame, wire::Attachments& frames) {
  v1::Envelope envelope;
  if (Status s = wire::decode(frame, &envelope); !s.is_ok()) {
    logger().warn("client: dropped a bad message from the coordinator: {}", s.message());
    return;
  }
  last_heard_ = Clock::now();
  on_envelope(envelope, frames);
}

void ProcessBackend::on_envelope(v1::Envelope& envelope, wire::Attachments& frames) {
  switch (envelope.body_case()) {
    case v1::Envelope::kStarted:
      for (std::uint64_t id : envelope.started().ids()) {
        if (auto at = pending_.find(id); at != pending_.end()) at->second->try_start();
      }
      return;
    case v1::Envelope::kProgress:
      for (const v1::ProgressReport& report : envelope.progress().reports()) {
        if (auto at = pending_.find(report.id()); at != pending_.end()) {
          at->second->try_start();  // a job reporting progress runs, though its Started may not be sent yet
          at->second->on_progress(report.fraction(), report.note());
        }
      }
      return;
    case v1::Envelope::kResults:
      return on_results(*envelope.mutable_results(), frames);
    case v1::Envelope::kError:
      if (envelope.error().code() == static_cast<std::uint32_t>(StatusCode::kFailedPrecondition)) {
        resubmit_pending(/*say_hello=*/true);  // the coordinator does not know us (it restarted): say hello, send our jobs again
      } else {
        logger().warn("client: the coordinator says: {}", envelope.error().message());
      }
      return;
    default:
      return;  // heartbeat, welcome, bye
  }
}

void ProcessBackend::on_results(v1::Results& results, wire::Attachments& frames) {
  std::size_t count = 0;
  for (v1::JobResult& result : *results.mutable_results()) {
    auto node = pending_.extract(result.id());
    if (node.empty()) continue;  // a duplicate: this job already has its outcome
    requests_.erase(result.id());
    complete(*node.mapped(), result, frames);
    ++count;
  }
  finished(count);
}

void ProcessBackend::complete(SharedState& task, v1::JobResult& result, wire::Attachments& frames) {
  if (result.outcome() == v1::OUTCOME_SUCCEEDED) {
    task.try_start();
    Status s;
    if (result.reply_frame() == 0) {
      s = task.decode_reply(result.reply());
    } else {
      Payload reply;
      s = wire::take_payload(result.reply_frame(), nullptr, frames, &reply);
      if (s.is_ok()) s = task.decode_reply(reply.view());
    }
    if (!s.is_ok()) {
      task.finish_with_error(JobState::kFailed, std::make_exception_ptr(JobError("taskmill::CodecError", s.message())));
    }
    return;
  }
  task.finish_with_error(state_of(result.outcome()), error_of(task.id(), result));
}

void ProcessBackend::fail_all_pending(const std::string& why) {
  logger().error("client: {}", why);
  const std::size_t count = pending_.size();
  for (auto& [id, task] : pending_) {
    task->finish_with_error(JobState::kFailed, std::make_exception_ptr(JobError("taskmill::CoordinatorLost", why)));
  }
  pending_.clear();
  requests_.clear();
  finished(count);
  last_heard_ = Clock::now();
}

void ProcessBackend::resubmit_pending(bool say_hello) {
  if (say_hello) {
    v1::Envelope hello = client_hello();
    send(hello);
  }
  std::vector<TaskPtr> again;
  for (auto& [id, task] : pending_) again.push_back(task);
  pending_.clear();
  std::vector<std::uint64_t> no_cancels;
  send_pending(again, no_cancels, false);
}

void ProcessBackend::finished(std::size_t count) {
  if (count == 0) return;
  std::lock_guard lock(outbox_->mu);
  outbox_->in_flight -= count;
  if (outbox_->in_flight == 0) outbox_->drained.notify_all();
}

}  // namespace taskmill::detail
