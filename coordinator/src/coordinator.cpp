#include "taskmill/coordinator/coordinator.h"

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "loop.h"
#include "taskmill/errors.h"
#include "taskmill/log.h"
#include "taskmill/wire.h"

namespace taskmill::coordinator {
namespace {

// The local client's peer name. ZeroMQ routing ids never start with a zero
// byte (libzmq reserves those for the ids it makes up, which are 5 bytes), so
// no peer over a socket can take it.
const std::string kLocalPeer("\0local-client", 13);
// Links' peers are named so too, which no socket's peer can be, then a
// number drawn for each coordinator (link_names_) and one per link: a name
// the journal kept from before a restart is never given to a new link.
const std::string kLinkPeerPrefix("\0link-", 6);

std::string drawn_link_names() {
  std::random_device random;
  return kLinkPeerPrefix + std::to_string(random()) + std::to_string(random()) + "-";
}

}  // namespace

Coordinator::Loop::Loop(zmq::context_t& context, CoordinatorOptions options)
    : options_(std::move(options)), router_(context, zmq::socket_type::router), local_(options_.local_client),
      link_names_(drawn_link_names()),
      workers_(options_.prefetch),
      finished_(options_.result_ttl) {
  wire::configure(router_, options_.max_message_bytes);
  router_.set(zmq::sockopt::router_mandatory, 1);  // sends to a vanished peer fail instead of vanishing
  if (options_.curve) {
    zap_ = std::make_unique<ZapHandler>(context, options_.curve->allowed);
    curve::make_server(router_, options_.curve->own);
  }
  for (const std::string& endpoint : options_.endpoints) {
    try {
      router_.bind(endpoint);
    } catch (const zmq::error_t& e) {
      throw Error("coordinator: cannot listen on " + endpoint + ": " + e.what());
    }
    std::string bound = router_.get(zmq::sockopt::last_endpoint);
    endpoints_.push_back(endpoint.starts_with("tcp://") ? bound : endpoint);
    if (auto file = SocketFile::of(endpoint)) socket_files_.push_back(std::move(*file));
  }
  if (!options_.unix_socket.empty()) listener_ = std::make_unique<LinkListener>(options_.unix_socket);
  if (!options_.journal.empty()) {
    journal_ = std::make_unique<Journal>(options_.journal);
    restore();
  }
  if (local_ != nullptr) peers_[kLocalPeer] = Peer{v1::PEER_KIND_CLIENT, Clock::now(), /*in_process=*/true};
}

Coordinator::Loop::~Loop() {
  std::lock_guard lock(adopt_mu_);
  for (int fd : adopted_) ::close(fd);  // given after the loop's last turn
  for (int fd : accepted_) ::close(fd);
}

void Coordinator::Loop::restore() {
  Journal::Contents contents = journal_->read();
  const auto now = Clock::now();
  const std::int64_t now_unix_ms = unix_ms_now();
  for (auto& [id, status] : contents.results) {
    const auto age = std::chrono::milliseconds(std::max<std::int64_t>(0, now_unix_ms - status.finished_unix_ms()));
    finished_.add(id, std::move(status), now - age);
  }
  for (auto& [id, job] : contents.jobs) {
    if (!job.detached) restored_clients_.insert(job.client);
    jobs_.restore(id, std::move(job));
    jobs_.enqueue(id);  // queued or running when the last coordinator stopped: either way, it runs now
  }
  restored_clients_deadline_ = now + options_.heartbeat * options_.liveness * 2;
  logger().info("coordinator: journal {}: {} jobs to run, {} results kept", options_.journal, contents.jobs.size(),
                contents.results.size());
}

void Coordinator::Loop::run() {
  // The router, the wake-up, the local client and the Unix socket (-1:
  // none, which poll skips), then links_.
  constexpr std::size_t kFixed = 4;
  std::vector<zmq::pollitem_t> items;
  next_tick_ = Clock::now() + options_.heartbeat;
  while (!stopping_.load()) {
    adopt_links();  // before the poll items are made: serve_links() reads them in links_'s order
    items.assign({{router_.handle(), 0, ZMQ_POLLIN, 0},
                  {nullptr, wake_.fd(), ZMQ_POLLIN, 0},
                  {nullptr, local_ != nullptr ? local_->wake_fd() : -1, ZMQ_POLLIN, 0},
                  {nullptr, listener_ != nullptr ? listener_->fd() : -1, ZMQ_POLLIN, 0}});
    for (const auto& [peer, link] : links_) {
      const short events = ZMQ_POLLIN | (link->wants_write() ? ZMQ_POLLOUT : 0);
      items.push_back({nullptr, link->fd(), events, 0});
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick_ - Clock::now());
    wire::poll(items.data(), items.size(), std::max(wait, std::chrono::milliseconds(0)));
    if (items[1].revents & ZMQ_POLLIN) wake_.drain();
    behind_ = !receive_all();
    if (items[2].revents & ZMQ_POLLIN) receive_local();
    if (items[3].revents & ZMQ_POLLIN) listener_->accept_all(accepted_);
    serve_links(items.data() + kFixed);
    dispatch();
    const auto now = Clock::now();
    if (now >= next_tick_) tick(now);
    flush();
  }
  say_goodbye();
}

bool Coordinator::Loop::receive_all() {
  // Bounded in count and in time, so that timers run and replies leave under
  // a flood: nothing is sent until the turn ends (a turn that parsed every
  // 4 MiB Submit within reach took 325 ms for W4's 500 MiB, over 1.5 s when
  // the hypervisor stole time).
  const auto until = Clock::now() + wire::read_budget(options_.heartbeat);
  for (int i = 0; i < 4096 && Clock::now() < until; ++i) {
    bool malformed = false;
    auto message = wire::receive_routed(router_, &malformed);
    if (!message) return true;
    if (malformed) {
      reply_error(message->peer, StatusCode::kInvalidArgument,
                  "a message must be one Envelope frame and at most " + std::to_string(wire::kMaxAttachments) +
                      " payload frames");
      continue;
    }
    on_frame(message->peer, message->frame, message->attachments);
  }
  return false;
}

void Coordinator::Loop::receive_local() {
  std::vector<v1::Envelope> envelopes;
  local_->take(envelopes);
  wire::Attachments none;  // in-process: payloads come inline, moved, never copied
  for (v1::Envelope& envelope : envelopes) on_envelope(kLocalPeer, envelope, none);
}

void Coordinator::Loop::adopt_links() {
  std::vector<int> fds;
  {
    std::lock_guard lock(adopt_mu_);
    fds.swap(adopted_);
  }
  fds.insert(fds.end(), accepted_.begin(), accepted_.end());
  accepted_.clear();
  for (int fd : fds) {
    links_.emplace(link_names_ + std::to_string(++links_made_),
                   std::make_unique<detail::StreamLink>(fd, options_.max_message_bytes,
                                                         detail::SendBuffer::kWholePayload));
  }
}

void Coordinator::Loop::serve_links(const zmq::pollitem_t* ready) {
  // Each link's turn is bounded as receive_all's is; what is left waits for the next.
  const auto until = Clock::now() + wire::read_budget(options_.heartbeat);
  std::vector<std::pair<std::string, std::string>> closed;
  std::size_t i = 0;
  for (const auto& [peer, link] : links_) {
    const short revents = ready[i++].revents;
    if (revents & ZMQ_POLLOUT) link->flush();
    if (revents & (ZMQ_POLLIN | ZMQ_POLLERR)) {
      zmq::message_t frame;
      wire::Attachments attachments;
      for (int n = 0; n < 4096 && Clock::now() < until && link->receive(&frame, &attachments); ++n) {
        on_frame(peer, frame, attachments);
      }
    }
    if (link->closed()) closed.emplace_back(peer, link->error());
  }
  for (const auto& [peer, error] : closed) link_closed(peer, error);
}

void Coordinator::Loop::link_closed(const std::string& peer, const std::string& error) {
  const bool said_goodbye = links_left_.erase(peer) > 0;
  if (!error.empty() && !said_goodbye) logger().warn("coordinator: closed a link: {}", error);
  links_.erase(peer);
  // Everything the worker wrote before its end has been read: what it held
  // and did not report is lost. Embedded, the supervisor's report of its
  // exit says how it ended; it came first, or comes within milliseconds (it
  // watches the process), and at the latest when a silent worker would be
  // lost. A service has no supervisor: the link's end is all there is to know.
  if (workers_.find(peer) != nullptr) {
    if (!options_.accept_supervisor) {
      worker_lost(peer, error.empty() ? "its connection closed" : error);
    } else if (auto reason = exit_reasons_.find(peer); reason != exit_reasons_.end()) {
      const std::string why = std::move(reason->second);  // worker_lost erases it
      worker_lost(peer, why);
    } else if (!error.empty()) {
      worker_lost(peer, error);
    } else {
      workers_.drain(peer);
      exiting_.push_back({peer, "its process ended", Clock::now() + options_.heartbeat * options_.liveness});
    }
  } else if (auto known = peers_.find(peer); known != peers_.end() && known->second.kind == v1::PEER_KIND_CLIENT) {
    // A client at the Unix socket: gone with its connection, as after a goodbye.
    logger().info("coordinator: a client's link closed");
    client_gone(peer);
  }
  peers_.erase(peer);
}

void Coordinator::Loop::on_frame(const std::string& peer, const zmq::message_t& frame,
                                 wire::Attachments& attachments) {
  // Parsed on an arena, whose first block is on the stack: a Submit or
  // Results of many jobs then costs no allocation per job spec or result
  // (and no free of each after). What outlives the message is moved or
  // copied out of it: strings by std::move, messages into heap-owned ones.
  alignas(8) char first_block[8 << 10];
  google::protobuf::ArenaOptions options;
  options.initial_block = first_block;
  options.initial_block_size = sizeof(first_block);
  google::protobuf::Arena arena(options);
  auto* envelope = google::protobuf::Arena::CreateMessage<v1::Envelope>(&arena);
  if (Status s = wire::decode(frame, envelope); !s.is_ok()) {
    logger().warn("coordinator: dropped a bad message: {}", s.message());
    reply_error(peer, s.code(), s.message());
    return;
  }
  on_envelope(peer, *envelope, attachments);
}

void Coordinator::Loop::on_envelope(const std::string& peer, v1::Envelope& envelope,
                                    wire::Attachments& attachments) {
  if (envelope.has_hello()) return on_hello(peer, *envelope.mutable_hello());
  auto known = peers_.find(peer);
  if (known == peers_.end()) {
    reply_error(peer, StatusCode::kFailedPrecondition, "unknown peer: send hello first");
    return;
  }
  known->second.last_seen = Clock::now();
  const v1::PeerKind kind = known->second.kind;
  auto wrong_kind = [&] {
    reply_error(peer, StatusCode::kInvalidArgument,
                std::string("a ") + v1::PeerKind_Name(kind) + " may not send " + std::string(wire::body_name(envelope)));
  };
  switch (envelope.body_case()) {
    case v1::Envelope::kSubmit:
      return kind == v1::PEER_KIND_CLIENT ? on_submit(peer, *envelope.mutable_submit(), attachments) : wrong_kind();
    case v1::Envelope::kCancel:
      return kind == v1::PEER_KIND_CLIENT ? on_cancel(peer, envelope.cancel()) : wrong_kind();
    case v1::Envelope::kQuery:
      return kind == v1::PEER_KIND_CLIENT ? on_query(peer, *envelope.mutable_query()) : wrong_kind();
    case v1::Envelope::kResults:
      return kind == v1::PEER_KIND_WORKER ? on_results(peer, *envelope.mutable_results(), attachments) : wrong_kind();
    case v1::Envelope::kStarted:
      return kind == v1::PEER_KIND_WORKER ? on_started(peer, envelope.started()) : wrong_kind();
    case v1::Envelope::kProgress:
      return kind == v1::PEER_KIND_WORKER ? on_progress(peer, *envelope.mutable_progress()) : wrong_kind();
    case v1::Envelope::kReturned:
      return kind == v1::PEER_KIND_WORKER ? on_returned(peer, envelope.returned()) : wrong_kind();
    case v1::Envelope::kDrain:
      return kind == v1::PEER_KIND_WORKER ? workers_.drain(peer) : wrong_kind();
    case v1::Envelope::kWorkerExited:
      return kind == v1::PEER_KIND_SUPERVISOR ? on_worker_exited(envelope.worker_exited()) : wrong_kind();
    case v1::Envelope::kHeartbeat:
      return;
    case v1::Envelope::kBye:
      return on_bye(peer, kind);
    default:
      return wrong_kind();
  }
}

void Coordinator::Loop::on_submit(const std::string& peer, v1::Submit& submit, wire::Attachments& attachments) {
  const auto now = Clock::now();
  const std::uint32_t now_unix_s = unix_s_now();
  // One copy of the name for the message's jobs, not one per job for the
  // table to swap for the copy it already shares.
  const SharedName client = peer;
  for (v1::JobSpec& spec : *submit.mutable_jobs()) {
    Payload payload;
    const Status framing = wire::take_payload(spec.payload_frame(), spec.mutable_payload(), attachments, &payload);
    Job job{.client = client, .client_id = spec.id(), .name = std::move(*spec.mutable_job()),
            .payload = std::move(payload), .chunk = spec.chunk(), .detached = spec.detached(),
            .priority = spec.priority(), .deadline = std::nullopt, .max_retries = spec.max_retries(),
            .submitted_unix_s = now_unix_s};
    if (spec.timeout_ms() > 0) job.deadline = now + wire::timeout_from_wire(spec.timeout_ms());
    const bool offered = workers_.anyone_offers(job.name);
    const bool has_workers = workers_.size() > 0;
    auto id = jobs_.add(std::move(job));
    if (id && journal_) journal_->job_accepted(*id, *jobs_.find(*id));
    if (spec.detached()) {
      // Answered for a resubmission too, with the id the first copy got.
      v1::AcceptedJob* accepted = accepted_out_.to(peer).mutable_accepted()->add_jobs();
      accepted->set_client_id(spec.id());
      accepted->set_job_id(id ? *id : jobs_.find_by_client(peer, spec.id()).value_or(0));
    }
    if (!id) continue;  // resubmitted: the first copy stands
    if (!framing.is_ok()) {
      end_unrun(*id, v1::OUTCOME_REJECTED, framing.message(), "taskmill::ProtocolError");
      continue;
    }
    if (options_.max_jobs > 0 && jobs_.size() > options_.max_jobs) {
      end_unrun(*id, v1::OUTCOME_REJECTED,
                "the coordinator's queue is full (max_jobs = " + std::to_string(options_.max_jobs) + ")",
                "taskmill::QueueFullError");
      continue;
    }
    if (has_workers && !offered) {
      end_unrun(*id, v1::OUTCOME_REJECTED, "no connected worker offers this job: '" + jobs_.find(*id)->name + "'",
                "taskmill::UnknownJobError");
      continue;
    }
    jobs_.enqueue(*id);
  }
}

void Coordinator::Loop::on_cancel(const std::string& peer, const v1::Cancel& cancel) {
  for (std::uint64_t client_id : cancel.ids()) {
    if (auto id = jobs_.find_by_client(peer, client_id)) cancel_job(*id);  // else already finished
  }
}

void Coordinator::Loop::cancel_job(std::uint64_t id) {
  Job* job = jobs_.find(id);
  if (job == nullptr) return;
  if (job->worker.empty()) {
    end_unrun(id, v1::OUTCOME_CANCELLED, "job was cancelled");
  } else if (!job->cancel_requested) {
    job->cancel_requested = true;  // should its worker die, the job ends CANCELLED, not re-run
    cancel_on_worker(*job, id);
  }
}

void Coordinator::Loop::on_results(const std::string& peer, v1::Results& results, wire::Attachments& attachments) {
  Worker* worker = workers_.find(peer);
  if (worker == nullptr) return;
  for (v1::JobResult& result : *results.mutable_results()) {
    const std::uint64_t id = result.id();
    Job* job = jobs_.find(id);
    // A late answer from an attempt that was given up on: the job has moved on.
    if (job == nullptr || job->worker != peer || job->attempt != result.attempt()) continue;
    if (result.run_us() > 0) run_times_.observe(job->name, job->chunk, result.run_us());
    result.clear_run_us();  // the client is not told
    workers_.release(*worker, id);
    ++worker->done;
    Payload framed_reply;
    if (result.reply_frame() != 0) {
      if (Status s = wire::take_payload(result.reply_frame(), nullptr, attachments, &framed_reply); !s.is_ok()) {
        result.Clear();
        result.set_attempt(job->attempt);
        result.set_outcome(v1::OUTCOME_FAILED);
        result.set_error_type("taskmill::ProtocolError");
        result.set_error_message("its worker sent a bad reply: " + s.message());
      }
      result.clear_reply_frame();
    }
    finish(id, std::move(result), std::move(framed_reply));
  }
}

void Coordinator::Loop::on_started(const std::string& peer, const v1::Started& started) {
  for (std::uint64_t id : started.ids()) {
    Job* job = jobs_.find(id);
    if (job == nullptr || job->worker != peer) continue;
    job->started_unix_s = unix_s_now();
    if (job->detached) continue;
    started_out_.to(job->client).mutable_started()->add_ids(job->client_id);
  }
}

void Coordinator::Loop::on_progress(const std::string& peer, v1::Progress& progress) {
  for (v1::ProgressReport& report : *progress.mutable_reports()) {
    Job* job = jobs_.find(report.id());
    if (job == nullptr || job->worker != peer) continue;
    if (job->started_unix_s == 0) job->started_unix_s = unix_s_now();  // progress means it runs
    progress_[report.id()] = JobProgress{report.fraction(), report.note()};
    if (job->detached) continue;
    report.set_id(job->client_id);
    *progress_out_.to(job->client).mutable_progress()->add_reports() = std::move(report);
  }
}

void Coordinator::Loop::on_returned(const std::string& peer, const v1::Returned& returned) {
  Worker* worker = workers_.find(peer);
  if (worker == nullptr) return;
  // Back to the front of the queue, in their old order: they never ran, so
  // this attempt does not count.
  for (auto it = returned.ids().rbegin(); it != returned.ids().rend(); ++it) {
    Job* job = jobs_.find(*it);
    if (job == nullptr || job->worker != peer || !workers_.release(*worker, *it)) continue;
    job->worker.clear();
    --job->attempt;
    if (job->cancel_requested) {
      end_unrun(*it, v1::OUTCOME_CANCELLED, "job was cancelled");
    } else {
      jobs_.enqueue(*it, /*front=*/true);
    }
  }
}

void Coordinator::Loop::dispatch() {
  const auto now = Clock::now();
  // Short jobs go to one worker in runs (PrefetchWindow::run_length), and a
  // run goes on across loop turns: jobs submitted a few at a time still go
  // to the worker the last ones went to, which is awake, while it has room.
  Worker* run = run_left_ > 0 ? workers_.find(run_peer_) : nullptr;
  while (workers_.any_credit()) {
    auto id = jobs_.next_ready();
    if (!id) return rebalance();
    Job& job = *jobs_.find(*id);
    if (job.deadline && now >= *job.deadline) {
      jobs_.pop_ready();
      end_unrun(*id, v1::OUTCOME_TIMED_OUT, "reached its deadline before it started");
      continue;
    }
    // Only a short job joins a run: a longer one (or one of unknown length,
    // or with a deadline) goes to a free slot first, as pick() ranks.
    const double expected_us = run_times_.expected(job.name, job.chunk);
    const int run_length = PrefetchWindow::run_length(expected_us);
    const bool in_run = run != nullptr && run_left_ > 0 && run_length > 1 && !job.deadline &&
                        workers_.has_credit(*run) && run->catalog.contains(job.name);
    Worker* worker = in_run ? run : workers_.pick(job.name);
    if (worker == nullptr) {
      if (workers_.anyone_offers(job.name)) return;  // the workers that can run it are busy
      jobs_.pop_ready();
      parked_[job.name].push_back(*id);
      continue;
    }
    // A job with a deadline is never prefetched: it waits here, where its
    // deadline is watched from when it was accepted, rather than behind a
    // busy slot where time in flight would not count.
    if (job.deadline && workers_.prefetched(*worker) >= 0) return;
    if (in_run) {
      --run_left_;
    } else if (run_length > 1) {
      run = worker;  // a new run; a job that is not short leaves the current one be
      run_peer_ = worker->peer;
      run_left_ = run_length - 1;
    }
    jobs_.pop_ready();
    job.worker = worker->peer;
    job.started_unix_s = 0;  // assigned, perhaps prefetched: running once the worker says Started
    ++job.attempt;
    workers_.assign(*worker, *id, job.payload.size(), expected_us);
    v1::Assignment* a = assign_out_.to(worker->peer).mutable_assign()->add_jobs();
    a->set_id(*id);
    a->set_attempt(job.attempt);
    a->set_job(job.name);
    // A large payload is shared into a frame, not copied: the job keeps it,
    // to run again should this worker die.
    a->set_payload_frame(wire::attach(job.payload, frames_out_[worker->peer],
                                      [a](std::string_view bytes) { a->set_payload(bytes.data(), bytes.size()); }));
    a->set_chunk(job.chunk);
    a->set_client_id(job.client_id);
    if (job.deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*job.deadline - now).count();
      a->set_timeout_ms(static_cast<std::uint64_t>(std::max<std::int64_t>(left, 1)));
    }
  }
}

// Prefetch hides the round trip, but a prefetched job waits behind its
// worker's busy slot. pick() gives a job to a worker with a free slot before
// it prefetches, so a prefetched job only waits while every worker is busy;
// once the queue is empty and a worker has a free slot, the worker holding the
// most prefetched jobs is asked to give its unstarted ones back (they return
// to the front of the queue and dispatch spreads them again). A worker whose
// catalog lacks jobs the other holds is not given them: it could not run them.
void Coordinator::Loop::rebalance() {
  Worker* idle = workers_.idle();
  Worker* victim = idle == nullptr ? nullptr : workers_.most_prefetched();
  if (victim == nullptr) return;
  for (const std::string& name : victim->catalog) {
    if (!idle->catalog.contains(name)) return;
  }
  v1::Envelope revoke;
  revoke.mutable_revoke()->set_count(static_cast<std::uint32_t>(workers_.prefetched(*victim)));
  workers_.revoked(*victim);
  flush();  // its assignments must reach it before the revoke
  send_to(victim->peer, revoke);
}

void Coordinator::Loop::unpark(const Worker& worker) {
  for (const std::string& name : worker.catalog) {
    auto at = parked_.find(name);
    if (at == parked_.end()) continue;
    for (std::uint64_t id : at->second) jobs_.enqueue(id);
    parked_.erase(at);
  }
}

void Coordinator::Loop::finish(std::uint64_t id, v1::JobResult&& result, Payload framed_reply) {
  const Job& job = *jobs_.find(id);
  throughput_.count(result.outcome());
  if (journal_) journal_->job_ended(id);
  if (!framed_reply.empty()) {
    if (job.detached) {
      result.set_reply(framed_reply.view().data(), framed_reply.size());  // kept inline, in its JobStatus
    } else {
      frames_out_[job.client].push_back(framed_reply.share());  // on to the client as a frame again
      result.set_reply_frame(static_cast<std::uint32_t>(frames_out_[job.client].size()));
    }
  }
  if (job.detached) {
    v1::JobStatus status = finished_status(id, job, std::move(result));
    if (journal_) journal_->result_kept(id, status);
    finished_.add(id, std::move(status), Clock::now());
  } else {
    result.set_id(job.client_id);
    *results_out_.to(job.client).mutable_results()->add_results() = std::move(result);
  }
  progress_.erase(id);
  jobs_.erase(id);
}

void Coordinator::Loop::end_unrun(std::uint64_t id, v1::Outcome outcome, const std::string& message,
                                  const char* error_type) {
  const Job* job = jobs_.find(id);
  v1::JobResult result;
  result.set_attempt(job->attempt);
  result.set_outcome(outcome);
  result.set_error_type(error_type);
  result.set_error_message(message);
  finish(id, std::move(result));
}

void Coordinator::Loop::cancel_on_worker(const Job& job, std::uint64_t id) {
  v1::Envelope cancel;
  cancel.mutable_cancel()->add_ids(id);
  flush();  // the assignment must reach the worker before its cancel
  send_to(job.worker, cancel);
}

void Coordinator::Loop::flush() {
  if (journal_) journal_->commit();  // nothing is acknowledged before it is durable
  for (Outbox* out : {&assign_out_, &accepted_out_, &started_out_, &progress_out_, &results_out_}) {
    for (const auto& [peer, envelope] : *out) {
      auto frames = out == &assign_out_ || out == &results_out_ ? frames_out_.find(peer) : frames_out_.end();
      send_to(peer, *envelope, frames == frames_out_.end() ? nullptr : &frames->second);
    }
    out->clear();
  }
  frames_out_.clear();
  out_arena_.reset();
}

void Coordinator::Loop::send_to(const std::string& peer, v1::Envelope& envelope, wire::Attachments* attachments) {
  if (local_ != nullptr && peer == kLocalPeer) {
    wire::Attachments none;
    local_->deliver(envelope, attachments != nullptr ? *attachments : none);
  } else if (auto link = links_.find(peer); link != links_.end()) {
    link->second->send(wire::encode(envelope), attachments);
  } else {
    wire::send_to(router_, peer, envelope, attachments);
  }
}

void Coordinator::Loop::reply_error(const std::string& peer, StatusCode code, const std::string& message) {
  v1::Envelope error;
  error.mutable_error()->set_code(static_cast<std::uint32_t>(code));
  error.mutable_error()->set_message(message);
  send_to(peer, error);
}

void Coordinator::Loop::say_goodbye() {
  flush();
  v1::Envelope bye;
  bye.mutable_bye();
  for (const auto& [peer, info] : peers_) send_to(peer, bye);
  // A socket's queue leaves with its context (LINGER); a link's only now.
  for (const auto& [peer, link] : links_) link->flush_for(std::chrono::milliseconds(100));
}

Coordinator::Coordinator(zmq::context_t& context, CoordinatorOptions options)
    : loop_(std::make_unique<Loop>(context, std::move(options))) {}

Coordinator::~Coordinator() = default;

void Coordinator::run() { loop_->run(); }

void Coordinator::stop() noexcept { loop_->stop(); }

const std::vector<std::string>& Coordinator::endpoints() const noexcept { return loop_->endpoints(); }

void Coordinator::adopt_link(int fd) { loop_->adopt_link(fd); }

}  // namespace taskmill::coordinator
