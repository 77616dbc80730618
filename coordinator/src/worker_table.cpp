#include "worker_table.h"

namespace taskmill::coordinator {

Worker& WorkerTable::add(Worker worker) {
  for (const std::string& job : worker.catalog) ++offered_[job];
  std::string peer = worker.peer;
  if (Worker* old = find(peer)) {
    unindex(*old);
    for (const std::string& job : old->catalog) {
      if (--offered_[job] == 0) offered_.erase(job);
    }
  }
  auto [at, inserted] = workers_.insert_or_assign(std::move(peer), std::move(worker));
  index(at->second);
  return at->second;
}

std::vector<std::uint64_t> WorkerTable::remove(const std::string& peer) {
  auto at = workers_.find(peer);
  if (at == workers_.end()) return {};
  unindex(at->second);
  for (const std::string& job : at->second.catalog) {
    if (--offered_[job] == 0) offered_.erase(job);
  }
  std::vector<std::uint64_t> held(at->second.assigned.begin(), at->second.assigned.end());
  workers_.erase(at);
  return held;
}

Worker* WorkerTable::find(const std::string& peer) {
  auto at = workers_.find(peer);
  return at == workers_.end() ? nullptr : &at->second;
}

Worker* WorkerTable::find_pid(std::uint32_t pid) {
  for (auto& [peer, worker] : workers_) {
    if (worker.pid == pid) return &worker;
  }
  return nullptr;
}

Worker* WorkerTable::pick(const std::string& job) {
  return by_credit_.find([&job](const Worker& w) { return w.catalog.contains(job); });
}

Worker* WorkerTable::idle() {
  return by_credit_.top_rank() > max_prefetch_ ? by_credit_.top() : nullptr;
}

Worker* WorkerTable::most_prefetched() { return by_prefetched_.top(); }

void WorkerTable::revoked(Worker& worker) {
  unindex(worker);
  worker.revocable = false;
  index(worker);
}

void WorkerTable::drain(const std::string& peer) {
  Worker* w = find(peer);
  if (w == nullptr) return;
  unindex(*w);
  w->draining = true;
  index(*w);  // no credit now, but its prefetched jobs may still be revoked
}

void WorkerTable::assign(Worker& worker, std::uint64_t job, std::size_t payload_bytes, double expected_us) {
  unindex(worker);
  worker.assigned.insert(job);
  worker.revocable = true;
  worker.window.observe_payload(payload_bytes);
  worker.window.expect(expected_us);
  index(worker);
}

bool WorkerTable::release(Worker& worker, std::uint64_t job) {
  unindex(worker);
  const bool held = worker.assigned.erase(job) > 0;
  index(worker);
  return held;
}

void WorkerTable::index(Worker& w) {
  if (credit(w) > 0) by_credit_.insert(w, credit(w));
  if (w.revocable && prefetched(w) > 0) by_prefetched_.insert(w, prefetched(w));
}

void WorkerTable::unindex(Worker& w) {
  by_credit_.erase(w);
  by_prefetched_.erase(w);
}

}  // namespace taskmill::coordinator
